//! Routes over the entity graph: profile, neighbours and claims answered by
//! the store; paths, connect, centrality, communities and export answered by
//! the in-memory graph ([`crate::graph`]) with evidence sentences from the store.

use crate::api::PageOf;
use crate::error::{ApiError, ErrorCode};
use crate::params::{parse_id, In, Kind, Param, Params, ENTITY_TYPE, LIMIT, OFFSET};
use crate::routes::{ApiResult, Route, FROM, JSON, TO};
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Json;
use dossier_graph::export::{self, MAX_RADIUS};
use dossier_graph::{EdgeFilter, Graph, GraphError, KindId, NodeRef, PathOptions};
use dossier_store::{
    Alias, ClaimFilter, DocSummary, EntitySummary, Evidence, Page, StoreError, StoredClaim,
    StoredEvent, StoredQuote, StoredRelation, StoredRole,
};
use serde::Serialize;

const ENTITY_ID: Param = Param {
    name: "id",
    location: In::Path,
    required: true,
    kind: Kind::Id,
    description: "Entity id (as listed by /entities).",
    example: "",
};

const KINDS: Param = Param {
    name: "kinds",
    location: In::Query,
    required: false,
    kind: Kind::Kinds,
    description: "Only edges of these kinds, comma-separated: comention, role, quote, \
                  relation:<Type>, event:<Type>; a name without ':' matches every kind it \
                  prefixes (relation = all relations). Default: all.",
    example: "comention,relation",
};

const MIN_EVIDENCE: Param = Param {
    name: "min_evidence",
    location: In::Query,
    required: false,
    kind: Kind::Int {
        min: 0,
        max: 1_000_000,
        default: 0,
    },
    description: "Only edges with at least this many evidence sentences.",
    example: "1",
};

const EVIDENCE: Param = Param {
    name: "evidence",
    location: In::Query,
    required: false,
    kind: Kind::Int {
        min: 0,
        max: 5,
        default: 1,
    },
    description: "Evidence sentences listed per edge (newest document first).",
    example: "1",
};

const EDGE_FROM: Param = Param {
    description: "Only edges last seen on or after this date (YYYY, YYYY-MM or YYYY-MM-DD).",
    ..FROM
};

const EDGE_TO: Param = Param {
    description: "Only edges first seen on or before this date (inclusive: 2017 includes all \
                  of 2017).",
    ..TO
};

const NEIGHBOUR_TYPE: Param = Param {
    description: "Only neighbours of this entity type.",
    ..ENTITY_TYPE
};

const fn entity_param(
    name: &'static str,
    description: &'static str,
    example: &'static str,
) -> Param {
    Param {
        name,
        location: In::Query,
        required: true,
        kind: Kind::Id,
        description,
        example,
    }
}

const SOURCE_ID: Param = entity_param("source", "Entity id where paths start.", "1");
const TARGET_ID: Param = entity_param("target", "Entity id where paths end.", "3");
const EGO_ID: Param = entity_param(
    "entity",
    "Entity id at the centre of the exported network.",
    "1",
);

const K: Param = Param {
    name: "k",
    location: In::Query,
    required: false,
    kind: Kind::Int {
        min: 1,
        max: MAX_K,
        default: 3,
    },
    description: "How many paths: the k cheapest loopless paths, strongest evidence first.",
    example: "3",
};

const IDS: Param = Param {
    name: "ids",
    location: In::Query,
    required: false,
    kind: Kind::IdList {
        min: 0,
        max: MAX_MEMBERS,
    },
    description: "Comma-separated entity ids to connect; with `events`, 2 to 32 members in all.",
    example: "1,3",
};

const EVENT_IDS: Param = Param {
    name: "events",
    location: In::Query,
    required: false,
    kind: Kind::IdList {
        min: 0,
        max: MAX_MEMBERS,
    },
    description: "Comma-separated event ids (as listed by /events) to connect, alone or with                   entities: \"what connects these attacks?\". In the answer an event node's id                   is the negated event id.",
    example: "",
};

const EVENT_ID: Param = Param {
    name: "id",
    location: In::Path,
    required: true,
    kind: Kind::Id,
    description: "Event id (as listed by /events).",
    example: "",
};

const EVENT_TYPES: Param = Param {
    name: "type",
    location: In::Query,
    required: false,
    kind: Kind::Text { max_chars: 200 },
    description: "Comma-separated event types; attack also matches bombings, shootings and \
                  killings. Default: all.",
    example: "attack",
};

const EVENT_FROM: Param = Param {
    description: "Only events dated on or after this date (YYYY, YYYY-MM or YYYY-MM-DD).",
    ..FROM
};

const EVENT_TO: Param = Param {
    description: "Only events dated on or before this date (inclusive: 2025 includes all of \
                  2025).",
    ..TO
};

const PLACES: Param = Param {
    name: "place",
    location: In::Query,
    required: false,
    kind: Kind::IdList {
        min: 0,
        max: MAX_MEMBERS,
    },
    description: "Only events at one of these place entities (comma-separated ids).",
    example: "",
};

const PARTICIPANT: Param = Param {
    name: "participant",
    location: In::Query,
    required: false,
    kind: Kind::Id,
    description: "Only events this entity takes part in (any role).",
    example: "",
};

const SHARED: Param = Param {
    name: "shared",
    location: In::Query,
    required: false,
    kind: Kind::Int {
        min: 1,
        max: 100,
        default: 20,
    },
    description: "Most shared neighbours returned (most surprising first).",
    example: "5",
};

const MEASURE: Param = Param {
    name: "measure",
    location: In::Query,
    required: false,
    kind: Kind::Choice(&["pagerank", "degree", "betweenness"]),
    description: "Centrality measure. Betweenness is exact up to 2,000 entities, sampled from \
                  256 sources above.",
    example: "degree",
};

const SUBJECT: Param = Param {
    name: "subject",
    location: In::Query,
    required: false,
    kind: Kind::Id,
    description: "Only claims whose subject is this entity.",
    example: "1",
};

const ATTRIBUTE: Param = Param {
    name: "attribute",
    location: In::Query,
    required: false,
    kind: Kind::Text { max_chars: 200 },
    description: "Only claims with exactly this attribute (case-insensitive).",
    example: "foreign fighters",
};

const DOC: Param = Param {
    name: "doc",
    location: In::Query,
    required: false,
    kind: Kind::Text { max_chars: 64 },
    description: "Only claims of this document (id or unique prefix).",
    example: "",
};

const FORMAT: Param = Param {
    name: "format",
    location: In::Path,
    required: true,
    kind: Kind::Choice(&["json", "graphml", "gexf"]),
    description: "json (for the UI), graphml or gexf (Gephi).",
    example: "",
};

const RADIUS: Param = Param {
    name: "radius",
    location: In::Query,
    required: false,
    kind: Kind::Int {
        min: 1,
        max: MAX_RADIUS as usize,
        default: 1,
    },
    description: "Hops from the centre.",
    example: "2",
};

const MAX_NODES: Param = Param {
    name: "max_nodes",
    location: In::Query,
    required: false,
    kind: Kind::Int {
        min: 1,
        max: 5_000,
        default: 500,
    },
    description: "Most nodes exported (strongest links first).",
    example: "50",
};

const ENTITY_PARAMS: &[Param] = &[ENTITY_ID, LIMIT, OFFSET];
const NEIGHBOURS_PARAMS: &[Param] = &[
    ENTITY_ID,
    KINDS,
    NEIGHBOUR_TYPE,
    EDGE_FROM,
    EDGE_TO,
    MIN_EVIDENCE,
    EVIDENCE,
    LIMIT,
    OFFSET,
];
const CLAIMS_PARAMS: &[Param] = &[SUBJECT, ATTRIBUTE, DOC, LIMIT, OFFSET];
const CLAIM_CONFLICT_PARAMS: &[Param] = &[SUBJECT, ATTRIBUTE, DOC];
const PATHS_PARAMS: &[Param] = &[SOURCE_ID, TARGET_ID, K, KINDS, MIN_EVIDENCE, EVIDENCE];
const CONNECT_PARAMS: &[Param] = &[IDS, EVENT_IDS, KINDS, MIN_EVIDENCE, SHARED, EVIDENCE];
const EVENTS_PARAMS: &[Param] = &[
    EVENT_TYPES,
    EVENT_FROM,
    EVENT_TO,
    PLACES,
    PARTICIPANT,
    LIMIT,
    OFFSET,
];
const EVENT_PARAMS: &[Param] = &[EVENT_ID, LIMIT, OFFSET];
const CENTRALITY_PARAMS: &[Param] = &[MEASURE, ENTITY_TYPE, LIMIT, OFFSET];
const COMMUNITIES_PARAMS: &[Param] = &[LIMIT, OFFSET];
const EXPORT_PARAMS: &[Param] = &[FORMAT, EGO_ID, RADIUS, MAX_NODES, KINDS, MIN_EVIDENCE];

/// The graph crate's own bounds (its constants are not exported): k of
/// k-shortest paths and members of a connect query.
const MAX_K: usize = 10;
const MAX_MEMBERS: usize = 32;

/// Bounds the work of one path search (nodes settled), so a hostile query
/// on a huge graph ends; far above what real paths need.
const MAX_SETTLED: usize = 2_000_000;

const NOT_FOUND_ERRORS: &[ErrorCode] = &[ErrorCode::BadParameter, ErrorCode::NotFound];

pub const ENTITY: Route = Route {
    path: "/entities/{id}",
    method: "get",
    operation_id: "getEntity",
    tag: "entities",
    summary: "Entity profile: names and aliases, type, counts, first/last seen, documents \
              (paginated), roles, quotes by and about, relations, events, claims.",
    description: "`limit`/`offset` page the documents; each fact list holds at most 100 items.",
    params: ENTITY_PARAMS,
    response: "EntityProfile",
    media: JSON,
    errors: NOT_FOUND_ERRORS,
    public: false,
    handler: || get(entity),
};

pub const EVENTS: Route = Route {
    path: "/events",
    method: "get",
    operation_id: "listEvents",
    tag: "events",
    summary: "Events resolved across documents (one node per real-world event), most \
              reported first, filtered by type, date, place or participant.",
    description: "Reports of one event join one node (compatible type, place and date ±1 day, \
                  a shared place, day or participant); different events never share one.",
    params: EVENTS_PARAMS,
    response: "EventPage",
    media: JSON,
    errors: &[ErrorCode::BadParameter],
    public: false,
    handler: || get(events),
};

pub const EVENT: Route = Route {
    path: "/events/{id}",
    method: "get",
    operation_id: "getEvent",
    tag: "events",
    summary: "Event profile: type, date, place, participants with their roles and evidence \
              counts, and its reports (paginated), each with its sentence and why it joined.",
    description: "`limit`/`offset` page the reports (mentions).",
    params: EVENT_PARAMS,
    response: "EventProfile",
    media: JSON,
    errors: NOT_FOUND_ERRORS,
    public: false,
    handler: || get(event),
};

pub const NEIGHBOURS: Route = Route {
    path: "/entities/{id}/neighbours",
    method: "get",
    operation_id: "getNeighbours",
    tag: "graph",
    summary: "Edges from an entity to its neighbours, most evidence first, each with evidence \
              sentences.",
    description: "",
    params: NEIGHBOURS_PARAMS,
    response: "NeighbourPage",
    media: JSON,
    errors: NOT_FOUND_ERRORS,
    public: false,
    handler: || get(neighbours),
};

pub const CLAIMS: Route = Route {
    path: "/claims",
    method: "get",
    operation_id: "listClaims",
    tag: "graph",
    summary: "Claims (subject, attribute, value, source), newest document first.",
    description: "",
    params: CLAIMS_PARAMS,
    response: "ClaimPage",
    media: JSON,
    errors: NOT_FOUND_ERRORS,
    public: false,
    handler: || get(claims),
};

pub const CLAIM_CONFLICTS: Route = Route {
    path: "/claims/conflicts",
    method: "get",
    operation_id: "claimConflicts",
    tag: "graph",
    summary: "Contradictions: claims about the same subject and attribute whose values cannot \
              both be true, from different documents or sources, each side with its value, \
              qualifier, source, document and sentence.",
    description: "`disputes` gathers the conflicting pairs by subject and attribute (every \
                  claim once, `pairs` indexing them); `conflicts` lists the pairs.",
    params: CLAIM_CONFLICT_PARAMS,
    response: "ClaimConflicts",
    media: JSON,
    errors: NOT_FOUND_ERRORS,
    public: false,
    handler: || get(claim_conflicts),
};

pub const PATHS: Route = Route {
    path: "/paths",
    method: "get",
    operation_id: "paths",
    tag: "graph",
    summary: "The k strongest paths between two entities, with the evidence sentence of every \
              hop.",
    description: "Hop cost is 1 / evidence strength, so paths over well-attested links come \
                  first. `k` bounds the list (at most 10).",
    params: PATHS_PARAMS,
    response: "PathList",
    media: JSON,
    errors: NOT_FOUND_ERRORS,
    public: false,
    handler: || get(paths),
};

pub const CONNECT: Route = Route {
    path: "/connect",
    method: "get",
    operation_id: "connect",
    tag: "graph",
    summary: "What connects a set of entities: shared neighbours ranked by surprise (hubs \
              rank low) and a connecting subgraph, with evidence per edge.",
    description: "`shared` bounds the shared-neighbour list; the subgraph is as small as the \
                  connection allows.",
    params: CONNECT_PARAMS,
    response: "Connection",
    media: JSON,
    errors: NOT_FOUND_ERRORS,
    public: false,
    handler: || get(connect),
};

pub const CENTRALITY: Route = Route {
    path: "/centrality",
    method: "get",
    operation_id: "centrality",
    tag: "graph",
    summary: "Entities ranked by degree, betweenness or PageRank.",
    description: "",
    params: CENTRALITY_PARAMS,
    response: "CentralityPage",
    media: JSON,
    errors: &[ErrorCode::BadParameter],
    public: false,
    handler: || get(centrality),
};

pub const COMMUNITIES: Route = Route {
    path: "/communities",
    method: "get",
    operation_id: "communities",
    tag: "graph",
    summary: "Louvain communities, largest first, each labelled by its top members.",
    description: "",
    params: COMMUNITIES_PARAMS,
    response: "CommunityPage",
    media: JSON,
    errors: &[ErrorCode::BadParameter],
    public: false,
    handler: || get(communities),
};

pub const EXPORT: Route = Route {
    path: "/export/{format}",
    method: "get",
    operation_id: "exportEgo",
    tag: "graph",
    summary: "An entity's ego network as JSON (for the UI), GraphML or GEXF (Gephi), with \
              PageRank per node.",
    description: "",
    params: EXPORT_PARAMS,
    response: "GraphExport",
    media: &[
        "application/json",
        "application/graphml+xml",
        "application/gexf+xml",
    ],
    errors: NOT_FOUND_ERRORS,
    public: false,
    handler: || get(export_ego),
};

fn entity_id(raw: &str) -> ApiResult<i64> {
    parse_id(raw).ok_or_else(|| {
        ApiError::bad_parameter(format!("entity id {raw:?} must be a positive integer"))
    })
}

/// A graph query failure as the store-side error the pool expects.
fn graph_err(e: GraphError) -> StoreError {
    match e {
        GraphError::UnknownNode(id) => StoreError::NoSuchEntity(id),
        GraphError::Invalid(m) => StoreError::Invalid(m),
        other => StoreError::Backend(other.to_string()),
    }
}

/// The graph's edge filter for `kinds` (exact names, or a prefix before ':')
/// and a minimum number of evidence sentences.
fn edge_filter(g: &Graph, kinds: &[String], min_evidence: usize) -> EdgeFilter {
    let mut f = EdgeFilter {
        min_sentences: u32::try_from(min_evidence).unwrap_or(u32::MAX),
        ..EdgeFilter::default()
    };
    if !kinds.is_empty() {
        f.kinds = Some(
            (0..g.kind_count())
                .filter_map(|i| u16::try_from(i).ok().map(KindId))
                .filter(|k| {
                    let name = g.kind_name(*k);
                    kinds.iter().any(|w| {
                        name == w
                            || (!w.contains(':') && name.split(':').next() == Some(w.as_str()))
                    })
                })
                .collect(),
        );
    }
    f
}

#[derive(Serialize)]
struct EntityOut {
    entity: EntitySummary,
    aliases: Vec<Alias>,
    documents: PageOf<DocSummary>,
    first_seen: Option<String>,
    last_seen: Option<String>,
    roles: Vec<StoredRole>,
    quotes_by: Vec<StoredQuote>,
    quotes_about: Vec<StoredQuote>,
    relations: Vec<StoredRelation>,
    events: Vec<StoredEvent>,
    claims: Vec<StoredClaim>,
}

async fn entity(
    State(st): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<EntityOut>> {
    let p = Params::parse(raw.as_deref(), ENTITY_PARAMS)?;
    let (limit, offset) = p.page()?;
    let id = entity_id(&id)?;
    let prof = st
        .pool
        .run(move |s| {
            s.entity(
                id,
                Page {
                    limit: limit + 1,
                    offset,
                },
            )
        })
        .await?;
    let path = format!("/entities/{id}");
    Ok(Json(EntityOut {
        entity: prof.summary,
        aliases: prof.aliases,
        documents: PageOf::probe(prof.documents, &p, &path, limit, offset),
        first_seen: prof.first_seen,
        last_seen: prof.last_seen,
        roles: prof.roles,
        quotes_by: prof.quotes_by,
        quotes_about: prof.quotes_about,
        relations: prof.relations,
        events: prof.events,
        claims: prof.claims,
    }))
}

#[derive(Serialize)]
struct NeighbourOut {
    #[serde(flatten)]
    neighbour: dossier_store::Neighbour,
    evidence: Vec<Evidence>,
}

async fn neighbours(
    State(st): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<PageOf<NeighbourOut>>> {
    let p = Params::parse(raw.as_deref(), NEIGHBOURS_PARAMS)?;
    let (limit, offset) = p.page()?;
    let id = entity_id(&id)?;
    let filter = dossier_store::EdgeFilter {
        kinds: p.kinds("kinds")?,
        label: p.entity_type("type")?,
        from: p.date("from")?,
        to: p.date("to")?,
        min_evidence: p.int("min_evidence")?,
    };
    let per_edge = p.int("evidence")?;
    let rows = st
        .pool
        .run(move |s| {
            s.entity_summary(id)?.ok_or(StoreError::NoSuchEntity(id))?;
            let found = s.neighbours(
                id,
                &filter,
                Page {
                    limit: limit + 1,
                    offset,
                },
            )?;
            found
                .into_iter()
                .map(|n| {
                    let evidence = if per_edge == 0 {
                        Vec::new()
                    } else {
                        s.evidence(id, n.entity.id, Some(&n.kind), per_edge)?
                    };
                    Ok(NeighbourOut {
                        neighbour: n,
                        evidence,
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()
        })
        .await?;
    let path = format!("/entities/{id}/neighbours");
    Ok(Json(PageOf::probe(rows, &p, &path, limit, offset)))
}

async fn claims(
    State(st): State<AppState>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<PageOf<StoredClaim>>> {
    let p = Params::parse(raw.as_deref(), CLAIMS_PARAMS)?;
    let (limit, offset) = p.page()?;
    let filter = ClaimFilter {
        subject: p.id("subject")?,
        attribute: p.text("attribute")?,
        doc: p.text("doc")?,
        page: Page {
            limit: limit + 1,
            offset,
        },
    };
    let rows = st.pool.run(move |s| s.claims(&filter)).await?;
    Ok(Json(PageOf::probe(rows, &p, "/claims", limit, offset)))
}

async fn events(
    State(st): State<AppState>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<PageOf<dossier_store::EventNode>>> {
    let p = Params::parse(raw.as_deref(), EVENTS_PARAMS)?;
    let (limit, offset) = p.page()?;
    let types: Vec<String> = p
        .text("type")?
        .map(|t| {
            t.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let filter = dossier_store::EventFilter {
        types,
        from: p.date("from")?,
        to: p.date("to")?,
        places: p.ids("place")?,
        participant: p.id("participant")?,
        page: Page {
            limit: limit + 1,
            offset,
        },
    };
    let rows = st.pool.run(move |s| s.events(&filter)).await?;
    Ok(Json(PageOf::probe(rows, &p, "/events", limit, offset)))
}

#[derive(Serialize)]
struct EventOut {
    node: dossier_store::EventNode,
    participants: Vec<dossier_store::EventParticipant>,
    mentions: PageOf<dossier_store::EventMention>,
}

async fn event(
    State(st): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<EventOut>> {
    let p = Params::parse(raw.as_deref(), EVENT_PARAMS)?;
    let (limit, offset) = p.page()?;
    let id = parse_id(&id)
        .ok_or_else(|| ApiError::bad_parameter(format!("{id:?} is not an event id")))?;
    let prof = st
        .pool
        .run(move |s| {
            s.event(
                id,
                Page {
                    limit: limit + 1,
                    offset,
                },
            )
        })
        .await?;
    let path = format!("/events/{id}");
    Ok(Json(EventOut {
        node: prof.node,
        participants: prof.participants,
        mentions: PageOf::probe(prof.mentions, &p, &path, limit, offset),
    }))
}

#[derive(Serialize)]
struct ClaimConflicts {
    disputes: Vec<dossier::analysis::ClaimDispute>,
    conflicts: Vec<dossier::analysis::ClaimConflict>,
}

async fn claim_conflicts(
    State(st): State<AppState>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<ClaimConflicts>> {
    let p = Params::parse(raw.as_deref(), CLAIM_CONFLICT_PARAMS)?;
    let filter = ClaimFilter {
        subject: p.id("subject")?,
        attribute: p.text("attribute")?,
        doc: p.text("doc")?,
        page: Page::default(),
    };
    let conflicts = st
        .pool
        .run(move |s| dossier::analysis::claim_conflicts(s, &filter).map_err(analysis_err))
        .await?;
    Ok(Json(ClaimConflicts {
        disputes: dossier::analysis::claim_disputes(&conflicts),
        conflicts,
    }))
}

#[derive(Serialize)]
struct PathList {
    source: i64,
    target: i64,
    paths: Vec<dossier::analysis::EvidencedPath>,
}

/// An analysis failure as the store-side error the pool expects.
fn analysis_err(e: dossier::analysis::AnalysisError) -> StoreError {
    use dossier::analysis::AnalysisError as A;
    match e {
        A::Store(e) => e,
        A::Graph(e) => graph_err(e),
        other => StoreError::Invalid(other.to_string()),
    }
}

async fn paths(State(st): State<AppState>, RawQuery(raw): RawQuery) -> ApiResult<Json<PathList>> {
    let p = Params::parse(raw.as_deref(), PATHS_PARAMS)?;
    let missing = || ApiError::bad_parameter("source and target are required");
    let (source, target) = (
        p.id("source")?.ok_or_else(missing)?,
        p.id("target")?.ok_or_else(missing)?,
    );
    let (k, kinds, min_ev, per_hop) = (
        p.int("k")?,
        p.kinds("kinds")?,
        p.int("min_evidence")?,
        p.int("evidence")?,
    );
    let snap = st.graph.get(&st.pool).await?;
    let found = st
        .pool
        .run(move |s| {
            let opts = PathOptions {
                filter: edge_filter(&snap.graph, &kinds, min_ev),
                max_settled: MAX_SETTLED,
                ..PathOptions::default()
            };
            dossier::analysis::paths(s, &snap.graph, source, target, k, &opts, per_hop)
                .map_err(analysis_err)
        })
        .await?;
    Ok(Json(PathList {
        source,
        target,
        paths: found,
    }))
}

async fn connect(
    State(st): State<AppState>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<dossier::analysis::ConnectAnswer>> {
    let p = Params::parse(raw.as_deref(), CONNECT_PARAMS)?;
    let mut ids = p.ids("ids")?;
    ids.extend(
        p.ids("events")?
            .into_iter()
            .map(dossier::analysis::event_node_id),
    );
    if !(2..=MAX_MEMBERS).contains(&ids.len()) {
        return Err(ApiError::bad_parameter(format!(
            "connect takes 2 to {MAX_MEMBERS} members (ids and events), not {}",
            ids.len()
        )));
    }
    let (kinds, min_ev, shared, per_edge) = (
        p.kinds("kinds")?,
        p.int("min_evidence")?,
        p.int("shared")?,
        p.int("evidence")?,
    );
    let snap = st.graph.get(&st.pool).await?;
    let out = st
        .pool
        .run(move |s| {
            let opts = dossier_graph::ConnectOptions {
                filter: edge_filter(&snap.graph, &kinds, min_ev),
                max_shared: shared,
                max_settled: MAX_SETTLED,
                ..dossier_graph::ConnectOptions::default()
            };
            // Evidence for the links of every shared neighbour returned.
            dossier::analysis::connect(s, &snap.graph, &ids, &opts, shared, per_edge)
                .map_err(analysis_err)
        })
        .await?;
    Ok(Json(out))
}

#[derive(Serialize)]
struct Ranked {
    node: NodeRef,
    score: f64,
}

#[derive(Serialize)]
struct CentralityPage {
    measure: &'static str,
    /// False when betweenness was estimated from sampled sources.
    exact: bool,
    total: usize,
    #[serde(flatten)]
    page: PageOf<Ranked>,
}

async fn centrality(
    State(st): State<AppState>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<CentralityPage>> {
    let p = Params::parse(raw.as_deref(), CENTRALITY_PARAMS)?;
    let (limit, offset) = p.page()?;
    let measure = p.choice("measure")?;
    let label = p.entity_type("type")?.map(|l| l.as_str());
    let snap = st.graph.get(&st.pool).await?;
    // CPU work: off the async threads.
    let (ranked, exact, total) = tokio::task::spawn_blocking(move || {
        let g = &snap.graph;
        let (scores, exact) = match measure {
            "degree" => (snap.degree(), true),
            "betweenness" => snap.betweenness(),
            _ => (snap.pagerank(), true),
        };
        let mut order: Vec<u32> = (0..g.node_count())
            .filter_map(|v| u32::try_from(v).ok())
            .filter(|&v| label.is_none_or(|l| g.label(v) == l))
            .collect();
        let score = |v: u32| scores.get(v as usize).copied().unwrap_or(0.0);
        order.sort_by(|&a, &b| {
            score(b)
                .total_cmp(&score(a))
                .then(g.id_of(a).cmp(&g.id_of(b)))
        });
        let total = order.len();
        let ranked: Vec<Ranked> = order
            .into_iter()
            .skip(offset)
            .take(limit + 1)
            .map(|v| Ranked {
                node: g.node_ref(v),
                score: score(v),
            })
            .collect();
        (ranked, exact, total)
    })
    .await
    .map_err(|e| ApiError::internal(format!("centrality failed: {e}")))?;
    Ok(Json(CentralityPage {
        measure,
        exact,
        total,
        page: PageOf::probe(ranked, &p, "/centrality", limit, offset),
    }))
}

#[derive(Serialize)]
struct CommunityPage {
    total: usize,
    #[serde(flatten)]
    page: PageOf<dossier_graph::community::CommunitySummary>,
}

async fn communities(
    State(st): State<AppState>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<CommunityPage>> {
    let p = Params::parse(raw.as_deref(), COMMUNITIES_PARAMS)?;
    let (limit, offset) = p.page()?;
    let snap = st.graph.get(&st.pool).await?;
    let (items, total) = tokio::task::spawn_blocking(move || {
        let all = snap.communities();
        let items: Vec<_> = all.iter().skip(offset).take(limit + 1).cloned().collect();
        (items, all.len())
    })
    .await
    .map_err(|e| ApiError::internal(format!("communities failed: {e}")))?;
    Ok(Json(CommunityPage {
        total,
        page: PageOf::probe(items, &p, "/communities", limit, offset),
    }))
}

async fn export_ego(
    State(st): State<AppState>,
    Path(format): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let p = Params::parse(raw.as_deref(), EXPORT_PARAMS)?;
    let format: &'static str = match format.to_ascii_lowercase().as_str() {
        "json" => "json",
        "graphml" => "graphml",
        "gexf" => "gexf",
        _ => {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                format!("no export format {format:?}: use json, graphml or gexf"),
            ))
        }
    };
    let center = p
        .id("entity")?
        .ok_or_else(|| ApiError::bad_parameter("entity is required"))?;
    let radius = u32::try_from(p.int("radius")?).unwrap_or(1);
    let (max_nodes, kinds, min_ev) = (
        p.int("max_nodes")?,
        p.kinds("kinds")?,
        p.int("min_evidence")?,
    );
    let snap = st.graph.get(&st.pool).await?;
    let (bytes, content_type) = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
        let g = &snap.graph;
        let filter = edge_filter(g, &kinds, min_ev);
        let sub = g
            .ego(center, radius, &filter, max_nodes)
            .map_err(|e| ApiError::from(graph_err(e)))?
            .with_attr("pagerank", snap.pagerank());
        let mut out = Vec::new();
        let written = match format {
            "graphml" => export::to_graphml(g, &sub, &mut out).map(|_| "application/graphml+xml"),
            "gexf" => export::to_gexf(g, &sub, &mut out).map(|_| "application/gexf+xml"),
            _ => serde_json::to_writer(&mut out, &export::to_json(g, &sub))
                .map(|_| "application/json")
                .map_err(std::io::Error::other),
        };
        let content_type =
            written.map_err(|e| ApiError::internal(format!("export failed: {e}")))?;
        Ok((out, content_type))
    })
    .await
    .map_err(|e| ApiError::internal(format!("export failed: {e}")))??;
    Ok(([(header::CONTENT_TYPE, content_type)], bytes).into_response())
}
