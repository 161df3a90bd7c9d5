//! Trains a tagger model (what `dossier train` exposes).
//!
//! usage: train_tagger --kind conll|re3d [--data DIR] [--out DIR] [--epochs N] [--seed N]
//!                     [--no-clusters] [--no-gaz] [--no-patterns] [--no-history] [--gold-history]
//!                     [--max-docs N] [--stack-conll] [--stack CONLL.bin] [--keep-bbc] [--runs N]
//!                     [--no-dev] [--augment-with-conll|--no-augment] [--aux-weight W]
//!                     [--aux-fraction F] [--max-features N] [--aux-free-rate R]

use dossier_nlp::{train, ModelKind, TrainConfig};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let get = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let has = |name: &str| args.iter().any(|a| a == name);
    let kind = match get("--kind").as_deref() {
        Some("re3d") => ModelKind::Re3d,
        _ => ModelKind::Conll,
    };
    let data = PathBuf::from(get("--data").unwrap_or_else(|| "../shared/data".into()));
    let out = PathBuf::from(get("--out").unwrap_or_else(|| "crates/nlp/models".into()));
    let seed = get("--seed").map(|s| s.parse()).transpose()?.unwrap_or(1);
    let mut cfg = TrainConfig::shipped(kind, &data, &out, seed);
    if let Some(e) = get("--epochs") {
        cfg.epochs = e.parse()?;
    }
    if has("--no-clusters") {
        cfg.clusters = false;
    }
    if has("--keep-bbc") {
        cfg.exclude_sources.clear();
    }
    if has("--no-history") {
        cfg.history = false;
    }
    if has("--gold-history") {
        cfg.gold_history = true;
    }
    if let Some(n) = get("--runs") {
        cfg.seeds = n.parse()?;
    }
    if has("--stack-conll") {
        cfg.stack = true;
    }
    if has("--no-gaz") {
        cfg.gazetteer = false;
    }
    if has("--no-patterns") {
        cfg.patterns = false;
    }
    if has("--augment-with-conll") {
        cfg.aux = vec![data.join("conll2003").join("train.jsonl")];
    }
    if has("--no-augment") {
        cfg.aux.clear();
    }
    if let Some(w) = get("--aux-weight") {
        cfg.aux_weight = w.parse()?;
    }
    if let Some(f) = get("--aux-fraction") {
        cfg.aux_fraction = f.parse()?;
    }
    if let Some(r) = get("--aux-free-rate") {
        cfg.aux_free_rate = r.parse()?;
    }
    if let Some(m) = get("--max-features") {
        cfg.max_features = Some(m.parse()?);
    }
    if has("--no-dev") {
        cfg.dev.clear();
    }
    cfg.max_docs = get("--max-docs").map(|s| s.parse()).transpose()?;
    if let Some(s) = get("--stack") {
        cfg.stack_model = Some(PathBuf::from(s));
    }
    cfg.verbose = true;
    let t = std::time::Instant::now();
    let r = train(&cfg)?;
    eprintln!(
        "wrote {} ({} bytes, {} features); best epoch {}; O penalty {}; dev F1 {:?}; {:.1}s",
        r.model_path.display(),
        r.model_bytes,
        r.features,
        r.best_epoch,
        r.o_penalty,
        r.dev_f1
            .iter()
            .map(|f| format!("{f:.2}"))
            .collect::<Vec<_>>(),
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
