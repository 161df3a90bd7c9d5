//! Benchmark: resolving the mentions of 10,000 synthetic news-sized documents (about
//! 30 mentions each: people named in full then by surname and pronoun, organisations
//! with acronyms and "the company", places from the gazetteer), then adding 100 new
//! documents to that base. Names follow Zipf-like popularity: a few people and groups
//! recur in thousands of stories, most appear once or twice, and surnames are shared
//! across many different people. Medians of 3 runs.
//!
//! `cargo run --release -p dossier-resolve --example bench_resolve [-- DOCS NEW RUNS]`

use dossier_core::EntityLabel;
use dossier_nlp::gazetteer::{GazCategory, Gazetteer};
use dossier_resolve::chains::{simple_sentences, MentionInput};
use dossier_resolve::{DocInput, Resolver};
use std::time::Instant;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    /// Zipf-like index in 0..n (exponent about 1): popular items recur.
    fn zipf(&mut self, n: usize) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        let x = ((n as f64 + 1.0).ln() * u).exp() - 1.0;
        (x as usize).min(n.saturating_sub(1))
    }
}

const SYL: &[&str] = &[
    "ka", "ro", "vic", "mar", "tel", "an", "so", "li", "ber", "gon", "da", "fi", "nu", "rez", "ok",
    "af", "or", "va", "rg", "hal", "ib", "zo", "men", "dre", "yer", "kl", "ine", "bro", "oks",
    "sta", "lin", "qu", "ist", "ha", "dd", "ad", "far", "ouq", "ras", "hid",
];
const ORG_WORDS: &[&str] = &[
    "Northern",
    "Crescent",
    "Brigade",
    "Kestrel",
    "Dynamics",
    "Harbour",
    "Authority",
    "United",
    "Front",
    "Liberation",
    "Council",
    "National",
    "Security",
    "Shipping",
    "Holdings",
    "Bank",
    "Institute",
    "Movement",
    "Army",
    "Union",
    "Herald",
    "Press",
    "Energy",
    "Systems",
    "Group",
    "Democratic",
    "Forces",
    "Popular",
    "Revolutionary",
    "Committee",
    "Agency",
    "Services",
];

struct World {
    persons: Vec<(String, String)>,
    orgs: Vec<(String, String)>,
    places: Vec<String>,
}

fn cap(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn world(rng: &mut Rng) -> World {
    let g = Gazetteer::global();
    let given: Vec<String> = g
        .entries()
        .iter()
        .filter(|e| e.category == GazCategory::FirstName)
        .map(|e| e.name.to_string())
        .collect();
    let mut places: Vec<(u64, String)> = g
        .entries()
        .iter()
        .filter(|e| e.category == GazCategory::City)
        .map(|e| (e.population, e.name.to_string()))
        .collect();
    places.sort_by_key(|p| std::cmp::Reverse(p.0));
    let places = places.into_iter().take(2000).map(|p| p.1).collect();
    // 4,000 surnames, 30,000 people: popular surnames are shared by many people.
    let surnames: Vec<String> = (0..4000)
        .map(|_| {
            let n = 2 + rng.below(2);
            cap(&(0..n)
                .map(|_| SYL[rng.below(SYL.len())])
                .collect::<String>())
        })
        .collect();
    let persons = (0..30_000)
        .map(|_| {
            (
                given[rng.below(given.len())].clone(),
                surnames[rng.zipf(surnames.len())].clone(),
            )
        })
        .collect();
    let orgs = (0..5000)
        .map(|_| {
            let n = 2 + rng.below(3);
            let words: Vec<&str> = (0..n)
                .map(|_| ORG_WORDS[rng.below(ORG_WORDS.len())])
                .collect();
            let name = words.join(" ");
            let acr: String = words.iter().filter_map(|w| w.chars().next()).collect();
            (name, acr)
        })
        .collect();
    World {
        persons,
        orgs,
        places,
    }
}

/// One synthetic story: text and its mentions (ASCII, so char = byte offsets).
fn story(w: &World, rng: &mut Rng) -> (String, Vec<MentionInput>) {
    let mut text = String::new();
    let mut ms = Vec::new();
    let mut put = |text: &mut String, s: &str, label: Option<EntityLabel>| {
        if let Some(label) = label {
            ms.push(MentionInput {
                start: text.len(),
                end: text.len() + s.len(),
                label,
                text: s.to_string(),
            });
        }
        text.push_str(s);
    };
    let place = |rng: &mut Rng| w.places[rng.zipf(w.places.len())].clone();
    for _ in 0..4 {
        let (g, s) = &w.persons[rng.zipf(w.persons.len())];
        let full = format!("{g} {s}");
        let (o, acr) = &w.orgs[rng.zipf(w.orgs.len())];
        put(&mut text, &full, Some(EntityLabel::Person));
        put(&mut text, ", a senior official of ", None);
        put(&mut text, o, Some(EntityLabel::Organisation));
        put(&mut text, " (", None);
        put(&mut text, acr, Some(EntityLabel::Organisation));
        put(&mut text, "), arrived in ", None);
        put(&mut text, &place(rng), Some(EntityLabel::Location));
        put(&mut text, " on Monday. ", None);
        put(&mut text, "He", Some(EntityLabel::Person));
        put(&mut text, " told reporters that ", None);
        put(&mut text, "the group", Some(EntityLabel::Organisation));
        put(&mut text, " would meet officials there. ", None);
        put(&mut text, s, Some(EntityLabel::Person));
        put(&mut text, " added that ", None);
        put(&mut text, acr, Some(EntityLabel::Organisation));
        put(&mut text, " had no plans to leave.\n\n", None);
    }
    (text, ms)
}

/// CPU time of this process (user + system) in seconds, from /proc (Linux); the
/// machine is shared, so wall time alone overstates the work.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may contain spaces) start at ") ".
    let rest = stat.rsplit_once(") ")?.1;
    let f: Vec<&str> = rest.split(' ').collect();
    let utime: f64 = f.get(11)?.parse().ok()?;
    let stime: f64 = f.get(12)?.parse().ok()?;
    // USER_HZ is 100 on Linux.
    Some((utime + stime) / 100.0)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let base_n = args.first().copied().unwrap_or(10_000);
    let new_n = args.get(1).copied().unwrap_or(100);
    let runs = args.get(2).copied().unwrap_or(3);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let w = world(&mut rng);
    let docs: Vec<(String, Vec<MentionInput>)> =
        (0..base_n + new_n).map(|_| story(&w, &mut rng)).collect();
    let sentences: Vec<_> = docs.iter().map(|(t, _)| simple_sentences(t)).collect();
    let mentions: usize = docs.iter().map(|d| d.1.len()).sum();
    let ids: Vec<String> = (0..docs.len()).map(|i| format!("d{i}")).collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("threads for the in-document step: {threads}");
    println!(
        "{} base + {} new documents, {:.1} mentions per document, {} mentions in all",
        base_n,
        new_n,
        mentions as f64 / docs.len().max(1) as f64,
        mentions
    );
    // Gazetteer and alias table load once per process (lazily): not part of resolving.
    let mut warm = Resolver::new();
    if let (Some((t, m)), Some(s)) = (docs.first(), sentences.first()) {
        warm.add_document("warm", t, s, m);
    }
    let (mut base_t, mut inc_t, mut entities) = (Vec::new(), Vec::new(), 0);
    let (mut base_cpu, mut inc_cpu) = (Vec::new(), Vec::new());
    for run in 0..runs {
        let mut r = Resolver::new();
        let c0 = cpu_seconds();
        let t0 = Instant::now();
        // Batches of 500: the in-document step runs on the cores, assignment in order.
        let inputs: Vec<DocInput> = docs
            .iter()
            .zip(&sentences)
            .zip(&ids)
            .take(base_n)
            .map(|(((t, m), s), id)| DocInput {
                id,
                text: t,
                sentences: s,
                mentions: m,
            })
            .collect();
        for batch in inputs.chunks(500) {
            r.add_documents(batch, threads);
        }
        let base = t0.elapsed().as_secs_f64();
        let c1 = cpu_seconds();
        let t1 = Instant::now();
        let new: Vec<DocInput> = docs
            .iter()
            .zip(&sentences)
            .zip(&ids)
            .skip(base_n)
            .map(|(((t, m), s), id)| DocInput {
                id,
                text: t,
                sentences: s,
                mentions: m,
            })
            .collect();
        r.add_documents(&new, threads);
        let inc = t1.elapsed().as_secs_f64();
        let c2 = cpu_seconds();
        entities = r.len();
        let d = |a: Option<f64>, b: Option<f64>| a.zip(b).map(|(a, b)| b - a).unwrap_or(f64::NAN);
        base_cpu.push(d(c0, c1));
        inc_cpu.push(d(c1, c2));
        println!(
            "run {}: base {:.3} s wall ({:.2} s CPU), +{} documents {:.3} s wall ({:.2} s CPU)",
            run + 1,
            base,
            d(c0, c1),
            new_n,
            inc,
            d(c1, c2)
        );
        base_t.push(base);
        inc_t.push(inc);
    }
    println!(
        "median of {runs}: {base_n} documents ({:.0} mentions/s) in {:.3} s; {new_n} more documents into that base in {:.3} s; {entities} entities",
        (base_n as f64 * mentions as f64 / docs.len().max(1) as f64) / median(base_t.clone()).max(1e-9),
        median(base_t),
        median(inc_t)
    );
    println!(
        "median CPU time: base {:.2} s, incremental {:.2} s (CPU clock ticks of 10 ms)",
        median(base_cpu),
        median(inc_cpu)
    );
}
