//! Louvain communities (weighted modularity, resolution γ) and a label for each.

use std::collections::HashMap;

use crate::build::Graph;
use crate::centrality::SimpleView;
use crate::query::NodeRef;
use crate::rng::SplitMix64;
use crate::NodeIdx;

/// Result of [`louvain`]. Community ids are dense, largest community first.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Communities {
    pub membership: Vec<u32>,
    pub count: usize,
    pub modularity: f64,
    pub levels: usize,
}

/// A labelled community.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CommunitySummary {
    pub id: u32,
    pub size: usize,
    /// Human label: the top members' names and the dominant entity type, e.g.
    /// `"Abu X, Cell Y, Brussels (PER)"`.
    pub label: String,
    pub top_members: Vec<NodeRef>,
    pub dominant_label: String,
}

/// One level's graph: rows without self-loops plus the self-loop weight (`A_vv`, internal edges
/// counted from both ends).
struct Level {
    offsets: Vec<usize>,
    nbrs: Vec<u32>,
    w: Vec<f64>,
    selfw: Vec<f64>,
}

impl Level {
    fn n(&self) -> usize {
        self.selfw.len()
    }

    fn row(&self, v: usize) -> (&[u32], &[f64]) {
        match (self.offsets.get(v), self.offsets.get(v + 1)) {
            (Some(&a), Some(&b)) => (
                self.nbrs.get(a..b).unwrap_or(&[]),
                self.w.get(a..b).unwrap_or(&[]),
            ),
            _ => (&[], &[]),
        }
    }

    fn k(&self, v: usize) -> f64 {
        self.selfw.get(v).copied().unwrap_or(0.0) + self.row(v).1.iter().sum::<f64>()
    }
}

/// Louvain: local moving then aggregation, repeated until no node moves. Deterministic for a
/// given `seed` (node visiting order is a seeded shuffle).
pub fn louvain(sv: &SimpleView, resolution: f64, seed: u64) -> Communities {
    let n0 = sv.node_count();
    let mut level = Level {
        offsets: sv.offsets.clone(),
        nbrs: sv.nbrs.clone(),
        w: sv.weights.iter().map(|&w| f64::from(w)).collect(),
        selfw: vec![0.0; n0],
    };
    let mut membership: Vec<u32> = (0..n0 as u32).collect();
    let mut rng = SplitMix64::new(seed);
    let mut levels = 0;
    let m2: f64 = (0..n0).map(|v| level.k(v)).sum();
    if m2 <= 0.0 {
        return finish(membership, &level, m2, resolution, levels);
    }
    loop {
        let n = level.n();
        let (comm, moved) = local_moving(&level, m2, resolution, &mut rng);
        levels += 1;
        // Renumber to dense ids.
        let mut remap = vec![u32::MAX; n];
        let mut c = 0u32;
        for &x in &comm {
            if let Some(slot) = remap.get_mut(x as usize) {
                if *slot == u32::MAX {
                    *slot = c;
                    c += 1;
                }
            }
        }
        let comm: Vec<u32> = comm
            .iter()
            .map(|&x| remap.get(x as usize).copied().unwrap_or(0))
            .collect();
        for m in membership.iter_mut() {
            *m = comm.get(*m as usize).copied().unwrap_or(0);
        }
        level = aggregate(&level, &comm, c as usize);
        if !moved || c as usize == n || levels >= 32 {
            break;
        }
    }
    finish(membership, &level, m2, resolution, levels)
}

fn finish(
    membership: Vec<u32>,
    level: &Level,
    m2: f64,
    resolution: f64,
    levels: usize,
) -> Communities {
    // Renumber by size, largest first.
    let c = level.n();
    let mut sizes = vec![0usize; c];
    for &m in &membership {
        if let Some(s) = sizes.get_mut(m as usize) {
            *s += 1;
        }
    }
    let mut order: Vec<usize> = (0..c).collect();
    order.sort_by(|&a, &b| sizes[b].cmp(&sizes[a]).then(a.cmp(&b)));
    let mut rank = vec![0u32; c];
    for (r, &cid) in order.iter().enumerate() {
        rank[cid] = r as u32;
    }
    let membership: Vec<u32> = membership
        .iter()
        .map(|&m| rank.get(m as usize).copied().unwrap_or(0))
        .collect();
    let modularity = if m2 > 0.0 {
        (0..c)
            .map(|x| {
                let k = level.k(x) / m2;
                level.selfw.get(x).copied().unwrap_or(0.0) / m2 - resolution * k * k
            })
            .sum()
    } else {
        0.0
    };
    let count = sizes.iter().filter(|&&s| s > 0).count();
    Communities {
        membership,
        count,
        modularity,
        levels,
    }
}

fn local_moving(level: &Level, m2: f64, gamma: f64, rng: &mut SplitMix64) -> (Vec<u32>, bool) {
    let n = level.n();
    let mut comm: Vec<u32> = (0..n as u32).collect();
    let k: Vec<f64> = (0..n).map(|v| level.k(v)).collect();
    let mut tot = k.clone();
    let mut nw = vec![0.0f64; n];
    let mut touched: Vec<u32> = Vec::new();
    let mut order: Vec<u32> = (0..n as u32).collect();
    rng.shuffle(&mut order);
    // Fast local moving (as in Leiden): a queue of nodes to visit, starting with all of them;
    // when a node moves, its neighbours outside its new community are queued again. Far fewer
    // visits than full passes until nothing moves, for the same local optimum criterion.
    let mut queue: std::collections::VecDeque<u32> = order.into();
    let mut queued = vec![true; n];
    // Each move raises modularity, so this ends; the cap only bounds pathological inputs.
    let max_visits = n.saturating_mul(64).max(1024);
    let mut visits = 0usize;
    let mut any_moved = false;
    while let Some(v) = queue.pop_front() {
        let vi = v as usize;
        queued[vi] = false;
        visits += 1;
        if visits > max_visits {
            break;
        }
        let cv = comm[vi];
        let kv = k[vi];
        let (nb, ws) = level.row(vi);
        for (&u, &w) in nb.iter().zip(ws) {
            let cu = comm[u as usize];
            if nw[cu as usize] == 0.0 {
                touched.push(cu);
            }
            nw[cu as usize] += w;
        }
        tot[cv as usize] -= kv;
        let gain =
            |c: u32, nw: &[f64], tot: &[f64]| nw[c as usize] - gamma * tot[c as usize] * kv / m2;
        let mut best = cv;
        let mut best_gain = gain(cv, &nw, &tot);
        for &c in &touched {
            let g = gain(c, &nw, &tot);
            if g > best_gain + 1e-12 {
                best = c;
                best_gain = g;
            }
        }
        tot[best as usize] += kv;
        for &c in &touched {
            nw[c as usize] = 0.0;
        }
        touched.clear();
        if best != cv {
            comm[vi] = best;
            any_moved = true;
            for &u in nb {
                let ui = u as usize;
                if !queued[ui] && comm[ui] != best {
                    queued[ui] = true;
                    queue.push_back(u);
                }
            }
        }
    }
    (comm, any_moved)
}

fn aggregate(level: &Level, comm: &[u32], c: usize) -> Level {
    // Members of each community (counting sort).
    let mut start = vec![0usize; c + 1];
    for &x in comm {
        start[x as usize + 1] += 1;
    }
    for i in 0..c {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut members = vec![0u32; comm.len()];
    for (v, &x) in comm.iter().enumerate() {
        members[fill[x as usize]] = v as u32;
        fill[x as usize] += 1;
    }
    let mut offsets = Vec::with_capacity(c + 1);
    offsets.push(0);
    let mut nbrs = Vec::new();
    let mut w = Vec::new();
    let mut selfw = vec![0.0; c];
    let mut acc = vec![0.0f64; c];
    let mut touched: Vec<u32> = Vec::new();
    for cc in 0..c {
        for &v in &members[start[cc]..start[cc + 1]] {
            let vi = v as usize;
            selfw[cc] += level.selfw[vi];
            let (nb, ws) = level.row(vi);
            for (&u, &wt) in nb.iter().zip(ws) {
                let cu = comm[u as usize];
                if cu as usize == cc {
                    selfw[cc] += wt;
                } else {
                    if acc[cu as usize] == 0.0 {
                        touched.push(cu);
                    }
                    acc[cu as usize] += wt;
                }
            }
        }
        touched.sort_unstable();
        for &cu in &touched {
            nbrs.push(cu);
            w.push(acc[cu as usize]);
            acc[cu as usize] = 0.0;
        }
        touched.clear();
        offsets.push(nbrs.len());
    }
    Level {
        offsets,
        nbrs,
        w,
        selfw,
    }
}

/// Labels the `limit` largest communities: top `top` members by `rank` (e.g. PageRank scores)
/// and the most common entity label among all members.
pub fn summarize(
    g: &Graph,
    c: &Communities,
    rank: &[f64],
    top: usize,
    limit: usize,
) -> Vec<CommunitySummary> {
    let wanted = limit.min(c.count);
    let mut members: Vec<Vec<NodeIdx>> = vec![Vec::new(); wanted];
    let mut label_counts: Vec<HashMap<&str, usize>> = vec![HashMap::new(); wanted];
    for (v, &m) in c.membership.iter().enumerate() {
        if let Some(list) = members.get_mut(m as usize) {
            list.push(v as NodeIdx);
            let l = g.label(v as NodeIdx);
            if !l.is_empty() {
                if let Some(lc) = label_counts.get_mut(m as usize) {
                    *lc.entry(l).or_default() += 1;
                }
            }
        }
    }
    members
        .into_iter()
        .zip(label_counts)
        .enumerate()
        .map(|(id, (mut list, lc))| {
            let size = list.len();
            let score = |v: NodeIdx| rank.get(v as usize).copied().unwrap_or(0.0);
            list.sort_by(|&a, &b| score(b).total_cmp(&score(a)).then(a.cmp(&b)));
            list.truncate(top);
            let top_members: Vec<NodeRef> = list.iter().map(|&v| g.node_ref(v)).collect();
            let mut lc: Vec<(&str, usize)> = lc.into_iter().collect();
            lc.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let dominant_label = lc.first().map(|x| x.0.to_owned()).unwrap_or_default();
            let names: Vec<String> = top_members
                .iter()
                .map(|m| {
                    if m.name.is_empty() {
                        format!("#{}", m.id)
                    } else {
                        m.name.clone()
                    }
                })
                .collect();
            let mut label = names.join(", ");
            if !dominant_label.is_empty() {
                label.push_str(&format!(" ({dominant_label})"));
            }
            CommunitySummary {
                id: id as u32,
                size,
                label,
                top_members,
                dominant_label,
            }
        })
        .collect()
}
