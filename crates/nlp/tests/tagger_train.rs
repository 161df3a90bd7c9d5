//! Trains a small model on a slice of ../shared/data and checks that it learns
//! (what `dossier train` does, at CI scale). Skips when the data is absent.

use dossier_nlp::eval::{score, PredDoc};
use dossier_nlp::{train, ModelKind, Pipeline, TrainConfig};
use std::path::PathBuf;

fn data_dir() -> Option<PathBuf> {
    // DOSSIER_SHARED_DATA: for checkouts that do not sit beside ../shared.
    let d = std::env::var_os("DOSSIER_SHARED_DATA").map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")),
        PathBuf::from,
    );
    if d.join("conll2003/train.jsonl").exists() {
        Some(d)
    } else {
        eprintln!("skipping: {} not found (training data absent)", d.display());
        None
    }
}

/// A trivial baseline: runs of capitalised tokens not at a line start, labelled with
/// the most frequent type.
fn baseline(text: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut pos = 0;
    for line in text.split('\n') {
        let mut run: Option<(usize, usize)> = None;
        let mut cpos = pos;
        for (k, w) in line.split(' ').enumerate() {
            let n = w.chars().count();
            let cap = w.chars().next().is_some_and(|c| c.is_uppercase());
            if cap && k > 0 {
                run = Some(run.map_or((cpos, cpos + n), |(a, _)| (a, cpos + n)));
            } else if let Some((a, b)) = run.take() {
                out.push((a, b, "LOC".to_string()));
            }
            cpos += n + 1;
        }
        if let Some((a, b)) = run {
            out.push((a, b, "LOC".to_string()));
        }
        pos += line.chars().count() + 1;
    }
    out
}

#[test]
fn trains_a_model_that_learns() {
    let Some(data) = data_dir() else { return };
    let out = std::env::temp_dir().join(format!("dossier-nlp-train-test-{}", std::process::id()));
    let mut cfg = TrainConfig::shipped(ModelKind::Conll, &data, &out, 7);
    cfg.max_docs = Some(40);
    cfg.epochs = 2;
    cfg.dev.clear();
    let report = train(&cfg).expect("training runs");
    assert!(
        report.documents == 40 && report.tokens > 5_000,
        "{report:?}"
    );
    assert!(report.model_path.exists());

    // Determinism: the same seed gives the same bytes.
    let first = std::fs::read(&report.model_path).unwrap();
    train(&cfg).unwrap();
    assert_eq!(
        first,
        std::fs::read(&report.model_path).unwrap(),
        "training is not deterministic"
    );

    let pipeline = Pipeline::load_dir(&out).expect("trained model loads");
    let gold = dossier_nlp::eval::read_gold(&data.join("conll2003/dev.jsonl")).unwrap();
    let held: Vec<_> = gold.into_iter().take(25).collect();
    let preds: Vec<PredDoc> = held
        .iter()
        .map(|d| {
            let x = pipeline.extract(&d.text, &Default::default(), dossier_core::Schema::Conll);
            (
                d.id.clone(),
                x.entities
                    .iter()
                    .map(|e| (e.start, e.end, e.label.as_str().to_string()))
                    .collect(),
            )
        })
        .collect();
    let base: Vec<PredDoc> = held
        .iter()
        .map(|d| (d.id.clone(), baseline(&d.text)))
        .collect();
    let f = score(&held, &preds).micro_f1();
    let b = score(&held, &base).micro_f1();
    eprintln!("small model F1 {f:.2} vs capitalisation baseline {b:.2}");
    assert!(f > 50.0 && f > b + 15.0, "model F1 {f:.2}, baseline {b:.2}");
    let _ = std::fs::remove_dir_all(&out);
}

/// re3d trained with CoNLL documents by feature augmentation: deterministic, uses the
/// out-of-domain documents (a different model than without them), and the model loads
/// and tags re3d text.
#[test]
fn augmented_re3d_training() {
    let Some(data) = data_dir() else { return };
    if !data.join("re3d/train.jsonl").exists() {
        eprintln!("skipping: re3d data absent");
        return;
    }
    let out = std::env::temp_dir().join(format!("dossier-nlp-aug-test-{}", std::process::id()));
    let mut cfg = TrainConfig::shipped(ModelKind::Re3d, &data, &out, 3);
    assert!(
        !cfg.aux.is_empty(),
        "the shipped re3d config learns from CoNLL"
    );
    cfg.max_docs = Some(12);
    cfg.epochs = 2;
    cfg.dev.clear();
    let report = train(&cfg).expect("augmented training runs");
    // The pipeline loads both models from the folder: the shipped CoNLL one beside it.
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/models/conll.bin"),
        out.join("conll.bin"),
    )
    .unwrap();
    assert_eq!((report.documents, report.aux_documents), (12, 12));
    let aug = std::fs::read(&report.model_path).unwrap();
    train(&cfg).unwrap();
    assert_eq!(
        aug,
        std::fs::read(&report.model_path).unwrap(),
        "not deterministic"
    );

    let pipeline = Pipeline::load_dir(&out).expect("augmented model loads");
    let x = pipeline.extract(
        "The United Nations said on Monday that President Barack Obama met officials in Baghdad.",
        &Default::default(),
        dossier_core::Schema::Re3d,
    );
    assert!(!x.entities.is_empty(), "{x:?}");

    cfg.aux.clear();
    let plain = train(&cfg).unwrap();
    assert_eq!(plain.aux_documents, 0);
    assert_ne!(aug, std::fs::read(&plain.model_path).unwrap());
    let _ = std::fs::remove_dir_all(&out);
}
