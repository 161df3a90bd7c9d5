//! Gazetteer look-ups on news-style token sequences.

use dossier_nlp::gazetteer::{GazCategory, GazMatch, Gazetteer};
use dossier_nlp::Doc;

fn hits(text: &str) -> Vec<(String, GazCategory, &'static str)> {
    let g = Gazetteer::global();
    let doc = Doc::new(text);
    g.matches_doc(&doc)
        .into_iter()
        .map(|m: GazMatch| {
            let s = doc.tokens[m.start_tok].start;
            let e = doc.tokens[m.end_tok - 1].end;
            (
                text[s..e].to_string(),
                m.category,
                g.entry(m.entry).map(|e| e.name).unwrap_or(""),
            )
        })
        .collect()
}

fn assert_hit(text: &str, span: &str, cat: GazCategory) {
    let h = hits(text);
    assert!(
        h.iter().any(|(s, c, _)| s == span && *c == cat),
        "{span:?} {cat:?} not in {h:?}"
    );
}

fn assert_no_hit(text: &str, span: &str) {
    let h = hits(text);
    assert!(
        !h.iter().any(|(s, _, _)| s == span),
        "{span:?} unexpectedly in {h:?}"
    );
}

#[test]
fn places_and_aliases() {
    assert_hit(
        "Fighters withdrew from Raqqa to Deir ez-Zor on Monday.",
        "Raqqa",
        GazCategory::City,
    );
    assert_hit("in the U.S. and the UK", "U.S.", GazCategory::Country);
    assert_hit("in the U.S. and the UK", "UK", GazCategory::Country);
    assert_hit("Britain's envoy", "Britain", GazCategory::Country);
    assert_hit(
        "the Gaza Strip and West Bank",
        "Gaza Strip",
        GazCategory::Region,
    );
    assert_hit("BOMB HITS KABUL", "KABUL", GazCategory::City);
    let g = Gazetteer::global();
    let raqqa = g.lookup("Raqqa");
    let (_, e) = raqqa
        .iter()
        .find(|(_, e)| e.category == GazCategory::City)
        .copied()
        .unwrap();
    assert_eq!((e.name, e.country), ("Ar Raqqah", "SY"));
    assert!(e.has_coordinates() && (e.lat - 35.95).abs() < 0.1);
}

#[test]
fn groups_agencies_and_aliases() {
    assert_hit("Daesh and ISIL fighters", "Daesh", GazCategory::ArmedGroup);
    assert_hit("Daesh and ISIL fighters", "ISIL", GazCategory::ArmedGroup);
    assert_hit("an al-Qaeda affiliate", "al-Qaeda", GazCategory::ArmedGroup);
    assert_hit(
        "the Kurdish YPG and the SDF",
        "YPG",
        GazCategory::ArmedGroup,
    );
    assert_hit("MI6 and GCHQ warned", "GCHQ", GazCategory::Agency);
    assert_hit(
        "the UN Security Council met",
        "UN Security Council",
        GazCategory::Org,
    );
    let g = Gazetteer::global();
    let all: Vec<&str> = ["ISIS", "ISIL", "Daesh", "Islamic State", "IS"]
        .iter()
        .map(|a| {
            g.lookup(a)
                .iter()
                .find(|(_, e)| e.category == GazCategory::ArmedGroup)
                .map(|(_, e)| e.name)
                .unwrap_or("")
        })
        .collect();
    assert!(all.iter().all(|n| *n == "Islamic State"), "{all:?}");
}

#[test]
fn nationalities_resolve() {
    assert_hit(
        "the Dutch coordinator and Syrian refugees",
        "Dutch",
        GazCategory::Nationality,
    );
    let g = Gazetteer::global();
    for (adj, cc) in [
        ("Dutch", "NL"),
        ("Syrian", "SY"),
        ("Iraqi", "IQ"),
        ("British", "GB"),
        ("Saudi", "SA"),
    ] {
        let e = g.lookup(adj);
        assert!(
            e.iter()
                .any(|(_, e)| e.category == GazCategory::Nationality && e.country == cc),
            "{adj}"
        );
    }
    let k = g.lookup("Kurdish");
    assert!(k
        .iter()
        .any(|(_, e)| e.category == GazCategory::Nationality && e.country.is_empty()));
}

#[test]
fn weapons_and_platforms() {
    assert_hit("a VBIED and two AK-47 rifles", "VBIED", GazCategory::Weapon);
    assert_hit("a VBIED and two AK-47 rifles", "AK-47", GazCategory::Weapon);
    assert_hit("barrel bombs fell", "barrel bombs", GazCategory::Weapon);
    assert_hit(
        "an MQ-9 Reaper and F-16s",
        "MQ-9 Reaper",
        GazCategory::Platform,
    );
    assert_hit("an MQ-9 Reaper and F-16s", "F-16s", GazCategory::Platform);
    assert_hit("ISIL technicals", "technicals", GazCategory::Vehicle);
}

#[test]
fn case_guards() {
    // Common words that are also names do not fire in lower case.
    assert_no_hit("tell us who did it in a nice way", "us");
    assert_no_hit("tell us who did it in a nice way", "who");
    assert_no_hit("tell us who did it in a nice way", "nice");
    assert_hit("the WHO said", "WHO", GazCategory::Org);
}

#[test]
fn given_names_and_titles() {
    assert_hit(
        "Foreign Secretary Boris Johnson said",
        "Foreign Secretary",
        GazCategory::Title,
    );
    assert_hit(
        "Foreign Secretary Boris Johnson said",
        "Boris",
        GazCategory::FirstName,
    );
    assert_hit("Lt. Gen. Stephen Townsend", "Lt. Gen.", GazCategory::Title);
}
