//! How much of re3d's gold the gazetteer covers (non-BBC documents), per label:
//! exact (a gazetteer match has the span's exact tokens) and inside (some match lies within).
//!
//! cargo run --release -p dossier-nlp --example gazetteer_coverage -- ../shared/data/re3d/train.jsonl
use dossier_nlp::gazetteer::Gazetteer;
use dossier_nlp::Doc;
use std::collections::BTreeMap;

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../shared/data/re3d/train.jsonl".into());
    let Ok(raw) = std::fs::read_to_string(&path) else {
        eprintln!("cannot read {path}");
        std::process::exit(1);
    };
    let gaz = Gazetteer::global();
    let mut stats: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for line in raw.lines() {
        let Ok(d) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if d["source"] == "BBC Online" {
            continue;
        }
        let text = d["text"].as_str().unwrap_or("");
        let mut byte_of: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        byte_of.push(text.len());
        let doc = Doc::new(text);
        let m: Vec<(usize, usize)> = gaz
            .matches_doc(&doc)
            .iter()
            .map(|g| (doc.tokens[g.start_tok].start, doc.tokens[g.end_tok - 1].end))
            .collect();
        for e in d["entities"].as_array().into_iter().flatten() {
            let s = byte_of
                .get(e["start"].as_u64().unwrap_or(0) as usize)
                .copied()
                .unwrap_or(0);
            let en = byte_of
                .get(e["end"].as_u64().unwrap_or(0) as usize)
                .copied()
                .unwrap_or(0);
            let st = stats
                .entry(e["label"].as_str().unwrap_or("?").to_string())
                .or_default();
            st.0 += 1;
            if m.iter().any(|&(a, b)| a == s && b == en) {
                st.1 += 1;
            }
            if m.iter().any(|&(a, b)| a >= s && b <= en) {
                st.2 += 1;
            }
        }
    }
    println!(
        "{:<18} {:>5} {:>8} {:>8}",
        "label", "gold", "exact", "inside"
    );
    for (l, (n, ex, ins)) in stats {
        println!(
            "{l:<18} {n:>5} {:>7.1}% {:>7.1}%",
            100.0 * ex as f64 / n as f64,
            100.0 * ins as f64 / n as f64
        );
    }
}
