//! The knowledge base behind one trait, [`Store`].
//!
//! Backends: [`sqlite::SqliteStore`] (bundled SQLite, one file, WAL, FTS5) is the
//! default; PostgreSQL implements the same trait. Nothing backend-specific (SQL
//! dialect, FTS syntax, row ids) crosses this crate's boundary: callers speak in
//! `dossier_core` types and the records below.
//!
//! Shared by every backend: the contract in [`Store`]'s documentation, the
//! MinHash band function [`minhash_bands`], entity name keys [`entity_key`],
//! search snippets ([`snippet::Highlighter`]) and, with feature `testing`, the
//! behaviour tests in `conformance` (run them with `conformance_suite!`).
//!
//! SQLite layout: `sqlite.rs` (the store), `sqlite_schema.rs` (tables and
//! migrations), `sqlite_query.rs` (query AST to FTS5 syntax).
//!
//! PostgreSQL layout (feature `postgres`, on by default): `postgres.rs`,
//! `postgres_schema.rs`, `postgres_query.rs` (query AST to `tsquery`, index
//! words to `tsvector`, both tokenized here in Rust like the snippets).

#[cfg(feature = "testing")]
pub mod conformance;
#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "postgres")]
mod postgres_query;
#[cfg(feature = "postgres")]
mod postgres_schema;
pub mod snippet;
pub mod sqlite;
mod sqlite_query;
mod sqlite_schema;

use dossier_core::{
    CharSpan, DocId, Document, EntityLabel, EntityMention, Extraction, Facts, SearchRequest,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet};

#[cfg(feature = "postgres")]
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// `open_existing` on a path where no file exists.
    #[error("no knowledge base at {path}: run `dossier ingest` first or pass --db")]
    Missing { path: String },
    /// The file exists but cannot be used: not a database, another program's
    /// database, unreadable.
    #[error("database {path}: {message}")]
    Open { path: String, message: String },
    #[error(
        "database schema version {found} is newer than this dossier ({supported}); upgrade dossier"
    )]
    TooNew { found: i64, supported: i64 },
    #[error("no document matches {0:?}")]
    NoSuchDocument(String),
    #[error("document id prefix {0:?} is ambiguous; give more characters")]
    AmbiguousId(String),
    /// The search request cannot be answered as given (the message says why and
    /// what to write instead).
    #[error("invalid search: {0}")]
    InvalidQuery(String),
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
    /// Times, quotes, roles, relations, events and claims, code point spans.
    #[serde(default)]
    pub facts: Facts,
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
        Extraction {
            entities: self.mentions.iter().map(|m| m.mention.clone()).collect(),
            facts: self.facts.clone(),
            sentences: self.sentences.clone(),
        }
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
        Page {
            limit: 20,
            offset: 0,
        }
    }
}

/// A near-duplicate candidate: a stored document sharing a MinHash band.
#[derive(Debug, Clone, PartialEq)]
pub struct DupCandidate {
    pub id: DocId,
    pub minhash: Vec<u32>,
}

/// The knowledge base.
///
/// This trait is the contract every backend implements with the same observable
/// behaviour (the `conformance` module, feature `testing`, checks it):
///
/// * **Atomic batches.** All writes of one [`Store::put_batch`] call happen in one
///   transaction: after a crash (even SIGKILL mid-write) a reader sees either the
///   whole batch or none of it, and every stored document has all its mentions,
///   sentences and links.
/// * **Content ids.** A document is identified by its [`DocId`]; storing an id that
///   is already present is a no-op (counted as skipped), so re-ingest is idempotent.
/// * **Entities** are keyed by (label, normalised canonical name), the name
///   lower-cased with whitespace runs collapsed ([`entity_key`]); the first
///   spelling stored is the entity's display name. Each entity also answers to the
///   normalised text of every mention assigned to it (used by the `entity` search
///   filter).
/// * **Offsets** everywhere are code point offsets, end exclusive.
/// * Several processes may share one store; writers serialise, readers are not
///   blocked by a writer.
pub trait Store: Send {
    /// Which of `ids` are already stored (so ingest can skip their NLP), in the
    /// order given, without duplicates.
    fn existing(&self, ids: &[DocId]) -> Result<Vec<DocId>>;

    /// Stores documents with their mentions, sentences, MinHash bands and
    /// near-duplicate links, atomically (one transaction per call).
    ///
    /// Documents whose id is already stored, or repeated within `docs`, are
    /// skipped. A mention's entity is found or created by (label,
    /// [`entity_key`] of its `canonical`, or of its text when `canonical` is
    /// blank); entity mention and document counts are updated. `near_duplicate_of`
    /// is recorded as a link from this document to the earlier one when that
    /// document is stored or in the same batch (otherwise the link is dropped);
    /// links are readable from both ends.
    fn put_batch(&mut self, docs: &[AnalysedDocument]) -> Result<BatchOutcome>;

    /// Stored documents that share at least one complete MinHash band
    /// ([`minhash_bands`]) with `minhash`, earliest stored first, with their
    /// signatures; at most [`DUP_CANDIDATE_LIMIT`] of them.
    fn dup_candidates(&self, minhash: &[u32]) -> Result<Vec<DupCandidate>>;

    /// A document by id or unique id prefix (at least 4 characters; case of hex
    /// digits ignored). Errors: [`StoreError::NoSuchDocument`] when nothing
    /// matches, [`StoreError::AmbiguousId`] when the prefix is shorter than 4
    /// characters or matches several documents. Mentions come in text order with
    /// their entity; sentences in text order; near-duplicates from both sides of
    /// each link; children (attachments) in ingest order.
    fn document(&self, id_or_prefix: &str) -> Result<StoredDocument>;

    /// Documents, newest first by publication date (undated ones last), ties in
    /// ingest order (earliest first).
    fn documents(&self, page: Page) -> Result<Vec<DocSummary>>;

    /// Entities, most-mentioned first (ties by creation order), optionally of one
    /// type, with their mention and document counts.
    fn entities(&self, label: Option<EntityLabel>, page: Page) -> Result<Vec<EntitySummary>>;

    /// Full-text search over title and text, ranked by BM25 with the title
    /// weighted above the body; ties in ingest order.
    ///
    /// Matching is case- and accent-insensitive on words (letters and digits).
    /// `Term` matches a word (`prefix`: any word starting with it), `Phrase`
    /// consecutive words, `And`/`Or` as usual. A prefix needs at least
    /// [`MIN_PREFIX_CHARS`] letters or digits (shorter ones would expand to a
    /// large part of the vocabulary). `Not` is only supported as a child
    /// of an `And` that also has a positive child (`a -b`, `a NOT (b OR c)`);
    /// anywhere else it is a [`StoreError::InvalidQuery`], never a silently wrong
    /// answer. User text is never interpreted as backend query syntax.
    ///
    /// Filters (all optional, combined with AND):
    /// `source` — case-insensitive substring of the source, outlet or URL;
    /// `from`/`to` — inclusive bounds on the publication date, given as `YYYY`,
    /// `YYYY-MM` or `YYYY-MM-DD` (`to = 2017` includes all of 2017); documents
    /// without a date are excluded when either bound is given;
    /// `entity` — documents mentioning an entity whose canonical name or one of
    /// whose mention texts equals the filter after [`entity_key`] normalisation;
    /// `entity_type` — documents with a mention of that label.
    ///
    /// `total` counts all matches; `hits` is the `offset`..`offset + limit` slice.
    /// Each hit has a snippet of about [`SNIPPET_WORDS`] words of the text around
    /// the best match (whitespace collapsed) and the code point ranges of matched
    /// words inside it.
    fn search(&self, req: &SearchRequest) -> Result<SearchResults>;

    /// Counts over the whole store.
    fn stats(&self) -> Result<Stats>;

    /// Housekeeping after a large ingest: compacts the full-text index and
    /// refreshes the query planner's statistics, so searches stay fast. Never
    /// needed for correctness; takes time proportional to the size of the
    /// index (about a second per 10,000 news articles), so call it once at the
    /// end of an ingest run that added many documents, not after every batch.
    fn optimize(&mut self) -> Result<()>;
}

/// Number of MinHash bands and rows per band used for candidate lookup:
/// 16 bands of 4 rows find pairs with Jaccard ≥ 0.7 with probability > 0.9.
pub const MINHASH_BANDS: usize = 16;
pub const MINHASH_ROWS: usize = 4;

/// At most this many near-duplicate candidates are returned per lookup, so a
/// corpus of thousands of near-identical documents cannot make ingest quadratic.
pub const DUP_CANDIDATE_LIMIT: usize = 200;

/// Shortest prefix accepted in a `word*` search.
pub const MIN_PREFIX_CHARS: usize = 2;

/// Approximate length of search snippets, in words.
pub const SNIPPET_WORDS: usize = 30;

/// The key an entity name is matched by: lower-cased, whitespace runs collapsed
/// to one space, trimmed.
pub fn entity_key(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for word in name.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// The band hashes of a MinHash signature: `(band index, hash)` for each of the
/// first [`MINHASH_BANDS`] complete bands of [`MINHASH_ROWS`] values. The hash is
/// a fixed function (FNV-1a over the little-endian values, then a 64-bit
/// finaliser), so every backend and every version computes the same bands.
pub fn minhash_bands(minhash: &[u32]) -> Vec<(usize, i64)> {
    minhash
        .chunks_exact(MINHASH_ROWS)
        .take(MINHASH_BANDS)
        .enumerate()
        .map(|(band, rows)| {
            let mut h: u64 = 0xcbf2_9ce4_8422_2325;
            for v in rows {
                for b in v.to_le_bytes() {
                    h ^= u64::from(b);
                    h = h.wrapping_mul(0x0000_0100_0000_01b3);
                }
            }
            // splitmix64 finaliser: spreads FNV's weak low bits.
            h ^= h >> 30;
            h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
            h ^= h >> 27;
            h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
            h ^= h >> 31;
            (band, h as i64)
        })
        .collect()
}

/// (label, normalised name): what an entity is found by, in every backend.
pub(crate) type EntityKey = (&'static str, String);

/// An entity as seen in one batch.
pub(crate) struct BatchEntity {
    pub name: String,
    pub mentions: usize,
    pub docs: usize,
    pub id: i64,
    /// Keys of mention texts other than the canonical key.
    pub names: BTreeSet<String>,
}

/// Groups one document's mentions into the batch's entities (new ones appended
/// to `order`, so ids follow first mention) and returns each mention's key.
/// Shared by the backends so both cluster mentions identically.
pub(crate) fn group_mentions(
    doc: &AnalysedDocument,
    entities: &mut HashMap<EntityKey, BatchEntity>,
    order: &mut Vec<EntityKey>,
) -> Vec<EntityKey> {
    let mut keys = Vec::with_capacity(doc.mentions.len());
    for m in &doc.mentions {
        let label = m.mention.label.as_str();
        let (mut key, mut name) = (entity_key(&m.canonical), m.canonical.trim());
        if key.is_empty() {
            key = entity_key(&m.mention.text);
            name = m.mention.text.trim();
        }
        let k = (label, key);
        let e = entities.entry(k.clone()).or_insert_with(|| {
            order.push(k.clone());
            BatchEntity {
                name: name.to_string(),
                mentions: 0,
                docs: 0,
                id: 0,
                names: BTreeSet::new(),
            }
        });
        e.mentions += 1;
        let text_key = entity_key(&m.mention.text);
        if !text_key.is_empty() && text_key != k.1 {
            e.names.insert(text_key);
        }
        keys.push(k);
    }
    let mut in_doc: HashSet<&EntityKey> = HashSet::new();
    for k in &keys {
        if in_doc.insert(k) {
            if let Some(e) = entities.get_mut(k) {
                e.docs += 1;
            }
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_keys_fold_case_and_space() {
        assert_eq!(entity_key("  Dick \t Schoof "), "dick schoof");
        assert_eq!(entity_key("ÉTAT Islamique"), "état islamique");
        assert_eq!(entity_key(""), "");
    }

    #[test]
    fn bands_are_stable_and_complete_only() {
        let sig: Vec<u32> = (0..70).collect();
        let bands = minhash_bands(&sig);
        assert_eq!(bands.len(), MINHASH_BANDS);
        assert_eq!(bands, minhash_bands(&sig));
        // A different value in band 3 changes only band 3.
        let mut other = sig.clone();
        other[13] = 999;
        let b2 = minhash_bands(&other);
        let differing: Vec<usize> = bands
            .iter()
            .zip(&b2)
            .filter(|(a, b)| a != b)
            .map(|(a, _)| a.0)
            .collect();
        assert_eq!(differing, vec![3]);
        assert_eq!(minhash_bands(&sig[..7]).len(), 1);
        assert!(minhash_bands(&[]).is_empty());
    }
}
