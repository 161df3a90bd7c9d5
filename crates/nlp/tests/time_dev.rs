//! Regression guard for the time rules on the TimeML dev split (TempEval-3 TBAQ,
//! ../shared/data/timeml/dev.jsonl; skipped when the data is absent). The measures are
//! computed as `score_timex.py` does: relaxed extent = one-to-one matching of
//! overlapping spans (exact spans first, then leftmost), value F1 = value accuracy over
//! the relaxed matches x relaxed F1.

use dossier_nlp::time::{extract_times, type_name};
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

type Span = (usize, usize, String, String); // start, end, type, value

fn overlap(a: &Span, b: &Span) -> bool {
    a.0.max(b.0) < a.1.min(b.1)
}

/// One-to-one matching of overlapping spans (augmenting paths), each gold span trying
/// its exact counterpart first, then the leftmost prediction, as the scorer does.
fn relaxed_matching(gold: &[Span], pred: &[Span]) -> Vec<(usize, usize)> {
    let cands: Vec<Vec<usize>> = gold
        .iter()
        .map(|g| {
            let mut c: Vec<usize> = (0..pred.len()).filter(|&p| overlap(g, &pred[p])).collect();
            c.sort_by_key(|&p| {
                let q = &pred[p];
                let ov = q.1.min(g.1) - q.0.max(g.0);
                ((q.0, q.1) != (g.0, g.1), q.0, usize::MAX - ov, q.1)
            });
            c
        })
        .collect();
    let mut owner: Vec<Option<usize>> = vec![None; pred.len()];
    fn augment(
        g: usize,
        cands: &[Vec<usize>],
        owner: &mut Vec<Option<usize>>,
        seen: &mut Vec<bool>,
    ) -> bool {
        for &p in &cands[g] {
            if seen[p] {
                continue;
            }
            seen[p] = true;
            let free = match owner[p] {
                None => true,
                Some(o) => augment(o, cands, owner, seen),
            };
            if free {
                owner[p] = Some(g);
                return true;
            }
        }
        false
    }
    let mut order: Vec<usize> = (0..gold.len()).collect();
    order.sort_by_key(|&g| {
        let exact = cands[g]
            .first()
            .is_some_and(|&p| (pred[p].0, pred[p].1) == (gold[g].0, gold[g].1));
        (!exact, g)
    });
    for g in order {
        let mut seen = vec![false; pred.len()];
        augment(g, &cands, &mut owner, &mut seen);
    }
    owner
        .iter()
        .enumerate()
        .filter_map(|(p, g)| g.map(|g| (g, p)))
        .collect()
}

fn f1(correct: usize, n_pred: usize, n_gold: usize) -> f64 {
    let p = if n_pred > 0 {
        correct as f64 / n_pred as f64
    } else {
        0.0
    };
    let r = if n_gold > 0 {
        correct as f64 / n_gold as f64
    } else {
        0.0
    };
    if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    }
}

#[test]
fn timeml_dev_scores_hold() {
    let Some(path) = data("timeml/dev.jsonl") else {
        return;
    };
    let text = std::fs::read_to_string(&path).expect("read dev.jsonl");
    let (mut n_gold, mut n_pred, mut strict, mut relaxed, mut value_ok, mut type_ok) =
        (0, 0, 0, 0, 0, 0);
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let doc: serde_json::Value = serde_json::from_str(line).expect("json line");
        let body = doc["text"].as_str().expect("text");
        let gold: Vec<Span> = doc["timexes"]
            .as_array()
            .expect("timexes")
            .iter()
            .map(|t| {
                (
                    t["start"].as_u64().expect("start") as usize,
                    t["end"].as_u64().expect("end") as usize,
                    t["type"].as_str().unwrap_or("").to_string(),
                    t["value"].as_str().unwrap_or("").trim().to_string(),
                )
            })
            .collect();
        let mut seen = HashSet::new();
        let pred: Vec<Span> = extract_times(body, doc["published"].as_str())
            .into_iter()
            .filter(|t| t.start < t.end && seen.insert((t.start, t.end)))
            .map(|t| (t.start, t.end, type_name(t.kind).to_string(), t.value))
            .collect();
        n_gold += gold.len();
        n_pred += pred.len();
        let spans: HashSet<(usize, usize)> = pred.iter().map(|p| (p.0, p.1)).collect();
        strict += gold.iter().filter(|g| spans.contains(&(g.0, g.1))).count();
        for (g, p) in relaxed_matching(&gold, &pred) {
            relaxed += 1;
            value_ok += usize::from(gold[g].3 == pred[p].3);
            type_ok += usize::from(gold[g].2.eq_ignore_ascii_case(&pred[p].2));
        }
    }
    let strict_f1 = 100.0 * f1(strict, n_pred, n_gold);
    let relaxed_f1 = 100.0 * f1(relaxed, n_pred, n_gold);
    let value_f1 = relaxed_f1 * value_ok as f64 / relaxed.max(1) as f64;
    let type_f1 = relaxed_f1 * type_ok as f64 / relaxed.max(1) as f64;
    eprintln!(
        "timeml dev: gold {n_gold} pred {n_pred}; strict F1 {strict_f1:.2} relaxed F1 {relaxed_f1:.2} \
         value F1 {value_f1:.2} type F1 {type_f1:.2}"
    );
    assert_eq!(n_gold, 284, "dev split changed");
    // A few points under the achieved figures (strict 87.26, relaxed 94.24, value 80.63,
    // type 90.40 with score_timex.py), so regressions fail and small drifts do not.
    assert!(strict_f1 >= 84.0, "strict extent F1 {strict_f1:.2}");
    assert!(relaxed_f1 >= 91.0, "relaxed extent F1 {relaxed_f1:.2}");
    assert!(value_f1 >= 77.0, "value F1 {value_f1:.2}");
    assert!(type_f1 >= 87.0, "type F1 {type_f1:.2}");
}
