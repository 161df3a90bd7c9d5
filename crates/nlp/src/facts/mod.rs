//! Fact extractors: the statements that connect entities (roles, quotes,
//! relations, events, numeric claims). They run after the tagger, patterns and
//! time expressions, on one piece of text at a time, and see everything found
//! so far: the tokens and sentences of the `Doc` (byte offsets, crate-private)
//! and the entities and times (code point offsets, as they leave the crate).
//!
//! Order matters and is fixed in [`extract_all`]: roles first (a quote's speaker
//! role and a relation's role-at come from them), then quotes, relations,
//! events and claims (a claim's source is a quote's speaker).

use crate::doc::Doc;
use dossier_core::{EntityMention, Facts, OffsetMap, TimeMention};

pub mod claims;
pub mod events;
pub mod quotes;
pub mod relations;
pub mod roles;

/// What a fact extractor may look at.
pub struct FactInput<'a> {
    /// The text of this piece.
    pub text: &'a str,
    /// Tokens and sentences of `text` (byte offsets).
    pub doc: &'a Doc<'a>,
    /// Byte ↔ code point conversion for `text`.
    pub map: &'a OffsetMap,
    /// Entity mentions, code point offsets, sorted by start, non-overlapping.
    pub entities: &'a [EntityMention],
    /// Time expressions, code point offsets, normalised against `published`.
    pub times: &'a [TimeMention],
    /// The document's publication date (ISO 8601), if known.
    pub published: Option<&'a str>,
}

/// Runs every fact extractor in dependency order. `times` are passed through.
pub fn extract_all(input: &FactInput<'_>) -> Facts {
    let mut facts = Facts {
        times: input.times.to_vec(),
        ..Default::default()
    };
    // Roles and quotes read the same token analysis: built once.
    let an = roles::Analysis::new(input);
    facts.roles = roles::extract_with(&an);
    facts.quotes = quotes::extract_with(input, &an, &facts);
    facts.relations = relations::extract(input, &facts);
    facts.events = events::extract(input, &facts);
    facts.claims = claims::extract(input, &facts);
    facts
}
