//! Evidence-graph scale test of the SQLite store: bulk import of a synthetic
//! link table, neighbour lookups and a full edge scan.
//!
//! ```text
//! cargo run --release -p dossier-store --example graph_bench -- \
//!     [--entities 1000000] [--edges 10000000] [--queries 1000] [--db PATH]
//! ```
//!
//! Degrees follow a power law: both ends of each edge are drawn from a Zipf
//! distribution (exponent 0.8) over a shuffled entity order, so a few hubs
//! have tens of thousands of edges and most entities a handful. Prints the
//! import time, the database size, neighbours latency percentiles over random
//! entities (first page of 50, most evidence first) and the time to stream
//! every edge with `for_each_edge`.

use dossier_core::EntityLabel;
use dossier_store::{EdgeFilter, ImportEdge, Page, SqliteStore, Store};
use std::time::{Duration, Instant};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// CPU time of this thread: on a shared machine wall-clock latency mostly
/// measures the scheduler.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec through a valid pointer.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

fn arg(args: &[String], name: &str, default: usize) -> usize {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

fn size_of(path: &std::path::Path) -> u64 {
    let mut total = 0;
    for suffix in ["", "-wal"] {
        let p = format!("{}{suffix}", path.display());
        total += std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    }
    total
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let n_entities = arg(&args, "--entities", 1_000_000).max(2);
    let n_edges = arg(&args, "--edges", 10_000_000);
    let n_queries = arg(&args, "--queries", 1_000);
    let dir = tempfile::tempdir()?;
    let path = match args.iter().position(|a| a == "--db") {
        Some(i) => std::path::PathBuf::from(args.get(i + 1).ok_or("--db needs a path")?),
        None => dir.path().join("graph.sqlite"),
    };

    let t = Instant::now();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    const LABELS: [EntityLabel; 3] = [
        EntityLabel::Person,
        EntityLabel::Organisation,
        EntityLabel::Location,
    ];
    let entities: Vec<(String, EntityLabel)> = (0..n_entities)
        .map(|i| (format!("Entity {i}"), LABELS[i % LABELS.len()]))
        .collect();
    // Zipf CDF over ranks, ranks mapped to shuffled entity indexes.
    let mut acc = 0.0;
    let mut cdf: Vec<f64> = (1..=n_entities)
        .map(|r| {
            acc += 1.0 / (r as f64).powf(0.8);
            acc
        })
        .collect();
    for c in &mut cdf {
        *c /= acc;
    }
    let mut order: Vec<u32> = (0..n_entities as u32).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let sample = |rng: &mut Rng| {
        let u = rng.unit();
        order[cdf.partition_point(|&c| c < u).min(n_entities - 1)]
    };
    let kinds = [
        "comention",
        "relation:MemberOf",
        "role",
        "quote",
        "event:Attack",
    ];
    let edges: Vec<ImportEdge> = (0..n_edges)
        .map(|_| {
            let src = sample(&mut rng);
            let mut dst = sample(&mut rng);
            if dst == src {
                dst = (dst + 1) % n_entities as u32;
            }
            // Mostly co-mentions, as in news.
            let kind = match rng.below(10) {
                0 => 1,
                1 => 2,
                2 => 3,
                3 => 4,
                _ => 0,
            };
            ImportEdge {
                src,
                dst,
                kind,
                weight: 1 + rng.below(5) as u32,
            }
        })
        .collect();
    eprintln!(
        "generated {n_entities} entities and {n_edges} edges in {:.1}s",
        t.elapsed().as_secs_f64()
    );

    let mut store = SqliteStore::open(&path)?;
    let (t, c) = (Instant::now(), thread_cpu());
    let out = store.bulk_import_graph(&kinds, &entities, &edges)?;
    let import = t.elapsed().as_secs_f64();
    drop(edges);
    println!(
        "import: {n_entities} entities, {n_edges} edges ({} after merging repeats) in {import:.1}s wall \
         ({:.1}s thread CPU) = {:.0} edges/s",
        out.edges,
        thread_cpu().saturating_sub(c).as_secs_f64(),
        n_edges as f64 / import
    );
    store.optimize()?;
    println!("database: {:.1} MiB", size_of(&path) as f64 / 1_048_576.0);

    let filter = EdgeFilter::default();
    let page = Page {
        limit: 50,
        offset: 0,
    };
    // Warm the page cache as a long-running server would have it.
    for _ in 0..n_queries {
        store.neighbours(out.entity_ids[rng.below(n_entities)], &filter, page)?;
    }
    let mut times = Vec::with_capacity(n_queries);
    let mut cpu = Vec::with_capacity(n_queries);
    let mut returned = 0usize;
    for _ in 0..n_queries {
        let id = out.entity_ids[rng.below(n_entities)];
        let (t, c) = (Instant::now(), thread_cpu());
        let ns = store.neighbours(id, &filter, page)?;
        cpu.push(thread_cpu().saturating_sub(c));
        times.push(t.elapsed());
        returned += ns.len();
    }
    times.sort();
    cpu.sort();
    let line = |what: &str, v: &[Duration]| {
        println!(
            "  {what:<10} p50 {:.3} ms  p95 {:.3} ms  p99 {:.3} ms  max {:.3} ms",
            percentile(v, 0.5),
            percentile(v, 0.95),
            percentile(v, 0.99),
            percentile(v, 1.0)
        )
    };
    println!(
        "neighbours (first page of 50, {n_queries} random entities, {:.1} rows avg):",
        returned as f64 / n_queries.max(1) as f64
    );
    line("wall", &times);
    line("thread CPU", &cpu);
    // The hubs: the most-connected entities (the worst case).
    let hubs: Vec<u32> = order.iter().take(10).copied().collect();
    let mut hub_times = Vec::new();
    let mut hub_cpu = Vec::new();
    let mut degrees = Vec::new();
    for h in hubs {
        let id = out.entity_ids[h as usize];
        let (t, c) = (Instant::now(), thread_cpu());
        store.neighbours(id, &filter, page)?;
        hub_cpu.push(thread_cpu().saturating_sub(c));
        hub_times.push(t.elapsed());
        degrees.push(
            store
                .neighbours(
                    id,
                    &filter,
                    Page {
                        limit: usize::MAX >> 1,
                        offset: 0,
                    },
                )?
                .len(),
        );
    }
    hub_times.sort();
    hub_cpu.sort();
    println!(
        "neighbours of the 10 largest hubs ({}..{} edges each): wall p50 {:.1} ms max {:.1} ms, \
         thread CPU p50 {:.1} ms max {:.1} ms",
        degrees.iter().min().unwrap_or(&0),
        degrees.iter().max().unwrap_or(&0),
        percentile(&hub_times, 0.5),
        percentile(&hub_times, 1.0),
        percentile(&hub_cpu, 0.5),
        percentile(&hub_cpu, 1.0)
    );

    let (t, c) = (Instant::now(), thread_cpu());
    let mut count = 0usize;
    let mut weight = 0usize;
    store.for_each_edge(&mut |e| {
        count += 1;
        weight += e.sentences;
    })?;
    println!(
        "for_each_edge: {count} edges (total weight {weight}) in {:.2}s wall, {:.2}s thread CPU",
        t.elapsed().as_secs_f64(),
        thread_cpu().saturating_sub(c).as_secs_f64()
    );
    Ok(())
}
