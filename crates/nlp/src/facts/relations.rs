//! Relations between entity mentions: the re3d relation types, learnt by a
//! multi-class linear model (logistic regression) over pairs of mentions in
//! one sentence, a few re3d-type patterns, and dossier's own MemberOf, RoleAt
//! and LocatedIn from patterns. See `MODEL.md`.
//!
//! Candidates are the pipeline's entity mentions and a few variants of each
//! (leading determiner or quantifier dropped, a leading number split off as a
//! Quantity, parts around an inner comma): re3d argument spans often differ
//! from our entity spans by exactly these edits ("650,000 Syrians" is
//! HasAttrOf(Syrians, 650,000)). Variants of one mention form a *family*; at
//! most one relation is kept per pair of families.
//!
//! Under the re3d schema the own types are mapped onto the re3d type with the
//! same meaning (MemberOf → BelongsTo, RoleAt → InChargeOf/BelongsTo,
//! LocatedIn → CoLocated) and only emitted where the model said nothing about
//! that pair, so they never count as a foreign type against re3d scores. Under
//! the CoNLL schema they keep their own names. See `MODEL.md`.

use super::FactInput;
use crate::doc::Doc;
use dossier_core::{Arg, EntityLabel, EntityMention, Facts, OffsetMap, Relation, Schema};
use rustc_hash::FxHashMap;
use std::borrow::Cow;

static RELATIONS_MODEL: &[u8] = include_bytes!("../../models/relations.bin");

/// The shipped relation model (none if the embedded file is empty or invalid).
pub fn embedded_model() -> Option<&'static RelModel> {
    static M: std::sync::OnceLock<Option<RelModel>> = std::sync::OnceLock::new();
    M.get_or_init(|| RelModel::from_bytes(RELATIONS_MODEL).ok())
        .as_ref()
}

/// The re3d relation types, spelled as in the data.
pub const RE3D_TYPES: [&str; 11] = [
    "CoLocated",
    "FightingAgainst",
    "BelongsTo",
    "HasAttrOf",
    "InChargeOf",
    "CommWith",
    "IsSynonymOf",
    "AlliesOf",
    "Likes",
    "Dislikes",
    "Apart",
];

/// Extractor names recorded as provenance.
pub const MODEL_EXTRACTOR: &str = "relations/linear-1";
pub const PATTERN_EXTRACTOR: &str = "relations/pattern-1";

/// Mentions per sentence considered for pairs (the nearest pairs first).
const MAX_PAIRS_PER_SENTENCE: usize = 300;
/// Variants of a pair of entities are scored only when the entities themselves
/// scored within this margin (logit units) of a relation.
const VARIANT_PRUNE: f32 = 3.0;
/// Pairs further apart than this many tokens are not considered.
const MAX_TOKEN_GAP: usize = 45;

/// The relations stated in one piece of text.
pub fn extract(input: &FactInput<'_>, so_far: &Facts) -> Vec<Relation> {
    let schema = if input
        .entities
        .iter()
        .any(|e| e.label.schema() == Schema::Conll)
    {
        Schema::Conll
    } else {
        Schema::Re3d
    };
    extract_with(
        embedded_model(),
        input.text,
        input.doc,
        input.map,
        input.entities,
        so_far,
        schema,
    )
}

/// [`extract`] with an explicit model (`None`: patterns only) and schema.
pub fn extract_with(
    model: Option<&RelModel>,
    text: &str,
    doc: &Doc<'_>,
    map: &OffsetMap,
    entities: &[EntityMention],
    so_far: &Facts,
    schema: Schema,
) -> Vec<Relation> {
    if entities.len() < 2 && so_far.roles.is_empty() {
        return Vec::new();
    }
    let ctx = Ctx::new(text, doc);
    let mentions = build_mentions(&ctx, map, entities, true, None, model.map(|m| &m.lexicon));
    let mut out = Vec::new();
    let mut seen_pairs: rustc_hash::FxHashSet<(usize, usize)> = Default::default();
    if let Some(m) = model {
        for r in decode(m, &ctx, &mentions, m.none_bias) {
            seen_pairs.insert(family_key(&mentions, r.a, r.b));
            if let Some(rel) = make_relation(&ctx, map, &mentions, &r, MODEL_EXTRACTOR) {
                out.push(rel);
            }
        }
    }
    for p in patterns(&ctx, &mentions) {
        // A pattern only adds where the model (or an earlier pattern) was
        // silent on the pair.
        let key = family_key(&mentions, p.a, p.b);
        if seen_pairs.contains(&key) {
            continue;
        }
        let mapped = match schema {
            Schema::Conll => Some(p.kind),
            Schema::Re3d => to_re3d(p.kind, p.title_kind),
        };
        let Some(kind) = mapped else { continue };
        seen_pairs.insert(key);
        let r = Scored {
            a: p.a,
            b: p.b,
            kind: kind.to_string(),
            swap: p.swap,
            margin: p.margin,
        };
        let mut found = vec![r.clone()];
        for x in propagate_list(&ctx, &mentions, &r) {
            let k = family_key(&mentions, x.a, x.b);
            if seen_pairs.insert(k) {
                found.push(x);
            }
        }
        for r in found {
            if let Some(rel) = make_relation(&ctx, map, &mentions, &r, PATTERN_EXTRACTOR) {
                out.push(rel);
            }
        }
    }
    // RoleAt from the role extractor (person + organisation stated together).
    // Under re3d these are left out: the role is already in `roles`, and the
    // mapped relation measured 0 true / 2 false positives on re3d dev.
    let role_relations = if schema == Schema::Conll {
        so_far.roles.as_slice()
    } else {
        &[]
    };
    for role in role_relations {
        let (Some(person), Some(org)) = (&role.person, &role.organisation) else {
            continue;
        };
        out.push(Relation {
            kind: "RoleAt".to_string(),
            source: person.clone(),
            target: org.clone(),
            trigger: Some(role.title.clone()),
            confidence: role.confidence.min(0.9),
            extractor: PATTERN_EXTRACTOR.to_string(),
        });
    }
    out
}

// ---------------------------------------------------------------------------
// Text context and candidate mentions

/// Per-text data shared by every pair: lower-cased tokens, sentence of each token.
pub(crate) struct Ctx<'a> {
    text: &'a str,
    doc: &'a Doc<'a>,
    lower: Vec<Cow<'a, str>>,
    sent_of: Vec<u32>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(text: &'a str, doc: &'a Doc<'a>) -> Ctx<'a> {
        let mut lower = Vec::with_capacity(doc.tokens.len());
        let mut sent_of = Vec::with_capacity(doc.tokens.len());
        let mut s = 0u32;
        for (i, t) in doc.tokens.iter().enumerate() {
            let w = text.get(t.start..t.end).unwrap_or("");
            lower.push(if w.chars().any(|c| c.is_uppercase()) {
                Cow::Owned(w.to_lowercase())
            } else {
                Cow::Borrowed(w)
            });
            if i > 0 && doc.starts_sentence(i) {
                s += 1;
            }
            sent_of.push(s);
        }
        Ctx {
            text,
            doc,
            lower,
            sent_of,
        }
    }

    fn lw(&self, i: usize) -> &str {
        self.lower.get(i).map_or("", |c| c.as_ref())
    }

    fn word(&self, i: usize) -> &str {
        self.doc
            .tokens
            .get(i)
            .and_then(|t| self.text.get(t.start..t.end))
            .unwrap_or("")
    }
}

/// A candidate argument: a token range with a label.
#[derive(Debug, Clone)]
pub(crate) struct Mention {
    /// Token range, end exclusive.
    pub(crate) ta: usize,
    pub(crate) tb: usize,
    pub(crate) label: EntityLabel,
    pub(crate) family: usize,
    pub(crate) sent: u32,
    /// The first candidate of its family (the entity as found).
    pub(crate) primary: bool,
}

impl Mention {
    fn bytes(&self, ctx: &Ctx<'_>) -> Option<(usize, usize)> {
        let a = ctx.doc.tokens.get(self.ta)?;
        let b = ctx.doc.tokens.get(self.tb.checked_sub(1)?)?;
        Some((a.start, b.end))
    }
}

/// Vague quantifiers that re3d leaves out of entity spans.
fn is_quantifier_lead(w: &str) -> bool {
    matches!(
        w,
        "about"
            | "some"
            | "many"
            | "more"
            | "most"
            | "nearly"
            | "approximately"
            | "around"
            | "almost"
            | "several"
            | "roughly"
    )
}

/// Words dropped from the front of a mention to make a variant.
fn is_droppable_lead(w: &str) -> bool {
    matches!(
        w,
        "the"
            | "a"
            | "an"
            | "about"
            | "some"
            | "many"
            | "more"
            | "most"
            | "nearly"
            | "approximately"
            | "around"
            | "over"
            | "almost"
            | "several"
            | "all"
            | "its"
            | "their"
            | "his"
            | "her"
            | "our"
    )
}

fn is_number_word(w: &str) -> bool {
    if w.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        return w
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | '%'));
    }
    matches!(
        w,
        "one"
            | "two"
            | "three"
            | "four"
            | "five"
            | "six"
            | "seven"
            | "eight"
            | "nine"
            | "ten"
            | "eleven"
            | "twelve"
            | "fifteen"
            | "twenty"
            | "thirty"
            | "fifty"
            | "hundred"
            | "hundreds"
            | "thousand"
            | "thousands"
            | "million"
            | "millions"
            | "dozens"
            | "dozen"
    )
}

/// Token range `[ta, tb)` covering byte span `[bs, be)` (tokens overlapping it).
fn token_range(doc: &Doc<'_>, bs: usize, be: usize) -> Option<(usize, usize)> {
    let ta = doc.tokens.partition_point(|t| t.end <= bs);
    let tb = doc.tokens.partition_point(|t| t.start < be);
    (ta < tb).then_some((ta, tb))
}

/// Candidate mentions from entities (code point spans), with variants when
/// `expand`; `extra` adds more spans (training: gold relation arguments).
pub(crate) fn build_mentions(
    ctx: &Ctx<'_>,
    map: &OffsetMap,
    entities: &[EntityMention],
    expand: bool,
    extra: Option<&[(usize, usize, EntityLabel)]>,
    lexicon: Option<&FxHashMap<String, EntityLabel>>,
) -> Vec<Mention> {
    let mut out: Vec<Mention> = Vec::with_capacity(entities.len() * 2);
    let mut family = 0usize;
    let mut spans_seen: rustc_hash::FxHashSet<(usize, usize)> = Default::default();
    let mut families_seen: rustc_hash::FxHashSet<usize> = Default::default();
    let mut push = |out: &mut Vec<Mention>, ta: usize, tb: usize, label: EntityLabel, f: usize| {
        if ta >= tb || !spans_seen.insert((ta, tb)) {
            return;
        }
        let sent = ctx.sent_of.get(ta).copied().unwrap_or(0);
        if ctx.sent_of.get(tb - 1).copied() != Some(sent) {
            return;
        }
        out.push(Mention {
            ta,
            tb,
            label,
            family: f,
            sent,
            primary: families_seen.insert(f),
        });
    };
    // Extra spans first: on equal spans their label wins.
    let spans = extra
        .unwrap_or(&[])
        .iter()
        .map(|&(s, e, l)| (s, e, l, false))
        .chain(entities.iter().map(|e| (e.start, e.end, e.label, true)));
    for (cs, ce, label, is_entity) in spans {
        let label = label.to_re3d();
        let Some((ta, tb)) = token_range(ctx.doc, map.to_byte(cs), map.to_byte(ce)) else {
            continue;
        };
        let f = family;
        family += 1;
        // re3d spans almost never start with a vague quantifier ("more
        // prisoners" is "prisoners"): such a lead is always dropped.
        let mut ta = ta;
        if expand && is_entity {
            while ta + 1 < tb && is_quantifier_lead(ctx.lw(ta)) {
                ta += 1;
            }
        }
        push(&mut out, ta, tb, label, f);
        if !expand || !is_entity {
            continue;
        }
        // Drop leading determiners ("the SDF" → "SDF"): both are candidates.
        let mut a = ta;
        while a + 1 < tb && is_droppable_lead(ctx.lw(a)) {
            a += 1;
            push(&mut out, a, tb, label, f);
        }
        // "about 350 Syrians": the number becomes a Quantity of its own family.
        if a + 1 < tb && is_number_word(ctx.lw(a)) && label != EntityLabel::Quantity {
            let mut n = a + 1;
            while n + 1 < tb && is_number_word(ctx.lw(n)) {
                n += 1;
            }
            push(&mut out, n, tb, label, f);
            let q = family;
            family += 1;
            push(&mut out, a, n, EntityLabel::Quantity, q);
        }
        // "2nd Battalion, 5th Special Forces Group": the parts, each its own family.
        if let Some(c) = (ta + 1..tb.saturating_sub(1)).find(|&i| ctx.lw(i) == ",") {
            for (x, y) in [(ta, c), (c + 1, tb)] {
                let p = family;
                family += 1;
                push(&mut out, x, y, label, p);
            }
        }
    }
    // Lexicon words where no candidate is (longest first).
    if let Some(lex) = lexicon.filter(|l| !l.is_empty()) {
        let mut covered = vec![false; ctx.doc.tokens.len()];
        for m in &out {
            for c in covered.iter_mut().take(m.tb).skip(m.ta) {
                *c = true;
            }
        }
        let free = |k: usize| covered.get(k) == Some(&false);
        let mut i = 0;
        let mut key = String::new();
        while i < ctx.doc.tokens.len() {
            if free(i) && free(i + 1) {
                key.clear();
                key.push_str(ctx.lw(i));
                key.push(' ');
                key.push_str(ctx.lw(i + 1));
                if let Some(&l) = lex.get(&key) {
                    let f = family;
                    family += 1;
                    push(&mut out, i, i + 2, l, f);
                    i += 2;
                    continue;
                }
            }
            if free(i) {
                if let Some(&l) = lex.get(ctx.lw(i)) {
                    let f = family;
                    family += 1;
                    push(&mut out, i, i + 1, l, f);
                }
            }
            i += 1;
        }
    }
    out.sort_by_key(|m| (m.ta, m.tb));
    out
}

fn family_key(ms: &[Mention], a: usize, b: usize) -> (usize, usize) {
    let fa = ms.get(a).map_or(usize::MAX, |m| m.family);
    let fb = ms.get(b).map_or(usize::MAX, |m| m.family);
    (fa.min(fb), fa.max(fb))
}

/// Pairs of mention indexes `(i, j)`, `i` before `j`, same sentence, no overlap,
/// nearest first, at most [`MAX_PAIRS_PER_SENTENCE`] per sentence.
pub(crate) fn pairs(ms: &[Mention]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut s0 = 0usize;
    while s0 < ms.len() {
        let sent = ms.get(s0).map_or(0, |m| m.sent);
        let mut s1 = s0;
        while ms.get(s1).is_some_and(|m| m.sent == sent) {
            s1 += 1;
        }
        let mut local: Vec<(usize, usize, usize)> = Vec::new();
        // Mentions are sorted by start: the second of a pair comes later in the
        // slice, and the scan stops at the first one too far away, so a huge
        // "sentence" (a list with no full stop) costs linear time.
        for i in s0..s1 {
            let Some(a) = ms.get(i) else { continue };
            for j in i + 1..s1 {
                let Some(b) = ms.get(j) else { break };
                if b.ta > a.tb + MAX_TOKEN_GAP {
                    break;
                }
                if a.tb > b.ta || a.family == b.family {
                    continue;
                }
                local.push((b.ta - a.tb, i, j));
            }
        }
        local.sort_unstable();
        local.truncate(MAX_PAIRS_PER_SENTENCE);
        out.extend(local.into_iter().map(|(_, i, j)| (i, j)));
        s0 = s1;
    }
    out
}

// ---------------------------------------------------------------------------
// Features

const SEP: u8 = 0x1f;

fn fnv(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for &b in p.as_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= u64::from(SEP);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn gap_bucket(g: usize) -> &'static str {
    match g {
        0 => "0",
        1 => "1",
        2 => "2",
        3 => "3",
        4..=5 => "4-5",
        6..=8 => "6-8",
        9..=12 => "9-12",
        13..=20 => "13-20",
        _ => "21+",
    }
}

/// Short shape of a word: runs of X, x, d and other characters collapsed
/// (at most 8 bytes, written into `buf`).
fn short_shape<'b>(w: &str, buf: &'b mut [u8; 8]) -> &'b str {
    let mut n = 0;
    let mut prev = 0u8;
    for c in w.chars() {
        let k = if c.is_uppercase() {
            b'X'
        } else if c.is_lowercase() {
            b'x'
        } else if c.is_ascii_digit() {
            b'd'
        } else if c.is_ascii() {
            c as u8
        } else {
            b'~'
        };
        if k != prev {
            let Some(slot) = buf.get_mut(n) else { break };
            *slot = k;
            n += 1;
            prev = k;
        }
    }
    std::str::from_utf8(buf.get(..n).unwrap_or(&[])).unwrap_or("")
}

/// Hash of a tag, a word sequence and more parts (no allocation).
fn fnv_seq(tag: &str, seq: &[&str], more: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |p: &str| {
        for &b in p.as_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= u64::from(SEP);
        h = h.wrapping_mul(0x0100_0000_01b3);
    };
    eat(tag);
    for p in seq.iter().chain(more) {
        eat(p);
    }
    h
}

/// The longest mention starting at token `k` and ending by `limit`.
fn mention_at(ms: &[Mention], k: usize, limit: usize) -> Option<&Mention> {
    let from = ms.partition_point(|m| m.ta < k);
    ms.get(from..)?
        .iter()
        .take_while(|m| m.ta == k)
        .filter(|m| m.tb <= limit)
        .max_by_key(|m| m.tb)
}

/// Hashed features of the pair (`a` before `b`).
pub(crate) fn pair_features(ctx: &Ctx<'_>, ms: &[Mention], i: usize, j: usize, out: &mut Vec<u64>) {
    out.clear();
    let (Some(a), Some(b)) = (ms.get(i), ms.get(j)) else {
        return;
    };
    let la = a.label.as_str();
    let lb = b.label.as_str();
    let gap = b.ta.saturating_sub(a.tb);
    let gb = gap_bucket(gap);
    out.push(fnv(&["bias"]));
    out.push(fnv(&["lp", la, lb]));
    out.push(fnv(&["gap", gb]));
    out.push(fnv(&["gap-lp", gb, la, lb]));
    // Other mentions (distinct families) between the two.
    let mut between_labels: Vec<&str> = Vec::new();
    let mut fam_seen: Vec<usize> = Vec::new();
    for m in ms.iter().skip(i + 1).take_while(|m| m.ta < b.ta) {
        if m.ta >= a.tb && m.tb <= b.ta && !fam_seen.contains(&m.family) {
            fam_seen.push(m.family);
            between_labels.push(m.label.as_str());
        }
    }
    let nb = match between_labels.len() {
        0 => "0",
        1 => "1",
        2 => "2",
        _ => "3+",
    };
    out.push(fnv(&["nbetween", nb]));
    out.push(fnv(&["nbetween-lp", nb, la, lb]));
    for l in &between_labels {
        out.push(fnv(&["lbetween", l]));
    }
    // Words between.
    if gap == 0 {
        out.push(fnv(&["adjacent", la, lb]));
    } else {
        out.push(fnv(&["bfirst", ctx.lw(a.tb)]));
        out.push(fnv(&["blast", ctx.lw(b.ta - 1)]));
        out.push(fnv(&["bfirst-lp", ctx.lw(a.tb), la, lb]));
        out.push(fnv(&["blast-lp", ctx.lw(b.ta - 1), la, lb]));
        let (far, w1, w2) = if gap <= 10 {
            ("near", a.tb..b.ta, 0..0)
        } else {
            ("far", a.tb..a.tb + 4, b.ta - 4..b.ta)
        };
        for k in w1.chain(w2) {
            let w = ctx.lw(k);
            out.push(fnv(&["bw", w, far]));
            out.push(fnv(&["bw-lp", w, la, lb]));
        }
        if gap <= 4 {
            let mut seq = [""; 4];
            for (slot, k) in seq.iter_mut().zip(a.tb..b.ta) {
                *slot = ctx.lw(k);
            }
            let seq = seq.get(..gap).unwrap_or(&[]);
            out.push(fnv_seq("bseq", seq, &[]));
            out.push(fnv_seq("bseq-lp", seq, &[la, lb]));
        }
        for k in a.tb..b.ta.saturating_sub(1).min(a.tb + 6) {
            let bg = [ctx.lw(k), ctx.lw(k + 1)];
            out.push(fnv(&["bbigram", bg[0], bg[1]]));
        }
    }
    // Coordinated items ("Jordan, Lebanon and Turkey"): only list glue and
    // other mentions between the two.
    if gap > 0 {
        let mut k = a.tb;
        let mut coord = true;
        while k < b.ta {
            if let Some(m) = mention_at(ms, k, b.ta) {
                k = m.tb;
                continue;
            }
            if !matches!(ctx.lw(k), "," | "and" | "or" | ";" | "/") {
                coord = false;
                break;
            }
            k += 1;
        }
        if coord {
            out.push(fnv(&["coord", la, lb]));
        }
    }
    // Context outside the pair.
    let before =
        a.ta.checked_sub(1)
            .filter(|&k| ctx.sent_of.get(k) == Some(&a.sent));
    let after = Some(b.tb).filter(|&k| ctx.sent_of.get(k) == Some(&b.sent));
    let wb = before.map_or("<s>", |k| ctx.lw(k));
    let wa = after.map_or("</s>", |k| ctx.lw(k));
    out.push(fnv(&["wbefore", wb]));
    out.push(fnv(&["wafter", wa]));
    out.push(fnv(&["wbefore-lp", wb, la, lb]));
    out.push(fnv(&["wafter-lp", wa, la, lb]));
    // The arguments themselves.
    let head_a = ctx.lw(a.tb - 1);
    let head_b = ctx.lw(b.tb - 1);
    let first_a = ctx.lw(a.ta);
    let first_b = ctx.lw(b.ta);
    out.push(fnv(&["head-a", head_a]));
    out.push(fnv(&["head-b", head_b]));
    out.push(fnv(&["head-a-lb", head_a, lb]));
    out.push(fnv(&["head-b-la", head_b, la]));
    out.push(fnv(&["first-a", first_a, la]));
    out.push(fnv(&["first-b", first_b, lb]));
    let mut buf = [0u8; 8];
    out.push(fnv(&["shape-a", short_shape(ctx.word(a.ta), &mut buf), la]));
    out.push(fnv(&["shape-b", short_shape(ctx.word(b.ta), &mut buf), lb]));
    const LEN: [&str; 5] = ["0", "1", "2", "3", "4"];
    let len = |m: &Mention| LEN.get((m.tb - m.ta).min(4)).copied().unwrap_or("4");
    out.push(fnv(&["len", len(a), len(b)]));
    // Same words in both (repeated names: IsSynonymOf).
    let shared = (a.ta..a.tb).any(|x| {
        let w = ctx.lw(x);
        w.len() > 3 && (b.ta..b.tb).any(|y| ctx.lw(y) == w)
    });
    if shared {
        out.push(fnv(&["shared-word", la, lb]));
    }
    // The verb-ish context: words right after a and right before b.
    if gap > 0 {
        out.push(fnv(&["a-next-b-prev", ctx.lw(a.tb), ctx.lw(b.ta - 1)]));
    }
}

// ---------------------------------------------------------------------------
// The model

/// A multi-class linear model over hashed pair features. Class 0 is "no
/// relation"; the others are re3d types, with `>` (source is the first
/// mention) or `<` (source is the second) for the asymmetric ones.
#[derive(Debug, Clone)]
pub struct RelModel {
    pub classes: Vec<String>,
    /// Added to the "no relation" score: the precision/recall knob, set on dev.
    pub none_bias: f32,
    index: FxHashMap<u64, (u32, u32)>,
    weights: Vec<(u8, f32)>,
    /// Lower-cased words and word pairs that are usually re3d entities
    /// ("strikes" is a Weapon, "we" an Organisation) although the tagger rarely
    /// marks them: extra candidate arguments where no entity is.
    pub lexicon: FxHashMap<String, EntityLabel>,
    /// Label pairs (first mention's, second's) seen in training relations;
    /// other pairs are not scored. Empty: all pairs.
    pub label_pairs: rustc_hash::FxHashSet<(EntityLabel, EntityLabel)>,
}

const MAGIC: &[u8; 8] = b"DRELv3\0\0";

/// The model's classes: "NONE", then each type (symmetric) or type> and type<.
pub fn class_names() -> Vec<String> {
    let mut c = vec!["NONE".to_string()];
    for t in RE3D_TYPES {
        if dossier_core::SYMMETRIC_RELATIONS.contains(&t) {
            c.push(t.to_string());
        } else {
            c.push(format!("{t}>"));
            c.push(format!("{t}<"));
        }
    }
    c
}

struct Reader<'b> {
    b: &'b [u8],
    p: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        let s = self
            .b
            .get(self.p..self.p + n)
            .ok_or_else(|| "relation model truncated".to_string())?;
        self.p += n;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?.first().copied().unwrap_or(0))
    }
    fn u32(&mut self) -> Result<u32, String> {
        let mut a = [0u8; 4];
        a.copy_from_slice(self.take(4)?);
        Ok(u32::from_le_bytes(a))
    }
    fn u64(&mut self) -> Result<u64, String> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(a))
    }
    fn f32(&mut self) -> Result<f32, String> {
        Ok(f32::from_bits(self.u32()?))
    }
}

impl RelModel {
    /// A model from sparse weights: feature hash → (class, weight) list.
    pub fn from_sparse(
        classes: Vec<String>,
        none_bias: f32,
        feats: Vec<(u64, Vec<(u8, f32)>)>,
    ) -> RelModel {
        let mut index = FxHashMap::default();
        let mut weights = Vec::new();
        for (h, ws) in feats {
            let start = weights.len() as u32;
            weights.extend(ws);
            index.insert(h, (start, weights.len() as u32));
        }
        RelModel {
            classes,
            none_bias,
            index,
            weights,
            lexicon: FxHashMap::default(),
            label_pairs: Default::default(),
        }
    }

    /// Number of features with a weight.
    pub fn features(&self) -> usize {
        self.index.len()
    }

    /// Serialises the model (little-endian, features sorted by hash: the same
    /// model gives the same bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend((self.classes.len() as u32).to_le_bytes());
        for c in &self.classes {
            out.push(c.len().min(255) as u8);
            out.extend(c.as_bytes().iter().take(255));
        }
        out.extend(self.none_bias.to_bits().to_le_bytes());
        let mut keys: Vec<(&u64, &(u32, u32))> = self.index.iter().collect();
        keys.sort_unstable_by_key(|(h, _)| **h);
        out.extend((keys.len() as u32).to_le_bytes());
        for (h, &(s, e)) in keys {
            out.extend(h.to_le_bytes());
            let ws = self.weights.get(s as usize..e as usize).unwrap_or(&[]);
            out.push(ws.len().min(255) as u8);
            for &(c, w) in ws.iter().take(255) {
                out.push(c);
                out.extend(w.to_bits().to_le_bytes());
            }
        }
        let mut lp: Vec<(&str, &str)> = self
            .label_pairs
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        lp.sort_unstable();
        out.extend((lp.len() as u32).to_le_bytes());
        for (a, b) in lp {
            for s in [a, b] {
                out.push(s.len().min(255) as u8);
                out.extend(s.as_bytes().iter().take(255));
            }
        }
        let mut lex: Vec<(&String, &EntityLabel)> = self.lexicon.iter().collect();
        lex.sort();
        out.extend((lex.len() as u32).to_le_bytes());
        for (w, l) in lex {
            for s in [w.as_str(), l.as_str()] {
                out.push(s.len().min(255) as u8);
                out.extend(s.as_bytes().iter().take(255));
            }
        }
        out
    }

    /// Reads a model written by [`RelModel::to_bytes`].
    pub fn from_bytes(b: &[u8]) -> Result<RelModel, String> {
        let mut r = Reader { b, p: 0 };
        if r.take(MAGIC.len())? != MAGIC {
            return Err("not a relation model".into());
        }
        let nc = r.u32()? as usize;
        if nc == 0 || nc > 255 {
            return Err(format!("bad class count {nc}"));
        }
        let mut classes = Vec::with_capacity(nc);
        for _ in 0..nc {
            let n = r.u8()? as usize;
            let s = std::str::from_utf8(r.take(n)?).map_err(|e| e.to_string())?;
            classes.push(s.to_string());
        }
        let none_bias = r.f32()?;
        let nf = r.u32()? as usize;
        if nf > b.len() / 9 {
            return Err("bad feature count".into());
        }
        let mut feats = Vec::with_capacity(nf);
        for _ in 0..nf {
            let h = r.u64()?;
            let n = r.u8()? as usize;
            let mut ws = Vec::with_capacity(n);
            for _ in 0..n {
                let c = r.u8()?;
                let w = r.f32()?;
                if c as usize >= nc || !w.is_finite() {
                    return Err("bad weight".into());
                }
                ws.push((c, w));
            }
            feats.push((h, ws));
        }
        let mut m = RelModel::from_sparse(classes, none_bias, feats);
        let np = r.u32()? as usize;
        if np > 4096 {
            return Err("bad label pair count".into());
        }
        for _ in 0..np {
            let mut two = [EntityLabel::Person; 2];
            for slot in two.iter_mut() {
                let n = r.u8()? as usize;
                let l = std::str::from_utf8(r.take(n)?).map_err(|e| e.to_string())?;
                *slot = l.parse()?;
            }
            m.label_pairs.insert((two[0], two[1]));
        }
        let nl = r.u32()? as usize;
        if nl > b.len() {
            return Err("bad lexicon size".into());
        }
        for _ in 0..nl {
            let n = r.u8()? as usize;
            let w = std::str::from_utf8(r.take(n)?)
                .map_err(|e| e.to_string())?
                .to_string();
            let n = r.u8()? as usize;
            let l = std::str::from_utf8(r.take(n)?).map_err(|e| e.to_string())?;
            m.lexicon.insert(w, l.parse()?);
        }
        Ok(m)
    }

    /// Class scores of a feature list (NONE without the bias).
    pub(crate) fn scores(&self, feats: &[u64], out: &mut Vec<f32>) {
        out.clear();
        out.resize(self.classes.len(), 0.0);
        for h in feats {
            if let Some(&(s, e)) = self.index.get(h) {
                for &(c, w) in self.weights.get(s as usize..e as usize).unwrap_or(&[]) {
                    if let Some(x) = out.get_mut(c as usize) {
                        *x += w;
                    }
                }
            }
        }
    }
}

/// A decided relation between mentions `a` (first in the text) and `b`.
#[derive(Debug, Clone)]
pub(crate) struct Scored {
    a: usize,
    b: usize,
    kind: String,
    /// The source is `b`.
    swap: bool,
    margin: f32,
}

/// Scores every candidate pair; keeps the best relation per pair of families.
pub(crate) fn decode(model: &RelModel, ctx: &Ctx<'_>, ms: &[Mention], bias: f32) -> Vec<Scored> {
    let mut feats = Vec::with_capacity(128);
    let mut sc = Vec::new();
    let mut best: FxHashMap<(usize, usize), Vec<Scored>> = FxHashMap::default();
    // Pairs of entities as found first; the variants of a pair of families
    // only when that pair came near a relation (most pairs are far from one),
    // which keeps the cost close to one scoring per pair of entities.
    let all = pairs(ms);
    let is_primary = |&(i, j): &(usize, usize)| {
        ms.get(i).is_some_and(|m| m.primary) && ms.get(j).is_some_and(|m| m.primary)
    };
    let mut primary_margin: FxHashMap<(usize, usize), f32> = FxHashMap::default();
    let firsts = all.iter().filter(|p| is_primary(p));
    let rest = all.iter().filter(|p| !is_primary(p));
    for &(i, j) in firsts.chain(rest) {
        let (Some(a), Some(b)) = (ms.get(i), ms.get(j)) else {
            continue;
        };
        if !model.label_pairs.is_empty() && !model.label_pairs.contains(&(a.label, b.label)) {
            continue;
        }
        let key = family_key(ms, i, j);
        let primary = is_primary(&(i, j));
        if !primary
            && primary_margin
                .get(&key)
                .is_some_and(|&m| m < -VARIANT_PRUNE)
        {
            continue;
        }
        pair_features(ctx, ms, i, j, &mut feats);
        model.scores(&feats, &mut sc);
        let none = sc.first().copied().unwrap_or(0.0) + bias;
        let Some((c, &s)) = sc
            .iter()
            .enumerate()
            .skip(1)
            .max_by(|x, y| x.1.total_cmp(y.1))
        else {
            continue;
        };
        let margin = s - none;
        if primary {
            primary_margin.insert(key, margin);
        }
        if margin <= 0.0 {
            continue;
        }
        let name = model.classes.get(c).map_or("", |s| s.as_str());
        let (kind, swap) = match name.strip_suffix('<') {
            Some(k) => (k, true),
            None => (name.strip_suffix('>').unwrap_or(name), false),
        };
        let new = Scored {
            a: i,
            b: j,
            kind: kind.to_string(),
            swap,
            margin,
        };
        let slot = best.entry(key).or_default();
        slot.push(new);
        slot.sort_by(|x, y| y.margin.total_cmp(&x.margin));
        slot.truncate(1);
    }
    let mut out: Vec<Scored> = Vec::new();
    for v in best.into_values() {
        out.extend(v.into_iter().take(1));
    }
    // List propagation from every relation found.
    let mut seen: rustc_hash::FxHashSet<(usize, usize)> =
        out.iter().map(|r| family_key(ms, r.a, r.b)).collect();
    let found = out.clone();
    for r in &found {
        for x in propagate_list(ctx, ms, r) {
            if seen.insert(family_key(ms, x.a, x.b)) {
                out.push(x);
            }
        }
    }
    out.sort_by_key(|r| (r.a, r.b));
    out
}

/// Relation types that hold for every item of a list when they hold for its
/// first: "strikes engaged [three ISIL units], [four vehicles] and [a tunnel]".
const LIST_TYPES: [&str; 8] = [
    "FightingAgainst",
    "CoLocated",
    "BelongsTo",
    "InChargeOf",
    "Likes",
    "Dislikes",
    "AlliesOf",
    "CommWith",
];

fn is_list_glue(w: &str) -> bool {
    matches!(w, "," | "and" | "or" | ";" | "a" | "an" | "the") || is_number_word(w)
}

/// The same relation from `r`'s first argument to the later items of a list
/// that `r`'s second argument begins.
fn propagate_list(ctx: &Ctx<'_>, ms: &[Mention], r: &Scored) -> Vec<Scored> {
    let mut out = Vec::new();
    if !LIST_TYPES.contains(&r.kind.as_str()) {
        return out;
    }
    let (Some(a), Some(b)) = (ms.get(r.a), ms.get(r.b)) else {
        return out;
    };
    // A family's candidates all start inside the original mention, which
    // starts at most a few tokens before any of them: a local scan suffices.
    let family_end = |f: usize, near: usize| {
        let from = ms.partition_point(|m| m.ta + 32 < near);
        ms.get(from..)
            .unwrap_or(&[])
            .iter()
            .take_while(|m| m.ta <= near + 32)
            .filter(|m| m.family == f)
            .map(|m| m.tb)
            .max()
    };
    let mut end = family_end(b.family, b.ta).unwrap_or(b.tb);
    // Only a list closed by a conjunction ("A, B and C"); "2nd Battalion, 5th
    // Special Forces Group, Fort Campbell" is a hierarchy, not a list.
    let mut conj = false;
    let mut misses = 0;
    for _ in 0..30 {
        let mut k = end;
        let mut sep = false;
        let mut tail = 0;
        while ctx.sent_of.get(k) == Some(&b.sent) {
            let w = ctx.lw(k);
            if matches!(w, "," | "and" | "or" | ";") {
                sep = true;
                conj |= matches!(w, "and" | "or");
            } else if !(sep && is_list_glue(w)) {
                // Up to two words end an item the tagger cut short
                // ("four [enemy mortar] systems, ...").
                if sep || tail >= 2 || !w.chars().all(|c| c.is_lowercase() || c == '-') {
                    break;
                }
                tail += 1;
            }
            k += 1;
        }
        if !sep {
            break;
        }
        let from = ms.partition_point(|m| m.ta < end);
        let next = ms
            .iter()
            .enumerate()
            .skip(from)
            .take_while(|(_, m)| m.ta <= k)
            .filter(|(_, m)| {
                m.ta >= end
                    && m.ta <= k
                    && m.tb > k
                    && m.label != EntityLabel::Quantity
                    && m.family != a.family
                    && !is_number_word(ctx.lw(m.ta))
            })
            .max_by_key(|(_, m)| (m.tb - m.ta, std::cmp::Reverse(m.ta)));
        let Some((j, m)) = next else {
            // An item that is no candidate: step over it (twice at most).
            misses += 1;
            if misses > 2 || conj {
                break;
            }
            end = k + 1;
            continue;
        };
        out.push(Scored {
            a: r.a,
            b: j,
            kind: r.kind.clone(),
            swap: r.swap,
            margin: r.margin * 0.5,
        });
        end = family_end(m.family, m.ta).unwrap_or(m.tb);
        if conj {
            break;
        }
    }
    if !conj {
        out.clear();
    }
    out
}

fn make_relation(
    ctx: &Ctx<'_>,
    map: &OffsetMap,
    ms: &[Mention],
    r: &Scored,
    extractor: &str,
) -> Option<Relation> {
    let a = ms.get(r.a)?;
    let b = ms.get(r.b)?;
    let arg = |m: &Mention| -> Option<Arg> {
        let (s, e) = m.bytes(ctx)?;
        let sp = map.span_to_chars(s, e);
        Some(Arg {
            start: sp.start,
            end: sp.end,
            text: ctx.text.get(s..e)?.to_string(),
        })
    };
    let (src, tgt) = if r.swap { (b, a) } else { (a, b) };
    let trigger = {
        let (_, ae) = a.bytes(ctx)?;
        let (bs, _) = b.bytes(ctx)?;
        let t = ctx.text.get(ae..bs)?.trim();
        if t.is_empty() || b.ta.saturating_sub(a.tb) > 8 {
            None
        } else {
            let off = ctx.text.get(ae..bs)?.find(t)? + ae;
            let sp = map.span_to_chars(off, off + t.len());
            Some(Arg {
                start: sp.start,
                end: sp.end,
                text: t.to_string(),
            })
        }
    };
    Some(Relation {
        kind: r.kind.clone(),
        source: arg(src)?,
        target: arg(tgt)?,
        trigger,
        confidence: 1.0 / (1.0 + (-r.margin / 4.0).exp()),
        extractor: extractor.to_string(),
    })
}

// ---------------------------------------------------------------------------
// Patterns: MemberOf, RoleAt, LocatedIn

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TitleKind {
    /// commander, head, leader...: in charge of the organisation.
    Head,
    /// member, spokesman, official...: belongs to it.
    Member,
}

fn title_kind(title: &str) -> TitleKind {
    const HEAD: [&str; 14] = [
        "commander",
        "head",
        "chief",
        "leader",
        "director",
        "chairman",
        "chair",
        "president",
        "king",
        "emir",
        "founder",
        "ceo",
        "secretary-general",
        "prime minister",
    ];
    if HEAD.iter().any(|h| title.contains(h)) {
        TitleKind::Head
    } else {
        TitleKind::Member
    }
}

const ROLE_WORDS: [&str; 24] = [
    "commander",
    "head",
    "chief",
    "leader",
    "director",
    "chairman",
    "president",
    "founder",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "minister",
    "secretary",
    "official",
    "officer",
    "ambassador",
    "envoy",
    "adviser",
    "advisor",
    "general",
    "emir",
    "coordinator",
    "representative",
    "deputy",
];

const MEMBER_WORDS: [&str; 8] = [
    "member",
    "members",
    "militant",
    "fighter",
    "operative",
    "soldier",
    "recruit",
    "supporter",
];

/// Verbs of attack right after the attacker (CENTCOM strike reports).
const ATTACK_VERBS: [&str; 10] = [
    "engaged",
    "destroyed",
    "struck",
    "targeted",
    "attacked",
    "bombed",
    "hit",
    "killed",
    "damaged",
    "suppressed",
];

/// Words of communication between two agents.
const COMM_WORDS: [&str; 14] = [
    "met",
    "meet",
    "meets",
    "meeting",
    "spoke",
    "spoken",
    "talked",
    "talks",
    "consulting",
    "consulted",
    "touch",
    "phoned",
    "discussed",
    "negotiated",
];

struct PatRel {
    a: usize,
    b: usize,
    kind: &'static str,
    swap: bool,
    margin: f32,
    title_kind: TitleKind,
}

fn to_re3d(kind: &str, tk: TitleKind) -> Option<&'static str> {
    match kind {
        "FightingAgainst" => Some("FightingAgainst"),
        "CommWith" => Some("CommWith"),
        "InChargeOf" => Some("InChargeOf"),
        "MemberOf" => Some("BelongsTo"),
        // "X in Y" is re3d CoLocated; "X, Y" (marked Head) is one re3d location.
        "LocatedIn" => (tk == TitleKind::Member).then_some("CoLocated"),
        "RoleAt" => Some(match tk {
            TitleKind::Head => "InChargeOf",
            TitleKind::Member => "BelongsTo",
        }),
        _ => None,
    }
}

fn is_agent(l: EntityLabel) -> bool {
    matches!(l, EntityLabel::Person | EntityLabel::Organisation)
}

/// MemberOf, RoleAt and LocatedIn between adjacent-ish mentions of a sentence.
fn patterns(ctx: &Ctx<'_>, ms: &[Mention]) -> Vec<PatRel> {
    let mut out = Vec::new();
    for (i, j) in pairs(ms) {
        let (Some(a), Some(b)) = (ms.get(i), ms.get(j)) else {
            continue;
        };
        let gap = b.ta.saturating_sub(a.tb);
        if gap > 7 {
            continue;
        }
        let between: Vec<&str> = (a.tb..b.ta).map(|k| ctx.lw(k)).collect();
        let bw = between.join(" ");
        let last = between.last().copied().unwrap_or("");
        let mut push = |kind: &'static str, swap: bool, tk: TitleKind| {
            out.push(PatRel {
                a: i,
                b: j,
                kind,
                swap,
                margin: 2.0,
                title_kind: tk,
            });
        };
        let role_word = between
            .iter()
            .find(|w| ROLE_WORDS.contains(w))
            .copied()
            .unwrap_or("");
        let member_word = between.iter().any(|w| MEMBER_WORDS.contains(w));
        // re3d types the model under-learns from partly annotated data.
        // "strikes engaged three ISIL tactical units": attack verb right after A,
        // then only numbers/determiners before B (later list items follow in
        // `propagate_list`).
        let attacker = matches!(
            a.label,
            EntityLabel::Weapon
                | EntityLabel::Organisation
                | EntityLabel::Person
                | EntityLabel::MilitaryPlatform
        );
        let target = !matches!(
            b.label,
            EntityLabel::Quantity | EntityLabel::Temporal | EntityLabel::Money
        );
        let verb_at = usize::from(between.first() == Some(&"also"));
        if attacker
            && target
            && between
                .get(verb_at)
                .is_some_and(|w| ATTACK_VERBS.contains(w))
            && between
                .iter()
                .skip(verb_at + 1)
                .all(|w| matches!(*w, "a" | "an" | "the") || is_number_word(w))
        {
            push("FightingAgainst", false, TitleKind::Member);
            continue;
        }
        let agents = is_agent(a.label) && is_agent(b.label);
        // "We are consulting with the Government of Iraq"; "X met Y".
        if agents
            && gap <= 6
            && between.iter().any(|w| COMM_WORDS.contains(w))
            && (matches!(last, "with" | "to") || (gap == 1 && COMM_WORDS.contains(&last)))
        {
            push("CommWith", false, TitleKind::Member);
            continue;
        }
        // "ISIL has had control of Mosul"; "they would hold on to Husaybah".
        if is_agent(a.label)
            && matches!(b.label, EntityLabel::Location)
            && (bw.ends_with("control of")
                || bw.ends_with("hold on to")
                || matches!(
                    last,
                    "controls" | "controlled" | "seized" | "captured" | "holds"
                ))
        {
            push("InChargeOf", false, TitleKind::Member);
            continue;
        }
        match (a.label, b.label) {
            // "Raqqa, Syria"; "Mosul in northern Iraq".
            (EntityLabel::Location, EntityLabel::Location) => {
                let capitalised = |m: &Mention| {
                    ctx.word(m.ta)
                        .chars()
                        .next()
                        .is_some_and(char::is_uppercase)
                };
                let listy = |k: Option<usize>| {
                    k.is_some_and(|k| matches!(ctx.lw(k), "," | "and" | "or" | "/"))
                };
                // A list ("Jordan, Lebanon and Turkey") is not containment;
                // "Raqqa, Syria, on Monday" is.
                let from = ms.partition_point(|m| m.ta < b.tb + 1);
                let next_is_place = ms
                    .get(from..)
                    .unwrap_or(&[])
                    .iter()
                    .take_while(|m| m.ta == b.tb + 1)
                    .any(|m| m.label == EntityLabel::Location);
                let in_list = listy(a.ta.checked_sub(1))
                    || matches!(ctx.lw(b.tb), "and" | "or")
                    || (ctx.lw(b.tb) == "," && next_is_place);
                if bw == "in" || bw == ", in" {
                    push("LocatedIn", false, TitleKind::Member);
                } else if bw == "," && capitalised(a) && capitalised(b) && !in_list {
                    // "Raqqa, Syria": re3d annotates it as one location, so this
                    // form is dossier's own and not mapped to a re3d type.
                    push("LocatedIn", false, TitleKind::Head);
                }
            }
            // "the Islamic State, based in Raqqa".
            (la, EntityLabel::Location) if is_agent(la) => {
                if matches!(
                    bw.as_str(),
                    "based in" | ", based in" | "headquartered in" | ", headquartered in"
                ) {
                    push("LocatedIn", false, TitleKind::Member);
                }
            }
            // "Abu X, a senior member of ISIS"; "Abu X, spokesman for ISIS".
            (la, EntityLabel::Organisation) if is_agent(la) => {
                let prep = matches!(last, "of" | "for" | "in" | "at" | "with" | "from");
                if between.first() == Some(&",") && prep && !role_word.is_empty() {
                    push("RoleAt", false, title_kind(role_word));
                } else if (member_word && prep)
                    || (matches!(bw.as_str(), "joined" | "has joined" | "had joined")
                        && la == EntityLabel::Person)
                {
                    push("MemberOf", false, TitleKind::Member);
                }
            }
            // "ISIS's spokesman Abu X"; "ISIS militant Abu X".
            (EntityLabel::Organisation, EntityLabel::Person) => {
                let poss = matches!(between.first(), Some(&"'s") | Some(&"’s") | Some(&"'"));
                if poss && !role_word.is_empty() {
                    push("RoleAt", true, title_kind(role_word));
                } else if gap <= 2 && member_word && !poss {
                    push("MemberOf", true, TitleKind::Member);
                }
            }
            _ => {}
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Scoring (the rule of ../shared/eval/score_rel.py)

/// A relation as scored: type, source span, target span (code points).
pub type RelKey = (String, (usize, usize), (usize, usize));

fn canonical(k: &RelKey) -> RelKey {
    if dossier_core::SYMMETRIC_RELATIONS.contains(&k.0.as_str()) && k.2 < k.1 {
        (k.0.clone(), k.2, k.1)
    } else {
        k.clone()
    }
}

/// Counts per type: (gold, predicted, true positives).
#[derive(Debug, Default, Clone)]
pub struct RelScores {
    pub per_type: std::collections::BTreeMap<String, (usize, usize, usize)>,
}

impl RelScores {
    pub fn totals(&self) -> (usize, usize, usize) {
        self.per_type
            .values()
            .fold((0, 0, 0), |(g, p, t), &(a, b, c)| (g + a, p + b, t + c))
    }

    /// Micro precision, recall, F1 in percent.
    pub fn micro(&self) -> (f64, f64, f64) {
        let (g, p, t) = self.totals();
        let (p, r, f) = crate::eval::prf(t, p, g);
        (100.0 * p, 100.0 * r, 100.0 * f)
    }

    /// Adds one document: exact type and spans, symmetric types may swap,
    /// each gold relation matched once, duplicate predictions counted once.
    pub fn add(&mut self, gold: &[RelKey], pred: &[RelKey]) {
        let mut g: FxHashMap<RelKey, usize> = FxHashMap::default();
        for k in gold {
            let k = canonical(k);
            self.per_type.entry(k.0.clone()).or_default().0 += 1;
            *g.entry(k).or_default() += 1;
        }
        let mut seen = rustc_hash::FxHashSet::default();
        for k in pred {
            let k = canonical(k);
            if !seen.insert(k.clone()) {
                continue;
            }
            let e = self.per_type.entry(k.0.clone()).or_default();
            e.1 += 1;
            if let Some(n) = g.get_mut(&k).filter(|n| **n > 0) {
                *n -= 1;
                e.2 += 1;
            }
        }
    }

    /// A table like score_rel.py's.
    pub fn render(&self) -> String {
        let mut s = format!(
            "{:16} {:>5} {:>5} {:>5} {:>7} {:>7} {:>7}\n",
            "type", "gold", "pred", "tp", "P", "R", "F1"
        );
        let rows = self
            .per_type
            .iter()
            .map(|(k, &v)| (k.as_str(), v))
            .chain(std::iter::once(("MICRO", self.totals())));
        for (k, (g, p, t)) in rows {
            let (pp, r, f) = crate::eval::prf(t, p, g);
            let (pp, r, f) = (100.0 * pp, 100.0 * r, 100.0 * f);
            s.push_str(&format!(
                "{k:16} {g:5} {p:5} {t:5} {pp:7.2} {r:7.2} {f:7.2}\n"
            ));
        }
        s
    }
}

/// Keys of relations as scored.
pub fn keys(rels: &[Relation]) -> Vec<RelKey> {
    rels.iter()
        .map(|r| {
            (
                r.kind.clone(),
                (r.source.start, r.source.end),
                (r.target.start, r.target.end),
            )
        })
        .collect()
}

/// The candidate argument pairs (code point spans, first mention first) that the
/// model scores for `text` with these entities: for coverage diagnostics.
pub fn candidate_pairs(
    model: Option<&RelModel>,
    text: &str,
    entities: &[EntityMention],
) -> Vec<((usize, usize), (usize, usize))> {
    let doc = Doc::new(text);
    let map = OffsetMap::new(text);
    let ctx = Ctx::new(text, &doc);
    let ms = build_mentions(&ctx, &map, entities, true, None, model.map(|m| &m.lexicon));
    let span = |m: &Mention| {
        let (s, e) = m.bytes(&ctx)?;
        let sp = map.span_to_chars(s, e);
        Some((sp.start, sp.end))
    };
    pairs(&ms)
        .into_iter()
        .filter_map(|(i, j)| Some((span(ms.get(i)?)?, span(ms.get(j)?)?)))
        .collect()
}
