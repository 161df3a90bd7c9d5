//! Full-text terms for PostgreSQL, tokenized in Rust.
//!
//! Both sides of a match are built here with the snippet tokenizer (words are
//! runs of letters, digits and combining marks, case-folded, diacritics
//! removed), and reach PostgreSQL as `tsvector` / `tsquery` literals cast from
//! a text parameter. So matching is exactly the SQLite index's and the
//! highlighter's (PostgreSQL's own parser would keep `a-b` as one more word and
//! has no immutable accent folding), and no user text is ever spliced into SQL:
//! every lexeme is a quoted literal made of letters and digits.

use crate::snippet::{fold, words};
use crate::{Result, StoreError};
use dossier_core::Query;
use std::collections::HashMap;
use std::fmt::Write;

const NOT_HELP: &str = "NOT (or -) must sit next to a word it excludes from, as in `isis NOT syria` or \
                        `isis -(syria OR iraq)`; a lone NOT, or NOT as an alternative of OR, cannot be searched";

/// PostgreSQL refuses lexemes of 2 KiB or more; longer words are not indexed.
pub(crate) const MAX_LEXEME_BYTES: usize = 2000;
/// Highest tsvector position; later words share it (PostgreSQL's own limit).
const MAX_POS: usize = 16_383;
/// Positions kept per lexeme (PostgreSQL keeps at most 256).
const MAX_POSITIONS: usize = 255;
/// A tsvector's lexemes must total under 1 MiB: stop adding new words before.
const MAX_VOCABULARY_BYTES: usize = 900_000;
const MAX_DEPTH: usize = 64;

/// The folded index words of `text`, in order.
fn index_words(text: &str) -> impl Iterator<Item = String> + '_ {
    words(text)
        .into_iter()
        .map(move |(s, e)| fold(text.get(s..e).unwrap_or_default()))
        .filter(|w| !w.is_empty())
}

/// The `tsvector` literal of a document: title words weighted A, text words B.
/// A gap between title and text keeps phrases from spanning both.
pub(crate) fn to_tsvector(title: Option<&str>, text: &str) -> String {
    // lexeme -> positions with weight letter, in first-seen order.
    let mut lexemes: HashMap<String, Vec<(usize, char)>> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut vocabulary = 0usize;
    let mut pos = 0usize;
    let mut add = |w: String, weight: char, pos: usize| {
        if w.len() > MAX_LEXEME_BYTES {
            return;
        }
        let p = pos.clamp(1, MAX_POS);
        match lexemes.get_mut(&w) {
            Some(v) => {
                if v.len() < MAX_POSITIONS && v.last().is_none_or(|l| l.0 != p) {
                    v.push((p, weight));
                }
            }
            None => {
                if vocabulary + w.len() > MAX_VOCABULARY_BYTES {
                    return;
                }
                vocabulary += w.len();
                order.push(w.clone());
                lexemes.insert(w, vec![(p, weight)]);
            }
        }
    };
    for w in index_words(title.unwrap_or_default()) {
        pos += 1;
        add(w, 'A', pos);
    }
    pos += 1;
    for w in index_words(text) {
        pos += 1;
        add(w, 'B', pos);
    }
    let mut out = String::new();
    for w in order {
        let Some(ps) = lexemes.get(&w) else { continue };
        if !out.is_empty() {
            out.push(' ');
        }
        quote(&w, &mut out);
        for (i, (p, weight)) in ps.iter().enumerate() {
            out.push(if i == 0 { ':' } else { ',' });
            let _ = write!(out, "{p}{weight}");
        }
    }
    out
}

/// A lexeme literal. Words are letters and digits only, but quote anyway.
fn quote(w: &str, out: &mut String) {
    out.push('\'');
    for c in w.chars() {
        if c == '\'' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
}

/// The `tsquery` literal for `q`.
pub(crate) fn to_tsquery(q: &Query) -> Result<String> {
    let mut out = String::new();
    write_query(q, &mut out, 0)?;
    Ok(out)
}

fn write_query(q: &Query, out: &mut String, depth: usize) -> Result<()> {
    if depth > MAX_DEPTH {
        return Err(StoreError::InvalidQuery(format!(
            "query nested deeper than {MAX_DEPTH} levels"
        )));
    }
    match q {
        Query::Term { word, prefix } => {
            if *prefix
                && word.chars().filter(|c| c.is_alphanumeric()).count() < crate::MIN_PREFIX_CHARS
            {
                return Err(StoreError::InvalidQuery(format!(
                    "`{word}*` is too short a prefix: give at least {} letters before the *",
                    crate::MIN_PREFIX_CHARS
                )));
            }
            write_phrase(word, std::slice::from_ref(word), *prefix, out)?;
        }
        Query::Phrase { words } => {
            if words.is_empty() {
                return Err(StoreError::InvalidQuery("empty phrase".into()));
            }
            write_phrase(&words.join(" "), words, false, out)?;
        }
        Query::And { all } => {
            let mut pos = Vec::new();
            let mut neg = Vec::new();
            for child in all {
                match child {
                    Query::Not { inner } => match inner.as_ref() {
                        Query::Not { inner } => pos.push(inner.as_ref()),
                        other => neg.push(other),
                    },
                    other => pos.push(other),
                }
            }
            if pos.is_empty() {
                return Err(StoreError::InvalidQuery(NOT_HELP.into()));
            }
            out.push('(');
            write_joined(&pos, " & ", out, depth)?;
            if !neg.is_empty() {
                out.push_str(") & !(");
                write_joined(&neg, " | ", out, depth)?;
            }
            out.push(')');
        }
        Query::Or { any } => {
            if any.iter().any(|c| matches!(c, Query::Not { .. })) {
                return Err(StoreError::InvalidQuery(NOT_HELP.into()));
            }
            let refs: Vec<&Query> = any.iter().collect();
            if refs.is_empty() {
                return Err(StoreError::InvalidQuery("empty OR group".into()));
            }
            write_joined(&refs, " | ", out, depth)?;
        }
        Query::Not { inner } => match inner.as_ref() {
            Query::Not { inner } => write_query(inner, out, depth + 1)?,
            _ => return Err(StoreError::InvalidQuery(NOT_HELP.into())),
        },
    }
    Ok(())
}

fn write_joined(parts: &[&Query], op: &str, out: &mut String, depth: usize) -> Result<()> {
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(op);
        }
        out.push('(');
        write_query(p, out, depth + 1)?;
        out.push(')');
    }
    Ok(())
}

/// The index words of `parts` as consecutive lexemes (`a <-> b`); with
/// `prefix`, the last one matches any word starting with it.
fn write_phrase(shown: &str, parts: &[String], prefix: bool, out: &mut String) -> Result<()> {
    let lexemes: Vec<String> = parts.iter().flat_map(|p| index_words(p)).collect();
    if lexemes.is_empty() {
        return Err(StoreError::InvalidQuery(format!(
            "search term {shown:?} has no letters or digits"
        )));
    }
    if lexemes.iter().any(|w| w.len() > MAX_LEXEME_BYTES) {
        return Err(StoreError::InvalidQuery(format!(
            "a search word is longer than {MAX_LEXEME_BYTES} bytes"
        )));
    }
    out.push('(');
    for (i, w) in lexemes.iter().enumerate() {
        if i > 0 {
            out.push_str(" <-> ");
        }
        quote(w, out);
        if prefix && i + 1 == lexemes.len() {
            out.push_str(":*");
        }
    }
    out.push(')');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> String {
        to_tsquery(&Query::parse(s).unwrap()).unwrap()
    }

    #[test]
    fn translates_the_ast() {
        assert_eq!(q("Bomb"), "('bomb')");
        assert_eq!(q("bomb*"), "('bomb':*)");
        assert_eq!(q("\"Islamic State\""), "('islamic' <-> 'state')");
        assert_eq!(q("a-b.c"), "('a' <-> 'b' <-> 'c')");
        assert_eq!(q("a OR b"), "(('a')) | (('b'))");
        assert_eq!(
            q("a b NOT c NOT d"),
            "((('a')) & (('b'))) & !((('c')) | (('d')))"
        );
        assert_eq!(q("café"), "('cafe')");
    }

    #[test]
    fn hostile_words_are_lexemes() {
        let t = |w: &str, prefix| {
            to_tsquery(&Query::Term {
                word: w.into(),
                prefix,
            })
        };
        assert_eq!(t("a'b\\c", false).unwrap(), "('a' <-> 'b' <-> 'c')");
        assert_eq!(t("x:* & !y", false).unwrap(), "('x' <-> 'y')");
        assert!(t("&|!", false).is_err());
        assert!(t("r", true).is_err());
        assert!(to_tsquery(&Query::Or { any: vec![] }).is_err());
        let lone = Query::Not {
            inner: Box::new(Query::Term {
                word: "b".into(),
                prefix: false,
            }),
        };
        assert!(to_tsquery(&lone).unwrap_err().to_string().contains("NOT"));
    }

    #[test]
    fn tsvector_weights_positions_and_limits() {
        assert_eq!(
            to_tsvector(Some("Mosul café"), "In Mosul."),
            "'mosul':1A,5B 'cafe':2A 'in':4B"
        );
        let long = format!("{} end", "x".repeat(3000));
        assert_eq!(to_tsvector(None, &long), "'end':3B");
        let many = "w ".repeat(20_000);
        let v = to_tsvector(None, &many);
        assert_eq!(v.matches(',').count(), MAX_POSITIONS - 1);
    }
}
