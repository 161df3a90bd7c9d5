//! The HTTP API end to end: the router over a real SQLite store holding the
//! store conformance corpus, driven with in-process requests.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use dossier_core::{DocId, SearchRequest};
use dossier_serve::pool::{Opener, StorePool};
use dossier_serve::routes::ROUTES;
use dossier_serve::{router, AppState, Limits};
use dossier_store as ds;
use dossier_store::conformance::corpus;
use dossier_store::{
    AnalysedDocument, BatchOutcome, DocSummary, DupCandidate, EntitySummary, Page, SearchResults,
    SqliteStore, Stats, Store, StoredDocument,
};
use http_body_util::BodyExt;
use serde_json::Value;
use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

const TOKEN: &str = "s3cret-token";

struct Kb {
    _dir: tempfile::TempDir,
    path: PathBuf,
    docs: Vec<AnalysedDocument>,
}

/// The store conformance corpus (no facts).
fn kb() -> Kb {
    kb_with(corpus())
}

/// The corpus plus the two documents carrying facts (quotes, roles, relations,
/// events, claims): entities 1–7 as in `kb()`, then Mark Rutte and Netherlands.
fn full_kb() -> Kb {
    let mut docs = corpus();
    docs.push(dossier_store::conformance::facts_doc());
    docs.push(dossier_store::conformance::facts_doc_later());
    // One event node, on entities of its own (the routes' examples need one).
    docs.push(dossier_store::conformance::event_report(
        "ev/aleppo.txt",
        "A car bomb exploded in Aleppo on 2 May 2024.",
        dossier_core::EventType::Bombing,
        "car bomb",
        Some(("Aleppo", "SY")),
        Some(("2 May 2024", "2024-05-02")),
        &[],
    ));
    kb_with(docs)
}

fn kb_with(docs: Vec<AnalysedDocument>) -> Kb {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kb.sqlite");
    let mut store = SqliteStore::open(&path).unwrap();
    store.put_batch(&docs).unwrap();
    Kb {
        _dir: dir,
        path,
        docs,
    }
}

fn opener(path: &std::path::Path) -> Opener {
    let path = path.to_path_buf();
    Arc::new(move || Ok(Box::new(SqliteStore::open_existing(&path)?) as Box<dyn Store>))
}

fn app_with(kb: &Kb, token: Option<&str>, pool_size: usize, limits: Limits) -> Router {
    let pool = Arc::new(StorePool::new(opener(&kb.path), pool_size));
    router(AppState::new(pool, token), limits)
}

fn app(kb: &Kb) -> Router {
    app_with(kb, None, 4, Limits::default())
}

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Value) {
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let body: Value = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
        panic!(
            "response body is not JSON ({e}): {:?}",
            String::from_utf8_lossy(&bytes)
        )
    });
    assert_eq!(
        headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("application/json"),
        "content type of {body}"
    );
    (status, headers, body)
}

async fn get(app: &Router, uri: &str) -> (StatusCode, Value) {
    let req = Request::get(uri).body(Body::empty()).unwrap();
    let (s, _, b) = send(app, req).await;
    (s, b)
}

async fn get_ok(app: &Router, uri: &str) -> Value {
    let (s, b) = get(app, uri).await;
    assert_eq!(s, StatusCode::OK, "{uri}: {b}");
    b
}

async fn openapi(app: &Router) -> Value {
    get_ok(app, "/openapi.json").await
}

/// Asserts the error shape: exactly {"error": {"code", "message"}}, the code
/// wanted, a non-empty message, valid against the document's `Error` schema.
fn assert_error(doc: &Value, status: StatusCode, body: &Value, want: StatusCode, code: &str) {
    assert_eq!(status, want, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    validate(doc, &schema("Error"), body, "$").unwrap();
}

async fn expect_error(
    app: &Router,
    doc: &Value,
    uri: &str,
    want: StatusCode,
    code: &str,
) -> String {
    let (s, b) = get(app, uri).await;
    assert_error(doc, s, &b, want, code);
    b["error"]["message"].as_str().unwrap().to_string()
}

fn schema(name: &str) -> Value {
    serde_json::json!({"$ref": format!("#/components/schemas/{name}")})
}

/// Checks `value` against the subset of JSON Schema the document uses: $ref,
/// oneOf, type (string or list), properties, required, additionalProperties,
/// items, enum, minimum.
fn validate(doc: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let target = doc
            .pointer(r.trim_start_matches('#'))
            .ok_or_else(|| format!("{at}: dangling $ref {r}"))?;
        return validate(doc, target, value, at);
    }
    if let Some(any) = schema.get("oneOf").and_then(Value::as_array) {
        if !any.iter().any(|s| validate(doc, s, value, at).is_ok()) {
            return Err(format!("{at}: {value} matches none of {any:?}"));
        }
    }
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => return Err(format!("{at}: bad type {t}")),
        };
        let ok = types.iter().any(|t| match *t {
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "array" => value.is_array(),
            "object" => value.is_object(),
            "null" => value.is_null(),
            _ => false,
        });
        if !ok {
            return Err(format!("{at}: {value} is not of type {t}"));
        }
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array) {
        if !e.contains(value) {
            return Err(format!("{at}: {value} not in {e:?}"));
        }
    }
    if let (Some(min), Some(v)) = (
        schema.get("minimum").and_then(Value::as_f64),
        value.as_f64(),
    ) {
        if v < min {
            return Err(format!("{at}: {v} < minimum {min}"));
        }
    }
    if let Some(obj) = value.as_object() {
        let props = schema.get("properties").and_then(Value::as_object);
        for req in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let k = req.as_str().unwrap();
            if !obj.contains_key(k) {
                return Err(format!("{at}: missing required {k:?}"));
            }
        }
        for (k, v) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(s) => validate(doc, s, v, &format!("{at}.{k}"))?,
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => {
                        return Err(format!("{at}: undocumented property {k:?}"))
                    }
                    Some(s @ Value::Object(_)) => validate(doc, s, v, &format!("{at}.{k}"))?,
                    _ => {}
                },
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), value.as_array()) {
        for (i, v) in arr.iter().enumerate() {
            validate(doc, items, v, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}

/// Every `$ref` in the document resolves.
fn check_refs(doc: &Value, v: &Value) {
    match v {
        Value::Object(m) => {
            if let Some(r) = m.get("$ref").and_then(Value::as_str) {
                assert!(
                    doc.pointer(r.trim_start_matches('#')).is_some(),
                    "dangling {r}"
                );
            }
            m.values().for_each(|x| check_refs(doc, x));
        }
        Value::Array(a) => a.iter().for_each(|x| check_refs(doc, x)),
        _ => {}
    }
}

/// (path, method) pairs of the document.
fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            out.insert((path.clone(), method.clone()));
        }
    }
    out
}

/// The path with its `{param}`s filled: a document id for documents, an
/// entity id for entities, `json` for a format.
fn fill(path: &str, doc_id: &str) -> String {
    let value = |name: &str| match name {
        "format" => "json".to_string(),
        "id" if path.starts_with("/entities") => "2".to_string(),
        // The first event node of `full_kb` (its event reports).
        "id" if path.starts_with("/events") => "1".to_string(),
        _ => doc_id.to_string(),
    };
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').unwrap() + open;
        out.push_str(&value(&rest[open + 1..close]));
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// A request the document says is valid: path filled, every query parameter
/// with its documented example.
fn example_uri(doc: &Value, path: &str, method: &str, doc_id: &str) -> String {
    let op = &doc["paths"][path][method];
    let query: Vec<(String, String)> = op["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["in"] == "query")
        .filter_map(|p| {
            Some((
                p["name"].as_str()?.to_string(),
                p["example"].as_str()?.to_string(),
            ))
        })
        .collect();
    let base = fill(path, doc_id);
    if query.is_empty() {
        base
    } else {
        format!("{base}?{}", serde_urlencoded::to_string(&query).unwrap())
    }
}

#[tokio::test]
async fn openapi_document_is_openapi_3_and_lists_exactly_the_served_routes() {
    let kb = kb();
    let app = app(&kb);
    let doc = openapi(&app).await;
    let version = doc["openapi"].as_str().unwrap();
    assert!(version.starts_with("3."), "openapi {version}");
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    check_refs(&doc, &doc);

    // The route table and the document agree, both ways.
    let table: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|r| (r.path.to_string(), r.method.to_string()))
        .collect();
    assert_eq!(table.len(), ROUTES.len(), "a route is listed twice");
    assert_eq!(documented(&doc), table);

    let mut op_ids = HashSet::new();
    for (path, method) in documented(&doc) {
        let op = &doc["paths"][&path][&method];
        assert!(op_ids.insert(op["operationId"].as_str().unwrap().to_string()));
        assert!(op["responses"]["200"]["content"]["application/json"]["schema"].is_object());
        for code in ["404", "405", "500", "503"] {
            assert!(op["responses"][code].is_object(), "{path} lacks {code}");
        }
        // Path template parameters are declared as path parameters and vice versa.
        let in_template: BTreeSet<String> = path
            .split('{')
            .skip(1)
            .map(|s| s.split('}').next().unwrap().to_string())
            .collect();
        let declared: BTreeSet<String> = op["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["in"] == "path")
            .map(|p| {
                assert_eq!(p["required"], true);
                p["name"].as_str().unwrap().to_string()
            })
            .collect();
        assert_eq!(in_template, declared, "{path}");
        for p in op["parameters"].as_array().unwrap() {
            assert!(
                p["schema"].is_object() && p["description"].is_string(),
                "{p}"
            );
        }
    }
}

#[tokio::test]
async fn every_documented_route_answers_with_its_documented_schema() {
    let kb = full_kb();
    let app = app(&kb);
    let doc = openapi(&app).await;
    let some_id = kb.docs[4].document.id.0.clone();
    for (path, method) in documented(&doc) {
        assert_eq!(method, "get");
        let op = &doc["paths"][&path][&method];
        let uri = example_uri(&doc, &path, &method, &some_id);
        let base = fill(&path, &some_id);
        let body = get_ok(&app, &uri).await;
        validate(
            &doc,
            &op["responses"]["200"]["content"]["application/json"]["schema"],
            &body,
            &uri,
        )
        .unwrap_or_else(|e| panic!("{uri}: {e}\n{body:#}"));

        // A parameter the document does not list is refused, not ignored.
        let sep = if uri.contains('?') { '&' } else { '?' };
        expect_error(
            &app,
            &doc,
            &format!("{uri}{sep}undocumented=1"),
            StatusCode::BAD_REQUEST,
            "bad_parameter",
        )
        .await;

        // Other methods are 405 with the error shape.
        let req = Request::builder()
            .method(Method::DELETE)
            .uri(&base)
            .body(Body::empty())
            .unwrap();
        let (s, h, b) = send(&app, req).await;
        assert_error(
            &doc,
            s,
            &b,
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        );
        assert!(h.get(header::ALLOW).is_some());
    }
}

#[tokio::test]
async fn unknown_routes_are_json_404() {
    let kb = kb();
    let app = app(&kb);
    let doc = openapi(&app).await;
    for uri in ["/", "/nope", "/documents/abcd/extra", "/search/", "/%FF"] {
        expect_error(&app, &doc, uri, StatusCode::NOT_FOUND, "not_found").await;
    }
}

#[tokio::test]
async fn bearer_token_guards_every_route_but_health() {
    let kb = full_kb();
    let open = app(&kb);
    let doc = openapi(&open).await;
    let app = app_with(&kb, Some(TOKEN), 2, Limits::default());
    let id = &kb.docs[0].document.id.0;
    let with = |uri: &str, auth: Option<&str>| {
        let mut b = Request::get(uri);
        if let Some(a) = auth {
            b = b.header(header::AUTHORIZATION, a);
        }
        b.body(Body::empty()).unwrap()
    };
    for r in ROUTES {
        let uri = example_uri(&doc, r.path, r.method, id);
        let (s, _, b) = send(&app, with(&uri, None)).await;
        if r.public {
            assert_eq!(s, StatusCode::OK, "{uri} {b}");
            continue;
        }
        assert_error(&doc, s, &b, StatusCode::UNAUTHORIZED, "unauthorized");
        for bad in [
            "Bearer wrong",
            "Bearer ",
            &format!("Basic {TOKEN}"),
            &format!("Bearer {TOKEN}x"),
            &format!("Bearer {}", &TOKEN[..TOKEN.len() - 1]),
        ] {
            let (s, h, b) = send(&app, with(&uri, Some(bad))).await;
            assert_error(&doc, s, &b, StatusCode::UNAUTHORIZED, "unauthorized");
            assert!(h
                .get(header::WWW_AUTHENTICATE)
                .is_some_and(|v| v.to_str().unwrap().starts_with("Bearer")));
        }
        for good in [format!("Bearer {TOKEN}"), format!("bearer  {TOKEN} ")] {
            let (s, _, b) = send(&app, with(&uri, Some(&good))).await;
            assert_eq!(s, StatusCode::OK, "{uri} {good:?} {b}");
        }
    }
    // Unknown paths do not reveal themselves without the token either.
    let (s, _, b) = send(&app, with("/nope", None)).await;
    assert_error(&doc, s, &b, StatusCode::UNAUTHORIZED, "unauthorized");
}

/// Follows `next` links from `first`, checking each page's bookkeeping.
async fn walk(app: &Router, first: &str, limit: usize) -> Vec<Value> {
    let mut items = Vec::new();
    let mut uri = Some(first.to_string());
    let mut pages = 0;
    while let Some(u) = uri {
        let page = get_ok(app, &u).await;
        let got = page["items"].as_array().unwrap();
        assert_eq!(page["limit"], limit);
        assert_eq!(page["offset"], items.len(), "{u}");
        assert!(got.len() <= limit);
        items.extend(got.iter().cloned());
        match page["next"].as_str() {
            Some(n) => {
                assert_eq!(got.len(), limit, "a short page must be the last");
                assert_eq!(page["next_offset"], items.len());
                uri = Some(n.to_string());
            }
            None => {
                assert!(page["next_offset"].is_null());
                uri = None;
            }
        }
        pages += 1;
        assert!(pages < 100, "pagination does not end");
    }
    items
}

fn ids(items: &[Value], key: &str) -> Vec<String> {
    items.iter().map(|i| i[key].to_string()).collect()
}

#[tokio::test]
async fn documents_paginate_without_gaps_or_repeats() {
    let kb = kb();
    let app = app(&kb);
    let all = get_ok(&app, "/documents?limit=100").await;
    let all = all["items"].as_array().unwrap().clone();
    assert_eq!(all.len(), kb.docs.len());
    for limit in [1, 3, kb.docs.len()] {
        let walked = walk(&app, &format!("/documents?limit={limit}"), limit).await;
        assert_eq!(ids(&walked, "id"), ids(&all, "id"), "limit {limit}");
    }
    // Newest first, undated last.
    let dates: Vec<Option<&str>> = all.iter().map(|d| d["published"].as_str()).collect();
    assert_eq!(dates.last().unwrap(), &None);
    assert_eq!(dates[0], Some("2017-11-02T09:30:00Z"));
    // Default page size, and past the end.
    let p = get_ok(&app, "/documents").await;
    assert_eq!(p["limit"], 20);
    let p = get_ok(&app, "/documents?offset=50").await;
    assert_eq!(p["items"].as_array().unwrap().len(), 0);
    assert!(p["next"].is_null());

    let doc = openapi(&app).await;
    for bad in [
        "limit=0",
        "limit=101",
        "limit=ten",
        "offset=-1",
        "offset=100001",
        "limit=5&limit=6",
    ] {
        expect_error(
            &app,
            &doc,
            &format!("/documents?{bad}"),
            StatusCode::BAD_REQUEST,
            "bad_parameter",
        )
        .await;
    }
}

#[tokio::test]
async fn one_document_with_its_entities_marked() {
    let kb = kb();
    let app = app(&kb);
    let doc = openapi(&app).await;
    let want = &kb.docs[4]; // Dick Schoof, Dutch, The Hague, ISIS, Schoof
    let id = &want.document.id.0;
    let d = get_ok(&app, &format!("/documents/{id}")).await;
    validate(&doc, &schema("DocumentDetail"), &d, "$").unwrap();
    assert_eq!(d["id"], *id);
    assert_eq!(d["text"], want.document.text);
    let text: Vec<char> = want.document.text.chars().collect();
    let mentions = d["mentions"].as_array().unwrap();
    assert_eq!(mentions.len(), want.mentions.len());
    for m in mentions {
        let (s, e) = (
            m["start"].as_u64().unwrap() as usize,
            m["end"].as_u64().unwrap() as usize,
        );
        let marked: String = text[s..e].iter().collect();
        assert_eq!(m["text"], marked, "spans are code point offsets");
    }
    let entities: Vec<(String, u64)> = d["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap().to_string(),
                e["mentions"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        entities,
        vec![
            ("Dick Schoof".to_string(), 2),
            ("Dutch".to_string(), 1),
            ("The Hague".to_string(), 1),
            ("Islamic State".to_string(), 1),
        ]
    );
    // Each mention's entity is one of the listed entities.
    let entity_ids: HashSet<i64> = d["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert!(mentions
        .iter()
        .all(|m| entity_ids.contains(&m["entity_id"].as_i64().unwrap())));
    assert_eq!(
        d["sentences"].as_array().unwrap().len(),
        want.sentences.len()
    );

    // Unique prefix, any case.
    let by_prefix = get_ok(&app, &format!("/documents/{}", id[..8].to_uppercase())).await;
    assert_eq!(by_prefix["id"], *id);

    // A hex prefix that matches nothing is 404; too short is ambiguous; not hex is a bad parameter.
    let all: Vec<&DocId> = kb.docs.iter().map(|d| &d.document.id).collect();
    let missing = (0..16u32)
        .map(|i| format!("{i:x}{i:x}{i:x}{i:x}{i:x}"))
        .find(|p| all.iter().all(|id| !id.0.starts_with(p.as_str())))
        .unwrap();
    expect_error(
        &app,
        &doc,
        &format!("/documents/{missing}"),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    expect_error(
        &app,
        &doc,
        "/documents/abc",
        StatusCode::BAD_REQUEST,
        "ambiguous_id",
    )
    .await;
    for bad in ["zzzz", "abcd%27%20OR%201=1", "%FF%FE", &"a".repeat(65)] {
        expect_error(
            &app,
            &doc,
            &format!("/documents/{bad}"),
            StatusCode::BAD_REQUEST,
            "bad_parameter",
        )
        .await;
    }
}

#[tokio::test]
async fn entities_filter_by_type_and_paginate() {
    let kb = kb();
    let app = app(&kb);
    let doc = openapi(&app).await;
    let all = get_ok(&app, "/entities?limit=100").await;
    let all = all["items"].as_array().unwrap().clone();
    // Raqqa, Islamic State, Mayadin, Dick Schoof, Dutch, The Hague, Mosul.
    assert_eq!(all.len(), 7);
    let mentions: Vec<u64> = all
        .iter()
        .map(|e| e["mentions"].as_u64().unwrap())
        .collect();
    assert!(
        mentions.windows(2).all(|w| w[0] >= w[1]),
        "most-mentioned first"
    );
    assert_eq!(all[0]["name"], "Islamic State");
    let walked = walk(&app, "/entities?limit=2", 2).await;
    assert_eq!(ids(&walked, "id"), ids(&all, "id"));

    let locs = get_ok(&app, "/entities?type=location").await;
    let names: BTreeSet<&str> = locs["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["label"], "Location");
            e["name"].as_str().unwrap()
        })
        .collect();
    assert_eq!(
        names,
        BTreeSet::from(["Raqqa", "Mayadin", "The Hague", "Mosul"])
    );
    // CoNLL spelling maps to the re3d label.
    let per = get_ok(&app, "/entities?type=PER").await;
    assert_eq!(per["items"][0]["name"], "Dick Schoof");
    let walked = walk(&app, "/entities?type=Location&limit=3", 3).await;
    assert_eq!(walked.len(), 4);
    let m = expect_error(
        &app,
        &doc,
        "/entities?type=Dragon",
        StatusCode::BAD_REQUEST,
        "bad_parameter",
    )
    .await;
    assert!(m.contains("Organisation"), "lists the valid types: {m}");
}

/// Titles of the hits of a search.
async fn titles(app: &Router, query: &str) -> (u64, Vec<String>) {
    let r = get_ok(app, &format!("/search?{query}")).await;
    let t = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["title"].as_str().unwrap_or("-").to_string())
        .collect();
    (r["total"].as_u64().unwrap(), t)
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[tokio::test]
async fn search_speaks_the_cli_query_language_and_filters() {
    let kb = kb();
    let app = app(&kb);
    let doc = openapi(&app).await;

    // The same answers as the store gives the CLI for the same request.
    let direct = SqliteStore::open_existing(&kb.path).unwrap();
    let q = "raqqa OR \"old town\" -budget";
    let want: SearchResults = direct
        .search(&SearchRequest {
            query: dossier_core::Query::parse(q).unwrap(),
            filters: Default::default(),
            limit: 20,
            offset: 0,
        })
        .unwrap();
    let got = get_ok(
        &app,
        &format!(
            "/search?{}",
            serde_urlencoded::to_string([("q", q)]).unwrap()
        ),
    )
    .await;
    assert_eq!(got["total"], want.total);
    assert_eq!(got["items"], serde_json::to_value(&want.hits).unwrap());

    let (n, t) = titles(&app, "q=raqqa").await;
    assert_eq!(n, 3);
    assert_eq!(t.len(), 3);
    // Outlet and path count as source, case-insensitively.
    assert_eq!(
        titles(&app, "q=raqqa&source=REUTERS").await.1,
        vec!["Raqqa offensive"]
    );
    assert_eq!(
        titles(&app, "q=raqqa&source=offensive.txt").await.1,
        vec!["Raqqa offensive"]
    );
    // The URL counts as source.
    assert_eq!(
        titles(&app, "q=raqqa&source=bbc").await.1,
        vec!["Budget talks"]
    );
    assert_eq!(
        titles(&app, "q=raqqa&from=2017-10-18").await.1,
        vec!["Budget talks"]
    );
    assert_eq!(
        sorted(titles(&app, "q=raqqa&from=2017&to=2017-10").await.1),
        vec!["Budget talks", "Raqqa offensive"]
    );
    assert_eq!(titles(&app, "q=raqqa&to=2016").await.0, 0);
    // Entity by a mention text (Daesh → Islamic State) and by type.
    assert_eq!(
        sorted(titles(&app, "q=raqqa&entity=daesh").await.1),
        vec!["-", "Raqqa offensive"]
    );
    assert_eq!(titles(&app, "q=raqqa&type=Person").await.0, 0);
    assert_eq!(
        titles(&app, "q=returnees&type=person").await.1,
        vec!["Returnees"]
    );
    // Prefix and phrase.
    assert_eq!(titles(&app, "q=retur*").await.1, vec!["Returnees"]);
    assert_eq!(
        titles(&app, "q=%22old+town%22").await.1,
        vec!["Mosul after the battle"]
    );

    // Highlights point into the snippet.
    let r = get_ok(&app, "/search?q=schoof").await;
    let hit = &r["items"][0];
    let snippet: Vec<char> = hit["snippet"].as_str().unwrap().chars().collect();
    for h in hit["highlights"].as_array().unwrap() {
        let (s, e) = (
            h["start"].as_u64().unwrap() as usize,
            h["end"].as_u64().unwrap() as usize,
        );
        let word: String = snippet[s..e].iter().collect();
        assert_eq!(word.to_lowercase(), "schoof");
    }

    // Pagination keeps the query and filters in `next`.
    let (total, _) = titles(&app, "q=city").await;
    assert!(total >= 3);
    let walked = walk(&app, "/search?q=city&limit=1", 1).await;
    assert_eq!(walked.len() as u64, total);
    let p = get_ok(&app, "/search?q=raqqa&source=reuters&limit=1&offset=0").await;
    assert!(p["next"].is_null());
    let p = get_ok(&app, "/search?q=raqqa&from=2017&limit=1").await;
    let next = p["next"].as_str().unwrap();
    assert!(
        next.starts_with("/search?")
            && next.contains("q=raqqa")
            && next.contains("from=2017")
            && next.contains("offset=1"),
        "{next}"
    );

    for (uri, code) in [
        ("/search", "bad_parameter"),
        ("/search?q=", "bad_query"),
        ("/search?q=%28raqqa", "bad_query"),
        ("/search?q=-raqqa", "bad_query"),
        ("/search?q=raqqa+OR", "bad_query"),
        ("/search?q=r*", "bad_query"),
        ("/search?q=raqqa&from=2017-13", "bad_parameter"),
        ("/search?q=raqqa&from=yesterday", "bad_parameter"),
        ("/search?q=raqqa&from=2018&to=2017-12", "bad_parameter"),
        ("/search?q=raqqa&type=Dragon", "bad_parameter"),
        ("/search?q=raqqa&limit=1000", "bad_parameter"),
    ] {
        expect_error(&app, &doc, uri, StatusCode::BAD_REQUEST, code).await;
    }
    let deep = format!("/search?q={}raqqa{}", "(".repeat(200), ")".repeat(200));
    expect_error(&app, &doc, &deep, StatusCode::BAD_REQUEST, "bad_query").await;
    let long = format!("/search?q={}", "a+".repeat(600));
    expect_error(&app, &doc, &long, StatusCode::BAD_REQUEST, "bad_parameter").await;
}

#[tokio::test]
async fn stats_and_health() {
    let kb = kb();
    let app = app(&kb);
    let s = get_ok(&app, "/stats").await;
    assert_eq!(s["documents"], kb.docs.len());
    assert_eq!(s["entities"], 7);
    let mentions: usize = kb.docs.iter().map(|d| d.mentions.len()).sum();
    assert_eq!(s["mentions"], mentions);
    let html = s["by_format"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "html")
        .unwrap();
    assert_eq!(html["count"], 2);
    assert_eq!(get_ok(&app, "/health").await["status"], "ok");
}

#[tokio::test]
async fn request_bodies_are_limited() {
    let kb = kb();
    let app = app_with(
        &kb,
        None,
        2,
        Limits {
            max_body: 1024,
            ..Limits::default()
        },
    );
    let doc = openapi(&app).await;
    let req = Request::get("/stats")
        .header(header::CONTENT_LENGTH, 4096)
        .body(Body::from(vec![b'x'; 4096]))
        .unwrap();
    let (s, _, b) = send(&app, req).await;
    assert_error(
        &doc,
        s,
        &b,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    );
}

/// A store that delegates to SQLite, holding each `stats` call for a while and
/// recording how many run at once.
struct Slow {
    inner: SqliteStore,
    delay: Duration,
    running: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
}

impl Store for Slow {
    fn existing(&self, ids: &[DocId]) -> dossier_store::Result<Vec<DocId>> {
        self.inner.existing(ids)
    }
    fn put_batch(&mut self, docs: &[AnalysedDocument]) -> dossier_store::Result<BatchOutcome> {
        self.inner.put_batch(docs)
    }
    fn dup_candidates(&self, minhash: &[u32]) -> dossier_store::Result<Vec<DupCandidate>> {
        self.inner.dup_candidates(minhash)
    }
    fn document(&self, id: &str) -> dossier_store::Result<StoredDocument> {
        self.inner.document(id)
    }
    fn documents(&self, page: Page) -> dossier_store::Result<Vec<DocSummary>> {
        self.inner.documents(page)
    }
    fn entities(
        &self,
        label: Option<dossier_core::EntityLabel>,
        page: Page,
    ) -> dossier_store::Result<Vec<EntitySummary>> {
        self.inner.entities(label, page)
    }
    fn search(&self, req: &SearchRequest) -> dossier_store::Result<SearchResults> {
        self.inner.search(req)
    }
    fn stats(&self) -> dossier_store::Result<Stats> {
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        std::thread::sleep(self.delay);
        self.running.fetch_sub(1, Ordering::SeqCst);
        self.inner.stats()
    }
    fn optimize(&mut self) -> dossier_store::Result<()> {
        self.inner.optimize()
    }
    fn facts(&self, id: &str) -> dossier_store::Result<dossier_core::Facts> {
        self.inner.facts(id)
    }
    fn sentence(&self, id: &str, pos: usize) -> dossier_store::Result<Option<ds::Sentence>> {
        self.inner.sentence(id, pos)
    }
    fn entity_summary(&self, id: i64) -> dossier_store::Result<Option<EntitySummary>> {
        self.inner.entity_summary(id)
    }
    fn find_entities(
        &self,
        name: &str,
        label: Option<dossier_core::EntityLabel>,
    ) -> dossier_store::Result<Vec<EntitySummary>> {
        self.inner.find_entities(name, label)
    }
    fn aliases(&self, entity: i64, page: Page) -> dossier_store::Result<Vec<ds::Alias>> {
        self.inner.aliases(entity, page)
    }
    fn entity_documents(
        &self,
        entity: i64,
        page: Page,
    ) -> dossier_store::Result<(Vec<DocSummary>, Option<String>, Option<String>)> {
        self.inner.entity_documents(entity, page)
    }
    fn entity_facts(
        &self,
        entity: i64,
        kind: Option<ds::FactKind>,
        page: Page,
    ) -> dossier_store::Result<Vec<ds::StoredFact<ds::AnyFact>>> {
        self.inner.entity_facts(entity, kind, page)
    }
    fn quotes_about(&self, entity: i64, page: Page) -> dossier_store::Result<Vec<ds::StoredQuote>> {
        self.inner.quotes_about(entity, page)
    }
    fn claims(&self, filter: &ds::ClaimFilter) -> dossier_store::Result<Vec<ds::StoredClaim>> {
        self.inner.claims(filter)
    }
    fn neighbours(
        &self,
        entity: i64,
        filter: &ds::EdgeFilter,
        page: Page,
    ) -> dossier_store::Result<Vec<ds::Neighbour>> {
        self.inner.neighbours(entity, filter, page)
    }
    fn evidence(
        &self,
        a: i64,
        b: i64,
        kind: Option<&str>,
        limit: usize,
    ) -> dossier_store::Result<Vec<ds::Evidence>> {
        self.inner.evidence(a, b, kind, limit)
    }
    fn events(&self, filter: &ds::EventFilter) -> dossier_store::Result<Vec<ds::EventNode>> {
        self.inner.events(filter)
    }
    fn event(&self, id: i64, page: Page) -> dossier_store::Result<ds::EventProfile> {
        self.inner.event(id, page)
    }
    fn event_evidence(
        &self,
        entity: i64,
        node: i64,
        role: Option<&str>,
        limit: usize,
    ) -> dossier_store::Result<Vec<ds::Evidence>> {
        self.inner.event_evidence(entity, node, role, limit)
    }
    fn for_each_event_edge(
        &self,
        f: &mut dyn FnMut(ds::EventEdgeRow),
    ) -> dossier_store::Result<()> {
        self.inner.for_each_event_edge(f)
    }
    fn for_each_edge(&self, f: &mut dyn FnMut(ds::EdgeRow)) -> dossier_store::Result<()> {
        self.inner.for_each_edge(f)
    }
    fn put_resolution(
        &mut self,
        blocks: &[ds::NameBlock],
        reasons: &[ds::ResolutionReason],
    ) -> dossier_store::Result<()> {
        self.inner.put_resolution(blocks, reasons)
    }
    fn name_blocks(
        &self,
        label: dossier_core::EntityLabel,
        blocks: &[String],
        limit_per_block: usize,
    ) -> dossier_store::Result<Vec<ds::NameBlock>> {
        self.inner.name_blocks(label, blocks, limit_per_block)
    }
    fn resolution_reasons(
        &self,
        entity: i64,
        page: Page,
    ) -> dossier_store::Result<Vec<ds::ResolutionReason>> {
        self.inner.resolution_reasons(entity, page)
    }
    fn bulk_import_graph(
        &mut self,
        kinds: &[&str],
        entities: &[(String, dossier_core::EntityLabel)],
        edges: &[ds::ImportEdge],
    ) -> dossier_store::Result<ds::ImportOutcome> {
        self.inner.bulk_import_graph(kinds, entities, edges)
    }
    fn add_decision(&mut self, d: &ds::Decision) -> dossier_store::Result<ds::StoredDecision> {
        self.inner.add_decision(d)
    }
    fn decisions(&self) -> dossier_store::Result<Vec<ds::StoredDecision>> {
        self.inner.decisions()
    }
}

fn slow_app(kb: &Kb, pool: usize, delay: Duration, limits: Limits) -> (Router, Arc<AtomicUsize>) {
    let path = kb.path.clone();
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (r, p) = (Arc::clone(&running), Arc::clone(&peak));
    let open: Opener = Arc::new(move || {
        Ok(Box::new(Slow {
            inner: SqliteStore::open_existing(&path)?,
            delay,
            running: Arc::clone(&r),
            peak: Arc::clone(&p),
        }) as Box<dyn Store>)
    });
    let pool = Arc::new(StorePool::new(open, pool));
    (router(AppState::new(pool, None), limits), peak)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_run_in_parallel_up_to_the_pool_size() {
    let kb = kb();
    let (app, peak) = slow_app(&kb, 3, Duration::from_millis(100), Limits::default());
    let tasks: Vec<_> = (0..9)
        .map(|_| {
            let app = app.clone();
            tokio::spawn(async move { get(&app, "/stats").await.0 })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    let peak = peak.load(Ordering::SeqCst);
    assert!(peak > 1, "requests were serialised (peak {peak})");
    assert!(
        peak <= 3,
        "more store handles in use than the pool holds ({peak})"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_requests_time_out_with_the_error_shape() {
    let kb = kb();
    let limits = Limits {
        timeout: Duration::from_millis(50),
        ..Limits::default()
    };
    let (app, _) = slow_app(&kb, 1, Duration::from_millis(400), limits);
    let doc = openapi(&app).await;
    expect_error(
        &app,
        &doc,
        "/stats",
        StatusCode::SERVICE_UNAVAILABLE,
        "timeout",
    )
    .await;
    // Other routes still answer.
    assert_eq!(get(&app, "/health").await.0, StatusCode::OK);
}

/// Entity ids by name.
async fn entity_ids(app: &Router) -> std::collections::HashMap<String, i64> {
    get_ok(app, "/entities?limit=100").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap().to_string(),
                e["id"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn entity_profile_with_facts_and_paged_documents() {
    let kb = full_kb();
    let app = app(&kb);
    let doc = openapi(&app).await;
    let ids = entity_ids(&app).await;
    let schoof = ids["Dick Schoof"];
    let p = get_ok(&app, &format!("/entities/{schoof}")).await;
    validate(&doc, &schema("EntityProfile"), &p, "$").unwrap();
    assert_eq!(p["entity"]["name"], "Dick Schoof");
    assert_eq!(p["entity"]["label"], "Person");
    let aliases: BTreeSet<&str> = p["aliases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["text"].as_str().unwrap())
        .collect();
    assert_eq!(aliases, BTreeSet::from(["Dick Schoof", "Schoof"]));
    // Mentioned in the corpus' "Returnees" and in the facts document.
    assert_eq!(p["documents"]["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        p["first_seen"].as_str().map(|d| &d[..10]),
        Some("2017-10-17")
    );
    assert_eq!(
        p["last_seen"].as_str().map(|d| &d[..10]),
        Some("2017-11-02")
    );
    assert_eq!(p["quotes_by"].as_array().unwrap().len(), 1);
    assert!(p["quotes_by"][0]["fact"]["text"]
        .as_str()
        .unwrap()
        .contains("losing Raqqa"));
    assert!(!p["roles"].as_array().unwrap().is_empty());

    // Documents are paged like every list.
    let first = get_ok(&app, &format!("/entities/{schoof}?limit=1")).await;
    assert_eq!(first["documents"]["items"].as_array().unwrap().len(), 1);
    assert_eq!(first["documents"]["next_offset"], 1);
    let next = first["documents"]["next"].as_str().unwrap();
    let second = get_ok(&app, next).await;
    assert_eq!(second["documents"]["items"].as_array().unwrap().len(), 1);
    assert!(second["documents"]["next"].is_null());
    assert_ne!(
        first["documents"]["items"][0]["id"],
        second["documents"]["items"][0]["id"]
    );

    expect_error(
        &app,
        &doc,
        "/entities/99999",
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    for bad in ["abc", "0", "-3", "1.5", "99999999999999999999"] {
        expect_error(
            &app,
            &doc,
            &format!("/entities/{bad}"),
            StatusCode::BAD_REQUEST,
            "bad_parameter",
        )
        .await;
    }
}

#[tokio::test]
async fn neighbours_filter_and_carry_evidence() {
    let kb = full_kb();
    let app = app(&kb);
    let doc = openapi(&app).await;
    let ids = entity_ids(&app).await;
    let schoof = ids["Dick Schoof"];
    let all = get_ok(
        &app,
        &format!("/entities/{schoof}/neighbours?limit=100&evidence=2"),
    )
    .await;
    validate(&doc, &schema("NeighbourPage"), &all, "$").unwrap();
    let items = all["items"].as_array().unwrap();
    assert!(!items.is_empty());
    let names: BTreeSet<&str> = items
        .iter()
        .map(|n| n["entity"]["name"].as_str().unwrap())
        .collect();
    assert!(names.contains("Mark Rutte"), "{names:?}");
    let sentences: Vec<u64> = items
        .iter()
        .map(|n| n["sentences"].as_u64().unwrap())
        .collect();
    assert!(
        sentences.windows(2).all(|w| w[0] >= w[1]),
        "most evidence first"
    );
    for n in items {
        let ev = n["evidence"].as_array().unwrap();
        assert!(!ev.is_empty() && ev.len() <= 2, "{n}");
        for e in ev {
            // The evidence is the edge's own: its ends are this entity and the neighbour.
            let ends = BTreeSet::from([e["src"].as_i64().unwrap(), e["dst"].as_i64().unwrap()]);
            assert_eq!(
                ends,
                BTreeSet::from([schoof, n["entity"]["id"].as_i64().unwrap()])
            );
            assert_eq!(e["kind"], n["kind"]);
            assert!(!e["sentence"].as_str().unwrap().is_empty());
        }
    }
    let walked = walk(
        &app,
        &format!("/entities/{schoof}/neighbours?limit=1&evidence=0"),
        1,
    )
    .await;
    assert_eq!(walked.len(), items.len());
    assert!(walked
        .iter()
        .all(|n| n["evidence"].as_array().unwrap().is_empty()));

    let only_rel = get_ok(
        &app,
        &format!("/entities/{schoof}/neighbours?kinds=relation,role&limit=100"),
    )
    .await;
    for n in only_rel["items"].as_array().unwrap() {
        let k = n["kind"].as_str().unwrap();
        assert!(k.starts_with("relation:") || k == "role", "{k}");
    }
    let locs = get_ok(
        &app,
        &format!("/entities/{schoof}/neighbours?type=Location&limit=100"),
    )
    .await;
    let locs = locs["items"].as_array().unwrap();
    assert!(!locs.is_empty());
    assert!(locs.iter().all(|n| n["entity"]["label"] == "Location"));
    let none = get_ok(
        &app,
        &format!("/entities/{schoof}/neighbours?min_evidence=1000"),
    )
    .await;
    assert!(none["items"].as_array().unwrap().is_empty());
    let none = get_ok(&app, &format!("/entities/{schoof}/neighbours?to=2000")).await;
    assert!(none["items"].as_array().unwrap().is_empty());

    expect_error(
        &app,
        &doc,
        "/entities/99999/neighbours",
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    for bad in [
        "kinds=a%20b",
        "evidence=6",
        "from=2017-02-30x",
        "type=Dragon",
    ] {
        expect_error(
            &app,
            &doc,
            &format!("/entities/{schoof}/neighbours?{bad}"),
            StatusCode::BAD_REQUEST,
            "bad_parameter",
        )
        .await;
    }
}

/// `/claims/conflicts` answers in its documented shape; the knowledge base's two
/// Netherlands figures ("about 300" and 280 foreign fighters) agree within the
/// qualifier, so there is no dispute, and a bad filter is a 400.
#[tokio::test]
async fn claim_conflicts_route() {
    let kb = full_kb();
    let app = app(&kb);
    let doc = openapi(&app).await;
    let v = get_ok(&app, "/claims/conflicts").await;
    validate(&doc, &schema("ClaimConflicts"), &v, "$").unwrap();
    assert!(v["disputes"].as_array().unwrap().is_empty(), "{v:#}");
    assert!(v["conflicts"].as_array().unwrap().is_empty(), "{v:#}");
    expect_error(
        &app,
        &doc,
        "/claims/conflicts?subject=x",
        StatusCode::BAD_REQUEST,
        "bad_parameter",
    )
    .await;
}

#[tokio::test]
async fn claims_filter_and_paginate() {
    let kb = full_kb();
    let app = app(&kb);
    let doc = openapi(&app).await;
    let ids = entity_ids(&app).await;
    let all = get_ok(&app, "/claims?limit=100").await;
    validate(&doc, &schema("ClaimPage"), &all, "$").unwrap();
    let all = all["items"].as_array().unwrap().clone();
    let claims: usize = kb.docs.iter().map(|d| d.facts.claims.len()).sum();
    assert_eq!(all.len(), claims);
    assert!(claims >= 2);
    let walked = walk(&app, "/claims?limit=1", 1).await;
    assert_eq!(walked, all);
    let nl = ids["Netherlands"];
    let by_subject = get_ok(&app, &format!("/claims?subject={nl}")).await;
    for c in by_subject["items"].as_array().unwrap() {
        assert!(c["links"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["role"] == "subject" && l["entity"] == nl));
    }
    let later = &kb
        .docs
        .iter()
        .rev()
        .find(|d| !d.facts.claims.is_empty())
        .unwrap()
        .document
        .id
        .0;
    let of_doc = get_ok(&app, &format!("/claims?doc={}", &later[..10])).await;
    assert_eq!(of_doc["items"].as_array().unwrap().len(), 1);
    assert_eq!(of_doc["items"][0]["doc"], *later);
    let none = get_ok(&app, "/claims?attribute=no%20such%20thing").await;
    assert!(none["items"].as_array().unwrap().is_empty());
    expect_error(
        &app,
        &doc,
        "/claims?subject=x",
        StatusCode::BAD_REQUEST,
        "bad_parameter",
    )
    .await;
}

#[tokio::test]
async fn paths_have_evidence_for_every_hop() {
    let kb = full_kb();
    let app = app(&kb);
    let doc = openapi(&app).await;
    let ids = entity_ids(&app).await;
    let (rutte, mayadin) = (ids["Mark Rutte"], ids["Mayadin"]);
    let r = get_ok(&app, &format!("/paths?source={rutte}&target={mayadin}&k=3")).await;
    validate(&doc, &schema("PathList"), &r, "$").unwrap();
    let paths = r["paths"].as_array().unwrap();
    assert!(!paths.is_empty() && paths.len() <= 3);
    let costs: Vec<f64> = paths.iter().map(|p| p["cost"].as_f64().unwrap()).collect();
    assert!(
        costs.windows(2).all(|w| w[0] <= w[1]),
        "cheapest first: {costs:?}"
    );
    for p in paths {
        let nodes = p["nodes"].as_array().unwrap();
        assert_eq!(nodes.first().unwrap()["id"], rutte);
        assert_eq!(nodes.last().unwrap()["id"], mayadin);
        let hops = p["hops"].as_array().unwrap();
        assert_eq!(hops.len() + 1, nodes.len());
        for (i, h) in hops.iter().enumerate() {
            assert_eq!(h["from"], nodes[i]["id"]);
            assert_eq!(h["to"], nodes[i + 1]["id"]);
            let ev = h["evidence"].as_array().unwrap();
            assert_eq!(ev.len(), 1, "one sentence per hop: {h}");
            assert_eq!(ev[0]["kind"], h["edge"]["kind"]);
            let ends = BTreeSet::from([
                ev[0]["src"].as_i64().unwrap(),
                ev[0]["dst"].as_i64().unwrap(),
            ]);
            assert_eq!(
                ends,
                BTreeSet::from([h["from"].as_i64().unwrap(), h["to"].as_i64().unwrap()])
            );
        }
    }
    // Not connected under a filter that leaves no edges: no paths, not an error.
    let r = get_ok(
        &app,
        &format!("/paths?source={rutte}&target={mayadin}&kinds=no_such_kind"),
    )
    .await;
    assert!(r["paths"].as_array().unwrap().is_empty());

    expect_error(
        &app,
        &doc,
        &format!("/paths?source={rutte}&target=99999"),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    for bad in [
        format!("source={rutte}"),
        format!("source={rutte}&target={mayadin}&k=11"),
        format!("source={rutte}&target={mayadin}&k=0"),
        format!("source=x&target={mayadin}"),
    ] {
        expect_error(
            &app,
            &doc,
            &format!("/paths?{bad}"),
            StatusCode::BAD_REQUEST,
            "bad_parameter",
        )
        .await;
    }
}

#[tokio::test]
async fn connect_ranks_shared_neighbours_with_evidence() {
    let kb = full_kb();
    let app = app(&kb);
    let doc = openapi(&app).await;
    let ids = entity_ids(&app).await;
    let (rutte, mayadin) = (ids["Mark Rutte"], ids["Mayadin"]);
    let r = get_ok(&app, &format!("/connect?ids={rutte},{mayadin}")).await;
    validate(&doc, &schema("Connection"), &r, "$").unwrap();
    let terminals: BTreeSet<i64> = r["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["terminal"] == true)
        .map(|n| n["node"]["id"].as_i64().unwrap())
        .collect();
    assert_eq!(terminals, BTreeSet::from([rutte, mayadin]));
    assert!(r["unreachable"].as_array().unwrap().is_empty());
    // Every link of every shared neighbour comes with its evidence sentences.
    let link_edges: BTreeSet<(i64, i64, String)> = r["shared"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|sh| sh["links"].as_array().unwrap().iter())
        .flat_map(|l| l["edges"].as_array().unwrap().iter())
        .map(|e| {
            (
                e["src"].as_i64().unwrap(),
                e["dst"].as_i64().unwrap(),
                e["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let with_evidence: BTreeSet<(i64, i64, String)> = r["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert!(!e["evidence"].as_array().unwrap().is_empty(), "{e}");
            (
                e["src"].as_i64().unwrap(),
                e["dst"].as_i64().unwrap(),
                e["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(with_evidence, link_edges);
    assert!(!r["edges"].as_array().unwrap().is_empty());
    for bad in ["ids=1", "ids=", "ids=1,x"] {
        expect_error(
            &app,
            &doc,
            &format!("/connect?{bad}"),
            StatusCode::BAD_REQUEST,
            "bad_parameter",
        )
        .await;
    }
    let many: Vec<String> = (1..=33).map(|i| i.to_string()).collect();
    expect_error(
        &app,
        &doc,
        &format!("/connect?ids={}", many.join(",")),
        StatusCode::BAD_REQUEST,
        "bad_parameter",
    )
    .await;
    expect_error(
        &app,
        &doc,
        &format!("/connect?ids={rutte},99999"),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn centrality_and_communities_rank_and_paginate() {
    let kb = full_kb();
    let app = app(&kb);
    let doc = openapi(&app).await;
    // The graph holds the entities with at least one edge.
    let entities = entity_ids(&app).await.len();
    let nodes = get_ok(&app, "/centrality").await["total"].as_u64().unwrap() as usize;
    assert!(nodes >= 5 && nodes <= entities, "{nodes} of {entities}");
    for measure in ["pagerank", "degree", "betweenness"] {
        let r = get_ok(&app, &format!("/centrality?measure={measure}&limit=100")).await;
        validate(&doc, &schema("CentralityPage"), &r, "$").unwrap();
        assert_eq!(r["measure"], measure);
        assert_eq!(r["exact"], true);
        assert_eq!(r["total"], nodes);
        let scores: Vec<f64> = r["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["score"].as_f64().unwrap())
            .collect();
        assert_eq!(scores.len(), nodes);
        assert!(r["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["node"]["degree"].as_u64().unwrap() >= 1));
        assert!(
            scores.windows(2).all(|w| w[0] >= w[1]),
            "{measure}: {scores:?}"
        );
        let walked = walk(&app, &format!("/centrality?measure={measure}&limit=4"), 4).await;
        assert_eq!(walked, *r["items"].as_array().unwrap());
    }
    // Degree follows the graph: Islamic State (in most documents) has the highest degree.
    let top = get_ok(&app, "/centrality?measure=degree&limit=1").await;
    assert_eq!(top["items"][0]["node"]["name"], "Islamic State");
    let people = get_ok(&app, "/centrality?type=Person").await;
    assert!(people["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["node"]["label"] == "Person"));
    assert_eq!(people["total"], 2);
    expect_error(
        &app,
        &doc,
        "/centrality?measure=fame",
        StatusCode::BAD_REQUEST,
        "bad_parameter",
    )
    .await;

    let c = get_ok(&app, "/communities?limit=100").await;
    validate(&doc, &schema("CommunityPage"), &c, "$").unwrap();
    let all = c["items"].as_array().unwrap().clone();
    assert_eq!(c["total"], all.len());
    let sizes: Vec<u64> = all.iter().map(|x| x["size"].as_u64().unwrap()).collect();
    assert_eq!(
        sizes.iter().sum::<u64>() as usize,
        nodes,
        "every node in one community"
    );
    assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "largest first");
    assert!(all.iter().all(|x| !x["label"].as_str().unwrap().is_empty()));
    assert_eq!(walk(&app, "/communities?limit=1", 1).await, all);
}

#[tokio::test]
async fn ego_network_exports() {
    let kb = full_kb();
    let app = app(&kb);
    let doc = openapi(&app).await;
    let ids = entity_ids(&app).await;
    let schoof = ids["Dick Schoof"];
    let j = get_ok(&app, &format!("/export/json?entity={schoof}&radius=1")).await;
    validate(&doc, &schema("GraphExport"), &j, "$").unwrap();
    let nodes: BTreeSet<i64> = j["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_i64().unwrap())
        .collect();
    assert!(nodes.contains(&schoof) && nodes.contains(&ids["Mark Rutte"]));
    for e in j["edges"].as_array().unwrap() {
        assert!(nodes.contains(&e["source"].as_i64().unwrap()));
        assert!(nodes.contains(&e["target"].as_i64().unwrap()));
    }
    let small = get_ok(
        &app,
        &format!("/export/json?entity={schoof}&radius=3&max_nodes=2"),
    )
    .await;
    assert_eq!(small["nodes"].as_array().unwrap().len(), 2);

    for (format, root, media) in [
        ("graphml", "<graphml", "application/graphml+xml"),
        ("gexf", "<gexf", "application/gexf+xml"),
    ] {
        let req = Request::get(format!("/export/{format}?entity={schoof}"))
            .body(Body::empty())
            .unwrap();
        let resp = app.clone().oneshot(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()[header::CONTENT_TYPE], media);
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8(body.to_vec()).unwrap();
        assert!(text.starts_with("<?xml") && text.contains(root), "{format}");
        assert!(text.contains("Mark Rutte"));
    }
    expect_error(
        &app,
        &doc,
        &format!("/export/dot?entity={schoof}"),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    expect_error(
        &app,
        &doc,
        "/export/json?entity=99999",
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    expect_error(
        &app,
        &doc,
        "/export/json",
        StatusCode::BAD_REQUEST,
        "bad_parameter",
    )
    .await;
    expect_error(
        &app,
        &doc,
        &format!("/export/json?entity={schoof}&radius=4"),
        StatusCode::BAD_REQUEST,
        "bad_parameter",
    )
    .await;
}

/// Event nodes over HTTP: the list filters and pages, the profile pages its
/// reports, and connect takes events as members (negated ids in the answer).
#[tokio::test]
async fn events_are_listed_profiled_and_connectable() {
    let kb = kb_with(dossier_store::conformance::event_reports());
    let app = app(&kb);
    let list = get_ok(&app, "/events?type=attack&limit=2").await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{list}");
    assert!(
        list["next"].as_str().unwrap().contains("offset=2"),
        "{list}"
    );
    assert_eq!(items[0]["name"], "bombing · Raqqa · 2025-03-14");
    let rest = get_ok(&app, "/events?type=attack&limit=2&offset=2").await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    let none = get_ok(&app, "/events?type=shooting").await;
    assert!(none["items"].as_array().unwrap().is_empty());
    let (status, body) = get(&app, "/events?type=picnic").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    let id = items[0]["id"].as_i64().unwrap();
    let one = get_ok(&app, &format!("/events/{id}?limit=1")).await;
    assert_eq!(one["node"]["mentions"], 2);
    assert_eq!(one["mentions"]["items"].as_array().unwrap().len(), 1);
    assert!(one["mentions"]["next"].is_string(), "{one}");
    let (status, body) = get(&app, "/events/99999").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

    // Raqqa's bombing and an entity it involves: the event is a graph node.
    let raqqa = one["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["role"] == "place")
        .map(|p| p["entity"]["id"].as_i64().unwrap())
        .unwrap();
    let is = one["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["role"] == "mentioned")
        .map(|p| p["entity"]["id"].as_i64().unwrap())
        .unwrap();
    let c = get_ok(&app, &format!("/connect?ids={raqqa},{is}&events={id}")).await;
    let nodes = c["nodes"].as_array().unwrap();
    assert!(
        nodes.iter().any(|n| n["node"]["id"] == -id
            && n["node"]["kind"] == "event"
            && n["terminal"] == true),
        "{c}"
    );
    let (status, body) = get(&app, &format!("/connect?events={id}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}
