//! Exact-match NER scoring, figure for figure the same as
//! `../shared/eval/score_ner.py` (without its `--map`/`--labels`/`--bootstrap`).
//!
//! A prediction counts iff (start, end, label) equals a gold entity; duplicated
//! predictions count once; gold documents with no prediction line predict nothing;
//! prediction ids not in gold are ignored; offsets outside the text are ignored.

use crate::train::{GoldDoc, TrainError};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;

/// Precision, recall, F1 (fractions) from counts.
pub fn prf(tp: usize, n_pred: usize, n_gold: usize) -> (f64, f64, f64) {
    let p = if n_pred > 0 {
        tp as f64 / n_pred as f64
    } else {
        0.0
    };
    let r = if n_gold > 0 {
        tp as f64 / n_gold as f64
    } else {
        0.0
    };
    let f = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    (p, r, f)
}

/// Counts for one label.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub tp: usize,
    pub pred: usize,
    pub gold: usize,
}

impl Counts {
    pub fn prf(&self) -> (f64, f64, f64) {
        prf(self.tp, self.pred, self.gold)
    }
}

/// The scorer's figures.
#[derive(Debug, Clone, Default)]
pub struct Scores {
    pub docs: usize,
    pub per_label: BTreeMap<String, Counts>,
    pub micro: Counts,
    pub unlabelled: Counts,
    pub macro_f1: f64,
    /// Warnings the Python scorer prints on stderr.
    pub warnings: Vec<String>,
}

/// Predicted entities of one document: (start, end, label) in code points.
pub type PredDoc = (String, Vec<(usize, usize, String)>);

/// Scores predictions against gold documents.
pub fn score(gold: &[GoldDoc], preds: &[PredDoc]) -> Scores {
    type Spans<'a> = HashSet<(usize, usize, &'a str)>;
    let mut g: HashMap<&str, (Spans, usize)> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    for d in gold {
        let ents: HashSet<(usize, usize, &str)> = d
            .entities
            .iter()
            .map(|(s, e, l)| (*s, *e, l.as_str()))
            .collect();
        if g.insert(d.id.as_str(), (ents, d.text.chars().count()))
            .is_none()
        {
            order.push(d.id.as_str());
        }
    }
    let mut p: HashMap<&str, HashSet<(usize, usize, &str)>> = HashMap::new();
    let mut unknown = Vec::new();
    let mut bad = 0usize;
    let mut warnings = Vec::new();
    for (id, ents) in preds {
        let Some((_, len)) = g.get(id.as_str()) else {
            unknown.push(id.as_str());
            continue;
        };
        let set = p.entry(id.as_str()).or_default();
        for (s, e, l) in ents {
            if !(*s < *e && *e <= *len) {
                bad += 1;
                continue;
            }
            set.insert((*s, *e, l.as_str()));
        }
    }
    let missing = order.iter().filter(|i| !p.contains_key(**i)).count();
    if let Some(u) = unknown.first() {
        warnings.push(format!(
            "warning: {} prediction ids are not in gold (ignored), e.g. {}",
            unknown.len(),
            u
        ));
    }
    if missing > 0 {
        warnings.push(format!(
            "warning: {missing} gold documents have no prediction line (scored as empty)"
        ));
    }
    if bad > 0 {
        warnings.push(format!(
            "warning: {bad} predicted spans had offsets outside the text (ignored)"
        ));
    }
    let mut per_label: BTreeMap<String, Counts> = BTreeMap::new();
    let mut unl = Counts::default();
    let empty = HashSet::new();
    for id in &order {
        let Some((gs, _)) = g.get(id) else { continue };
        let ps = p.get(id).unwrap_or(&empty);
        for x in ps {
            let c = per_label.entry(x.2.to_string()).or_default();
            c.pred += 1;
            if gs.contains(x) {
                c.tp += 1;
            }
        }
        for x in gs {
            per_label.entry(x.2.to_string()).or_default().gold += 1;
        }
        let gsp: HashSet<(usize, usize)> = gs.iter().map(|x| (x.0, x.1)).collect();
        let psp: HashSet<(usize, usize)> = ps.iter().map(|x| (x.0, x.1)).collect();
        unl.tp += gsp.intersection(&psp).count();
        unl.pred += psp.len();
        unl.gold += gsp.len();
    }
    let mut micro = Counts::default();
    for c in per_label.values() {
        micro.tp += c.tp;
        micro.pred += c.pred;
        micro.gold += c.gold;
    }
    let gl: Vec<&Counts> = per_label.values().filter(|c| c.gold > 0).collect();
    let macro_f1 = if gl.is_empty() {
        0.0
    } else {
        gl.iter().map(|c| c.prf().2).sum::<f64>() / gl.len() as f64
    };
    Scores {
        docs: order.len(),
        per_label,
        micro,
        unlabelled: unl,
        macro_f1,
        warnings,
    }
}

impl Scores {
    /// The report exactly as `score_ner.py GOLD PRED` prints it on stdout.
    pub fn render(&self, gold_name: &str, pred_name: &str) -> String {
        let mut s = String::new();
        let w = self
            .per_label
            .keys()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0)
            .max(10);
        let _ = writeln!(
            s,
            "gold: {} ({} docs)   pred: {}",
            gold_name, self.docs, pred_name
        );
        let _ = writeln!(
            s,
            "{:<w$} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7}",
            "label", "gold", "pred", "tp", "P", "R", "F1"
        );
        let row = |s: &mut String, name: &str, c: &Counts| {
            let (p, r, f) = c.prf();
            let _ = writeln!(
                s,
                "{:<w$} {:>7} {:>7} {:>7} {:>7.2} {:>7.2} {:>7.2}",
                name,
                c.gold,
                c.pred,
                c.tp,
                100.0 * p,
                100.0 * r,
                100.0 * f
            );
        };
        for (l, c) in &self.per_label {
            row(&mut s, l, c);
        }
        row(&mut s, "MICRO", &self.micro);
        let _ = writeln!(
            s,
            "{:<w$} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7.2}",
            "MACRO",
            "",
            "",
            "",
            "",
            "",
            100.0 * self.macro_f1
        );
        row(&mut s, "UNLABELLED", &self.unlabelled);
        s
    }

    /// Micro F1 in percent.
    pub fn micro_f1(&self) -> f64 {
        self.micro.prf().2 * 100.0
    }
}

/// Reads gold JSONL (the `../shared/data` format).
pub fn read_gold(path: &Path) -> Result<Vec<GoldDoc>, TrainError> {
    crate::train::read_docs(path)
}

/// Reads prediction JSONL (`{"id", "entities": [{"start","end","label"}]}` lines,
/// i.e. `dossier extract` output); lines with an `"error"` predict nothing.
pub fn read_predictions(path: &Path) -> Result<Vec<PredDoc>, TrainError> {
    let text = std::fs::read_to_string(path)?;
    let mut out = Vec::new();
    for record in crate::train::json_lines(path, &text) {
        let (n, v) = record?;
        let id = crate::train::json_id(&v)
            .ok_or_else(|| crate::train::line_error(path, n, "no \"id\"".into()))?;
        let mut ents = Vec::new();
        if let Some(es) = v.get("entities").and_then(|e| e.as_array()) {
            for e in es {
                let s = e.get("start").and_then(|x| x.as_u64());
                let en = e.get("end").and_then(|x| x.as_u64());
                let l = e.get("label").and_then(|x| x.as_str());
                if let (Some(s), Some(en), Some(l)) = (s, en, l) {
                    ents.push((s as usize, en as usize, l.to_string()));
                }
            }
        }
        out.push((id, ents));
    }
    Ok(out)
}

/// Runs the pipeline over gold documents and scores it in `schema`.
pub fn eval_pipeline(
    pipeline: &crate::Pipeline,
    gold: &[GoldDoc],
    schema: dossier_core::Schema,
) -> Scores {
    let ctx = crate::DocContext::default();
    let preds: Vec<PredDoc> = gold
        .iter()
        .map(|d| {
            let x = pipeline.extract(&d.text, &ctx, schema);
            (
                d.id.clone(),
                x.entities
                    .iter()
                    .map(|e| (e.start, e.end, e.label.as_str().to_string()))
                    .collect(),
            )
        })
        .collect();
    score(gold, &preds)
}
