//! `dossier extract` stand-in for benchmarks: JSON Lines in (`{"id","text"}`),
//! contract JSON Lines out, single-threaded. Prints timing to stderr.
//!
//! usage: extract_bench [--schema re3d|conll|knowledge] [--full] [--models DIR] [--repeat N]
//!        < in.jsonl > out.jsonl
//!
//! `--schema knowledge` runs `Pipeline::extract_knowledge` (what ingest stores);
//! `--full` prints the whole extraction (facts and sentences too), for checking
//! that a speed-up leaves the output unchanged.

use dossier_core::Schema;
use dossier_nlp::{DocContext, Pipeline};
use std::io::{BufRead, Write};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let get = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let schema_arg = get("--schema").unwrap_or_else(|| "re3d".into());
    let knowledge = schema_arg == "knowledge";
    let schema: Schema = if knowledge {
        Schema::Re3d
    } else {
        schema_arg.parse()?
    };
    let full = args.iter().any(|a| a == "--full");
    let repeat: usize = get("--repeat").map(|s| s.parse()).transpose()?.unwrap_or(1);
    let t0 = std::time::Instant::now();
    let p = match get("--models") {
        Some(d) => Pipeline::load_dir(std::path::Path::new(&d))?,
        None => Pipeline::load_default()?,
    };
    let load = t0.elapsed();
    let lines: Vec<String> = std::io::stdin().lock().lines().collect::<Result<_, _>>()?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let ctx = DocContext::default();
    let mut ws_tokens = 0usize;
    let t1 = std::time::Instant::now();
    for r in 0..repeat {
        for line in &lines {
            if line.trim().is_empty() {
                continue;
            }
            let v: serde_json::Value = match serde_json::from_str(line) {
                Ok(v) => v,
                Err(e) => {
                    if r == 0 {
                        writeln!(
                            out,
                            "{}",
                            serde_json::json!({"id": null, "error": e.to_string()})
                        )?;
                    }
                    continue;
                }
            };
            let id = v.get("id").cloned().unwrap_or(serde_json::Value::Null);
            let Some(text) = v.get("text").and_then(|t| t.as_str()) else {
                if r == 0 {
                    writeln!(out, "{}", serde_json::json!({"id": id, "error": "no text"}))?;
                }
                continue;
            };
            ws_tokens += text.split_whitespace().count();
            let x = if knowledge {
                p.extract_knowledge(text, &ctx)
            } else {
                p.extract(text, &ctx, schema)
            };
            if r == 0 && full {
                writeln!(out, "{}", serde_json::json!({"id": id, "extraction": x}))?;
            } else if r == 0 {
                writeln!(
                    out,
                    "{}",
                    serde_json::json!({"id": id, "entities": x.entities})
                )?;
            }
        }
    }
    out.flush()?;
    let el = t1.elapsed().as_secs_f64();
    eprintln!(
        "load {:.3}s; {} whitespace tokens in {:.3}s = {:.0} tokens/s (excluding load)",
        load.as_secs_f64(),
        ws_tokens,
        el,
        ws_tokens as f64 / el
    );
    Ok(())
}
