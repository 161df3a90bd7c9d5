//! Plain text and Markdown.

use crate::{finish, tidy_text, Ctx, Parsed};
use dossier_core::{Document, Format};

/// Bytes scanned for binary signs (control characters).
const SNIFF_BYTES: usize = 64 * 1024;

/// Why bytes are not text, or the decoded text and how many invalid sequences
/// were replaced.
pub(crate) fn decode_text(bytes: &[u8]) -> Result<(String, usize), String> {
    // UTF-16 with a BOM is text even though it is full of NULs.
    if let Some(s) = decode_utf16_bom(bytes) {
        // A BOM is two bytes any binary can start with: the decoded text must
        // look like text too.
        let sample: Vec<char> = s.chars().take(SNIFF_BYTES).collect();
        let odd = sample
            .iter()
            .filter(|&&c| {
                c == char::REPLACEMENT_CHARACTER || (c.is_control() && !c.is_whitespace())
            })
            .count();
        if odd * 100 > sample.len() * 5 {
            return Err("binary file".into());
        }
        return check_nonempty(s).map(|s| (s, 0));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if looks_binary(bytes) {
        return Err("binary file".into());
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => check_nonempty(s.to_string()).map(|s| (s, 0)),
        Err(_) => {
            let mut invalid = 0usize;
            for chunk in bytes.utf8_chunks() {
                invalid += chunk.invalid().len();
            }
            // A few stray bytes in otherwise valid UTF-8 are repaired; a legacy
            // 8-bit encoding or binary data is refused rather than garbled.
            if invalid * 100 > bytes.len() {
                return Err("not UTF-8 text (binary?)".into());
            }
            let s = String::from_utf8_lossy(bytes).into_owned();
            check_nonempty(s).map(|s| (s, invalid))
        }
    }
}

fn check_nonempty(s: String) -> Result<String, String> {
    if s.trim().is_empty() {
        Err("empty file (no text)".into())
    } else {
        Ok(s)
    }
}

fn decode_utf16_bom(bytes: &[u8]) -> Option<String> {
    let (le, rest) = if let Some(r) = bytes.strip_prefix(b"\xFF\xFE") {
        (true, r)
    } else if let Some(r) = bytes.strip_prefix(b"\xFE\xFF") {
        (false, r)
    } else {
        return None;
    };
    let units = rest.chunks_exact(2).map(|c| {
        let pair = [
            c.first().copied().unwrap_or(0),
            c.get(1).copied().unwrap_or(0),
        ];
        if le {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    });
    Some(
        char::decode_utf16(units)
            .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect(),
    )
}

/// NUL bytes anywhere, or many control characters in the first 64 KiB.
pub(crate) fn looks_binary(bytes: &[u8]) -> bool {
    if bytes.contains(&0) {
        return true;
    }
    let sample = &bytes[..bytes.len().min(SNIFF_BYTES)];
    if sample.is_empty() {
        return false;
    }
    let controls = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b))
        .count();
    controls * 100 > sample.len() * 5
}

pub(crate) fn parse_text(name: &str, bytes: &[u8], format: Format, ctx: &Ctx) -> Parsed {
    let (raw, invalid) = match decode_text(bytes) {
        Ok(t) => t,
        Err(cause) => return Parsed::error(name, cause),
    };
    let (text, title) = match format {
        Format::Markdown => markdown_to_text(&raw),
        _ => (raw, None),
    };
    if text.trim().is_empty() {
        return Parsed::error(name, "empty file (no text)");
    }
    let mut doc = Document::new(name, format, text);
    doc.title = title;
    if invalid > 0 {
        doc.metadata
            .insert("invalid_utf8_bytes".into(), invalid.to_string());
    }
    Parsed::one(finish(doc, ctx.limits()))
}

/// Markdown → plain text keeping the words; the first heading is the title.
/// Line-based and linear: no parser state can blow up on hostile input.
pub(crate) fn markdown_to_text(md: &str) -> (String, Option<String>) {
    let mut out = String::with_capacity(md.len());
    let mut title: Option<String> = None;
    let mut prev_line: Option<String> = None;
    let mut in_fence = false;
    for line in md.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        // Setext heading underline: the previous line was the heading.
        if !trimmed.is_empty() && (trimmed.chars().all(|c| c == '=') || is_rule(trimmed, '-')) {
            if let Some(prev) = prev_line.take() {
                if title.is_none() && trimmed.starts_with('=') {
                    title = Some(prev);
                }
            }
            continue;
        }
        if is_rule(trimmed, '*') || is_rule(trimmed, '_') {
            continue;
        }
        // Reference-style link definitions carry no prose.
        if trimmed.starts_with('[') && trimmed.contains("]:") {
            continue;
        }
        let mut body = trimmed;
        let mut heading = false;
        if body.starts_with('#') {
            let hashes = body.chars().take_while(|&c| c == '#').count();
            if hashes <= 6 {
                body = body[hashes..].trim().trim_end_matches('#').trim();
                heading = true;
            }
        }
        while let Some(rest) = body.strip_prefix('>') {
            body = rest.trim_start();
        }
        body = strip_list_marker(body);
        let inline = strip_inline(body);
        let inline = if inline.contains('|') {
            inline.replace('|', " ")
        } else {
            inline
        };
        let inline = inline.trim().to_string();
        if heading && title.is_none() && !inline.is_empty() {
            title = Some(inline.clone());
        }
        if !inline.is_empty() && inline.chars().all(|c| c == '-' || c == ':' || c == ' ') {
            continue; // table separator row
        }
        out.push_str(&inline);
        out.push('\n');
        prev_line = if inline.is_empty() {
            None
        } else {
            Some(inline)
        };
    }
    (tidy_text(&out), title)
}

fn is_rule(s: &str, c: char) -> bool {
    let n = s.chars().filter(|&x| x == c).count();
    n >= 3 && s.chars().all(|x| x == c || x == ' ')
}

fn strip_list_marker(s: &str) -> &str {
    for m in ["- [ ] ", "- [x] ", "* [ ] ", "* [x] ", "- ", "* ", "+ "] {
        if let Some(r) = s.strip_prefix(m) {
            return r;
        }
    }
    let digits = s.bytes().take_while(|b| b.is_ascii_digit()).count();
    if digits > 0 && digits < 10 {
        let rest = &s[digits..];
        if let Some(r) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
            return r;
        }
    }
    s
}

/// Removes emphasis, code ticks, images and links (keeping their text) and
/// inline HTML tags. Works on bytes (every marker is ASCII) and finds closing
/// brackets with forward-only caches, so a 50 MB line stays linear.
fn strip_inline(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut paren = NextByte::new(b')');
    let mut bracket = NextByte::new(b']');
    let mut angle = NextByte::new(b'>');
    let mut i = 0;
    let mut copied_to = 0; // bytes [copied_to, i) are pending plain text
    while i < b.len() {
        let c = b[i];
        let skip_to = match c {
            b'*' | b'`' | b'~' => Some(i + 1),
            b'_' => {
                let prev = i
                    .checked_sub(1)
                    .and_then(|k| b.get(k))
                    .is_some_and(|p| p.is_ascii_alphanumeric());
                let next = b.get(i + 1).is_some_and(|n| n.is_ascii_alphanumeric());
                // Keep intra-word underscores (snake_case).
                if prev && next {
                    None
                } else {
                    Some(i + 1)
                }
            }
            b'!' if b.get(i + 1) == Some(&b'[') => Some(i + 1),
            b'[' => Some(i + 1),
            b']' => match b.get(i + 1) {
                // [text](url) → text; [text][ref] → text.
                Some(b'(') => Some(
                    paren
                        .find(b, i + 2)
                        .filter(|&p| p - i < 2000)
                        .map_or(i + 1, |p| p + 1),
                ),
                Some(b'[') => Some(
                    bracket
                        .find(b, i + 2)
                        .filter(|&p| p - i < 200)
                        .map_or(i + 1, |p| p + 1),
                ),
                _ => Some(i + 1),
            },
            b'<' => match angle.find(b, i + 1).filter(|&p| p - i < 200) {
                Some(close) => {
                    // Keep autolinks <http://...> and <a@b>, drop inline tags.
                    let inner = s.get(i + 1..close).unwrap_or("");
                    out.push_str(s.get(copied_to..i).unwrap_or(""));
                    if inner.starts_with("http") || inner.contains('@') {
                        out.push_str(inner);
                    }
                    copied_to = close + 1;
                    i = close + 1;
                    continue;
                }
                None => None,
            },
            _ => None,
        };
        match skip_to {
            Some(j) => {
                out.push_str(s.get(copied_to..i).unwrap_or(""));
                copied_to = j;
                i = j;
            }
            None => i += 1,
        }
    }
    out.push_str(s.get(copied_to..).unwrap_or(""));
    out
}

/// Position of the next `byte` at or after a position; the answer is cached so
/// repeated searches over one line cost O(line) in total.
struct NextByte {
    byte: u8,
    cached: Option<(usize, Option<usize>)>, // (searched from, found at)
}

impl NextByte {
    fn new(byte: u8) -> Self {
        NextByte { byte, cached: None }
    }
    fn find(&mut self, b: &[u8], from: usize) -> Option<usize> {
        if let Some((start, found)) = self.cached {
            if from >= start && found.is_none_or(|f| f >= from) {
                return found;
            }
        }
        let found = b
            .get(from..)
            .and_then(|t| t.iter().position(|&x| x == self.byte))
            .map(|p| p + from);
        self.cached = Some((from, found));
        found
    }
}

#[cfg(test)]
mod tests {
    use super::decode_text;

    #[test]
    fn utf16_with_bom_is_text_unless_it_decodes_to_junk() {
        let mut le = vec![0xFF, 0xFE];
        for u in "Hello, world".encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode_text(&le).map(|t| t.0).as_deref(), Ok("Hello, world"));
        let mut junk = vec![0xFF, 0xFE];
        junk.extend((0..2000u32).flat_map(|i| [(i % 7) as u8, 0]));
        assert_eq!(decode_text(&junk), Err("binary file".to_string()));
    }
}
