//! Throughput of relation extraction: the whole pipeline (`Pipeline::extract`,
//! which runs every fact extractor) and the relation step alone on the same
//! tokens and entities. Single thread; prints whitespace tokens per second of
//! CPU time (on Linux; wall clock elsewhere).
//!
//! cargo run -p dossier-nlp --example relations_bench -- FILE.jsonl [REPEAT]
//! (e.g. ../shared/data/conll2003/dev.jsonl)

use dossier_core::{Facts, OffsetMap, Schema};
use dossier_nlp::facts::relations;
use dossier_nlp::{Doc, DocContext, Pipeline};
use std::io::BufRead;

/// Seconds this thread has run on a CPU (Linux `/proc/thread-self/schedstat`),
/// so a loaded machine does not inflate the figures; wall clock elsewhere.
struct Clock(std::time::Instant);

impl Clock {
    fn now() -> Clock {
        Clock(std::time::Instant::now())
    }
    fn cpu() -> Option<f64> {
        let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
        let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
        Some(ns / 1e9)
    }
    fn start() -> (Clock, Option<f64>) {
        (Clock::now(), Clock::cpu())
    }
}

fn elapsed(t: &(Clock, Option<f64>)) -> f64 {
    match (t.1, Clock::cpu()) {
        (Some(a), Some(b)) => b - a,
        _ => t.0 .0.elapsed().as_secs_f64(),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .first()
        .ok_or("usage: relations_bench FILE.jsonl [REPEAT]")?;
    let repeat: usize = args.get(1).map(|s| s.parse()).transpose()?.unwrap_or(3);
    let file = std::io::BufReader::new(std::fs::File::open(path)?);
    let mut texts = Vec::new();
    for line in file.lines() {
        let v: serde_json::Value = serde_json::from_str(&line?)?;
        if let Some(t) = v.get("text").and_then(|t| t.as_str()) {
            texts.push(t.to_string());
        }
    }
    let tokens: usize = texts.iter().map(|t| t.split_whitespace().count()).sum();
    let p = Pipeline::load_default()?;
    let model = relations::embedded_model().ok_or("no embedded relation model")?;
    let ctx = DocContext::default();
    let ents: Vec<_> = texts
        .iter()
        .map(|t| p.extract(t, &ctx, Schema::Re3d).entities)
        .collect();
    let t = Clock::start();
    let mut n_rel = 0;
    for _ in 0..repeat {
        for t in &texts {
            n_rel += p.extract(t, &ctx, Schema::Re3d).facts.relations.len();
        }
    }
    let whole = elapsed(&t) / repeat as f64;
    let t = Clock::start();
    for _ in 0..repeat {
        for (text, e) in texts.iter().zip(&ents) {
            let doc = Doc::new(text);
            let map = OffsetMap::new(text);
            let facts = Facts::default();
            let r = relations::extract_with(Some(model), text, &doc, &map, e, &facts, Schema::Re3d);
            std::hint::black_box(r);
        }
    }
    let rel_with_doc = elapsed(&t) / repeat as f64;
    let t = Clock::start();
    for _ in 0..repeat {
        for (text, e) in texts.iter().zip(&ents) {
            let doc = Doc::new(text);
            let map = OffsetMap::new(text);
            let facts = Facts::default();
            let r = relations::extract_with(None, text, &doc, &map, e, &facts, Schema::Re3d);
            std::hint::black_box(r);
        }
    }
    let patterns_only = elapsed(&t) / repeat as f64;
    let t = Clock::start();
    for _ in 0..repeat {
        for text in &texts {
            std::hint::black_box(Doc::new(text));
            std::hint::black_box(OffsetMap::new(text));
        }
    }
    let doc_only = elapsed(&t) / repeat as f64;
    let rel = (rel_with_doc - doc_only).max(1e-9);
    println!(
        "{} documents, {} whitespace tokens, {} relations per pass",
        texts.len(),
        tokens,
        n_rel / repeat
    );
    println!(
        "whole pipeline (re3d schema, all fact extractors): {:.3} s = {:.0} tokens/s",
        whole,
        tokens as f64 / whole
    );
    println!(
        "relation step alone (tokens and entities given): {:.3} s = {:.0} tokens/s ({:.1}% of the pipeline)",
        rel,
        tokens as f64 / rel,
        100.0 * rel / whole
    );
    println!(
        "of which without the model (candidates + patterns): {:.3} s",
        (patterns_only - doc_only).max(0.0)
    );
    Ok(())
}
