//! Precision/recall of the pattern recognisers against re3d gold (exact span and label).
//!
//! cargo run --release -p dossier-nlp --example patterns_eval -- ../shared/data/re3d/train.jsonl [--no-cardinal]
use dossier_core::EntityLabel;
use std::collections::{BTreeMap, HashSet};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .first()
        .cloned()
        .unwrap_or_else(|| "../shared/data/re3d/train.jsonl".into());
    let no_cardinal = args.iter().any(|a| a == "--no-cardinal");
    let show = args.iter().any(|a| a == "--show");
    let targets = [
        EntityLabel::Money,
        EntityLabel::Quantity,
        EntityLabel::Frequency,
        EntityLabel::CommsIdentifier,
        EntityLabel::DocumentReference,
        EntityLabel::Url,
        EntityLabel::Temporal,
    ];
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    // label -> (tp, pred, gold)
    let mut score: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    let mut kinds: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for line in text.lines() {
        let Ok(d) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let t = d["text"].as_str().unwrap_or("");
        let map = dossier_core::OffsetMap::new(t);
        let mut gold: HashSet<(usize, usize, EntityLabel)> = HashSet::new();
        for e in d["entities"].as_array().into_iter().flatten() {
            let Ok(l) = e["label"].as_str().unwrap_or("").parse::<EntityLabel>() else {
                continue;
            };
            if targets.contains(&l) {
                gold.insert((
                    e["start"].as_u64().unwrap_or(0) as usize,
                    e["end"].as_u64().unwrap_or(0) as usize,
                    l,
                ));
                score.entry(l.as_str()).or_default().2 += 1;
            }
        }
        let mut found: HashSet<(usize, usize, EntityLabel)> = HashSet::new();
        for m in dossier_nlp::patterns::find(t) {
            let sp0 = map.span_to_chars(m.start, m.end);
            found.insert((sp0.start, sp0.end, m.label));
            if no_cardinal && m.kind == "cardinal" || !targets.contains(&m.label) {
                continue;
            }
            let sp = map.span_to_chars(m.start, m.end);
            let hit = gold.contains(&(sp.start, sp.end, m.label));
            let s = score.entry(m.label.as_str()).or_default();
            s.1 += 1;
            let k = kinds.entry(m.kind).or_default();
            k.1 += 1;
            if hit {
                s.0 += 1;
                k.0 += 1;
            } else if show {
                let gl: Vec<_> = gold
                    .iter()
                    .filter(|g| g.0 < sp.end && sp.start < g.1)
                    .map(|g| (t.chars().skip(g.0).take(g.1 - g.0).collect::<String>(), g.2))
                    .collect();
                println!(
                    "FP {:<10} {:<14} {:?}  gold-overlap {:?}",
                    m.label.as_str(),
                    m.kind,
                    &t[m.start..m.end],
                    gl
                );
            }
        }
        if show {
            for g in &gold {
                if !found.contains(g) && (!no_cardinal || g.2 != EntityLabel::Quantity) {
                    let s: String = t
                        .chars()
                        .skip(g.0.saturating_sub(25))
                        .take(g.1 - g.0.saturating_sub(25) + 20)
                        .collect();
                    println!(
                        "FN {:<10} {:?}   ctx {:?}",
                        g.2.as_str(),
                        t.chars().skip(g.0).take(g.1 - g.0).collect::<String>(),
                        s
                    );
                }
            }
        }
    }
    println!(
        "{:<18} {:>5} {:>5} {:>5} {:>7} {:>7}",
        "label", "tp", "pred", "gold", "P", "R"
    );
    let (mut tp, mut pr, mut go) = (0, 0, 0);
    for (l, (a, b, c)) in &score {
        tp += a;
        pr += b;
        go += c;
        println!(
            "{:<18} {:>5} {:>5} {:>5} {:>6.1}% {:>6.1}%",
            l,
            a,
            b,
            c,
            100.0 * *a as f64 / (*b).max(1) as f64,
            100.0 * *a as f64 / (*c).max(1) as f64
        );
    }
    println!(
        "{:<18} {:>5} {:>5} {:>5} {:>6.1}% {:>6.1}%",
        "ALL",
        tp,
        pr,
        go,
        100.0 * tp as f64 / pr.max(1) as f64,
        100.0 * tp as f64 / go.max(1) as f64
    );
    println!("\nprecision by kind:");
    for (k, (a, b)) in &kinds {
        println!(
            "  {:<16} {:>4}/{:<4} {:>6.1}%",
            k,
            a,
            b,
            100.0 * *a as f64 / (*b).max(1) as f64
        );
    }
}
