//! Centrality: degree, betweenness (Brandes), PageRank.
//!
//! All three work on a [`SimpleView`]: the graph as a simple undirected weighted graph (parallel
//! edges of different kinds merged, their strengths added; direction ignored; optionally only the
//! edges passing a filter). Build it once and reuse it across algorithms.

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::build::Graph;
use crate::filter::EdgeFilter;
use crate::rng::SplitMix64;
use crate::{threads, NodeIdx};

/// The graph as a simple undirected weighted graph, CSR. Weights are summed edge strengths.
pub struct SimpleView {
    pub(crate) offsets: Vec<usize>,
    pub(crate) nbrs: Vec<u32>,
    pub(crate) weights: Vec<f32>,
}

/// Splits `0..n` into at most `parts` contiguous ranges of similar total `cost`.
pub(crate) fn balanced_ranges(
    n: usize,
    parts: usize,
    cost: impl Fn(usize) -> usize,
) -> Vec<Range<usize>> {
    let total: usize = (0..n).map(&cost).sum::<usize>() + n;
    let per = total / parts.max(1) + 1;
    let mut out = Vec::new();
    let mut start = 0;
    let mut acc = 0;
    for v in 0..n {
        acc += cost(v) + 1;
        if acc >= per {
            out.push(start..v + 1);
            start = v + 1;
            acc = 0;
        }
    }
    if start < n || out.is_empty() {
        out.push(start..n);
    }
    out
}

impl SimpleView {
    pub fn new(g: &Graph, filter: &EdgeFilter) -> SimpleView {
        let f = filter.compile(g);
        let n = g.node_count();
        let ranges = balanced_ranges(n, threads(), |v| g.degree(v as NodeIdx) as usize);
        let parts: Vec<(Vec<usize>, Vec<u32>, Vec<f32>)> = std::thread::scope(|sc| {
            let handles: Vec<_> = ranges
                .iter()
                .cloned()
                .map(|r| {
                    let f = &f;
                    sc.spawn(move || {
                        let mut counts = Vec::with_capacity(r.len());
                        let mut nbrs = Vec::new();
                        let mut weights = Vec::new();
                        let mut buf: Vec<(u32, f32)> = Vec::new();
                        for v in r {
                            buf.clear();
                            let v = v as NodeIdx;
                            buf.extend(
                                g.adj(v)
                                    .iter()
                                    .filter(|a| f.passes(g, a.edge))
                                    .map(|a| (a.nbr, g.strength_of(a.edge))),
                            );
                            buf.sort_unstable_by_key(|x| x.0);
                            let before = nbrs.len();
                            for &(u, w) in &buf {
                                if nbrs.len() > before && nbrs.last() == Some(&u) {
                                    if let Some(lw) = weights.last_mut() {
                                        *lw += w;
                                    }
                                } else {
                                    nbrs.push(u);
                                    weights.push(w);
                                }
                            }
                            counts.push(nbrs.len() - before);
                        }
                        (counts, nbrs, weights)
                    })
                })
                .collect();
            handles.into_iter().filter_map(|h| h.join().ok()).collect()
        });
        let total: usize = parts.iter().map(|p| p.1.len()).sum();
        let mut offsets = Vec::with_capacity(n + 1);
        let mut nbrs = Vec::with_capacity(total);
        let mut weights = Vec::with_capacity(total);
        offsets.push(0);
        for (counts, nb, w) in parts {
            for c in counts {
                let last = offsets.last().copied().unwrap_or(0);
                offsets.push(last + c);
            }
            nbrs.extend_from_slice(&nb);
            weights.extend_from_slice(&w);
        }
        // A thread that died would leave the view short; pad so every node has a (maybe empty) row.
        while offsets.len() < n + 1 {
            offsets.push(nbrs.len());
        }
        SimpleView {
            offsets,
            nbrs,
            weights,
        }
    }

    pub fn node_count(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Number of undirected edges.
    pub fn edge_count(&self) -> usize {
        self.nbrs.len() / 2
    }

    #[inline]
    pub(crate) fn row(&self, v: usize) -> (&[u32], &[f32]) {
        match (self.offsets.get(v), self.offsets.get(v + 1)) {
            (Some(&a), Some(&b)) => (
                self.nbrs.get(a..b).unwrap_or(&[]),
                self.weights.get(a..b).unwrap_or(&[]),
            ),
            _ => (&[], &[]),
        }
    }

    /// Number of distinct neighbours.
    pub fn degree(&self, v: NodeIdx) -> usize {
        self.row(v as usize).0.len()
    }

    /// Sum of edge weights at `v`.
    pub fn weighted_degree(&self, v: NodeIdx) -> f64 {
        self.row(v as usize).1.iter().map(|&w| f64::from(w)).sum()
    }

    pub fn memory_bytes(&self) -> usize {
        std::mem::size_of_val(self.offsets.as_slice())
            + std::mem::size_of_val(self.nbrs.as_slice())
            + std::mem::size_of_val(self.weights.as_slice())
    }
}

/// Indices of the `k` largest scores, largest first (ties: lower index first).
pub fn top_k(scores: &[f64], k: usize) -> Vec<(NodeIdx, f64)> {
    let mut idx: Vec<(NodeIdx, f64)> = scores
        .iter()
        .enumerate()
        .map(|(i, &s)| (i as NodeIdx, s))
        .collect();
    let k = k.min(idx.len());
    if k == 0 {
        return Vec::new();
    }
    let cmp = |a: &(NodeIdx, f64), b: &(NodeIdx, f64)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    if k < idx.len() {
        idx.select_nth_unstable_by(k - 1, cmp);
        idx.truncate(k);
    }
    idx.sort_by(cmp);
    idx
}

/// Degree centrality: distinct neighbours per node, divided by `n − 1` (networkx convention).
pub fn degree_centrality(sv: &SimpleView) -> Vec<f64> {
    let n = sv.node_count();
    let denom = if n > 1 { (n - 1) as f64 } else { 1.0 };
    (0..n)
        .map(|v| sv.degree(v as NodeIdx) as f64 / denom)
        .collect()
}

/// Betweenness centrality (unweighted shortest paths, i.e. hop counts).
#[derive(Clone, Debug, serde::Serialize)]
pub struct Betweenness {
    /// Normalised as networkx does for undirected graphs: pair-dependencies over `(n−1)(n−2)/2`.
    pub normalized: Vec<f64>,
    /// Empirical standard error of each sampled estimate (same scale; finite-population
    /// corrected); `None` when exact. Optimistic for nodes whose betweenness comes from a few
    /// sources (e.g. the only gate to a branch that no pivot fell in): use `error_bound_95`
    /// for a guarantee.
    pub stderr: Option<Vec<f64>>,
    /// Hoeffding bound: with probability ≥ 95 %, each node's normalised estimate is within this
    /// of the exact value (each source contributes at most `n − 2` to a node, so the scaled
    /// per-source contributions lie in `[0, 1]`): `n/(n−1) · sqrt(ln(2/0.05) / (2k))`. 0 when exact.
    pub error_bound_95: f64,
    /// Number of source nodes used.
    pub pivots: usize,
    pub exact: bool,
}

struct BrandesAcc {
    sum: Vec<f64>,
    sumsq: Vec<f64>,
}

/// Brandes' algorithm. `pivots = None` or `≥ n`: exact (all sources); otherwise that many
/// distinct sources drawn uniformly with `seed`, scaled by `n / pivots` (unbiased), with a
/// standard error per node from the spread of the per-source contributions.
pub fn betweenness(sv: &SimpleView, pivots: Option<usize>, seed: u64) -> Betweenness {
    let n = sv.node_count();
    let exact = pivots.is_none_or(|k| k >= n);
    let sources: Vec<u32> = if exact {
        (0..n as u32).collect()
    } else {
        let k = pivots.unwrap_or(n).max(1);
        let mut all: Vec<u32> = (0..n as u32).collect();
        let mut rng = SplitMix64::new(seed);
        // Partial Fisher–Yates: the first k are a uniform sample without replacement.
        for i in 0..k.min(n) {
            let j = i + rng.below((n - i) as u64) as usize;
            all.swap(i, j);
        }
        all.truncate(k);
        all
    };
    let k = sources.len();
    let next = AtomicUsize::new(0);
    let want_sq = !exact;
    let accs: Vec<BrandesAcc> = std::thread::scope(|sc| {
        let handles: Vec<_> = (0..threads().min(k.max(1)))
            .map(|_| {
                let (next, sources) = (&next, &sources);
                sc.spawn(move || {
                    let mut acc = BrandesAcc {
                        sum: vec![0.0; n],
                        sumsq: if want_sq { vec![0.0; n] } else { Vec::new() },
                    };
                    let mut st = vec![UNSEEN; n];
                    let mut order: Vec<u32> = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&s) = sources.get(i) else {
                            break;
                        };
                        brandes_one(sv, s, &mut st, &mut order, &mut acc);
                    }
                    acc
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let mut sum = vec![0.0; n];
    let mut sumsq = vec![0.0; if want_sq { n } else { 0 }];
    for a in accs {
        sum.iter_mut().zip(&a.sum).for_each(|(x, y)| *x += y);
        sumsq.iter_mut().zip(&a.sumsq).for_each(|(x, y)| *x += y);
    }
    let norm = if n > 2 {
        1.0 / ((n - 1) as f64 * (n - 2) as f64)
    } else {
        0.0
    };
    let kf = k.max(1) as f64;
    let nf = n as f64;
    let scale = norm * nf / kf;
    let normalized: Vec<f64> = sum.iter().map(|s| s * scale).collect();
    let stderr = if exact {
        None
    } else {
        let fpc = if n > 1 {
            ((nf - kf) / (nf - 1.0)).max(0.0).sqrt()
        } else {
            0.0
        };
        Some(
            sum.iter()
                .zip(&sumsq)
                .map(|(s, sq)| {
                    if k < 2 {
                        return f64::INFINITY;
                    }
                    let mean = s / kf;
                    let var = ((sq / kf - mean * mean) * kf / (kf - 1.0)).max(0.0);
                    norm * nf * (var / kf).sqrt() * fpc
                })
                .collect(),
        )
    };
    let error_bound_95 = if exact || n < 2 {
        0.0
    } else {
        nf / (nf - 1.0) * ((2.0f64 / 0.05).ln() / (2.0 * kf)).sqrt()
    };
    Betweenness {
        normalized,
        stderr,
        error_bound_95,
        pivots: k,
        exact,
    }
}

/// Per-node state of one Brandes source, together so a visit touches one cache line.
#[derive(Clone, Copy)]
struct BState {
    sigma: f64,
    delta: f64,
    dist: i32,
}

const UNSEEN: BState = BState {
    sigma: 0.0,
    delta: 0.0,
    dist: -1,
};

fn brandes_one(
    sv: &SimpleView,
    s: u32,
    st: &mut [BState],
    order: &mut Vec<u32>,
    acc: &mut BrandesAcc,
) {
    order.clear();
    let si = s as usize;
    if si >= st.len() {
        return;
    }
    st[si] = BState {
        sigma: 1.0,
        delta: 0.0,
        dist: 0,
    };
    order.push(s);
    let mut head = 0;
    while let Some(&v) = order.get(head) {
        head += 1;
        let BState {
            sigma: sv_,
            dist: dv,
            ..
        } = st[v as usize];
        for &w in sv.row(v as usize).0 {
            let x = &mut st[w as usize];
            if x.dist < 0 {
                x.dist = dv + 1;
                order.push(w);
            }
            if x.dist == dv + 1 {
                x.sigma += sv_;
            }
        }
    }
    for &w in order.iter().rev() {
        let wi = w as usize;
        let BState {
            sigma,
            delta,
            dist: dw,
        } = st[wi];
        let coeff = (1.0 + delta) / sigma;
        for &v in sv.row(wi).0 {
            let x = &mut st[v as usize];
            if x.dist == dw - 1 {
                x.delta += x.sigma * coeff;
            }
        }
        if w != s {
            acc.sum[wi] += delta;
            if let Some(q) = acc.sumsq.get_mut(wi) {
                *q += delta * delta;
            }
        }
    }
    for &w in order.iter() {
        st[w as usize] = UNSEEN;
    }
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct PageRank {
    pub scores: Vec<f64>,
    pub iterations: usize,
    pub converged: bool,
}

/// Weighted PageRank by power iteration (weights = summed strengths; an undirected edge counts
/// both ways; dangling nodes spread uniformly, as networkx). Stops when the L1 change of the
/// whole vector is below `tol` (networkx compares with `n · tol`, which is loose on large graphs).
pub fn pagerank(sv: &SimpleView, damping: f64, tol: f64, max_iter: usize) -> PageRank {
    let n = sv.node_count();
    if n == 0 {
        return PageRank {
            scores: Vec::new(),
            iterations: 0,
            converged: true,
        };
    }
    let nf = n as f64;
    let wdeg: Vec<f64> = (0..n).map(|v| sv.weighted_degree(v as NodeIdx)).collect();
    let mut x = vec![1.0 / nf; n];
    let mut y = vec![0.0; n];
    let mut next = vec![0.0; n];
    let ranges = balanced_ranges(n, threads(), |v| sv.degree(v as NodeIdx));
    let mut iterations = 0;
    let mut converged = false;
    while iterations < max_iter {
        iterations += 1;
        let mut dangling = 0.0;
        for ((yv, &xv), &w) in y.iter_mut().zip(&x).zip(&wdeg) {
            if w > 0.0 {
                *yv = xv / w;
            } else {
                *yv = 0.0;
                dangling += xv;
            }
        }
        let base = (1.0 - damping) / nf + damping * dangling / nf;
        let err: f64 = std::thread::scope(|sc| {
            let mut rest: &mut [f64] = &mut next;
            let mut handles = Vec::new();
            for r in &ranges {
                let (chunk, tail) = rest.split_at_mut(r.len().min(rest.len()));
                rest = tail;
                let (y, x, r) = (&y, &x, r.clone());
                handles.push(sc.spawn(move || {
                    let mut err = 0.0;
                    for (slot, v) in chunk.iter_mut().zip(r) {
                        let (nb, ws) = sv.row(v);
                        let mut s = 0.0;
                        for (&u, &w) in nb.iter().zip(ws) {
                            s += f64::from(w) * y.get(u as usize).copied().unwrap_or(0.0);
                        }
                        let nv = base + damping * s;
                        err += (nv - x.get(v).copied().unwrap_or(0.0)).abs();
                        *slot = nv;
                    }
                    err
                }));
            }
            handles.into_iter().filter_map(|h| h.join().ok()).sum()
        });
        std::mem::swap(&mut x, &mut next);
        if err < tol {
            converged = true;
            break;
        }
    }
    PageRank {
        scores: x,
        iterations,
        converged,
    }
}
