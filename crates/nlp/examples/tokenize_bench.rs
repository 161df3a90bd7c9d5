//! Throughput of the text layer on one core.
//!
//! cargo run --release -p dossier-nlp --example tokenize_bench -- ../shared/data/conll2003/dev.jsonl [repeats]
//!
//! Reads JSON Lines (the `text` field of each line) or plain text, and prints whitespace tokens
//! per second for tokenize + sentences, for patterns, and for gazetteer matching.
use dossier_nlp::gazetteer::Gazetteer;
use dossier_nlp::{patterns, tokenize, Doc};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: tokenize_bench FILE [repeats]");
        std::process::exit(2);
    };
    let repeats: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(5);
    let raw = match std::fs::read_to_string(&path) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    let texts: Vec<String> = if path.ends_with(".jsonl") {
        raw.lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v["text"].as_str().map(str::to_string))
            .collect()
    } else {
        vec![raw]
    };
    let ws: usize = texts.iter().map(|t| t.split_whitespace().count()).sum();
    let bytes: usize = texts.iter().map(String::len).sum();
    println!(
        "{} documents, {ws} whitespace tokens, {bytes} bytes, {repeats} repeats",
        texts.len()
    );

    let rate = |label: &str, f: &mut dyn FnMut() -> usize| {
        let mut best = f64::MAX;
        let mut out = 0;
        for _ in 0..repeats {
            let t = Instant::now();
            out = f();
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!(
            "{label:<28} {:>12.0} tokens/s  ({:.1} ms per pass, {out} items)",
            ws as f64 / best,
            best * 1e3
        );
    };
    rate("tokenize", &mut || {
        texts.iter().map(|t| tokenize::tokenize(t).len()).sum()
    });
    rate("tokenize + sentences", &mut || {
        texts
            .iter()
            .map(|t| {
                let toks = tokenize::tokenize(t);
                tokenize::sentence_starts(t, &toks).len()
            })
            .sum()
    });
    let docs: Vec<Doc<'_>> = texts.iter().map(|t| Doc::new(t)).collect();
    rate("patterns (on tokens)", &mut || {
        docs.iter().map(|d| patterns::find_in_doc(d).len()).sum()
    });
    let t = Instant::now();
    let gaz = Gazetteer::global();
    println!(
        "gazetteer load: {:.1} ms, {} entries",
        t.elapsed().as_secs_f64() * 1e3,
        gaz.len()
    );
    rate("gazetteer matches", &mut || {
        docs.iter().map(|d| gaz.matches_doc(d).len()).sum()
    });
    rate("all of the above", &mut || {
        texts
            .iter()
            .map(|t| {
                let d = Doc::new(t);
                patterns::find_in_doc(&d).len() + gaz.matches_doc(&d).len()
            })
            .sum()
    });
}
