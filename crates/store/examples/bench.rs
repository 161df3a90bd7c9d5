//! Insert and search throughput of the SQLite store on a synthetic news corpus.
//!
//! ```text
//! cargo run -p dossier-store --example bench [--release] -- [--docs 10000] [--batch 256] [--queries 400] [--db PATH] [--facts]
//! ```
//!
//! Documents are news-sized (600 words, Zipf-distributed vocabulary, 30 entity
//! mentions, ~30 sentences, a 64-value MinHash signature). Prints insert docs/s
//! (store time only, generation excluded) and search latency percentiles per
//! kind of query.

use dossier_core::{
    CharSpan, Document, EntityLabel, EntityMention, Format, Query, SearchFilters, SearchRequest,
};
use dossier_store::{
    AnalysedDocument, ResolvedMention, SqliteStore, Store, MINHASH_BANDS, MINHASH_ROWS,
};
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
        (self.next() % n as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Zipf sampler over `n` ranks.
struct Zipf(Vec<f64>);

impl Zipf {
    fn new(n: usize, s: f64) -> Zipf {
        let mut acc = 0.0;
        let mut cdf: Vec<f64> = (1..=n)
            .map(|r| {
                acc += 1.0 / (r as f64).powf(s);
                acc
            })
            .collect();
        for c in &mut cdf {
            *c /= acc;
        }
        Zipf(cdf)
    }
    fn sample(&self, rng: &mut Rng) -> usize {
        let u = rng.unit();
        self.0.partition_point(|&c| c < u).min(self.0.len() - 1)
    }
}

fn make_word(rng: &mut Rng) -> String {
    const SYL: [&str; 24] = [
        "ka", "ri", "to", "men", "sa", "lo", "vek", "dar", "ni", "qu", "bel", "tor", "an", "es",
        "ul", "ham", "zi", "po", "rat", "ge", "mi", "sun", "ob", "ly",
    ];
    let n = 2 + rng.below(3); // 24^2 + 24^3 + 24^4 distinct words: enough for the vocabulary
    (0..n).map(|_| SYL[rng.below(SYL.len())]).collect()
}

struct Corpus {
    vocab: Vec<String>,
    entities: Vec<(String, EntityLabel)>,
    outlets: Vec<String>,
}

fn corpus(rng: &mut Rng) -> Corpus {
    let mut vocab = Vec::new();
    let mut seen = std::collections::HashSet::new();
    while vocab.len() < 30_000 {
        let w = make_word(rng);
        if seen.insert(w.clone()) {
            vocab.push(w);
        }
    }
    let labels = [
        EntityLabel::Person,
        EntityLabel::Organisation,
        EntityLabel::Location,
        EntityLabel::Weapon,
    ];
    let entities = (0..3_000)
        .map(|i| {
            let name = format!("{} {}", capital(&make_word(rng)), capital(&make_word(rng)));
            (name, labels[i % labels.len()])
        })
        .collect();
    let outlets = (0..40)
        .map(|i| format!("Outlet{i} {}", capital(&make_word(rng))))
        .collect();
    Corpus {
        vocab,
        entities,
        outlets,
    }
}

fn capital(w: &str) -> String {
    let mut c = w.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn make_doc(i: usize, c: &Corpus, words: &Zipf, ents: &Zipf, rng: &mut Rng) -> AnalysedDocument {
    let mut text = String::new();
    let mut chars = 0usize;
    let mut mentions = Vec::new();
    let mut sentences = Vec::new();
    let mut sentence_start = 0;
    let mut in_sentence = 0;
    let mention_every = 600 / 30;
    for w in 0..600 {
        if !text.is_empty() {
            text.push(' ');
            chars += 1;
        }
        if w % mention_every == 7 {
            let (name, label) = &c.entities[ents.sample(rng)];
            let n = name.chars().count();
            mentions.push(ResolvedMention {
                mention: EntityMention {
                    start: chars,
                    end: chars + n,
                    label: *label,
                    text: name.clone(),
                    confidence: 0.9,
                    kind: None,
                    normalized: None,
                    extractor: "bench/1".into(),
                },
                canonical: name.clone(),
            });
            text.push_str(name);
            chars += n;
        } else {
            let word = &c.vocab[words.sample(rng)];
            text.push_str(word);
            chars += word.chars().count();
        }
        in_sentence += 1;
        if in_sentence >= 12 + rng.below(16) {
            text.push('.');
            chars += 1;
            sentences.push(CharSpan::new(sentence_start, chars));
            sentence_start = chars + 1;
            in_sentence = 0;
        }
    }
    let outlet = &c.outlets[i % c.outlets.len()];
    let title: Vec<&str> = (0..8)
        .map(|_| c.vocab[words.sample(rng)].as_str())
        .collect();
    let mut d = Document::new(
        format!("feeds/{}/{i}.html", outlet.replace(' ', "-").to_lowercase()),
        Format::Html,
        text,
    );
    d.title = Some(capital(&title.join(" ")));
    d.outlet = Some(outlet.clone());
    d.url = Some(format!(
        "https://{}.example/{i}",
        outlet.to_lowercase().replace(' ', "")
    ));
    d.published = Some(format!(
        "{}-{:02}-{:02}",
        2015 + rng.below(6),
        1 + rng.below(12),
        1 + rng.below(28)
    ));
    d.language = Some("eng".into());
    d.metadata.insert("section".into(), "world".into());
    AnalysedDocument {
        document: d,
        mentions,
        sentences,
        facts: Default::default(),
        minhash: (0..MINHASH_BANDS * MINHASH_ROWS)
            .map(|_| rng.next() as u32)
            .collect(),
        near_duplicate_of: None,
        extractor: "bench/1".into(),
    }
}

/// About 40 facts per document between its mentions: 10 times, 10 relations,
/// 5 quotes (each over a sentence, speaker a mention), 5 roles, 5 events
/// (agent, target), 5 claims: denser than news, an upper bound on the cost.
fn add_facts(d: &mut AnalysedDocument, rng: &mut Rng) {
    use dossier_core::{
        Arg, Claim, Event, EventArgument, EventRole, EventType, Quote, QuoteKind, Relation, Role,
        TimeMention, TimeType,
    };
    let n = d.mentions.len();
    if n < 2 {
        return;
    }
    let arg = |m: &ResolvedMention| Arg {
        start: m.mention.start,
        end: m.mention.end,
        text: m.mention.text.clone(),
    };
    let pick = |rng: &mut Rng| rng.below(n);
    for _ in 0..10 {
        let a = &d.mentions[pick(rng)];
        d.facts.times.push(TimeMention {
            start: a.mention.start,
            end: a.mention.end,
            text: a.mention.text.clone(),
            kind: TimeType::Date,
            value: "2017-10-17".into(),
            confidence: 0.9,
            extractor: "bench-time/1".into(),
        });
        let (a, b) = (pick(rng), pick(rng));
        d.facts.relations.push(Relation {
            kind: ["MemberOf", "CoLocated", "InChargeOf"][rng.below(3)].into(),
            source: arg(&d.mentions[a]),
            target: arg(&d.mentions[b]),
            trigger: None,
            confidence: 0.7,
            extractor: "bench-relations/1".into(),
        });
    }
    for i in 0..5 {
        let s = d.sentences[rng.below(d.sentences.len())];
        let speaker = arg(&d.mentions[pick(rng)]);
        d.facts.quotes.push(Quote {
            start: s.start,
            end: s.end,
            text: String::new(),
            kind: QuoteKind::Direct,
            speaker: Some(speaker.clone()),
            speaker_entity: Some(speaker),
            speaker_role: None,
            cue: None,
            confidence: 0.8,
            extractor: "bench-quotes/1".into(),
        });
        let (a, b) = (arg(&d.mentions[pick(rng)]), arg(&d.mentions[pick(rng)]));
        d.facts.roles.push(Role {
            start: a.start,
            end: a.end,
            text: a.text.clone(),
            person: Some(a.clone()),
            title: a.clone(),
            organisation: Some(b.clone()),
            country: None,
            qualifiers: vec![],
            confidence: 0.6,
            extractor: "bench-roles/1".into(),
        });
        d.facts.events.push(Event {
            kind: EventType::ALL[i % EventType::ALL.len()],
            trigger: a.clone(),
            arguments: vec![
                EventArgument {
                    role: EventRole::Agent,
                    start: a.start,
                    end: a.end,
                    text: a.text.clone(),
                    value: None,
                },
                EventArgument {
                    role: EventRole::Target,
                    start: b.start,
                    end: b.end,
                    text: b.text.clone(),
                    value: None,
                },
            ],
            modality: None,
            confidence: 0.6,
            extractor: "bench-events/1".into(),
        });
        d.facts.claims.push(Claim {
            start: a.start,
            end: b.end.max(a.end),
            text: String::new(),
            subject: Some(a.clone()),
            attribute: "fighters".into(),
            quantity: b.clone(),
            value: 300.0,
            unit: None,
            qualifier: Some("about".into()),
            time: None,
            source: None,
            confidence: 0.5,
            extractor: "bench-claims/1".into(),
        });
    }
}

/// CPU seconds used by this process so far (Linux; 0 elsewhere): the machine is
/// shared, so wall-clock rates alone understate the store's speed.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the parenthesised command name; utime and stime are 14 and 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// CPU time of this thread in nanoseconds (Linux schedstat), to report query
/// cost independently of other processes competing for the cores.
fn thread_cpu() -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .next()
                .and_then(|v| v.parse::<u64>().ok())
        })
        .map_or(Duration::ZERO, Duration::from_nanos)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let n_docs: usize = arg("--docs").map_or(Ok(10_000), |s| s.parse())?;
    let batch: usize = arg("--batch").map_or(Ok(256), |s| s.parse())?;
    let n_queries: usize = arg("--queries").map_or(Ok(400), |s| s.parse())?;
    // Synthetic facts (40 per document) to measure their storage and edges.
    let with_facts = args.iter().any(|a| a == "--facts");
    let tmp = tempfile::tempdir()?;
    let path: std::path::PathBuf =
        arg("--db").map_or_else(|| tmp.path().join("bench.sqlite"), Into::into);

    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let c = corpus(&mut rng);
    let words = Zipf::new(c.vocab.len(), 1.05);
    let ents = Zipf::new(c.entities.len(), 0.9);
    let t = Instant::now();
    let docs: Vec<AnalysedDocument> = (0..n_docs)
        .map(|i| {
            let mut d = make_doc(i, &c, &words, &ents, &mut rng);
            if with_facts {
                add_facts(&mut d, &mut rng);
            }
            d
        })
        .collect();
    let mentions: usize = docs.iter().map(|d| d.mentions.len()).sum();
    let words_total: usize = docs
        .iter()
        .map(|d| d.document.text.split_whitespace().count())
        .sum();
    eprintln!(
        "generated {n_docs} docs ({} words, {} mentions per doc) in {:.1}s",
        words_total / n_docs.max(1),
        mentions / n_docs.max(1),
        t.elapsed().as_secs_f64()
    );

    let mut store = SqliteStore::open(&path)?;
    let reuse = args.iter().any(|a| a == "--reuse") && store.stats()?.documents == n_docs;
    if reuse {
        eprintln!(
            "reusing the {n_docs} documents already in {}",
            path.display()
        );
    } else {
        insert(&mut store, &docs, batch, mentions, &path)?;
    }
    search(&store, &docs, &c, &ents, &mut rng, n_queries)
}

fn insert(
    store: &mut SqliteStore,
    docs: &[AnalysedDocument],
    batch: usize,
    mentions: usize,
    path: &std::path::Path,
) -> Result<(), Box<dyn std::error::Error>> {
    let n_docs = docs.len();
    let t = Instant::now();
    let cpu = cpu_seconds();
    let mut batch_times = Vec::new();
    for chunk in docs.chunks(batch.max(1)) {
        let bt = Instant::now();
        store.put_batch(chunk)?;
        batch_times.push(bt.elapsed());
    }
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu;
    batch_times.sort();
    println!(
        "insert: {n_docs} docs in {secs:.2}s = {:.0} docs/s, {:.0} docs per CPU-second ({:.0} mentions/s); batch of {batch}: p50 {:.0} ms, max {:.0} ms",
        n_docs as f64 / secs,
        n_docs as f64 / cpu.max(1e-9),
        mentions as f64 / secs,
        ms(percentile(&batch_times, 0.5)),
        ms(percentile(&batch_times, 1.0))
    );
    let t = Instant::now();
    let again = store.put_batch(&docs[..batch.min(docs.len())])?;
    println!(
        "re-ingest of one batch (all skipped: {}): {:.1} ms",
        again.skipped,
        ms(t.elapsed())
    );
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    println!("database: {:.1} MiB (+ WAL)", size as f64 / 1048576.0);
    let t = Instant::now();
    store.optimize()?;
    println!("optimize: {:.2}s", t.elapsed().as_secs_f64());
    Ok(())
}

fn search(
    store: &SqliteStore,
    docs: &[AnalysedDocument],
    c: &Corpus,
    ents: &Zipf,
    rng: &mut Rng,
    n_queries: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let n_docs = docs.len();

    // Queries: words from several frequency bands, phrases from real documents, filters.
    let mut kinds: Vec<(&str, Vec<Duration>)> = Vec::new();
    let mut totals = Vec::new();
    let mut cpu_times = Vec::new();
    let kind_names = [
        "common term",
        "mid term",
        "rare term",
        "two terms",
        "phrase",
        "prefix",
        "or",
        "not",
        "term+date",
        "term+source",
        "term+entity",
        "term+type",
    ];
    for name in kind_names {
        kinds.push((name, Vec::new()));
    }
    let only: Option<usize> = std::env::args()
        .skip_while(|a| a != "--only")
        .nth(1)
        .and_then(|k| kind_names.iter().position(|n| *n == k));
    for q in 0..n_queries {
        let k = only.unwrap_or(q % kind_names.len());
        let w = |rank: usize| Query::Term {
            word: c.vocab[rank].clone(),
            prefix: false,
        };
        let mut filters = SearchFilters::default();
        let query = match k {
            0 => w(rng.below(20)),
            1 => w(200 + rng.below(800)),
            2 => w(5_000 + rng.below(20_000)),
            3 => Query::And {
                all: vec![w(rng.below(300)), w(rng.below(3000))],
            },
            4 => {
                let d = &docs[rng.below(docs.len())].document.text;
                let ws: Vec<&str> = d.split_whitespace().collect();
                let i = rng.below(ws.len().saturating_sub(3).max(1));
                let words: Vec<String> = ws[i..i + 2]
                    .iter()
                    .flat_map(|w| dossier_core::query::normalize_words(w))
                    .collect();
                Query::Phrase { words }
            }
            5 => {
                let word = &c.vocab[100 + rng.below(1000)];
                Query::Term {
                    word: word.chars().take(3).collect(),
                    prefix: true,
                }
            }
            6 => Query::Or {
                any: vec![
                    w(100 + rng.below(1000)),
                    w(100 + rng.below(1000)),
                    w(rng.below(50)),
                ],
            },
            7 => Query::And {
                all: vec![
                    w(rng.below(100)),
                    Query::Not {
                        inner: Box::new(w(rng.below(100))),
                    },
                ],
            },
            8 => {
                let y = 2015 + rng.below(6);
                filters.from = Some(format!("{y}-03"));
                filters.to = Some(format!("{y}-06-30"));
                w(rng.below(500))
            }
            9 => {
                filters.source = Some(c.outlets[rng.below(c.outlets.len())].to_lowercase());
                w(rng.below(500))
            }
            10 => {
                filters.entity = Some(c.entities[ents.sample(rng)].0.to_uppercase());
                w(rng.below(500))
            }
            _ => {
                filters.entity_type = Some(EntityLabel::Weapon);
                w(rng.below(500))
            }
        };
        let req = SearchRequest {
            query,
            filters,
            limit: 20,
            offset: 0,
        };
        let t = Instant::now();
        let cpu = thread_cpu();
        let res = store.search(&req)?;
        let el = t.elapsed();
        cpu_times.push(thread_cpu().saturating_sub(cpu));
        if q < kind_names.len() && only.is_none() {
            eprintln!(
                "  {:<12} total {:>5}  {:.2} ms",
                kind_names[k],
                res.total,
                ms(el)
            );
        }
        kinds[k].1.push(el);
        totals.push(el);
    }
    totals.sort();
    println!(
        "search over {n_docs} docs, {n_queries} queries (limit 20, with snippets): p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        ms(percentile(&totals, 0.5)),
        ms(percentile(&totals, 0.95)),
        ms(percentile(&totals, 1.0))
    );
    cpu_times.sort();
    println!(
        "  CPU time per search: p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        ms(percentile(&cpu_times, 0.5)),
        ms(percentile(&cpu_times, 0.95)),
        ms(percentile(&cpu_times, 1.0))
    );
    for (name, mut v) in kinds {
        v.sort();
        println!(
            "  {name:<12} p50 {:>6.2} ms  p95 {:>6.2} ms",
            ms(percentile(&v, 0.5)),
            ms(percentile(&v, 0.95))
        );
    }
    Ok(())
}
