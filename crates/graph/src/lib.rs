//! In-memory link analysis over resolved entities.
//!
//! The crate knows nothing about the store or HTTP: feed it [`EdgeRecord`]s (one per aggregated
//! edge: two entities, a kind, evidence counts, first/last seen) and optional [`NodeInfo`]s
//! through a [`GraphBuilder`], and query the resulting [`Graph`]:
//!
//! - [`Graph::neighbours`]: filtered by edge kind, neighbour label, time window, minimum evidence;
//!   sorted by evidence strength, paginated.
//! - [`Graph::shortest_path`] and [`Graph::k_shortest_paths`] (Yen, k ≤ 10): bidirectional
//!   Dijkstra with cost `1 / strength` per hop, so strong hops are cheap. Every [`Hop`] names the
//!   stored edge (`src`, `dst`, `kind`, `edge`) so the caller can attach evidence sentences.
//! - [`Graph::connect`]: what connects a set of entities: shared neighbours ranked by a
//!   specificity-weighted surprise score (hubs rank low) and a connecting subgraph (KMB Steiner
//!   approximation over hub-penalised best paths).
//! - [`centrality`]: degree, betweenness (Brandes; exact or sampled with a standard error),
//!   PageRank (power iteration, multithreaded).
//! - [`community`]: Louvain communities with a label each.
//! - [`export`]: ego network / subgraph as GraphML, GEXF (Gephi) and JSON.
//!
//! Node indices ([`NodeIdx`]) are dense `u32`s assigned at build time in ascending order of
//! external id; external ids (`i64`) are what callers pass and get back.

mod build;
pub mod centrality;
pub mod community;
mod connect;
pub mod export;
mod filter;
mod paths;
mod query;
mod rng;
mod strength;

pub use build::{Graph, GraphBuilder, MemoryReport};
pub use connect::{
    ConnectOptions, Connection, MemberLink, SharedNeighbour, SubgraphNode,
    MAX_MEMBERS as CONNECT_MAX_MEMBERS,
};
pub use filter::{Direction, EdgeFilter};
pub use paths::{Hop, Path, PathOptions, QueryCtx};
pub use query::{EdgeInfo, Neighbour, NeighbourPage, NeighbourQuery, NodeRef};
pub use strength::StrengthModel;

/// Dense node index inside a [`Graph`].
pub type NodeIdx = u32;
/// Days since 1970-01-01 (UTC).
pub type Day = i32;

/// Interned edge kind (relation type, "co_mention", "quote", "role", ...). Names live in the graph.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct KindId(pub u16);

/// One aggregated edge between two entities, as the store streams it.
///
/// Records with the same `(src, dst, kind, directed)` (for undirected edges `src`/`dst` in either
/// order) are merged at build time: counts add up, the seen-range widens. Self-loops are dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EdgeRecord {
    pub src: i64,
    pub dst: i64,
    pub kind: KindId,
    pub directed: bool,
    /// Number of evidence sentences (at least 1 is assumed).
    pub sentences: u32,
    /// Number of distinct documents among them (at least 1 is assumed).
    pub docs: u32,
    pub first_seen: Option<Day>,
    pub last_seen: Option<Day>,
}

/// What a node stands for: a resolved entity or an event (an attack, a meeting) that entities
/// take part in.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum NodeKind {
    #[default]
    Entity,
    Event,
}

impl NodeKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            NodeKind::Entity => "entity",
            NodeKind::Event => "event",
        }
    }
}

/// Optional description of a node; nodes without one get an empty name and label and are
/// entities.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeInfo {
    pub id: i64,
    pub name: String,
    /// Entity type ("PER", "ORG", ...) or event type ("Bombing").
    pub label: String,
    pub kind: NodeKind,
}

/// Errors of graph construction and queries. Queries on hostile ids or arguments return these,
/// never panic.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum GraphError {
    #[error("unknown node id {0}")]
    UnknownNode(i64),
    #[error("too many edge kinds: at most 65535")]
    TooManyKinds,
    #[error("graph too large: {0}")]
    TooLarge(String),
    #[error("invalid argument: {0}")]
    Invalid(String),
}

pub type Result<T> = std::result::Result<T, GraphError>;

/// Number of worker threads for the parallel algorithms.
pub(crate) fn threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 64)
}
