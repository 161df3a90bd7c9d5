//! Compares dossier-graph with networkx answers on a seeded generated graph
//! (fixture written by tools/graph/reference.py).

use std::collections::{HashMap, HashSet};

use dossier_graph::centrality::{betweenness, pagerank, SimpleView};
use dossier_graph::{EdgeFilter, EdgeRecord, Graph, GraphBuilder, PathOptions, QueryCtx};
use serde_json::Value;

struct Fixture {
    graph: Graph,
    json: Value,
    /// networkx strength per undirected pair.
    strength: HashMap<(i64, i64), f64>,
}

fn pair(a: i64, b: i64) -> (i64, i64) {
    (a.min(b), a.max(b))
}

fn load() -> Fixture {
    let text = include_str!("fixtures/reference.json");
    let json: Value = serde_json::from_str(text).expect("fixture parses");
    let mut b = GraphBuilder::new();
    for k in json["kinds"].as_array().expect("kinds") {
        b.kind(k.as_str().expect("kind name")).expect("intern");
    }
    let mut strength = HashMap::new();
    for e in json["edges"].as_array().expect("edges") {
        let kind = b.kind(e["kind"].as_str().expect("kind")).expect("intern");
        let src = e["src"].as_i64().expect("src");
        let dst = e["dst"].as_i64().expect("dst");
        strength.insert(pair(src, dst), e["strength"].as_f64().expect("strength"));
        b.add_edge(EdgeRecord {
            src,
            dst,
            kind,
            directed: false,
            sentences: e["sentences"].as_u64().expect("sentences") as u32,
            docs: e["docs"].as_u64().expect("docs") as u32,
            first_seen: e["first_seen"].as_i64().map(|d| d as i32),
            last_seen: e["last_seen"].as_i64().map(|d| d as i32),
        });
    }
    let graph = b.build().expect("build");
    Fixture {
        graph,
        json,
        strength,
    }
}

fn close(a: f64, b: f64, rel: f64, abs: f64) -> bool {
    (a - b).abs() <= abs + rel * a.abs().max(b.abs())
}

#[test]
fn sizes_and_strengths_match_the_reference_formula() {
    let f = load();
    assert_eq!(
        f.graph.node_count(),
        f.json["nodes"].as_array().map_or(0, |a| a.len())
    );
    assert_eq!(f.graph.edge_count(), f.strength.len());
    assert_eq!(f.graph.as_of(), f.json["as_of"].as_i64().map(|d| d as i32));
    for e in 0..f.graph.edge_count() as u32 {
        let info = f.graph.edge_info(e).expect("edge");
        let want = f.strength[&pair(info.src, info.dst)];
        assert!(
            close(f64::from(info.strength), want, 1e-6, 0.0),
            "edge {}-{}: {} vs {want}",
            info.src,
            info.dst,
            info.strength
        );
    }
}

#[test]
fn shortest_path_costs_match_networkx_dijkstra() {
    let f = load();
    let g = &f.graph;
    let mut ctx = QueryCtx::new(g);
    let opts = PathOptions::default();
    let mut checked = 0;
    for src in f.json["shortest"].as_array().expect("shortest") {
        let s = src["source"].as_i64().expect("source");
        for tc in src["costs"].as_array().expect("costs") {
            let t = tc[0].as_i64().expect("target");
            let want = tc[1].as_f64().expect("cost");
            let p = g
                .shortest_path(&mut ctx, s, t, &opts)
                .expect("known ids")
                .expect("connected");
            assert!(
                close(p.cost, want, 1e-5, 1e-9),
                "{s}->{t}: {} vs {want}",
                p.cost
            );
            // The path is real: consecutive hops, and its cost is the sum of 1/strength.
            assert_eq!(p.nodes.first().map(|n| n.id), Some(s));
            assert_eq!(p.nodes.last().map(|n| n.id), Some(t));
            let mut sum = 0.0;
            for (h, w) in p.hops.iter().zip(p.nodes.windows(2)) {
                assert_eq!((h.from, h.to), (w[0].id, w[1].id));
                assert_eq!(pair(h.edge.src, h.edge.dst), pair(h.from, h.to));
                sum += 1.0 / f.strength[&pair(h.from, h.to)];
            }
            assert!(close(sum, want, 1e-5, 1e-9));
            checked += 1;
        }
    }
    assert!(checked > 400, "only {checked} pairs checked");
}

#[test]
fn k_shortest_paths_match_networkx_costs_and_paths() {
    let f = load();
    let g = &f.graph;
    let mut ctx = QueryCtx::new(g);
    let opts = PathOptions::default();
    let mut unique_compared = 0;
    for case in f.json["k_shortest"].as_array().expect("k_shortest") {
        let s = case["source"].as_i64().expect("source");
        let t = case["target"].as_i64().expect("target");
        let want: Vec<f64> = case["costs"]
            .as_array()
            .expect("costs")
            .iter()
            .map(|c| c.as_f64().expect("cost"))
            .collect();
        let want_paths: Vec<Vec<i64>> = case["paths"]
            .as_array()
            .expect("paths")
            .iter()
            .map(|p| {
                p.as_array()
                    .expect("path")
                    .iter()
                    .map(|x| x.as_i64().expect("id"))
                    .collect()
            })
            .collect();
        let got = g
            .k_shortest_paths(&mut ctx, s, t, 10, &opts)
            .expect("query");
        assert_eq!(got.len(), want.len(), "{s}->{t}");
        let mut seen = HashSet::new();
        for (i, (p, w)) in got.iter().zip(&want).enumerate() {
            assert!(
                close(p.cost, *w, 1e-5, 1e-9),
                "{s}->{t} #{i}: {} vs {w}",
                p.cost
            );
            let ids: Vec<i64> = p.nodes.iter().map(|n| n.id).collect();
            let uniq: HashSet<i64> = ids.iter().copied().collect();
            assert_eq!(uniq.len(), ids.len(), "path has a loop");
            assert!(seen.insert(ids.clone()), "duplicate path");
            // Where the cost is not tied with a neighbour in the ranking, the path itself is fixed.
            let tied = want
                .iter()
                .enumerate()
                .any(|(j, c)| j != i && close(*c, *w, 1e-6, 1e-9));
            if !tied {
                assert_eq!(ids, want_paths[i], "{s}->{t} #{i}");
                unique_compared += 1;
            }
        }
    }
    assert!(
        unique_compared >= 20,
        "only {unique_compared} untied paths compared"
    );
}

#[test]
fn exact_betweenness_matches_networkx() {
    let f = load();
    let sv = SimpleView::new(&f.graph, &EdgeFilter::default());
    let bc = betweenness(&sv, None, 0);
    assert!(bc.exact && bc.stderr.is_none());
    for nv in f.json["betweenness"].as_array().expect("betweenness") {
        let id = nv[0].as_i64().expect("id");
        let want = nv[1].as_f64().expect("value");
        let v = f.graph.index_of(id).expect("node") as usize;
        assert!(
            close(bc.normalized[v], want, 1e-9, 1e-12),
            "{id}: {} vs {want}",
            bc.normalized[v]
        );
    }
}

#[test]
fn sampled_betweenness_is_within_its_stated_error_bound() {
    let f = load();
    let sv = SimpleView::new(&f.graph, &EdgeFilter::default());
    let exact = betweenness(&sv, None, 0);
    let est = betweenness(&sv, Some(30), 7);
    assert!(!est.exact);
    assert_eq!(est.pivots, 30);
    assert!(est.stderr.is_some());
    let bound = est.error_bound_95;
    assert!(bound > 0.0 && bound < 0.3, "bound {bound}");
    for seed in 0..20 {
        let est = betweenness(&sv, Some(30), seed);
        let worst = (0..exact.normalized.len())
            .map(|v| (est.normalized[v] - exact.normalized[v]).abs())
            .fold(0.0, f64::max);
        assert!(
            worst <= bound,
            "seed {seed}: error {worst} > stated bound {bound}"
        );
    }
    // The estimate is informative: the top node by the sample is among the exact top 5.
    let top_est = dossier_graph::centrality::top_k(&est.normalized, 1)[0].0;
    let top5: Vec<u32> = dossier_graph::centrality::top_k(&exact.normalized, 5)
        .iter()
        .map(|x| x.0)
        .collect();
    assert!(top5.contains(&top_est));
}

#[test]
fn pagerank_matches_networkx() {
    let f = load();
    let sv = SimpleView::new(&f.graph, &EdgeFilter::default());
    let pr = pagerank(&sv, 0.85, 1e-13, 10_000);
    assert!(pr.converged);
    let total: f64 = pr.scores.iter().sum();
    assert!(close(total, 1.0, 1e-9, 0.0));
    for nv in f.json["pagerank"].as_array().expect("pagerank") {
        let id = nv[0].as_i64().expect("id");
        let want = nv[1].as_f64().expect("value");
        let v = f.graph.index_of(id).expect("node") as usize;
        // Strengths are stored as f32, hence the tolerance.
        assert!(
            close(pr.scores[v], want, 1e-5, 1e-9),
            "{id}: {} vs {want}",
            pr.scores[v]
        );
    }
}

#[test]
fn ego_network_radius_matches_hop_distances() {
    let f = load();
    let g = &f.graph;
    for src in f.json["hops"].as_array().expect("hops") {
        let s = src["source"].as_i64().expect("source");
        for r in 1..=2u32 {
            let want: HashSet<i64> = src["hops"]
                .as_array()
                .expect("hops")
                .iter()
                .filter(|th| th[1].as_u64().expect("hops") <= u64::from(r))
                .map(|th| th[0].as_i64().expect("id"))
                .collect();
            let sub = g.ego(s, r, &EdgeFilter::default(), 1_000_000).expect("ego");
            let got: HashSet<i64> = sub.nodes.iter().map(|&v| g.id_of(v)).collect();
            assert_eq!(got, want, "ego({s}, {r})");
            // Every edge among the chosen nodes, and only those.
            let want_edges = f
                .strength
                .keys()
                .filter(|(a, b)| want.contains(a) && want.contains(b))
                .count();
            assert_eq!(sub.edges.len(), want_edges);
        }
    }
}

#[test]
fn louvain_reports_true_modularity_close_to_networkx() {
    let f = load();
    let g = &f.graph;
    let sv = SimpleView::new(g, &EdgeFilter::default());
    let want = f.json["louvain_modularity"].as_f64().expect("modularity");
    let mut best: f64 = 0.0;
    for seed in 0..5 {
        let c = dossier_graph::community::louvain(&sv, 1.0, seed);
        // Modularity from its definition, with the fixture's strengths.
        let m: f64 = f.strength.values().sum();
        let mut internal = vec![0.0; c.count];
        let mut tot = vec![0.0; c.count];
        for (&(a, b), &w) in &f.strength {
            let ca = c.membership[g.index_of(a).expect("node") as usize] as usize;
            let cb = c.membership[g.index_of(b).expect("node") as usize] as usize;
            if ca == cb {
                internal[ca] += w;
            }
            tot[ca] += w;
            tot[cb] += w;
        }
        let q: f64 = (0..c.count)
            .map(|i| internal[i] / m - (tot[i] / (2.0 * m)).powi(2))
            .sum();
        assert!(
            (q - c.modularity).abs() < 1e-5,
            "seed {seed}: reported {} vs {q}",
            c.modularity
        );
        best = best.max(q);
    }
    assert!(
        best > want - 0.02,
        "best modularity {best} vs networkx {want}"
    );
}
