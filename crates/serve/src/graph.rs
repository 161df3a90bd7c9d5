//! The in-memory evidence graph behind the graph routes: built from the
//! store's aggregated edges ([`Store::for_each_edge`]) and entity list, kept as
//! a shared snapshot, rebuilt when the store's counts change (another process
//! ingested), checked at most every [`GraphCache::recheck`]. Costly results
//! (centralities, communities) are computed once per snapshot.

use crate::error::ApiError;
use crate::pool::StorePool;
use dossier_graph::centrality::{self, SimpleView};
use dossier_graph::community::{self, CommunitySummary};
use dossier_graph::{
    EdgeFilter, EdgeRecord, Graph, GraphBuilder, GraphError, KindId, NodeInfo, QueryCtx,
};
use dossier_store::{Page, Store, StoreError, UNDIRECTED_KINDS};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

/// (documents, entities, mentions): when these change the graph is rebuilt.
type Key = (usize, usize, usize);

/// Betweenness is exact up to this many nodes, sampled from this many sources above.
const EXACT_BETWEENNESS_NODES: usize = 2_000;
const BETWEENNESS_PIVOTS: usize = 256;
const SEED: u64 = 0x0d05_51e5;

pub struct Snapshot {
    pub graph: Graph,
    key: Key,
    /// Path search buffers (O(nodes) each), reused across requests.
    ctxs: Mutex<Vec<QueryCtx>>,
    pagerank: OnceLock<Vec<f64>>,
    degree: OnceLock<Vec<f64>>,
    betweenness: OnceLock<(Vec<f64>, bool)>,
    communities: OnceLock<Vec<CommunitySummary>>,
}

impl Snapshot {
    /// Runs `f` with a path-search context of this graph.
    pub fn with_ctx<T>(&self, f: impl FnOnce(&mut QueryCtx) -> T) -> T {
        let taken = self
            .ctxs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let mut ctx = taken.unwrap_or_else(|| QueryCtx::new(&self.graph));
        let out = f(&mut ctx);
        let mut ctxs = self.ctxs.lock().unwrap_or_else(PoisonError::into_inner);
        if ctxs.len() < 8 {
            ctxs.push(ctx);
        }
        out
    }

    fn view(&self) -> SimpleView {
        SimpleView::new(&self.graph, &EdgeFilter::default())
    }

    pub fn pagerank(&self) -> &[f64] {
        self.pagerank
            .get_or_init(|| centrality::pagerank(&self.view(), 0.85, 1e-9, 200).scores)
    }

    pub fn degree(&self) -> &[f64] {
        self.degree
            .get_or_init(|| centrality::degree_centrality(&self.view()))
    }

    /// Normalised betweenness and whether it is exact.
    pub fn betweenness(&self) -> (&[f64], bool) {
        let (scores, exact) = self.betweenness.get_or_init(|| {
            let sv = self.view();
            let pivots = (sv.node_count() > EXACT_BETWEENNESS_NODES).then_some(BETWEENNESS_PIVOTS);
            let b = centrality::betweenness(&sv, pivots, SEED);
            (b.normalized, b.exact)
        });
        (scores, *exact)
    }

    /// Louvain communities, largest first, each labelled by its top members by PageRank.
    pub fn communities(&self) -> &[CommunitySummary] {
        self.communities.get_or_init(|| {
            let c = community::louvain(&self.view(), 1.0, SEED);
            community::summarize(&self.graph, &c, self.pagerank(), 5, c.count)
        })
    }
}

pub struct GraphCache {
    current: Mutex<Option<(Arc<Snapshot>, Instant)>>,
    building: tokio::sync::Mutex<()>,
    /// How long a snapshot is used without asking the store whether it changed.
    pub recheck: Duration,
}

impl Default for GraphCache {
    fn default() -> Self {
        GraphCache {
            current: Mutex::new(None),
            building: tokio::sync::Mutex::new(()),
            recheck: Duration::from_secs(10),
        }
    }
}

impl GraphCache {
    fn fresh(&self) -> Option<Arc<Snapshot>> {
        let cur = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        cur.as_ref()
            .filter(|(_, at)| at.elapsed() < self.recheck)
            .map(|(s, _)| Arc::clone(s))
    }

    /// The current graph, rebuilt first if the store changed.
    pub async fn get(&self, pool: &Arc<StorePool>) -> Result<Arc<Snapshot>, ApiError> {
        if let Some(s) = self.fresh() {
            return Ok(s);
        }
        // One build at a time; requests arriving meanwhile wait for its result.
        let _building = self.building.lock().await;
        if let Some(s) = self.fresh() {
            return Ok(s);
        }
        let old = self
            .current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|(s, _)| Arc::clone(s));
        let snap = pool
            .run(move |store| {
                let s = store.stats()?;
                let key = (s.documents, s.entities, s.mentions);
                match old {
                    Some(old) if old.key == key => Ok(old),
                    _ => build(store, key).map(Arc::new),
                }
            })
            .await?;
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) =
            Some((Arc::clone(&snap), Instant::now()));
        Ok(snap)
    }
}

fn graph_error(e: GraphError) -> StoreError {
    StoreError::Backend(format!("building the graph: {e}"))
}

fn build(store: &dyn Store, key: Key) -> Result<Snapshot, StoreError> {
    let mut b = GraphBuilder::new();
    let mut kinds: HashMap<Arc<str>, KindId> = HashMap::new();
    let mut failed: Option<GraphError> = None;
    store.for_each_edge(&mut |row| {
        let kind = match kinds.get(&row.kind) {
            Some(k) => *k,
            None => match b.kind(&row.kind) {
                Ok(k) => {
                    kinds.insert(Arc::clone(&row.kind), k);
                    k
                }
                Err(e) => {
                    failed.get_or_insert(e);
                    return;
                }
            },
        };
        b.add_edge(EdgeRecord {
            src: row.src,
            dst: row.dst,
            kind,
            directed: !UNDIRECTED_KINDS.contains(&&*row.kind),
            sentences: u32::try_from(row.sentences).unwrap_or(u32::MAX),
            docs: u32::try_from(row.documents).unwrap_or(u32::MAX),
            first_seen: row.first_seen.as_deref().and_then(day_of),
            last_seen: row.last_seen.as_deref().and_then(day_of),
        });
    })?;
    if let Some(e) = failed {
        return Err(graph_error(e));
    }
    const CHUNK: usize = 10_000;
    let mut offset = 0;
    loop {
        let page = store.entities(
            None,
            Page {
                limit: CHUNK,
                offset,
            },
        )?;
        for e in &page {
            b.add_node(NodeInfo {
                id: e.id,
                name: e.name.clone(),
                label: e.label.as_str().to_string(),
            });
        }
        if page.len() < CHUNK {
            break;
        }
        offset += CHUNK;
    }
    let graph = b.build().map_err(graph_error)?;
    Ok(Snapshot {
        graph,
        key,
        ctxs: Mutex::new(Vec::new()),
        pagerank: OnceLock::new(),
        degree: OnceLock::new(),
        betweenness: OnceLock::new(),
        communities: OnceLock::new(),
    })
}

/// Days since 1970-01-01 of `YYYY-MM-DD…` (also `YYYY` and `YYYY-MM`, taking
/// the first day); `None` when it is not a date.
pub fn day_of(s: &str) -> Option<i32> {
    let y: i64 = s.get(..4)?.parse().ok()?;
    let m: i64 = match s.get(5..7) {
        Some(m) => m.parse().ok()?,
        None => 1,
    };
    let d: i64 = match s.get(8..10) {
        Some(d) => d.parse().ok()?,
        None => 1,
    };
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    i32::try_from(era * 146_097 + doe - 719_468).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_with_the_graph_crate() {
        for s in [
            "1970-01-01",
            "2000-02-29",
            "2017-10-17",
            "2026-12-31",
            "1969-12-31",
        ] {
            let d = day_of(s).unwrap();
            assert_eq!(dossier_graph::export::day_to_iso(d), s);
        }
        assert_eq!(day_of("1970-01-02"), Some(1));
        assert_eq!(day_of("2017"), day_of("2017-01-01"));
        assert_eq!(day_of("2017-13-01"), None);
        assert_eq!(day_of("soon"), None);
    }
}
