//! Evidence-ranked paths: bidirectional Dijkstra and Yen's k shortest loopless paths.
//!
//! The cost of following edge `e` into node `v` is `1 / strength(e) + hub_penalty · ln(1 + deg(v))`:
//! strong hops are cheap, and with a positive `hub_penalty` paths through hubs cost more (used by
//! `connect`). With `hub_penalty = 0` the cost is exactly the sum of `1 / strength` over the hops.
//! Between two nodes linked by several edges (kinds), a path uses the cheapest one that passes the
//! filter; paths are therefore distinct as node sequences.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashSet};

use crate::build::Graph;
use crate::filter::{Compiled, Direction, EdgeFilter};
use crate::query::{EdgeInfo, NodeRef};
use crate::{GraphError, NodeIdx, Result};

/// Largest k accepted by [`Graph::k_shortest_paths`].
pub const MAX_K: usize = 10;

/// Options of path queries.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct PathOptions {
    pub filter: EdgeFilter,
    /// Follow directed edges only from source to target (default: any way; links are links).
    pub respect_direction: bool,
    /// Extra cost per hop `hub_penalty · ln(1 + degree)` of the node entered (0 = none).
    pub hub_penalty: f64,
    /// Give up a single search after settling this many nodes (0 = no limit); see
    /// [`QueryCtx::truncated`].
    pub max_settled: usize,
}

/// One hop of a path, in travel order (`from` → `to`); `edge` is the stored edge (its `src`/`dst`
/// may be the other way round for undirected edges).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Hop {
    pub from: i64,
    pub to: i64,
    pub edge: EdgeInfo,
    pub cost: f64,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Path {
    pub nodes: Vec<NodeRef>,
    pub hops: Vec<Hop>,
    /// Total cost (lower is better).
    pub cost: f64,
    /// Strength of the weakest hop.
    pub min_strength: f32,
}

/// A path in node indices with cumulative costs (`costs[i]` = cost from the start to `nodes[i]`).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct IPath {
    pub(crate) nodes: Vec<NodeIdx>,
    pub(crate) edges: Vec<u32>,
    pub(crate) costs: Vec<f64>,
    /// Yen: index of the node where this path left the path it was derived from (Lawler: spur
    /// searches before it would repeat earlier ones).
    pub(crate) dev: usize,
}

impl IPath {
    pub(crate) fn cost(&self) -> f64 {
        self.costs.last().copied().unwrap_or(0.0)
    }
}

/// Search state of one node: `mark == gen` reached, `gen + 1` settled, older = untouched.
#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    mark: [u32; 2],
    pred: [u32; 2],
    dist: [f64; 2],
}

#[derive(Clone, Copy, Debug)]
struct Item {
    cost: f64,
    node: u32,
}

impl PartialEq for Item {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Item {}
impl PartialOrd for Item {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Item {
    // Reversed: BinaryHeap is a max-heap and we want the cheapest first.
    fn cmp(&self, o: &Self) -> Ordering {
        o.cost.total_cmp(&self.cost).then(o.node.cmp(&self.node))
    }
}

/// Reusable buffers for path queries on one graph: O(V) memory allocated once, reset in O(1) per
/// query with generation stamps. Not shared between threads; make one per worker.
pub struct QueryCtx {
    gen: u32,
    /// Per node, both search directions side by side: one cache line per node visit.
    slots: Vec<Slot>,
    heap: [BinaryHeap<Item>; 2],
    block_gen: u32,
    blocked: Vec<u32>,
    blocked_pairs: HashSet<(u32, u32)>,
    truncated: bool,
    settled: usize,
}

impl QueryCtx {
    pub fn new(g: &Graph) -> Self {
        let n = g.node_count();
        QueryCtx {
            gen: 0,
            slots: vec![Slot::default(); n],
            heap: [BinaryHeap::new(), BinaryHeap::new()],
            block_gen: 0,
            blocked: vec![0; n],
            blocked_pairs: HashSet::new(),
            truncated: false,
            settled: 0,
        }
    }

    /// Whether the last search gave up because of `max_settled`.
    pub fn truncated(&self) -> bool {
        self.truncated
    }

    /// Nodes settled by the last search (both directions).
    pub fn settled(&self) -> usize {
        self.settled
    }

    pub(crate) fn fit(&mut self, g: &Graph) {
        if self.slots.len() != g.node_count() {
            *self = QueryCtx::new(g);
        }
    }

    fn next_gen(&mut self) {
        if self.gen >= u32::MAX - 4 {
            self.slots.iter_mut().for_each(|x| x.mark = [0, 0]);
            self.gen = 0;
        }
        self.gen += 2;
        for h in &mut self.heap {
            h.clear();
        }
    }

    pub(crate) fn next_block_gen(&mut self) {
        if self.block_gen >= u32::MAX - 2 {
            self.blocked.iter_mut().for_each(|x| *x = 0);
            self.block_gen = 0;
        }
        self.block_gen += 1;
        self.blocked_pairs.clear();
    }

    #[inline]
    fn is_blocked(&self, v: u32) -> bool {
        self.blocked.get(v as usize).copied() == Some(self.block_gen)
    }
}

#[inline]
fn other_end(g: &Graph, e: u32, v: u32) -> u32 {
    let s = g.e_src.get(e as usize).copied().unwrap_or(u32::MAX);
    if s == v {
        g.e_dst.get(e as usize).copied().unwrap_or(u32::MAX)
    } else {
        s
    }
}

impl Graph {
    #[inline]
    pub(crate) fn node_penalty(&self, v: NodeIdx, hub_penalty: f64) -> f64 {
        if hub_penalty > 0.0 {
            hub_penalty * (1.0 + f64::from(self.degree(v))).ln()
        } else {
            0.0
        }
    }

    #[inline]
    pub(crate) fn hop_cost(&self, e: u32, into: NodeIdx, hub_penalty: f64) -> f64 {
        f64::from(crate::build::edge_cost(self.strength_of(e)))
            + self.node_penalty(into, hub_penalty)
    }

    /// Bidirectional Dijkstra from `s` to `t` honouring the context's blocked nodes and pairs.
    pub(crate) fn bidir(
        &self,
        ctx: &mut QueryCtx,
        s: NodeIdx,
        t: NodeIdx,
        f: &Compiled,
        opts: &PathOptions,
    ) -> Option<IPath> {
        self.bidir_bounded(ctx, s, t, f, opts, f64::INFINITY)
    }

    /// As [`Graph::bidir`], but only a path cheaper than `bound` is of interest: the search
    /// prunes everything at or above it and returns `None` if nothing cheaper exists.
    pub(crate) fn bidir_bounded(
        &self,
        ctx: &mut QueryCtx,
        s: NodeIdx,
        t: NodeIdx,
        f: &Compiled,
        opts: &PathOptions,
        bound: f64,
    ) -> Option<IPath> {
        ctx.truncated = false;
        ctx.settled = 0;
        if s == t {
            return Some(IPath {
                nodes: vec![s],
                edges: vec![],
                costs: vec![0.0],
                dev: 0,
            });
        }
        ctx.next_gen();
        let gen = ctx.gen;
        let (si, ti) = (s as usize, t as usize);
        if si >= ctx.slots.len() || ti >= ctx.slots.len() {
            return None;
        }
        for (side, start) in [(0usize, si), (1usize, ti)] {
            let slot = &mut ctx.slots[start];
            slot.mark[side] = gen;
            slot.dist[side] = 0.0;
            slot.pred[side] = u32::MAX;
            ctx.heap[side].push(Item {
                cost: 0.0,
                node: start as u32,
            });
        }
        let dirs = if opts.respect_direction {
            [Direction::Out, Direction::In]
        } else {
            [Direction::Any, Direction::Any]
        };
        let check_pairs = !ctx.blocked_pairs.is_empty();
        let mut mu = bound;
        let mut meet: Option<usize> = None;
        while let (Some(tf), Some(tb)) = (ctx.heap[0].peek(), ctx.heap[1].peek()) {
            if tf.cost + tb.cost >= mu {
                break;
            }
            let side = if ctx.heap[0].len() <= ctx.heap[1].len() {
                0
            } else {
                1
            };
            let other = 1 - side;
            let Some(Item { cost: d, node: u }) = ctx.heap[side].pop() else {
                break;
            };
            let ui = u as usize;
            let su = ctx.slots[ui];
            if su.mark[side] == gen + 1 || d > su.dist[side] {
                continue;
            }
            ctx.slots[ui].mark[side] = gen + 1;
            ctx.settled += 1;
            if opts.max_settled > 0 && ctx.settled > opts.max_settled {
                ctx.truncated = true;
                return None;
            }
            // Lower bound on the rest of any path leaving through an unsettled neighbour.
            let top_other = ctx.heap[other].peek().map_or(f64::INFINITY, |x| x.cost);
            for a in self.adj(u) {
                let c = f64::from(a.cost);
                // Entries are sorted by cost: once one cannot beat the best path found, no later
                // one can (paths through nodes the other side settled are already counted in mu).
                if d + c + top_other >= mu {
                    break;
                }
                let v = a.nbr;
                let vi = v as usize;
                if ctx.is_blocked(v)
                    || !self.follows(a.edge, u, dirs[side])
                    || !f.passes(self, a.edge)
                {
                    continue;
                }
                if check_pairs {
                    let pair = if side == 0 { (u, v) } else { (v, u) };
                    if ctx.blocked_pairs.contains(&pair) {
                        continue;
                    }
                }
                let Some(sv) = ctx.slots.get_mut(vi) else {
                    continue;
                };
                if sv.mark[side] == gen + 1 {
                    continue;
                }
                // Penalty for the node entered in travel order: `v` forward, `u` backward.
                let into = if side == 0 { v } else { u };
                let nd = d + c + self.node_penalty(into, opts.hub_penalty);
                if sv.mark[side] != gen || nd < sv.dist[side] {
                    sv.mark[side] = gen;
                    sv.dist[side] = nd;
                    sv.pred[side] = a.edge;
                    ctx.heap[side].push(Item { cost: nd, node: v });
                }
                if sv.mark[other] >= gen {
                    let cand = sv.dist[side] + sv.dist[other];
                    if cand < mu {
                        mu = cand;
                        meet = Some(vi);
                    }
                }
            }
        }
        let m = meet?;
        // Forward half: meet back to s, then reversed.
        let mut nodes = vec![m as u32];
        let mut edges = Vec::new();
        let mut x = m as u32;
        while x != s {
            let e = ctx.slots.get(x as usize)?.pred[0];
            if e == u32::MAX {
                return None;
            }
            edges.push(e);
            x = other_end(self, e, x);
            nodes.push(x);
            if nodes.len() > self.node_count() + 1 {
                return None;
            }
        }
        nodes.reverse();
        edges.reverse();
        let mut x = m as u32;
        while x != t {
            let e = ctx.slots.get(x as usize)?.pred[1];
            if e == u32::MAX {
                return None;
            }
            edges.push(e);
            x = other_end(self, e, x);
            nodes.push(x);
            if nodes.len() > self.node_count() + 1 {
                return None;
            }
        }
        Some(self.with_costs(nodes, edges, opts.hub_penalty))
    }

    pub(crate) fn with_costs(
        &self,
        nodes: Vec<NodeIdx>,
        edges: Vec<u32>,
        hub_penalty: f64,
    ) -> IPath {
        let mut costs = Vec::with_capacity(nodes.len());
        let mut acc = 0.0;
        costs.push(0.0);
        for (e, v) in edges.iter().zip(nodes.iter().skip(1)) {
            acc += self.hop_cost(*e, *v, hub_penalty);
            costs.push(acc);
        }
        IPath {
            nodes,
            edges,
            costs,
            dev: 0,
        }
    }

    pub(crate) fn to_path(&self, p: &IPath) -> Path {
        let nodes = p.nodes.iter().map(|&v| self.node_ref(v)).collect();
        let mut hops = Vec::with_capacity(p.edges.len());
        let mut min_strength = f32::INFINITY;
        for (i, &e) in p.edges.iter().enumerate() {
            let (Some(&a), Some(&b)) = (p.nodes.get(i), p.nodes.get(i + 1)) else {
                continue;
            };
            let Some(edge) = self.edge_info(e) else {
                continue;
            };
            min_strength = min_strength.min(edge.strength);
            let cost =
                p.costs.get(i + 1).copied().unwrap_or(0.0) - p.costs.get(i).copied().unwrap_or(0.0);
            hops.push(Hop {
                from: self.id_of(a),
                to: self.id_of(b),
                edge,
                cost,
            });
        }
        if hops.is_empty() {
            min_strength = 0.0;
        }
        Path {
            nodes,
            hops,
            cost: p.cost(),
            min_strength,
        }
    }

    /// Cheapest path between two entities, or `None` if they are not connected under the filter.
    pub fn shortest_path(
        &self,
        ctx: &mut QueryCtx,
        from: i64,
        to: i64,
        opts: &PathOptions,
    ) -> Result<Option<Path>> {
        let s = self.require(from)?;
        let t = self.require(to)?;
        ctx.fit(self);
        ctx.next_block_gen();
        let f = opts.filter.compile(self);
        Ok(self.bidir(ctx, s, t, &f, opts).map(|p| self.to_path(&p)))
    }

    /// Up to `k` (1..=10) cheapest loopless paths, cheapest first (Yen's algorithm).
    pub fn k_shortest_paths(
        &self,
        ctx: &mut QueryCtx,
        from: i64,
        to: i64,
        k: usize,
        opts: &PathOptions,
    ) -> Result<Vec<Path>> {
        if k == 0 || k > MAX_K {
            return Err(GraphError::Invalid(format!(
                "k must be in 1..={MAX_K}, got {k}"
            )));
        }
        let s = self.require(from)?;
        let t = self.require(to)?;
        ctx.fit(self);
        let f = opts.filter.compile(self);
        Ok(self
            .yen(ctx, s, t, k, &f, opts)
            .iter()
            .map(|p| self.to_path(p))
            .collect())
    }

    pub(crate) fn yen(
        &self,
        ctx: &mut QueryCtx,
        s: NodeIdx,
        t: NodeIdx,
        k: usize,
        f: &Compiled,
        opts: &PathOptions,
    ) -> Vec<IPath> {
        ctx.next_block_gen();
        let Some(first) = self.bidir(ctx, s, t, f, opts) else {
            return Vec::new();
        };
        if s == t {
            return vec![first];
        }
        let mut found: Vec<IPath> = vec![first];
        let mut candidates: Vec<IPath> = Vec::new();
        let mut seen: HashSet<Vec<u32>> = HashSet::new();
        if let Some(p) = found.first() {
            seen.insert(p.nodes.clone());
        }
        while found.len() < k {
            let Some(last) = found.last().cloned() else {
                break;
            };
            for i in last.dev..last.nodes.len().saturating_sub(1) {
                let (Some(&spur), Some(root)) = (last.nodes.get(i), last.nodes.get(..=i)) else {
                    continue;
                };
                ctx.next_block_gen();
                for p in &found {
                    if p.nodes.len() > i + 1 && p.nodes.get(..=i) == Some(root) {
                        if let Some(&nx) = p.nodes.get(i + 1) {
                            ctx.blocked_pairs.insert((spur, nx));
                            if !opts.respect_direction {
                                ctx.blocked_pairs.insert((nx, spur));
                            }
                        }
                    }
                }
                for &r in root.iter().take(i) {
                    if let Some(b) = ctx.blocked.get_mut(r as usize) {
                        *b = ctx.block_gen;
                    }
                }
                // Only a candidate cheaper than the (k − found)-th cheapest one can still be
                // returned: bound the spur search by that.
                let need = k - found.len();
                let bound = if candidates.len() >= need {
                    let mut costs: Vec<f64> = candidates.iter().map(IPath::cost).collect();
                    costs.sort_by(f64::total_cmp);
                    costs.get(need - 1).copied().unwrap_or(f64::INFINITY)
                        - last.costs.get(i).copied().unwrap_or(0.0)
                } else {
                    f64::INFINITY
                };
                let Some(spur_path) = self.bidir_bounded(ctx, spur, t, f, opts, bound) else {
                    continue;
                };
                let mut nodes: Vec<u32> = root.get(..i).unwrap_or(&[]).to_vec();
                nodes.extend_from_slice(&spur_path.nodes);
                if seen.contains(&nodes) {
                    continue;
                }
                let mut edges: Vec<u32> = last.edges.get(..i).unwrap_or(&[]).to_vec();
                edges.extend_from_slice(&spur_path.edges);
                let base = last.costs.get(i).copied().unwrap_or(0.0);
                let mut costs: Vec<f64> = last.costs.get(..i).unwrap_or(&[]).to_vec();
                costs.extend(spur_path.costs.iter().map(|c| base + c));
                seen.insert(nodes.clone());
                candidates.push(IPath {
                    nodes,
                    edges,
                    costs,
                    dev: i,
                });
            }
            ctx.next_block_gen();
            // Cheapest candidate; ties: fewer hops, then node order (deterministic).
            let best = candidates
                .iter()
                .enumerate()
                .min_by(|(_, a), (_, b)| {
                    a.cost()
                        .total_cmp(&b.cost())
                        .then(a.nodes.len().cmp(&b.nodes.len()))
                        .then(a.nodes.cmp(&b.nodes))
                })
                .map(|(i, _)| i);
            match best {
                Some(i) => found.push(candidates.swap_remove(i)),
                None => break,
            }
        }
        found
    }
}
