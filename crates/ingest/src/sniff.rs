//! Format from content, for stdin and files of unknown extension.

use crate::Kind;

const HEADER_NAMES: &[&str] = &[
    "from",
    "to",
    "cc",
    "subject",
    "date",
    "message-id",
    "received",
    "return-path",
    "mime-version",
    "content-type",
    "delivered-to",
    "reply-to",
    "sender",
    "x-mailer",
];

pub(crate) fn sniff(bytes: &[u8]) -> Kind {
    let head = &bytes[..bytes.len().min(4096)];
    let head_str = String::from_utf8_lossy(head);
    let trimmed = head_str.trim_start_matches('\u{feff}').trim_start();
    if bytes.starts_with(b"%PDF-") || head.windows(5).take(1024).any(|w| w == b"%PDF-") {
        return Kind::Pdf;
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Kind::Docx; // the docx parser says so if it is another zip
    }
    if trimmed.starts_with("From ")
        && looks_like_email(trimmed.split_once('\n').map_or("", |x| x.1))
    {
        return Kind::Mbox;
    }
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return Kind::Json;
    }
    let lower = trimmed
        .get(..trimmed.len().min(1024))
        .unwrap_or("")
        .to_ascii_lowercase();
    if lower.starts_with("<!doctype html")
        || lower.starts_with("<html")
        || lower.starts_with("<?xml") && lower.contains("<html")
        || lower.contains("<body")
        || lower.contains("<head")
    {
        return Kind::Html;
    }
    if looks_like_email(trimmed) {
        return Kind::Email;
    }
    Kind::Text
}

/// RFC 822 shape: leading `Name: value` lines (with folded continuations), at
/// least two of them known mail headers, then a blank line or the end.
fn looks_like_email(s: &str) -> bool {
    let mut known = 0;
    for line in s.lines().take(60) {
        if line.trim().is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let Some((name, _)) = line.split_once(':') else {
            return false;
        };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return false;
        }
        if HEADER_NAMES.contains(&name.to_ascii_lowercase().as_str()) {
            known += 1;
        }
    }
    known >= 2
}
