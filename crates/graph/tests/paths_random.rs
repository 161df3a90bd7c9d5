//! Shortest and k-shortest paths against brute force (every simple path enumerated) on many
//! small random multigraphs, with directed edges, kind filters and hub penalties.

use std::collections::HashMap;

use dossier_graph::{EdgeFilter, EdgeRecord, Graph, GraphBuilder, KindId, PathOptions, QueryCtx};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn random_graph(rng: &mut Rng, n: i64, m: usize) -> Graph {
    let mut b = GraphBuilder::new().as_of(20_000);
    let kinds = [b.kind("a").expect("kind"), b.kind("b").expect("kind")];
    for _ in 0..m {
        let s = rng.below(n as u64) as i64;
        let d = rng.below(n as u64) as i64;
        let dated = rng.below(2) == 0;
        b.add_edge(EdgeRecord {
            src: s * 10,
            dst: d * 10,
            kind: kinds[rng.below(2) as usize],
            directed: rng.below(3) == 0,
            sentences: 1 + rng.below(30) as u32,
            docs: 1 + rng.below(5) as u32,
            first_seen: dated.then_some(19_000),
            last_seen: dated.then(|| 19_000 + rng.below(1000) as i32),
        });
    }
    b.build().expect("build")
}

/// Cheapest traversable edge cost per ordered node pair, under the options.
fn arc_costs(g: &Graph, opts: &PathOptions) -> HashMap<(i64, i64), f64> {
    let mut arcs: HashMap<(i64, i64), f64> = HashMap::new();
    for e in 0..g.edge_count() as u32 {
        let info = g.edge_info(e).expect("edge");
        if let Some(ks) = &opts.filter.kinds {
            if !ks.iter().any(|k| g.kind_name(*k) == info.kind) {
                continue;
            }
        }
        let c = f64::from((1.0 / f64::from(info.strength)) as f32);
        let mut dirs = vec![(info.src, info.dst)];
        if !(info.directed && opts.respect_direction) {
            dirs.push((info.dst, info.src));
        }
        for (a, b) in dirs {
            let pen =
                opts.hub_penalty * (1.0 + f64::from(g.degree(g.index_of(b).expect("node")))).ln();
            let slot = arcs.entry((a, b)).or_insert(f64::INFINITY);
            *slot = slot.min(c + pen);
        }
    }
    arcs
}

fn all_simple_paths(
    arcs: &HashMap<(i64, i64), f64>,
    nodes: &[i64],
    s: i64,
    t: i64,
) -> Vec<(f64, Vec<i64>)> {
    fn dfs(
        arcs: &HashMap<(i64, i64), f64>,
        nodes: &[i64],
        t: i64,
        path: &mut Vec<i64>,
        cost: f64,
        out: &mut Vec<(f64, Vec<i64>)>,
    ) {
        let Some(&u) = path.last() else { return };
        if u == t {
            out.push((cost, path.clone()));
            return;
        }
        for &v in nodes {
            if path.contains(&v) {
                continue;
            }
            if let Some(c) = arcs.get(&(u, v)) {
                path.push(v);
                dfs(arcs, nodes, t, path, cost + c, out);
                path.pop();
            }
        }
    }
    let mut out = Vec::new();
    dfs(arcs, nodes, t, &mut vec![s], 0.0, &mut out);
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    out
}

#[test]
fn paths_match_brute_force_on_random_multigraphs() {
    let mut rng = Rng(99);
    let mut compared = 0;
    for round in 0..150 {
        let g = random_graph(&mut rng, 8, 16);
        let nodes: Vec<i64> = (0..g.node_count() as u32).map(|v| g.id_of(v)).collect();
        let mut ctx = QueryCtx::new(&g);
        let opts = PathOptions {
            filter: EdgeFilter {
                kinds: (round % 3 == 0).then(|| vec![KindId(0)]),
                ..EdgeFilter::default()
            },
            respect_direction: round % 2 == 0,
            hub_penalty: if round % 4 < 2 { 0.0 } else { 0.3 },
            max_settled: 0,
        };
        let arcs = arc_costs(&g, &opts);
        for _ in 0..4 {
            let s = nodes[rng.below(nodes.len() as u64) as usize];
            let t = nodes[rng.below(nodes.len() as u64) as usize];
            if s == t {
                continue;
            }
            let want = all_simple_paths(&arcs, &nodes, s, t);
            let got = g.shortest_path(&mut ctx, s, t, &opts).expect("ids");
            match (want.first(), &got) {
                (None, None) => {}
                (Some(w), Some(p)) => {
                    assert!(
                        (w.0 - p.cost).abs() < 1e-9,
                        "round {round} {s}->{t}: {} vs {}",
                        p.cost,
                        w.0
                    )
                }
                _ => panic!("round {round} {s}->{t}: reachability differs: {want:?} vs {got:?}"),
            }
            let k = 1 + rng.below(10) as usize;
            let ks = g.k_shortest_paths(&mut ctx, s, t, k, &opts).expect("ids");
            assert_eq!(ks.len(), want.len().min(k), "round {round} {s}->{t} k={k}");
            for (i, (p, w)) in ks.iter().zip(&want).enumerate() {
                assert!(
                    (p.cost - w.0).abs() < 1e-9,
                    "round {round} {s}->{t} #{i}: {} vs {}",
                    p.cost,
                    w.0
                );
                // Every hop follows a usable edge of the right kind and direction.
                for h in &p.hops {
                    assert!(arcs.contains_key(&(h.from, h.to)));
                }
            }
            compared += 1;
        }
    }
    assert!(compared > 400, "{compared}");
}
