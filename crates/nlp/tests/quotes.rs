//! Quote attribution on the annotated fixture `tests/fixtures/quotes.jsonl` (format and
//! scoring rules in `tests/fixtures/README.md`). Prints the figures for the tuning and
//! held-out parts and asserts the bars on the whole: direct-quote speaker attribution
//! precision >= 95 and recall >= 90, reported-speech precision >= 85.
//!
//! `QUOTES_DEBUG=1` lists the errors on the tuning part (never on the held-out part).

use dossier_core::{Quote, QuoteKind, Schema};
use dossier_nlp::{DocContext, Pipeline};
use serde_json::Value;

type Span = (usize, usize);

struct Gold {
    kind: QuoteKind,
    quote: Span,
    speaker: Option<Span>,
    entity: Option<String>,
}

struct Doc {
    id: String,
    split: String,
    text: String,
    people: Vec<(String, Vec<Span>)>,
    quotes: Vec<Gold>,
}

fn span(v: &Value) -> Option<Span> {
    let a = v.as_array()?;
    Some((a.first()?.as_u64()? as usize, a.get(1)?.as_u64()? as usize))
}

fn load() -> Vec<Doc> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/quotes.jsonl");
    let raw = std::fs::read_to_string(path).expect("fixture");
    raw.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("fixture line");
            let people = v["people"]
                .as_object()
                .expect("people")
                .iter()
                .map(|(k, m)| {
                    (
                        k.clone(),
                        m.as_array().expect("mentions").iter().filter_map(span).collect(),
                    )
                })
                .collect();
            let quotes = v["quotes"]
                .as_array()
                .expect("quotes")
                .iter()
                .map(|q| Gold {
                    kind: if q["kind"] == "direct" {
                        QuoteKind::Direct
                    } else {
                        QuoteKind::Reported
                    },
                    quote: span(&q["quote"]).expect("quote span"),
                    speaker: span(&q["speaker"]),
                    entity: q["entity_id"].as_str().map(String::from),
                })
                .collect();
            Doc {
                id: v["id"].as_str().expect("id").to_string(),
                split: v["split"].as_str().expect("split").to_string(),
                text: v["text"].as_str().expect("text").to_string(),
                people,
                quotes,
            }
        })
        .collect()
}

fn overlaps(a: Span, b: Span) -> bool {
    a.0 < b.1 && b.0 < a.1
}

#[derive(Default, Clone, Copy)]
struct Counts {
    direct_pred: usize,
    direct_correct: usize,
    direct_gold: usize,
    direct_gold_found: usize,
    reported_pred: usize,
    reported_correct: usize,
    reported_gold: usize,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.direct_pred += o.direct_pred;
        self.direct_correct += o.direct_correct;
        self.direct_gold += o.direct_gold;
        self.direct_gold_found += o.direct_gold_found;
        self.reported_pred += o.reported_pred;
        self.reported_correct += o.reported_correct;
        self.reported_gold += o.reported_gold;
    }
    fn pct(a: usize, b: usize) -> f64 {
        if b == 0 {
            0.0
        } else {
            100.0 * a as f64 / b as f64
        }
    }
    fn direct_p(&self) -> f64 {
        Self::pct(self.direct_correct, self.direct_pred)
    }
    fn direct_r(&self) -> f64 {
        Self::pct(self.direct_gold_found, self.direct_gold)
    }
    fn reported_p(&self) -> f64 {
        Self::pct(self.reported_correct, self.reported_pred)
    }
    fn print(&self, name: &str) {
        println!(
            "{name:8} direct: P {:.1} ({}/{}) R {:.1} ({}/{}); reported: P {:.1} ({}/{}), {} gold",
            self.direct_p(),
            self.direct_correct,
            self.direct_pred,
            self.direct_r(),
            self.direct_gold_found,
            self.direct_gold,
            self.reported_p(),
            self.reported_correct,
            self.reported_pred,
            self.reported_gold,
        );
    }
}

/// Whether a predicted quote's speaker is the gold one (README rules).
fn attributed(doc: &Doc, g: &Gold, p: &Quote) -> bool {
    let ent = p.speaker_entity.as_ref().or(p.speaker.as_ref());
    match &g.entity {
        Some(id) => {
            let Some(e) = ent else { return false };
            doc.people
                .iter()
                .find(|(k, _)| k == id)
                .is_some_and(|(_, ms)| ms.iter().any(|&m| overlaps(m, (e.start, e.end))))
        }
        None => match (g.speaker, &p.speaker) {
            (Some(gs), Some(ps)) => overlaps(gs, (ps.start, ps.end)),
            _ => false,
        },
    }
}

fn score(doc: &Doc, pred: &[Quote], debug: bool) -> Counts {
    let mut c = Counts::default();
    let mut used = vec![false; doc.quotes.len()];
    for kind in [QuoteKind::Direct, QuoteKind::Reported] {
        for p in pred.iter().filter(|p| p.kind == kind) {
            let has_speaker = p.speaker.is_some() || p.speaker_entity.is_some();
            if kind == QuoteKind::Direct && !has_speaker {
                continue;
            }
            let m = doc.quotes.iter().enumerate().find(|(k, g)| {
                !used[*k] && g.kind == kind && overlaps(g.quote, (p.start, p.end))
            });
            let ok = match m {
                Some((k, g)) => {
                    used[k] = true;
                    attributed(doc, g, p)
                }
                None => false,
            };
            match kind {
                QuoteKind::Direct => {
                    c.direct_pred += 1;
                    c.direct_correct += ok as usize;
                    if let Some((_, g)) = m {
                        if ok && (g.entity.is_some() || g.speaker.is_some()) {
                            c.direct_gold_found += 1;
                        }
                    }
                }
                QuoteKind::Reported => {
                    c.reported_pred += 1;
                    c.reported_correct += ok as usize;
                }
            }
            if debug && !ok {
                let gold = m.map(|(_, g)| {
                    let e = g.entity.clone().unwrap_or_else(|| "-".into());
                    let s = g.speaker.map(|(a, b)| doc.text.chars().skip(a).take(b - a).collect::<String>());
                    format!("{e} / {s:?}")
                });
                println!(
                    "  WRONG {} {:?} [{}] speaker={:?} entity={:?} gold={:?}",
                    doc.id,
                    kind,
                    p.text.chars().take(50).collect::<String>(),
                    p.speaker.as_ref().map(|a| &a.text),
                    p.speaker_entity.as_ref().map(|a| &a.text),
                    gold
                );
            }
        }
    }
    for (k, g) in doc.quotes.iter().enumerate() {
        match g.kind {
            QuoteKind::Direct => {
                if g.entity.is_some() || g.speaker.is_some() {
                    c.direct_gold += 1;
                    if debug && !used[k] {
                        println!(
                            "  MISSED {} direct [{}]",
                            doc.id,
                            doc.text.chars().skip(g.quote.0).take(50).collect::<String>()
                        );
                    }
                }
            }
            QuoteKind::Reported => {
                c.reported_gold += 1;
                if debug && !used[k] {
                    println!(
                        "  MISSED {} reported [{}]",
                        doc.id,
                        doc.text.chars().skip(g.quote.0).take(50).collect::<String>()
                    );
                }
            }
        }
    }
    c
}

#[test]
fn quote_attribution_meets_the_bar() {
    let docs = load();
    let p = Pipeline::load_default().expect("embedded models");
    let debug = std::env::var("QUOTES_DEBUG").is_ok_and(|v| v == "1");
    let mut tune = Counts::default();
    let mut held = Counts::default();
    for d in &docs {
        let x = p.extract(&d.text, &DocContext::default(), Schema::Re3d);
        // Every span must cut the text where it says.
        let chars: Vec<char> = d.text.chars().collect();
        for q in &x.facts.quotes {
            let t: String = chars[q.start..q.end].iter().collect();
            assert_eq!(t, q.text, "quote span in {}", d.id);
            for a in [&q.speaker, &q.speaker_entity, &q.speaker_role, &q.cue].into_iter().flatten() {
                let t: String = chars[a.start..a.end].iter().collect();
                assert_eq!(t, a.text, "argument span in {}", d.id);
            }
        }
        let heldout = d.split == "heldout";
        let c = score(d, &x.facts.quotes, debug && !heldout);
        if heldout {
            held.add(&c);
        } else {
            tune.add(&c);
        }
    }
    let mut all = tune;
    all.add(&held);
    tune.print("tune");
    held.print("held-out");
    all.print("all");
    assert!(all.direct_gold >= 150, "fixture has {} direct quotes", all.direct_gold);
    assert!(all.reported_gold >= 40, "fixture has {} reported", all.reported_gold);
    assert!(all.direct_p() >= 95.0, "direct precision {:.1}", all.direct_p());
    assert!(all.direct_r() >= 90.0, "direct recall {:.1}", all.direct_r());
    assert!(all.reported_p() >= 85.0, "reported precision {:.1}", all.reported_p());
}
