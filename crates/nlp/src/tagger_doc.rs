//! Runs the taggers over a document: gathers the gazetteer, pattern and stacking
//! features, tags, and merges pattern entities with tagger entities.

use crate::doc::Doc;
use crate::features::{self, Extra, USE_GAZ, USE_PATTERNS, USE_STACK};
use crate::gazetteer::Gazetteer;
use crate::patterns::{self, PatternMatch};
use crate::tagger::{self, Model, Prepared, TokSpan};

/// Token range `[a, b)` of a byte range (tokens overlapping it), if any.
pub fn token_range(doc: &Doc<'_>, start: usize, end: usize) -> Option<(usize, usize)> {
    let a = doc.tokens.partition_point(|t| t.end <= start);
    let b = doc.tokens.partition_point(|t| t.start < end);
    (a < b).then_some((a, b))
}

/// The gazetteer and pattern features that `flags` ask for (not yet grouped by
/// token: see [`Extra::finish`]). They depend only on `flags & BASE_FLAGS`.
pub fn base_extra(flags: u32, doc: &Doc<'_>, prep: &Prepared, pats: &[PatternMatch]) -> Extra {
    let mut ex = Extra::default();
    if flags & USE_GAZ != 0 {
        let m = Gazetteer::global().matches_doc(doc);
        features::gazetteer_keys(&m, &prep.toks, &mut ex);
    }
    if flags & USE_PATTERNS != 0 {
        let spans: Vec<(usize, usize, &str)> = pats
            .iter()
            .filter_map(|p| token_range(doc, p.start, p.end).map(|(a, b)| (a, b, p.kind)))
            .collect();
        features::pattern_keys(&spans, &prep.toks, &mut ex);
    }
    ex
}

/// The flags [`base_extra`] depends on.
pub const BASE_FLAGS: u32 = USE_GAZ | USE_PATTERNS;

/// The extra features `model` needs for `doc` (stacking on `stack` if it uses it).
/// `pats` are the document's pattern matches (used when the model wants them).
pub fn build_extra(
    model_flags: u32,
    stack: Option<&Model>,
    doc: &Doc<'_>,
    prep: &Prepared,
    pats: &[PatternMatch],
) -> Extra {
    let flags = model_flags | stack.map_or(0, |s| s.flags);
    let ex = base_extra(flags, doc, prep, pats);
    add_stack(ex, model_flags, stack, None, prep)
}

/// Adds the stacking features of `stack` to `ex` (gazetteer and pattern
/// features, unfinished) if `model_flags` use stacking, and groups the keys by
/// token. `stack_tags`: the stacked model's tags for this document if already
/// known for exactly these features (they are computed otherwise).
pub fn add_stack(
    mut ex: Extra,
    model_flags: u32,
    stack: Option<&Model>,
    stack_tags: Option<&[u16]>,
    prep: &Prepared,
) -> Extra {
    let n = prep.toks.len();
    if let Some(s) = stack.filter(|_| model_flags & USE_STACK != 0) {
        let computed;
        let tags = match stack_tags {
            Some(t) => t,
            None => {
                let mut sx = ex.clone();
                sx.finish(n);
                computed = s.tag(prep, Some(&sx)).0;
                &computed
            }
        };
        tagger::stack_features(&s.tagset, tags, &prep.toks, &mut ex);
    }
    ex.finish(n);
    ex
}

/// Pattern matches of `doc` if any model needs them or `want` is set.
pub fn doc_patterns(doc: &Doc<'_>, flags: u32, want: bool) -> Vec<PatternMatch> {
    if want || flags & USE_PATTERNS != 0 {
        patterns::find_in_doc(doc)
    } else {
        Vec::new()
    }
}

/// Tags `doc` with `model` (stacked on `stack`); returns token spans.
pub fn tag_doc(
    model: &Model,
    stack: Option<&Model>,
    doc: &Doc<'_>,
    prep: &Prepared,
    pats: &[PatternMatch],
) -> Vec<TokSpan> {
    let ex = build_extra(model.flags, stack, doc, prep, pats);
    model.tag(prep, Some(&ex)).1
}

/// A merged entity: byte span, label, confidence, pattern kind and value, extractor.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    pub start: usize,
    pub end: usize,
    pub label: dossier_core::EntityLabel,
    pub confidence: f32,
    pub kind: Option<&'static str>,
    pub normalized: Option<String>,
    pub from_pattern: bool,
}

/// Pattern kinds whose matches beat the tagger: identifiers and notations that
/// rules get right and the tagger rarely saw in training.
fn pattern_wins(kind: &str) -> bool {
    matches!(
        kind,
        "email" | "phone" | "url" | "handle" | "ip" | "coordinate" | "mgrs" | "frequency" | "band"
    )
}

/// Merges pattern matches into tagger spans without overlaps. Decisive patterns
/// (e-mail, phone, URL, handle, IP, coordinates, frequencies) replace overlapping
/// tagger spans; the other patterns (money, quantities, dates, document references)
/// only fill places where the tagger found nothing, since the tagger, trained on
/// re3d extents, scores better there on dev.
pub fn merge_patterns(
    mut tagged: Vec<Merged>,
    pats: &[PatternMatch],
    min_conf: f32,
) -> Vec<Merged> {
    let overlaps = |a: &Merged, s: usize, e: usize| a.start < e && s < a.end;
    for p in pats.iter().filter(|p| pattern_wins(p.kind)) {
        tagged.retain(|t| t.from_pattern || !overlaps(t, p.start, p.end));
        if !tagged.iter().any(|t| overlaps(t, p.start, p.end)) {
            tagged.push(Merged::from_pattern(p));
        }
    }
    for p in pats
        .iter()
        .filter(|p| !pattern_wins(p.kind) && p.confidence >= min_conf)
    {
        if !tagged.iter().any(|t| overlaps(t, p.start, p.end)) {
            tagged.push(Merged::from_pattern(p));
        }
    }
    tagged.sort_by_key(|t| (t.start, t.end));
    tagged
}

impl Merged {
    fn from_pattern(p: &PatternMatch) -> Merged {
        Merged {
            start: p.start,
            end: p.end,
            label: p.label,
            confidence: p.confidence,
            kind: Some(p.kind),
            normalized: p.normalized.clone(),
            from_pattern: true,
        }
    }
}
