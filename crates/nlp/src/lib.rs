//! The NLP stage: text in, [`Extraction`] out.
//!
//! Data model in the spirit of spaCy: a [`Doc`] owns the text and its tokens and
//! sentences (byte offsets, internal to this crate); pipeline components add
//! entities; [`Pipeline::extract`] converts everything to code point spans at the
//! boundary, so no byte offset leaves this crate.
//!
//! Entities come from two linear sequence taggers (see `MODEL.md`): a CoNLL model
//! (PER/ORG/LOC/MISC) and a re3d model that uses the CoNLL model's tags as
//! features. Both are embedded in the binary and read in place.

pub mod clusters;
pub mod doc;
pub mod eval;
pub mod facts;
pub mod features;
pub mod gazetteer;
pub mod heads;
pub mod pronouns;
pub mod table;
pub mod tagger;
pub mod tagger_doc;
pub mod tokenize;
pub mod train;

pub use doc::{Doc, Token};
pub use train::{train, GoldDoc, ModelKind, TrainConfig, TrainError, TrainReport};

use clusters::Clusters;
use dossier_core::{EntityLabel, EntityMention, Extraction, OffsetMap, Schema};
use std::borrow::Cow;
use std::path::Path;
use tagger::{Model, Prepared};

static CONLL_MODEL: &[u8] = include_bytes!("../models/conll.bin");
static RE3D_MODEL: &[u8] = include_bytes!("../models/re3d.bin");
static CLUSTERS: &[u8] = include_bytes!("../models/clusters.bin");

/// The shipped word clusters (none if the embedded file is empty or invalid).
pub fn embedded_clusters() -> Option<&'static Clusters> {
    static C: std::sync::OnceLock<Option<Clusters>> = std::sync::OnceLock::new();
    C.get_or_init(|| Clusters::from_bytes(Cow::Borrowed(CLUSTERS)).ok())
        .as_ref()
}

/// A shipped model (none if the embedded file is empty or invalid).
pub fn embedded_model(kind: ModelKind) -> Option<Model> {
    let bytes = match kind {
        ModelKind::Conll => CONLL_MODEL,
        ModelKind::Re3d => RE3D_MODEL,
    };
    Model::from_bytes(Cow::Borrowed(bytes)).ok()
}

/// Tags `text` with `model` (stacked on `stack` when given): code point spans,
/// label names and confidences. Tagger only, no pattern entities merged.
pub fn tag_spans(
    model: &Model,
    stack: Option<&Model>,
    clusters: Option<&Clusters>,
    text: &str,
) -> Vec<(usize, usize, String, f32)> {
    let doc = Doc::new(text);
    let prep = Prepared::new(&doc, clusters);
    let flags = model.flags | stack.map_or(0, |s| s.flags);
    let pats = tagger_doc::doc_patterns(&doc, flags, false);
    let spans = tagger_doc::tag_doc(model, stack, &doc, &prep, &pats);
    let map = OffsetMap::new(text);
    spans
        .iter()
        .filter_map(|s| {
            let a = doc.tokens.get(s.a)?;
            let b = doc.tokens.get(s.b.checked_sub(1)?)?;
            let sp = map.span_to_chars(a.start, b.end);
            Some((
                sp.start,
                sp.end,
                model.tagset.types.get(s.ty)?.clone(),
                s.confidence,
            ))
        })
        .collect()
}

/// Documents longer than this (bytes) are processed in pieces.
const MAX_PIECE_BYTES: usize = 1 << 20;

/// End (byte offset) of the piece starting at `start`: after a blank line, a line
/// break or a sentence end near `start + MAX_PIECE_BYTES`, else a space, else any
/// char boundary.
fn piece_end(text: &str, start: usize) -> usize {
    let hard = start + MAX_PIECE_BYTES;
    if hard >= text.len() {
        return text.len();
    }
    let mut lo = start + MAX_PIECE_BYTES / 2;
    while !text.is_char_boundary(lo) {
        lo += 1;
    }
    let mut cut = hard;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let window = text.get(lo..cut).unwrap_or("");
    for pat in ["\n\n", "\n", ". ", " "] {
        if let Some(p) = window.rfind(pat) {
            return lo + p + pat.len();
        }
    }
    cut
}

/// Pattern matches below this confidence (bare counts) are not emitted as entities.
const PATTERN_MIN_CONFIDENCE: f32 = 0.5;

/// Confidence of a pronoun entity: about the share annotated in re3d training.
const PRONOUN_CONFIDENCE: f32 = 0.6;

/// Confidence of a common-noun phrase entity (its head is an entity end in at least
/// half of its training occurrences).
const NOMINAL_CONFIDENCE: f32 = 0.5;

/// Which label set and which taggers an extraction uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Re3d,
    Conll,
    /// re3d labels with names from the CoNLL model (see `extract_knowledge`).
    Knowledge,
}

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
    conll: Model,
    re3d: Option<Model>,
    /// Label of each model type, resolved once.
    conll_labels: Vec<Option<EntityLabel>>,
    re3d_labels: Vec<Option<EntityLabel>>,
    clusters: Option<&'static Clusters>,
}

/// Errors loading a model.
#[derive(Debug, thiserror::Error)]
pub enum NlpError {
    #[error("model {path}: {message}")]
    Model { path: String, message: String },
}

fn labels_of(m: &Model) -> Vec<Option<EntityLabel>> {
    m.tagset
        .types
        .iter()
        .map(|t| t.parse::<EntityLabel>().ok())
        .collect()
}

impl Pipeline {
    /// The pipeline with the models that ship inside the binary.
    pub fn load_default() -> Result<Pipeline, NlpError> {
        let conll = embedded_model(ModelKind::Conll).ok_or_else(|| NlpError::Model {
            path: "<embedded conll.bin>".into(),
            message: "missing or invalid".into(),
        })?;
        let re3d = embedded_model(ModelKind::Re3d);
        Ok(Pipeline::from_models(conll, re3d, embedded_clusters()))
    }

    /// A pipeline with models read from `dir` (`conll.bin`, optional `re3d.bin`),
    /// e.g. the output directory of [`train`].
    pub fn load_dir(dir: &Path) -> Result<Pipeline, NlpError> {
        let read = |name: &str| -> Result<Option<Model>, NlpError> {
            let p = dir.join(name);
            if !p.exists() {
                return Ok(None);
            }
            let err = |m: String| NlpError::Model {
                path: p.display().to_string(),
                message: m,
            };
            let b = std::fs::read(&p).map_err(|e| err(e.to_string()))?;
            Model::from_bytes(Cow::Owned(b)).map(Some).map_err(err)
        };
        let conll = read("conll.bin")?.ok_or_else(|| NlpError::Model {
            path: dir.join("conll.bin").display().to_string(),
            message: "not found".into(),
        })?;
        let re3d = read("re3d.bin")?;
        Ok(Pipeline::from_models(conll, re3d, embedded_clusters()))
    }

    fn from_models(
        conll: Model,
        re3d: Option<Model>,
        clusters: Option<&'static Clusters>,
    ) -> Pipeline {
        let conll_labels = labels_of(&conll);
        let re3d_labels = re3d.as_ref().map(labels_of).unwrap_or_default();
        Pipeline {
            conll,
            re3d,
            conll_labels,
            re3d_labels,
            clusters,
        }
    }

    /// Name and version of the extractor, recorded as provenance.
    pub fn version(&self) -> &'static str {
        "tagger/1"
    }

    /// Tokenizes and splits `text` into sentences.
    pub fn analyse<'t>(&self, text: &'t str) -> Doc<'t> {
        Doc::new(text)
    }

    /// Runs the whole pipeline on one document: entities (tagger, patterns,
    /// gazetteers) and temporal expressions normalised against `ctx.published`.
    pub fn extract(&self, text: &str, ctx: &DocContext<'_>, schema: Schema) -> Extraction {
        let mode = match schema {
            Schema::Re3d => Mode::Re3d,
            Schema::Conll => Mode::Conll,
        };
        self.extract_mode(text, ctx, mode)
    }

    /// What the knowledge base stores: re3d labels, but names (Person,
    /// Organisation, Location, Nationality) from the CoNLL model, which is far
    /// more accurate on names (93 vs 63 F1 on dev) and keeps titles out of
    /// person names ("President Donald Trump" → role + "Donald Trump"); the re3d
    /// model and the patterns add what only they know (weapons, platforms,
    /// vehicles, money, quantities, identifiers, document references). Costs a
    /// second tagger pass.
    pub fn extract_knowledge(&self, text: &str, ctx: &DocContext<'_>) -> Extraction {
        self.extract_mode(text, ctx, Mode::Knowledge)
    }

    fn extract_mode(&self, text: &str, ctx: &DocContext<'_>, mode: Mode) -> Extraction {
        if text.len() <= MAX_PIECE_BYTES {
            return self.extract_piece(text, ctx, mode);
        }
        // Long texts are processed in pieces cut at paragraph or sentence breaks,
        // so memory stays bounded; spans are shifted back to whole-text offsets.
        let mut out = Extraction::default();
        let mut start = 0usize;
        let mut char_base = 0usize;
        while start < text.len() {
            let end = piece_end(text, start);
            let piece = text.get(start..end).unwrap_or("");
            let mut x = self.extract_piece(piece, ctx, mode);
            for mut e in x.entities {
                e.start += char_base;
                e.end += char_base;
                out.entities.push(e);
            }
            x.facts.shift(char_base);
            out.facts.append(x.facts);
            for s in x.sentences {
                out.sentences.push(dossier_core::CharSpan::new(
                    s.start + char_base,
                    s.end + char_base,
                ));
            }
            char_base += piece.chars().count();
            start = end;
        }
        out
    }

    fn extract_piece(&self, text: &str, ctx: &DocContext<'_>, mode: Mode) -> Extraction {
        let doc = self.analyse(text);
        let map = OffsetMap::new(text);
        let prep = Prepared::new(&doc, self.clusters);
        let want_patterns = mode != Mode::Conll;
        let flags = self.conll.flags | self.re3d.as_ref().map_or(0, |m| m.flags);
        let pats = tagger_doc::doc_patterns(&doc, flags, want_patterns);
        let mut merged = Vec::with_capacity(pats.len() + 64);
        let push = |merged: &mut Vec<tagger_doc::Merged>,
                    spans: &[tagger::TokSpan],
                    labels: &dyn Fn(usize) -> Option<EntityLabel>| {
            for s in spans {
                let (Some(a), Some(b)) = (
                    doc.tokens.get(s.a),
                    s.b.checked_sub(1).and_then(|k| doc.tokens.get(k)),
                ) else {
                    continue;
                };
                let Some(label) = labels(s.ty) else {
                    continue;
                };
                merged.push(tagger_doc::Merged {
                    start: a.start,
                    end: b.end,
                    label,
                    confidence: s.confidence,
                    kind: None,
                    normalized: None,
                    from_pattern: false,
                });
            }
        };
        let conll_label = |ty: usize| self.conll_labels.get(ty).copied().flatten();
        let re3d_label = |ty: usize| self.re3d_labels.get(ty).copied().flatten();
        match (mode, &self.re3d) {
            (Mode::Conll, _) => {
                let spans = tagger_doc::tag_doc(&self.conll, None, &doc, &prep, &pats);
                push(&mut merged, &spans, &conll_label);
            }
            (Mode::Re3d, Some(re3d)) => {
                let spans = tagger_doc::tag_doc(re3d, Some(&self.conll), &doc, &prep, &pats);
                push(&mut merged, &spans, &re3d_label);
            }
            (Mode::Re3d, None) | (Mode::Knowledge, None) => {
                let spans = tagger_doc::tag_doc(&self.conll, None, &doc, &prep, &pats);
                push(&mut merged, &spans, &|ty| {
                    conll_label(ty).map(|l| l.to_re3d())
                });
            }
            (Mode::Knowledge, Some(re3d)) => {
                // Both passes usually take the same gazetteer and pattern features:
                // they are found once, and a re3d model stacked on the CoNLL model
                // reuses the names pass's tags instead of tagging again.
                let names_ex = tagger_doc::add_stack(
                    tagger_doc::base_extra(self.conll.flags, &doc, &prep, &pats),
                    self.conll.flags,
                    None,
                    None,
                    &prep,
                );
                let (names_tags, names) = self.conll.tag(&prep, Some(&names_ex));
                // MISC is nationalities, events, works...: only demonyms become Nationality.
                let gaz = gazetteer::Gazetteer::global();
                let name_label = |s: &tagger::TokSpan| -> Option<EntityLabel> {
                    match conll_label(s.ty)? {
                        EntityLabel::Misc => {
                            let a = doc.tokens.get(s.a)?.start;
                            let b = doc.tokens.get(s.b.checked_sub(1)?)?.end;
                            let phrase = text.get(a..b)?;
                            gaz.lookup(phrase)
                                .iter()
                                .any(|(_, e)| e.category == gazetteer::GazCategory::Nationality)
                                .then_some(EntityLabel::Nationality)
                        }
                        // A lone word the CoNLL model calls a person but the gazetteer
                        // knows as a country or city ("the Lyon gunman") is the place.
                        EntityLabel::Per if s.b == s.a + 1 => {
                            let t = doc.tokens.get(s.a)?;
                            let word = text.get(t.start..t.end)?;
                            let place = gaz.lookup(word).iter().any(|(_, e)| {
                                matches!(
                                    e.category,
                                    gazetteer::GazCategory::Country | gazetteer::GazCategory::City
                                )
                            });
                            Some(if place {
                                EntityLabel::Location
                            } else {
                                EntityLabel::Person
                            })
                        }
                        other => Some(other.to_re3d()),
                    }
                };
                let kept: Vec<(tagger::TokSpan, EntityLabel)> = names
                    .into_iter()
                    .filter_map(|s| name_label(&s).map(|l| (s, l)))
                    .collect();
                let base = tagger_doc::BASE_FLAGS;
                let others = if (re3d.flags | self.conll.flags) & base == self.conll.flags & base {
                    let ex = if re3d.flags & features::USE_STACK != 0 {
                        tagger_doc::add_stack(
                            names_ex,
                            re3d.flags,
                            Some(&self.conll),
                            Some(&names_tags),
                            &prep,
                        )
                    } else {
                        names_ex
                    };
                    re3d.tag(&prep, Some(&ex)).1
                } else {
                    tagger_doc::tag_doc(re3d, Some(&self.conll), &doc, &prep, &pats)
                };
                let taken = |a: usize, b: usize| kept.iter().any(|(s, _)| s.a < b && a < s.b);
                let extra: Vec<tagger::TokSpan> = others
                    .into_iter()
                    .filter(|s| {
                        !matches!(
                            re3d_label(s.ty),
                            None | Some(
                                EntityLabel::Person
                                    | EntityLabel::Organisation
                                    | EntityLabel::Location
                                    | EntityLabel::Nationality
                            )
                        ) && !taken(s.a, s.b)
                    })
                    .collect();
                let (spans, labels): (Vec<tagger::TokSpan>, Vec<EntityLabel>) =
                    kept.into_iter().unzip();
                for (s, l) in spans.iter().zip(labels) {
                    push(&mut merged, std::slice::from_ref(s), &|_| Some(l));
                }
                push(&mut merged, &extra, &re3d_label);
                merged.sort_by_key(|m| (m.start, m.end));
            }
        }
        if mode == Mode::Re3d {
            // re3d annotates common-noun phrases and personal pronouns; add those the
            // tagger left (MODEL.md).
            merged.sort_by_key(|m| (m.start, m.end));
            let mut taken: Vec<(usize, usize)> = merged.iter().map(|m| (m.start, m.end)).collect();
            let mut added = Vec::new();
            for (a, b, label) in heads::untagged_heads(&doc, &taken) {
                added.push((a, b, label, NOMINAL_CONFIDENCE, "nominal"));
            }
            for &(a, b, ..) in &added {
                if let (Some(s), Some(e)) = (doc.tokens.get(a), doc.tokens.get(b.saturating_sub(1)))
                {
                    taken.push((s.start, e.end));
                }
            }
            taken.sort_unstable();
            for (i, label) in pronouns::untagged_pronouns(&doc, &taken) {
                added.push((i, i + 1, label, PRONOUN_CONFIDENCE, "pronoun"));
            }
            for (a, b, label, confidence, kind) in added {
                let (Some(s), Some(e)) = (doc.tokens.get(a), doc.tokens.get(b.saturating_sub(1)))
                else {
                    continue;
                };
                merged.push(tagger_doc::Merged {
                    start: s.start,
                    end: e.end,
                    label,
                    confidence,
                    kind: Some(kind),
                    normalized: None,
                    from_pattern: false,
                });
            }
        }
        if want_patterns {
            merged = tagger_doc::merge_patterns(merged, &pats, PATTERN_MIN_CONFIDENCE);
        }
        let entities: Vec<EntityMention> = merged
            .into_iter()
            .filter_map(|m| {
                let sp = map.span_to_chars(m.start, m.end);
                Some(EntityMention {
                    start: sp.start,
                    end: sp.end,
                    label: m.label,
                    text: text.get(m.start..m.end)?.to_string(),
                    confidence: m.confidence,
                    kind: m.kind.map(|k| k.to_string()),
                    normalized: m.normalized,
                    extractor: if m.from_pattern {
                        "pattern/1".to_string()
                    } else if m.kind == Some("pronoun") {
                        "pronoun/1".to_string()
                    } else if m.kind == Some("nominal") {
                        "nominal/1".to_string()
                    } else {
                        self.version().to_string()
                    },
                })
            })
            .collect();
        let sentences = doc
            .sentences
            .iter()
            .map(|&(s, e)| map.span_to_chars(s, e))
            .collect();
        let times = time::extract_times(text, ctx.published);
        let facts = facts::extract_all(&facts::FactInput {
            text,
            doc: &doc,
            map: &map,
            entities: &entities,
            times: &times,
            published: ctx.published,
        });
        Extraction {
            entities,
            facts,
            sentences,
        }
    }
}
pub mod patterns;
pub mod time;
