//! Prints the entities, roles and quotes found in each document of a JSON Lines
//! file (`{"id","text"}` per line), for reading the extractors' output by eye.
//!
//! usage: facts_dump FILE.jsonl [ID]

use dossier_core::Schema;
use dossier_nlp::{DocContext, Pipeline};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args.first().ok_or("usage: facts_dump FILE.jsonl [ID]")?;
    let only = args.get(1);
    let p = Pipeline::load_default()?;
    for line in std::fs::read_to_string(path)?.lines() {
        let v: serde_json::Value = serde_json::from_str(line)?;
        let id = v.get("id").and_then(|x| x.as_str()).unwrap_or("");
        if only.is_some_and(|o| o != id) {
            continue;
        }
        let text = v.get("text").and_then(|x| x.as_str()).unwrap_or("");
        let x = p.extract(text, &DocContext::default(), Schema::Re3d);
        println!("=== {id}");
        for e in &x.entities {
            print!("[{}:{}] ", e.label.as_str(), e.text);
        }
        println!();
        for r in &x.facts.roles {
            println!("ROLE {}", serde_json::to_string(r)?);
        }
        for q in &x.facts.quotes {
            let a = |a: &Option<dossier_core::Arg>| {
                a.as_ref().map_or("-".to_string(), |a| a.text.clone())
            };
            println!(
                "QUOTE {:?} [{}] speaker={} entity={} role={} cue={}",
                q.kind,
                q.text.chars().take(50).collect::<String>(),
                a(&q.speaker),
                a(&q.speaker_entity),
                a(&q.speaker_role),
                a(&q.cue)
            );
        }
    }
    Ok(())
}
