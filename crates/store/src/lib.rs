//! The knowledge base behind one trait, [`Store`].
//!
//! Backends: [`sqlite::SqliteStore`] (bundled SQLite, one file, WAL, FTS5) is the
//! default; PostgreSQL implements the same trait. Nothing backend-specific (SQL
//! dialect, FTS syntax, row ids) crosses this crate's boundary: callers speak in
//! `dossier_core` types and the records below.
//!
//! Shared by every backend: the contract in [`Store`]'s documentation, the
//! MinHash band function [`minhash_bands`], entity name keys [`entity_key`],
//! search snippets ([`snippet::Highlighter`]), the fact rules in `derive.rs`
//! (linking fact arguments to entities, the rows a fact is stored as, the
//! evidence-graph edges a document contributes) and, with feature `testing`,
//! the behaviour tests in `conformance` (run them with `conformance_suite!`).
//!
//! SQLite layout: `sqlite.rs` (the store), `sqlite_schema.rs` (tables and
//! migrations), `sqlite_query.rs` (query AST to FTS5 syntax), `sqlite_facts.rs`
//! (facts, profiles, the graph), `sqlite_decisions.rs` (analyst decisions).
//!
//! PostgreSQL layout (feature `postgres`, on by default): `postgres.rs`,
//! `postgres_schema.rs`, `postgres_query.rs` (query AST to `tsquery`, index
//! words to `tsvector`, both tokenized here in Rust like the snippets),
//! `postgres_facts.rs`, `postgres_decisions.rs`.

#[cfg(feature = "testing")]
pub mod conformance;
mod derive;
pub mod events;
#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "postgres")]
mod postgres_decisions;
#[cfg(feature = "postgres")]
mod postgres_events;
#[cfg(feature = "postgres")]
mod postgres_facts;
#[cfg(feature = "postgres")]
mod postgres_query;
#[cfg(feature = "postgres")]
mod postgres_schema;
pub mod snippet;
pub mod sqlite;
mod sqlite_decisions;
mod sqlite_events;
mod sqlite_facts;
mod sqlite_query;
mod sqlite_schema;

use dossier_core::{
    CharSpan, Claim, DocId, Document, EntityLabel, EntityMention, Event, Extraction, Facts, Quote,
    Relation, Role, SearchRequest, TimeMention,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

pub use derive::{COMENTION_ENTITY_CAP, UNDIRECTED_KINDS};
pub use events::{
    event_family, EventEdgeRow, EventFilter, EventMention, EventNode, EventParticipant,
    EventProfile, EVENT_EDGE_PREFIX, MENTIONED_ROLE,
};

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
    #[error("no entity has id {0}")]
    NoSuchEntity(i64),
    #[error("no event has id {0}")]
    NoSuchEvent(i64),
    /// A request the store refuses as given (bad import indexes, a decision
    /// that contradicts itself); the message says why.
    #[error("invalid request: {0}")]
    Invalid(String),
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

/// The kinds of fact a document carries besides entity mentions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FactKind {
    Time,
    Quote,
    Role,
    Relation,
    Event,
    Claim,
}

impl FactKind {
    pub const ALL: [FactKind; 6] = [
        FactKind::Time,
        FactKind::Quote,
        FactKind::Role,
        FactKind::Relation,
        FactKind::Event,
        FactKind::Claim,
    ];
    /// The stored name: `time`, `quote`, `role`, `relation`, `event`, `claim`.
    pub fn as_str(&self) -> &'static str {
        match self {
            FactKind::Time => "time",
            FactKind::Quote => "quote",
            FactKind::Role => "role",
            FactKind::Relation => "relation",
            FactKind::Event => "event",
            FactKind::Claim => "claim",
        }
    }
    pub fn parse(s: &str) -> Option<FactKind> {
        FactKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Any one fact, as extracted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "fact", rename_all = "lowercase")]
pub enum AnyFact {
    Time(TimeMention),
    Quote(Quote),
    Role(Role),
    Relation(Relation),
    Event(Event),
    Claim(Claim),
}

impl AnyFact {
    pub fn kind(&self) -> FactKind {
        match self {
            AnyFact::Time(_) => FactKind::Time,
            AnyFact::Quote(_) => FactKind::Quote,
            AnyFact::Role(_) => FactKind::Role,
            AnyFact::Relation(_) => FactKind::Relation,
            AnyFact::Event(_) => FactKind::Event,
            AnyFact::Claim(_) => FactKind::Claim,
        }
    }
}

/// A sentence of a stored document: its span (code points) and its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sentence {
    pub span: CharSpan,
    pub text: String,
}

/// One argument of a stored fact and the entity it was linked to.
///
/// Roles: quote `speaker`, `speaker_entity`; role `person`, `organisation`,
/// `country`; relation `source`, `target`; event arguments by their
/// [`dossier_core::EventRole`] in lower case (`agent`, `target`, `participant`,
/// `place`, `time`, `origin`, `destination`); claim `subject`, `source`.
///
/// `entity` is the entity of the stored mention of the same document whose
/// span equals the argument's, or else of the longest stored mention inside it
/// (the earliest among equally long ones); `None` when no mention lies inside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArgLink {
    pub role: String,
    pub span: CharSpan,
    pub entity: Option<i64>,
}

/// A fact as stored, with where it comes from (provenance beyond the fact's
/// own extractor and confidence) and the entities its arguments name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredFact<T> {
    pub doc: DocId,
    pub title: Option<String>,
    pub published: Option<String>,
    /// The sentence containing the start of the fact (its first argument for
    /// relations and events), when the document's sentences cover it.
    pub sentence: Option<Sentence>,
    pub fact: T,
    /// Arguments in the order of [`ArgLink`]'s role list.
    pub links: Vec<ArgLink>,
}

impl<T> StoredFact<T> {
    /// The entity linked to the first argument with this role.
    pub fn entity(&self, role: &str) -> Option<i64> {
        self.links
            .iter()
            .find(|l| l.role == role)
            .and_then(|l| l.entity)
    }
    /// Every linked entity with this role (event arguments may repeat a role).
    pub fn entities(&self, role: &str) -> Vec<i64> {
        self.links
            .iter()
            .filter(|l| l.role == role)
            .filter_map(|l| l.entity)
            .collect()
    }
}

pub type StoredQuote = StoredFact<Quote>;
pub type StoredRole = StoredFact<Role>;
pub type StoredRelation = StoredFact<Relation>;
pub type StoredEvent = StoredFact<Event>;
/// A claim with its subject (`entity("subject")`), attribute, value,
/// qualifier, source (`entity("source")`) and document.
pub type StoredClaim = StoredFact<Claim>;

/// Which claims [`Store::claims`] lists (all conditions combined with AND).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClaimFilter {
    /// Claims whose subject is linked to this entity.
    pub subject: Option<i64>,
    /// Claims with exactly this attribute (compared after lower-casing).
    pub attribute: Option<String>,
    /// Claims of this document (full id or unique prefix, as [`Store::document`]).
    pub doc: Option<String>,
    pub page: Page,
}

/// A distinct mention text of an entity and how often it occurs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alias {
    pub text: String,
    pub count: usize,
}

/// Everything stored about one entity (`dossier show ENTITY`, the HTTP entity
/// page). Fact lists hold at most [`PROFILE_FACTS`] items each, newest
/// document first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntityProfile {
    pub summary: EntitySummary,
    /// Distinct mention texts, most frequent first (ties alphabetical).
    pub aliases: Vec<Alias>,
    /// Documents mentioning the entity, newest first, paged.
    pub documents: Vec<DocSummary>,
    /// Earliest and latest publication date of a document mentioning it.
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub roles: Vec<StoredRole>,
    /// Quotes the entity is the speaker of.
    pub quotes_by: Vec<StoredQuote>,
    /// Quotes with a mention of the entity inside the quoted words.
    pub quotes_about: Vec<StoredQuote>,
    /// Relations with the entity as source or target.
    pub relations: Vec<StoredRelation>,
    pub events: Vec<StoredEvent>,
    /// Claims with the entity as subject.
    pub claims: Vec<StoredClaim>,
}

/// At most this many items per fact list of an [`EntityProfile`].
pub const PROFILE_FACTS: usize = 100;

/// Which edges [`Store::neighbours`] follows. The default follows every edge.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EdgeFilter {
    /// Edge kinds to follow; empty = all. An entry matches a kind exactly, and
    /// an entry without `:` also matches every kind it prefixes before `:`
    /// (`relation` matches `relation:MemberOf`, `event` every `event:*`).
    pub kinds: Vec<String>,
    /// Only neighbours of this label.
    pub label: Option<EntityLabel>,
    /// Only edges seen in a document published on or after this date
    /// (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`): the edge's last-seen date is
    /// compared, so edges without dates are excluded when a bound is given.
    pub from: Option<String>,
    /// Only edges first seen on or before this date (inclusive as in search:
    /// `2017` includes all of 2017).
    pub to: Option<String>,
    /// Only edges with at least this many evidence sentences.
    pub min_evidence: usize,
}

/// How an edge touches the entity asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// entity → neighbour.
    Out,
    /// neighbour → entity.
    In,
    /// An undirected kind ([`UNDIRECTED_KINDS`]).
    Both,
}

/// One edge from an entity to a neighbour, aggregated over all evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Neighbour {
    pub entity: EntitySummary,
    pub kind: String,
    pub direction: Direction,
    /// Distinct (document, sentence) pairs supporting the edge (for imported
    /// edges: the imported weight).
    pub sentences: usize,
    pub documents: usize,
    /// Publication dates (`YYYY-MM-DD`) of the earliest and latest dated
    /// supporting documents.
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
}

/// One sentence supporting an edge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub doc: DocId,
    pub title: Option<String>,
    pub published: Option<String>,
    /// The sentence (or, when the document has no sentence there, the fact's
    /// own span), code points.
    pub span: CharSpan,
    pub sentence: String,
    pub kind: String,
    /// The edge's stored direction.
    pub src: i64,
    pub dst: i64,
}

/// One aggregated edge, as streamed by [`Store::for_each_edge`].
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeRow {
    pub src: i64,
    pub dst: i64,
    /// Shared between rows of the same kind (no allocation per row).
    pub kind: Arc<str>,
    pub sentences: usize,
    pub documents: usize,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
}

/// One edge of an external link table for [`Store::bulk_import_graph`]:
/// indexes into its `entities` and `kinds` slices, and a weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportEdge {
    pub src: u32,
    pub dst: u32,
    pub kind: u16,
    pub weight: u32,
}

/// What a bulk import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOutcome {
    /// The entity id of each imported entity, in input order.
    pub entity_ids: Vec<i64>,
    /// Edges written after merging repeats (the same src, dst and kind).
    pub edges: usize,
}

/// An analyst's decision about entity identity (see [`Store::add_decision`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum Decision {
    /// `from` and `into` are the same entity: `from`'s mentions, names and
    /// edges move to `into`, and later mentions keyed to `from` go to `into`.
    Merge { from: i64, into: i64 },
    /// These mentions (document id, span) of `entity` are another entity,
    /// created with `name`.
    Split {
        entity: i64,
        mentions: Vec<(DocId, CharSpan)>,
        name: String,
    },
    /// The entity's display name becomes `name`.
    Rename { entity: i64, name: String },
    /// `a` and `b` are different entities: recorded for resolvers, and a later
    /// `Merge` of the pair is refused ([`StoreError::Invalid`]).
    NotSame { a: i64, b: i64 },
}

/// A decision as recorded, in the order made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredDecision {
    pub id: i64,
    pub decision: Decision,
    /// What applying it did (e.g. the id of the entity a split created).
    pub note: String,
}

/// One row of the persisted blocking index of ingest's cross-document resolver:
/// names that share a `block` key (a surname, initials, an alias key) are
/// compared when a new document arrives, so candidates come from the store, not
/// from an in-memory copy of every entity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NameBlock {
    pub block: String,
    pub label: EntityLabel,
    /// The canonical name written for the entity (keys to it in `put_batch`).
    pub name: String,
}

/// Why ingest put a name of one document into an existing entity: the answer to
/// "why are these the same?" (see [`Store::resolution_reasons`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolutionReason {
    pub doc: DocId,
    pub label: EntityLabel,
    /// The name as the document gave it ("K. Velasco-Oduja").
    pub name: String,
    /// The canonical name it was resolved to ("Karim Velasco-Oduya").
    pub into: String,
    /// The rule (`same-name`, `known-alias`, `compatible-full-name`,
    /// `surname-and-context`, ...).
    pub rule: String,
    /// The evidence: shared context items and scores, as text.
    pub detail: String,
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
    ///
    /// In the same transaction: every fact of `facts` (times, quotes, roles,
    /// relations, events, claims) with its provenance (document, spans,
    /// extractor, confidence), its entity arguments linked as described at
    /// [`ArgLink`], and the document's contribution to the evidence graph (see
    /// [`Store::neighbours`]). A mention whose entity was merged away by a
    /// [`Decision::Merge`] is assigned to the surviving entity.
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

    /// Every fact stored with a document (id or unique prefix, as
    /// [`Store::document`]), each list in the order it was extracted.
    fn facts(&self, id_or_prefix: &str) -> Result<Facts>;

    /// The sentence of a stored document that contains code point `pos`, with
    /// its text; `None` when no stored sentence contains it.
    fn sentence(&self, id_or_prefix: &str, pos: usize) -> Result<Option<Sentence>>;

    /// One entity's summary; `None` when no entity has this id.
    fn entity_summary(&self, id: i64) -> Result<Option<EntitySummary>>;

    /// Entities answering to `name_or_alias` after [`entity_key`] normalisation
    /// (their canonical name or any mention text assigned to them), optionally
    /// of one label, most-mentioned first. For resolving CLI/HTTP arguments.
    fn find_entities(
        &self,
        name_or_alias: &str,
        label: Option<EntityLabel>,
    ) -> Result<Vec<EntitySummary>>;

    /// Distinct mention texts of an entity with counts, most frequent first,
    /// ties alphabetical (code point order).
    fn aliases(&self, entity: i64, page: Page) -> Result<Vec<Alias>>;

    /// Documents mentioning an entity, in [`Store::documents`] order, and the
    /// earliest and latest publication date among all of them.
    fn entity_documents(
        &self,
        entity: i64,
        page: Page,
    ) -> Result<(Vec<DocSummary>, Option<String>, Option<String>)>;

    /// Facts of one kind (or all) with an argument linked to `entity`, newest
    /// document first (undated last), then in document order.
    fn entity_facts(
        &self,
        entity: i64,
        kind: Option<FactKind>,
        page: Page,
    ) -> Result<Vec<StoredFact<AnyFact>>>;

    /// Quotes whose quoted words contain a stored mention of `entity`, in
    /// [`Store::entity_facts`] order.
    fn quotes_about(&self, entity: i64, page: Page) -> Result<Vec<StoredQuote>>;

    /// Claims matching `filter`, in [`Store::entity_facts`] order.
    fn claims(&self, filter: &ClaimFilter) -> Result<Vec<StoredClaim>>;

    /// Everything about one entity; `page` pages its documents.
    /// [`StoreError::NoSuchEntity`] when the id is unknown.
    fn entity(&self, id: i64, page: Page) -> Result<EntityProfile> {
        let summary = self
            .entity_summary(id)?
            .ok_or(StoreError::NoSuchEntity(id))?;
        let aliases = self.aliases(
            id,
            Page {
                limit: PROFILE_FACTS,
                offset: 0,
            },
        )?;
        let (documents, first_seen, last_seen) = self.entity_documents(id, page)?;
        let facts = Page {
            limit: PROFILE_FACTS,
            offset: 0,
        };
        let roles = derive::typed(
            self.entity_facts(id, Some(FactKind::Role), facts)?,
            |f| match f {
                AnyFact::Role(r) => Some(r),
                _ => None,
            },
        );
        let quotes_by: Vec<StoredQuote> = derive::typed(
            self.entity_facts(id, Some(FactKind::Quote), facts)?,
            |f| match f {
                AnyFact::Quote(q) => Some(q),
                _ => None,
            },
        )
        .into_iter()
        .filter(|q| q.entity("speaker_entity").or(q.entity("speaker")) == Some(id))
        .collect();
        let relations = derive::typed(
            self.entity_facts(id, Some(FactKind::Relation), facts)?,
            |f| match f {
                AnyFact::Relation(r) => Some(r),
                _ => None,
            },
        );
        let events = derive::typed(
            self.entity_facts(id, Some(FactKind::Event), facts)?,
            |f| match f {
                AnyFact::Event(e) => Some(e),
                _ => None,
            },
        );
        let claims = self.claims(&ClaimFilter {
            subject: Some(id),
            page: facts,
            ..ClaimFilter::default()
        })?;
        Ok(EntityProfile {
            summary,
            aliases,
            documents,
            first_seen,
            last_seen,
            roles,
            quotes_by,
            quotes_about: self.quotes_about(id, facts)?,
            relations,
            events,
            claims,
        })
    }

    /// Edges of the evidence graph touching `entity`, both directions, most
    /// evidence sentences first (then most documents, neighbour id, kind).
    ///
    /// The graph is maintained by [`Store::put_batch`] from each document's
    /// facts and sentences (arguments linked to entities as in [`ArgLink`]):
    /// `relation:<Type>` source → target (symmetric types stored with the
    /// smaller id first); `role` person → organisation and person → country;
    /// `quote` speaker (`speaker_entity`, else `speaker`) → every entity with a
    /// mention inside the quoted words; `event:<Type>` agent → target,
    /// participant and place, and participants pairwise; `comention` every pair
    /// of distinct entities with mentions in one sentence, stored once with the
    /// smaller id first, among the first [`COMENTION_ENTITY_CAP`] distinct
    /// entities of the sentence (so a sentence adds at most 190 pairs).
    /// Self-loops are never stored. Each edge counts distinct supporting
    /// (document, sentence) pairs and documents, and the first and last
    /// publication date among them.
    fn neighbours(&self, entity: i64, filter: &EdgeFilter, page: Page) -> Result<Vec<Neighbour>>;

    /// Sentences supporting edges between `a` and `b` (either direction), of one
    /// kind or all, newest document first (undated last), then by document and
    /// position; at most `limit`.
    fn evidence(&self, a: i64, b: i64, kind: Option<&str>, limit: usize) -> Result<Vec<Evidence>>;

    /// Event nodes matching `filter`, most reported first (documents, then
    /// mentions, then id).
    ///
    /// [`Store::put_batch`] maintains them (rules in the `events` module):
    /// every event fact that is not a statement, not negated, hypothetical,
    /// denied or foiled, and anchored (a place the gazetteer put in a country,
    /// or a day, or a place and a month) joins the most compatible node —
    /// compatible types (a generic attack or killing joins a bombing or a
    /// shooting), no contradicting date (days more than one apart, other
    /// month or year) or place (countries disjoint), and a strong link: the
    /// same place entity, the same day ±1, or a shared argument participant;
    /// two equally good nodes leave the mention on its own. Participation
    /// edges entity → node carry the argument role (`agent`, `target`,
    /// `participant`, `place`, `origin`, `destination`) or `mentioned` for
    /// actors named in the mention's sentence, with that sentence as evidence.
    /// Unknown type names are [`StoreError::Invalid`].
    fn events(&self, filter: &EventFilter) -> Result<Vec<EventNode>>;

    /// One event node with its participants and its mentions (`page` pages
    /// the mentions, newest document first), each with the reason it joined.
    /// [`StoreError::NoSuchEvent`] when the id is unknown.
    fn event(&self, id: i64, page: Page) -> Result<EventProfile>;

    /// Sentences supporting the participation edge `entity` → event `node`,
    /// of one role or all, newest document first; at most `limit`. `kind` is
    /// `in_event:<role>`, `src` the entity and `dst` the node id.
    fn event_evidence(
        &self,
        entity: i64,
        node: i64,
        role: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Evidence>>;

    /// Calls `f` once per participation edge, streaming.
    fn for_each_event_edge(&self, f: &mut dyn FnMut(EventEdgeRow)) -> Result<()>;

    /// Calls `f` once per aggregated edge, in no particular order, streaming
    /// (memory does not grow with the number of edges).
    fn for_each_edge(&self, f: &mut dyn FnMut(EdgeRow)) -> Result<()>;

    /// Loads an external link table in one transaction: entities are found or
    /// created by (label, [`entity_key`] of the name) like mentions' entities;
    /// each edge adds its weight to the `sentences` count of (src, dst, kind)
    /// (`documents` stays unchanged, no evidence rows, no dates). Undirected
    /// kinds are stored with the smaller id first; self-loops are dropped; an
    /// index out of range is an error before anything is written. Fast on
    /// large inputs (bulk paths: prepared statements and late indexes in
    /// SQLite, binary COPY in PostgreSQL).
    fn bulk_import_graph(
        &mut self,
        kinds: &[&str],
        entities: &[(String, EntityLabel)],
        edges: &[ImportEdge],
    ) -> Result<ImportOutcome>;

    /// Records an analyst decision and applies it at once, in one transaction
    /// (see [`Decision`]). Unknown or merged-away entity ids are
    /// [`StoreError::NoSuchEntity`]; contradictory requests (merging an entity
    /// into itself or a not-same pair, a split without mentions of the entity
    /// or without a new name) are [`StoreError::Invalid`].
    ///
    /// A merge or split re-derives the fact-argument links and evidence of the
    /// documents concerned and recomputes the touched edges from their
    /// evidence (an edge that also carried bulk-imported weight keeps only its
    /// evidence count). The merged-away entity stays as a tombstone (no
    /// mentions, left out of [`Store::entities`] and [`Store::find_entities`])
    /// so that mentions keyed to it in later batches go to the survivor. Splits
    /// and renames apply to what is stored; new mentions are keyed as usual.
    fn add_decision(&mut self, decision: &Decision) -> Result<StoredDecision>;

    /// Every recorded decision, oldest first.
    fn decisions(&self) -> Result<Vec<StoredDecision>>;

    /// Adds rows to the resolver's blocking index (repeats ignored) and records
    /// resolution reasons, in one transaction. Written by ingest's single writer
    /// just before the batch whose names they describe.
    fn put_resolution(&mut self, blocks: &[NameBlock], reasons: &[ResolutionReason]) -> Result<()>;

    /// Names recorded under any of `blocks` for `label`, at most
    /// `limit_per_block` per block (the earliest recorded first), blocks in the
    /// order given.
    fn name_blocks(
        &self,
        label: EntityLabel,
        blocks: &[String],
        limit_per_block: usize,
    ) -> Result<Vec<NameBlock>>;

    /// Why names were resolved into `entity` (by the key of any name the entity
    /// answers to), oldest first.
    fn resolution_reasons(&self, entity: i64, page: Page) -> Result<Vec<ResolutionReason>>;

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
