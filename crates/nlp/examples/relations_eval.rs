//! Scores the relation model on re3d dev, end to end (the pipeline's own
//! entities) and with gold entities, and prints how many gold relations are
//! reachable as candidate pairs.
//!
//! cargo run -p dossier-nlp --example relations_eval [-- MODEL.bin [DEV.jsonl]]

use dossier_core::Schema;
use dossier_nlp::facts::relations::{self, RelModel};
use dossier_nlp::train::{eval_relations, gold_mentions, read_rel_docs};
use dossier_nlp::{DocContext, Pipeline};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let owned;
    let model: Option<&RelModel> = match args.first() {
        Some(p) if p != "-" => {
            owned = RelModel::from_bytes(&std::fs::read(p)?)?;
            Some(&owned)
        }
        _ => relations::embedded_model(),
    };
    let dev = args.get(1).map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/re3d/dev.jsonl"
        ))
    });
    let docs = read_rel_docs(&dev)?;
    let pipeline = Pipeline::load_default()?;
    let own: Vec<_> = docs
        .iter()
        .map(|d| {
            pipeline
                .extract(&d.text, &DocContext::default(), Schema::Re3d)
                .entities
        })
        .collect();
    let gold: Vec<_> = docs.iter().map(gold_mentions).collect();
    for (name, ents) in [("own entities", &own), ("gold entities", &gold)] {
        let (mut n, mut reach) = (0, 0);
        for (d, e) in docs.iter().zip(ents.iter()) {
            let cands = relations::candidate_pairs(model, &d.text, e);
            for r in &d.relations {
                n += 1;
                let s = (r.source.0, r.source.1);
                let t = (r.target.0, r.target.1);
                if cands.contains(&(s, t)) || cands.contains(&(t, s)) {
                    reach += 1;
                } else if std::env::var("RELATIONS_UNREACHABLE").is_ok() {
                    let t = |a: &(usize, usize, String)| -> String {
                        d.text.chars().skip(a.0).take(a.1 - a.0).collect()
                    };
                    println!(
                        "unreachable {} {:?} {:?}",
                        r.kind,
                        t(&r.source),
                        t(&r.target)
                    );
                }
            }
        }
        println!("== {name}: {reach} of {n} gold relations are candidate pairs");
        print!("{}", eval_relations(model, &docs, ents).render());
        // RELATIONS_DUMP=DIR writes the predictions as JSONL for a look with score_rel.py.
        if let Ok(dir) = std::env::var("RELATIONS_DUMP") {
            let path = PathBuf::from(dir).join(format!("{}.jsonl", name.replace(' ', "_")));
            let mut out = String::new();
            for (d, e) in docs.iter().zip(ents.iter()) {
                let doc = dossier_nlp::Doc::new(&d.text);
                let map = dossier_core::OffsetMap::new(&d.text);
                let rels = relations::extract_with(
                    model,
                    &d.text,
                    &doc,
                    &map,
                    e,
                    &dossier_core::Facts::default(),
                    Schema::Re3d,
                );
                let line = serde_json::json!({"id": d.id, "relations": rels});
                out.push_str(&line.to_string());
                out.push('\n');
            }
            std::fs::write(&path, out)?;
        }
    }
    Ok(())
}
