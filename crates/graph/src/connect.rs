//! "What connects these entities?": shared neighbours ranked by surprise, and a connecting
//! subgraph.
//!
//! **Surprise of a shared neighbour.** Under a configuration-model null (edges placed at random
//! with the observed degrees), a node `c` of degree `d_c` is adjacent to a member `s` of degree
//! `d_s` with probability about `d_c · d_s / 2M` (`2M` = sum of degrees). The surprise of seeing
//! that link is `−ln p`; we use the smooth `ln(1 + 2M / (d_c · d_s))`, which is never negative, and
//! weight it by the link's evidence, `w = strength / (1 + strength)`. A shared neighbour's score is
//! the sum over the members it touches (at least two). A hub ("ISIS", "Europe") touching every
//! member scores little per link; a specific handler touching three of four attacks scores high.
//! With `max_hops = 2` a candidate may also reach a member through one intermediate node (attack
//! → perpetrator → handler); such a link scores `two_hop_discount × min(surprise of its two
//! links)`, so a path through a hub stays cheap. Each member counts once, with its best link.
//!
//! **Connecting subgraph.** The Kou–Markowsky–Berman Steiner-tree approximation: cheapest paths
//! between every pair of members (with a hub penalty so paths avoid hubs), a minimum spanning
//! forest over those path costs, and the union of the chosen paths and of the links of the top
//! `subgraph_shared` shared neighbours. Its inner nodes are ranked by the summed surprise of
//! their links inside the subgraph (the link score above), so specific intermediaries outrank hubs.

use std::collections::{HashMap, HashSet};

use crate::build::Graph;
use crate::filter::EdgeFilter;
use crate::paths::{IPath, Path, PathOptions, QueryCtx};
use crate::query::{EdgeInfo, NodeRef};
use crate::{GraphError, NodeIdx, Result};

/// A candidate's best link to one member: direct (`via == u32::MAX`, edge `e1`) or through
/// `via` (edges `e1` member–via, `e2` via–candidate).
#[derive(Clone, Copy, Debug)]
struct Link {
    member: usize,
    via: NodeIdx,
    e1: u32,
    e2: u32,
    score: f64,
}

impl Link {
    fn edges(&self) -> impl Iterator<Item = u32> {
        [self.e1, self.e2].into_iter().filter(|&e| e != u32::MAX)
    }
}

/// A shared-neighbour candidate: score, node, best link per member.
type Scored = (f64, NodeIdx, Vec<Link>);

/// Most members accepted by [`Graph::connect`] (pairwise searches grow quadratically).
pub const MAX_MEMBERS: usize = 32;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ConnectOptions {
    pub filter: EdgeFilter,
    /// Most shared neighbours returned.
    pub max_shared: usize,
    /// Hub penalty of the connecting paths (see [`PathOptions::hub_penalty`]).
    pub hub_penalty: f64,
    /// Per-search settle budget (0 = no limit).
    pub max_settled: usize,
    /// How many of the top shared neighbours add their links to the connecting subgraph.
    pub subgraph_shared: usize,
    /// 1: shared neighbours must be adjacent to the members; 2 (default): they may also reach
    /// a member through one intermediate node (a perpetrator, a phone number).
    pub max_hops: u32,
    /// Factor on the score of a two-hop link (its score is this × the smaller of its two link
    /// scores).
    pub two_hop_discount: f64,
    /// Nodes with more links than this are not expanded for two-hop links.
    pub max_expand_degree: u32,
    /// Most adjacency entries scanned for two-hop links per member (strongest links first),
    /// which bounds the query time whatever the members.
    pub max_expand_edges: usize,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            filter: EdgeFilter::default(),
            max_shared: 20,
            hub_penalty: 0.25,
            max_settled: 0,
            subgraph_shared: 3,
            max_hops: 2,
            two_hop_discount: 0.5,
            max_expand_degree: 5_000,
            max_expand_edges: 200_000,
        }
    }
}

/// How a shared neighbour reaches one member.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct MemberLink {
    pub member: i64,
    /// The intermediate node of a two-hop link (None: direct).
    pub via: Option<NodeRef>,
    /// The edges, from the member outwards (one or two); their evidence backs the link.
    pub edges: Vec<EdgeInfo>,
    pub score: f64,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SharedNeighbour {
    pub node: NodeRef,
    /// Members it is linked to (external ids), at most `max_hops` away.
    pub members: Vec<i64>,
    /// How many of those links are direct.
    pub direct: usize,
    /// The best link to each of those members, same order.
    pub links: Vec<MemberLink>,
    pub score: f64,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SubgraphNode {
    pub node: NodeRef,
    /// One of the queried members.
    pub terminal: bool,
    /// Summed surprise of the node's links inside the subgraph (0 for members).
    pub score: f64,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Connection {
    /// Shared neighbours, most surprising first.
    pub shared: Vec<SharedNeighbour>,
    /// Nodes of the connecting subgraph, inner nodes by score first, then members.
    pub nodes: Vec<SubgraphNode>,
    /// Edges of the connecting subgraph.
    pub edges: Vec<EdgeInfo>,
    /// The member-to-member paths the subgraph is made of.
    pub paths: Vec<Path>,
    /// Members not connected to the first member's component.
    pub unreachable: Vec<i64>,
}

impl Graph {
    fn two_m(&self) -> f64 {
        (self.adj.len() as f64).max(1.0)
    }

    /// IDF-style specificity of a node: high for rare nodes, low for hubs.
    pub fn specificity(&self, v: NodeIdx) -> f64 {
        (1.0 + self.two_m() / f64::from(self.degree(v).max(1))).ln()
    }

    /// What connects `members`: shared neighbours and a connecting subgraph.
    pub fn connect(
        &self,
        ctx: &mut QueryCtx,
        members: &[i64],
        opts: &ConnectOptions,
    ) -> Result<Connection> {
        let mut terms = self.indices_of(members)?;
        terms.sort_unstable();
        terms.dedup();
        if terms.len() < 2 {
            return Err(GraphError::Invalid(
                "connect needs at least two distinct entities".into(),
            ));
        }
        if terms.len() > MAX_MEMBERS {
            return Err(GraphError::Invalid(format!(
                "connect takes at most {MAX_MEMBERS} entities"
            )));
        }
        // Keep the caller's order for reporting.
        let order: Vec<NodeIdx> = {
            let mut seen = HashSet::new();
            members
                .iter()
                .filter_map(|&id| self.index_of(id))
                .filter(|v| seen.insert(*v))
                .collect()
        };
        let scored = self.shared_neighbours(&order, opts);
        // The strongest shared neighbours' links join the subgraph even when the cheapest paths
        // run elsewhere (e.g. through a hub with more co-mentions).
        let extra: Vec<u32> = scored
            .iter()
            .take(opts.subgraph_shared)
            .flat_map(|(_, _, links)| links.iter().flat_map(|l| l.edges()))
            .collect();
        let (nodes, edges, paths, unreachable) = self.steiner(ctx, &order, &extra, opts);
        let shared = scored
            .into_iter()
            .map(|(score, c, links)| SharedNeighbour {
                node: self.node_ref(c),
                members: links
                    .iter()
                    .filter_map(|l| order.get(l.member).map(|&s| self.id_of(s)))
                    .collect(),
                direct: links.iter().filter(|l| l.via == u32::MAX).count(),
                links: links
                    .iter()
                    .filter_map(|l| {
                        Some(MemberLink {
                            member: self.id_of(*order.get(l.member)?),
                            via: (l.via != u32::MAX).then(|| self.node_ref(l.via)),
                            edges: l.edges().filter_map(|e| self.edge_info(e)).collect(),
                            score: l.score,
                        })
                    })
                    .collect(),
                score,
            })
            .collect();
        Ok(Connection {
            shared,
            nodes,
            edges,
            paths,
            unreachable,
        })
    }

    fn shared_neighbours(&self, terms: &[NodeIdx], opts: &ConnectOptions) -> Vec<Scored> {
        let f = opts.filter.compile(self);
        let is_term: HashSet<NodeIdx> = terms.iter().copied().collect();
        let two_hops = opts.max_hops >= 2;
        // candidate -> best link per member (members are visited in order, so a member's entry
        // is always the last one).
        let mut cands: HashMap<NodeIdx, Vec<Link>> = HashMap::new();
        let mut upsert = |c: NodeIdx, link: Link| {
            let entry = cands.entry(c).or_default();
            match entry.last_mut() {
                Some(last) if last.member == link.member => {
                    if link.score > last.score {
                        *last = link;
                    }
                }
                _ => entry.push(link),
            }
        };
        for (j, &s) in terms.iter().enumerate() {
            let expand_from_here = two_hops && self.degree(s) <= opts.max_expand_degree;
            let mut budget = opts.max_expand_edges;
            for a in self.adj(s) {
                let x = a.nbr;
                if is_term.contains(&x) || !f.passes(self, a.edge) {
                    continue;
                }
                let s1 = self.link_surprise(a.edge, s, x);
                upsert(
                    x,
                    Link {
                        member: j,
                        via: u32::MAX,
                        e1: a.edge,
                        e2: u32::MAX,
                        score: s1,
                    },
                );
                // Two hops: member - x - c. Hubs are not expanded: links through them carry
                // little surprise anyway.
                let dx = self.degree(x) as usize;
                if !expand_from_here || dx > opts.max_expand_degree as usize || dx > budget {
                    continue;
                }
                budget -= dx;
                for b2 in self.adj(x) {
                    let c = b2.nbr;
                    if c == s || is_term.contains(&c) || !f.passes(self, b2.edge) {
                        continue;
                    }
                    let s2 = self.link_surprise(b2.edge, x, c);
                    upsert(
                        c,
                        Link {
                            member: j,
                            via: x,
                            e1: a.edge,
                            e2: b2.edge,
                            score: opts.two_hop_discount * s1.min(s2),
                        },
                    );
                }
            }
        }
        let mut scored: Vec<Scored> = cands
            .into_iter()
            .filter(|(_, links)| links.len() >= 2)
            .map(|(c, links)| (links.iter().map(|l| l.score).sum(), c, links))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.truncate(opts.max_shared);
        scored
    }

    /// Surprise of one link (see the module documentation), evidence-weighted.
    fn link_surprise(&self, e: u32, a: NodeIdx, b: NodeIdx) -> f64 {
        let da = f64::from(self.degree(a).max(1));
        let db = f64::from(self.degree(b).max(1));
        let st = f64::from(self.strength_of(e));
        (st / (1.0 + st)) * (1.0 + self.two_m() / (da * db)).ln()
    }

    #[allow(clippy::type_complexity)]
    fn steiner(
        &self,
        ctx: &mut QueryCtx,
        terms: &[NodeIdx],
        extra: &[u32],
        opts: &ConnectOptions,
    ) -> (Vec<SubgraphNode>, Vec<EdgeInfo>, Vec<Path>, Vec<i64>) {
        let popts = PathOptions {
            filter: opts.filter.clone(),
            respect_direction: false,
            hub_penalty: opts.hub_penalty,
            max_settled: opts.max_settled,
        };
        let f = popts.filter.compile(self);
        ctx.fit(self);
        ctx.next_block_gen();
        let t = terms.len();
        let mut pair_paths: Vec<(f64, usize, usize, IPath)> = Vec::new();
        for i in 0..t {
            for j in i + 1..t {
                let (Some(&a), Some(&b)) = (terms.get(i), terms.get(j)) else {
                    continue;
                };
                if let Some(p) = self.bidir(ctx, a, b, &f, &popts) {
                    pair_paths.push((p.cost(), i, j, p));
                }
            }
        }
        // Kruskal over the metric closure.
        pair_paths.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        let mut parent: Vec<usize> = (0..t).collect();
        fn find(p: &mut [usize], mut x: usize) -> usize {
            while let Some(&px) = p.get(x) {
                if px == x {
                    break;
                }
                let gp = p.get(px).copied().unwrap_or(px);
                if let Some(slot) = p.get_mut(x) {
                    *slot = gp;
                }
                x = gp;
            }
            x
        }
        let mut chosen: Vec<IPath> = Vec::new();
        for (_, i, j, p) in pair_paths {
            let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
            if ri != rj {
                if let Some(slot) = parent.get_mut(ri) {
                    *slot = rj;
                }
                chosen.push(p);
            }
        }
        let root0 = find(&mut parent, 0);
        let unreachable: Vec<i64> = (1..t)
            .filter(|&i| find(&mut parent, i) != root0)
            .filter_map(|i| terms.get(i).map(|&v| self.id_of(v)))
            .collect();

        let is_term: HashSet<NodeIdx> = terms.iter().copied().collect();
        let mut edge_set: Vec<u32> = extra.to_vec();
        for p in &chosen {
            edge_set.extend_from_slice(&p.edges);
        }
        edge_set.sort_unstable();
        edge_set.dedup();
        // Inner nodes score the surprise of their links inside the subgraph.
        let mut score: HashMap<NodeIdx, f64> = HashMap::new();
        for &e in &edge_set {
            let (Some(&a), Some(&b)) = (self.e_src.get(e as usize), self.e_dst.get(e as usize))
            else {
                continue;
            };
            let s = self.link_surprise(e, a, b);
            for v in [a, b] {
                if !is_term.contains(&v) {
                    *score.entry(v).or_default() += s;
                }
            }
        }
        let mut nodes: Vec<SubgraphNode> = score
            .iter()
            .map(|(&v, &s)| SubgraphNode {
                node: self.node_ref(v),
                terminal: false,
                score: s,
            })
            .collect();
        nodes.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.node.id.cmp(&b.node.id)));
        nodes.extend(terms.iter().map(|&v| SubgraphNode {
            node: self.node_ref(v),
            terminal: true,
            score: 0.0,
        }));
        let edges = edge_set.iter().filter_map(|&e| self.edge_info(e)).collect();
        let paths = chosen.iter().map(|p| self.to_path(p)).collect();
        (nodes, edges, paths, unreachable)
    }
}
