//! Events and claims on hostile or odd input: no panic, and every span they return is a
//! valid code point range whose text is the document's text there.

use dossier_core::span::char_slice;
use dossier_core::{CharSpan, Extraction, Schema};
use dossier_nlp::{DocContext, Pipeline};

fn check_span(text: &str, n: usize, start: usize, end: usize, got: &str, what: &str) {
    assert!(
        start <= end && end <= n,
        "{what}: span {start}..{end} outside 0..{n}"
    );
    assert_eq!(
        char_slice(text, CharSpan::new(start, end)),
        got,
        "{what}: text differs from the document at {start}..{end}"
    );
}

fn check(text: &str, x: &Extraction) {
    let n = text.chars().count();
    for e in &x.facts.events {
        check_span(
            text,
            n,
            e.trigger.start,
            e.trigger.end,
            &e.trigger.text,
            "trigger",
        );
        for a in &e.arguments {
            check_span(text, n, a.start, a.end, &a.text, "event argument");
        }
    }
    for c in &x.facts.claims {
        check_span(text, n, c.start, c.end, &c.text, "claim");
        check_span(
            text,
            n,
            c.quantity.start,
            c.quantity.end,
            &c.quantity.text,
            "quantity",
        );
        assert!(c.start <= c.quantity.start && c.quantity.end <= c.end.max(c.quantity.end));
        for a in c.subject.iter().chain(c.source.iter()) {
            check_span(text, n, a.start, a.end, &a.text, "claim subject/source");
        }
        assert!(c.value.is_finite(), "claim value {}", c.value);
    }
}

#[test]
fn odd_inputs_give_valid_spans() {
    let p = Pipeline::load_default().expect("pipeline");
    let ctx = DocContext {
        published: Some("2017-06-15"),
    };
    let mut inputs: Vec<String> = vec![
        String::new(),
        " \n\n\t ".into(),
        "...!!!???".into(),
        "“".into(),
        "\"\"\"\"".into(),
        "Attack.".into(),
        "attack attack attack attacked attacks".into(),
        "The fall of".into(),
        "of the".into(),
        "At least".into(),
        "a third of".into(),
        "$ $ $ 5 $".into(),
        "1,2,3,4 1,200,000,000,000,000,000,000 99999999999999999999999999999 bn".into(),
        "Über 300 Kämpfer 🚀 wurden in Köln festgenommen, sagte Müller.".into(),
        "قال المتحدث إن 300 مقاتل عادوا. Officials said 40 fighters were arrested in الرقة.".into(),
        "Gunmen killed 5\u{301} people in Zürich on Tuesday, said Ève Dupont-Ça.".into(),
        "“Over 300 fighters have returned,” he said. “About 50".into(),
        "He said: \"more than 1,000 people were killed\" and \"up to".into(),
        "Police arrested by by by by in in in from to to from.".into(),
        "The attack on the the the of of of in in Paris Paris Paris.".into(),
    ];
    // One long sentence of triggers, one of numbers, one of quote marks.
    inputs.push("the attack ".repeat(5000));
    inputs.push("some 300 fighters ".repeat(3000));
    inputs.push("“ said 5 people ” ".repeat(3000));
    inputs.push(
        "Gunmen attacked a checkpoint near Kirkuk on Sunday, killing 4 soldiers. ".repeat(500),
    );
    for text in &inputs {
        let x = p.extract(text, &ctx, Schema::Re3d);
        check(text, &x);
        let x = p.extract(text, &ctx, Schema::Conll);
        check(text, &x);
    }
}

#[test]
fn repeated_sentences_give_one_event_set_each() {
    // The extractors see each sentence on its own: repeating a sentence repeats its facts.
    let p = Pipeline::load_default().expect("pipeline");
    let ctx = DocContext::default();
    let one = "Police arrested Karel Vondrak in Brno on Tuesday. ";
    let x1 = p.extract(one, &ctx, Schema::Re3d);
    let x5 = p.extract(&one.repeat(5), &ctx, Schema::Re3d);
    assert!(!x1.facts.events.is_empty());
    assert_eq!(x5.facts.events.len(), 5 * x1.facts.events.len());
}
