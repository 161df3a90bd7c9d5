//! Search snippets with highlights, computed the same way for every backend.
//!
//! Words are runs of letters, digits and combining marks, matched after case
//! folding and removal of diacritics (as the SQLite index tokenizes), so the
//! highlights point at exactly the words that made the document match.

use dossier_core::{CharSpan, Query};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// What to highlight: single words (optionally prefixes) and phrases.
#[derive(Debug, Clone, Default)]
pub struct Highlighter {
    words: Vec<(String, bool)>,
    phrases: Vec<Vec<String>>,
}

/// The folded form of a word: lower case, without diacritics.
pub fn fold(word: &str) -> String {
    if word.is_ascii() {
        return word.to_ascii_lowercase();
    }
    word.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

/// Byte ranges of the words of `text`.
pub(crate) fn words(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (is_word_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

impl Highlighter {
    /// The positive (not negated) words and phrases of `query`.
    pub fn new(query: &Query) -> Highlighter {
        let mut h = Highlighter::default();
        h.collect(query, false);
        h
    }

    fn collect(&mut self, q: &Query, negated: bool) {
        match q {
            Query::Term { word, prefix } if !negated => {
                // A term may hold several index words ("a.b"): a phrase.
                let parts: Vec<String> = words(word)
                    .into_iter()
                    .map(|(s, e)| fold(&word[s..e]))
                    .collect();
                match parts.len() {
                    0 => {}
                    1 => self.words.extend(parts.into_iter().map(|p| (p, *prefix))),
                    _ => self.phrases.push(parts),
                }
            }
            Query::Phrase { words: ws } if !negated => {
                let parts: Vec<String> = ws
                    .iter()
                    .flat_map(|w| words(w).into_iter().map(move |(s, e)| fold(&w[s..e])))
                    .collect();
                if !parts.is_empty() {
                    self.phrases.push(parts);
                }
            }
            Query::Term { .. } | Query::Phrase { .. } => {}
            Query::And { all } => all.iter().for_each(|c| self.collect(c, negated)),
            Query::Or { any } => any.iter().for_each(|c| self.collect(c, negated)),
            Query::Not { inner } => self.collect(inner, !negated),
        }
    }

    /// About `max_words` words of `text` around its best match, whitespace
    /// collapsed, `…` where text was cut, and the code point ranges of the
    /// matched words (phrases as one range) within the snippet.
    pub fn snippet(&self, text: &str, max_words: usize) -> (String, Vec<CharSpan>) {
        let toks = words(text);
        // Matches as token index ranges, and which query item each one is.
        let mut matches: Vec<(usize, usize, usize)> = Vec::new();
        let mut folded: Vec<Option<String>> = vec![
            None;
            if self.phrases.is_empty() {
                0
            } else {
                toks.len()
            }
        ];
        for (i, &(s, e)) in toks.iter().enumerate() {
            let tok = &text[s..e];
            // ASCII words (nearly all) compare without allocating.
            let owned;
            let f: &str = if tok.is_ascii() {
                tok
            } else {
                owned = fold(tok);
                &owned
            };
            let same = |w: &str| {
                if tok.is_ascii() {
                    f.eq_ignore_ascii_case(w)
                } else {
                    f == w
                }
            };
            let starts = |w: &str| {
                f.len() >= w.len()
                    && if tok.is_ascii() {
                        f.as_bytes()[..w.len()].eq_ignore_ascii_case(w.as_bytes())
                    } else {
                        f.starts_with(w)
                    }
            };
            for (k, (w, prefix)) in self.words.iter().enumerate() {
                if same(w) || (*prefix && starts(w)) {
                    matches.push((i, i + 1, k));
                    break;
                }
            }
            if let Some(slot) = folded.get_mut(i) {
                *slot = Some(if tok.is_ascii() {
                    tok.to_ascii_lowercase()
                } else {
                    f.to_string()
                });
            }
        }
        for (k, p) in self.phrases.iter().enumerate() {
            for i in 0..folded.len() {
                let hit = folded.get(i..i + p.len()).is_some_and(|win| {
                    win.iter()
                        .zip(p)
                        .all(|(a, b)| a.as_deref() == Some(b.as_str()))
                });
                if hit {
                    matches.push((i, i + p.len(), self.words.len() + k));
                }
            }
        }
        matches.sort_unstable();

        // The window with the most distinct query items, then the most matches,
        // starting a few words before a match.
        let n = max_words.max(1);
        let lead = (n / 6).min(5);
        let mut best = (0usize, 0usize, 0usize); // (distinct, count, start)
        for &(first, _, _) in &matches {
            let start = first.saturating_sub(lead);
            let end = start + n;
            let inside = matches.iter().filter(|m| m.0 >= start && m.1 <= end);
            let mut items: Vec<usize> = inside.clone().map(|m| m.2).collect();
            items.sort_unstable();
            items.dedup();
            let score = (items.len(), inside.count());
            if (score.0, score.1) > (best.0, best.1) {
                best = (score.0, score.1, start);
            }
        }
        let start_tok = if toks.len() <= n {
            0
        } else {
            best.2.min(toks.len() - n)
        };
        let end_tok = (start_tok + n).min(toks.len());
        let byte_start = if start_tok == 0 {
            0
        } else {
            toks.get(start_tok).map_or(0, |t| t.0)
        };
        let byte_end = if end_tok >= toks.len() {
            text.len()
        } else {
            toks.get(end_tok - 1).map_or(text.len(), |t| t.1)
        };

        // Marked byte ranges inside the window.
        let mut marks: Vec<(usize, usize)> = matches
            .iter()
            .filter(|m| m.0 >= start_tok && m.1 <= end_tok)
            .filter_map(|m| Some((toks.get(m.0)?.0, toks.get(m.1 - 1)?.1)))
            .collect();
        marks.sort_unstable();
        // Overlapping matches (a word inside a phrase) merge into one range.
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for m in marks {
            match merged.last_mut() {
                Some(last) if m.0 < last.1 => last.1 = last.1.max(m.1),
                _ => merged.push(m),
            }
        }

        let mut out = String::new();
        let mut spans = Vec::new();
        let mut n_out = 0usize;
        if start_tok > 0 {
            out.push('…');
            n_out += 1;
        }
        let mut pending_space = false;
        let mut mark_iter = merged.iter().peekable();
        let mut open: Option<usize> = None;
        let body = text.get(byte_start..byte_end).unwrap_or("");
        for (i, c) in body.char_indices() {
            let at = byte_start + i;
            if let Some(&&(ms, _)) = mark_iter.peek() {
                if at == ms {
                    if pending_space {
                        out.push(' ');
                        n_out += 1;
                        pending_space = false;
                    }
                    open = Some(n_out);
                }
            }
            if c.is_whitespace() {
                if n_out > 0 && !(start_tok > 0 && n_out == 1) {
                    pending_space = true;
                }
            } else {
                if pending_space {
                    out.push(' ');
                    n_out += 1;
                    pending_space = false;
                }
                out.push(c);
                n_out += 1;
            }
            if let Some(&&(_, me)) = mark_iter.peek() {
                if at + c.len_utf8() == me {
                    if let Some(s) = open.take() {
                        spans.push(CharSpan::new(s, n_out));
                    }
                    mark_iter.next();
                }
            }
        }
        if end_tok < toks.len() {
            out.push('…');
        }
        (out, spans)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(snippet: &str, spans: &[CharSpan]) -> Vec<String> {
        spans
            .iter()
            .map(|s| snippet.chars().skip(s.start).take(s.len()).collect())
            .collect()
    }

    #[test]
    fn highlights_non_ascii_text_in_code_points() {
        let h = Highlighter::new(&Query::parse("daesh raqqa").unwrap());
        let (s, spans) = h.snippet("Raqqa —  “Daesh” fighters\n left; Daesh fled.", 30);
        assert_eq!(s, "Raqqa — “Daesh” fighters left; Daesh fled.");
        assert_eq!(marked(&s, &spans), vec!["Raqqa", "Daesh", "Daesh"]);
    }

    #[test]
    fn folds_case_and_diacritics_and_prefixes() {
        let h = Highlighter::new(&Query::parse("CAFE bomb*").unwrap());
        let (s, spans) = h.snippet("The Café was bombed; a bomber and a cafe\u{301}.", 30);
        assert_eq!(
            marked(&s, &spans),
            vec!["Café", "bombed", "bomber", "cafe\u{301}"]
        );
    }

    #[test]
    fn phrases_highlight_as_one_range_and_negations_not_at_all() {
        let h = Highlighter::new(&Query::parse("\"islamic state\" NOT raqqa").unwrap());
        let (s, spans) = h.snippet("The Islamic  State took Raqqa; the state is islamic.", 30);
        assert_eq!(s, "The Islamic State took Raqqa; the state is islamic.");
        assert_eq!(marked(&s, &spans), vec!["Islamic State"]);
    }

    #[test]
    fn long_texts_are_cut_around_the_best_window() {
        let filler = "lorem ipsum dolor sit amet ".repeat(20);
        let text = format!("{filler}the Kalashnikov and the drone {filler}");
        let h = Highlighter::new(&Query::parse("kalashnikov OR drone").unwrap());
        let (s, spans) = h.snippet(&text, 10);
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert_eq!(s.split_whitespace().count(), 10);
        assert_eq!(marked(&s, &spans), vec!["Kalashnikov", "drone"]);
        // No match in the text (title-only hit): the start of the text.
        let (s, spans) = Highlighter::new(&Query::parse("zebra").unwrap()).snippet(&text, 5);
        assert_eq!(s, "lorem ipsum dolor sit amet…");
        assert!(spans.is_empty());
        assert_eq!(
            Highlighter::new(&Query::parse("zebra").unwrap()).snippet("", 5),
            (String::new(), vec![])
        );
    }
}
