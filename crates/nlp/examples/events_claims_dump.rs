//! Prints the entities, times, events and claims found in each line of stdin
//! (one text per line), for eyeballing the fact extractors.
//!
//! usage: events_claims_dump [--schema re3d|conll] [--published YYYY-MM-DD] < texts.txt

use dossier_core::Schema;
use dossier_nlp::{DocContext, Pipeline};
use std::io::BufRead;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let get = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let schema: Schema = get("--schema").unwrap_or_else(|| "re3d".into()).parse()?;
    let published = get("--published");
    let p = Pipeline::load_default()?;
    let ctx = DocContext {
        published: published.as_deref(),
    };
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let x = p.extract(&line, &ctx, schema);
        println!("# {line}");
        for e in &x.entities {
            println!("  ent {:?} {:?} [{},{})", e.label, e.text, e.start, e.end);
        }
        for t in &x.facts.times {
            println!("  time {:?} {} [{},{})", t.text, t.value, t.start, t.end);
        }
        for e in &x.facts.events {
            let args: Vec<String> = e
                .arguments
                .iter()
                .map(|a| format!("{:?}={:?}", a.role, a.text))
                .collect();
            println!(
                "  event {} {:?} {} {}",
                e.kind.as_str(),
                e.trigger.text,
                e.modality.as_deref().unwrap_or("-"),
                args.join(" ")
            );
        }
        for c in &x.facts.claims {
            println!(
                "  claim subj={:?} attr={:?} value={} unit={:?} qual={:?} src={:?} time={:?}",
                c.subject.as_ref().map(|s| s.text.as_str()),
                c.attribute,
                c.value,
                c.unit,
                c.qualifier,
                c.source.as_ref().map(|s| s.text.as_str()),
                c.time.as_ref().map(|t| t.value.as_str())
            );
        }
    }
    Ok(())
}
