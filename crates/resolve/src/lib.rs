//! Resolution: which mentions name the same entity.
//!
//! This first stage works within one document: it gives every mention a
//! canonical name, so the store can cluster mentions across documents by
//! (label, normalised canonical name). Rules, in order:
//! - acronyms defined in the text, "Northern Crescent Brigade (NCB)": later "NCB"
//!   resolves to the long form;
//! - a person's surname or given name alone resolves to the most recent full name
//!   containing it ("Schoof" → "Dick Schoof");
//! - leading determiners and possessive endings are dropped ("the Commission's" →
//!   "Commission");
//! - "he"/"she" resolve to the person named just before (within a short window),
//!   the simple case of pronoun resolution; other pronouns and bare generic
//!   nouns ("we", "they", "people") name no entity of their own: `None`.
//!
//! Around it (see each module):
//! - [`normalize`]: matching keys that fold transliteration variants;
//! - [`aliases`]: the shipped alias list and [`entity_key`] for the store;
//! - [`places`]: place names to gazetteer entries with coordinates ([`resolve_place`]);
//! - [`chains`]: in-document chains with nominals and pronouns;
//! - [`resolver`]: the incremental cross-document [`Resolver`] with merge reasons and
//!   analyst constraints;
//! - [`contract`]: the `dossier resolve` JSON Lines contract.

pub mod aliases;
pub mod chains;
pub mod contract;
pub mod normalize;
pub mod places;
pub mod resolver;

pub use aliases::{entity_key, AliasTable};
pub use chains::{chain_document, Chain, MentionInput};
pub use normalize::{match_key, Kind};
pub use places::{resolve_place, DocCountryContext, Place};
pub use resolver::{
    Constraint, DocInput, DocResolution, EntityId, Link, MentionRef, MergeReason, Resolver, Rule,
};

use dossier_core::{EntityLabel, EntityMention};
use std::collections::HashMap;

/// How far back (in characters) "he"/"she" look for the person they refer to.
const PRONOUN_WINDOW: usize = 250;

/// The canonical name of each mention of one document, in the order given;
/// `None` for mentions that name no entity by themselves (pronouns without a
/// nearby antecedent, generic nouns).
pub fn canonical_names(mentions: &[EntityMention]) -> Vec<Option<String>> {
    let mut out = Vec::with_capacity(mentions.len());
    // acronym → long form, from "Long Form (LF)" patterns between adjacent mentions.
    let mut acronyms: HashMap<String, String> = HashMap::new();
    // last full (multi-word) person name containing each single-word part
    let mut person_parts: HashMap<String, String> = HashMap::new();
    // (end offset, canonical name) of the last named person.
    let mut last_person: Option<(usize, String)> = None;

    for (i, m) in mentions.iter().enumerate() {
        let base = strip_name(&m.text);
        let lower = base.to_lowercase();
        if matches!(lower.as_str(), "he" | "she" | "him" | "her" | "his") {
            let antecedent = last_person
                .as_ref()
                .filter(|(end, _)| m.start >= *end && m.start - end <= PRONOUN_WINDOW)
                .map(|(_, name)| name.clone());
            out.push(antecedent);
            continue;
        }
        if is_generic(&lower) {
            out.push(None);
            continue;
        }
        let canonical = match m.label.to_re3d() {
            EntityLabel::Person => {
                let words: Vec<&str> = base.split_whitespace().collect();
                if words.len() == 1 {
                    person_parts
                        .get(&key(words[0]))
                        .cloned()
                        .unwrap_or_else(|| base.to_string())
                } else {
                    for w in &words {
                        if w.chars().next().is_some_and(char::is_uppercase) && w.len() > 1 {
                            person_parts.insert(key(w), base.to_string());
                        }
                    }
                    base.to_string()
                }
            }
            _ => {
                if is_acronym(base) {
                    acronyms
                        .get(base)
                        .cloned()
                        .unwrap_or_else(|| base.to_string())
                } else {
                    base.to_string()
                }
            }
        };
        // "Long Form (LF)": this mention defines the acronym that follows it.
        if let Some(next) = mentions.get(i + 1) {
            let between_ok = next.start >= m.end && next.start - m.end <= 2;
            let next_base = strip_name(&next.text);
            if between_ok && is_acronym(next_base) && initials_match(base, next_base) {
                acronyms.insert(next_base.to_string(), canonical.clone());
            }
        }
        if m.label.to_re3d() == EntityLabel::Person {
            last_person = Some((m.end, canonical.clone()));
        }
        out.push(Some(canonical));
    }
    out
}

/// Pronouns and bare generic nouns that the re3d schema tags but that name no
/// particular entity.
fn is_generic(lower: &str) -> bool {
    matches!(
        lower,
        "i" | "me"
            | "my"
            | "we"
            | "us"
            | "our"
            | "you"
            | "your"
            | "they"
            | "them"
            | "their"
            | "it"
            | "its"
            | "people"
            | "someone"
            | "anyone"
            | "everyone"
            | "who"
            | "which"
            | "this"
            | "that"
            | "these"
            | "those"
    )
}

/// The normalised key under which names are compared and stored.
pub fn key(name: &str) -> String {
    let mut k = String::with_capacity(name.len());
    for w in strip_name(name).split_whitespace() {
        if !k.is_empty() {
            k.push(' ');
        }
        for c in w.chars() {
            match c {
                '’' | '‘' | '`' => k.push('\''),
                '‐' | '‑' | '–' => k.push('-'),
                c => k.extend(c.to_lowercase()),
            }
        }
    }
    k
}

fn strip_name(s: &str) -> &str {
    let mut s = s.trim();
    for det in ["the ", "The ", "THE "] {
        if let Some(rest) = s.strip_prefix(det) {
            s = rest;
            break;
        }
    }
    for poss in ["'s", "’s", "'", "’"] {
        if let Some(rest) = s.strip_suffix(poss) {
            s = rest;
            break;
        }
    }
    s.trim()
}

fn is_acronym(s: &str) -> bool {
    let n = s.chars().count();
    (2..=8).contains(&n) && s.chars().all(|c| c.is_uppercase() || c == '.' || c == '-')
}

/// True when the capitalised words of `long` start with the letters of `acronym`.
fn initials_match(long: &str, acronym: &str) -> bool {
    let initials: String = long
        .split(|c: char| c.is_whitespace() || c == '-')
        .filter_map(|w| w.chars().next())
        .filter(|c| c.is_uppercase())
        .collect();
    let letters: String = acronym.chars().filter(|c| c.is_alphanumeric()).collect();
    !letters.is_empty()
        && (initials == letters || initials.starts_with(&letters) && letters.len() >= 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(text: &str, start: usize, label: EntityLabel) -> EntityMention {
        EntityMention {
            start,
            end: start + text.chars().count(),
            label,
            text: text.into(),
            confidence: 1.0,
            kind: None,
            normalized: None,
            extractor: "test".into(),
        }
    }

    #[test]
    fn surnames_resolve_to_the_full_name_seen_before() {
        let ms = [
            m("Dick Schoof", 0, EntityLabel::Person),
            m("Schoof", 40, EntityLabel::Person),
            m("Jansen", 60, EntityLabel::Person),
        ];
        assert_eq!(names(&ms), vec!["Dick Schoof", "Dick Schoof", "Jansen"]);
    }

    #[test]
    fn acronyms_defined_in_text_resolve_to_long_form() {
        // "the Northern Crescent Brigade (NCB) ... NCB"
        let ms = [
            m(
                "the Northern Crescent Brigade",
                0,
                EntityLabel::Organisation,
            ),
            m("NCB", 31, EntityLabel::Organisation),
            m("NCB's", 80, EntityLabel::Organisation),
            m("EU", 90, EntityLabel::Organisation),
        ];
        assert_eq!(
            names(&ms),
            vec![
                "Northern Crescent Brigade",
                "Northern Crescent Brigade",
                "Northern Crescent Brigade",
                "EU"
            ]
        );
    }

    fn names(ms: &[EntityMention]) -> Vec<String> {
        canonical_names(ms)
            .into_iter()
            .map(|n| n.unwrap_or_default())
            .collect()
    }

    #[test]
    fn pronouns_take_the_person_just_before_or_nothing() {
        let ms = [
            m("Marta Lindqvist", 0, EntityLabel::Person),
            m("she", 40, EntityLabel::Person),
            m("We", 60, EntityLabel::Organisation),
            m("he", 900, EntityLabel::Person),
        ];
        assert_eq!(
            canonical_names(&ms),
            vec![
                Some("Marta Lindqvist".to_string()),
                Some("Marta Lindqvist".to_string()),
                None,
                None
            ]
        );
    }

    #[test]
    fn keys_fold_case_quotes_and_space() {
        assert_eq!(key("The  Islamic State’s"), "islamic state");
        assert_eq!(key("al‑Qaida"), "al-qaida");
    }
}
