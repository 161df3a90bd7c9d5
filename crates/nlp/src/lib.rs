//! The NLP stage: text in, [`Extraction`] out.
//!
//! Data model in the spirit of spaCy: a [`Doc`] owns the text and its tokens and
//! sentences (byte offsets, internal to this crate); pipeline components add
//! entities; [`Pipeline::extract`] converts everything to code point spans at the
//! boundary, so no byte offset leaves this crate.

pub mod doc;
pub mod tokenize;
pub mod gazetteer;

pub use doc::{Doc, Token};

use dossier_core::{EntityLabel, EntityMention, Extraction, OffsetMap, Schema};

/// What the pipeline knows about a document besides its text.
#[derive(Debug, Clone, Copy, Default)]
pub struct DocContext<'a> {
    /// Publication date (`YYYY-MM-DD`), the anchor for relative times.
    pub published: Option<&'a str>,
}

/// The NLP pipeline: tokenizer, sentence splitter and entity recognisers.
///
/// Cheap to share across threads (`&Pipeline` is `Sync`); build it once.
pub struct Pipeline {
    _private: (),
}

/// Errors loading a model.
#[derive(Debug, thiserror::Error)]
pub enum NlpError {
    #[error("model {path}: {message}")]
    Model { path: String, message: String },
}

impl Pipeline {
    /// The pipeline with the models that ship inside the binary.
    pub fn load_default() -> Result<Pipeline, NlpError> {
        Ok(Pipeline { _private: () })
    }

    /// Name and version of the extractor, recorded as provenance.
    pub fn version(&self) -> &'static str {
        "heuristic/0"
    }

    /// Tokenizes and splits `text` into sentences.
    pub fn analyse<'t>(&self, text: &'t str) -> Doc<'t> {
        Doc::new(text)
    }

    /// Runs the whole pipeline on one document.
    pub fn extract(&self, text: &str, _ctx: &DocContext<'_>, schema: Schema) -> Extraction {
        let doc = self.analyse(text);
        let map = OffsetMap::new(text);
        let mut entities = Vec::new();
        // Placeholder recogniser: runs of capitalised tokens that do not start a sentence.
        let mut i = 0;
        let toks = &doc.tokens;
        while i < toks.len() {
            let is_cap = |t: &Token| {
                let s = &text[t.start..t.end];
                s.chars().next().is_some_and(|c| c.is_uppercase()) && s.chars().count() > 1
            };
            if is_cap(&toks[i]) && !doc.starts_sentence(i) {
                let mut j = i + 1;
                while j < toks.len() && is_cap(&toks[j]) {
                    j += 1;
                }
                let (s, e) = (toks[i].start, toks[j - 1].end);
                let label = if schema == Schema::Conll { EntityLabel::Misc } else { EntityLabel::Organisation };
                let span = map.span_to_chars(s, e);
                entities.push(EntityMention {
                    start: span.start,
                    end: span.end,
                    label,
                    text: text[s..e].to_string(),
                    confidence: 0.3,
                    kind: None,
                    normalized: None,
                    extractor: self.version().to_string(),
                });
                i = j;
            } else {
                i += 1;
            }
        }
        let sentences = doc.sentences.iter().map(|&(s, e)| map.span_to_chars(s, e)).collect();
        Extraction { entities, sentences }
    }
}
