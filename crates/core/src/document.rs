//! Documents as they leave ingest: text plus metadata, identified by content hash.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A document id: the first 128 bits of the BLAKE3 hash of the document's
/// extracted text and its parent id, in hex. Same content, same id — so
/// re-ingesting is idempotent.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DocId(pub String);

impl DocId {
    /// Content hash of `text`. Attachments also hash their parent's id so the same
    /// file attached to two e-mails is stored once per e-mail thread position.
    pub fn from_content(text: &str, parent: Option<&DocId>) -> DocId {
        let mut h = blake3::Hasher::new();
        if let Some(p) = parent {
            h.update(p.0.as_bytes());
            h.update(b"\0");
        }
        h.update(text.as_bytes());
        let hex = h.finalize().to_hex();
        DocId(hex[..32].to_string())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The container format a document's text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Text,
    Markdown,
    Html,
    Pdf,
    Docx,
    Email,
    Json,
}

impl Format {
    pub fn as_str(&self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Pdf => "pdf",
            Format::Docx => "docx",
            Format::Email => "email",
            Format::Json => "json",
        }
    }
    pub fn parse(s: &str) -> Option<Format> {
        Some(match s {
            "text" => Format::Text,
            "markdown" => Format::Markdown,
            "html" => Format::Html,
            "pdf" => Format::Pdf,
            "docx" => Format::Docx,
            "email" => Format::Email,
            "json" => Format::Json,
            _ => return None,
        })
    }
}

/// One document: its plain text and what is known about where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub id: DocId,
    /// The e-mail (or other container) this document was attached to.
    pub parent: Option<DocId>,
    /// Where it came from: a file path, `path#3` for the 3rd record of a JSONL file or
    /// mbox, `stdin`, or a URL from the record itself.
    pub source: String,
    pub format: Format,
    pub title: Option<String>,
    pub author: Option<String>,
    /// Publisher or outlet (site name, newspaper, sending domain).
    pub outlet: Option<String>,
    pub url: Option<String>,
    /// Publication date, ISO 8601 (`YYYY-MM-DD`, optionally with a time).
    pub published: Option<String>,
    /// ISO 639-3 language code, when detected with confidence.
    pub language: Option<String>,
    pub text: String,
    /// Format-specific metadata: e-mail headers, JSON record fields, HTML meta tags.
    pub metadata: BTreeMap<String, String>,
}

impl Document {
    /// A document with the given text and everything else empty; `id` is the content hash.
    pub fn new(source: impl Into<String>, format: Format, text: impl Into<String>) -> Document {
        let text = text.into();
        Document {
            id: DocId::from_content(&text, None),
            parent: None,
            source: source.into(),
            format,
            title: None,
            author: None,
            outlet: None,
            url: None,
            published: None,
            language: None,
            text,
            metadata: BTreeMap::new(),
        }
    }

    /// Recomputes the content id after text or parent changed.
    pub fn rehash(&mut self) {
        self.id = DocId::from_content(&self.text, self.parent.as_ref());
    }

    /// Publication date as `YYYY-MM-DD`, if known.
    pub fn published_date(&self) -> Option<&str> {
        self.published.as_deref().and_then(|p| p.get(..10))
    }
}
