//! Throughput of the events and claims extractors, alone and inside the whole pipeline.
//!
//! usage: events_claims_bench [--schema re3d|conll] [--repeat N] < docs.jsonl   (`{"text": ...}` lines)
//!
//! Prints whitespace tokens per second for (1) `Pipeline::extract` (tokenizer, tagger,
//! patterns, times and every fact extractor), (2) events + claims alone, on inputs prepared
//! once per document (same tokens, entities and times the pipeline would give them).

use dossier_core::{Facts, OffsetMap, Schema};
use dossier_nlp::facts::{claims, events, FactInput};
use dossier_nlp::{time, Doc, DocContext, Pipeline};
use std::io::BufRead;
use std::time::Instant;

/// User + system CPU time of this process (Linux `/proc/self/stat`, 100 ticks a second);
/// wall time alone misleads on a loaded machine. 0 where unavailable.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return 0.0;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = |k: usize| f.get(k).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / 100.0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let get = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let schema: Schema = get("--schema").unwrap_or_else(|| "re3d".into()).parse()?;
    let repeat: usize = get("--repeat").map(|s| s.parse()).transpose()?.unwrap_or(3);
    let p = Pipeline::load_default()?;
    let ctx = DocContext::default();
    let mut texts = Vec::new();
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let v: serde_json::Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(_) => continue,
        };
        if let Some(t) = v.get("text").and_then(|t| t.as_str()) {
            texts.push(t.to_string());
        }
    }
    let tokens: usize = texts.iter().map(|t| t.split_whitespace().count()).sum();

    // (1) The whole pipeline.
    let (t0, c0) = (Instant::now(), cpu_seconds());
    let (mut n_events, mut n_claims) = (0usize, 0usize);
    for _ in 0..repeat {
        for t in &texts {
            let x = p.extract(t, &ctx, schema);
            n_events += x.facts.events.len();
            n_claims += x.facts.claims.len();
        }
    }
    let whole = t0.elapsed().as_secs_f64();
    let whole_cpu = cpu_seconds() - c0;

    // (2) Events + claims alone, on inputs prepared once.
    let prepared: Vec<_> = texts
        .iter()
        .map(|t| {
            let x = p.extract(t, &ctx, schema);
            (
                Doc::new(t),
                OffsetMap::new(t),
                x.entities,
                time::extract_times(t, None),
            )
        })
        .collect();
    let (t1, c1) = (Instant::now(), cpu_seconds());
    for _ in 0..repeat {
        for (t, (doc, map, ents, times)) in texts.iter().zip(&prepared) {
            let input = FactInput {
                text: t,
                doc,
                map,
                entities: ents,
                times,
                published: None,
            };
            let so_far = Facts::default();
            let ev = events::extract(&input, &so_far);
            let cl = claims::extract(&input, &so_far);
            std::hint::black_box((ev, cl));
        }
    }
    let alone = t1.elapsed().as_secs_f64();
    let alone_cpu = cpu_seconds() - c1;
    let n = (tokens * repeat) as f64;
    eprintln!(
        "{} docs, {} whitespace tokens x {repeat}; {} events, {} claims per pass",
        texts.len(),
        tokens,
        n_events / repeat.max(1),
        n_claims / repeat.max(1)
    );
    eprintln!(
        "whole pipeline ({schema:?}): wall {whole:.3}s = {:.0} tokens/s; CPU {whole_cpu:.2}s = {:.0} tokens per CPU-second",
        n / whole,
        n / whole_cpu.max(1e-9)
    );
    eprintln!(
        "events + claims alone: wall {alone:.3}s = {:.0} tokens/s; CPU {alone_cpu:.2}s = {:.0} tokens per CPU-second ({:.1}% of the pipeline's CPU time)",
        n / alone,
        n / alone_cpu.max(1e-9),
        100.0 * alone_cpu / whole_cpu.max(1e-9)
    );
    Ok(())
}
