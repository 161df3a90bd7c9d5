//! Scores the claims extractor and the contradiction test on the hand-annotated fixture
//! (`tests/fixtures/claims.jsonl`, built from `claims_src.txt`; format in
//! `tests/fixtures/README.md`).
//!
//! Claims: a predicted claim matches a gold one when their quantity spans overlap
//! (one-to-one). A matched claim is right when all five parts agree: subject (one of the gold
//! alternatives, compared without articles and possessives), attribute (equal after
//! [`claim_key`] normalisation), value, qualifier and source (one of the alternatives; `null`
//! = the document itself). Precision = right / predicted, recall = right / gold.
//!
//! Conflicts: every pair of predicted claims the extractor's [`conflicts`] calls contradictory
//! (from different documents, or from different sources in one document) is mapped to gold
//! claims; precision = pairs that are gold conflict pairs / predicted pairs, recall = gold
//! pairs found / gold pairs. A pair with a claim from a held-out document counts as held out.
//!
//! Figures are printed per split (`tune`: looked at while writing the rules; `heldout`: never
//! tuned on). Set `CLAIMS_VERBOSE=tune` to print the misses of the tuning part.

use dossier_core::{Claim, Schema};
use dossier_nlp::facts::claims::{claim_key, conflicts};
use dossier_nlp::{DocContext, Pipeline};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};

struct Gold {
    id: String,
    quantity: (usize, usize),
    value: f64,
    qualifier: Option<String>,
    subject: Vec<Option<String>>,
    attribute: String,
    source: Vec<Option<String>>,
}

fn alts(v: &Value) -> Vec<Option<String>> {
    v.as_array()
        .map(|a| a.iter().map(|x| x.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

fn gold_claims(v: &Value) -> Vec<Gold> {
    let Some(list) = v.get("claims").and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .map(|c| {
            let q = &c["quantity"];
            Gold {
                id: c["id"].as_str().unwrap_or("").to_string(),
                quantity: (
                    q[0].as_u64().unwrap_or(0) as usize,
                    q[1].as_u64().unwrap_or(0) as usize,
                ),
                value: c["value"].as_f64().unwrap_or(f64::NAN),
                qualifier: c["qualifier"].as_str().map(str::to_string),
                subject: alts(&c["subject"]),
                attribute: c["attribute"].as_str().unwrap_or("").to_string(),
                source: alts(&c["source"]),
            }
        })
        .collect()
}

/// A name compared without case, articles and a possessive ending.
fn norm_name(s: &str) -> String {
    let s = s.trim().to_lowercase();
    let s = s
        .strip_suffix("'s")
        .or_else(|| s.strip_suffix("’s"))
        .or_else(|| s.strip_suffix('\''))
        .unwrap_or(&s);
    let s = s
        .strip_prefix("the ")
        .or_else(|| s.strip_prefix("a "))
        .or_else(|| s.strip_prefix("an "))
        .unwrap_or(s);
    s.trim().to_string()
}

fn name_ok(pred: Option<&str>, gold: &[Option<String>]) -> bool {
    gold.iter().any(|g| match (g, pred) {
        (None, None) => true,
        (Some(g), Some(p)) => norm_name(g) == norm_name(p),
        _ => false,
    })
}

fn attr_key(a: &str) -> String {
    claim_key("", a)
}

#[derive(Default, Clone, Copy)]
struct Counts {
    right: usize,
    pred: usize,
    gold: usize,
}

impl Counts {
    fn p(&self) -> f64 {
        100.0 * self.right as f64 / self.pred.max(1) as f64
    }
    fn r(&self) -> f64 {
        100.0 * self.right as f64 / self.gold.max(1) as f64
    }
    fn show(&self) -> String {
        format!(
            "P {:5.1} R {:5.1} ({} right, {} predicted, {} gold)",
            self.p(),
            self.r(),
            self.right,
            self.pred,
            self.gold
        )
    }
}

#[derive(Default)]
struct Split {
    docs: usize,
    claims: Counts,
    matched: usize,
    /// Right per part over matched claims: subject, attribute, value, qualifier, source.
    parts: [usize; 5],
    conflicts: Counts,
}

struct Predicted {
    doc: usize,
    heldout: bool,
    gold: Option<String>,
    claim: Claim,
}

#[test]
fn claims_fixture_meets_the_bars() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/claims.jsonl");
    let text = std::fs::read_to_string(path).expect("fixture");
    let p = Pipeline::load_default().expect("pipeline");
    let verbose_split = std::env::var("CLAIMS_VERBOSE").ok();
    let mut splits: BTreeMap<String, Split> = BTreeMap::new();
    let mut predicted: Vec<Predicted> = Vec::new();
    let mut gold_pairs: HashSet<(String, String)> = HashSet::new();
    let mut heldout_ids: HashSet<String> = HashSet::new();
    for (doc, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let v: Value = serde_json::from_str(line).expect("fixture line is JSON");
        let body = v["text"].as_str().expect("text");
        let split = v["split"].as_str().unwrap_or("tune").to_string();
        let heldout = split == "heldout";
        let ctx = DocContext {
            published: v["published"].as_str(),
        };
        let gold = gold_claims(&v);
        if heldout {
            heldout_ids.extend(gold.iter().map(|g| g.id.clone()));
        }
        for pair in v["conflicts"].as_array().into_iter().flatten() {
            let a = pair[0].as_str().unwrap_or("").to_string();
            let b = pair[1].as_str().unwrap_or("").to_string();
            gold_pairs.insert(if a < b { (a, b) } else { (b, a) });
        }
        let pred = p.extract(body, &ctx, Schema::Re3d).facts.claims;
        let verbose = verbose_split.as_deref() == Some(split.as_str());
        let sp = splits.entry(split).or_default();
        sp.docs += 1;
        sp.claims.pred += pred.len();
        sp.claims.gold += gold.len();
        let mut used = vec![false; pred.len()];
        let mut matched_to: Vec<Option<String>> = vec![None; pred.len()];
        for g in &gold {
            let m = pred.iter().enumerate().position(|(k, c)| {
                !used[k] && c.quantity.start < g.quantity.1 && g.quantity.0 < c.quantity.end
            });
            let Some(k) = m else {
                if verbose {
                    println!("MISS {} {:?} in {body:?}", g.id, g.value);
                }
                continue;
            };
            used[k] = true;
            matched_to[k] = Some(g.id.clone());
            sp.matched += 1;
            let c = &pred[k];
            let subj = c.subject.as_ref().map(|s| s.text.as_str());
            let src = c.source.as_ref().map(|s| s.text.as_str());
            let ok = [
                name_ok(subj, &g.subject),
                attr_key(&c.attribute) == attr_key(&g.attribute),
                (c.value - g.value).abs() <= 1e-6 * g.value.abs().max(1.0),
                c.qualifier == g.qualifier,
                name_ok(src, &g.source),
            ];
            for (n, o) in sp.parts.iter_mut().zip(ok) {
                *n += usize::from(o);
            }
            if ok.iter().all(|&o| o) {
                sp.claims.right += 1;
            } else if verbose {
                println!(
                    "WRONG {}: subject {:?} (want {:?}) attribute {:?} (want {:?}) value {} (want {}) qualifier {:?} (want {:?}) source {:?} (want {:?})",
                    g.id,
                    subj,
                    g.subject,
                    c.attribute,
                    g.attribute,
                    c.value,
                    g.value,
                    c.qualifier,
                    g.qualifier,
                    src,
                    g.source
                );
            }
        }
        for (k, c) in pred.into_iter().enumerate() {
            if !used[k] && verbose {
                println!(
                    "FALSE {:?} {:?} in {:?}",
                    c.quantity.text, c.attribute, c.text
                );
            }
            predicted.push(Predicted {
                doc,
                heldout,
                gold: matched_to[k].take(),
                claim: c,
            });
        }
    }

    // Conflicts among all predicted claims.
    let mut found: HashMap<(String, String), bool> = HashMap::new();
    let mut false_pairs: BTreeMap<&'static str, usize> = BTreeMap::new();
    for (i, a) in predicted.iter().enumerate() {
        for b in predicted.iter().skip(i + 1) {
            let same_source = a.doc == b.doc
                && a.claim.source.as_ref().map(|s| norm_name(&s.text))
                    == b.claim.source.as_ref().map(|s| norm_name(&s.text));
            if same_source || !conflicts(&a.claim, &b.claim) {
                continue;
            }
            let split = if a.heldout || b.heldout {
                "heldout"
            } else {
                "tune"
            };
            match (&a.gold, &b.gold) {
                (Some(x), Some(y)) => {
                    let key = if x < y {
                        (x.clone(), y.clone())
                    } else {
                        (y.clone(), x.clone())
                    };
                    found.entry(key).or_insert(false);
                }
                _ => {
                    *false_pairs.entry(split).or_default() += 1;
                    if verbose_split.as_deref() == Some(split) {
                        println!(
                            "FALSE CONFLICT {:?} {:?} vs {:?} {:?}",
                            a.claim.quantity.text,
                            a.claim.text,
                            b.claim.quantity.text,
                            b.claim.text
                        );
                    }
                }
            }
        }
    }
    let split_of = |x: &str, y: &str| {
        if heldout_ids.contains(x) || heldout_ids.contains(y) {
            "heldout"
        } else {
            "tune"
        }
    };
    for (name, n) in &false_pairs {
        splits.entry(name.to_string()).or_default().conflicts.pred += n;
    }
    for (x, y) in found.keys() {
        let split = split_of(x, y);
        let sp = splits.entry(split.to_string()).or_default();
        sp.conflicts.pred += 1;
        if gold_pairs.contains(&(x.clone(), y.clone())) {
            sp.conflicts.right += 1;
        } else if verbose_split.as_deref() == Some(split) {
            println!("FALSE CONFLICT {x} {y}");
        }
    }
    for (x, y) in &gold_pairs {
        let split = split_of(x, y);
        splits.entry(split.to_string()).or_default().conflicts.gold += 1;
        if !found.contains_key(&(x.clone(), y.clone())) && verbose_split.as_deref() == Some(split) {
            println!("MISSED CONFLICT {x} {y}");
        }
    }

    for (name, s) in &splits {
        let pct = |n: usize| 100.0 * n as f64 / s.matched.max(1) as f64;
        println!(
            "{name:8} {} docs\n  claims    {}\n  parts right on {} matched: subject {:.0}% attribute {:.0}% value {:.0}% qualifier {:.0}% source {:.0}%\n  conflicts {}",
            s.docs,
            s.claims.show(),
            s.matched,
            pct(s.parts[0]),
            pct(s.parts[1]),
            pct(s.parts[2]),
            pct(s.parts[3]),
            pct(s.parts[4]),
            s.conflicts.show()
        );
    }
    let tune = splits.get("tune").expect("tune split");
    let held = splits.get("heldout").expect("heldout split");
    // Bars (README: measured 95.5/95.5 tune, 78.9/78.9 held out; the held-out bar sits
    // two claims below the measured figure: 19 claims, 5.3 points each).
    assert!(
        tune.claims.p() >= 85.0,
        "tune claim P {:.1}",
        tune.claims.p()
    );
    assert!(
        tune.claims.r() >= 85.0,
        "tune claim R {:.1}",
        tune.claims.r()
    );
    assert!(
        held.claims.p() >= 70.0,
        "held-out claim P {:.1}",
        held.claims.p()
    );
    assert!(
        held.claims.r() >= 70.0,
        "held-out claim R {:.1}",
        held.claims.r()
    );
    assert!(
        tune.conflicts.p() >= 85.0 && tune.conflicts.r() >= 85.0,
        "tune conflicts {}",
        tune.conflicts.show()
    );
    // Four held-out pairs: a missed pair costs 25 points of recall.
    assert!(
        held.conflicts.p() >= 75.0 && held.conflicts.r() >= 50.0,
        "held-out conflicts {}",
        held.conflicts.show()
    );
}
