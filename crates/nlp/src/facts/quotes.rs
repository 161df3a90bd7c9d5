//! Quotes: direct quotations with their speaker, and reported speech.
//!
//! * Quote marks are paired in one pass over the text: curly and straight double marks,
//!   and the CSV-escaped `""` of re3d-style paragraphs. A paragraph that opens with a
//!   quote mark while a quote is still open continues that quote, so a quotation runs
//!   over several paragraphs; single marks inside are nested quotes and stay in the span.
//! * Each quotation is attributed from the words right after it (`"...," said X`,
//!   `"...," X said`), else right before it (`X said: "..."`, `X told reporters "..."`,
//!   `"...," he said, "..."`), else it continues the previous quote of the paragraph, or
//!   takes the person who is the subject of the sentence before.
//! * Speakers resolve to a named person: a name is itself; he/she is the last person
//!   named outside quotes; "the coordinator" is the last person whose role or speaker
//!   phrase has that head noun.
//! * Reported speech: `X said (that) ...`, `X told reporters (that) ...`,
//!   `..., X said.`, `according to X, ...`, `..., saying ...`.
//!
//! Every search looks at a bounded window of tokens, so the pass is linear.

use super::roles::{
    Analysis, CUE, DET, FUNC, HEAD, NONE, ORGW, PNOUN, PREP, PRON, PRONPL, RCUE, STOP,
};
use super::FactInput;
use dossier_core::{Arg, Facts, Quote, QuoteKind, Role};
use rustc_hash::FxHashMap;

const EXTRACTOR: &str = "quotes/1";

/// Who is told things: "told reporters (that) ...".
const HEARERS: &[&str] = &[
    "reporters",
    "journalists",
    "jurors",
    "jury",
    "court",
    "lawmakers",
    "legislators",
    "investigators",
    "police",
    "committee",
    "parliament",
    "television",
    "radio",
    "newspaper",
    "audience",
    "crowd",
    "supporters",
    "students",
    "hearing",
    "senators",
    "mps",
    "press",
    "agency",
    "interviewer",
    "magistrates",
    "judge",
    "tribunal",
    "inquiry",
    "panel",
];

/// Longest speaker phrase, in tokens.
const MAX_NP: usize = 12;
/// How far before a quote its attribution's cue may be, in tokens.
const MAX_BEFORE: usize = 10;
/// Longest sentence part searched for a subject or a reported clause, in tokens.
const MAX_SENT: usize = 120;
/// How many earlier names a pronoun looks back over.
const MAX_BACK: usize = 40;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MarkKind {
    Open,
    Close,
    Either,
}

#[derive(Debug, Clone, Copy)]
struct Mark {
    s: usize,
    e: usize,
    kind: MarkKind,
    /// Only whitespace between the line start and the mark.
    line_first: bool,
    /// Paragraph (line) number.
    line: usize,
}

/// A paired quotation: byte offsets of the opening mark's end and the closing mark's
/// start (content), and of the closing mark's end.
#[derive(Debug, Clone, Copy)]
struct Span {
    os: usize,
    oe: usize,
    cs: usize,
    ce: usize,
}

/// Finds the double quote marks of `text`, line by line (one pass).
fn marks(text: &str) -> Vec<Mark> {
    let mut out = Vec::new();
    // CSV-quoted paragraphs (re3d): once one line shows doubled quotes, every line
    // wrapped in quotes is a CSV field.
    let doc_csv = text.split('\n').any(csv_line);
    let mut base = 0usize;
    for (line_no, line) in text.split('\n').enumerate() {
        let csv = doc_csv && wrapped_line(line);
        let trimmed_end = line.trim_end().len();
        let bytes = line.as_bytes();
        let mut blank = true;
        let mut i = 0usize;
        while i < bytes.len() {
            let b = bytes[i];
            if b == b'"' {
                let mut j = i;
                while j < bytes.len() && bytes[j] == b'"' {
                    j += 1;
                }
                let (mut s, mut e) = (i, j);
                if csv {
                    // The wrapper marks at line start and end are not quotes; `""` is one.
                    if blank {
                        s += 1;
                    }
                    if j >= trimmed_end && e > s {
                        e -= 1;
                    }
                    let mut k = s;
                    while k + 2 <= e {
                        out.push(Mark {
                            s: base + k,
                            e: base + k + 2,
                            kind: straight_kind(text, base + k, base + k + 2),
                            line_first: blank && k <= i + 1,
                            line: line_no,
                        });
                        k += 2;
                    }
                } else {
                    for k in s..e {
                        out.push(Mark {
                            s: base + k,
                            e: base + k + 1,
                            kind: straight_kind(text, base + k, base + k + 1),
                            line_first: blank && k == i,
                            line: line_no,
                        });
                    }
                }
                blank = false;
                i = j;
                continue;
            }
            if b < 0x80 {
                blank &= b.is_ascii_whitespace();
                i += 1;
                continue;
            }
            let Some(c) = line.get(i..).and_then(|r| r.chars().next()) else {
                i += 1;
                continue;
            };
            let kind = match c {
                '\u{201C}' | '\u{201E}' | '\u{00AB}' => Some(MarkKind::Open),
                '\u{201D}' | '\u{00BB}' => Some(MarkKind::Close),
                _ => None,
            };
            if let Some(kind) = kind {
                out.push(Mark {
                    s: base + i,
                    e: base + i + c.len_utf8(),
                    kind,
                    line_first: blank,
                    line: line_no,
                });
            }
            blank &= c.is_whitespace();
            i += c.len_utf8();
        }
        base += line.len() + 1;
    }
    out
}

/// A line that starts and ends with `"` and holds a doubled `""`: a CSV-quoted field.
fn csv_line(line: &str) -> bool {
    wrapped_line(line) && line.contains("\"\"")
}

/// A line that starts and ends with `"`.
fn wrapped_line(line: &str) -> bool {
    let line = line.trim();
    line.len() >= 2 && line.starts_with('"') && line.ends_with('"')
}

/// Opening or closing, judged from the characters around a straight mark.
fn straight_kind(text: &str, s: usize, e: usize) -> MarkKind {
    let before = text.get(..s).and_then(|t| t.chars().next_back());
    let after = text.get(e..).and_then(|t| t.chars().next());
    let open_ctx = before.is_none_or(|c| c.is_whitespace() || "([{-\u{2014}\u{2013}:".contains(c));
    let close_ctx = after.is_none_or(|c| c.is_whitespace() || ".,;:!?)]}-\u{2014}".contains(c));
    match (open_ctx, close_ctx) {
        (true, false) => MarkKind::Open,
        (false, true) => MarkKind::Close,
        _ => MarkKind::Either,
    }
}

/// Pairs marks into quotations (see the module docs).
fn pair(text: &str, marks: &[Mark]) -> Vec<Span> {
    let mut out = Vec::new();
    let mut open: Option<Mark> = None;
    // Line of the latest mark of the open quote (to detect a paragraph break).
    let mut last_line = 0usize;
    for &m in marks {
        match open {
            None => {
                if m.kind != MarkKind::Close {
                    open = Some(m);
                    last_line = m.line;
                }
            }
            Some(o) => {
                if m.line != last_line {
                    // A new paragraph: an opening mark at its start continues the quote;
                    // otherwise the quote ended (unclosed) with its paragraph.
                    if m.line_first && m.kind != MarkKind::Close {
                        last_line = m.line;
                        continue;
                    }
                    let end = line_end(text, o.e, last_line - o.line);
                    if end > o.e {
                        out.push(Span {
                            os: o.s,
                            oe: o.e,
                            cs: end,
                            ce: end,
                        });
                    }
                    open = if m.kind != MarkKind::Close {
                        Some(m)
                    } else {
                        None
                    };
                    last_line = m.line;
                    continue;
                }
                if m.kind == MarkKind::Open {
                    // Two openings in a row: the first was stray.
                    open = Some(m);
                    continue;
                }
                out.push(Span {
                    os: o.s,
                    oe: o.e,
                    cs: m.s,
                    ce: m.e,
                });
                open = None;
            }
        }
    }
    if let Some(o) = open {
        let end = line_end(text, o.e, 0);
        if end > o.e {
            out.push(Span {
                os: o.s,
                oe: o.e,
                cs: end,
                ce: end,
            });
        }
    }
    out
}

/// End of the line `skip` lines after the one holding byte `from` (trailing space dropped).
fn line_end(text: &str, from: usize, skip: usize) -> usize {
    let mut pos = from;
    let mut left = skip;
    loop {
        let rest = text.get(pos..).unwrap_or("");
        match rest.find('\n') {
            Some(k) if left > 0 => {
                pos += k + 1;
                left -= 1;
            }
            Some(k) => {
                return pos + rest.get(..k).unwrap_or("").trim_end().len();
            }
            None => return pos + rest.trim_end().len(),
        }
    }
}

/// A speaker as found at an attribution: its phrase, the named person it resolves to,
/// and the cue.
#[derive(Debug, Clone, Copy, Default)]
struct Who {
    /// Speaker phrase tokens.
    np: Option<(usize, usize)>,
    /// Name tokens of the person.
    ent: Option<(usize, usize)>,
    cue: Option<(usize, usize)>,
    conf: f32,
}

struct Ctx<'a, 'b> {
    an: &'b Analysis<'a>,
    in_quote: Vec<bool>,
    /// Role index by the code point start of its person.
    role_by_person: FxHashMap<usize, usize>,
    roles: &'b [Role],
    /// Earlier speaker phrases: (head word, entity) in text order.
    speakers: Vec<(usize, Option<(usize, usize)>)>,
}

impl Ctx<'_, '_> {
    /// Token `i` is inside a quotation (true past the end, so nothing reads there).
    fn iq(&self, i: usize) -> bool {
        self.in_quote.get(i).copied().unwrap_or(true)
    }
}

/// The quotes stated in one piece of text.
pub fn extract(input: &FactInput<'_>, so_far: &Facts) -> Vec<Quote> {
    extract_with(input, &Analysis::new(input), so_far)
}

/// [`extract`] with the token analysis already built (the roles extractor
/// builds the same one: [`crate::facts::extract_all`] shares it).
pub(crate) fn extract_with(input: &FactInput<'_>, an: &Analysis<'_>, so_far: &Facts) -> Vec<Quote> {
    let text = input.text;
    let spans = pair(text, &marks(text));
    let n = an.len();
    let tok_at = |byte: usize| an.tb.partition_point(|t| t.0 < byte);
    let mut in_quote = vec![false; n];
    let mut qtoks = Vec::with_capacity(spans.len());
    for sp in &spans {
        // Tokens from the opening mark to the closing mark.
        let a = tok_at(sp.os);
        let b = tok_at(sp.ce).min(n);
        for f in in_quote.iter_mut().take(b).skip(a) {
            *f = true;
        }
        qtoks.push((a, tok_at(sp.oe), tok_at(sp.cs), b));
    }
    let mut role_by_person = FxHashMap::default();
    for (k, r) in so_far.roles.iter().enumerate() {
        if let Some(p) = &r.person {
            role_by_person.insert(p.start, k);
        }
    }
    let mut cx = Ctx {
        an,
        in_quote,
        role_by_person,
        roles: &so_far.roles,
        speakers: Vec::new(),
    };
    let mut out: Vec<(usize, Quote)> = Vec::new();
    let mut used_cues = vec![false; n];
    // Direct quotes, in text order; `prev` is the last attributed quote and its paragraph.
    let mut prev: Option<(Who, usize)> = None;
    for (k, sp) in spans.iter().enumerate() {
        let Some(&(mark_a, qa, qb, after)) = qtoks.get(k) else {
            continue;
        };
        if qb <= qa {
            continue;
        }
        let content = text.get(sp.oe..sp.cs).unwrap_or("");
        let ends_comma = content.trim_end().ends_with(',');
        let para = line_of(an, mark_a);
        let mut who = attribution_after(&cx, after, ends_comma);
        // A short term in quote marks without punctuation ("known as "Iron Fist"",
        // "an "iron fist"") is a name or a scare quote, not a quotation, unless it is
        // attributed right after.
        let trimmed = content.trim_end();
        let term = trimmed.split_whitespace().count() <= 4
            && !trimmed.ends_with(['.', ',', '!', '?', '\u{2026}', ';', ':', '-', '\u{2014}']);
        if term && who.is_none() {
            continue;
        }
        if who.is_none() {
            who = attribution_before(&cx, mark_a);
        }
        let who = match who {
            Some(w) => Some(w),
            None => continuing(&cx, mark_a, para, prev),
        };
        let Some(who) = who else {
            // No speaker: still a quotation, but with nobody to attribute it to.
            if let Some(q) = make_quote(&cx, sp, QuoteKind::Direct, &Who::default()) {
                out.push((sp.oe, q));
            }
            continue;
        };
        if let Some(f) = who.cue.and_then(|(c, _)| used_cues.get_mut(c)) {
            *f = true;
        }
        if let Some(np) = who.np {
            cx.speakers.push((np.1.saturating_sub(1), who.ent));
        }
        prev = Some((
            who,
            line_of(an, after.saturating_sub(1).min(n.saturating_sub(1))),
        ));
        if let Some(q) = make_quote(&cx, sp, QuoteKind::Direct, &who) {
            out.push((sp.oe, q));
        }
    }
    reported(&mut cx, &used_cues, &mut out);
    out.sort_by_key(|(s, _)| *s);
    out.into_iter().map(|(_, q)| q).collect()
}

/// Paragraph (line) number of token `i`.
fn line_of(an: &Analysis<'_>, i: usize) -> usize {
    an.para
        .get(i.min(an.len().saturating_sub(1)))
        .map_or(0, |&p| p as usize)
}

fn make_quote(cx: &Ctx<'_, '_>, sp: &Span, kind: QuoteKind, who: &Who) -> Option<Quote> {
    let an = cx.an;
    let raw = an.text.get(sp.oe..sp.cs)?;
    let lead = raw.len() - raw.trim_start().len();
    let s = sp.oe + lead;
    let e = sp.oe + raw.trim_end().len();
    if e <= s {
        return None;
    }
    let arg = |x: Option<(usize, usize)>| x.and_then(|(a, b)| an.arg(a, b));
    let ent = arg(who.ent);
    let role = ent.as_ref().and_then(|p| speaker_role(cx, p));
    let text = an.text.get(s..e)?.to_string();
    let start = an.char_of(s);
    let end = an.char_of(e);
    Some(Quote {
        start,
        end,
        text,
        kind,
        speaker: arg(who.np),
        speaker_entity: ent,
        speaker_role: role,
        cue: arg(who.cue),
        confidence: if who.np.is_some() { who.conf } else { 0.5 },
        extractor: EXTRACTOR.to_string(),
    })
}

/// The role stated for the speaker at the attribution: the role phrase without the name.
fn speaker_role(cx: &Ctx<'_, '_>, person: &Arg) -> Option<Arg> {
    let r = cx.roles.get(*cx.role_by_person.get(&person.start)?)?;
    let p = r.person.as_ref()?;
    let an = cx.an;
    let (s, e) = if p.start <= r.start {
        (p.end, r.end)
    } else {
        (r.start, p.start)
    };
    // Trim the separating comma and spaces.
    let bs = an.byte_of(s);
    let be = an.byte_of(e);
    let raw = an.text.get(bs..be)?;
    let trimmed = raw.trim_matches(|c: char| c == ',' || c.is_whitespace());
    if trimmed.is_empty() {
        return None;
    }
    let off = raw.find(trimmed)?;
    let s2 = bs + off;
    let e2 = s2 + trimmed.len();
    Some(Arg {
        start: an.char_of(s2),
        end: an.char_of(e2),
        text: trimmed.to_string(),
    })
}

/// True for tokens that may belong to a speaker phrase.
fn np_tok(cx: &Ctx<'_, '_>, i: usize) -> bool {
    let an = cx.an;
    let w = an.word(i);
    let poss = matches!(w, "'s" | "'" | "\u{2019}s" | "\u{2019}");
    if cx.in_quote.get(i).copied().unwrap_or(true) {
        return false;
    }
    if an.punct(i) && !poss && w != "-" && w != "&" {
        return false;
    }
    !an.has(i, STOP | CUE)
}

/// A speaker phrase ending before token `e` (exclusive), not reaching before `lo`.
fn np_simple(cx: &Ctx<'_, '_>, e: usize, lo: usize) -> Option<(usize, usize)> {
    let an = cx.an;
    let mut s = e;
    while s > lo && e - s < MAX_NP && np_tok(cx, s - 1) {
        s -= 1;
        if an.first_of_sentence(s) || an.ls(s) {
            break;
        }
    }
    // Drop leading punctuation and words that cannot start a noun phrase ("Sentencing",
    // "Asked"), but not "Police" or "He".
    while s < e
        && (an.punct(s)
            || (an.capital(s) && an.has(s, FUNC) && !an.has(s, DET | PNOUN | PRON | PRONPL)))
    {
        s += 1;
    }
    (s < e).then_some((s, e))
}

/// The speaker phrase before a cue at `c`: "Dunmore", "A lawyer for two of the
/// suspects, Grace Okafor", "Dirk Vos, the ... coordinator", "Samir Haddad, 41".
fn np_back(cx: &Ctx<'_, '_>, c: usize, lo: usize) -> Option<(usize, usize)> {
    let an = cx.an;
    let mut e = c;
    // One adverb or auxiliary between speaker and cue: "he later said", "had argued".
    if e > lo
        && (an.is(e - 1, "also")
            || an.is(e - 1, "later")
            || an.is(e - 1, "had")
            || an.is(e - 1, "has")
            || an.is(e - 1, "have")
            || (an.word(e - 1).ends_with("ly") && !an.capital(e - 1)))
    {
        e -= 1;
    }
    if e > lo && an.is(e - 1, ",") {
        // An appositive between commas: find its opening comma.
        let mut j = e - 1;
        let stop = (e - 1).saturating_sub(MAX_NP * 2).max(lo);
        while j > stop {
            j -= 1;
            if an.is(j, ",") {
                break;
            }
            if cx.iq(j)
                || (an.punct(j)
                    && !matches!(an.word(j), "'s" | "'" | "-" | "\u{2019}s" | "\u{2019}"))
                || an.ls(j) && j + 1 < e
            {
                return None;
            }
        }
        if !an.is(j, ",") {
            return None;
        }
        let (s, _) = np_simple(cx, j, lo)?;
        // The phrase before the appositive is the speaker's head: it must be one.
        if !speakerish(cx, (s, j)) {
            return None;
        }
        return Some((s, e - 1));
    }
    np_simple(cx, e, lo)
}

/// A speaker phrase starting at `s` (after an inverted cue): "Minister Katrin Brandt",
/// "Erik Lindqvist", "a police spokesman", "he".
fn np_fwd(cx: &Ctx<'_, '_>, s: usize) -> Option<(usize, usize)> {
    let an = cx.an;
    if s >= an.len() || cx.iq(s) || an.ls(s) {
        return None;
    }
    if an.has(s, PRON | PRONPL) {
        return Some((s, s + 1));
    }
    let mut e = s;
    while e < an.len() && e - s < 8 && np_tok(cx, e) && !(an.ls(e) && e > s) {
        if an.nm(e) != NONE {
            // Up to the end of this name.
            while e < an.len() && an.nm(e) != NONE {
                e += 1;
            }
            return Some((s, e));
        }
        if an.has(e, PNOUN | HEAD) && !an.has(e + 1, PNOUN | HEAD) && !an.capital(e + 1) {
            // "says Jordanian planning minister, Imad Fakhoury"
            if an.is(e + 1, ",") && an.name_of.get(e + 2).is_some_and(|&x| x != NONE) {
                let mut f = e + 2;
                while f < an.len() && an.nm(f) == an.nm(e + 2) {
                    f += 1;
                }
                return Some((s, f));
            }
            return Some((s, e + 1));
        }
        if an.has(e, PREP) {
            return None;
        }
        e += 1;
    }
    None
}

/// A phrase that can be a speaker: holds a name, a pronoun, or a person or
/// organisation noun.
fn speakerish(cx: &Ctx<'_, '_>, np: (usize, usize)) -> bool {
    let an = cx.an;
    (np.0..np.1).any(|k| {
        an.nm(k) != NONE
            || an.has(k, PRON | PRONPL | PNOUN | HEAD | ORGW)
            || matches!(
                an.lab(k),
                Some(dossier_core::EntityLabel::Organisation | dossier_core::EntityLabel::Person)
            ) && an.capital(k)
    })
}

/// Builds a speaker from a phrase and its cue, resolving the phrase to a person.
fn who_of(cx: &Ctx<'_, '_>, np: (usize, usize), cue: (usize, usize), conf: f32) -> Option<Who> {
    if !speakerish(cx, np) {
        return None;
    }
    Some(Who {
        np: Some(np),
        ent: resolve(cx, np),
        cue: Some(cue),
        conf,
    })
}

/// `"...," said X` / `"...," X said` / `"...?" he asked`.
fn attribution_after(cx: &Ctx<'_, '_>, t: usize, ends_comma: bool) -> Option<Who> {
    let an = cx.an;
    let n = an.len();
    let mut t = t;
    if t >= n || an.ls(t) {
        return None;
    }
    if an.is(t, ",") {
        t += 1;
    } else if an.punct(t) && !ends_comma {
        return None;
    }
    if t >= n || an.ls(t) || cx.iq(t) {
        return None;
    }
    if an.has(t, CUE) {
        let np = np_fwd(cx, t + 1)?;
        return who_of(cx, np, (t, t + 1), 0.9);
    }
    // Speaker then cue, within a few tokens.
    let mut e = t;
    while e < n && e - t < MAX_NP && !an.has(e, CUE) && np_tok(cx, e) {
        e += 1;
    }
    let mut c = e;
    if c < n && !an.has(c, CUE) && an.word(c).ends_with("ly") {
        c += 1;
    }
    if c < n && an.has(c, CUE) && e > t && !cx.iq(c) {
        let mut e2 = e;
        if e2 > t && an.word(e2 - 1).ends_with("ly") && !an.capital(e2 - 1) && e2 - 1 > t {
            e2 -= 1;
        }
        let np = (t, e2);
        // Right after a quotation, "the carpenter says" is an attribution whatever the noun.
        if !speakerish(cx, np) && an.has(t, DET) && e2 - t <= 5 {
            return Some(Who {
                np: Some(np),
                ent: resolve(cx, np),
                cue: Some((c, c + 1)),
                conf: 0.8,
            });
        }
        return who_of(cx, np, (c, c + 1), 0.9);
    }
    None
}

/// `X said: "..."`, `X told reporters "..."`, `"...," he said, "..."`.
fn attribution_before(cx: &Ctx<'_, '_>, mark: usize) -> Option<Who> {
    let an = cx.an;
    if mark == 0 || an.ls(mark) {
        return None;
    }
    let mut k = mark;
    let lo = mark.saturating_sub(MAX_BEFORE);
    while k > lo {
        k -= 1;
        let w = an.word(k);
        if cx.iq(k) && k + 1 < mark {
            // Between two parts of a split quote: `"A," said X, "B."`
            break;
        }
        if an.has(k, CUE) && !cx.iq(k) {
            // Speaker before the cue, or right after it (`, said X, "`).
            let line_lo = {
                let mut j = k;
                while j > 0 && k - j < 4 * MAX_NP && !an.ls(j) {
                    j -= 1;
                }
                j
            };
            let back = np_back(cx, k, line_lo);
            let valid_back = back.filter(|&np| speakerish(cx, np));
            if let Some(np) = valid_back {
                return who_of(cx, np, (k, k + 1), 0.85);
            }
            let fwd = np_fwd(cx, k + 1)?;
            return who_of(cx, fwd, (k, k + 1), 0.85);
        }
        if matches!(w, "." | "!" | "?" | ";") || an.is(k, "that") || an.ls(k) {
            break;
        }
    }
    None
}

/// A quote without its own attribution: the previous quote's speaker in the same
/// paragraph, else the person who is the subject of the sentence before, else (for a
/// paragraph opening with a quote) the previous paragraph's last speaker.
fn continuing(
    cx: &Ctx<'_, '_>,
    mark: usize,
    para: usize,
    prev: Option<(Who, usize)>,
) -> Option<Who> {
    let an = cx.an;
    if let Some((w, p)) = prev {
        if p == para {
            return Some(Who {
                conf: 0.75,
                cue: None,
                ..w
            });
        }
    }
    // The lead-in of the quote's sentence, then the sentence before, in this paragraph.
    if !an.ls(mark) {
        let mut cur = mark;
        while cur > 0 && mark - cur < MAX_SENT && !an.first_of_sentence(cur) && !an.ls(cur) {
            cur -= 1;
        }
        if cur < mark {
            if let Some(w) = subject_of(cx, cur, mark) {
                return Some(w);
            }
        }
        if cur > 0 && !an.ls(cur) {
            let mut ps = cur - 1;
            while ps > 0 && cur - ps < MAX_SENT && !an.first_of_sentence(ps) && !an.ls(ps) {
                ps -= 1;
            }
            if let Some(w) = subject_of(cx, ps, cur) {
                return Some(w);
            }
        }
    }
    // A paragraph that opens with a quote continues the previous paragraph's speaker.
    if an.ls(mark) {
        if let Some((w, _)) = prev {
            return Some(Who {
                conf: 0.6,
                cue: None,
                ..w
            });
        }
    }
    None
}

/// The first person (name or he/she) in tokens `a..b` outside quotes, not in a
/// possessive or after a preposition.
fn subject_of(cx: &Ctx<'_, '_>, a: usize, b: usize) -> Option<Who> {
    let an = cx.an;
    let mut k = a;
    while k < b {
        if cx.iq(k) {
            k += 1;
            continue;
        }
        if an.nm(k) != NONE {
            let mut e = k;
            while e < b && an.nm(e) == an.nm(k) {
                e += 1;
            }
            if !is_object(an, k, e) {
                return Some(Who {
                    np: Some((k, e)),
                    ent: Some((k, e)),
                    cue: None,
                    conf: 0.65,
                });
            }
            k = e;
            continue;
        }
        if an.has(k, PRON) {
            let ent = resolve(cx, (k, k + 1));
            return Some(Who {
                np: Some((k, k + 1)),
                ent,
                cue: None,
                conf: 0.6,
            });
        }
        k += 1;
    }
    None
}

/// A name in a possessive or after a preposition is not a subject.
fn is_object(an: &Analysis<'_>, a: usize, b: usize) -> bool {
    let w = an.word(b);
    matches!(w, "'s" | "'" | "\u{2019}s" | "\u{2019}")
        || (a > 0
            && (an.has(a - 1, PREP)
                || an.is(a - 1, "as")
                || an.is(a - 1, "by")
                || an.is(a - 1, "to")
                || an.is(a - 1, "than")))
}

/// The person a speaker phrase refers to.
fn resolve(cx: &Ctx<'_, '_>, np: (usize, usize)) -> Option<(usize, usize)> {
    let an = cx.an;
    // A name in the phrase, not used as a possessive: the first full name, else the
    // first single word.
    let mut single = None;
    let mut full = None;
    let mut k = np.0;
    while k < np.1 {
        if an.nm(k) != NONE {
            let mut e = k;
            while e < np.1 && an.nm(e) == an.nm(k) {
                e += 1;
            }
            let w = an.word(e);
            if !matches!(w, "'s" | "'" | "\u{2019}s" | "\u{2019}") {
                // A full name the tagger calls a person beats other full names
                // ("... for Human Rights, Rupert Colville").
                let person = (k..e).any(|t| {
                    matches!(
                        an.lab(t),
                        Some(dossier_core::EntityLabel::Person | dossier_core::EntityLabel::Per)
                    )
                });
                if e - k >= 2 && person {
                    return Some((k, e));
                }
                if e - k >= 2 {
                    full.get_or_insert((k, e));
                }
                single.get_or_insert((k, e));
            }
            k = e;
            continue;
        }
        k += 1;
    }
    if full.is_some() || single.is_some() {
        return full.or(single);
    }
    if np.1 - np.0 == 1 && an.has(np.0, PRON) {
        return pronoun(cx, np.0);
    }
    if an.has(np.0, PRONPL) {
        return None;
    }
    // "the coordinator", "the official", "the country's top official": definite nominal.
    if !(an.is(np.0, "the") || an.is(np.0, "its") || an.is(np.0, "their")) {
        return None;
    }
    let head = np.1 - 1;
    let hw = an.word(head).to_lowercase();
    // The most recent earlier speaker phrase or role with the same head noun.
    let mut best: Option<(usize, Option<(usize, usize)>)> = None;
    for &(h, ent) in cx.speakers.iter().rev().take(MAX_BACK) {
        if h < np.0 && an.word(h).eq_ignore_ascii_case(&hw) {
            best = Some((h, ent));
            break;
        }
    }
    let start_char = an.char_of(an.tb.get(np.0).map_or(0, |t| t.0));
    let before_roles = cx.roles.partition_point(|r| r.start < start_char);
    for r in cx.roles[..before_roles].iter().rev().take(MAX_BACK) {
        if r.start >= start_char {
            continue;
        }
        let last = r.title.text.rsplit(' ').next().unwrap_or("");
        if !last.eq_ignore_ascii_case(&hw) {
            continue;
        }
        if let Some(p) = &r.person {
            let pt = an.tok_of_char(p.start);
            if best.is_none_or(|(h, _)| pt > h) {
                let pe = an.tok_of_char(p.end);
                best = Some((pt, Some((pt, pe))));
            }
        }
        break;
    }
    best.and_then(|(_, e)| e)
}

/// he/she: the last person named before token `p`, outside quotes, not as an object.
fn pronoun(cx: &Ctx<'_, '_>, p: usize) -> Option<(usize, usize)> {
    let an = cx.an;
    // A more recent speaker phrase without a name ("the carpenter says") is the
    // antecedent rather than an older name.
    let last_speaker = cx
        .speakers
        .iter()
        .rev()
        .take(MAX_BACK)
        .find(|&&(h, _)| h < p && !an.has(h, PRON | PRONPL));
    let idx = an.names.partition_point(|n| n.b <= p);
    let mut seen = 0usize;
    let mut k = idx;
    while k > 0 && seen < MAX_BACK {
        k -= 1;
        seen += 1;
        let Some(n) = an.names.get(k) else { break };
        if cx.in_quote.get(n.a).copied().unwrap_or(true) || is_object(an, n.a, n.b) {
            continue;
        }
        // Country or organisation names are not people.
        if an.has(n.b, ORGW) {
            continue;
        }
        if let Some(&(h, ent)) = last_speaker {
            if h >= n.b && an.has(h, PNOUN | HEAD) {
                return ent;
            }
        }
        return Some((n.a, n.b));
    }
    last_speaker.and_then(|&(_, ent)| ent)
}

/// Reported speech (see the module docs). Skips cues already used by direct quotes and
/// sentences inside quotations.
fn reported(cx: &mut Ctx<'_, '_>, used: &[bool], out: &mut Vec<(usize, Quote)>) {
    let an = cx.an;
    let n = an.len();
    let mut i = 0usize;
    while i < n {
        // One sentence at a time.
        let s = i;
        let mut e = i + 1;
        while e < n && !an.first_of_sentence(e) {
            e += 1;
        }
        i = e;
        let has_quote = (s..e).any(|k| cx.iq(k));
        for k in s..e {
            if cx.iq(k) || used.get(k).copied().unwrap_or(true) {
                continue;
            }
            let found = if an.is(k, "according") && an.is(k + 1, "to") {
                if has_quote {
                    None
                } else {
                    according(cx, s, e, k)
                }
            } else if an.has(k, RCUE) {
                cue_clause(cx, s, e, k).or_else(|| clause_then_cue(cx, s, e, k))
            } else {
                None
            };
            if let Some((who, (qa, qb))) = found {
                if let Some(np) = who.np {
                    cx.speakers.push((np.1.saturating_sub(1), who.ent));
                }
                let (Some(&(bs, _)), Some(&(_, be))) =
                    (an.tb.get(qa), an.tb.get(qb.saturating_sub(1)))
                else {
                    continue;
                };
                let sp = Span {
                    os: bs,
                    oe: bs,
                    cs: be,
                    ce: be,
                };
                if let Some(q) = make_quote(cx, &sp, QuoteKind::Reported, &who) {
                    out.push((bs, q));
                }
                break;
            }
        }
    }
}

/// The end of a reported clause: the sentence end without its final punctuation, or an
/// opening quote mark.
fn clause_end(cx: &Ctx<'_, '_>, a: usize, e: usize) -> usize {
    let an = cx.an;
    let e = e.min(a + MAX_SENT);
    let mut b = a;
    while b < e && !cx.iq(b) {
        b += 1;
    }
    while b > a && an.punct(b - 1) {
        b -= 1;
    }
    b
}

/// `X said (that) ...`, `X told reporters (that) ...`, `..., saying ...`.
fn cue_clause(cx: &Ctx<'_, '_>, s: usize, e: usize, c: usize) -> Option<(Who, (usize, usize))> {
    let an = cx.an;
    let w = an.word(c).to_lowercase();
    let gerund = w.ends_with("ing");
    // The speaker: the phrase before the cue, or the sentence's subject for a gerund.
    let np = if gerund {
        if c == 0 || !an.is(c - 1, ",") {
            return None;
        }
        let mut k = s;
        while k < c && !np_tok(cx, k) {
            k += 1;
        }
        let mut j = k;
        while j < c && np_tok(cx, j) && j - k < MAX_NP {
            j += 1;
        }
        (k < j).then_some((k, j))?
    } else {
        let np = np_back(cx, c, s)?;
        let opens = (s..np.0).all(|k| an.punct(k) || (an.capital(k) && an.has(k, FUNC)))
            || an.is(np.0.saturating_sub(1), ",")
            || an.is(np.0.saturating_sub(1), "-");
        if !opens {
            // The phrase must open the clause (sentence start or after a comma).
            return None;
        }
        np
    };
    if !speakerish(cx, np) {
        return None;
    }
    // "that" within a few tokens, with nothing but an object or adjunct before it.
    let mut k = c + 1;
    while k < e && k - c <= 8 {
        if an.is(k, "that") {
            let qa = k + 1;
            let qb = clause_end(cx, qa, e);
            if qb > qa + 2 {
                let who = who_of(cx, np, (c, c + 1), 0.75)?;
                return Some((who, (qa, qb)));
            }
            return None;
        }
        if an.punct(k) || cx.iq(k) || an.has(k, CUE) {
            break;
        }
        k += 1;
    }
    // Without "that": say/tell/warn/add/estimate then a clause.
    let bare = matches!(
        w.as_str(),
        "said"
            | "say"
            | "says"
            | "saying"
            | "told"
            | "tell"
            | "tells"
            | "warned"
            | "warns"
            | "added"
            | "adds"
            | "estimates"
            | "estimated"
            | "believes"
            | "believed"
            | "insisted"
            | "insists"
            | "argued"
            | "argues"
            | "claimed"
            | "claims"
            | "denied"
            | "denies"
    );
    if !bare {
        return None;
    }
    let mut qa = c + 1;
    if w.starts_with("told") || w.starts_with("tell") {
        // The hearer: a pronoun or a short noun phrase ("reporters", "the jury").
        let hearer = |k: usize| an.has(k, PNOUN) || HEARERS.iter().any(|x| an.is(k, x));
        if hearer(qa)
            || ["him", "her", "them", "us", "me"]
                .iter()
                .any(|x| an.is(qa, x))
        {
            qa += 1;
        } else if !an.punct(qa) && hearer(qa + 1) {
            qa += 2;
        } else if !an.punct(qa) && !an.punct(qa + 1) && hearer(qa + 2) {
            qa += 3;
        } else {
            return None;
        }
    }
    if qa >= e || cx.iq(qa) || an.punct(qa) {
        return None;
    }
    // A clause starts here, not an adjunct ("in a statement") or an infinitive.
    let ok_start = !(an.has(qa, PREP) && !(an.is(qa, "at") && an.is(qa + 1, "least")))
        && !an.is(qa, "to")
        && !an.is(qa, "so")
        && !an.is(qa, "nothing")
        && !an.is(qa, "goodbye")
        && (!an.word(qa).ends_with("ly") || an.capital(qa))
        && !an.has(qa, CUE);
    if !ok_start {
        return None;
    }
    let qb = clause_end(cx, qa, e);
    if qb < qa + 3 || (qa..qb).any(|k| cx.iq(k)) {
        return None;
    }
    let who = who_of(cx, np, (c, c + 1), 0.7)?;
    Some((who, (qa, qb)))
}

/// `..., police said.` / `..., residents said, leaving ...` / `..., the ministry said on
/// Thursday.`
fn clause_then_cue(
    cx: &Ctx<'_, '_>,
    s: usize,
    e: usize,
    c: usize,
) -> Option<(Who, (usize, usize))> {
    let an = cx.an;
    let np = np_simple(cx, c, s)?;
    if np.0 == 0 || !an.is(np.0 - 1, ",") {
        return None;
    }
    // After the cue: the sentence end, a comma, or a short adjunct before the end.
    let mut k = c + 1;
    while k < e && k - c <= 4 && !an.punct(k) {
        k += 1;
    }
    if k < e && !matches!(an.word(k), "." | "," | "!" | ";") {
        return None;
    }
    let comma = np.0 - 1;
    let mut qa = s.max(comma.saturating_sub(MAX_SENT));
    while qa < comma && an.punct(qa) {
        qa += 1;
    }
    // A dateline ("PORT ELLISON, March 3 (Wire) - ") is not part of the claim.
    if let Some(d) = (qa..comma.min(qa + 14))
        .find(|&j| matches!(an.word(j), "-" | "\u{2014}" | "\u{2013}" | "--"))
    {
        qa = d + 1;
    }
    // "Also in the past 24 hours, Davis said, coalition forces ...": a short lead-in
    // before and a longer clause after the attribution; the clause is the statement.
    if an.is(k, ",") && k + 1 < e && !an.word(k + 1).ends_with("ing") {
        let after_end = clause_end(cx, k + 1, e);
        if after_end > k + 1 && after_end - (k + 1) > comma.saturating_sub(qa) {
            let who = who_of(cx, np, (c, c + 1), 0.7)?;
            return Some((who, (k + 1, after_end)));
        }
    }
    if comma < qa + 4 || (qa..comma).any(|j| cx.iq(j)) {
        return None;
    }
    let who = who_of(cx, np, (c, c + 1), 0.7)?;
    Some((who, (qa, comma)))
}

/// `according to X, ...` and `..., according to X.`
fn according(cx: &Ctx<'_, '_>, s: usize, e: usize, k: usize) -> Option<(Who, (usize, usize))> {
    let an = cx.an;
    let a = k + 2;
    let mut b = a;
    while b < e && np_tok(cx, b) && b - a < MAX_NP {
        b += 1;
    }
    if b <= a {
        return None;
    }
    let np = (a, b);
    let cue = (k, k + 2);
    if k == s || (k > s && an.punct(k - 1) && (s..k).all(|j| an.punct(j))) {
        // Opening the sentence: the clause follows the comma.
        if !an.is(b, ",") {
            return None;
        }
        let qa = b + 1;
        let qb = clause_end(cx, qa, e);
        if qb < qa + 3 {
            return None;
        }
        let who = who_of(cx, np, cue, 0.7)?;
        return Some((who, (qa, qb)));
    }
    if k > s && an.is(k - 1, ",") && (b >= e || an.punct(b)) {
        let qb = k - 1;
        if qb < s + 3 {
            return None;
        }
        let who = who_of(cx, np, cue, 0.7)?;
        return Some((who, (s, qb)));
    }
    None
}
