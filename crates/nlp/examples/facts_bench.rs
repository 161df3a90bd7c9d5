//! Throughput of `Pipeline::extract` (everything `dossier extract` runs per document)
//! and of the role and quote extractors alone, single-threaded, in whitespace tokens/s.
//!
//! usage: facts_bench [FILE.jsonl] [--repeat N]
//! (default file: the CoNLL-2003 dev text, ../shared/data/conll2003/dev.jsonl)
//!
//! Roles and quotes are timed on their own by re-running them on the pipeline's
//! entities; the figure "without roles+quotes" subtracts that time from the total.

use dossier_core::{Facts, OffsetMap, Schema};
use dossier_nlp::facts::{quotes, roles, FactInput};
use dossier_nlp::{DocContext, Pipeline};
use std::time::{Duration, Instant};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let repeat: usize = args
        .iter()
        .position(|a| a == "--repeat")
        .and_then(|i| args.get(i + 1))
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(3);
    let default = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/conll2003/dev.jsonl"
    );
    let path = args
        .iter()
        .find(|a| a.ends_with(".jsonl"))
        .cloned()
        .unwrap_or_else(|| default.to_string());
    let raw = match std::fs::read_to_string(&path) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot read {path}: {e} (the CoNLL data lives in ../shared/data)");
            return Ok(());
        }
    };
    let texts: Vec<String> = raw
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("text").and_then(|t| t.as_str()).map(String::from))
        .collect();
    let ws: usize = texts.iter().map(|t| t.split_whitespace().count()).sum();
    let p = Pipeline::load_default()?;
    let ctx = DocContext::default();
    // Warm up (gazetteer and lexicon initialisation).
    for t in texts.iter().take(5) {
        let _ = p.extract(t, &ctx, Schema::Re3d);
    }
    let mut total = Duration::ZERO;
    let mut mine = Duration::ZERO;
    let (mut n_roles, mut n_quotes) = (0usize, 0usize);
    for _ in 0..repeat {
        for t in &texts {
            let t0 = Instant::now();
            let x = p.extract(t, &ctx, Schema::Re3d);
            total += t0.elapsed();
            n_roles += x.facts.roles.len();
            n_quotes += x.facts.quotes.len();
            // The same two extractors again on their own. Texts over the pipeline's piece
            // size are cut into pieces by `extract`; the bench runs them whole (an upper
            // bound on their cost).
            let doc = p.analyse(t);
            let map = OffsetMap::new(t);
            let input = FactInput {
                text: t,
                doc: &doc,
                map: &map,
                entities: &x.entities,
                times: &[],
                published: None,
            };
            let t1 = Instant::now();
            let mut f = Facts {
                roles: roles::extract(&input, &Facts::default()),
                ..Default::default()
            };
            f.quotes = quotes::extract(&input, &f);
            mine += t1.elapsed();
            std::hint::black_box(&f);
        }
    }
    let toks = (ws * repeat) as f64;
    let rate = |d: Duration| toks / d.as_secs_f64().max(1e-9);
    println!(
        "{path}: {} documents, {ws} whitespace tokens, x{repeat}",
        texts.len()
    );
    println!(
        "extract (all components):      {:>10.0} tokens/s",
        rate(total)
    );
    println!(
        "without roles+quotes:          {:>10.0} tokens/s",
        rate(total.saturating_sub(mine))
    );
    println!(
        "roles+quotes alone:            {:>10.0} tokens/s ({:.1}% of extract time)",
        rate(mine),
        100.0 * mine.as_secs_f64() / total.as_secs_f64().max(1e-9)
    );
    println!(
        "found {} roles, {} quotes per pass",
        n_roles / repeat.max(1),
        n_quotes / repeat.max(1)
    );
    Ok(())
}
