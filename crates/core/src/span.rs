//! Character spans and the byte ↔ code point conversion every stage needs.

use serde::{Deserialize, Serialize};

/// A half-open range of Unicode scalar offsets into a document's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CharSpan {
    pub start: usize,
    pub end: usize,
}

impl CharSpan {
    pub fn new(start: usize, end: usize) -> Self {
        debug_assert!(start <= end);
        CharSpan { start, end }
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
    pub fn overlaps(&self, other: &CharSpan) -> bool {
        self.start < other.end && other.start < self.end
    }
    pub fn contains(&self, other: &CharSpan) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// Converts byte offsets of one text to code point offsets and back.
///
/// Built once per document. Only multi-byte characters are recorded, so ASCII
/// text costs nothing and any conversion is a binary search.
#[derive(Debug, Clone)]
pub struct OffsetMap {
    /// For each multi-byte char: (byte offset, char offset, extra bytes of all wide chars up to and including it).
    wide: Vec<(usize, usize, usize)>,
    byte_len: usize,
    char_len: usize,
}

impl OffsetMap {
    pub fn new(text: &str) -> Self {
        let mut wide = Vec::new();
        if !text.is_ascii() {
            let mut extra = 0;
            for (b, c) in text.char_indices() {
                let w = c.len_utf8();
                if w > 1 {
                    let ch = b - extra;
                    extra += w - 1;
                    wide.push((b, ch, extra));
                }
            }
        }
        let extra = wide.last().map_or(0, |&(_, _, e)| e);
        OffsetMap {
            wide,
            byte_len: text.len(),
            char_len: text.len() - extra,
        }
    }

    pub fn char_len(&self) -> usize {
        self.char_len
    }

    /// Code point offset of a byte offset (which must lie on a char boundary).
    pub fn to_char(&self, byte: usize) -> usize {
        let idx = self.wide.partition_point(|&(b, _, _)| b < byte);
        let extra = if idx == 0 { 0 } else { self.wide[idx - 1].2 };
        byte - extra
    }

    /// Byte offset of a code point offset; offsets past the end clamp to the end.
    pub fn to_byte(&self, ch: usize) -> usize {
        if ch >= self.char_len {
            return self.byte_len;
        }
        let idx = self.wide.partition_point(|&(_, c, _)| c < ch);
        let extra = if idx == 0 { 0 } else { self.wide[idx - 1].2 };
        ch + extra
    }

    pub fn span_to_chars(&self, byte_start: usize, byte_end: usize) -> CharSpan {
        CharSpan::new(self.to_char(byte_start), self.to_char(byte_end))
    }
}

/// The substring of `text` covered by a code point span (clamped to the text).
pub fn char_slice(text: &str, span: CharSpan) -> &str {
    let map = OffsetMap::new(text);
    let s = map.to_byte(span.start);
    let e = map.to_byte(span.end.max(span.start));
    &text[s..e]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_is_identity() {
        let m = OffsetMap::new("hello world");
        assert_eq!(m.to_char(5), 5);
        assert_eq!(m.to_byte(5), 5);
    }

    #[test]
    fn round_trips_on_multibyte_text() {
        let text = "Café “IS” — 東京 🚀 end";
        let m = OffsetMap::new(text);
        for (ci, (b, _)) in text.char_indices().enumerate() {
            assert_eq!(m.to_char(b), ci, "byte {b}");
            assert_eq!(m.to_byte(ci), b, "char {ci}");
        }
        assert_eq!(m.to_char(text.len()), text.chars().count());
        assert_eq!(m.char_len(), text.chars().count());
        assert_eq!(char_slice(text, CharSpan::new(5, 9)), "“IS”");
    }
}
