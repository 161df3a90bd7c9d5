//! The knowledge base behind one trait, [`Store`].
//!
//! Backends: [`sqlite::SqliteStore`] (bundled SQLite, one file, WAL, FTS5) is the
//! default; PostgreSQL implements the same trait. Nothing backend-specific (SQL
//! dialect, FTS syntax, row ids) crosses this crate's boundary: callers speak in
//! `dossier_core` types and the records below.

pub mod sqlite;

use dossier_core::{CharSpan, DocId, Document, EntityLabel, EntityMention, Extraction, SearchRequest};
use serde::{Deserialize, Serialize};

pub use sqlite::SqliteStore;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {path}: {message}")]
    Open { path: String, message: String },
    #[error("database schema version {found} is newer than this dossier ({supported}); upgrade dossier")]
    TooNew { found: i64, supported: i64 },
    #[error("no document matches {0:?}")]
    NoSuchDocument(String),
    #[error("document id prefix {0:?} is ambiguous; give more characters")]
    AmbiguousId(String),
    #[error("database error: {0}")]
    Backend(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// A mention after in-document resolution: which entity it names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolvedMention {
    pub mention: EntityMention,
    /// The entity's canonical name within this document ("Schoof" → "Dick Schoof").
    pub canonical: String,
}

/// A document ready to store: text, metadata, extraction and the signals the
/// store needs for de-duplication.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysedDocument {
    pub document: Document,
    pub mentions: Vec<ResolvedMention>,
    pub sentences: Vec<CharSpan>,
    /// MinHash signature of the text's word shingles, for near-duplicate detection.
    pub minhash: Vec<u32>,
    /// Set by ingest when a stored or same-batch document is a near-duplicate:
    /// (the earlier document, estimated Jaccard similarity).
    pub near_duplicate_of: Option<(DocId, f32)>,
    /// Name/version of the extractor that produced `mentions` (provenance).
    pub extractor: String,
}

impl AnalysedDocument {
    /// The extraction as it was produced (entities and sentences).
    pub fn extraction(&self) -> Extraction {
        Extraction { entities: self.mentions.iter().map(|m| m.mention.clone()).collect(), sentences: self.sentences.clone() }
    }
}

/// What writing a batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    pub inserted: usize,
    /// Already present (same content hash): left as they were.
    pub skipped: usize,
}

/// One row of `dossier docs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocSummary {
    pub id: DocId,
    pub parent: Option<DocId>,
    pub source: String,
    pub format: String,
    pub title: Option<String>,
    pub published: Option<String>,
    pub language: Option<String>,
    pub chars: usize,
    pub mentions: usize,
    pub near_duplicate_of: Option<DocId>,
}

/// A mention as stored, with the entity it was assigned to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredMention {
    pub entity_id: i64,
    pub canonical: String,
    pub mention: EntityMention,
}

/// A document with everything stored about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredDocument {
    pub document: Document,
    pub mentions: Vec<StoredMention>,
    pub sentences: Vec<CharSpan>,
    pub near_duplicates: Vec<(DocId, f32)>,
    pub children: Vec<DocId>,
}

/// One row of `dossier entities`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntitySummary {
    pub id: i64,
    pub name: String,
    pub label: EntityLabel,
    pub mentions: usize,
    pub documents: usize,
}

/// A search hit: the document, its score and a highlighted snippet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub id: DocId,
    pub title: Option<String>,
    pub source: String,
    pub published: Option<String>,
    /// Higher is better (BM25, sign normalised across backends).
    pub score: f64,
    /// Text around the best match with matched terms wrapped in `[` `]`... see
    /// `highlights` for exact positions.
    pub snippet: String,
    /// Code point ranges of matched terms within `snippet`.
    pub highlights: Vec<CharSpan>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<SearchHit>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub documents: usize,
    pub characters: usize,
    pub mentions: usize,
    pub entities: usize,
    pub near_duplicate_links: usize,
    pub by_format: Vec<(String, usize)>,
    pub by_language: Vec<(String, usize)>,
    pub by_label: Vec<(String, usize)>,
    pub schema_version: i64,
}

/// A page of a list: every list query is paginated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    pub limit: usize,
    pub offset: usize,
}

impl Default for Page {
    fn default() -> Self {
        Page { limit: 20, offset: 0 }
    }
}

/// A near-duplicate candidate: a stored document sharing a MinHash band.
#[derive(Debug, Clone, PartialEq)]
pub struct DupCandidate {
    pub id: DocId,
    pub minhash: Vec<u32>,
}

/// The knowledge base. All writes of one call happen in one transaction: a crash
/// leaves either all of a batch or none of it.
pub trait Store: Send {
    /// Which of `ids` are already stored (so ingest can skip their NLP).
    fn existing(&self, ids: &[DocId]) -> Result<Vec<DocId>>;
    /// Stores documents with their mentions, atomically. Documents already present
    /// are skipped, which makes re-ingest idempotent.
    fn put_batch(&mut self, docs: &[AnalysedDocument]) -> Result<BatchOutcome>;
    /// Stored documents that share at least one MinHash band with `minhash`.
    fn dup_candidates(&self, minhash: &[u32]) -> Result<Vec<DupCandidate>>;
    /// A document by id or unique id prefix (at least 4 characters).
    fn document(&self, id_or_prefix: &str) -> Result<StoredDocument>;
    /// Documents, newest first by publication date, then by ingest order.
    fn documents(&self, page: Page) -> Result<Vec<DocSummary>>;
    /// Most-mentioned entities, optionally of one type.
    fn entities(&self, label: Option<EntityLabel>, page: Page) -> Result<Vec<EntitySummary>>;
    /// Full-text search, ranked by BM25.
    fn search(&self, req: &SearchRequest) -> Result<SearchResults>;
    fn stats(&self) -> Result<Stats>;
}

/// Number of MinHash bands and rows per band used for candidate lookup:
/// 16 bands of 4 rows find pairs with Jaccard ≥ 0.7 with probability > 0.9.
pub const MINHASH_BANDS: usize = 16;
pub const MINHASH_ROWS: usize = 4;
