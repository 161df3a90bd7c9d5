//! Tokenizer and sentence splitter on tricky news-style text.

use dossier_nlp::tokenize::{sentence_starts, tokenize};
use dossier_nlp::Doc;

fn toks(text: &str) -> Vec<&str> {
    tokenize(text)
        .iter()
        .map(|t| &text[t.start..t.end])
        .collect()
}

fn sents(text: &str) -> Vec<&str> {
    Doc::new(text)
        .sentences
        .iter()
        .map(|&(s, e)| &text[s..e])
        .collect()
}

#[test]
fn abbreviations_initials_and_titles() {
    assert_eq!(
        toks("Mr. Smith met Gen. J. R. Allen in the U.S. on Jan. 8 at 10 a.m., No. 10 St. Louis Inc."),
        [
            "Mr.", "Smith", "met", "Gen.", "J.", "R.", "Allen", "in", "the", "U.S.", "on", "Jan.", "8", "at",
            "10", "a.m.", ",", "No.", "10", "St.", "Louis", "Inc."
        ]
    );
    // A sentence-final word loses its period; "no." is the word no, not No. 10.
    assert_eq!(toks("He said no. Then"), ["He", "said", "no", ".", "Then"]);
    assert_eq!(toks("born in 1996."), ["born", "in", "1996", "."]);
    assert_eq!(
        toks("the U.S.-led coalition"),
        ["the", "U.S.-led", "coalition"]
    );
}

#[test]
fn quotes_apostrophes_possessives_contractions() {
    assert_eq!(toks("Germany's"), ["Germany", "'s"]);
    assert_eq!(toks("Germany’s DFAT’s"), ["Germany", "’s", "DFAT", "’s"]);
    assert_eq!(
        toks("don't can't they're I'd we'll"),
        ["do", "n't", "ca", "n't", "they", "'re", "I", "'d", "we", "'ll"]
    );
    assert_eq!(toks("O'Brien d'etat Gov't"), ["O'Brien", "d'etat", "Gov't"]);
    assert_eq!(
        toks("the hijackers' surrender"),
        ["the", "hijackers", "'", "surrender"]
    );
    assert_eq!(
        toks("“quoted” «guillemets» ‘single’ \"plain\" 'keep'"),
        [
            "“",
            "quoted",
            "”",
            "«",
            "guillemets",
            "»",
            "‘",
            "single",
            "’",
            "\"",
            "plain",
            "\"",
            "'",
            "keep",
            "'"
        ]
    );
    assert_eq!(toks("the '90s"), ["the", "'90s"]);
}

#[test]
fn names_urls_mail_handles() {
    assert_eq!(
        toks("Abu Bakr al-Baghdadi of al-Qaida"),
        ["Abu", "Bakr", "al-Baghdadi", "of", "al-Qaida"]
    );
    assert_eq!(
        toks("Mail jane.doe@example.org, see https://www.gov.uk/foo_(bar). or www.state.gov/r/pa."),
        [
            "Mail",
            "jane.doe@example.org",
            ",",
            "see",
            "https://www.gov.uk/foo_(bar)",
            ".",
            "or",
            "www.state.gov/r/pa",
            "."
        ]
    );
    assert_eq!(
        toks("(@ABlinken) #Syria!"),
        ["(", "@ABlinken", ")", "#Syria", "!"]
    );
}

#[test]
fn numbers_money_dates() {
    assert_eq!(
        toks("1,200.50 3.5% $135m £2.5bn US$3 10:30 22/03/2016 2016-03-22 +44 .500"),
        [
            "1,200.50",
            "3.5",
            "%",
            "$",
            "135m",
            "£",
            "2.5bn",
            "US$",
            "3",
            "10:30",
            "22/03/2016",
            "2016-03-22",
            "+44",
            ".500"
        ]
    );
    assert_eq!(toks("(202) 555-0143"), ["(", "202", ")", "555-0143"]);
    assert_eq!(toks("rebels--and"), ["rebels", "--", "and"]);
    assert_eq!(toks("wait... what"), ["wait", "...", "what"]);
}

#[test]
fn pdf_line_breaks_keep_offsets() {
    let text = "counter-\nterrorism  efforts\u{a0}in\u{2009}Syria.The end";
    let t = tokenize(text);
    let words: Vec<&str> = t.iter().map(|t| &text[t.start..t.end]).collect();
    assert_eq!(
        words,
        [
            "counter-",
            "terrorism",
            "efforts",
            "in",
            "Syria",
            ".",
            "The",
            "end"
        ]
    );
    for w in &t {
        assert!(text.is_char_boundary(w.start) && text.is_char_boundary(w.end) && w.start < w.end);
    }
}

#[test]
fn offsets_are_exact_on_unicode() {
    let text = "Les Émirats arabes unis — Дамаск, دمشق; 東京。";
    let t = tokenize(text);
    let joined: String = t.iter().map(|t| &text[t.start..t.end]).collect();
    let no_space: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    assert_eq!(joined, no_space);
    assert!(toks(text).contains(&"Émirats") && toks(text).contains(&"دمشق"));
}

#[test]
fn hostile_input_is_linear_and_safe() {
    let long = "(".repeat(200_000) + &".,".repeat(200_000) + &"a'".repeat(100_000);
    let t0 = std::time::Instant::now();
    let t = tokenize(&long);
    assert!(!t.is_empty());
    let _ = sentence_starts(&long, &t);
    assert!(t0.elapsed().as_secs() < 5, "took {:?}", t0.elapsed());
    assert!(tokenize("").is_empty() && tokenize(" \n\t ").is_empty());
}

#[test]
fn sentences_abbreviations_and_quotes() {
    assert_eq!(
        sents("Mr. Smith met Gen. J. R. Allen in the U.S. The next day he left for the U.S. Army base at 10 a.m. on Jan. 8. It was hot."),
        [
            "Mr. Smith met Gen. J. R. Allen in the U.S.",
            "The next day he left for the U.S. Army base at 10 a.m. on Jan. 8.",
            "It was hot."
        ]
    );
    assert_eq!(
        sents(
            "He said \"no.\" Then he left... and came back... Later it rained! \"Why?\" she asked."
        ),
        [
            "He said \"no.\"",
            "Then he left... and came back...",
            "Later it rained!",
            "\"Why?\" she asked."
        ]
    );
    assert_eq!(
        sents("Fighters (about 300.) Officials said so."),
        ["Fighters (about 300.)", "Officials said so."]
    );
    // Space-separated (CoNLL-style) closing quote: it stays with its sentence.
    assert_eq!(
        sents("He said : \" I am here . \" The team left ."),
        ["He said : \" I am here . \"", "The team left ."]
    );
}

#[test]
fn sentences_headlines_bullets_and_line_breaks() {
    assert_eq!(
        sents("ISLAMIC STATE CLAIMS ATTACK\nThe group said on Monday that it had\nattacked the base.\n\n• First point\n• Second point"),
        [
            "ISLAMIC STATE CLAIMS ATTACK",
            "The group said on Monday that it had\nattacked the base.",
            "• First point",
            "• Second point"
        ]
    );
    // A blank line always breaks, even without punctuation.
    assert_eq!(
        sents("Summary\n\nthe talks ended"),
        ["Summary", "the talks ended"]
    );
    // A long wrapped line followed by a capitalised word is not a heading.
    let wrapped = "The coalition conducted strikes against the group near the town of\nRaqqa on Tuesday, officials said.";
    assert_eq!(sents(wrapped).len(), 1);
}
