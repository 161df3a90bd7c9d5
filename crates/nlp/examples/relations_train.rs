//! Trains the relation model like `dossier train --task relations` and prints
//! the end-to-end dev scores (for experiments without building the CLI).
//!
//! cargo run -p dossier-nlp --example relations_train -- DATA_DIR OUT.bin [EPOCHS]

use dossier_nlp::train::{train_relations, RelTrainConfig};
use dossier_nlp::Pipeline;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let data = PathBuf::from(args.first().map_or("../shared/data", |s| s.as_str()));
    let out = PathBuf::from(args.get(1).map_or("relations.bin", |s| s.as_str()));
    let mut cfg = RelTrainConfig::shipped(&data, &out, 1);
    if let Some(e) = args.get(2) {
        cfg.epochs = e.parse()?;
    }
    cfg.verbose = std::env::var("VERBOSE").is_ok();
    // Experiment knobs.
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<usize>().ok());
    if let Some(v) = env("REL_LOGISTIC") {
        cfg.logistic = v != 0;
    }
    if let Some(v) = env("REL_SEEDS") {
        cfg.seeds = v;
    }
    if let Some(v) = env("REL_MIN_COUNT") {
        cfg.min_count = v;
    }
    if let Some(v) = env("REL_LEX_COUNT") {
        cfg.lex_min_count = v;
    }
    if let Some(v) = env("REL_LEX_PERCENT") {
        cfg.lex_min_ratio = v as f64 / 100.0;
    }
    let pipeline = Pipeline::load_default()?;
    let t = std::time::Instant::now();
    let r = train_relations(&cfg, &pipeline)?;
    println!(
        "{} features, {} bytes, epoch {}, bias {}, {:.1} s",
        r.features,
        r.model_bytes,
        r.best_epoch,
        r.none_bias,
        t.elapsed().as_secs_f64()
    );
    if let Some(s) = r.dev {
        print!("{}", s.render());
    }
    Ok(())
}
