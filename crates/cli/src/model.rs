//! `dossier train` and `dossier eval`: rebuild and score the NER models.

use anyhow::{bail, Context};
use dossier_core::Schema;
use dossier_nlp::eval::{eval_pipeline, read_gold, read_predictions, score};
use dossier_nlp::{ModelKind, Pipeline, TrainConfig};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct TrainArgs {
    /// Which model: conll, re3d, or all (conll first: re3d can build on it).
    #[arg(long, default_value = "all", value_parser = ["all", "conll", "re3d"])]
    schema: String,
    /// What to train: entity taggers (ner, default) or the relation model
    /// (relations: --data is ../shared/data or its re3d/ folder, --out the model file,
    /// e.g. crates/nlp/models/relations.bin).
    #[arg(long, default_value = "ner", value_parser = ["ner", "relations"])]
    task: String,
    /// Folder laid out like ../shared/data (conll2003/ and re3d/ with train.jsonl, dev.jsonl).
    #[arg(long, default_value = "../shared/data", value_name = "DIR")]
    data: PathBuf,
    /// Train on these files instead (CoNLL 4-column or JSONL with entities); needs --schema conll or re3d.
    #[arg(long = "train-file", value_name = "FILE")]
    train_files: Vec<PathBuf>,
    /// Development files for choosing the epoch (with --train-file).
    #[arg(long = "dev-file", value_name = "FILE")]
    dev_files: Vec<PathBuf>,
    /// Where to write conll.bin / re3d.bin (the shipped models live in crates/nlp/models).
    #[arg(long, default_value = "models", value_name = "DIR")]
    out: PathBuf,
    /// Training seed: the same data, code and seed give the same model, bit for bit.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Override the number of epochs.
    #[arg(long)]
    epochs: Option<usize>,
    /// re3d: also learn from these CoNLL-labelled files by feature augmentation
    /// (default with --data: its conll2003/train.jsonl).
    #[arg(long = "augment-with", value_name = "FILE")]
    augment_with: Vec<PathBuf>,
    /// re3d: train on the re3d data only, without CoNLL augmentation.
    #[arg(long, conflicts_with = "augment_with")]
    no_augment: bool,
}

#[derive(clap::Args)]
pub struct EvalArgs {
    /// Gold JSON Lines: {"id", "text", "entities": [{"start", "end", "label"}]}.
    gold: PathBuf,
    /// Score this prediction file (`dossier extract` output) instead of running the extractor.
    #[arg(long, value_name = "FILE")]
    pred: Option<PathBuf>,
    /// Label set; by default guessed from the gold labels (PER/ORG/LOC/MISC mean conll).
    #[arg(long, value_parser = |s: &str| s.parse::<Schema>())]
    schema: Option<Schema>,
    /// Use the models in this folder (from `dossier train --out`) instead of the shipped ones.
    #[arg(long, value_name = "DIR")]
    models: Option<PathBuf>,
}

pub fn train(args: TrainArgs) -> anyhow::Result<ExitCode> {
    if args.task == "relations" {
        return train_relations(args);
    }
    let kinds: Vec<ModelKind> = match args.schema.as_str() {
        "conll" => vec![ModelKind::Conll],
        "re3d" => vec![ModelKind::Re3d],
        _ => vec![ModelKind::Conll, ModelKind::Re3d],
    };
    if !args.train_files.is_empty() && kinds.len() != 1 {
        bail!("--train-file needs --schema conll or --schema re3d");
    }
    if args.train_files.is_empty() && !args.data.is_dir() {
        bail!(
            "no training data at {}: pass --data DIR (laid out like ../shared/data) or --train-file FILE",
            args.data.display()
        );
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    for kind in kinds {
        let mut cfg = TrainConfig::shipped(kind, &args.data, &args.out, args.seed);
        if !args.train_files.is_empty() {
            cfg.train = args.train_files.clone();
            cfg.dev = args.dev_files.clone();
            cfg.exclude_sources.clear();
            cfg.aux.clear();
        }
        if kind == ModelKind::Re3d && !args.augment_with.is_empty() {
            cfg.aux = args.augment_with.clone();
        }
        if args.no_augment {
            cfg.aux.clear();
        }
        if let Some(missing) = cfg.aux.iter().find(|p| !p.is_file()) {
            bail!(
                "{} not found: the re3d model also learns from CoNLL-2003 (pass --augment-with FILE or --no-augment)",
                missing.display()
            );
        }
        if let Some(e) = args.epochs {
            cfg.epochs = e;
        }
        cfg.verbose = true;
        eprintln!(
            "training {} model on {} file(s)",
            cfg.file_name(),
            cfg.train.len()
        );
        let r = dossier_nlp::train(&cfg)?;
        eprintln!(
            "wrote {} ({:.1} MB): {} documents, {} tokens, {} entities ({} not on token boundaries), best epoch {}{}",
            r.model_path.display(),
            r.model_bytes as f64 / 1e6,
            r.documents,
            r.tokens,
            r.entities,
            r.misaligned,
            r.best_epoch,
            r.dev_f1.last().map(|f| format!(", dev F1 {f:.2} (tagger only, before the O penalty)")).unwrap_or_default()
        );
    }
    eprintln!(
        "use them with `dossier eval GOLD --models {}`",
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `dossier train --task relations`: the relation model, trained on re3d without
/// its BBC documents (CC BY-NC), epoch and bias chosen on dev end to end.
fn train_relations(args: TrainArgs) -> anyhow::Result<ExitCode> {
    let out = if args.out.extension().is_some_and(|e| e == "bin") {
        args.out.clone()
    } else {
        args.out.join("relations.bin")
    };
    let mut cfg = dossier_nlp::train::RelTrainConfig::shipped(&args.data, &out, args.seed);
    if !args.train_files.is_empty() {
        cfg.train = args.train_files.clone();
        cfg.dev = args.dev_files.clone();
        cfg.exclude_sources.clear();
    }
    if let Some(missing) = cfg.train.iter().find(|p| !p.is_file()) {
        bail!(
            "no training data at {}: pass --data DIR (../shared/data or its re3d folder) or --train-file FILE",
            missing.display()
        );
    }
    cfg.dev.retain(|p| p.is_file());
    if let Some(e) = args.epochs {
        cfg.epochs = e;
    }
    cfg.verbose = true;
    let pipeline = Pipeline::load_default()?;
    let r = dossier_nlp::train::train_relations(&cfg, &pipeline)?;
    eprintln!(
        "wrote {} ({:.2} MB): {} documents, {} relations, {} candidate pairs, {} features, epoch {}, bias {}",
        out.display(),
        r.model_bytes as f64 / 1e6,
        r.documents,
        r.relations,
        r.examples,
        r.features,
        r.best_epoch,
        r.none_bias
    );
    if let Some(s) = &r.dev {
        eprint!("dev, end to end (own entities):\n{}", s.render());
    }
    Ok(ExitCode::SUCCESS)
}

pub fn eval(args: EvalArgs) -> anyhow::Result<ExitCode> {
    let gold = read_gold(&args.gold)?;
    let schema = args.schema.unwrap_or_else(|| {
        let conll = gold
            .iter()
            .flat_map(|d| d.entities.iter())
            .any(|(_, _, l)| matches!(l.as_str(), "PER" | "ORG" | "LOC" | "MISC"));
        if conll {
            Schema::Conll
        } else {
            Schema::Re3d
        }
    });
    let (scores, pred_name) = match &args.pred {
        Some(p) => (score(&gold, &read_predictions(p)?), p.display().to_string()),
        None => {
            let pipeline = match &args.models {
                Some(dir) => Pipeline::load_dir(dir)?,
                None => Pipeline::load_default()?,
            };
            (
                eval_pipeline(&pipeline, &gold, schema),
                "<dossier>".to_string(),
            )
        }
    };
    for w in &scores.warnings {
        eprintln!("warning: {w}");
    }
    print!(
        "{}",
        scores.render(&args.gold.display().to_string(), &pred_name)
    );
    Ok(ExitCode::SUCCESS)
}
