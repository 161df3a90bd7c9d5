//! The search query AST in FTS5 syntax.
//!
//! Every word reaches FTS5 as a double-quoted string (quotes doubled inside), so
//! nothing a user types can become an FTS5 operator, column filter or NEAR group.

use crate::{Result, StoreError};
use dossier_core::Query;

const NOT_HELP: &str = "NOT (or -) must sit next to a word it excludes from, as in `isis NOT syria` or \
                        `isis -(syria OR iraq)`; a lone NOT, or NOT as an alternative of OR, cannot be searched";

/// The FTS5 MATCH expression for `q`.
pub(crate) fn to_fts(q: &Query) -> Result<String> {
    let mut out = String::new();
    write_query(q, &mut out, 0)?;
    Ok(out)
}

/// Depth limit: the parser cannot produce deeper trees from sane input, and a
/// hand-built one must not overflow the stack.
const MAX_DEPTH: usize = 64;

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
            quote(word, out)?;
            if *prefix {
                out.push('*');
            }
        }
        Query::Phrase { words } => {
            if words.is_empty() {
                return Err(StoreError::InvalidQuery("empty phrase".into()));
            }
            quote(&words.join(" "), out)?;
        }
        Query::And { all } => {
            let mut pos = Vec::new();
            let mut neg = Vec::new();
            for child in all {
                match child {
                    // NOT NOT x is x.
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
            if !neg.is_empty() {
                out.push('(');
            }
            write_joined(&pos, " AND ", out, depth)?;
            if !neg.is_empty() {
                out.push_str(") NOT (");
                write_joined(&neg, " OR ", out, depth)?;
                out.push(')');
            }
        }
        Query::Or { any } => {
            if any.iter().any(|c| matches!(c, Query::Not { .. })) {
                return Err(StoreError::InvalidQuery(NOT_HELP.into()));
            }
            let refs: Vec<&Query> = any.iter().collect();
            if refs.is_empty() {
                return Err(StoreError::InvalidQuery("empty OR group".into()));
            }
            write_joined(&refs, " OR ", out, depth)?;
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

/// An FTS5 string: inside double quotes everything is text to tokenize.
fn quote(word: &str, out: &mut String) -> Result<()> {
    if !word.chars().any(char::is_alphanumeric) {
        return Err(StoreError::InvalidQuery(format!(
            "search term {word:?} has no letters or digits"
        )));
    }
    out.push('"');
    for c in word.chars() {
        match c {
            '"' => out.push_str("\"\""),
            // NUL would end the string early inside SQLite's C code.
            '\0' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> String {
        to_fts(&Query::parse(s).unwrap()).unwrap()
    }

    #[test]
    fn translates_the_ast() {
        assert_eq!(q("bomb"), "\"bomb\"");
        assert_eq!(q("bomb*"), "\"bomb\"*");
        assert_eq!(q("\"islamic state\""), "\"islamic state\"");
        assert_eq!(q("a b"), "(\"a\") AND (\"b\")");
        assert_eq!(q("a OR b"), "(\"a\") OR (\"b\")");
        assert_eq!(
            q("a b NOT c NOT d"),
            "((\"a\") AND (\"b\")) NOT ((\"c\") OR (\"d\"))"
        );
        assert_eq!(q("x NOT (c OR d)"), "((\"x\")) NOT (((\"c\") OR (\"d\")))");
        assert_eq!(q("(a NOT b) OR c"), "(((\"a\")) NOT ((\"b\"))) OR (\"c\")");
    }

    #[test]
    fn quotes_hostile_words() {
        let t = |w: &str| {
            to_fts(&Query::Term {
                word: w.into(),
                prefix: false,
            })
            .unwrap()
        };
        assert_eq!(t("a\"b"), "\"a\"\"b\"");
        assert_eq!(t("NEAR"), "\"NEAR\"");
        assert_eq!(t("title:x*"), "\"title:x*\"");
        assert!(to_fts(&Query::Term {
            word: "*".into(),
            prefix: false
        })
        .is_err());
        assert!(to_fts(&Query::Or { any: vec![] }).is_err());
    }

    #[test]
    fn rejects_not_where_fts5_cannot_express_it() {
        let not_b = Query::Not {
            inner: Box::new(Query::Term {
                word: "b".into(),
                prefix: false,
            }),
        };
        let a = Query::Term {
            word: "a".into(),
            prefix: false,
        };
        for bad in [
            not_b.clone(),
            Query::Or {
                any: vec![a.clone(), not_b.clone()],
            },
            Query::And {
                all: vec![not_b.clone()],
            },
        ] {
            let err = to_fts(&bad).unwrap_err();
            assert!(err.to_string().contains("NOT"), "{err}");
        }
        // Double negation is harmless.
        let nn = Query::Not {
            inner: Box::new(not_b),
        };
        assert_eq!(to_fts(&nn).unwrap(), "\"b\"");
        assert_eq!(
            to_fts(&Query::And { all: vec![a, nn] }).unwrap(),
            "(\"a\") AND (\"b\")"
        );
    }
}
