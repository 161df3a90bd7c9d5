//! Run the time rules over a TimeML JSONL file (as in ../shared/data/timeml) and write
//! predictions for `score_timex.py`: one `{"id", "times": [...]}` line per document,
//! using each record's `published` field as the document creation time.
//!
//! `cargo run --release -p dossier-nlp --example timex_eval -- dev.jsonl > pred.jsonl`
//! With `--bench` it prints throughput (whitespace tokens per second) to stderr instead.

use dossier_nlp::time::{extract_times, type_name};
use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bench = args.iter().any(|a| a == "--bench");
    let Some(path) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!("usage: timex_eval GOLD.jsonl [--bench] > PRED.jsonl");
        std::process::exit(2);
    };
    let data = match std::fs::read_to_string(path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {path}: {e}");
            std::process::exit(1);
        }
    };
    let mut docs = Vec::new();
    for (n, line) in data.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<serde_json::Value>(line) {
            Ok(v) => docs.push(v),
            Err(e) => {
                eprintln!("error: {path} line {}: {e}", n + 1);
                std::process::exit(1);
            }
        }
    }
    if bench {
        let tokens: usize = docs
            .iter()
            .map(|d| d["text"].as_str().unwrap_or("").split_whitespace().count())
            .sum();
        let rounds = 20;
        let t0 = std::time::Instant::now();
        let mut found = 0;
        for _ in 0..rounds {
            for d in &docs {
                found +=
                    extract_times(d["text"].as_str().unwrap_or(""), d["published"].as_str()).len();
            }
        }
        let secs = t0.elapsed().as_secs_f64();
        eprintln!(
            "{} tokens x {rounds} in {secs:.3}s: {:.0} tokens/s ({found} timexes)",
            tokens,
            (tokens * rounds) as f64 / secs
        );
        return;
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for d in &docs {
        let text = d["text"].as_str().unwrap_or("");
        let times: Vec<serde_json::Value> = extract_times(text, d["published"].as_str())
            .into_iter()
            .map(|t| {
                serde_json::json!({"start": t.start, "end": t.end, "type": type_name(t.kind),
                                   "value": t.value, "text": t.text})
            })
            .collect();
        let line = serde_json::json!({"id": d["id"], "times": times});
        if writeln!(out, "{line}").is_err() {
            return;
        }
    }
}
