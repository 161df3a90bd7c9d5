//! Ingest: bytes from files, folders or stdin → [`Document`]s.
//!
//! Documents are hostile input. Every parser here bounds what it reads and
//! allocates ([`Limits`]), returns an [`IngestError`] naming the file and the
//! cause instead of panicking, and never aborts the batch: a container (JSONL,
//! mbox, an e-mail with attachments) yields the records it could read plus one
//! error per record it could not.

mod dates;
mod discover;
mod docx;
mod email;
mod html;
mod json;
mod lang;
mod minhash;
mod pdf;
mod sniff;
mod text;

use dossier_core::{DocId, Document, Format};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use dates::normalize_date;
pub use html::html_to_text;
pub use minhash::{jaccard_estimate, minhash, MINHASH_SIZE};
pub use pdf::{pdf_text_child_main, PDF_CHILD_SUBCOMMAND};

/// Resource bounds applied to every file.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Files larger than this are refused before reading.
    pub max_file_bytes: u64,
    /// Extracted text is cut at this many bytes (on a char boundary), with a warning.
    pub max_text_bytes: usize,
    /// Total uncompressed size allowed inside a zip (docx) — zip-bomb guard.
    pub max_uncompressed_bytes: u64,
    /// Maximum nesting of attachments inside attachments.
    pub max_attachment_depth: usize,
    /// Maximum element nesting in HTML/XML before the rest is treated as text.
    pub max_markup_depth: usize,
    /// Wall-clock limit for one PDF's text extraction.
    pub pdf_timeout: Duration,
    /// Address-space limit for the PDF extraction child process.
    pub pdf_memory_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 256 << 20,
            max_text_bytes: 64 << 20,
            max_uncompressed_bytes: 256 << 20,
            max_attachment_depth: 4,
            max_markup_depth: 512,
            pdf_timeout: Duration::from_secs(30),
            pdf_memory_bytes: 1 << 30,
        }
    }
}

/// How PDF text is extracted. pdf-extract panics (and can abort) on malformed
/// input, so the binary runs it in a child process: itself, with a hidden
/// sub-command, under time and memory limits.
#[derive(Debug, Clone, Default)]
pub enum PdfMode {
    /// Run `program args... FILE` and read the text from its stdout. When the
    /// PDF did not come from a file (stdin, an e-mail attachment) FILE is `-`
    /// and the PDF bytes are written to the child's stdin.
    Subprocess { program: PathBuf, args: Vec<String> },
    /// In this process behind `catch_unwind` (tests and fuzzing only: an abort
    /// inside pdf-extract would take the process down, and there is no timeout).
    #[default]
    InProcess,
}

impl PdfMode {
    /// The mode the `dossier` binary uses: itself, with the hidden
    /// [`PDF_CHILD_SUBCOMMAND`], whose handler calls [`pdf_text_child_main`].
    pub fn current_exe() -> std::io::Result<PdfMode> {
        Ok(PdfMode::Subprocess {
            program: std::env::current_exe()?,
            args: vec![PDF_CHILD_SUBCOMMAND.to_string()],
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct IngestConfig {
    pub limits: Limits,
    pub pdf: PdfMode,
}

/// Why a file (or one record inside it) could not be ingested.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}: {cause}")]
pub struct IngestError {
    /// The file, or `file#N` for the N-th record of a container.
    pub source_name: String,
    pub cause: String,
}

impl IngestError {
    pub fn new(source_name: impl Into<String>, cause: impl Into<String>) -> Self {
        IngestError {
            source_name: source_name.into(),
            cause: cause.into(),
        }
    }
}

/// What one input yielded: the documents it holds and the errors met on the way.
#[derive(Debug, Default)]
pub struct Parsed {
    pub documents: Vec<Document>,
    pub errors: Vec<IngestError>,
}

impl Parsed {
    fn error(source_name: impl Into<String>, cause: impl Into<String>) -> Parsed {
        Parsed {
            documents: Vec::new(),
            errors: vec![IngestError::new(source_name, cause)],
        }
    }
    fn one(doc: Document) -> Parsed {
        Parsed {
            documents: vec![doc],
            errors: Vec::new(),
        }
    }
    fn extend(&mut self, other: Parsed) {
        self.documents.extend(other.documents);
        self.errors.extend(other.errors);
    }
}

/// Expands files and folders (recursively, in a stable order) into the files to ingest.
/// Unreadable entries become errors; hidden files and folders are skipped.
pub fn discover(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<IngestError>) {
    discover::discover(paths)
}

/// The file extensions ingested when walking a folder (explicitly named files of
/// any extension are sniffed).
pub const KNOWN_EXTENSIONS: &[&str] = &[
    "txt", "text", "md", "markdown", "html", "htm", "xhtml", "pdf", "docx", "eml", "mbox", "json",
    "jsonl", "ndjson",
];

/// Reads and parses one file into documents.
pub fn parse_file(path: &Path, cfg: &IngestConfig) -> Parsed {
    let name = path.display().to_string();
    let bytes = match read_bounded(path, cfg.limits.max_file_bytes) {
        Ok(b) => b,
        Err(cause) => return Parsed::error(name, cause),
    };
    let ctx = Ctx {
        cfg,
        depth: 0,
        origin: Some(path),
    };
    parse_with(&name, &bytes, extension_of(&name).as_deref(), &ctx)
}

/// Parses bytes that came from `name` (a file name or `stdin`); the format is
/// chosen from the extension, then from the content.
pub fn parse_bytes(name: &str, bytes: &[u8], cfg: &IngestConfig) -> Parsed {
    if bytes.len() as u64 > cfg.limits.max_file_bytes {
        return Parsed::error(
            name,
            too_large(bytes.len() as u64, cfg.limits.max_file_bytes),
        );
    }
    let ctx = Ctx {
        cfg,
        depth: 0,
        origin: None,
    };
    parse_with(name, bytes, extension_of(name).as_deref(), &ctx)
}

/// Parsing context threaded through containers.
#[derive(Clone, Copy)]
pub(crate) struct Ctx<'a> {
    pub cfg: &'a IngestConfig,
    /// Attachment nesting depth (0 for a file).
    pub depth: usize,
    /// The file on disk holding exactly these bytes, if any (lets the PDF child read it).
    pub origin: Option<&'a Path>,
}

impl Ctx<'_> {
    pub fn limits(&self) -> &Limits {
        &self.cfg.limits
    }
}

/// The format implied by an extension, if it is one we know.
fn format_for_extension(ext: &str) -> Option<Kind> {
    Some(match ext {
        "txt" | "text" => Kind::Text,
        "md" | "markdown" => Kind::Markdown,
        "html" | "htm" | "xhtml" => Kind::Html,
        "pdf" => Kind::Pdf,
        "docx" => Kind::Docx,
        "eml" => Kind::Email,
        "mbox" => Kind::Mbox,
        "json" | "jsonl" | "ndjson" => Kind::Json,
        _ => return None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Markdown,
    Html,
    Pdf,
    Docx,
    Email,
    Mbox,
    Json,
}

pub(crate) fn extension_of(name: &str) -> Option<String> {
    // `file#3` style names (records, attachments) keep the real name before '#'.
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let (_, ext) = base.rsplit_once('.')?;
    if ext.is_empty() || ext.len() > 10 {
        return None;
    }
    Some(ext.to_ascii_lowercase())
}

/// Parses with the format from `ext` when known, else sniffed from content.
pub(crate) fn parse_with(name: &str, bytes: &[u8], ext: Option<&str>, ctx: &Ctx) -> Parsed {
    let kind = ext
        .and_then(format_for_extension)
        .unwrap_or_else(|| sniff::sniff(bytes));
    let mut parsed = match kind {
        Kind::Text => text::parse_text(name, bytes, Format::Text, ctx),
        Kind::Markdown => text::parse_text(name, bytes, Format::Markdown, ctx),
        Kind::Html => html::parse_html(name, bytes, ctx),
        Kind::Pdf => pdf::parse_pdf(name, bytes, ctx),
        Kind::Docx => docx::parse_docx(name, bytes, ctx),
        Kind::Email => email::parse_eml(name, bytes, ctx),
        Kind::Mbox => email::parse_mbox(name, bytes, ctx),
        Kind::Json => json::parse_json(name, bytes, ctx),
    };
    for doc in &mut parsed.documents {
        if doc.language.is_none() {
            doc.language = lang::detect(&doc.text);
        }
    }
    parsed
}

/// Sets common fields, truncates to the text limit and computes the content id.
pub(crate) fn finish(mut doc: Document, limits: &Limits) -> Document {
    if doc.text.len() > limits.max_text_bytes {
        let cut = floor_char_boundary(&doc.text, limits.max_text_bytes);
        doc.text.truncate(cut);
        doc.metadata.insert("truncated".into(), "true".into());
    }
    if doc.language.is_none() {
        doc.language = lang::detect(&doc.text);
    }
    doc.rehash();
    doc
}

/// Re-parents documents parsed from an attachment: top-level ones hang under
/// `parent`, nested ones follow their (re-hashed) parents. Parents come first
/// in `docs`, so one pass suffices.
pub(crate) fn reparent(docs: &mut [Document], parent: &DocId) {
    let mut renamed: Vec<(DocId, DocId)> = Vec::new();
    for doc in docs.iter_mut() {
        let old = doc.id.clone();
        doc.parent = match doc.parent.take() {
            None => Some(parent.clone()),
            Some(p) => Some(
                renamed
                    .iter()
                    .find(|(o, _)| *o == p)
                    .map(|(_, n)| n.clone())
                    .unwrap_or(p),
            ),
        };
        doc.rehash();
        renamed.push((old, doc.id.clone()));
    }
}

pub(crate) fn floor_char_boundary(s: &str, max: usize) -> usize {
    if max >= s.len() {
        return s.len();
    }
    let mut i = max;
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Keeps at most `max` bytes of `s` (on a char boundary); true if it cut.
pub(crate) fn truncate_string(s: &mut String, max: usize) -> bool {
    if s.len() <= max {
        return false;
    }
    let cut = floor_char_boundary(s, max);
    s.truncate(cut);
    true
}

pub(crate) fn too_large(len: u64, limit: u64) -> String {
    format!("file too large ({len} bytes; limit {limit})")
}

/// A short human cause for an I/O error, without the OS error number.
pub(crate) fn io_cause(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "no such file or directory".into(),
        K::PermissionDenied => "permission denied".into(),
        K::IsADirectory => "is a directory".into(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_lowercase(),
                None => s,
            }
        }
    }
}

fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, String> {
    let meta = std::fs::metadata(path).map_err(|e| io_cause(&e))?;
    if meta.is_dir() {
        return Err("is a directory".into());
    }
    // Opening a FIFO blocks until someone writes to it, and a device can be
    // endless: only regular files are read (stdin has its own path).
    if !meta.is_file() {
        return Err("not a regular file (device, FIFO or socket)".into());
    }
    if meta.len() > limit {
        return Err(too_large(meta.len(), limit));
    }
    let file = std::fs::File::open(path).map_err(|e| io_cause(&e))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // take(): the file may grow between stat and read.
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_cause(&e))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64, limit));
    }
    Ok(bytes)
}

/// Collapses runs of blank lines and trailing spaces; keeps paragraph breaks.
pub(crate) fn tidy_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank_run = 0usize;
    for line in s.lines() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            blank_run += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank_run > 0 { "\n\n" } else { "\n" });
        }
        blank_run = 0;
        out.push_str(line);
    }
    out
}
