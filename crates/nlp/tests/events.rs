//! Scores the events extractor on the hand-annotated fixture
//! (`tests/fixtures/events.jsonl`, format in `tests/fixtures/README.md`).
//!
//! Trigger+type: a predicted event matches a gold one when their trigger spans overlap and
//! their types are equal (one-to-one). Arguments: over matched events, an argument is right
//! when role and exact span agree. Figures are printed per split (dev: used while writing the
//! rules; heldout: never tuned on); the bars apply to the whole fixture and to each split.
//! Set `EVENTS_VERBOSE=dev` (or `heldout`) to print the misses of one split.

use dossier_core::{Event, Schema};
use dossier_nlp::{DocContext, Pipeline};
use serde_json::Value;

#[derive(Default, Clone, Copy)]
struct Counts {
    tp: usize,
    pred: usize,
    gold: usize,
}

impl Counts {
    fn f1(&self) -> f64 {
        let p = self.tp as f64 / self.pred.max(1) as f64;
        let r = self.tp as f64 / self.gold.max(1) as f64;
        if p + r == 0.0 {
            0.0
        } else {
            200.0 * p * r / (p + r)
        }
    }
    fn add(&mut self, o: Counts) {
        self.tp += o.tp;
        self.pred += o.pred;
        self.gold += o.gold;
    }
    fn show(&self) -> String {
        let p = 100.0 * self.tp as f64 / self.pred.max(1) as f64;
        let r = 100.0 * self.tp as f64 / self.gold.max(1) as f64;
        format!(
            "P {p:5.1} R {r:5.1} F1 {:5.1} ({} right, {} predicted, {} gold)",
            self.f1(),
            self.tp,
            self.pred,
            self.gold
        )
    }
}

struct GoldEvent {
    kind: String,
    trig: (usize, usize),
    modality: Option<String>,
    args: Vec<(String, usize, usize, String)>,
}

fn gold_events(v: &Value) -> Vec<GoldEvent> {
    let n = |x: &Value, k: &str| x.get(k).and_then(Value::as_u64).unwrap_or(0) as usize;
    let s = |x: &Value, k: &str| x.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    v.get("events")
        .and_then(Value::as_array)
        .map(|evs| {
            evs.iter()
                .map(|e| {
                    let t = e.get("trigger").cloned().unwrap_or(Value::Null);
                    GoldEvent {
                        kind: s(e, "type"),
                        trig: (n(&t, "start"), n(&t, "end")),
                        modality: e
                            .get("modality")
                            .and_then(Value::as_str)
                            .map(str::to_string),
                        args: e
                            .get("arguments")
                            .and_then(Value::as_array)
                            .map(|a| {
                                a.iter()
                                    .map(|a| {
                                        (s(a, "role"), n(a, "start"), n(a, "end"), s(a, "text"))
                                    })
                                    .collect()
                            })
                            .unwrap_or_default(),
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

fn role_name(e: &dossier_core::EventArgument) -> String {
    serde_json::to_value(e.role)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

#[derive(Default)]
struct Split {
    sentences: usize,
    trig: Counts,
    args: Counts,
    modality_right: usize,
    modality_total: usize,
}

#[test]
fn events_fixture_meets_the_bars() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/events.jsonl");
    let text = std::fs::read_to_string(path).expect("fixture");
    let p = Pipeline::load_default().expect("pipeline");
    // EVENTS_VERBOSE=dev prints the misses of one split (tuning looks at dev only).
    let verbose_split = std::env::var("EVENTS_VERBOSE").ok();
    let ctx = DocContext {
        published: Some("2017-06-15"),
    };
    let mut splits: std::collections::BTreeMap<String, Split> = Default::default();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).expect("fixture line is JSON");
        let sent = v.get("text").and_then(Value::as_str).expect("text");
        let split = v
            .get("split")
            .and_then(Value::as_str)
            .unwrap_or("dev")
            .to_string();
        let gold = gold_events(&v);
        let pred: Vec<Event> = p.extract(sent, &ctx, Schema::Re3d).facts.events;
        let verbose = verbose_split.as_deref() == Some(split.as_str());
        let sp = splits.entry(split).or_default();
        sp.sentences += 1;
        sp.trig.pred += pred.len();
        sp.trig.gold += gold.len();
        let mut used = vec![false; pred.len()];
        for g in &gold {
            let m = pred.iter().enumerate().position(|(k, e)| {
                !used[k]
                    && e.kind.as_str() == g.kind
                    && e.trigger.start < g.trig.1
                    && g.trig.0 < e.trigger.end
            });
            let Some(k) = m else {
                if verbose {
                    println!(
                        "MISS {} {:?} in {sent:?}",
                        g.kind,
                        &sent
                            .chars()
                            .skip(g.trig.0)
                            .take(g.trig.1 - g.trig.0)
                            .collect::<String>()
                    );
                }
                sp.args.gold += g.args.len();
                continue;
            };
            used[k] = true;
            sp.trig.tp += 1;
            let e = &pred[k];
            sp.modality_total += 1;
            if e.modality == g.modality {
                sp.modality_right += 1;
            } else if verbose {
                println!(
                    "MODALITY {:?} want {:?} in {sent:?}",
                    e.modality, g.modality
                );
            }
            sp.args.gold += g.args.len();
            sp.args.pred += e.arguments.len();
            for a in &e.arguments {
                let r = role_name(a);
                if g.args
                    .iter()
                    .any(|(gr, s, t, _)| *gr == r && *s == a.start && *t == a.end)
                {
                    sp.args.tp += 1;
                } else if verbose {
                    println!("  ARG+ {} {r}={:?} in {sent:?}", e.kind.as_str(), a.text);
                }
            }
            for (gr, s, t, gt) in &g.args {
                let hit = e
                    .arguments
                    .iter()
                    .any(|a| role_name(a) == *gr && a.start == *s && a.end == *t);
                if !hit && verbose {
                    println!("  ARG- {} {gr}={gt:?} in {sent:?}", g.kind);
                }
            }
        }
        for (k, e) in pred.iter().enumerate() {
            if !used[k] {
                // Unmatched predictions' arguments do not count (argument F1 is over matched events).
                if verbose {
                    println!("FALSE {} {:?} in {sent:?}", e.kind.as_str(), e.trigger.text);
                }
            }
        }
    }
    let mut all_t = Counts::default();
    let mut all_a = Counts::default();
    for (name, s) in &splits {
        println!(
            "{name:8} {} sentences\n  trigger+type {}\n  arguments    {}\n  modality right on {}/{} matched events",
            s.sentences,
            s.trig.show(),
            s.args.show(),
            s.modality_right,
            s.modality_total
        );
        all_t.add(s.trig);
        all_a.add(s.args);
    }
    println!(
        "all\n  trigger+type {}\n  arguments    {}",
        all_t.show(),
        all_a.show()
    );
    assert!(all_t.f1() >= 85.0, "trigger+type F1 {:.1} < 85", all_t.f1());
    assert!(all_a.f1() >= 70.0, "argument F1 {:.1} < 70", all_a.f1());
    for (name, s) in &splits {
        assert!(
            s.trig.f1() >= 85.0,
            "{name}: trigger+type F1 {:.1} < 85",
            s.trig.f1()
        );
        assert!(
            s.args.f1() >= 70.0,
            "{name}: argument F1 {:.1} < 70",
            s.args.f1()
        );
    }
}
