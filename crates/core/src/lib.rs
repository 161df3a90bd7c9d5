//! The shared vocabulary of dossier.
//!
//! Every stage of the pipeline (ingest → nlp → resolve → store → analyse → serve)
//! speaks in these types, so none of them depends on another stage's internals.
//!
//! Invariant: every span that leaves a stage is a [`CharSpan`] of Unicode scalar
//! (code point) offsets into the document text, end exclusive — the same indexing
//! as Python's `str`. Byte offsets never cross a crate boundary.

pub mod document;
pub mod extraction;
pub mod facts;
pub mod query;
pub mod span;

pub use document::{DocId, Document, Format};
pub use extraction::{
    EntityLabel, EntityMention, Extraction, Provenance, Schema, TimeMention, TimeType,
};
pub use facts::{
    Arg, Claim, Event, EventArgument, EventRole, EventType, Facts, Quote, QuoteKind, Relation,
    Role, SYMMETRIC_RELATIONS,
};
pub use query::{ParseError, Query, SearchFilters, SearchRequest};
pub use span::{CharSpan, OffsetMap};
