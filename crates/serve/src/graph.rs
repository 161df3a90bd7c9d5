//! The in-memory evidence graph behind the graph routes: built by
//! `dossier::analysis::load_graph` (as for the CLI), kept as a shared snapshot, rebuilt when the store's counts change (another process
//! ingested), checked at most every [`GraphCache::recheck`]. Costly results
//! (centralities, communities) are computed once per snapshot.

use crate::error::ApiError;
use crate::pool::StorePool;
use dossier_graph::centrality::{self, SimpleView};
use dossier_graph::community::{self, CommunitySummary};
use dossier_graph::{EdgeFilter, Graph};
use dossier_store::{Store, StoreError};
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
    pagerank: OnceLock<Vec<f64>>,
    degree: OnceLock<Vec<f64>>,
    betweenness: OnceLock<(Vec<f64>, bool)>,
    communities: OnceLock<Vec<CommunitySummary>>,
}

impl Snapshot {
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

/// The graph as `dossier::analysis` builds it for the CLI too (value-type
/// entities such as dates and amounts left out).
fn build(store: &dyn Store, key: Key) -> Result<Snapshot, StoreError> {
    let graph = dossier::analysis::load_graph(store).map_err(|e| match e {
        dossier::analysis::AnalysisError::Store(e) => e,
        other => StoreError::Backend(format!("building the graph: {other}")),
    })?;
    Ok(Snapshot {
        graph,
        key,
        pagerank: OnceLock::new(),
        degree: OnceLock::new(),
        betweenness: OnceLock::new(),
        communities: OnceLock::new(),
    })
}
