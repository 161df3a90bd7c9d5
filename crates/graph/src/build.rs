//! The compact graph (CSR adjacency) and its builder.

use std::collections::HashMap;

use crate::strength::StrengthModel;
use crate::{Day, EdgeRecord, GraphError, KindId, NodeIdx, NodeInfo, Result};

/// Marks a missing date in the per-edge date columns.
const NO_DAY: Day = Day::MIN;

/// One adjacency entry: the neighbour and the edge leading to it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Adj {
    pub(crate) nbr: u32,
    pub(crate) edge: u32,
    /// Path cost of the edge, `1 / strength`, inline so searches touch no edge array.
    pub(crate) cost: f32,
}

/// Path cost of an edge of the given strength (one rounding, shared by every user).
#[inline]
pub(crate) fn edge_cost(strength: f32) -> f32 {
    (1.0 / f64::from(strength)) as f32
}

/// Raw record kept until `build` (ids still external).
struct Raw {
    a: i64,
    b: i64,
    kind: u16,
    directed: bool,
    sentences: u32,
    docs: u32,
    first: Day,
    last: Day,
}

/// Collects edge records and node infos, then builds a [`Graph`] in O(E log E).
#[derive(Default)]
pub struct GraphBuilder {
    kinds: Vec<String>,
    kind_map: HashMap<String, KindId>,
    records: Vec<Raw>,
    nodes: Vec<NodeInfo>,
    as_of: Option<Day>,
    model: StrengthModel,
    self_loops: u64,
}

impl GraphBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Capacity hint for the number of edge records.
    pub fn with_capacity(edges: usize) -> Self {
        GraphBuilder {
            records: Vec::with_capacity(edges),
            ..Self::default()
        }
    }

    /// Interns an edge-kind name.
    pub fn kind(&mut self, name: &str) -> Result<KindId> {
        if let Some(k) = self.kind_map.get(name) {
            return Ok(*k);
        }
        let id = u16::try_from(self.kinds.len()).map_err(|_| GraphError::TooManyKinds)?;
        if id == u16::MAX {
            return Err(GraphError::TooManyKinds);
        }
        let k = KindId(id);
        self.kinds.push(name.to_owned());
        self.kind_map.insert(name.to_owned(), k);
        Ok(k)
    }

    /// Reference date for recency (default: the latest `last_seen` among the edges).
    pub fn as_of(mut self, day: Day) -> Self {
        self.as_of = Some(day);
        self
    }

    pub fn strength_model(mut self, model: StrengthModel) -> Self {
        self.model = model;
        self
    }

    pub fn add_edge(&mut self, r: EdgeRecord) {
        if r.src == r.dst {
            self.self_loops += 1;
            return;
        }
        // Undirected edges are stored with the smaller id first so duplicates merge.
        let (a, b) = if !r.directed && r.dst < r.src {
            (r.dst, r.src)
        } else {
            (r.src, r.dst)
        };
        let (first, last) = match (r.first_seen, r.last_seen) {
            (Some(f), Some(l)) => (f.min(l), f.max(l)),
            (Some(f), None) => (f, f),
            (None, Some(l)) => (l, l),
            (None, None) => (NO_DAY, NO_DAY),
        };
        self.records.push(Raw {
            a,
            b,
            kind: r.kind.0,
            directed: r.directed,
            sentences: r.sentences.max(1),
            docs: r.docs.max(1),
            first,
            last,
        });
    }

    /// Later infos for the same id replace earlier ones. Nodes without edges are kept (isolated).
    pub fn add_node(&mut self, info: NodeInfo) {
        self.nodes.push(info);
    }

    pub fn build(self) -> Result<Graph> {
        let GraphBuilder {
            mut kinds,
            kind_map: _,
            mut records,
            nodes,
            as_of,
            model,
            self_loops,
        } = self;

        // Dense indices: sorted external ids.
        let mut ids: Vec<i64> = Vec::with_capacity(records.len() * 2 + nodes.len());
        for r in &records {
            ids.push(r.a);
            ids.push(r.b);
        }
        ids.extend(nodes.iter().map(|n| n.id));
        ids.sort_unstable();
        ids.dedup();
        ids.shrink_to_fit();
        if ids.len() >= (u32::MAX >> 1) as usize {
            return Err(GraphError::TooLarge(format!("{} nodes", ids.len())));
        }
        let idx = |id: i64| -> u32 {
            // Every id of a record is in `ids`, so the search always hits.
            ids.binary_search(&id).map_or(0, |i| i as u32)
        };

        // Merge duplicate records.
        if records.len() >= u32::MAX as usize {
            return Err(GraphError::TooLarge(format!(
                "{} edge records",
                records.len()
            )));
        }
        // Id lookups are the costly part: spread them over the threads.
        let mut mapped: Vec<(u32, u32, u16, bool, u32)> = vec![(0, 0, 0, false, 0); records.len()];
        let chunk = records.len().div_ceil(crate::threads()).max(1);
        std::thread::scope(|sc| {
            for (ci, (out, recs)) in mapped
                .chunks_mut(chunk)
                .zip(records.chunks(chunk))
                .enumerate()
            {
                let idx = &idx;
                sc.spawn(move || {
                    for (k, (slot, r)) in out.iter_mut().zip(recs).enumerate() {
                        let i = (ci * chunk + k) as u32;
                        *slot = (idx(r.a), idx(r.b), r.kind, r.directed, i);
                    }
                });
            }
        });
        mapped.sort_unstable();
        let mut e_src = Vec::new();
        let mut e_dst = Vec::new();
        let mut e_kind = Vec::new();
        let mut e_directed = Vec::new();
        let mut e_sentences: Vec<u32> = Vec::new();
        let mut e_docs: Vec<u32> = Vec::new();
        let mut e_first: Vec<Day> = Vec::new();
        let mut e_last: Vec<Day> = Vec::new();
        let mut prev: Option<(u32, u32, u16, bool)> = None;
        for &(a, b, kind, directed, ri) in &mapped {
            let Some(r) = records.get(ri as usize) else {
                continue;
            };
            if prev == Some((a, b, kind, directed)) {
                if let (Some(s), Some(d), Some(f), Some(l)) = (
                    e_sentences.last_mut(),
                    e_docs.last_mut(),
                    e_first.last_mut(),
                    e_last.last_mut(),
                ) {
                    *s = s.saturating_add(r.sentences);
                    *d = d.saturating_add(r.docs);
                    if r.first != NO_DAY {
                        *f = if *f == NO_DAY {
                            r.first
                        } else {
                            (*f).min(r.first)
                        };
                        *l = (*l).max(r.last);
                    }
                }
                continue;
            }
            prev = Some((a, b, kind, directed));
            e_src.push(a);
            e_dst.push(b);
            e_kind.push(KindId(kind));
            e_directed.push(directed);
            e_sentences.push(r.sentences);
            e_docs.push(r.docs);
            e_first.push(r.first);
            e_last.push(r.last);
        }
        drop(mapped);
        records.clear();
        records.shrink_to_fit();
        let m = e_src.len();
        if m.saturating_mul(2) >= u32::MAX as usize {
            return Err(GraphError::TooLarge(format!("{m} edges")));
        }

        // Names for kinds used but never interned through this builder.
        let max_kind = e_kind
            .iter()
            .map(|k| usize::from(k.0))
            .max()
            .map_or(0, |k| k + 1);
        while kinds.len() < max_kind {
            kinds.push(format!("kind{}", kinds.len()));
        }

        let as_of = as_of.or_else(|| e_last.iter().copied().filter(|&d| d != NO_DAY).max());
        let e_strength: Vec<f32> = (0..m)
            .map(|e| {
                let last = e_last.get(e).copied().filter(|&d| d != NO_DAY);
                let s = e_sentences.get(e).copied().unwrap_or(1);
                let d = e_docs.get(e).copied().unwrap_or(1);
                model.strength(s, d, last, as_of) as f32
            })
            .collect();

        // CSR, both directions, each node's entries sorted by strength (strongest first).
        let n = ids.len();
        let mut offsets = vec![0u32; n + 1];
        for e in 0..m {
            let (a, b) = (e_src[e] as usize, e_dst[e] as usize);
            offsets[a + 1] += 1;
            offsets[b + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let mut fill: Vec<u32> = offsets[..n].to_vec();
        let mut adj = vec![
            Adj {
                nbr: 0,
                edge: 0,
                cost: 0.0
            };
            2 * m
        ];
        for e in 0..m {
            let (a, b) = (e_src[e], e_dst[e]);
            let cost = edge_cost(e_strength[e]);
            let pa = &mut fill[a as usize];
            adj[*pa as usize] = Adj {
                nbr: b,
                edge: e as u32,
                cost,
            };
            *pa += 1;
            let pb = &mut fill[b as usize];
            adj[*pb as usize] = Adj {
                nbr: a,
                edge: e as u32,
                cost,
            };
            *pb += 1;
        }
        drop(fill);
        // Cost ascending is strength descending; the strength decides between equal rounded
        // costs. Parallel over node ranges (disjoint slices of `adj`).
        let by_strength = |x: &Adj, y: &Adj| {
            x.cost
                .total_cmp(&y.cost)
                .then_with(|| {
                    let sx = e_strength.get(x.edge as usize).copied().unwrap_or(0.0);
                    let sy = e_strength.get(y.edge as usize).copied().unwrap_or(0.0);
                    sy.total_cmp(&sx)
                })
                .then(x.nbr.cmp(&y.nbr))
                .then(x.edge.cmp(&y.edge))
        };
        let ranges = crate::centrality::balanced_ranges(n, crate::threads(), |v| {
            (offsets[v + 1] - offsets[v]) as usize
        });
        std::thread::scope(|sc| {
            let mut rest: &mut [Adj] = &mut adj;
            let mut consumed = 0usize;
            for r in &ranges {
                let end = offsets[r.end] as usize;
                let (chunk, tail) = rest.split_at_mut(end - consumed);
                rest = tail;
                let base = consumed;
                consumed = end;
                let (offsets, r) = (&offsets, r.clone());
                sc.spawn(move || {
                    for v in r {
                        let (a, b) = (offsets[v] as usize - base, offsets[v + 1] as usize - base);
                        if let Some(seg) = chunk.get_mut(a..b) {
                            seg.sort_unstable_by(by_strength);
                        }
                    }
                });
            }
        });

        // Node infos.
        let mut names: Vec<Box<str>> = vec![Box::from(""); n];
        let mut labels: Vec<u16> = vec![0; n];
        let mut events: Vec<bool> = vec![false; n];
        let mut label_names: Vec<String> = vec![String::new()];
        let mut label_map: HashMap<String, u16> = HashMap::new();
        label_map.insert(String::new(), 0);
        for info in nodes {
            let Ok(i) = ids.binary_search(&info.id) else {
                continue;
            };
            let l = match label_map.get(&info.label) {
                Some(&l) => l,
                None => {
                    let l = u16::try_from(label_names.len())
                        .map_err(|_| GraphError::TooLarge("more than 65535 node labels".into()))?;
                    label_names.push(info.label.clone());
                    label_map.insert(info.label, l);
                    l
                }
            };
            names[i] = info.name.into_boxed_str();
            labels[i] = l;
            events[i] = info.kind == crate::NodeKind::Event;
        }

        let max_degree = (0..n)
            .map(|v| offsets[v + 1] - offsets[v])
            .max()
            .unwrap_or(0);
        Ok(Graph {
            ids,
            names,
            labels,
            events,
            label_names,
            kind_names: kinds,
            e_src,
            e_dst,
            e_kind,
            e_directed,
            e_sentences,
            e_docs,
            e_first,
            e_last,
            e_strength,
            offsets,
            adj,
            as_of,
            max_degree,
            self_loops_dropped: self_loops,
            model,
        })
    }
}

/// The immutable, compact graph. Cheap to share across threads (`&Graph` is `Sync`).
pub struct Graph {
    pub(crate) ids: Vec<i64>,
    pub(crate) names: Vec<Box<str>>,
    pub(crate) labels: Vec<u16>,
    /// Per node: an event node (see [`crate::NodeKind`]).
    pub(crate) events: Vec<bool>,
    pub(crate) label_names: Vec<String>,
    pub(crate) kind_names: Vec<String>,
    pub(crate) e_src: Vec<u32>,
    pub(crate) e_dst: Vec<u32>,
    pub(crate) e_kind: Vec<KindId>,
    pub(crate) e_directed: Vec<bool>,
    pub(crate) e_sentences: Vec<u32>,
    pub(crate) e_docs: Vec<u32>,
    pub(crate) e_first: Vec<Day>,
    pub(crate) e_last: Vec<Day>,
    pub(crate) e_strength: Vec<f32>,
    pub(crate) offsets: Vec<u32>,
    pub(crate) adj: Vec<Adj>,
    pub(crate) as_of: Option<Day>,
    pub(crate) max_degree: u32,
    pub(crate) self_loops_dropped: u64,
    pub(crate) model: StrengthModel,
}

/// Heap bytes held by a [`Graph`], by part.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct MemoryReport {
    pub nodes: usize,
    pub edges: usize,
    pub adjacency: usize,
    pub total: usize,
}

fn vec_bytes<T>(v: &[T]) -> usize {
    std::mem::size_of_val(v)
}

impl Graph {
    /// Builds a graph from an iterator of records and node infos.
    pub fn from_records(
        edges: impl IntoIterator<Item = EdgeRecord>,
        nodes: impl IntoIterator<Item = NodeInfo>,
        kind_names: &[&str],
    ) -> Result<Graph> {
        let mut b = GraphBuilder::new();
        for k in kind_names {
            b.kind(k)?;
        }
        for e in edges {
            b.add_edge(e);
        }
        for n in nodes {
            b.add_node(n);
        }
        b.build()
    }

    pub fn node_count(&self) -> usize {
        self.ids.len()
    }

    pub fn edge_count(&self) -> usize {
        self.e_src.len()
    }

    /// Self-loop records dropped at build time.
    pub fn self_loops_dropped(&self) -> u64 {
        self.self_loops_dropped
    }

    /// Reference date used for recency.
    pub fn as_of(&self) -> Option<Day> {
        self.as_of
    }

    pub fn strength_model(&self) -> &StrengthModel {
        &self.model
    }

    pub fn index_of(&self, id: i64) -> Option<NodeIdx> {
        self.ids.binary_search(&id).ok().map(|i| i as NodeIdx)
    }

    pub(crate) fn require(&self, id: i64) -> Result<NodeIdx> {
        self.index_of(id).ok_or(GraphError::UnknownNode(id))
    }

    /// External id of a node index (`i64::MIN` for an index not from this graph).
    pub fn id_of(&self, v: NodeIdx) -> i64 {
        self.ids.get(v as usize).copied().unwrap_or(i64::MIN)
    }

    pub fn name(&self, v: NodeIdx) -> &str {
        self.names.get(v as usize).map_or("", |s| s)
    }

    pub fn kind(&self, v: NodeIdx) -> crate::NodeKind {
        if self.events.get(v as usize).copied().unwrap_or(false) {
            crate::NodeKind::Event
        } else {
            crate::NodeKind::Entity
        }
    }

    pub fn label(&self, v: NodeIdx) -> &str {
        let l = self.labels.get(v as usize).copied().unwrap_or(0);
        self.label_names.get(usize::from(l)).map_or("", |s| s)
    }

    pub(crate) fn label_id(&self, v: NodeIdx) -> u16 {
        self.labels.get(v as usize).copied().unwrap_or(0)
    }

    pub fn kind_count(&self) -> usize {
        self.kind_names.len()
    }

    pub fn kind_name(&self, k: KindId) -> &str {
        self.kind_names.get(usize::from(k.0)).map_or("", |s| s)
    }

    pub fn kind_id(&self, name: &str) -> Option<KindId> {
        self.kind_names
            .iter()
            .position(|k| k == name)
            .and_then(|i| u16::try_from(i).ok())
            .map(KindId)
    }

    /// Number of adjacency entries (edges of any kind and direction) at a node.
    pub fn degree(&self, v: NodeIdx) -> u32 {
        let v = v as usize;
        match (self.offsets.get(v), self.offsets.get(v + 1)) {
            (Some(a), Some(b)) => b - a,
            _ => 0,
        }
    }

    pub fn max_degree(&self) -> u32 {
        self.max_degree
    }

    /// Adjacency entries of `v`, strongest edge first.
    #[inline]
    pub(crate) fn adj(&self, v: NodeIdx) -> &[Adj] {
        let v = v as usize;
        match (self.offsets.get(v), self.offsets.get(v + 1)) {
            (Some(&a), Some(&b)) => self.adj.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }

    #[inline]
    pub(crate) fn strength_of(&self, e: u32) -> f32 {
        self.e_strength
            .get(e as usize)
            .copied()
            .unwrap_or(f32::MIN_POSITIVE)
    }

    pub(crate) fn edge_dates(&self, e: usize) -> (Option<Day>, Option<Day>) {
        let f = self.e_first.get(e).copied().filter(|&d| d != NO_DAY);
        let l = self.e_last.get(e).copied().filter(|&d| d != NO_DAY);
        (f, l)
    }

    /// Whether edge `e` may be followed from `from` in direction `dir`.
    #[inline]
    pub(crate) fn follows(&self, e: u32, from: NodeIdx, dir: crate::Direction) -> bool {
        let e = e as usize;
        if dir == crate::Direction::Any || !self.e_directed.get(e).copied().unwrap_or(false) {
            return true;
        }
        let src = self.e_src.get(e).copied().unwrap_or(u32::MAX);
        match dir {
            crate::Direction::Out => src == from,
            crate::Direction::In => src != from,
            crate::Direction::Any => true,
        }
    }

    /// Heap memory of the graph's arrays.
    pub fn memory(&self) -> MemoryReport {
        let names: usize =
            self.names.iter().map(|s| s.len()).sum::<usize>() + vec_bytes(&self.names);
        let nodes =
            vec_bytes(&self.ids) + names + vec_bytes(&self.labels) + vec_bytes(&self.offsets);
        let edges = vec_bytes(&self.e_src)
            + vec_bytes(&self.e_dst)
            + vec_bytes(&self.e_kind)
            + vec_bytes(&self.e_directed)
            + vec_bytes(&self.e_sentences)
            + vec_bytes(&self.e_docs)
            + vec_bytes(&self.e_first)
            + vec_bytes(&self.e_last)
            + vec_bytes(&self.e_strength);
        let adjacency = vec_bytes(&self.adj);
        MemoryReport {
            nodes,
            edges,
            adjacency,
            total: nodes + edges + adjacency,
        }
    }
}
