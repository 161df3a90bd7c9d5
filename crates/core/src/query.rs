//! The search query language, parsed once here so every store backend sees the
//! same tree and no backend's syntax (FTS5, tsquery) leaks to users.
//!
//! Grammar (case-sensitive operators, like most search engines):
//! ```text
//! query   := or
//! or      := and ("OR" and)*
//! and     := unary (("AND")? unary)*        -- juxtaposition means AND
//! unary   := ("NOT" | "-") unary | primary
//! primary := "(" or ")" | '"' words '"' | word ["*"]
//! ```

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum Query {
    /// A single word; `prefix` for `word*`.
    Term {
        word: String,
        prefix: bool,
    },
    /// Words that must appear consecutively.
    Phrase {
        words: Vec<String>,
    },
    And {
        all: Vec<Query>,
    },
    Or {
        any: Vec<Query>,
    },
    Not {
        inner: Box<Query>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    /// Character position in the query where the problem was found.
    pub position: usize,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at character {})", self.message, self.position)
    }
}

impl std::error::Error for ParseError {}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String, bool),
    Phrase(Vec<String>),
    And,
    Or,
    Not,
    Open,
    Close,
}

/// Splits a word into the index's notion of terms: alphanumeric runs, lower-cased.
pub fn normalize_words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect()
}

fn lex(input: &str) -> Result<Vec<(Tok, usize)>, ParseError> {
    let chars: Vec<char> = input.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' {
            out.push((Tok::Open, i));
            i += 1;
        } else if c == ')' {
            out.push((Tok::Close, i));
            i += 1;
        } else if c == '"' || c == '“' || c == '”' {
            let start = i;
            i += 1;
            let mut s = String::new();
            while i < chars.len() && !matches!(chars[i], '"' | '“' | '”') {
                s.push(chars[i]);
                i += 1;
            }
            if i >= chars.len() {
                return Err(ParseError {
                    message: "unclosed quote".into(),
                    position: start,
                });
            }
            i += 1;
            let words = normalize_words(&s);
            if words.is_empty() {
                return Err(ParseError {
                    message: "empty phrase".into(),
                    position: start,
                });
            }
            out.push((Tok::Phrase(words), start));
        } else if c == '-' {
            // A dash that starts a token negates (hyphens inside words were consumed
            // by the word branch below).
            out.push((Tok::Not, i));
            i += 1;
        } else {
            let start = i;
            let mut s = String::new();
            while i < chars.len()
                && !chars[i].is_whitespace()
                && !matches!(chars[i], '(' | ')' | '"' | '“' | '”')
            {
                s.push(chars[i]);
                i += 1;
            }
            match s.as_str() {
                "AND" => out.push((Tok::And, start)),
                "OR" => out.push((Tok::Or, start)),
                "NOT" => out.push((Tok::Not, start)),
                _ => {
                    let prefix = s.ends_with('*');
                    let words = normalize_words(s.trim_end_matches('*'));
                    match words.len() {
                        0 => {} // punctuation only: ignore, as the index does
                        1 => out.push((
                            Tok::Word(words.into_iter().next().unwrap_or_default(), prefix),
                            start,
                        )),
                        // "al-Qaida" or "U.S." index as consecutive terms: a phrase.
                        _ => out.push((Tok::Phrase(words), start)),
                    }
                }
            }
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(t, _)| t)
    }
    fn here(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |(_, p)| *p)
    }
    fn or(&mut self) -> Result<Query, ParseError> {
        let mut any = vec![self.and()?];
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            any.push(self.and()?);
        }
        Ok(if any.len() == 1 {
            any.remove(0)
        } else {
            Query::Or { any }
        })
    }
    fn and(&mut self) -> Result<Query, ParseError> {
        let mut all = vec![self.unary()?];
        loop {
            match self.peek() {
                Some(Tok::And) => {
                    self.pos += 1;
                    all.push(self.unary()?);
                }
                Some(Tok::Word(..)) | Some(Tok::Phrase(_)) | Some(Tok::Not) | Some(Tok::Open) => {
                    all.push(self.unary()?)
                }
                _ => break,
            }
        }
        Ok(if all.len() == 1 {
            all.remove(0)
        } else {
            Query::And { all }
        })
    }
    fn unary(&mut self) -> Result<Query, ParseError> {
        if self.peek() == Some(&Tok::Not) {
            self.pos += 1;
            let inner = self.unary()?;
            return Ok(Query::Not {
                inner: Box::new(inner),
            });
        }
        self.primary()
    }
    fn primary(&mut self) -> Result<Query, ParseError> {
        let at = self.here();
        match self.toks.get(self.pos).map(|(t, _)| t.clone()) {
            Some(Tok::Open) => {
                self.pos += 1;
                let q = self.or()?;
                if self.peek() != Some(&Tok::Close) {
                    return Err(ParseError {
                        message: "missing closing parenthesis".into(),
                        position: at,
                    });
                }
                self.pos += 1;
                Ok(q)
            }
            Some(Tok::Word(word, prefix)) => {
                self.pos += 1;
                Ok(Query::Term { word, prefix })
            }
            Some(Tok::Phrase(words)) => {
                self.pos += 1;
                Ok(if words.len() == 1 {
                    Query::Term {
                        word: words[0].clone(),
                        prefix: false,
                    }
                } else {
                    Query::Phrase { words }
                })
            }
            Some(Tok::Close) => Err(ParseError {
                message: "unexpected ')'".into(),
                position: at,
            }),
            Some(Tok::And) | Some(Tok::Or) => Err(ParseError {
                message: "operator with nothing before it".into(),
                position: at,
            }),
            Some(Tok::Not) => Err(ParseError {
                message: "NOT with nothing after it".into(),
                position: at,
            }),
            None => Err(ParseError {
                message: "query ends where a word was expected".into(),
                position: at,
            }),
        }
    }
}

impl Query {
    /// Parses the user's query text.
    pub fn parse(input: &str) -> Result<Query, ParseError> {
        let toks = lex(input)?;
        if toks.is_empty() {
            return Err(ParseError {
                message: "empty query: give at least one word".into(),
                position: 0,
            });
        }
        let mut p = Parser {
            toks,
            pos: 0,
            end: input.chars().count(),
        };
        let q = p.or()?;
        if p.pos < p.toks.len() {
            return Err(ParseError {
                message: "unexpected text".into(),
                position: p.here(),
            });
        }
        if !q.has_positive() {
            return Err(ParseError {
                message: "a query needs at least one word that is not negated".into(),
                position: 0,
            });
        }
        Ok(q)
    }

    /// True when the query can match without relying only on exclusions.
    fn has_positive(&self) -> bool {
        match self {
            Query::Term { .. } | Query::Phrase { .. } => true,
            Query::Not { .. } => false,
            Query::And { all } => all.iter().any(Query::has_positive),
            Query::Or { any } => any.iter().all(Query::has_positive),
        }
    }

    /// All positive words, for highlighting.
    pub fn positive_words(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.collect_words(&mut out, false);
        out
    }

    fn collect_words(&self, out: &mut Vec<String>, negated: bool) {
        match self {
            Query::Term { word, .. } if !negated => out.push(word.clone()),
            Query::Phrase { words } if !negated => out.extend(words.iter().cloned()),
            Query::Term { .. } | Query::Phrase { .. } => {}
            Query::And { all } => all.iter().for_each(|q| q.collect_words(out, negated)),
            Query::Or { any } => any.iter().for_each(|q| q.collect_words(out, negated)),
            Query::Not { inner } => inner.collect_words(out, !negated),
        }
    }
}

/// Restrictions applied on top of the text query.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchFilters {
    /// Substring of the document's source (path, URL, outlet).
    pub source: Option<String>,
    /// Publication date bounds, inclusive, `YYYY-MM-DD`.
    pub from: Option<String>,
    pub to: Option<String>,
    /// Only documents mentioning an entity with this name (case-insensitive).
    pub entity: Option<String>,
    /// Only documents mentioning an entity of this type (re3d label).
    pub entity_type: Option<crate::EntityLabel>,
}

/// A full search: query, filters and the page wanted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchRequest {
    pub query: Query,
    pub filters: SearchFilters,
    pub limit: usize,
    pub offset: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(w: &str) -> Query {
        Query::Term {
            word: w.into(),
            prefix: false,
        }
    }

    #[test]
    fn juxtaposition_is_and_and_or_binds_looser() {
        let q = Query::parse("bomb Raqqa OR Mosul").unwrap();
        assert_eq!(
            q,
            Query::Or {
                any: vec![
                    Query::And {
                        all: vec![t("bomb"), t("raqqa")]
                    },
                    t("mosul")
                ]
            }
        );
    }

    #[test]
    fn phrases_negation_and_groups() {
        let q = Query::parse("\"Islamic State\" -(Mosul OR Raqqa) NOT drone*").unwrap();
        assert_eq!(
            q,
            Query::And {
                all: vec![
                    Query::Phrase {
                        words: vec!["islamic".into(), "state".into()]
                    },
                    Query::Not {
                        inner: Box::new(Query::Or {
                            any: vec![t("mosul"), t("raqqa")]
                        })
                    },
                    Query::Not {
                        inner: Box::new(Query::Term {
                            word: "drone".into(),
                            prefix: true
                        })
                    },
                ]
            }
        );
        assert_eq!(q.positive_words(), vec!["islamic", "state"]);
    }

    #[test]
    fn a_leading_dash_negates_after_words_too() {
        assert_eq!(
            Query::parse("raqqa -budget").unwrap(),
            Query::And {
                all: vec![
                    t("raqqa"),
                    Query::Not {
                        inner: Box::new(t("budget"))
                    }
                ]
            }
        );
        let q = Query::parse("x -(a OR b)").unwrap();
        assert_eq!(
            q,
            Query::And {
                all: vec![
                    t("x"),
                    Query::Not {
                        inner: Box::new(Query::Or {
                            any: vec![t("a"), t("b")]
                        })
                    }
                ]
            }
        );
    }

    #[test]
    fn hyphenated_words_become_phrases() {
        assert_eq!(
            Query::parse("al-Qaida").unwrap(),
            Query::Phrase {
                words: vec!["al".into(), "qaida".into()]
            }
        );
    }

    #[test]
    fn errors_say_where() {
        assert!(Query::parse("").is_err());
        assert!(Query::parse("   ").is_err());
        assert_eq!(
            Query::parse("(a OR b").unwrap_err().message,
            "missing closing parenthesis"
        );
        assert_eq!(Query::parse("\"abc").unwrap_err().position, 0);
        assert!(Query::parse("OR x").is_err());
        assert!(Query::parse("NOT x").is_err());
        assert!(Query::parse("a )").is_err());
    }
}
