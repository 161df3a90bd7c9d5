//! Ingest: bytes from files, folders or stdin → [`Document`]s.
//!
//! Documents are hostile input. Every parser here bounds what it reads and
//! allocates ([`Limits`]), returns an [`IngestError`] naming the file and the
//! cause instead of panicking, and never aborts the batch: a container (JSONL,
//! mbox, an e-mail with attachments) yields the records it could read plus one
//! error per record it could not.

use dossier_core::Document;
use std::path::{Path, PathBuf};
use std::time::Duration;

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
    /// Run `program args... FILE` and read the text from its stdout.
    Subprocess { program: PathBuf, args: Vec<String> },
    /// In this process behind `catch_unwind` (tests and fuzzing only: an abort
    /// inside pdf-extract would take the process down).
    #[default]
    InProcess,
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
        IngestError { source_name: source_name.into(), cause: cause.into() }
    }
}

/// What one input yielded: the documents it holds and the errors met on the way.
#[derive(Debug, Default)]
pub struct Parsed {
    pub documents: Vec<Document>,
    pub errors: Vec<IngestError>,
}

/// Expands files and folders (recursively, in a stable order) into the files to ingest.
/// Unreadable entries become errors; hidden files and folders are skipped.
pub fn discover(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<IngestError>) {
    let _ = paths;
    unimplemented!("discover")
}

/// Reads and parses one file into documents.
pub fn parse_file(path: &Path, cfg: &IngestConfig) -> Parsed {
    let _ = (path, cfg);
    unimplemented!("parse_file")
}

/// Parses bytes that came from `name` (a file name or `stdin`); the format is
/// chosen from the extension, then from the content.
pub fn parse_bytes(name: &str, bytes: &[u8], cfg: &IngestConfig) -> Parsed {
    let _ = (name, bytes, cfg);
    unimplemented!("parse_bytes")
}
