//! The shipped models on tricky news-style cases (no training, no data needed).

use dossier_core::Schema;
use dossier_nlp::{DocContext, Pipeline};

fn ents(p: &Pipeline, text: &str, schema: Schema) -> Vec<(String, String)> {
    let x = p.extract(text, &DocContext::default(), schema);
    for e in &x.entities {
        let s: String = text.chars().skip(e.start).take(e.end - e.start).collect();
        assert_eq!(s, e.text, "code point offsets must slice the text");
        assert!(e.confidence > 0.0 && e.confidence <= 1.0);
    }
    x.entities
        .iter()
        .map(|e| (e.text.clone(), e.label.as_str().to_string()))
        .collect()
}

fn has(v: &[(String, String)], text: &str, label: &str) -> bool {
    v.iter().any(|(t, l)| t == text && l == label)
}

#[test]
fn appositive_title_keeps_the_person_span() {
    let p = Pipeline::load_default().unwrap();
    let t = "Dick Schoof, the Dutch national counterterrorism coordinator, said the threat remained real.";
    let c = ents(&p, t, Schema::Conll);
    assert!(has(&c, "Dick Schoof", "PER"), "{c:?}");
    assert!(has(&c, "Dutch", "MISC"), "{c:?}");
    let r = ents(&p, t, Schema::Re3d);
    assert!(
        r.iter()
            .any(|(t, l)| t.starts_with("Dick Schoof") && l == "Person"),
        "{r:?}"
    );
}

#[test]
fn hyphenated_arabic_names() {
    let p = Pipeline::load_default().unwrap();
    let t = "The group said its leader, Abu Bakr al-Baghdadi, was alive. Baghdadi was last seen in Mosul.";
    let c = ents(&p, t, Schema::Conll);
    assert!(has(&c, "Abu Bakr al-Baghdadi", "PER"), "{c:?}");
    assert!(has(&c, "Mosul", "LOC"), "{c:?}");
}

#[test]
fn all_caps_headline() {
    let p = Pipeline::load_default().unwrap();
    let t = "SOCCER - JAPAN GET LUCKY WIN , CHINA IN SURPRISE DEFEAT .\nNadim Ladki\nAL-AIN , United Arab Emirates 1996-12-06\nJapan began the defence of their Asian Cup title with a lucky 2-1 win against Syria .";
    let c = ents(&p, t, Schema::Conll);
    assert!(has(&c, "JAPAN", "LOC"), "{c:?}");
    assert!(has(&c, "CHINA", "LOC"), "{c:?}");
    assert!(has(&c, "Nadim Ladki", "PER"), "{c:?}");
    assert!(has(&c, "Syria", "LOC"), "{c:?}");
}

#[test]
fn hostile_inputs_do_not_panic() {
    let p = Pipeline::load_default().unwrap();
    let long = "A".repeat(100_000);
    let cases = [
        "",
        " \n\t ",
        "\u{feff}…“”’",
        &long,
        "ééé ÉÉÉ 東京 Москва 😀 al-Qaida’s",
        "U.S. Gen. Mattis said on Jan. 5 at 3 a.m.",
    ];
    for t in cases {
        for s in [Schema::Conll, Schema::Re3d] {
            let x = p.extract(t, &DocContext::default(), s);
            for e in &x.entities {
                assert!(e.start < e.end && e.end <= t.chars().count());
            }
        }
    }
}

#[test]
fn pipeline_is_sync_and_deterministic_across_threads() {
    fn assert_sync<T: Sync + Send>() {}
    assert_sync::<Pipeline>();
    let p = Pipeline::load_default().unwrap();
    let t =
        "The Pentagon said U.S. forces in Raqqa were supported by the Syrian Democratic Forces.";
    let one = ents(&p, t, Schema::Re3d);
    std::thread::scope(|s| {
        let hs: Vec<_> = (0..4)
            .map(|_| s.spawn(|| ents(&p, t, Schema::Re3d)))
            .collect();
        for h in hs {
            assert_eq!(h.join().unwrap(), one);
        }
    });
}

#[test]
fn huge_documents_keep_code_point_offsets() {
    let p = Pipeline::load_default().unwrap();
    // > 2 MiB with multi-byte characters, so the pipeline cuts it into pieces.
    let filler = "Le café était fermé à Genève ce jour-là, dit-il. ";
    let mut t = filler.repeat(2_600_000 / filler.len());
    t.push_str("Dick Schoof, the Dutch national counterterrorism coordinator, said so.");
    let x = p.extract(&t, &DocContext::default(), Schema::Conll);
    let chars: Vec<char> = t.chars().collect();
    for e in &x.entities {
        let s: String = chars[e.start..e.end].iter().collect();
        assert_eq!(s, e.text);
    }
    assert!(
        x.entities
            .iter()
            .any(|e| e.text == "Dick Schoof" && e.label.as_str() == "PER"),
        "name at the end of a huge document"
    );
    assert!(x.sentences.windows(2).all(|w| w[0].end <= w[1].start));
}
