//! Benchmark on a synthetic power-law graph (default 1,000,000 nodes, 10,000,000 edge records).
//!
//!     cargo run --release -p dossier-graph --example bench -- [--nodes N] [--edges M] [--seed S]
//!
//! Degrees follow a Chung–Lu model with expected degree ∝ rank^(−1/(γ−1)), γ = 2.5 (a few hubs
//! with tens of thousands of links, most nodes with a handful). Prints build time, memory (graph
//! arrays and peak RSS from /proc/self/status VmHWM), query latency percentiles and the running
//! time of the whole-graph algorithms.

use std::time::{Duration, Instant};

use dossier_graph::centrality::{betweenness, pagerank, top_k, SimpleView};
use dossier_graph::community::{louvain, summarize};
use dossier_graph::export::{to_gexf, to_graphml};
use dossier_graph::{
    ConnectOptions, EdgeFilter, EdgeRecord, GraphBuilder, NeighbourQuery, NodeInfo, PathOptions,
    QueryCtx,
};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn status_kib(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

/// CPU seconds used by the process so far (all threads), from /proc/self/stat; on a shared,
/// busy machine this is a steadier figure than wall time.
fn cpu_s() -> f64 {
    let Ok(s) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    let Some(rest) = s.rsplit(')').next() else {
        return 0.0;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// Wall and CPU seconds of a closure.
fn timed<T>(f: impl FnOnce() -> T) -> (T, f64, f64) {
    let (w, c) = (Instant::now(), cpu_s());
    let out = f();
    (out, w.elapsed().as_secs_f64(), cpu_s() - c)
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

fn report(name: &str, mut t: Vec<Duration>) {
    t.sort();
    println!(
        "{name:<34} n={:<5} p50 {:>9.3} ms  p95 {:>9.3} ms  max {:>9.3} ms",
        t.len(),
        pct(&t, 0.5),
        pct(&t, 0.95),
        pct(&t, 1.0)
    );
}

fn arg(args: &[String], name: &str, default: u64) -> u64 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n = arg(&args, "--nodes", 1_000_000) as usize;
    let m = arg(&args, "--edges", 10_000_000) as usize;
    let seed = arg(&args, "--seed", 42);
    let pivots = arg(&args, "--pivots", 16) as usize;
    println!(
        "dossier-graph bench: {n} nodes, {m} edge records, seed {seed}, {} threads",
        std::thread::available_parallelism().map_or(1, |x| x.get())
    );

    // Chung–Lu endpoint sampling from cumulative weights.
    let gamma = 2.5f64;
    let expo = -1.0 / (gamma - 1.0);
    let mut cum = Vec::with_capacity(n);
    let mut acc = 0.0;
    for i in 0..n {
        acc += ((i + 1) as f64).powf(expo);
        cum.push(acc);
    }
    let mut rng = Rng(seed);
    // External ids: a scrambled but deterministic mapping so hubs are not the smallest ids.
    let ext = |i: usize| -> i64 { ((i as u64).wrapping_mul(2_654_435_761) % 4_000_000_007) as i64 };
    let pick = |rng: &mut Rng| -> usize {
        let r = rng.unit() * acc;
        cum.partition_point(|&c| c < r).min(n - 1)
    };
    let kinds = ["co_mention", "relation", "role", "quote", "event", "alias"];
    let labels = ["PER", "ORG", "LOC", "EVENT", "MISC"];

    let t0 = Instant::now();
    let mut b = GraphBuilder::with_capacity(m);
    let kind_ids: Vec<_> = kinds.iter().map(|k| b.kind(k).expect("kind")).collect();
    for _ in 0..m {
        let a = pick(&mut rng);
        let c = pick(&mut rng);
        let sentences = 1 + (rng.unit().powi(3) * 40.0) as u32;
        let docs = 1 + rng.below(u64::from(sentences).min(8)) as u32;
        let (first, last) = if rng.below(10) == 0 {
            (None, None)
        } else {
            let l = 18_000 + rng.below(2_000) as i32;
            (Some(l - rng.below(500) as i32), Some(l))
        };
        let k = kind_ids[(rng.unit().powi(2) * kinds.len() as f64) as usize % kinds.len()];
        b.add_edge(EdgeRecord {
            src: ext(a),
            dst: ext(c),
            kind: k,
            directed: k.0 == 1 && rng.below(2) == 0,
            sentences,
            docs,
            first_seen: first,
            last_seen: last,
        });
    }
    for i in 0..n {
        b.add_node(NodeInfo {
            id: ext(i),
            name: format!("Entity {i}"),
            label: labels[i % labels.len()].to_owned(),
            kind: dossier_graph::NodeKind::Entity,
        });
    }
    let t_gen = t0.elapsed();
    let (g, t_build, c_build) = timed(|| b.build().expect("build"));
    drop(cum);
    let mem = g.memory();
    println!(
        "generate+add_edge {:.2} s; build() {:.2} s wall, {:.2} s CPU  ->  {} nodes, {} edges (after merging duplicates, {} self-loops dropped), max degree {}",
        t_gen.as_secs_f64(),
        t_build,
        c_build,
        g.node_count(),
        g.edge_count(),
        g.self_loops_dropped(),
        g.max_degree()
    );
    println!(
        "graph memory {:.1} MiB (nodes {:.1}, edges {:.1}, adjacency {:.1}); VmRSS {:.1} MiB; peak RSS (VmHWM) so far {:.1} MiB",
        mib(mem.total),
        mib(mem.nodes),
        mib(mem.edges),
        mib(mem.adjacency),
        status_kib("VmRSS:").unwrap_or(0) as f64 / 1024.0,
        status_kib("VmHWM:").unwrap_or(0) as f64 / 1024.0
    );

    let nn = g.node_count() as u64;
    let rand_id = |rng: &mut Rng| g.id_of(rng.below(nn) as u32);

    // Neighbours.
    let page = NeighbourQuery {
        limit: 50,
        ..NeighbourQuery::default()
    };
    let filtered = NeighbourQuery {
        filter: EdgeFilter {
            kinds: Some(vec![kind_ids[0], kind_ids[1]]),
            window: Some((19_000, 19_999)),
            min_docs: 2,
            ..EdgeFilter::default()
        },
        labels: Some(vec!["PER".into(), "ORG".into()]),
        limit: 50,
        ..NeighbourQuery::default()
    };
    for (name, q) in [
        ("neighbours (limit 50)", &page),
        ("neighbours (kind+window+docs+label)", &filtered),
    ] {
        let mut t = Vec::with_capacity(1000);
        let mut total = 0usize;
        for _ in 0..1000 {
            let id = rand_id(&mut rng);
            let s = Instant::now();
            let p = g.neighbours(id, q).expect("known id");
            t.push(s.elapsed());
            total += p.total;
        }
        report(name, t);
        println!("    mean matches per node {:.1}", total as f64 / 1000.0);
    }
    // Hubs: the 20 highest-degree nodes.
    let deg: Vec<f64> = (0..g.node_count() as u32)
        .map(|v| f64::from(g.degree(v)))
        .collect();
    let hubs = top_k(&deg, 20);
    let mut t = Vec::new();
    for &(v, _) in &hubs {
        let s = Instant::now();
        let _ = g.neighbours(g.id_of(v), &page).expect("known id");
        t.push(s.elapsed());
    }
    report("neighbours of the 20 largest hubs", t);

    // Shortest paths.
    let mut ctx = QueryCtx::new(&g);
    let opts = PathOptions::default();
    let mut t = Vec::new();
    let (mut found, mut settled, mut hops) = (0, 0usize, 0usize);
    for _ in 0..200 {
        let (a, c) = (rand_id(&mut rng), rand_id(&mut rng));
        let s = Instant::now();
        let p = g.shortest_path(&mut ctx, a, c, &opts).expect("known ids");
        t.push(s.elapsed());
        settled += ctx.settled();
        if let Some(p) = p {
            found += 1;
            hops += p.hops.len();
        }
    }
    report("shortest path (bidirectional)", t);
    println!(
        "    {found}/200 connected, mean {:.1} hops, mean {:.0} nodes settled",
        hops as f64 / found.max(1) as f64,
        settled as f64 / 200.0
    );

    let mut t = Vec::new();
    let mut paths = 0;
    for _ in 0..20 {
        let (a, c) = (rand_id(&mut rng), rand_id(&mut rng));
        let s = Instant::now();
        let ps = g
            .k_shortest_paths(&mut ctx, a, c, 10, &opts)
            .expect("known ids");
        t.push(s.elapsed());
        paths += ps.len();
    }
    report("k-shortest paths (Yen, k=10)", t);
    println!("    mean {:.1} paths returned", paths as f64 / 20.0);

    let mut t = Vec::new();
    for _ in 0..10 {
        let members: Vec<i64> = (0..4).map(|_| rand_id(&mut rng)).collect();
        let s = Instant::now();
        let _ = g
            .connect(&mut ctx, &members, &ConnectOptions::default())
            .expect("connect");
        t.push(s.elapsed());
    }
    report("connect (4 random entities)", t);

    // Ego export.
    let mut t = Vec::new();
    let mut bytes = 0;
    for _ in 0..20 {
        let id = rand_id(&mut rng);
        let s = Instant::now();
        let sub = g.ego(id, 2, &EdgeFilter::default(), 500).expect("ego");
        let mut out = Vec::new();
        to_graphml(&g, &sub, &mut out).expect("write");
        to_gexf(&g, &sub, &mut out).expect("write");
        t.push(s.elapsed());
        bytes += out.len();
    }
    report("ego (r=2, ≤500 nodes) + GraphML + GEXF", t);
    println!("    mean {:.0} KiB written", bytes as f64 / 20.0 / 1024.0);

    // Whole-graph algorithms.
    let (sv, w, c) = timed(|| SimpleView::new(&g, &EdgeFilter::default()));
    println!(
        "simple view: {w:.2} s wall, {c:.2} s CPU ({} undirected edges, {:.1} MiB)",
        sv.edge_count(),
        mib(sv.memory_bytes())
    );
    let (pr, w, c) = timed(|| pagerank(&sv, 0.85, 1e-6, 200));
    println!(
        "PageRank: {w:.2} s wall, {c:.2} s CPU, {} iterations, converged {} (L1 change < 1e-6)",
        pr.iterations, pr.converged
    );
    let (comm, w, c) = timed(|| louvain(&sv, 1.0, seed));
    let sum = summarize(&g, &comm, &pr.scores, 3, 3);
    println!(
        "Louvain: {w:.2} s wall, {c:.2} s CPU, {} communities, modularity {:.4}, {} levels; largest: {}",
        comm.count,
        comm.modularity,
        comm.levels,
        sum.iter()
            .map(|x| format!("[{} nodes: {}]", x.size, x.label))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let (bc, w, c) = timed(|| betweenness(&sv, Some(pivots), seed));
    println!(
        "betweenness (sampled, {} pivots): {w:.2} s wall, {c:.2} s CPU, stated 95% error bound {:.3} (normalised scale)",
        bc.pivots,
        bc.error_bound_95,
    );
    for (v, x) in top_k(&bc.normalized, 3) {
        let se = bc
            .stderr
            .as_ref()
            .and_then(|s| s.get(v as usize))
            .copied()
            .unwrap_or(0.0);
        println!(
            "    top: node degree {:>6}  betweenness {x:.5} ± {se:.5} (empirical s.e.)",
            g.degree(v)
        );
    }
    println!(
        "peak RSS (VmHWM) at end {:.1} MiB",
        status_kib("VmHWM:").unwrap_or(0) as f64 / 1024.0
    );
}
