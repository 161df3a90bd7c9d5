//! Tokenizer agreement with corpora in ../shared/data (skipped when absent):
//! CoNLL-2003 text must come back token for token, re3d gold spans must fall on token boundaries.

use dossier_nlp::tokenize::tokenize;
use std::collections::HashSet;
use std::path::PathBuf;

fn data(rel: &str) -> Option<PathBuf> {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")).join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipping: {} not found", p.display());
        None
    }
}

fn docs(path: &PathBuf) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path).expect("read corpus");
    text.lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect()
}

/// Whitespace tokens and tokenizer tokens of every CoNLL line; returns (whitespace tokens,
/// mismatching whitespace tokens).
fn conll_agreement(path: &PathBuf) -> (usize, usize) {
    let mut total = 0;
    let mut bad = 0;
    let mut shown = 0;
    for d in docs(path) {
        let text = d["text"].as_str().unwrap_or("");
        let gold: Vec<(usize, usize)> = {
            let mut v = Vec::new();
            let mut start = None;
            for (i, c) in text.char_indices() {
                if c == ' ' || c == '\n' {
                    if let Some(s) = start.take() {
                        v.push((s, i));
                    }
                } else if start.is_none() {
                    start = Some(i);
                }
            }
            if let Some(s) = start {
                v.push((s, text.len()));
            }
            v
        };
        let got: HashSet<(usize, usize)> =
            tokenize(text).iter().map(|t| (t.start, t.end)).collect();
        total += gold.len();
        for g in &gold {
            if !got.contains(g) {
                bad += 1;
                if shown < 40 {
                    shown += 1;
                    eprintln!("mismatch: {:?}", &text[g.0..g.1]);
                }
            }
        }
    }
    (total, bad)
}

#[test]
fn conll_dev_tokens_are_reproduced() {
    let Some(p) = data("conll2003/dev.jsonl") else {
        return;
    };
    let (total, bad) = conll_agreement(&p);
    let rate = bad as f64 / total.max(1) as f64;
    eprintln!(
        "CoNLL dev: {bad} of {total} whitespace tokens not reproduced ({:.4}%)",
        rate * 100.0
    );
    assert!(total > 50_000);
    assert!(rate < 0.0005, "mismatch rate {rate}");
}

#[test]
fn conll_train_tokens_are_reproduced() {
    let Some(p) = data("conll2003/train.jsonl") else {
        return;
    };
    let (total, bad) = conll_agreement(&p);
    let rate = bad as f64 / total.max(1) as f64;
    eprintln!(
        "CoNLL train: {bad} of {total} whitespace tokens not reproduced ({:.4}%)",
        rate * 100.0
    );
    assert!(rate < 0.0005, "mismatch rate {rate}");
}

#[test]
fn re3d_gold_spans_fall_on_token_boundaries() {
    let mut spans = 0;
    let mut aligned = 0;
    for split in ["re3d/train.jsonl", "re3d/dev.jsonl"] {
        let Some(p) = data(split) else { return };
        for d in docs(&p) {
            let text = d["text"].as_str().unwrap_or("");
            // code point → byte offsets
            let mut byte_of: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
            byte_of.push(text.len());
            let toks = tokenize(text);
            let starts: HashSet<usize> = toks.iter().map(|t| t.start).collect();
            let ends: HashSet<usize> = toks.iter().map(|t| t.end).collect();
            for e in d["entities"].as_array().into_iter().flatten() {
                let s = byte_of[e["start"].as_u64().unwrap_or(0) as usize];
                let en = byte_of[e["end"].as_u64().unwrap_or(0) as usize];
                spans += 1;
                if starts.contains(&s) && ends.contains(&en) {
                    aligned += 1;
                } else {
                    let ctx_s = text[..s]
                        .char_indices()
                        .rev()
                        .nth(15)
                        .map(|x| x.0)
                        .unwrap_or(0);
                    let ctx_e = text[en..]
                        .char_indices()
                        .nth(15)
                        .map(|x| en + x.0)
                        .unwrap_or(text.len());
                    eprintln!(
                        "unaligned {}: {:?} in {:?}",
                        e["label"],
                        &text[s..en],
                        &text[ctx_s..ctx_e]
                    );
                }
            }
        }
    }
    let pct = 100.0 * aligned as f64 / spans.max(1) as f64;
    eprintln!("re3d train+dev: {aligned} of {spans} gold spans on token boundaries ({pct:.2}%)");
    assert!(pct > 99.0, "{pct}");
}

/// CoNLL lines are sentences: report how many line starts the splitter finds (the text has
/// no paragraph breaks, so this exercises the single-line-break and punctuation rules).
#[test]
fn conll_dev_sentence_boundaries() {
    let Some(p) = data("conll2003/dev.jsonl") else {
        return;
    };
    let (mut gold, mut found, mut tp) = (0usize, 0usize, 0usize);
    for d in docs(&p) {
        let text = d["text"].as_str().unwrap_or("");
        let doc = dossier_nlp::Doc::new(text);
        let starts: HashSet<usize> = doc.sentences.iter().map(|s| s.0).collect();
        let mut line_starts: HashSet<usize> = HashSet::new();
        let mut pos = 0;
        for line in text.split('\n') {
            if !line.trim().is_empty() {
                line_starts.insert(pos + (line.len() - line.trim_start().len()));
            }
            pos += line.len() + 1;
        }
        gold += line_starts.len();
        found += starts.len();
        tp += starts.intersection(&line_starts).count();
    }
    let (p, r) = (
        tp as f64 / found.max(1) as f64,
        tp as f64 / gold.max(1) as f64,
    );
    eprintln!("CoNLL dev sentence starts: precision {:.1}% recall {:.1}% ({tp} of {gold} lines, {found} found)", p * 100.0, r * 100.0);
    assert!(p > 0.9 && r > 0.8, "precision {p} recall {r}");
}
