//! The route table: every route the server answers, with what the OpenAPI
//! document says about it. The router and `/openapi.json` are both built from
//! [`ROUTES`], so a route cannot be served undocumented or documented unserved.
//! A new route is one more [`Route`] constant in [`ROUTES`] and its handler.

use crate::api::{DocumentDetail, Health, PageOf, SearchPage, StatsOut};
use crate::error::{ApiError, ErrorCode};
use crate::params::{
    date_ceiling, date_floor, In, Kind, Param, Params, ENTITY_TYPE, LIMIT, OFFSET,
};
use crate::{graph_routes, AppState};
use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::Json;
use dossier_core::{Query, SearchFilters, SearchRequest};
use dossier_store::Page;

/// One route: its path (axum and OpenAPI share the `{name}` syntax), its
/// documentation and its handler.
pub struct Route {
    pub path: &'static str,
    /// Lower-case HTTP method, as OpenAPI spells it.
    pub method: &'static str,
    pub operation_id: &'static str,
    pub tag: &'static str,
    pub summary: &'static str,
    pub description: &'static str,
    pub params: &'static [Param],
    /// Name of the response schema in the document's `components.schemas`
    /// (of the `application/json` answer).
    pub response: &'static str,
    /// Media types answered; anything but JSON is documented as a string.
    pub media: &'static [&'static str],
    /// Errors this route can answer besides `unauthorized` and `internal`.
    pub errors: &'static [ErrorCode],
    /// Answered without a bearer token even when the server has one.
    pub public: bool,
    pub handler: fn() -> MethodRouter<AppState>,
}

/// Every route, in documentation order.
pub const ROUTES: &[Route] = &[
    HEALTH,
    OPENAPI,
    STATS,
    DOCUMENTS,
    DOCUMENT,
    ENTITIES,
    SEARCH,
    graph_routes::ENTITY,
    graph_routes::NEIGHBOURS,
    graph_routes::CLAIMS,
    graph_routes::CLAIM_CONFLICTS,
    graph_routes::PATHS,
    graph_routes::CONNECT,
    graph_routes::EVENTS,
    graph_routes::EVENT,
    graph_routes::CENTRALITY,
    graph_routes::COMMUNITIES,
    graph_routes::EXPORT,
];

pub const JSON: &[&str] = &["application/json"];

/// Longest search query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;
/// Most parentheses in one query: nesting depth bounds the parser's recursion.
pub const MAX_QUERY_PARENS: usize = 64;

const ID: Param = Param {
    name: "id",
    location: In::Path,
    required: true,
    kind: Kind::Text { max_chars: 64 },
    description: "Document id (32 hex digits) or a unique prefix of at least 4.",
    example: "",
};

const Q: Param = Param {
    name: "q",
    location: In::Query,
    required: true,
    kind: Kind::Text {
        max_chars: MAX_QUERY_CHARS,
    },
    description: "The query: words (all must match), \"exact phrase\", OR, NOT or -word, \
                  prefix*, (parentheses). Matching ignores case and accents.",
    example: "raqqa OR mosul",
};

const SOURCE: Param = Param {
    name: "source",
    location: In::Query,
    required: false,
    kind: Kind::Text { max_chars: 500 },
    description:
        "Only documents whose source, outlet or URL contains this text (case-insensitive).",
    example: "news",
};

pub(crate) const FROM: Param = Param {
    name: "from",
    location: In::Query,
    required: false,
    kind: Kind::Date,
    description: "Only documents published on or after this date (YYYY, YYYY-MM or YYYY-MM-DD); \
                  undated documents are left out.",
    example: "2017",
};

pub(crate) const TO: Param = Param {
    name: "to",
    location: In::Query,
    required: false,
    kind: Kind::Date,
    description: "Only documents published on or before this date (inclusive: 2017 includes all \
                  of 2017); undated documents are left out.",
    example: "2017-12",
};

pub(crate) const ENTITY: Param = Param {
    name: "entity",
    location: In::Query,
    required: false,
    kind: Kind::Text { max_chars: 500 },
    description: "Only documents mentioning an entity by this name or one of its mention texts \
                  (case-insensitive).",
    example: "Raqqa",
};

const SEARCH_TYPE: Param = Param {
    description: "Only documents mentioning an entity of this type.",
    ..ENTITY_TYPE
};

const HEALTH_PARAMS: &[Param] = &[];
const OPENAPI_PARAMS: &[Param] = &[];
const STATS_PARAMS: &[Param] = &[];
const DOCUMENTS_PARAMS: &[Param] = &[LIMIT, OFFSET];
const DOCUMENT_PARAMS: &[Param] = &[ID];
const ENTITIES_PARAMS: &[Param] = &[ENTITY_TYPE, LIMIT, OFFSET];
const SEARCH_PARAMS: &[Param] = &[Q, SOURCE, FROM, TO, ENTITY, SEARCH_TYPE, LIMIT, OFFSET];

pub const HEALTH: Route = Route {
    path: "/health",
    method: "get",
    operation_id: "health",
    tag: "meta",
    summary: "Liveness check.",
    description: "Answers without touching the knowledge base, and without a token.",
    params: HEALTH_PARAMS,
    response: "Health",
    media: JSON,
    errors: &[ErrorCode::BadParameter],
    public: true,
    handler: || get(health),
};

pub const OPENAPI: Route = Route {
    path: "/openapi.json",
    method: "get",
    operation_id: "openapi",
    tag: "meta",
    summary: "This API's OpenAPI 3 document.",
    description: "",
    params: OPENAPI_PARAMS,
    response: "OpenApiDocument",
    media: JSON,
    errors: &[ErrorCode::BadParameter],
    public: false,
    handler: || get(openapi),
};

pub const STATS: Route = Route {
    path: "/stats",
    method: "get",
    operation_id: "stats",
    tag: "knowledge base",
    summary: "Counts of documents, characters, mentions, entities; by format, language and type.",
    description: "",
    params: STATS_PARAMS,
    response: "Stats",
    media: JSON,
    errors: &[ErrorCode::BadParameter],
    public: false,
    handler: || get(stats),
};

pub const DOCUMENTS: Route = Route {
    path: "/documents",
    method: "get",
    operation_id: "listDocuments",
    tag: "documents",
    summary: "Documents, newest publication date first (undated last).",
    description: "",
    params: DOCUMENTS_PARAMS,
    response: "DocumentPage",
    media: JSON,
    errors: &[ErrorCode::BadParameter],
    public: false,
    handler: || get(documents),
};

pub const DOCUMENT: Route = Route {
    path: "/documents/{id}",
    method: "get",
    operation_id: "getDocument",
    tag: "documents",
    summary: "One document with its text, its entity mentions marked by code point span, \
              its entities, sentences, near-duplicates and attachments.",
    description: "All offsets are Unicode code point offsets into `text`, end exclusive.",
    params: DOCUMENT_PARAMS,
    response: "DocumentDetail",
    media: JSON,
    errors: &[
        ErrorCode::BadParameter,
        ErrorCode::AmbiguousId,
        ErrorCode::NotFound,
    ],
    public: false,
    handler: || get(document),
};

pub const ENTITIES: Route = Route {
    path: "/entities",
    method: "get",
    operation_id: "listEntities",
    tag: "entities",
    summary: "Entities, most-mentioned first, optionally of one type.",
    description: "",
    params: ENTITIES_PARAMS,
    response: "EntityPage",
    media: JSON,
    errors: &[ErrorCode::BadParameter],
    public: false,
    handler: || get(entities),
};

pub const SEARCH: Route = Route {
    path: "/search",
    method: "get",
    operation_id: "search",
    tag: "search",
    summary: "Full-text search ranked by BM25 (title above body), with highlighted snippets.",
    description: "The query language and filters of `dossier search`. Filters combine with AND.",
    params: SEARCH_PARAMS,
    response: "SearchPage",
    media: JSON,
    errors: &[ErrorCode::BadParameter, ErrorCode::BadQuery],
    public: false,
    handler: || get(search),
};

pub(crate) type ApiResult<T> = Result<T, ApiError>;

async fn health(RawQuery(raw): RawQuery) -> ApiResult<Json<Health>> {
    Params::parse(raw.as_deref(), HEALTH_PARAMS)?;
    Ok(Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    }))
}

async fn openapi(State(st): State<AppState>, RawQuery(raw): RawQuery) -> ApiResult<Response> {
    Params::parse(raw.as_deref(), OPENAPI_PARAMS)?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        st.openapi.clone(),
    )
        .into_response())
}

async fn stats(State(st): State<AppState>, RawQuery(raw): RawQuery) -> ApiResult<Json<StatsOut>> {
    Params::parse(raw.as_deref(), STATS_PARAMS)?;
    let s = st.pool.run(|store| store.stats()).await?;
    Ok(Json(StatsOut::from(s)))
}

async fn documents(
    State(st): State<AppState>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<PageOf<dossier_store::DocSummary>>> {
    let p = Params::parse(raw.as_deref(), DOCUMENTS_PARAMS)?;
    let (limit, offset) = p.page()?;
    // One more than asked tells whether a next page exists.
    let rows = st
        .pool
        .run(move |store| {
            store.documents(Page {
                limit: limit + 1,
                offset,
            })
        })
        .await?;
    Ok(Json(PageOf::probe(rows, &p, "/documents", limit, offset)))
}

async fn document(
    State(st): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<DocumentDetail>> {
    let _ = Params::parse(raw.as_deref(), DOCUMENT_PARAMS)?;
    let id = id.trim().to_string();
    if id.chars().count() > 64 || !id.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(ApiError::bad_parameter(format!(
            "document id {id:?} must be hex digits (an id or a prefix of one)"
        )));
    }
    let doc = st.pool.run(move |store| store.document(&id)).await?;
    Ok(Json(DocumentDetail::from(doc)))
}

async fn entities(
    State(st): State<AppState>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<PageOf<dossier_store::EntitySummary>>> {
    let p = Params::parse(raw.as_deref(), ENTITIES_PARAMS)?;
    let (limit, offset) = p.page()?;
    let label = p.entity_type("type")?;
    let rows = st
        .pool
        .run(move |store| {
            store.entities(
                label,
                Page {
                    limit: limit + 1,
                    offset,
                },
            )
        })
        .await?;
    Ok(Json(PageOf::probe(rows, &p, "/entities", limit, offset)))
}

async fn search(
    State(st): State<AppState>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<SearchPage>> {
    let p = Params::parse(raw.as_deref(), SEARCH_PARAMS)?;
    let (limit, offset) = p.page()?;
    let text = p
        .text("q")?
        .ok_or_else(|| ApiError::new(ErrorCode::BadQuery, "empty query: give at least one word"))?;
    if text.matches('(').count() > MAX_QUERY_PARENS {
        return Err(ApiError::new(
            ErrorCode::BadQuery,
            format!("the query has more than {MAX_QUERY_PARENS} parentheses"),
        ));
    }
    let query = Query::parse(&text).map_err(|e| {
        ApiError::new(
            ErrorCode::BadQuery,
            format!("bad query at character {}: {}", e.position, e.message),
        )
    })?;
    let (from, to) = (p.date("from")?, p.date("to")?);
    if let (Some(f), Some(t)) = (&from, &to) {
        if date_floor(f) > date_ceiling(t) {
            return Err(ApiError::bad_parameter(format!(
                "\"from\" {f} is after \"to\" {t}"
            )));
        }
    }
    let req = SearchRequest {
        query,
        filters: SearchFilters {
            source: p.text("source")?,
            from,
            to,
            entity: p.text("entity")?,
            entity_type: p.entity_type("type")?,
        },
        limit,
        offset,
    };
    let results = st.pool.run(move |store| store.search(&req)).await?;
    Ok(Json(SearchPage::new(results, &p, "/search", limit, offset)))
}
