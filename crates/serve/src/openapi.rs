//! The OpenAPI 3.1 document, built from the route table and the schemas below
//! (hand-written: a generator crate would cost build time for seven routes).
//! Schemas are strict (`additionalProperties: false`), so the tests that check
//! real responses against them catch any drift between code and document.

use crate::error::ErrorCode;
use crate::params::{In, Kind, Param, ENTITY_TYPES};
use crate::routes::Route;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

pub const OPENAPI_VERSION: &str = "3.1.0";

/// The whole document for `routes`.
pub fn document(routes: &[Route]) -> Value {
    let mut paths = Map::new();
    for r in routes {
        let entry = paths.entry(r.path.to_string()).or_insert_with(|| json!({}));
        if let Some(obj) = entry.as_object_mut() {
            obj.insert(r.method.to_string(), operation(r));
        }
    }
    json!({
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "dossier",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Read-only JSON API over a dossier knowledge base: documents, \
                entities, full-text search, statistics. Every list is paginated with \
                `limit`/`offset`; each page says how to get the next one (`next_offset`, \
                `next`). Every error has the shape {\"error\": {\"code\", \"message\"}} with \
                a stable `code`. When the server was started with a token, every route \
                except /health needs `Authorization: Bearer <token>`. Text offsets are \
                Unicode code point offsets, end exclusive."
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"}
            },
            "schemas": schemas()
        }
    })
}

fn operation(r: &Route) -> Value {
    let mut responses = Map::new();
    let mut content = Map::new();
    for m in r.media {
        let schema = if *m == "application/json" {
            schema_ref(r.response)
        } else {
            json!({"type": "string"})
        };
        content.insert((*m).to_string(), json!({ "schema": schema }));
    }
    responses.insert(
        "200".into(),
        json!({"description": "OK", "content": content}),
    );
    // Group error codes by status: several codes share 400.
    let mut by_status: BTreeMap<u16, Vec<&'static str>> = BTreeMap::new();
    let mut codes: Vec<ErrorCode> = r.errors.to_vec();
    if !r.public {
        codes.push(ErrorCode::Unauthorized);
    }
    codes.extend([ErrorCode::NotFound, ErrorCode::MethodNotAllowed]);
    codes.extend([ErrorCode::Timeout, ErrorCode::Internal]);
    for c in codes {
        let list = by_status.entry(c.status().as_u16()).or_default();
        if !list.contains(&c.as_str()) {
            list.push(c.as_str());
        }
    }
    for (status, codes) in by_status {
        responses.insert(
            status.to_string(),
            json!({
                "description": format!("error; code: {}", codes.join(" or ")),
                "content": {"application/json": {"schema": schema_ref("Error")}}
            }),
        );
    }
    let mut op = json!({
        "operationId": r.operation_id,
        "tags": [r.tag],
        "summary": r.summary,
        "parameters": r.params.iter().map(parameter).collect::<Vec<_>>(),
        "responses": responses,
    });
    if let Some(obj) = op.as_object_mut() {
        if !r.description.is_empty() {
            obj.insert("description".into(), json!(r.description));
        }
        obj.insert(
            "security".into(),
            if r.public {
                json!([])
            } else {
                json!([{"bearerAuth": []}])
            },
        );
    }
    op
}

fn parameter(p: &Param) -> Value {
    let schema = match p.kind {
        Kind::Text { max_chars } => json!({"type": "string", "maxLength": max_chars}),
        Kind::Int { min, max, default } => {
            json!({"type": "integer", "minimum": min, "maximum": max, "default": default})
        }
        Kind::Date => json!({
            "type": "string",
            "pattern": "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
        }),
        Kind::EntityType => json!({"type": "string", "enum": ENTITY_TYPES}),
        Kind::Id => json!({"type": "integer", "minimum": 1}),
        Kind::IdList { .. } => json!({"type": "string", "pattern": "^[0-9]+(,[0-9]+)*$"}),
        Kind::Choice(words) => json!({"type": "string", "enum": words, "default": words.first()}),
        Kind::Kinds => json!({"type": "string", "pattern": "^[A-Za-z0-9:_]+(,[A-Za-z0-9:_]+)*$"}),
    };
    let mut v = json!({
        "name": p.name,
        "in": p.location.as_str(),
        "required": p.required || p.location == In::Path,
        "description": p.description,
        "schema": schema,
    });
    if !p.example.is_empty() {
        if let Some(obj) = v.as_object_mut() {
            obj.insert("example".into(), json!(p.example));
        }
    }
    v
}

pub fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// A strict object schema: every property listed is required (absent values
/// are `null`, never missing).
fn object(props: Value) -> Value {
    let required: Vec<String> = props
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": required,
        "properties": props,
    })
}

fn nullable(t: &str) -> Value {
    json!({"type": [t, "null"]})
}

fn array_of(items: Value) -> Value {
    json!({"type": "array", "items": items})
}

/// A page with extra top-level properties.
fn page_with(item: &str, extra: Value) -> Value {
    let mut p = page(item, false);
    if let (Some(props), Some(extra)) = (
        p.get_mut("properties").and_then(Value::as_object_mut),
        extra.as_object(),
    ) {
        for (k, v) in extra {
            props.insert(k.clone(), v.clone());
        }
    }
    let keys: Vec<Value> = p
        .get("properties")
        .and_then(Value::as_object)
        .map(|m| m.keys().map(|k| json!(k)).collect())
        .unwrap_or_default();
    if let Some(obj) = p.as_object_mut() {
        obj.insert("required".into(), Value::Array(keys));
    }
    p
}

fn page(item: &str, with_total: bool) -> Value {
    let mut props = json!({
        "items": array_of(schema_ref(item)),
        "limit": {"type": "integer", "minimum": 1},
        "offset": {"type": "integer", "minimum": 0},
        "next_offset": {"type": ["integer", "null"], "description": "offset of the next page; null on the last page"},
        "next": {"type": ["string", "null"], "description": "path and query of the next page; null on the last page"},
    });
    if with_total {
        if let Some(obj) = props.as_object_mut() {
            obj.insert(
                "total".into(),
                json!({"type": "integer", "minimum": 0, "description": "all matches"}),
            );
        }
    }
    object(props)
}

fn label() -> Value {
    json!({"type": "string", "description": "entity type (re3d label, or a CoNLL label for data tagged with that schema)"})
}

fn span() -> Value {
    schema_ref("CharSpan")
}

fn counts() -> Value {
    array_of(schema_ref("Count"))
}

fn schemas() -> Value {
    let error_codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    json!({
        "Error": object(json!({
            "error": object(json!({
                "code": {"type": "string", "enum": error_codes},
                "message": {"type": "string"}
            }))
        })),
        "Health": object(json!({
            "status": {"type": "string", "enum": ["ok"]},
            "version": {"type": "string"}
        })),
        "OpenApiDocument": {"type": "object", "description": "this document"},
        "Count": object(json!({
            "name": {"type": "string"},
            "count": {"type": "integer", "minimum": 0}
        })),
        "Stats": object(json!({
            "documents": {"type": "integer", "minimum": 0},
            "characters": {"type": "integer", "minimum": 0},
            "mentions": {"type": "integer", "minimum": 0},
            "entities": {"type": "integer", "minimum": 0},
            "near_duplicate_links": {"type": "integer", "minimum": 0},
            "by_format": counts(),
            "by_language": counts(),
            "by_type": counts(),
            "schema_version": {"type": "integer"}
        })),
        "CharSpan": object(json!({
            "start": {"type": "integer", "minimum": 0},
            "end": {"type": "integer", "minimum": 0}
        })),
        "DocumentSummary": object(json!({
            "id": {"type": "string"},
            "parent": nullable("string"),
            "source": {"type": "string"},
            "format": {"type": "string"},
            "title": nullable("string"),
            "published": nullable("string"),
            "language": nullable("string"),
            "chars": {"type": "integer", "minimum": 0},
            "mentions": {"type": "integer", "minimum": 0},
            "near_duplicate_of": nullable("string")
        })),
        "DocumentPage": page("DocumentSummary", false),
        "Mention": object(json!({
            "entity_id": {"type": "integer"},
            "canonical": {"type": "string"},
            "start": {"type": "integer", "minimum": 0},
            "end": {"type": "integer", "minimum": 0},
            "label": label(),
            "text": {"type": "string"},
            "confidence": {"type": "number"},
            "kind": nullable("string"),
            "normalized": nullable("string"),
            "extractor": {"type": "string"}
        })),
        "DocumentEntity": object(json!({
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "label": label(),
            "mentions": {"type": "integer", "minimum": 1}
        })),
        "NearDuplicate": object(json!({
            "id": {"type": "string"},
            "similarity": {"type": "number"}
        })),
        "DocumentDetail": object(json!({
            "id": {"type": "string"},
            "parent": nullable("string"),
            "source": {"type": "string"},
            "format": {"type": "string", "enum": ["text", "markdown", "html", "pdf", "docx", "email", "json"]},
            "title": nullable("string"),
            "author": nullable("string"),
            "outlet": nullable("string"),
            "url": nullable("string"),
            "published": nullable("string"),
            "language": nullable("string"),
            "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
            "text": {"type": "string"},
            "mentions": array_of(schema_ref("Mention")),
            "entities": array_of(schema_ref("DocumentEntity")),
            "sentences": array_of(span()),
            "near_duplicates": array_of(schema_ref("NearDuplicate")),
            "children": array_of(json!({"type": "string"}))
        })),
        "EntitySummary": object(json!({
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "label": label(),
            "mentions": {"type": "integer", "minimum": 0},
            "documents": {"type": "integer", "minimum": 0}
        })),
        "EntityPage": page("EntitySummary", false),
        "SearchHit": object(json!({
            "id": {"type": "string"},
            "title": nullable("string"),
            "source": {"type": "string"},
            "published": nullable("string"),
            "score": {"type": "number", "description": "BM25, higher is better"},
            "snippet": {"type": "string"},
            "highlights": array_of(span())
        })),
        "SearchPage": page("SearchHit", true),
        "Evidence": object(json!({
            "doc": {"type": "string"},
            "title": nullable("string"),
            "published": nullable("string"),
            "span": span(),
            "sentence": {"type": "string"},
            "kind": {"type": "string"},
            "src": {"type": "integer"},
            "dst": {"type": "integer"}
        })),
        "Neighbour": object(json!({
            "entity": schema_ref("EntitySummary"),
            "kind": {"type": "string"},
            "direction": {"type": "string", "enum": ["out", "in", "both"]},
            "sentences": {"type": "integer", "minimum": 0},
            "documents": {"type": "integer", "minimum": 0},
            "first_seen": nullable("string"),
            "last_seen": nullable("string"),
            "evidence": array_of(schema_ref("Evidence"))
        })),
        "NeighbourPage": page("Neighbour", false),
        "Fact": {
            "type": "object",
            "description": "a stored fact: its document, sentence, the fact as extracted (shape per kind) and the entities its arguments are linked to",
            "required": ["doc", "title", "published", "sentence", "fact", "links"],
            "properties": {
                "doc": {"type": "string"},
                "title": nullable("string"),
                "published": nullable("string"),
                "sentence": {"type": ["object", "null"]},
                "fact": {"type": "object"},
                "links": array_of(object(json!({
                    "role": {"type": "string"},
                    "span": span(),
                    "entity": nullable("integer")
                })))
            }
        },
        "ClaimPage": page("Fact", false),
        "ClaimConflict": object(json!({
            "subject": nullable("integer"),
            "subject_name": {"type": "string"},
            "attribute": {"type": "string"},
            "a": schema_ref("Fact"),
            "b": schema_ref("Fact"),
            "a_source": {"type": "string"},
            "b_source": {"type": "string"}
        })),
        "ClaimDispute": object(json!({
            "subject": nullable("integer"),
            "subject_name": {"type": "string"},
            "attribute": {"type": "string"},
            "claims": array_of(object(json!({
                "source": {"type": "string", "description": "the claim's source, else the document's author or outlet"},
                "claim": schema_ref("Fact")
            }))),
            "pairs": array_of(json!({"type": "array", "items": {"type": "integer", "minimum": 0}, "minItems": 2, "maxItems": 2}))
        })),
        "ClaimConflicts": object(json!({
            "disputes": array_of(schema_ref("ClaimDispute")),
            "conflicts": array_of(schema_ref("ClaimConflict"))
        })),
        "Alias": object(json!({
            "text": {"type": "string"},
            "count": {"type": "integer", "minimum": 1}
        })),
        "EntityProfile": object(json!({
            "entity": schema_ref("EntitySummary"),
            "aliases": array_of(schema_ref("Alias")),
            "documents": schema_ref("DocumentPage"),
            "first_seen": nullable("string"),
            "last_seen": nullable("string"),
            "roles": array_of(schema_ref("Fact")),
            "quotes_by": array_of(schema_ref("Fact")),
            "quotes_about": array_of(schema_ref("Fact")),
            "relations": array_of(schema_ref("Fact")),
            "events": array_of(schema_ref("Fact")),
            "claims": array_of(schema_ref("Fact"))
        })),
        "Node": object(json!({
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "label": {"type": "string"},
            "kind": {"type": "string", "enum": ["entity", "event"], "description": "event nodes have negative ids (-event id)"},
            "degree": {"type": "integer", "minimum": 0}
        })),
        "EventNode": object(json!({
            "id": {"type": "integer"},
            "type": {"type": "string", "description": "the most specific type of its mentions (Bombing before Attack)"},
            "name": {"type": "string", "description": "type · place · date"},
            "date": nullable("string"),
            "place": nullable("integer"),
            "place_name": nullable("string"),
            "countries": array_of(json!({"type": "string"})),
            "mentions": {"type": "integer", "minimum": 0},
            "documents": {"type": "integer", "minimum": 0},
            "first_seen": nullable("string"),
            "last_seen": nullable("string")
        })),
        "EventPage": page("EventNode", false),
        "EventParticipant": object(json!({
            "entity": schema_ref("EntitySummary"),
            "role": {"type": "string", "description": "agent, target, participant, place, origin, destination or mentioned"},
            "sentences": {"type": "integer", "minimum": 0},
            "documents": {"type": "integer", "minimum": 0},
            "first_seen": nullable("string"),
            "last_seen": nullable("string")
        })),
        "EventMention": object(json!({
            "doc": {"type": "string"},
            "title": nullable("string"),
            "published": nullable("string"),
            "sentence": {"type": ["object", "null"]},
            "event": {"type": "object", "description": "the event fact as extracted"},
            "reason": {"type": "string", "description": "why it joined the node (or: new node)"}
        })),
        "EventProfile": object(json!({
            "node": schema_ref("EventNode"),
            "participants": array_of(schema_ref("EventParticipant")),
            "mentions": schema_ref("EventMentionPage")
        })),
        "EventMentionPage": page("EventMention", false),
        "GraphEdge": object(json!({
            "edge": {"type": "integer", "minimum": 0},
            "src": {"type": "integer"},
            "dst": {"type": "integer"},
            "kind": {"type": "string"},
            "directed": {"type": "boolean"},
            "sentences": {"type": "integer", "minimum": 0},
            "docs": {"type": "integer", "minimum": 0},
            "first_seen": {"type": ["integer", "null"], "description": "days since 1970-01-01"},
            "last_seen": {"type": ["integer", "null"], "description": "days since 1970-01-01"},
            "strength": {"type": "number"}
        })),
        "Hop": object(json!({
            "from": {"type": "integer"},
            "to": {"type": "integer"},
            "edge": schema_ref("GraphEdge"),
            "cost": {"type": "number"},
            "evidence": array_of(schema_ref("Evidence"))
        })),
        "Path": object(json!({
            "nodes": array_of(schema_ref("Node")),
            "hops": array_of(schema_ref("Hop")),
            "cost": {"type": "number"},
            "min_strength": {"type": "number"}
        })),
        "PathList": object(json!({
            "source": {"type": "integer"},
            "target": {"type": "integer"},
            "paths": array_of(schema_ref("Path"))
        })),
        "BarePath": object(json!({
            "nodes": array_of(schema_ref("Node")),
            "hops": array_of(object(json!({
                "from": {"type": "integer"},
                "to": {"type": "integer"},
                "edge": schema_ref("GraphEdge"),
                "cost": {"type": "number"}
            }))),
            "cost": {"type": "number"},
            "min_strength": {"type": "number"}
        })),
        "Connection": object(json!({
            "shared": array_of(object(json!({
                "node": schema_ref("Node"),
                "members": array_of(json!({"type": "integer"})),
                "direct": {"type": "integer", "minimum": 0, "description": "how many of the member links are direct"},
                "links": array_of(object(json!({
                    "member": {"type": "integer"},
                    "via": {"oneOf": [schema_ref("Node"), {"type": "null"}], "description": "intermediate node of a two-hop link"},
                    "edges": array_of(schema_ref("GraphEdge")),
                    "score": {"type": "number"}
                }))),
                "score": {"type": "number"}
            }))),
            "nodes": array_of(object(json!({
                "node": schema_ref("Node"),
                "terminal": {"type": "boolean"},
                "score": {"type": "number"}
            }))),
            "edges": array_of(schema_ref("GraphEdge")),
            "paths": array_of(schema_ref("BarePath")),
            "unreachable": array_of(json!({"type": "integer"})),
            "evidence": array_of(object(json!({
                "src": {"type": "integer"},
                "dst": {"type": "integer"},
                "kind": {"type": "string"},
                "evidence": array_of(schema_ref("Evidence"))
            })))
        })),
        "Ranked": object(json!({
            "node": schema_ref("Node"),
            "score": {"type": "number"}
        })),
        "CentralityPage": page_with("Ranked", json!({
            "measure": {"type": "string", "enum": ["pagerank", "degree", "betweenness"]},
            "exact": {"type": "boolean", "description": "false when betweenness was sampled"},
            "total": {"type": "integer", "minimum": 0}
        })),
        "Community": object(json!({
            "id": {"type": "integer", "minimum": 0},
            "size": {"type": "integer", "minimum": 1},
            "label": {"type": "string"},
            "top_members": array_of(schema_ref("Node")),
            "dominant_label": {"type": "string"}
        })),
        "CommunityPage": page("Community", true),
        "GraphExport": object(json!({
            "nodes": array_of(json!({
                "type": "object",
                "required": ["id", "name", "label", "kind", "degree"],
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "label": {"type": "string"},
                    "kind": {"type": "string", "enum": ["entity", "event"]},
                    "degree": {"type": "integer"},
                    "attrs": {"type": "object", "description": "numeric columns, e.g. pagerank"}
                }
            })),
            "edges": array_of(object(json!({
                "id": {"type": "integer"},
                "source": {"type": "integer"},
                "target": {"type": "integer"},
                "kind": {"type": "string"},
                "directed": {"type": "boolean"},
                "sentences": {"type": "integer"},
                "docs": {"type": "integer"},
                "first_seen": nullable("string"),
                "last_seen": nullable("string"),
                "strength": {"type": "number"}
            })))
        }))
    })
}
