//! The repository's demo corpus (corpus/demo/docs): every file ingests without
//! error and the one known near-duplicate pair is the only near pair.

use dossier_ingest::{discover, jaccard_estimate, minhash, parse_file, IngestConfig};
use std::path::PathBuf;

#[test]
fn demo_corpus_ingests_and_near_duplicates_are_found() {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../corpus/demo/docs"
    ));
    if !dir.is_dir() {
        eprintln!("skipping: {} not found", dir.display());
        return;
    }
    let (files, errors) = discover(&[dir]);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(files.len() >= 20, "{} files", files.len());
    let cfg = IngestConfig::default();
    let mut docs = Vec::new();
    for f in &files {
        let p = parse_file(f, &cfg);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        docs.extend(p.documents);
    }
    for d in &docs {
        assert!(!d.text.trim().is_empty(), "{} is empty", d.source);
        assert_eq!(d.language.as_deref(), Some("eng"), "{}", d.source);
    }
    let sigs: Vec<Vec<u32>> = docs.iter().map(|d| minhash(&d.text)).collect();
    let mut near = Vec::new();
    for i in 0..docs.len() {
        for j in i + 1..docs.len() {
            let est = jaccard_estimate(&sigs[i], &sigs[j]);
            if est > 0.45 {
                let name = |k: usize| docs[k].source.rsplit('/').next().unwrap_or("").to_string();
                near.push((name(i), name(j), est));
            }
        }
    }
    assert_eq!(near.len(), 1, "{near:?}");
    let (a, b, est) = &near[0];
    assert_eq!(
        (a.as_str(), b.as_str()),
        (
            "2025-06-07_eurodaily_rotterdam_market_attack.html",
            "2025-06-07_lowlands_herald_rotterdam_van.html"
        )
    );
    assert!(*est > 0.6, "estimate {est}");
}
