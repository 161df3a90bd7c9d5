//! Development check of in-document resolution on re3d: the IsSynonymOf relations
//! within documents (gold entity spans as mentions, gold labels) against the chains of
//! `chain_document`.
//!
//! Recall: IsSynonymOf pairs whose two spans land in one chain. Precision: over the
//! spans that are arguments of some IsSynonymOf relation, predicted same-chain pairs
//! that the relations (closed transitively) also link. re3d marks synonymy mostly
//! between different surface forms, so precision over all chains cannot be judged.
//!
//! `cargo run --release -p dossier-resolve --example re3d_synonyms`
//! (reads ../shared/data/re3d/{train,dev}.jsonl; skips when absent).

use dossier_core::EntityLabel;
use dossier_resolve::chains::{chain_document, simple_sentences, MentionInput};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

fn find(p: &mut [usize], x: usize) -> usize {
    let mut r = x;
    while p.get(r).is_some_and(|&q| q != r) {
        r = p.get(r).copied().unwrap_or(r);
    }
    if let Some(slot) = p.get_mut(x) {
        *slot = r;
    }
    r
}

fn main() {
    // ../shared relative to the repository root (one more level up from a worktree
    // under /work/wt).
    let candidates = [
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/re3d"),
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../../../shared/data/re3d"),
    ];
    let Some(dir) = candidates.iter().map(Path::new).find(|p| p.exists()) else {
        eprintln!("re3d data not found at {}: skipping", candidates[0]);
        return;
    };
    for split in ["train", "dev"] {
        let path = dir.join(format!("{split}.jsonl"));
        let Ok(data) = std::fs::read_to_string(&path) else {
            eprintln!("cannot read {}: skipping", path.display());
            continue;
        };
        let (mut gold_pairs, mut found) = (0usize, 0usize);
        let (mut pred_pairs, mut correct, mut correct_lenient) = (0usize, 0usize, 0usize);
        let mut docs = 0;
        for line in data.lines().filter(|l| !l.trim().is_empty()) {
            let Ok(d) = serde_json::from_str::<Value>(line) else {
                continue;
            };
            let text = d["text"].as_str().unwrap_or("");
            let mentions: Vec<MentionInput> = d["entities"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|e| {
                    Some(MentionInput {
                        start: e["start"].as_u64()? as usize,
                        end: e["end"].as_u64()? as usize,
                        label: e["label"].as_str()?.parse::<EntityLabel>().ok()?,
                        text: e["text"].as_str()?.to_string(),
                    })
                })
                .collect();
            let index: HashMap<(usize, usize), usize> = mentions
                .iter()
                .enumerate()
                .map(|(i, m)| ((m.start, m.end), i))
                .collect();
            let span = |a: &Value| -> Option<usize> {
                index
                    .get(&(a["start"].as_u64()? as usize, a["end"].as_u64()? as usize))
                    .copied()
            };
            let syn: Vec<(usize, usize)> = d["relations"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|r| r["type"] == "IsSynonymOf")
                .filter_map(|r| Some((span(&r["source"])?, span(&r["target"])?)))
                .filter(|(a, b)| a != b)
                .collect();
            if syn.is_empty() {
                continue;
            }
            docs += 1;
            let (_, chain_of) = chain_document(text, &simple_sentences(text), &mentions);
            let same = |a: usize, b: usize| {
                chain_of.get(a).is_some() && chain_of.get(a) == chain_of.get(b)
            };
            // Unordered distinct pairs (re3d often lists both directions).
            let mut uniq: Vec<(usize, usize)> =
                syn.iter().map(|&(a, b)| (a.min(b), a.max(b))).collect();
            uniq.sort_unstable();
            uniq.dedup();
            gold_pairs += uniq.len();
            found += uniq.iter().filter(|(a, b)| same(*a, *b)).count();
            let verbose = std::env::var_os("RE3D_VERBOSE").is_some();
            let t = |i: usize| {
                mentions
                    .get(i)
                    .map(|m| format!("{}/{}", m.text, m.label))
                    .unwrap_or_default()
            };
            if verbose {
                for &(a, b) in &uniq {
                    if !same(a, b) {
                        eprintln!("missed: {} = {}", t(a), t(b));
                    }
                }
            }
            // Precision over the arguments, against the transitive closure.
            let mut parent: Vec<usize> = (0..mentions.len()).collect();
            for &(a, b) in &uniq {
                let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
                if let Some(slot) = parent.get_mut(ra) {
                    *slot = rb;
                }
            }
            let mut args: Vec<usize> = uniq.iter().flat_map(|&(a, b)| [a, b]).collect();
            args.sort_unstable();
            args.dedup();
            for (i, &a) in args.iter().enumerate() {
                for &b in args.iter().skip(i + 1) {
                    if same(a, b) {
                        pred_pairs += 1;
                        let key = |i: usize| {
                            mentions
                                .get(i)
                                .map(|m| dossier_resolve::entity_key(m.label, &m.text))
                        };
                        if find(&mut parent, a) == find(&mut parent, b) {
                            correct += 1;
                            correct_lenient += 1;
                        } else if key(a) == key(b) {
                            // Same name or known alias: coreferent, but re3d annotates
                            // synonymy between different names only.
                            correct_lenient += 1;
                        } else if verbose {
                            eprintln!("wrong: {} = {}", t(a), t(b));
                        }
                    }
                }
            }
        }
        let pct = |a: usize, b: usize| {
            if b == 0 {
                0.0
            } else {
                100.0 * a as f64 / b as f64
            }
        };
        println!(
            "re3d {split}: {docs} documents with IsSynonymOf; recall {:.1}% ({found}/{gold_pairs} pairs); precision {:.1}% ({correct}/{pred_pairs} predicted pairs among the arguments), {:.1}% counting same-name/alias pairs as right",
            pct(found, gold_pairs),
            pct(correct, pred_pairs),
            pct(correct_lenient, pred_pairs)
        );
    }
}
