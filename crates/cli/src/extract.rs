//! `dossier extract`: the extraction contract (JSON Lines in, JSON Lines out).

use dossier_core::{Extraction, Schema};
use dossier_nlp::{DocContext, Pipeline};
use serde::Deserialize;
use std::io::{BufRead, BufWriter, Write};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Label set of the entities: re3d (defence analysis, default) or conll (PER/ORG/LOC/MISC).
    #[arg(long, default_value = "re3d", value_parser = |s: &str| s.parse::<Schema>())]
    schema: Schema,
}

#[derive(Deserialize)]
struct InputLine {
    id: serde_json::Value,
    text: String,
    #[serde(default)]
    published: Option<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let pipeline = Pipeline::load_default()?;
    let stdin = std::io::stdin().lock();
    let mut out = BufWriter::new(std::io::stdout().lock());
    for line in stdin.split(b'\n') {
        let line = line?;
        let reply = extract_line(&pipeline, &line, args.schema);
        serde_json::to_writer(&mut out, &reply)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// One output object for one input line; never fails: problems become `error`.
pub fn extract_line(pipeline: &Pipeline, line: &[u8], schema: Schema) -> serde_json::Value {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let parsed: Result<InputLine, String> = std::str::from_utf8(line)
        .map_err(|e| format!("line is not valid UTF-8: {e}"))
        .and_then(|s| {
            serde_json::from_str(s)
                .map_err(|e| format!("not a JSON object with \"id\" and \"text\": {e}"))
        });
    match parsed {
        Err(error) => {
            // Salvage the id if the line is JSON with an id but, say, no text.
            let id = serde_json::from_slice::<serde_json::Value>(line)
                .ok()
                .and_then(|v| v.get("id").cloned())
                .unwrap_or(serde_json::Value::Null);
            serde_json::json!({"id": id, "error": error})
        }
        Ok(input) => {
            let published = input
                .published
                .as_deref()
                .filter(|p| p.len() >= 10)
                .and_then(|p| p.get(..10));
            let ctx = DocContext { published };
            let Extraction {
                entities, facts, ..
            } = pipeline.extract(&input.text, &ctx, schema);
            // Every key is always present, so scripts need not guess.
            serde_json::json!({
                "id": input.id,
                "entities": entities,
                "times": facts.times,
                "quotes": facts.quotes,
                "roles": facts.roles,
                "relations": facts.relations,
                "events": facts.events,
                "claims": facts.claims,
            })
        }
    }
}
