//! Feature extraction for the sequence tagger.
//!
//! Every feature is a 64-bit hash of (template, value); the model maps hashes to
//! weight rows. Per-token strings are hashed once ([`TokInfo`]); window and
//! conjunction features are cheap combinations of those hashes.

use crate::clusters::Clusters;
use crate::table::{combine, hash_bytes};

// Template ids. Changing any of them invalidates shipped models.
const T_BIAS: u64 = 1;
const T_W0: u64 = 2;
const T_L0: u64 = 3;
const T_S0: u64 = 4;
const T_SS0: u64 = 5;
const T_PRE: u64 = 10; // +k
const T_SUF: u64 = 20; // +k
const T_LM1: u64 = 30;
const T_LM2: u64 = 31;
const T_LP1: u64 = 32;
const T_LP2: u64 = 33;
const T_SSM1: u64 = 34;
const T_SSM2: u64 = 35;
const T_SSP1: u64 = 36;
const T_SSP2: u64 = 37;
const T_BI_L: u64 = 40;
const T_BI_R: u64 = 41;
const T_SS3: u64 = 42;
const T_LM1_SS0: u64 = 43;
const T_SS0_LP1: u64 = 44;
const T_FIRST: u64 = 45;
const T_HEAD: u64 = 46;
const T_HEAD_L0: u64 = 47;
const T_WM1: u64 = 48;
const T_WP1: u64 = 49;
const T_CL0: u64 = 50; // +k
const T_CLM1: u64 = 60;
const T_CLP1: u64 = 61;
const T_CL0_M: u64 = 62;
const T_HIST: u64 = 70;
const T_HIST_SS0: u64 = 71;
const T_HIST_ANY: u64 = 72;
const T_HISTN: u64 = 73;
const T_LINE_FIRST: u64 = 74;
const T_LINE_LAST: u64 = 75;
const T_DOCCASE: u64 = 76;
const T_TOPIC_SS0: u64 = 77;
const T_TOPIC_CL: u64 = 78;
/// Templates for extra per-token features supplied by the pipeline.
pub const T_STACK: u64 = 100;
pub const T_STACK_M1: u64 = 101;
pub const T_STACK_P1: u64 = 102;
pub const T_STACK_L0: u64 = 103;
pub const T_GAZ: u64 = 110;
pub const T_GAZ_SS0: u64 = 111;
pub const T_PAT: u64 = 120;
pub const T_PAT_L0: u64 = 121;

const SEED: u64 = 0x6473_7367_7431; // "dssgt1"
const BOS: u64 = 0xb05;
const EOS: u64 = 0xe05;

#[inline]
fn f(t: u64, v: u64) -> u64 {
    combine(t.wrapping_mul(0x100_0000_01b3), v)
}

#[inline]
fn f2(t: u64, a: u64, b: u64) -> u64 {
    combine(combine(t.wrapping_mul(0x100_0000_01b3), a), b)
}

/// Hash of a string value (exposed for extra features).
pub fn hs(s: &str) -> u64 {
    hash_bytes(SEED, s.as_bytes())
}

/// A key for an extra feature of template `t` with value `v`.
pub fn extra_key(t: u64, v: u64) -> u64 {
    f(t, v)
}

/// A key for an extra feature of template `t` with values `a` and `b`.
pub fn extra_key2(t: u64, a: u64, b: u64) -> u64 {
    f2(t, a, b)
}

/// Hashed per-token facts, computed once per token.
#[derive(Debug, Clone, Default)]
pub struct TokInfo {
    pub word: u64,
    pub lower: u64,
    pub shape: u64,
    pub short: u64,
    pub affix: [u64; 8],
    pub n_affix: u8,
    /// First char upper-case.
    pub cap: bool,
    /// Has letters and all of them upper-case.
    pub all_caps: bool,
    /// Has an upper-case letter anywhere ("al-Baghdadi", "McCain").
    pub any_upper: bool,
    pub has_alpha: bool,
    /// Cluster ids at three granularities (hashed; 0 = unknown word).
    pub clus: [u64; 3],
    /// How the same word is written elsewhere in the document, in ordinary
    /// (non-initial, non-headline) positions: bit 0 lower-case, bit 1 Title-case,
    /// bit 2 ALL-CAPS. Tells a headline's "JAPAN" from "SAYS", and a
    /// sentence-initial name from a capitalised common word.
    pub doc_case: u8,
}

impl TokInfo {
    pub fn new(word: &str, clusters: Option<&Clusters>) -> TokInfo {
        let lower_s;
        let lower: &str = if word.bytes().any(|b| b.is_ascii_uppercase()) || !word.is_ascii() {
            lower_s = word.to_lowercase();
            &lower_s
        } else {
            word
        };
        // Shapes in fixed buffers: no allocation per token.
        let mut shape = [0u8; 20];
        let mut n_shape = 0usize;
        let mut short = [0u8; 12];
        let mut n_short = 0usize;
        let mut upper = 0usize;
        let mut lowerc = 0usize;
        let mut first_upper = false;
        for (k, c) in word.chars().enumerate() {
            let m = if c.is_uppercase() {
                upper += 1;
                if k == 0 {
                    first_upper = true;
                }
                b'X'
            } else if c.is_lowercase() {
                lowerc += 1;
                b'x'
            } else if c.is_ascii_digit() {
                b'd'
            } else if c.is_alphabetic() {
                lowerc += 1;
                b'x'
            } else if c.is_ascii() {
                c as u8
            } else {
                b'o'
            };
            if n_shape < shape.len() {
                shape[n_shape] = m;
                n_shape += 1;
            }
            if (n_short == 0 || short[n_short - 1] != m) && n_short < short.len() {
                short[n_short] = m;
                n_short += 1;
            }
        }
        let shape = &shape[..n_shape];
        let short = &short[..n_short];
        let mut affix = [0u64; 8];
        let mut n_affix = 0u8;
        // Byte offsets of the first 5 and last 4 char boundaries of `lower`.
        let n_chars = lower.chars().count();
        let mut head = [0usize; 5];
        for (k, (b, _)) in lower.char_indices().take(5).enumerate() {
            head[k] = b;
        }
        let mut tail = [0usize; 5];
        for (k, (b, _)) in lower.char_indices().rev().take(4).enumerate() {
            tail[k + 1] = b;
        }
        for k in 1..=4usize {
            if n_chars > k {
                let p = &lower[..head[k]];
                let s = &lower[tail[k]..];
                affix[(k - 1) * 2] = f(T_PRE + k as u64, hs(p));
                affix[(k - 1) * 2 + 1] = f(T_SUF + k as u64, hs(s));
                n_affix = (k * 2) as u8;
            }
        }
        let mut clus = [0u64; 3];
        if let Some(c) = clusters {
            let ids = c.lookup(word).or_else(|| c.lookup(lower));
            if let Some(ids) = ids {
                for (k, id) in ids.iter().enumerate() {
                    clus[k] = (*id as u64) + 1;
                }
            }
        }
        TokInfo {
            word: hs(word),
            lower: hs(lower),
            shape: hash_bytes(SEED, shape),
            short: hash_bytes(SEED, short),
            affix,
            n_affix,
            cap: first_upper,
            all_caps: upper > 0 && lowerc == 0,
            any_upper: upper > 0,
            doc_case: 0,
            has_alpha: upper + lowerc > 0,
            clus,
        }
    }
}

/// Document-level memory of earlier predictions: entity types given to a word.
#[derive(Debug, Default, Clone)]
pub struct History {
    map: std::collections::HashMap<u64, [u16; HISTORY_TYPES], crate::table::IdBuild>,
}

/// Entity types tracked by [`History`] (both schemas have fewer).
const HISTORY_TYPES: usize = 16;

impl History {
    pub fn clear(&mut self) {
        self.map.clear();
    }

    pub fn add(&mut self, lower: u64, ty: usize) {
        let e = self.map.entry(lower).or_insert([0; HISTORY_TYPES]);
        if let Some(c) = e.get_mut(ty) {
            *c = c.saturating_add(1);
        }
    }

    fn majority(&self, lower: u64) -> Option<(usize, u16, bool)> {
        let c = self.map.get(&lower)?;
        let mut best = None;
        let mut n_types = 0;
        for (t, &n) in c.iter().enumerate() {
            if n > 0 {
                n_types += 1;
                if best.is_none_or(|(_, bn)| n > bn) {
                    best = Some((t, n));
                }
            }
        }
        best.map(|(t, n)| (t, n, n_types > 1))
    }
}

/// Which optional feature groups a model uses (stored in the model file).
pub const USE_CLUSTERS: u32 = 1;
pub const USE_HISTORY: u32 = 2;
pub const USE_STACK: u32 = 4;
pub const USE_GAZ: u32 = 8;
pub const USE_PATTERNS: u32 = 16;

/// Appends the features of token `i` of the segment `toks[a..b]` to `out`.
#[allow(clippy::too_many_arguments)]
pub fn token_features(
    toks: &[TokInfo],
    a: usize,
    b: usize,
    i: usize,
    headline: bool,
    line_edges: (bool, bool),
    hist: Option<&History>,
    topic: u64,
    extra: &[u64],
    out: &mut Vec<u64>,
) {
    let t = &toks[i];
    let at = |j: isize| -> Option<&TokInfo> {
        let j = i as isize + j;
        if j < a as isize || j >= b as isize {
            None
        } else {
            toks.get(j as usize)
        }
    };
    let lw = |j: isize, end: u64| at(j).map_or(end, |x| x.lower);
    let ss = |j: isize, end: u64| at(j).map_or(end, |x| x.short);
    let lm1 = lw(-1, BOS);
    let lp1 = lw(1, EOS);
    let ssm1 = ss(-1, BOS);
    let ssp1 = ss(1, EOS);
    out.push(f(T_BIAS, 0));
    out.push(f(T_W0, t.word));
    out.push(f(T_L0, t.lower));
    out.push(f(T_S0, t.shape));
    out.push(f(T_SS0, t.short));
    out.extend_from_slice(&t.affix[..t.n_affix as usize]);
    out.push(f(T_LM1, lm1));
    out.push(f(T_LM2, lw(-2, BOS)));
    out.push(f(T_LP1, lp1));
    out.push(f(T_LP2, lw(2, EOS)));
    out.push(f(T_WM1, at(-1).map_or(BOS, |x| x.word)));
    out.push(f(T_WP1, at(1).map_or(EOS, |x| x.word)));
    out.push(f(T_SSM1, ssm1));
    out.push(f(T_SSM2, ss(-2, BOS)));
    out.push(f(T_SSP1, ssp1));
    out.push(f(T_SSP2, ss(2, EOS)));
    out.push(f2(T_BI_L, lm1, t.lower));
    out.push(f2(T_BI_R, t.lower, lp1));
    out.push(f2(T_SS3, combine(ssm1, t.short), ssp1));
    out.push(f2(T_LM1_SS0, lm1, t.short));
    out.push(f2(T_SS0_LP1, t.short, lp1));
    if i == a {
        out.push(f(T_FIRST, t.short));
    }
    if line_edges.0 {
        out.push(f(T_LINE_FIRST, t.short));
    }
    if line_edges.1 {
        out.push(f(T_LINE_LAST, t.short));
    }
    if t.any_upper {
        out.push(f2(T_DOCCASE, t.doc_case as u64, t.short));
        // The document's first word ("SOCCER", "CRICKET"...) as a topic: in sports
        // results a city name is a team (ORG), in news a place (LOC).
        if topic != 0 {
            out.push(f2(T_TOPIC_SS0, topic, t.short));
            if t.clus[0] != 0 {
                out.push(f2(T_TOPIC_CL, topic, t.clus[0]));
            }
        }
    }
    if headline {
        out.push(f(T_HEAD, t.short));
        out.push(f(T_HEAD_L0, t.lower));
    }
    if t.clus[0] != 0 {
        for k in 0..3 {
            out.push(f(T_CL0 + k as u64, t.clus[k]));
        }
        out.push(f2(T_CL0_M, t.clus[1], t.short));
    }
    if let Some(x) = at(-1) {
        if x.clus[1] != 0 {
            out.push(f(T_CLM1, x.clus[1]));
        }
    }
    if let Some(x) = at(1) {
        if x.clus[1] != 0 {
            out.push(f(T_CLP1, x.clus[1]));
        }
    }
    if let Some(h) = hist {
        if t.any_upper {
            if let Some((ty, n, mixed)) = h.majority(t.lower) {
                out.push(f(T_HIST, ty as u64));
                out.push(f2(T_HIST_SS0, ty as u64, t.short));
                out.push(f(T_HIST_ANY, mixed as u64));
                out.push(f2(T_HISTN, ty as u64, (n as u64).min(3)));
            }
        }
    }
    out.extend_from_slice(extra);
}

/// BILOU part name of token `i` in a span `[a, b)`.
fn part_of(i: usize, a: usize, b: usize) -> u64 {
    if b - a == 1 {
        4
    } else if i == a {
        1
    } else if i + 1 == b {
        3
    } else {
        2
    }
}

/// Extra per-token feature keys (gazetteer, patterns, stacking), pushed in any
/// order and then grouped by token ([`Extra::finish`]) into one flat array.
#[derive(Debug, Clone, Default)]
pub struct Extra {
    pairs: Vec<(u32, u64)>,
    offs: Vec<u32>,
    keys: Vec<u64>,
}

impl Extra {
    pub fn push(&mut self, tok: usize, key: u64) {
        self.pairs.push((tok as u32, key));
    }

    /// Groups the keys by token (stable: keeps push order within a token).
    pub fn finish(&mut self, n_tokens: usize) {
        self.offs.clear();
        self.offs.resize(n_tokens + 1, 0);
        for &(t, _) in &self.pairs {
            if let Some(c) = self.offs.get_mut(t as usize + 1) {
                *c += 1;
            }
        }
        for i in 1..self.offs.len() {
            self.offs[i] += self.offs[i - 1];
        }
        let mut pos: Vec<u32> = self.offs.clone();
        self.keys.clear();
        self.keys.resize(self.offs[n_tokens] as usize, 0);
        for &(t, k) in &self.pairs {
            if let Some(p) = pos.get_mut(t as usize) {
                if let Some(slot) = self.keys.get_mut(*p as usize) {
                    *slot = k;
                }
                *p += 1;
            }
        }
    }

    /// The keys of token `i` (after [`Extra::finish`]).
    pub fn get(&self, i: usize) -> &[u64] {
        match (self.offs.get(i), self.offs.get(i + 1)) {
            (Some(&a), Some(&b)) => self.keys.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// Gazetteer features: each token inside a match gets its category and position.
pub fn gazetteer_keys(matches: &[crate::gazetteer::GazMatch], toks: &[TokInfo], out: &mut Extra) {
    for m in matches {
        let cat = m.category as u64 + 1;
        let end = m.end_tok.min(toks.len());
        for (i, t) in toks.iter().enumerate().take(end).skip(m.start_tok) {
            let v = combine(cat, part_of(i, m.start_tok, m.end_tok));
            out.push(i, f(T_GAZ, v));
            out.push(i, f2(T_GAZ_SS0, v, t.short));
        }
    }
}

/// Pattern features: tokens inside a pattern match get its kind and position.
/// `spans` are token ranges with the match's kind.
pub fn pattern_keys(spans: &[(usize, usize, &str)], toks: &[TokInfo], out: &mut Extra) {
    for &(a, b, kind) in spans {
        let k = hs(kind);
        for (i, t) in toks.iter().enumerate().take(b.min(toks.len())).skip(a) {
            let v = combine(k, part_of(i, a, b));
            out.push(i, f(T_PAT, v));
            out.push(i, f2(T_PAT_L0, k, t.lower));
        }
    }
}
