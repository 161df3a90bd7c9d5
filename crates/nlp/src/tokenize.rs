//! Tokenizer and sentence splitter (byte offsets into the text).

use crate::doc::Token;

/// Splits text into words and punctuation marks.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (b, c) in text.char_indices() {
        if c.is_alphanumeric() || (c == '\'' || c == '-') && start.is_some() {
            if start.is_none() {
                start = Some(b);
            }
        } else {
            if let Some(s) = start.take() {
                out.push(Token { start: s, end: b });
            }
            if !c.is_whitespace() {
                out.push(Token { start: b, end: b + c.len_utf8() });
            }
        }
    }
    if let Some(s) = start {
        out.push(Token { start: s, end: text.len() });
    }
    out
}

/// Indices of tokens that start a sentence.
pub fn sentence_starts(text: &str, tokens: &[Token]) -> Vec<usize> {
    let mut out = Vec::new();
    if tokens.is_empty() {
        return out;
    }
    out.push(0);
    for i in 1..tokens.len() {
        let prev = &text[tokens[i - 1].start..tokens[i - 1].end];
        let gap = &text[tokens[i - 1].end..tokens[i].start];
        if matches!(prev, "." | "!" | "?") || gap.contains("\n\n") {
            out.push(i);
        }
    }
    out
}
