//! The analysed document: text, tokens and sentences with byte offsets.

use crate::tokenize;

/// A token: a byte range of the document text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
}

/// Text plus its tokens and sentences (as byte ranges of the text).
#[derive(Debug, Clone)]
pub struct Doc<'t> {
    pub text: &'t str,
    pub tokens: Vec<Token>,
    /// Sentence byte ranges, in order, covering every token.
    pub sentences: Vec<(usize, usize)>,
    /// Index of the first token of each sentence.
    sentence_starts: Vec<usize>,
}

impl<'t> Doc<'t> {
    pub fn new(text: &'t str) -> Doc<'t> {
        let tokens = tokenize::tokenize(text);
        let sentence_starts = tokenize::sentence_starts(text, &tokens);
        let mut sentences = Vec::with_capacity(sentence_starts.len());
        for (k, &s) in sentence_starts.iter().enumerate() {
            let e = sentence_starts.get(k + 1).copied().unwrap_or(tokens.len());
            if e > s {
                sentences.push((tokens[s].start, tokens[e - 1].end));
            }
        }
        Doc {
            text,
            tokens,
            sentences,
            sentence_starts,
        }
    }

    pub fn token_text(&self, i: usize) -> &'t str {
        &self.text[self.tokens[i].start..self.tokens[i].end]
    }

    /// True when token `i` is the first of its sentence.
    pub fn starts_sentence(&self, i: usize) -> bool {
        self.sentence_starts.binary_search(&i).is_ok()
    }
}
