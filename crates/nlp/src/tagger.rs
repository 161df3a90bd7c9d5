//! The statistical sequence tagger: a linear model over hashed features,
//! decoded per segment with Viterbi under BIO/BILOU constraints, with a
//! document-level history of earlier predictions as features.
//!
//! The same segment loop serves training (`train.rs`) and inference, so the
//! features seen at training time are exactly those seen at run time.

use crate::clusters::Clusters;
use crate::doc::Doc;
use crate::features::{self, History, TokInfo};
use crate::table::Table;
use std::borrow::Cow;

/// Tag encoding of entity spans over tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Bio,
    Bilou,
}

/// Position of a token in an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    O,
    B,
    I,
    L,
    U,
}

/// Entity types and their tag encoding. Tag 0 is `O`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagSet {
    pub types: Vec<String>,
    pub scheme: Scheme,
}

impl TagSet {
    fn per(&self) -> usize {
        match self.scheme {
            Scheme::Bio => 2,
            Scheme::Bilou => 4,
        }
    }

    pub fn n_tags(&self) -> usize {
        1 + self.per() * self.types.len()
    }

    pub fn tag(&self, part: Part, ty: usize) -> usize {
        let k = match (self.scheme, part) {
            (_, Part::O) => return 0,
            (_, Part::B) => 0,
            (_, Part::I) => 1,
            (Scheme::Bilou, Part::L) => 2,
            (Scheme::Bilou, Part::U) => 3,
            (Scheme::Bio, Part::L) => 1,
            (Scheme::Bio, Part::U) => 0,
        };
        1 + ty * self.per() + k
    }

    pub fn part(&self, tag: usize) -> (Part, usize) {
        if tag == 0 {
            return (Part::O, 0);
        }
        let ty = (tag - 1) / self.per();
        let k = (tag - 1) % self.per();
        let p = match k {
            0 => Part::B,
            1 => Part::I,
            2 => Part::L,
            _ => Part::U,
        };
        (p, ty)
    }

    pub fn tag_name(&self, tag: usize) -> String {
        match self.part(tag) {
            (Part::O, _) => "O".into(),
            (p, ty) => format!("{:?}-{}", p, self.types.get(ty).map_or("?", |s| s.as_str())),
        }
    }

    /// Whether `cur` may follow `prev` (`None` = segment start).
    pub fn allowed(&self, prev: Option<usize>, cur: usize) -> bool {
        let (cp, ct) = self.part(cur);
        let open = match prev {
            None => None,
            Some(p) => match self.part(p) {
                (Part::B, t) | (Part::I, t) => Some(t),
                _ => None,
            },
        };
        match self.scheme {
            Scheme::Bilou => match open {
                Some(t) => matches!(cp, Part::I | Part::L) && ct == t,
                None => matches!(cp, Part::O | Part::B | Part::U),
            },
            Scheme::Bio => match cp {
                Part::I => open == Some(ct),
                _ => true,
            },
        }
    }

    /// Whether a segment may end on `tag`.
    pub fn end_ok(&self, tag: usize) -> bool {
        match self.scheme {
            Scheme::Bio => true,
            Scheme::Bilou => matches!(self.part(tag).0, Part::O | Part::L | Part::U),
        }
    }

    /// Tags for `n` tokens from non-overlapping token spans `[a, b)` of type `ty`.
    pub fn encode(&self, n: usize, spans: &[(usize, usize, usize)]) -> Vec<u16> {
        let mut tags = vec![0u16; n];
        for &(a, b, ty) in spans {
            if a >= b || b > n || tags[a..b].iter().any(|&t| t != 0) {
                continue;
            }
            if b - a == 1 {
                tags[a] = self.tag(Part::U, ty) as u16;
            } else {
                tags[a] = self.tag(Part::B, ty) as u16;
                for t in tags.iter_mut().take(b - 1).skip(a + 1) {
                    *t = self.tag(Part::I, ty) as u16;
                }
                tags[b - 1] = self.tag(Part::L, ty) as u16;
            }
        }
        tags
    }

    /// Token spans `[a, b)` with their type, from a tag sequence (lenient decoding).
    pub fn decode(&self, tags: &[u16]) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        let mut open: Option<(usize, usize)> = None;
        for (i, &t) in tags.iter().enumerate() {
            let (p, ty) = self.part(t as usize);
            match p {
                Part::O => {
                    if let Some((a, oty)) = open.take() {
                        out.push((a, i, oty));
                    }
                }
                Part::B | Part::U => {
                    if let Some((a, oty)) = open.take() {
                        out.push((a, i, oty));
                    }
                    if p == Part::U {
                        out.push((i, i + 1, ty));
                    } else {
                        open = Some((i, ty));
                    }
                }
                Part::I | Part::L => {
                    match open {
                        Some((_, oty)) if oty == ty => {}
                        _ => {
                            if let Some((a, oty)) = open.take() {
                                out.push((a, i, oty));
                            }
                            open = Some((i, ty));
                        }
                    }
                    if p == Part::L {
                        if let Some((a, oty)) = open.take() {
                            out.push((a, i + 1, oty));
                        }
                    }
                }
            }
        }
        if let Some((a, oty)) = open {
            out.push((a, tags.len(), oty));
        }
        out
    }
}

/// Anything that scores tags: the trained model or the weights during training.
pub trait Scorer {
    fn n_tags(&self) -> usize;
    /// Adds the emission scores of `keys` into `out` (length `n_tags`).
    fn emit(&self, keys: &[u64], out: &mut [f32]);
    /// Emission scores of every token: token `i` has keys `keys[offs[i]..offs[i + 1]]`
    /// and scores `em[i * t..(i + 1) * t]`.
    fn emit_all(&self, keys: &[u64], offs: &[usize], em: &mut [f32]) {
        let t = self.n_tags();
        for i in 0..offs.len().saturating_sub(1) {
            self.emit(&keys[offs[i]..offs[i + 1]], &mut em[i * t..(i + 1) * t]);
        }
    }
    /// Transition score `prev → cur`.
    fn trans(&self, prev: usize, cur: usize) -> f32;
    /// Score of `cur` at a segment start.
    fn start(&self, cur: usize) -> f32;
    /// The dense transposed transition matrix (`[cur * t + prev]`, -inf where
    /// `cons` forbids the step), if the scorer keeps one built for `cons`:
    /// saves rebuilding it for every segment.
    fn trans_matrix(&self, _cons: &Constraints) -> Option<&[f32]> {
        None
    }
}

/// Longest segment decoded as one sequence (no training sentence is longer).
const MAX_SEGMENT: usize = 256;

/// A segment of a document decoded as one sequence (a sentence or line).
#[derive(Debug, Clone, Copy)]
pub struct Segment {
    pub a: usize,
    pub b: usize,
    pub headline: bool,
}

/// A document with its per-token features precomputed.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub toks: Vec<TokInfo>,
    /// Segments in decoding order: ordinary text first, then all-caps headlines,
    /// so headlines see the document's history.
    pub segments: Vec<Segment>,
    /// Per token: first / last token of its line.
    pub line_edges: Vec<(bool, bool)>,
    /// The document's first word (lower-cased hash; 0 if none): a topic hint.
    pub topic: u64,
}

impl Prepared {
    pub fn new(doc: &Doc<'_>, clusters: Option<&Clusters>) -> Prepared {
        let n = doc.tokens.len();
        let mut toks = Vec::with_capacity(n);
        // `TokInfo::new` depends only on the word: each distinct word of the
        // document is analysed once (most tokens repeat an earlier word).
        let mut seen: rustc_hash::FxHashMap<&str, usize> = Default::default();
        seen.reserve(n / 2);
        for i in 0..n {
            let w = doc.token_text(i);
            let info = match seen.get(w).and_then(|&k| toks.get(k)) {
                Some(t) => TokInfo::clone(t),
                None => {
                    seen.insert(w, i);
                    TokInfo::new(w, clusters)
                }
            };
            toks.push(info);
        }
        let mut line_edges = vec![(false, false); n];
        let mut starts = Vec::new();
        for i in 0..n {
            let nl_before = if i == 0 {
                true
            } else {
                let g = doc
                    .text
                    .get(doc.tokens[i - 1].end..doc.tokens[i].start)
                    .unwrap_or("");
                g.contains('\n')
            };
            if nl_before {
                line_edges[i].0 = true;
                if i > 0 {
                    line_edges[i - 1].1 = true;
                }
            }
            if i == 0 || nl_before || doc.starts_sentence(i) {
                starts.push(i);
            }
        }
        if n > 0 {
            line_edges[n - 1].1 = true;
        }
        let mut normal = Vec::new();
        let mut heads = Vec::new();
        for (k, &a0) in starts.iter().enumerate() {
            let b0 = starts.get(k + 1).copied().unwrap_or(n);
            // Very long "sentences" (tables, unpunctuated text) are decoded in pieces:
            // Viterbi memory is per segment.
            let mut a = a0;
            while a < b0 {
                let b = (a + MAX_SEGMENT).min(b0);
                let seg = toks.get(a..b).unwrap_or(&[]);
                let headline = seg.iter().filter(|t| t.has_alpha).count() >= 2
                    && seg.iter().filter(|t| t.has_alpha).all(|t| t.all_caps);
                let s = Segment { a, b, headline };
                if headline {
                    heads.push(s);
                } else {
                    normal.push(s);
                }
                a = b;
            }
        }
        // Document-level case evidence for each word form (see `TokInfo::doc_case`).
        let mut case: std::collections::HashMap<u64, u8, crate::table::IdBuild> =
            Default::default();
        for seg in &normal {
            for t in toks.get(seg.a + 1..seg.b).unwrap_or(&[]) {
                if !t.has_alpha {
                    continue;
                }
                let bit = if t.all_caps {
                    4
                } else if t.cap {
                    2
                } else if !t.any_upper {
                    1
                } else {
                    0
                };
                *case.entry(t.lower).or_insert(0) |= bit;
            }
        }
        for t in toks.iter_mut() {
            if t.any_upper {
                t.doc_case = case.get(&t.lower).copied().unwrap_or(0);
            }
        }
        let topic = toks.iter().find(|t| t.has_alpha).map_or(0, |t| t.lower);
        normal.extend(heads);
        Prepared {
            topic,
            toks,
            segments: normal,
            line_edges,
        }
    }
}

/// Reusable buffers for decoding.
#[derive(Debug, Default)]
pub struct Work {
    pub keys: Vec<u64>,
    pub offs: Vec<usize>,
    em: Vec<f32>,
    tr: Vec<f32>,
    delta: Vec<f32>,
    back: Vec<u16>,
}

/// Collects the feature keys of every token of `seg` into `w.keys` / `w.offs`.
pub fn segment_keys(
    prep: &Prepared,
    seg: Segment,
    flags: u32,
    hist: &History,
    extra: Option<&features::Extra>,
    w: &mut Work,
) {
    w.keys.clear();
    w.offs.clear();
    w.offs.push(0);
    let h = if flags & features::USE_HISTORY != 0 {
        Some(hist)
    } else {
        None
    };
    for i in seg.a..seg.b {
        let ex: &[u64] = extra.map_or(&[], |e| e.get(i));
        let le = prep.line_edges.get(i).copied().unwrap_or((false, false));
        features::token_features(
            &prep.toks,
            seg.a,
            seg.b,
            i,
            seg.headline,
            le,
            h,
            prep.topic,
            ex,
            &mut w.keys,
        );
        w.offs.push(w.keys.len());
    }
}

/// The tag transitions a [`TagSet`] allows, precomputed for decoding.
#[derive(Debug, Clone)]
pub struct Constraints {
    t: usize,
    /// `allowed[prev * t + cur]`.
    allowed: Vec<bool>,
    start: Vec<bool>,
    end: Vec<bool>,
    /// Per tag `cur`, the tags allowed before it, ascending:
    /// `prev_idx[prev_off[cur]..prev_off[cur + 1]]`. Viterbi scans only these
    /// (inside an entity only two tags may come before).
    prev_off: Vec<usize>,
    prev_idx: Vec<u16>,
}

impl Constraints {
    pub fn new(ts: &TagSet) -> Constraints {
        let t = ts.n_tags();
        let mut allowed = vec![false; t * t];
        for p in 0..t {
            for c in 0..t {
                allowed[p * t + c] = ts.allowed(Some(p), c);
            }
        }
        let mut prev_off = Vec::with_capacity(t + 1);
        let mut prev_idx = Vec::new();
        prev_off.push(0);
        for c in 0..t {
            prev_idx.extend((0..t).filter(|&p| allowed[p * t + c]).map(|p| p as u16));
            prev_off.push(prev_idx.len());
        }
        Constraints {
            t,
            allowed,
            start: (0..t).map(|c| ts.allowed(None, c)).collect(),
            end: (0..t).map(|c| ts.end_ok(c)).collect(),
            prev_off,
            prev_idx,
        }
    }

    /// The dense transposed transition matrix of `s` under these constraints:
    /// `[cur * t + prev]`, -inf where the step is forbidden.
    fn dense_trans<S: Scorer + ?Sized>(&self, s: &S, out: &mut Vec<f32>) {
        let t = self.t;
        out.clear();
        out.resize(t * t, f32::NEG_INFINITY);
        for p in 0..t {
            for c in 0..t {
                if self.allowed[p * t + c] {
                    out[c * t + p] = s.trans(p, c);
                }
            }
        }
    }

    /// The tags allowed before `cur`.
    #[inline]
    fn prevs(&self, cur: usize) -> &[u16] {
        match (self.prev_off.get(cur), self.prev_off.get(cur + 1)) {
            (Some(&a), Some(&b)) => self.prev_idx.get(a..b).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// Viterbi decoding of the segment whose keys are in `w`; tags and per-token margins out.
pub fn viterbi<S: Scorer + ?Sized>(
    s: &S,
    cons: &Constraints,
    w: &mut Work,
    tags: &mut Vec<u16>,
    margins: &mut Vec<f32>,
) {
    let t = s.n_tags();
    let n = w.offs.len().saturating_sub(1);
    tags.clear();
    margins.clear();
    if n == 0 || cons.t != t {
        return;
    }
    let Work {
        keys,
        offs,
        em,
        tr: tr_buf,
        delta,
        back,
    } = w;
    em.clear();
    em.resize(n * t, 0.0);
    s.emit_all(keys, offs, em);
    const NEG: f32 = f32::NEG_INFINITY;
    let tr: &[f32] = match s.trans_matrix(cons) {
        Some(m) if m.len() == t * t => m,
        _ => {
            cons.dense_trans(s, tr_buf);
            tr_buf
        }
    };
    delta.clear();
    delta.resize(n * t, NEG);
    back.clear();
    back.resize(n * t, 0);
    for c in 0..t {
        if cons.start[c] {
            delta[c] = em[c] + s.start(c);
        }
    }
    for i in 1..n {
        let (done, cur) = delta.split_at_mut(i * t);
        let prev = &done[(i - 1) * t..];
        let em_row = &em[i * t..(i + 1) * t];
        let back_row = &mut back[i * t..(i + 1) * t];
        for (c, cell) in cur.iter_mut().enumerate().take(t) {
            let row = &tr[c * t..(c + 1) * t];
            // The first best predecessor among the allowed ones: forbidden steps
            // score -inf, so this is the first arg max over all tags.
            let mut best = NEG;
            let mut arg = 0u16;
            for &p in cons.prevs(c) {
                let (Some(&a), Some(&b)) = (prev.get(p as usize), row.get(p as usize)) else {
                    continue;
                };
                let v = a + b;
                if v > best {
                    best = v;
                    arg = p;
                }
            }
            if best > NEG {
                *cell = best + em_row[c];
                back_row[c] = arg;
            }
        }
    }
    let mut best = NEG;
    let mut arg = 0usize;
    for c in 0..t {
        let d = delta[(n - 1) * t + c];
        if cons.end[c] && d > best {
            best = d;
            arg = c;
        }
    }
    tags.resize(n, 0);
    tags[n - 1] = arg as u16;
    for i in (1..n).rev() {
        tags[i - 1] = back[i * t + tags[i] as usize];
    }
    for i in 0..n {
        let row = &em[i * t..(i + 1) * t];
        let chosen = row[tags[i] as usize];
        let mut other = NEG;
        for (c, &v) in row.iter().enumerate() {
            if c != tags[i] as usize && v > other {
                other = v;
            }
        }
        margins.push(chosen - other);
    }
}

/// Records the predicted entity types of `seg`'s capitalised words in `hist`.
pub fn update_history(
    hist: &mut History,
    prep: &Prepared,
    seg: Segment,
    ts: &TagSet,
    tags: &[u16],
) {
    for (a, b, ty) in ts.decode(tags) {
        for i in seg.a + a..seg.a + b {
            if let Some(t) = prep.toks.get(i) {
                if t.any_upper {
                    hist.add(t.lower, ty);
                }
            }
        }
    }
}

/// A tagged span over tokens `[a, b)` with its type index and a confidence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TokSpan {
    pub a: usize,
    pub b: usize,
    pub ty: usize,
    pub confidence: f32,
}

/// Tags a prepared document; returns the per-token tags and the spans.
pub fn tag_document<S: Scorer + ?Sized>(
    s: &S,
    ts: &TagSet,
    cons: &Constraints,
    flags: u32,
    prep: &Prepared,
    extra: Option<&features::Extra>,
    margin_scale: f32,
) -> (Vec<u16>, Vec<TokSpan>) {
    let n = prep.toks.len();
    let mut all = vec![0u16; n];
    let mut spans = Vec::new();
    let mut hist = History::default();
    let mut w = Work::default();
    let mut tags = Vec::new();
    let mut margins = Vec::new();
    for &seg in &prep.segments {
        segment_keys(prep, seg, flags, &hist, extra, &mut w);
        viterbi(s, cons, &mut w, &mut tags, &mut margins);
        for (k, &t) in tags.iter().enumerate() {
            if let Some(x) = all.get_mut(seg.a + k) {
                *x = t;
            }
        }
        for (a, b, ty) in ts.decode(&tags) {
            let m = margins[a..b].iter().copied().fold(f32::INFINITY, f32::min);
            // Margin of the weakest token as a logistic score; clamped because a
            // Viterbi path may take a tag below its token's emission argmax.
            let conf = (1.0 / (1.0 + (-m * margin_scale).exp())).clamp(0.05, 0.999);
            spans.push(TokSpan {
                a: seg.a + a,
                b: seg.a + b,
                ty,
                confidence: conf,
            });
        }
        if flags & features::USE_HISTORY != 0 {
            update_history(&mut hist, prep, seg, ts, &tags);
        }
    }
    spans.sort_by_key(|s| s.a);
    (all, spans)
}

/// A trained tagging model (read in place from its bytes).
#[derive(Debug, Clone)]
pub struct Model {
    pub tagset: TagSet,
    pub flags: u32,
    cons: Constraints,
    table: Table,
    trans: Vec<f32>,
    /// `cons` applied to `trans`, transposed (see [`Scorer::trans_matrix`]).
    trans_t: Vec<f32>,
    start: Vec<f32>,
    /// Subtracted from the score of `O` (stored units): trades precision for
    /// recall, tuned on dev at training time.
    o_penalty: f32,
    o_penalty_offset: usize,
    /// Converts a margin in stored units into logits for confidences.
    pub margin_scale: f32,
}

const MODEL_MAGIC: &[u8; 4] = b"DSTM";

struct Rd<'a> {
    b: &'a [u8],
    o: usize,
}

impl<'a> Rd<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let s = self
            .b
            .get(self.o..self.o + n)
            .ok_or("model file truncated")?;
        self.o += n;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32, String> {
        let s = self.take(4)?;
        Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
    fn i32(&mut self) -> Result<i32, String> {
        Ok(self.u32()? as i32)
    }
}

impl Model {
    /// Serialises a model: header, tag set, transitions, then the weight table.
    pub fn to_bytes(
        tagset: &TagSet,
        flags: u32,
        trans: &[i32],
        start: &[i32],
        o_penalty: i32,
        table: &[u8],
    ) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MODEL_MAGIC);
        out.extend_from_slice(&2u32.to_le_bytes());
        out.extend_from_slice(&flags.to_le_bytes());
        out.extend_from_slice(&(matches!(tagset.scheme, Scheme::Bilou) as u32).to_le_bytes());
        out.extend_from_slice(&(tagset.types.len() as u32).to_le_bytes());
        for t in &tagset.types {
            out.extend_from_slice(&(t.len() as u32).to_le_bytes());
            out.extend_from_slice(t.as_bytes());
        }
        for v in trans.iter().chain(start) {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&o_penalty.to_le_bytes());
        out.extend_from_slice(table);
        out
    }

    pub fn from_bytes(bytes: Cow<'static, [u8]>) -> Result<Model, String> {
        let (tagset, flags, trans, start, o_penalty, o_penalty_offset, off) = {
            let mut r = Rd { b: &bytes, o: 0 };
            if r.take(4)? != MODEL_MAGIC {
                return Err("not a dossier tagger model".into());
            }
            if r.u32()? != 2 {
                return Err("unsupported model version".into());
            }
            let flags = r.u32()?;
            let scheme = if r.u32()? == 1 {
                Scheme::Bilou
            } else {
                Scheme::Bio
            };
            let nt = r.u32()? as usize;
            if nt > 256 {
                return Err("too many entity types".into());
            }
            let mut types = Vec::with_capacity(nt);
            for _ in 0..nt {
                let l = r.u32()? as usize;
                let s = std::str::from_utf8(r.take(l)?).map_err(|_| "type name is not UTF-8")?;
                types.push(s.to_string());
            }
            let tagset = TagSet { types, scheme };
            let t = tagset.n_tags();
            let mut trans = Vec::with_capacity(t * t);
            for _ in 0..t * t {
                trans.push(r.i32()? as f32);
            }
            let mut start = Vec::with_capacity(t);
            for _ in 0..t {
                start.push(r.i32()? as f32);
            }
            let o_penalty_offset = r.o;
            let o_penalty = r.i32()? as f32;
            (
                tagset,
                flags,
                trans,
                start,
                o_penalty,
                o_penalty_offset,
                r.o,
            )
        };
        let tb: Cow<'static, [u8]> = match bytes {
            Cow::Borrowed(b) => Cow::Borrowed(&b[off..]),
            Cow::Owned(v) => Cow::Owned(v[off..].to_vec()),
        };
        let table = Table::from_bytes(tb)?;
        if table.ncols() != tagset.n_tags() {
            return Err("weight table does not match the tag set".into());
        }
        let margin_scale = table.scale();
        let cons = Constraints::new(&tagset);
        let mut model = Model {
            tagset,
            flags,
            cons,
            table,
            trans,
            trans_t: Vec::new(),
            start,
            o_penalty,
            o_penalty_offset,
            margin_scale,
        };
        let mut trans_t = Vec::new();
        model.cons.dense_trans(&model, &mut trans_t);
        model.trans_t = trans_t;
        Ok(model)
    }

    pub fn byte_len(&self) -> usize {
        self.table.byte_len()
    }

    /// The bytes of this model (`bytes`, as loaded) with another `O` penalty (stored units).
    pub fn with_o_penalty_bytes(&self, bytes: &[u8], units: i32) -> Vec<u8> {
        let mut b = bytes.to_vec();
        if let Some(x) = b.get_mut(self.o_penalty_offset..self.o_penalty_offset + 4) {
            x.copy_from_slice(&units.to_le_bytes());
        }
        b
    }

    /// Sets the `O` penalty in weight units.
    pub fn set_o_penalty(&mut self, weight_units: f32) {
        self.o_penalty = weight_units / self.table.scale();
    }

    /// Tags a prepared document.
    pub fn tag(
        &self,
        prep: &Prepared,
        extra: Option<&features::Extra>,
    ) -> (Vec<u16>, Vec<TokSpan>) {
        tag_document(
            self,
            &self.tagset,
            &self.cons,
            self.flags,
            prep,
            extra,
            self.margin_scale,
        )
    }
}

impl Scorer for Model {
    fn n_tags(&self) -> usize {
        self.tagset.n_tags()
    }

    fn emit_all(&self, keys: &[u64], offs: &[usize], em: &mut [f32]) {
        // Lookups are memory-bound: prefetch the slots of keys well ahead, across
        // token boundaries, so their cache misses overlap.
        const AHEAD: usize = 16;
        let t = self.tagset.n_tags();
        for &k in keys.iter().take(AHEAD) {
            self.table.prefetch(k);
        }
        let mut small = [0i32; 64];
        let mut big = Vec::new();
        let acc: &mut [i32] = if t <= small.len() {
            &mut small[..t]
        } else {
            big.resize(t, 0);
            &mut big
        };
        for i in 0..offs.len().saturating_sub(1) {
            acc.iter_mut().for_each(|a| *a = 0);
            for j in offs[i]..offs[i + 1] {
                if let Some(&n) = keys.get(j + AHEAD) {
                    self.table.prefetch(n);
                }
                self.table.add_row(keys[j], acc);
            }
            if let Some(out) = em.get_mut(i * t..(i + 1) * t) {
                for (o, a) in out.iter_mut().zip(acc.iter()) {
                    *o += *a as f32;
                }
                if let Some(o) = out.first_mut() {
                    *o -= self.o_penalty;
                }
            }
        }
    }

    #[inline]
    fn emit(&self, keys: &[u64], out: &mut [f32]) {
        const AHEAD: usize = 6;
        let t = out.len();
        let mut small = [0i32; 64];
        let mut big = Vec::new();
        let acc: &mut [i32] = if t <= 64 {
            &mut small[..t]
        } else {
            big.resize(t, 0);
            &mut big
        };
        for &k in keys.iter().take(AHEAD) {
            self.table.prefetch(k);
        }
        for (j, &k) in keys.iter().enumerate() {
            if let Some(&n) = keys.get(j + AHEAD) {
                self.table.prefetch(n);
            }
            self.table.add_row(k, acc);
        }
        for (o, a) in out.iter_mut().zip(acc.iter()) {
            *o += *a as f32;
        }
        if let Some(o) = out.first_mut() {
            *o -= self.o_penalty;
        }
    }

    #[inline]
    fn trans(&self, prev: usize, cur: usize) -> f32 {
        self.trans
            .get(prev * self.tagset.n_tags() + cur)
            .copied()
            .unwrap_or(0.0)
    }

    #[inline]
    fn start(&self, cur: usize) -> f32 {
        self.start.get(cur).copied().unwrap_or(0.0)
    }

    fn trans_matrix(&self, cons: &Constraints) -> Option<&[f32]> {
        std::ptr::eq(cons, &self.cons).then_some(self.trans_t.as_slice())
    }
}

/// Stacking features: the tags another model gave each token (and its neighbours).
pub fn stack_features(ts: &TagSet, tags: &[u16], toks: &[TokInfo], out: &mut features::Extra) {
    let names: Vec<u64> = (0..ts.n_tags())
        .map(|t| features::hs(&ts.tag_name(t)))
        .collect();
    let name = |i: usize| names.get(tags[i] as usize).copied().unwrap_or(0);
    for (i, tok) in toks.iter().enumerate().take(tags.len()) {
        let cur = name(i);
        out.push(i, features::extra_key(features::T_STACK, cur));
        let prev = if i > 0 { name(i - 1) } else { 1 };
        let next = if i + 1 < tags.len() { name(i + 1) } else { 2 };
        out.push(i, features::extra_key(features::T_STACK_M1, prev));
        out.push(i, features::extra_key(features::T_STACK_P1, next));
        out.push(
            i,
            features::extra_key2(features::T_STACK_L0, cur, tok.short),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(scheme: Scheme) -> TagSet {
        TagSet {
            types: vec!["PER".into(), "ORG".into()],
            scheme,
        }
    }

    #[test]
    fn encode_decode_roundtrip() {
        for scheme in [Scheme::Bio, Scheme::Bilou] {
            let t = ts(scheme);
            let spans = vec![(0, 2, 0), (2, 3, 1), (5, 8, 0)];
            let tags = t.encode(9, &spans);
            assert_eq!(t.decode(&tags), spans, "{scheme:?}");
            let mut prev = None;
            for &x in &tags {
                assert!(t.allowed(prev, x as usize), "{scheme:?} {tags:?}");
                prev = Some(x as usize);
            }
        }
    }

    #[test]
    fn bilou_constraints() {
        let t = ts(Scheme::Bilou);
        let b_per = t.tag(Part::B, 0);
        assert!(!t.allowed(Some(b_per), 0));
        assert!(t.allowed(Some(b_per), t.tag(Part::L, 0)));
        assert!(!t.allowed(Some(b_per), t.tag(Part::L, 1)));
        assert!(!t.allowed(None, t.tag(Part::I, 0)));
        assert!(!t.end_ok(b_per));
    }

    /// Emissions and transitions from a small integer grid, so ties are common.
    struct Grid {
        t: usize,
        em: Vec<f32>,
        tr: Vec<f32>,
        st: Vec<f32>,
    }

    impl Scorer for Grid {
        fn n_tags(&self) -> usize {
            self.t
        }
        fn emit(&self, keys: &[u64], out: &mut [f32]) {
            for (c, o) in out.iter_mut().enumerate() {
                let k = keys.first().copied().unwrap_or(0) as usize;
                *o += self.em[(k * self.t + c) % self.em.len()];
            }
        }
        fn trans(&self, p: usize, c: usize) -> f32 {
            self.tr[p * self.t + c]
        }
        fn start(&self, c: usize) -> f32 {
            self.st[c]
        }
    }

    /// The plain dense Viterbi (every predecessor, first arg max) the decoder must equal.
    fn reference(s: &Grid, ts: &TagSet, n: usize) -> Vec<u16> {
        let t = s.t;
        let neg = f32::NEG_INFINITY;
        let em: Vec<f32> = (0..n)
            .flat_map(|i| {
                let mut row = vec![0.0; t];
                s.emit(&[i as u64], &mut row);
                row
            })
            .collect();
        let mut delta = vec![neg; n * t];
        let mut back = vec![0u16; n * t];
        for c in 0..t {
            if ts.allowed(None, c) {
                delta[c] = em[c] + s.start(c);
            }
        }
        for i in 1..n {
            for c in 0..t {
                let mut best = neg;
                let mut arg = 0;
                for p in 0..t {
                    let tr = if ts.allowed(Some(p), c) {
                        s.trans(p, c)
                    } else {
                        neg
                    };
                    let v = delta[(i - 1) * t + p] + tr;
                    if v > best {
                        best = v;
                        arg = p;
                    }
                }
                if best > neg {
                    delta[i * t + c] = best + em[i * t + c];
                    back[i * t + c] = arg as u16;
                }
            }
        }
        let mut arg = 0;
        let mut best = neg;
        for c in 0..t {
            if ts.end_ok(c) && delta[(n - 1) * t + c] > best {
                best = delta[(n - 1) * t + c];
                arg = c;
            }
        }
        let mut tags = vec![0u16; n];
        tags[n - 1] = arg as u16;
        for i in (1..n).rev() {
            tags[i - 1] = back[i * t + tags[i] as usize];
        }
        tags
    }

    #[test]
    fn viterbi_equals_dense_reference() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |m: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % m) as f32 - (m / 2) as f32
        };
        for scheme in [Scheme::Bio, Scheme::Bilou] {
            let ts = TagSet {
                types: vec!["A".into(), "B".into(), "C".into()],
                scheme,
            };
            let cons = Constraints::new(&ts);
            let t = ts.n_tags();
            for round in 0..200 {
                let g = Grid {
                    t,
                    em: (0..t * 7).map(|_| next(5)).collect(),
                    tr: (0..t * t).map(|_| next(3)).collect(),
                    st: (0..t).map(|_| next(3)).collect(),
                };
                let n = 1 + round % 9;
                let mut w = Work::default();
                w.offs.push(0);
                for i in 0..n {
                    w.keys.push(i as u64);
                    w.offs.push(w.keys.len());
                }
                let (mut tags, mut margins) = (Vec::new(), Vec::new());
                viterbi(&g, &cons, &mut w, &mut tags, &mut margins);
                assert_eq!(tags, reference(&g, &ts, n), "{scheme:?} round {round}");
                assert_eq!(margins.len(), n);
            }
        }
    }
}
