//! Common-noun entities, the re3d way: "civilians", "the regime", "a petrol
//! station" are Organisation and Location mentions in re3d.
//!
//! The tagger finds many of them; this component adds a noun phrase where the
//! tagger left a known head noun untagged. The head nouns and their labels are in
//! `data/heads.tsv`, derived from the non-BBC re3d training documents by
//! `models/tools/derive_heads.py` (a lower-case word kept when it is the last word
//! of a gold entity of one label in at least half of its occurrences, twice or
//! more). The phrase is the head with up to two lower-case modifiers before it
//! ("vulnerable people") and a determiner ("the victims"), as re3d marks them.

use crate::doc::Doc;
use dossier_core::EntityLabel;
use std::collections::HashMap;
use std::sync::OnceLock;

static HEADS_TSV: &str = include_str!("../data/heads.tsv");

/// Words that end a modifier run: prepositions, conjunctions, auxiliaries and
/// common verbs ("killed civilians" is no phrase).
const STOP: &[&str] = &[
    "of", "in", "on", "at", "to", "for", "from", "by", "with", "and", "or", "but", "that", "which",
    "who", "is", "are", "was", "were", "be", "been", "has", "have", "had", "will", "would", "said",
    "says", "against", "into", "than", "as", "about", "after", "before", "over", "under", "during",
    "between", "not", "no", "so", "also", "can", "could", "may", "should", "must", "do", "does",
    "did", "if", "when", "where", "while", "because",
];

/// Determiners and possessives that start a phrase (re3d includes them). Not
/// "that": in training it precedes an entity 33 times (mostly "said that ...") and
/// starts one once.
const DETS: &[&str] = &[
    "the", "a", "an", "these", "those", "many", "some", "all", "other", "more", "several", "its",
    "their", "our", "his", "her", "this",
];

/// At most this many modifiers before the head.
const MAX_MODIFIERS: usize = 2;

fn lexicon() -> &'static HashMap<&'static str, EntityLabel> {
    static L: OnceLock<HashMap<&'static str, EntityLabel>> = OnceLock::new();
    L.get_or_init(|| {
        HEADS_TSV
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let mut f = l.split('\t');
                let word = f.next()?;
                let label = f.next()?.parse::<EntityLabel>().ok()?;
                Some((word, label))
            })
            .collect()
    })
}

/// The label of a head noun, if `word` is one (exact, lower-case as written).
pub fn head_label(word: &str) -> Option<EntityLabel> {
    // Cheap test first: every head is lower-case and at least 3 bytes long.
    if word.len() < 3 || !word.as_bytes().first().is_some_and(u8::is_ascii_lowercase) {
        return None;
    }
    lexicon().get(word).copied()
}

/// Noun phrases `(first token, end token, label)` around the head nouns of `doc`
/// that no span of `taken` (byte ranges, sorted by start) overlaps.
pub fn untagged_heads(doc: &Doc<'_>, taken: &[(usize, usize)]) -> Vec<(usize, usize, EntityLabel)> {
    let free = |a: usize, b: usize| -> bool {
        let (Some(s), Some(e)) = (
            doc.tokens.get(a),
            b.checked_sub(1).and_then(|k| doc.tokens.get(k)),
        ) else {
            return false;
        };
        let k = taken.partition_point(|&(_, te)| te <= s.start);
        !taken
            .get(k..)
            .unwrap_or(&[])
            .iter()
            .take_while(|&&(ts, _)| ts < e.end)
            .any(|&(ts, te)| ts < e.end && s.start < te)
    };
    let mut out: Vec<(usize, usize, EntityLabel)> = Vec::new();
    for (i, t) in doc.tokens.iter().enumerate() {
        let Some(label) = doc.text.get(t.start..t.end).and_then(head_label) else {
            continue;
        };
        if !free(i, i + 1) || out.last().is_some_and(|&(_, b, _)| b > i) {
            continue;
        }
        let mut a = i;
        let mut modifiers = 0;
        while a > 0 && !doc.starts_sentence(a) {
            let p = a - 1;
            let (Some(pt), Some(cur)) = (doc.tokens.get(p), doc.tokens.get(a)) else {
                break;
            };
            // Only words separated by plain spaces belong to one phrase.
            if !doc
                .text
                .get(pt.end..cur.start)
                .is_some_and(|g| !g.is_empty() && g.chars().all(|c| c == ' '))
            {
                break;
            }
            let w = doc.text.get(pt.start..pt.end).unwrap_or("");
            let lower = w.to_lowercase();
            if DETS.contains(&lower.as_str()) {
                if free(p, i + 1) {
                    a = p;
                }
                break;
            }
            let modifier = modifiers < MAX_MODIFIERS
                && w.chars().next().is_some_and(|c| c.is_lowercase())
                && w.chars().all(|c| c.is_alphabetic() || c == '-')
                && !STOP.contains(&w)
                && !w.ends_with("ed")
                && !w.ends_with("ing")
                && !w.ends_with("ly");
            if !modifier || !free(p, i + 1) {
                break;
            }
            a = p;
            modifiers += 1;
        }
        out.push((a, i + 1, label));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, taken: &[(usize, usize)]) -> Vec<(String, EntityLabel)> {
        let doc = Doc::new(text);
        untagged_heads(&doc, taken)
            .into_iter()
            .map(|(a, b, l)| {
                let s = doc.tokens[a].start;
                let e = doc.tokens[b - 1].end;
                (text[s..e].to_string(), l)
            })
            .collect()
    }

    #[test]
    fn lexicon_loads_both_labels() {
        assert_eq!(head_label("civilians"), Some(EntityLabel::Organisation));
        assert_eq!(head_label("facility"), Some(EntityLabel::Location));
        assert_eq!(head_label("Civilians"), None);
        assert_eq!(head_label("said"), None);
    }

    #[test]
    fn phrases_take_modifiers_and_determiners() {
        let got = found(
            "Strikes hit the regime near a storage facility and killed civilians.",
            &[],
        );
        let phrases: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(phrases, ["the regime", "a storage facility", "civilians"]);
        assert_eq!(got[0].1, EntityLabel::Organisation);
        assert_eq!(got[1].1, EntityLabel::Location);
    }

    #[test]
    fn complementizer_that_is_not_a_determiner() {
        let got = found("Officials said that civilians fled.", &[]);
        assert_eq!(got[0].0, "civilians");
    }

    #[test]
    fn tagged_words_stop_the_phrase() {
        let text = "Syrian civilians fled.";
        // "Syrian" already tagged: the phrase is the head alone.
        assert_eq!(found(text, &[(0, 6)])[0].0, "civilians");
        // The head itself tagged: nothing added.
        assert!(found(text, &[(7, 16)]).is_empty());
    }

    #[test]
    fn no_phrase_across_sentences_or_lines() {
        let got = found(
            "It was over.\nThe regime fell. Officials left the\nregime.",
            &[],
        );
        let phrases: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(phrases, ["The regime", "regime"]);
        let got = found("They were over. regime change", &[]);
        assert_eq!(got[0].0, "regime");
    }
}
