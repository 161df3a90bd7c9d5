//! `dossier bench`: ingest throughput and search latency on synthetic news.
//!
//! Generates N news-sized (~600 words) documents as .txt files with people,
//! organisations, places and dates in them, ingests the folder end to end into a
//! fresh SQLite knowledge base, then runs a mix of queries. Prints docs/s, MB/s,
//! peak memory (max RSS) and search latency percentiles.

use dossier::{Input, NoProgress};
use dossier_core::{EntityLabel, Query, SearchFilters, SearchRequest};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// Number of documents to generate and ingest.
    #[arg(long, default_value_t = 10_000)]
    docs: usize,
    /// Number of search queries to time.
    #[arg(long, default_value_t = 1_000)]
    queries: usize,
    /// Worker threads (default: one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Where to put the generated files and database (default: a temporary folder, removed after).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Seed of the text generator.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Print the figures as JSON.
    #[arg(long)]
    json: bool,
}

const FIRST: &[&str] = &[
    "Amira", "Jonas", "Karim", "Elena", "Tomas", "Leila", "Pieter", "Sofia", "Rashid", "Ingrid",
    "Mateo", "Yusuf", "Hanna", "Viktor", "Nadia", "Oskar", "Farah", "Lukas", "Mira", "Daniel",
];
const LAST: &[&str] = &[
    "Okafor",
    "Lindqvist",
    "Haddad",
    "Novak",
    "Brandt",
    "Moreau",
    "Kowalski",
    "Rahimi",
    "Jansen",
    "Costa",
    "Petrov",
    "Nakamura",
    "Oduya",
    "Schneider",
    "Aziz",
    "Dubois",
    "Fischer",
    "Larsen",
    "Romano",
    "Vidal",
];
const ORGS: &[&str] = &[
    "Northern Crescent Brigade",
    "European Border Agency",
    "Ministry of Interior",
    "Red Harbour Logistics",
    "National Police",
    "Coastal Security Council",
    "Atlas Relief Foundation",
    "United Nations",
    "Europol",
    "Federal Prosecutor's Office",
    "Eastern Front Movement",
    "Baltic Shipping Group",
];
const PLACES: &[&str] = &[
    "Rotterdam",
    "Antwerp",
    "Lyon",
    "Malmo",
    "Hamburg",
    "Tripoli",
    "Raqqa",
    "Istanbul",
    "Athens",
    "Vienna",
    "Gdansk",
    "Marseille",
    "Brussels",
    "Aleppo",
    "Tunis",
    "Valletta",
];
const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WORDS: &[&str] = &[
    "the",
    "of",
    "and",
    "to",
    "a",
    "in",
    "that",
    "was",
    "for",
    "on",
    "with",
    "said",
    "by",
    "at",
    "from",
    "officials",
    "police",
    "attack",
    "network",
    "group",
    "security",
    "investigation",
    "suspect",
    "suspects",
    "city",
    "border",
    "weapons",
    "funds",
    "transfer",
    "meeting",
    "report",
    "government",
    "forces",
    "members",
    "arrested",
    "charged",
    "court",
    "evidence",
    "according",
    "statement",
    "minister",
    "spokesman",
    "intelligence",
    "operation",
    "cell",
    "recruits",
    "returned",
    "fighters",
    "travelled",
    "planned",
    "explosives",
    "vehicle",
    "van",
    "safe",
    "house",
    "prosecutors",
    "alleged",
    "told",
    "reporters",
    "week",
    "month",
    "year",
    "after",
    "before",
    "during",
    "between",
    "several",
    "two",
    "three",
    "dozens",
    "hundreds",
    "people",
    "killed",
    "injured",
    "wounded",
    "station",
    "market",
    "port",
    "airport",
    "bank",
    "accounts",
    "money",
    "phone",
    "calls",
    "messages",
    "encrypted",
    "contacts",
    "leader",
    "commander",
    "handler",
    "financier",
    "logistics",
    "company",
    "front",
    "shipment",
    "containers",
    "customs",
    "authorities",
    "raid",
    "search",
    "warrant",
    "detained",
    "released",
    "trial",
    "hearing",
    "judge",
    "lawyer",
    "denied",
    "confirmed",
    "claimed",
    "responsibility",
    "threat",
    "level",
    "raised",
    "warned",
    "public",
    "crowd",
    "is",
    "were",
    "had",
    "has",
    "have",
    "be",
    "been",
    "not",
    "but",
    "also",
    "which",
    "who",
    "their",
    "its",
    "it",
    "this",
    "an",
    "as",
    "into",
    "over",
    "under",
    "new",
    "local",
    "regional",
    "national",
    "international",
];

/// A small, fast deterministic PRNG (xorshift64*): the corpus must be the same on every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[(self.next() % list.len() as u64) as usize]
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One synthetic news story of about 600 words, with a date line.
fn story(rng: &mut Rng, n: usize) -> (String, String) {
    let day = 1 + rng.below(28);
    let month = 1 + rng.below(12);
    let year = 2024 + rng.below(3);
    let date = format!("{year}-{month:02}-{day:02}");
    let place = rng.pick(PLACES);
    let mut text = format!(
        "{} attack inquiry widens, report {n}\n\n{place}, {date} — ",
        rng.pick(ORGS)
    );
    let mut words = 0;
    while words < 600 {
        let len = 12 + rng.below(14) as usize;
        let mut sentence = Vec::with_capacity(len + 4);
        for i in 0..len {
            let w = match rng.below(14) {
                0 => format!("{} {}", rng.pick(FIRST), rng.pick(LAST)),
                1 => format!("the {}", rng.pick(ORGS)),
                2 => rng.pick(PLACES).to_string(),
                3 if i > 2 => format!("on {} {}", 1 + rng.below(28), rng.pick(MONTHS)),
                _ => rng.pick(WORDS).to_string(),
            };
            sentence.push(w);
        }
        let mut s = sentence.join(" ");
        if let Some(first) = s.get(..1) {
            s = first.to_uppercase() + s.get(1..).unwrap_or("");
        }
        words += len;
        text.push_str(&s);
        text.push_str(if rng.below(5) == 0 { ".\n\n" } else { ". " });
    }
    (date, text)
}

fn percentile(sorted_ms: &[f64], p: f64) -> f64 {
    if sorted_ms.is_empty() {
        return 0.0;
    }
    let idx = ((sorted_ms.len() as f64 - 1.0) * p).round() as usize;
    sorted_ms[idx.min(sorted_ms.len() - 1)]
}

/// User + system CPU seconds this process has used so far (all threads).
fn cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes the struct we pass.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return f64::NAN;
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

fn max_rss_mb() -> f64 {
    // SAFETY: getrusage only writes the struct we pass.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } == 0;
    if ok {
        usage.ru_maxrss as f64 / 1024.0 // kilobytes on Linux
    } else {
        f64::NAN
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let tmp;
    let dir = match &args.dir {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            d.clone()
        }
        None => {
            tmp = tempfile::tempdir()?;
            tmp.path().to_path_buf()
        }
    };
    let corpus = dir.join("corpus");
    std::fs::create_dir_all(&corpus)?;
    let db = dir.join("bench.db");
    let _ = std::fs::remove_file(&db);

    eprintln!("generating {} documents in {}", args.docs, corpus.display());
    let mut rng = Rng(args.seed.max(1));
    let mut total_bytes = 0u64;
    for i in 0..args.docs {
        let (date, text) = story(&mut rng, i);
        // A JSON record per file would hide file overhead; plain .txt with a date
        // line is the common case. Each in its own sub-folder of 1,000.
        let sub = corpus.join(format!("{:03}", i / 1000));
        if i % 1000 == 0 {
            std::fs::create_dir_all(&sub)?;
        }
        let path = sub.join(format!("story-{i:06}-{date}.txt"));
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path)?);
        f.write_all(text.as_bytes())?;
        f.flush()?;
        total_bytes += text.len() as u64;
    }

    let opts = dossier::IngestOptions {
        threads: args.threads,
        ..crate::ingest::options()
    };
    let started = Instant::now();
    let cpu_before = cpu_seconds();
    let report = crate::ingest::run_inputs(
        &db.display().to_string(),
        vec![Input::Path(corpus.clone())],
        &opts,
        &NoProgress,
    )?;
    let secs = started.elapsed().as_secs_f64();
    // On a shared machine wall time depends on the other load; CPU time per
    // document does much less.
    let cpu = cpu_seconds() - cpu_before;
    let cpu_ms_per_doc = cpu * 1000.0 / report.inserted.max(1) as f64;
    let rss_after_ingest = max_rss_mb();

    let store = dossier::open_store(&db.display().to_string(), false)?;
    let mut latencies = Vec::with_capacity(args.queries);
    let mut qrng = Rng(args.seed.wrapping_add(99).max(1));
    let mut matched = 0usize;
    for i in 0..args.queries {
        let (text, filters) = match i % 6 {
            0 => (qrng.pick(LAST).to_string(), SearchFilters::default()),
            1 => (
                format!("{} {}", qrng.pick(WORDS), qrng.pick(PLACES)),
                SearchFilters::default(),
            ),
            2 => (
                format!("\"{} {}\"", qrng.pick(FIRST), qrng.pick(LAST)),
                SearchFilters::default(),
            ),
            3 => (
                format!("{} OR {}", qrng.pick(PLACES), qrng.pick(PLACES)),
                SearchFilters::default(),
            ),
            4 => (
                format!("{} -{}", qrng.pick(WORDS), qrng.pick(PLACES)),
                SearchFilters {
                    entity_type: Some(EntityLabel::Person),
                    ..Default::default()
                },
            ),
            _ => (
                {
                    let w = qrng.pick(WORDS);
                    format!("{}*", w.get(..3).unwrap_or(w))
                },
                SearchFilters {
                    from: Some("2025-01-01".into()),
                    to: Some("2025-12-31".into()),
                    ..Default::default()
                },
            ),
        };
        let Ok(query) = Query::parse(&text) else {
            continue;
        };
        let req = SearchRequest {
            query,
            filters,
            limit: 10,
            offset: 0,
        };
        let t = Instant::now();
        let res = store.search(&req)?;
        latencies.push(t.elapsed().as_secs_f64() * 1000.0);
        matched += usize::from(!res.hits.is_empty());
    }
    latencies.sort_by(|a, b| a.total_cmp(b));
    let (p50, p95, p99) = (
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.95),
        percentile(&latencies, 0.99),
    );
    let mb = total_bytes as f64 / 1e6;
    let figures = serde_json::json!({
        "documents": args.docs,
        "inserted": report.inserted,
        "errors": report.errors.len(),
        "megabytes": mb,
        "ingest_seconds": secs,
        "docs_per_second": report.inserted as f64 / secs,
        "mb_per_second": mb / secs,
        "ingest_cpu_seconds": cpu,
        "cpu_ms_per_doc": cpu_ms_per_doc,
        "peak_rss_mb": rss_after_ingest,
        "queries": latencies.len(),
        "queries_with_hits": matched,
        "search_ms_p50": p50,
        "search_ms_p95": p95,
        "search_ms_p99": p99,
        "threads": opts.threads,
    });
    if args.json {
        crate::output::print_json(&figures)?;
    } else {
        println!(
            "ingest: {} docs ({mb:.1} MB) in {secs:.2}s = {:.0} docs/s, {:.2} MB/s; {} errors",
            report.inserted,
            report.inserted as f64 / secs,
            mb / secs,
            report.errors.len()
        );
        println!(
            "ingest CPU: {cpu:.1} s user+sys = {cpu_ms_per_doc:.2} ms/doc ({:.0}% of one core)",
            cpu * 100.0 / secs
        );
        println!("peak memory (max RSS): {rss_after_ingest:.0} MB");
        println!("search: {} queries ({matched} with hits): p50 {p50:.2} ms, p95 {p95:.2} ms, p99 {p99:.2} ms", latencies.len());
    }
    Ok(ExitCode::SUCCESS)
}
