//! Prints pattern matches of a JSONL or text file, one per line (kind, text, normalised value).
//!
//! cargo run --release -p dossier-nlp --example patterns_dump -- FILE [KIND]
fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: patterns_dump FILE [KIND]");
        std::process::exit(2);
    };
    let kind = args.next();
    let Ok(raw) = std::fs::read_to_string(&path) else {
        eprintln!("cannot read {path}");
        std::process::exit(1);
    };
    let texts: Vec<String> = if path.ends_with(".jsonl") {
        raw.lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v["text"].as_str().map(str::to_string))
            .collect()
    } else {
        vec![raw]
    };
    for t in &texts {
        for m in dossier_nlp::patterns::find(t) {
            if kind.as_deref().is_none_or(|k| k == m.kind) {
                println!(
                    "{}\t{}\t{:?}\t{}",
                    m.kind,
                    m.label,
                    &t[m.start..m.end],
                    m.normalized.unwrap_or_default()
                );
            }
        }
    }
}
