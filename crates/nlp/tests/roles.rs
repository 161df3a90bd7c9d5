//! Role extraction on single sentences: person, title, organisation, country and
//! qualifiers, each checked by its text (spans are checked against the text too).

use dossier_core::{Arg, Role, Schema};
use dossier_nlp::{DocContext, Pipeline};
use std::sync::OnceLock;

fn pipeline() -> &'static Pipeline {
    static P: OnceLock<Pipeline> = OnceLock::new();
    P.get_or_init(|| Pipeline::load_default().expect("embedded models"))
}

fn roles(text: &str) -> Vec<Role> {
    let x = pipeline().extract(text, &DocContext::default(), Schema::Re3d);
    let chars: Vec<char> = text.chars().collect();
    let check = |a: &Arg| {
        let got: String = chars[a.start..a.end].iter().collect();
        assert_eq!(got, a.text, "span of {a:?} in {text:?}");
    };
    for r in &x.facts.roles {
        check(&r.title);
        r.person.iter().for_each(check);
        r.organisation.iter().for_each(check);
        r.country.iter().for_each(check);
        let whole: String = chars[r.start..r.end].iter().collect();
        assert_eq!(whole, r.text);
    }
    x.facts.roles
}

/// Expected role: person, title, organisation, country, qualifiers ("" = absent).
fn expect(text: &str, person: &str, title: &str, org: &str, country: &str, quals: &[&str]) {
    let all = roles(text);
    let r = all
        .iter()
        .find(|r| r.person.as_ref().is_some_and(|p| p.text == person) && r.title.text == title)
        .unwrap_or_else(|| panic!("no role ({person}, {title}) in {text:?}: {all:#?}"));
    let t = |a: &Option<Arg>| a.as_ref().map_or(String::new(), |a| a.text.clone());
    assert_eq!(t(&r.organisation), org, "organisation in {text:?}");
    assert_eq!(t(&r.country), country, "country in {text:?}");
    assert_eq!(r.qualifiers, quals, "qualifiers in {text:?}");
}

#[test]
fn appositive_after_the_name() {
    expect(
        "Dick Schoof, the Dutch national counterterrorism coordinator, said the threat remained.",
        "Dick Schoof",
        "national counterterrorism coordinator",
        "",
        "Dutch",
        &[],
    );
    expect(
        "Friedrich Grommes, head of the international terrorism and organized crime directorate for Germany's Federal Intelligence Service, said the group was weakened.",
        "Friedrich Grommes",
        "head",
        "Federal Intelligence Service",
        "Germany",
        &[],
    );
    expect(
        "Hodan Abdi, a researcher at the Horn Maritime Observatory, said prices had risen.",
        "Hodan Abdi",
        "researcher",
        "Horn Maritime Observatory",
        "",
        &[],
    );
    expect(
        "Claire Moreau, Open Hands' director of operations, called for access.",
        "Claire Moreau",
        "director of operations",
        "Open Hands",
        "",
        &[],
    );
    expect(
        "Lars Bergstrom, a former intelligence officer who now teaches at Norland University, disagreed.",
        "Lars Bergstrom",
        "intelligence officer",
        "",
        "",
        &["former"],
    );
    expect(
        "Erik Lindqvist, the ministry's director of border security, spoke first.",
        "Erik Lindqvist",
        "director of border security",
        "",
        "",
        &[],
    );
    expect(
        "Brigadier Tariq Salim, the academy's commander, said the guards opened fire.",
        "Tariq Salim",
        "commander",
        "",
        "",
        &[],
    );
}

#[test]
fn titles_before_the_name() {
    expect(
        "U.S. President Donald Trump spoke on Monday.",
        "Donald Trump",
        "President",
        "",
        "U.S.",
        &[],
    );
    let text = "Joint Chiefs Chairman General Joe Dunford visited the base.";
    expect(text, "Joe Dunford", "Chairman", "Joint Chiefs", "", &[]);
    expect(text, "Joe Dunford", "General", "", "", &[]);
    expect(
        "The former Foreign Minister Helga Strand resigned.",
        "Helga Strand",
        "Foreign Minister",
        "",
        "",
        &["former"],
    );
    expect(
        "Acting Defence Secretary Gareth Whitlock observed the exercise.",
        "Gareth Whitlock",
        "Defence Secretary",
        "",
        "",
        &["acting"],
    );
    expect(
        "French Interior Minister Paul Girard announced the arrests.",
        "Paul Girard",
        "Interior Minister",
        "",
        "French",
        &[],
    );
    expect(
        "Kenyan Foreign Minister Amina Wanjiru met her counterpart.",
        "Amina Wanjiru",
        "Foreign Minister",
        "",
        "Kenyan",
        &[],
    );
    expect(
        "Colonel Marek Ostrowski commands the training mission.",
        "Marek Ostrowski",
        "Colonel",
        "",
        "",
        &[],
    );
    expect(
        "Senator Jane Ivers told reporters the bureau was stretched.",
        "Jane Ivers",
        "Senator",
        "",
        "",
        &[],
    );
    expect(
        "Former Prime Minister Jonas Berg died on Sunday.",
        "Jonas Berg",
        "Prime Minister",
        "",
        "",
        &["former"],
    );
}

#[test]
fn appositive_before_the_name() {
    expect(
        "He was trained by ISIS's late spokesman and Emni chief, Abu Mohammad al-Adnani.",
        "Abu Mohammad al-Adnani",
        "spokesman and Emni chief",
        "ISIS",
        "",
        &["late"],
    );
    expect(
        "The head of the National Intelligence Bureau, Margaret Holloway, testified on Tuesday.",
        "Margaret Holloway",
        "head",
        "National Intelligence Bureau",
        "",
        &[],
    );
    expect(
        "The deputy commander of the Ashar Front, Yusuf Karam, was killed in March.",
        "Yusuf Karam",
        "deputy commander",
        "Ashar Front",
        "",
        &["deputy"],
    );
    expect(
        "A spokesman for the provincial council, Layla Nasser, told reporters the roads were clear.",
        "Layla Nasser",
        "spokesman",
        "the provincial council",
        "",
        &[],
    );
}

#[test]
fn who_heads() {
    expect(
        "Lucia Ferrante, who heads the UN reconstruction office in Qasrin, said clearing would take years.",
        "Lucia Ferrante",
        "heads",
        "the UN reconstruction office",
        "",
        &[],
    );
    expect(
        "Inspector Helena Varga, who leads the city's counterterrorism unit, spoke to reporters.",
        "Helena Varga",
        "leads",
        "the city's counterterrorism unit",
        "",
        &[],
    );
}

#[test]
fn no_role_without_a_title() {
    for text in [
        "Sentencing Daniel Whitcombe, 29, the court heard evidence.",
        "Mr. Medina spoke for an hour.",
        "Asked by his lawyer whether he supported the group, Haddad replied.",
        "Omar Jaber, 41, lives near the well.",
    ] {
        let r = roles(text);
        assert!(r.is_empty(), "{text:?}: {r:#?}");
    }
}
