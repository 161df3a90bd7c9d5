//! Numeric claims: "of the Netherlands' approximately 300 foreign fighters, slightly more
//! than 50 have returned" → (Netherlands, "foreign fighters", ≈300) and (Netherlands,
//! "foreign fighters returned", >50).
//!
//! Rules over the token view shared with the events extractor: a number (digits, "3.5
//! million", "two dozen", "a third", "15 percent", "$100m") not inside a time expression,
//! the qualifier before it ("approximately", "slightly more than"), the counted noun
//! phrase after it (or, when elided, the one counted by the previous claim of the sentence)
//! plus the verb that follows ("have returned"), the subject (a possessor "the Netherlands'",
//! "from/in X" after the noun, or a named subject of the clause), the nearest date of the
//! sentence, and the source (a quote's speaker, "according to X", or the speaker of a
//! statement in the sentence). Linear in the number of tokens.
//!
//! [`claim_key`] and [`conflicts`] decide when two claims contradict each other.

use super::events::{self, is, is_punct, Ctx, Tok};
use super::FactInput;
use dossier_core::{Arg, Claim, EntityLabel, EventRole, EventType, Facts, TimeType};

const EXTRACTOR: &str = "claims-rules/1";

/// Qualifiers, longest first so "slightly more than" wins over "more than".
const QUALIFIERS: &[&str] = &[
    "slightly more than",
    "slightly fewer than",
    "slightly less than",
    "a little more than",
    "a little over",
    "well over",
    "well under",
    "just over",
    "just under",
    "just below",
    "just above",
    "more than",
    "fewer than",
    "less than",
    "at least",
    "at most",
    "up to",
    "as many as",
    "as few as",
    "upwards of",
    "no more than",
    "no fewer than",
    "not more than",
    "closer to",
    "close to",
    "nearer to",
    "nearer",
    "an estimated",
    "approximately",
    "about",
    "around",
    "roughly",
    "some",
    "nearly",
    "almost",
    "over",
    "under",
    "below",
    "above",
    "estimated",
    "exactly",
    "precisely",
    "only",
    "barely",
    "between",
];

const SMALL: &[(&str, f64)] = &[
    ("one", 1.0),
    ("two", 2.0),
    ("three", 3.0),
    ("four", 4.0),
    ("five", 5.0),
    ("six", 6.0),
    ("seven", 7.0),
    ("eight", 8.0),
    ("nine", 9.0),
    ("ten", 10.0),
    ("eleven", 11.0),
    ("twelve", 12.0),
    ("thirteen", 13.0),
    ("fourteen", 14.0),
    ("fifteen", 15.0),
    ("sixteen", 16.0),
    ("seventeen", 17.0),
    ("eighteen", 18.0),
    ("nineteen", 19.0),
    ("twenty", 20.0),
    ("thirty", 30.0),
    ("forty", 40.0),
    ("fifty", 50.0),
    ("sixty", 60.0),
    ("seventy", 70.0),
    ("eighty", 80.0),
    ("ninety", 90.0),
    ("dozen", 12.0),
    ("hundred", 100.0),
    ("thousand", 1000.0),
];

const SCALES: &[(&str, f64)] = &[
    ("hundred", 100.0),
    ("thousand", 1e3),
    ("million", 1e6),
    ("millions", 1e6),
    ("billion", 1e9),
    ("trillion", 1e12),
    ("dozen", 12.0),
    ("m", 1e6),
    ("mn", 1e6),
    ("bn", 1e9),
    ("k", 1e3),
];

const FRACTIONS: &[(&str, f64)] = &[
    ("half", 0.5),
    ("third", 1.0 / 3.0),
    ("thirds", 1.0 / 3.0),
    ("quarter", 0.25),
    ("quarters", 0.25),
    ("fifth", 0.2),
    ("fifths", 0.2),
    ("tenth", 0.1),
    ("tenths", 0.1),
];

/// Units written after the number (lower case) and the name recorded for them.
const UNITS: &[(&str, &str)] = &[
    ("percent", "percent"),
    ("per", "percent"),
    ("%", "percent"),
    ("dollars", "USD"),
    ("euros", "EUR"),
    ("pounds", "GBP"),
    ("km", "km"),
    ("kilometres", "km"),
    ("kilometers", "km"),
    ("miles", "miles"),
    ("tonnes", "tonnes"),
    ("tons", "tonnes"),
    ("kg", "kg"),
    ("kilograms", "kg"),
    ("dinars", "dinars"),
    ("dinar", "dinars"),
    ("dollar", "USD"),
    ("euro", "EUR"),
    ("rupees", "rupees"),
    ("riyals", "riyals"),
    ("yen", "JPY"),
    ("yuan", "CNY"),
    ("rubles", "RUB"),
    ("roubles", "RUB"),
];

const CURRENCY: &[(&str, &str)] = &[("$", "USD"), ("us$", "USD"), ("£", "GBP"), ("€", "EUR")];

fn lookup(w: &str, table: &[(&'static str, f64)]) -> Option<f64> {
    table.iter().find(|(k, _)| *k == w).map(|&(_, v)| v)
}

/// Parses a number written as digits ("1,200", "3.5", "100m", "2bn") or as a word
/// ("twelve", "hundred"). `None` for anything else.
pub fn parse_number_word(w: &str) -> Option<f64> {
    let w = w.trim();
    if let Some(v) = lookup(&w.to_lowercase(), SMALL) {
        return Some(v);
    }
    let digits_end = w
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_digit() || c == ',' || c == '.'))
        .map_or(w.len(), |(k, _)| k);
    let (num, suffix) = w.split_at(digits_end);
    if num.is_empty() || !num.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    // Thousands separators: "1,200" but not "1,2" (a decimal comma is not supported).
    let groups: Vec<&str> = num.split(',').collect();
    if groups.len() > 1 && groups.iter().skip(1).any(|g| g.len() < 3) {
        return None;
    }
    let v: f64 = num.replace(',', "").parse().ok()?;
    if suffix.is_empty() {
        return Some(v);
    }
    let scale = lookup(&suffix.to_lowercase(), SCALES)?;
    Some(v * scale)
}

/// A quantity found at token `i`: value, end token (exclusive), unit, and whether it is a
/// fraction ("a third of").
struct Num {
    value: f64,
    end: usize,
    unit: Option<&'static str>,
    /// Upper bound of a range ("15 to 20 percent").
    upper: Option<f64>,
}

/// Reads the number starting at token `i` of the sentence (currency sign, digits or words,
/// scale, fraction, unit).
fn read_number(c: &Ctx<'_, '_>, i: usize) -> Option<Num> {
    let mut j = i;
    let mut unit: Option<&'static str> = None;
    if let Some(&(_, u)) = CURRENCY.iter().find(|(k, _)| *k == c.low(j)) {
        unit = Some(u);
        j += 1;
    }
    let w = c.low(j);
    // "a third", "two-thirds", "half".
    if let Some(f) = fraction(c, j) {
        return Some(f);
    }
    let first = w.starts_with(|ch: char| ch.is_ascii_digit());
    let mut value = if first {
        // "3rd", "1st", "20-year-old" are not counts.
        let v = parse_number_word(w)?;
        j += 1;
        v
    } else {
        let v = lookup(w, SMALL)?;
        // Word numbers: "two dozen", "twenty-five" (one token), "a dozen".
        j += 1;
        v
    };
    if !first && matches!(w, "dozen" | "hundred" | "thousand") && c.prev(i) != "a" {
        return None;
    }
    if let Some(s) = lookup(c.low(j), SCALES).filter(|_| !c.low(j).eq("m") || unit.is_some()) {
        value *= s;
        j += 1;
        if let Some(s2) = lookup(c.low(j), SCALES).filter(|_| c.low(j) != "m") {
            value *= s2;
            j += 1;
        }
    }
    // A range: "15 to 20", "15-20".
    let mut upper = None;
    if matches!(c.low(j), "to" | "and" | "-" | "–") && (c.prev(i) == "between" || c.low(j) != "and")
    {
        if let Some(u) = parse_number_word(c.low(j + 1)).filter(|u| *u > value) {
            upper = Some(u);
            j += 2;
            if let Some(s) = lookup(c.low(j), SCALES).filter(|_| c.low(j) != "m") {
                value *= s;
                upper = Some(u * s);
                j += 1;
            }
        }
    }
    // "two Jordanian dinars", "5 US dollars".
    if c.cap(j) && UNITS.iter().any(|(k, _)| *k == c.low(j + 1) && k.len() > 2) {
        j += 1;
    }
    // Unit words are lower case ("six Euro ties" counts ties).
    if let Some(&(_, u)) = UNITS.iter().find(|(k, _)| *k == c.low(j) && !c.cap(j)) {
        unit = Some(u);
        j += 1;
        if c.low(j - 1) == "per" {
            if c.low(j) != "cent" {
                return None;
            }
            j += 1;
        }
    }
    Some(Num {
        value,
        end: j,
        unit,
        upper,
    })
}

fn fraction(c: &Ctx<'_, '_>, j: usize) -> Option<Num> {
    let w = c.low(j);
    if w == "half" && c.next(j) == "of" {
        return Some(Num {
            value: 0.5,
            end: j + 1,
            unit: Some("fraction"),
            upper: None,
        });
    }
    // "two-thirds".
    if let Some((a, b)) = w.split_once('-') {
        if let (Some(n), Some(d)) = (lookup(a, SMALL), lookup(b, FRACTIONS)) {
            return Some(Num {
                value: n * d,
                end: j + 1,
                unit: Some("fraction"),
                upper: None,
            });
        }
    }
    let n = if matches!(w, "a" | "one") {
        1.0
    } else {
        lookup(w, SMALL)?
    };
    let d = lookup(c.low(j + 1), FRACTIONS)?;
    // "a third of", "two thirds of": the fraction needs its "of".
    if c.low(j + 2) != "of" {
        return None;
    }
    Some(Num {
        value: n * d,
        end: j + 2,
        unit: Some("fraction"),
        upper: None,
    })
}

/// The qualifier ending just before token `i`, as (first token, text).
fn qualifier(c: &Ctx<'_, '_>, i: usize) -> Option<(usize, &'static str)> {
    for q in QUALIFIERS {
        let n = q.split(' ').count();
        if i < c.sa + n {
            continue;
        }
        let a = i - n;
        if q.split(' ').enumerate().all(|(k, w)| c.low(a + k) == w) {
            return Some((a, q));
        }
    }
    None
}

/// Things counted that are not claims worth keeping ("one of the", "two years").
const NOT_COUNTED: &[&str] = &[
    "of",
    "times",
    "time",
    "o'clock",
    "am",
    "pm",
    "a.m.",
    "p.m.",
    "years",
    "year",
    "months",
    "month",
    "weeks",
    "week",
    "days",
    "day",
    "hours",
    "hour",
    "minutes",
    "minute",
    "seconds",
    "decades",
    "decade",
    "centuries",
    "century",
    "percentage",
    "points",
];

/// The claims stated in one piece of text.
pub fn extract(input: &FactInput<'_>, so_far: &Facts) -> Vec<Claim> {
    let v = events::view(input);
    let quotes = QuoteMap::new(input.text, &v);
    let speakers = Speakers::new(so_far);
    let mut out = Vec::new();
    let mut doc = DocState::default();
    for (k, &(sa, sb)) in v.sents.iter().enumerate() {
        let c = Ctx {
            input,
            t: &v.toks,
            sa,
            sb,
        };
        let inside = quotes.inside.get(k).copied().unwrap_or(false);
        doc.sent = k;
        sentence(&c, so_far, &speakers, &quotes, inside, &mut doc, &mut out);
    }
    out
}

/// What earlier sentences of the document said, for claims that lean on them: "the group"
/// and "it" (the last named subject), "the real number", "of these, 60 have returned" (the
/// last claim's noun, attribute and subject).
#[derive(Default)]
struct DocState {
    /// Index of the sentence being read.
    sent: usize,
    /// The last named subject of a claim, and the sentence it was in.
    subject: Option<(Arg, usize)>,
    /// The last claim: counted noun, full attribute, subject, sentence.
    last: Option<(String, String, Option<Arg>, usize)>,
}

impl DocState {
    /// The last claim, when it is at most `reach` sentences back.
    fn last_within(&self, reach: usize) -> Option<&(String, String, Option<Arg>, usize)> {
        self.last.as_ref().filter(|l| l.3 + reach >= self.sent)
    }
    fn subject_within(&self, reach: usize) -> Option<&Arg> {
        self.subject
            .as_ref()
            .filter(|s| s.1 + reach >= self.sent)
            .map(|s| &s.0)
    }
}

/// Claims kept per sentence: bounds the work on hostile input (a "sentence" of numbers).
const MAX_CLAIMS_PER_SENTENCE: usize = 64;

/// How far (bytes) to look for the quote mark closing a quote around a claim.
const QUOTE_REACH: usize = 4000;

/// Where quotes are: paragraph breaks and, for each sentence, whether it starts inside
/// quote marks. Built in one pass over the text.
struct QuoteMap {
    /// Byte offsets of paragraph breaks ("\n\n"), in order.
    breaks: Vec<usize>,
    /// Per sentence: inside a quote at its first token.
    inside: Vec<bool>,
}

impl QuoteMap {
    fn new(text: &str, v: &events::View<'_>) -> QuoteMap {
        let mut breaks = Vec::new();
        let mut inside = Vec::with_capacity(v.sents.len());
        let starts: Vec<usize> = v
            .sents
            .iter()
            .filter_map(|&(a, _)| v.toks.get(a).map(|t| t.start))
            .collect();
        let mut next_sent = 0usize;
        let (mut open, mut straight) = (0i64, 0u64);
        let mut prev_nl = false;
        for (b, ch) in text.char_indices() {
            while starts.get(next_sent).is_some_and(|&s| s <= b) {
                inside.push(open > 0 || straight % 2 == 1);
                next_sent += 1;
            }
            match ch {
                '\n' if prev_nl => {
                    breaks.push(b);
                    open = 0;
                    straight = 0;
                }
                '“' => open += 1,
                '”' => open = (open - 1).max(0),
                '"' => straight += 1,
                _ => {}
            }
            prev_nl = ch == '\n';
        }
        while inside.len() < v.sents.len() {
            inside.push(open > 0 || straight % 2 == 1);
        }
        QuoteMap { breaks, inside }
    }

    /// Byte range of the paragraph holding `byte`.
    fn paragraph(&self, byte: usize, len: usize) -> (usize, usize) {
        let k = self.breaks.partition_point(|&b| b < byte);
        let start = k
            .checked_sub(1)
            .and_then(|k| self.breaks.get(k))
            .map_or(0, |&b| b + 1);
        let end = self.breaks.get(k).copied().unwrap_or(len);
        (start, end)
    }
}

/// Statement speakers in text order: (trigger start, trigger end, speaker), for binary search.
struct Speakers {
    list: Vec<(usize, usize, Arg)>,
}

impl Speakers {
    fn new(so_far: &Facts) -> Speakers {
        let mut list: Vec<(usize, usize, Arg)> = so_far
            .events
            .iter()
            .filter(|e| e.kind == EventType::Statement && e.modality.is_none())
            .filter_map(|e| {
                let a = e.arguments.iter().find(|a| a.role == EventRole::Agent)?;
                Some((
                    e.trigger.start,
                    e.trigger.end,
                    Arg {
                        start: a.start,
                        end: a.end,
                        text: a.text.clone(),
                    },
                ))
            })
            .collect();
        list.sort_by_key(|x| x.0);
        Speakers { list }
    }

    /// The first speaker whose trigger lies in `[from, to)` (code points).
    fn first_in(&self, from: usize, to: usize) -> Option<&Arg> {
        let k = self.list.partition_point(|x| x.0 < from);
        self.list.get(k).filter(|x| x.1 <= to).map(|x| &x.2)
    }

    /// The last speaker whose trigger lies in `[from, to)` (code points).
    fn last_in(&self, from: usize, to: usize) -> Option<&Arg> {
        let k = self.list.partition_point(|x| x.1 <= to);
        k.checked_sub(1)
            .and_then(|k| self.list.get(k))
            .filter(|x| x.0 >= from)
            .map(|x| &x.2)
    }
}

fn arg(c: &Ctx<'_, '_>, a: usize, b: usize) -> Option<Arg> {
    let s = c.t.get(a)?.start;
    let e = c.t.get(b.checked_sub(1)?)?.end;
    Some(Arg {
        start: c.input.map.to_char(s),
        end: c.input.map.to_char(e),
        text: c.input.text.get(s..e)?.to_string(),
    })
}

/// Who a claim is about, as found in its sentence.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Subj {
    /// A name in this sentence (token range).
    Here(usize, usize),
    /// "it", "the group", "its": the document's last named subject.
    Anaphor,
    /// "the real number": the last claim's subject (and attribute).
    Last,
    None,
}

struct Partial {
    clause: (usize, usize),
    subject: Subj,
    /// The normalised attribute: noun, verb and scope ("recruits in europe").
    attribute: String,
    /// The counted noun alone ("foreign fighters"), which an elided next claim inherits.
    noun: String,
    /// The verb kept in the attribute, which a coordinated next number shares
    /// ("killed 130 militants and nine civilians").
    verb: Option<String>,
    quantity: (usize, usize),
    value: f64,
    unit: Option<&'static str>,
    qualifier: Option<String>,
}

fn sentence(
    c: &Ctx<'_, '_>,
    so_far: &Facts,
    speakers: &Speakers,
    quotes: &QuoteMap,
    inside: bool,
    doc: &mut DocState,
    out: &mut Vec<Claim>,
) {
    let mut found: Vec<Partial> = Vec::new();
    let mut i = c.sa;
    while i < c.sb && found.len() < MAX_CLAIMS_PER_SENTENCE {
        let Some(tok) = c.t.get(i) else { break };
        let startable = tok.low.starts_with(|ch: char| ch.is_ascii_digit())
            || events::is(
                tok.low.as_ref(),
                &["$", "us$", "£", "€", "a", "one", "half"],
            )
            || tok.low.contains('-')
            || SMALL.iter().any(|(k, _)| *k == tok.low.as_ref());
        // Tables ("Partick 3 0 2 1 1 2 2") and list numbers ("2. Venuste Niyongabo") are
        // not statements.
        let tabular = table_cell(c, i) || tok.low.ends_with('.');
        if !startable || tok.time.is_some() || in_name(c, i) || tabular {
            i += 1;
            continue;
        }
        let Some(num) = read_number(c, i) else {
            i += 1;
            continue;
        };
        if (i..num.end).any(|k| c.t.get(k).is_some_and(|t| t.time.is_some())) {
            i = num.end.max(i + 1);
            continue;
        }
        if let Some(p) = claim_at(c, i, &num, &found, doc) {
            found.push(p);
        }
        i = num.end.max(i + 1);
    }
    if found.is_empty() {
        return;
    }
    let sentence_src = source(c, speakers);
    let mut prev_subject: Option<Arg> = None;
    for p in found {
        let (Some(clause), Some(quantity)) = (
            arg(c, p.clause.0, p.clause.1),
            arg(c, p.quantity.0, p.quantity.1),
        ) else {
            continue;
        };
        let src = quote_source(c, so_far, speakers, quotes, inside, quantity.start)
            .or_else(|| sentence_src.clone())
            .or_else(|| cue_source(c, p.quantity.0))
            .map(tidy_source);
        let time = time_near(c, p.quantity);
        let subject = match p.subject {
            Subj::Here(a, b) => arg(c, a, b),
            Subj::Anaphor => doc.subject_within(SUBJECT_REACH).cloned(),
            Subj::Last => doc.last_within(2).and_then(|l| l.2.clone()),
            // Nothing named here: the subject of the sentence's earlier claim, else of the
            // sentences just before ("Rescuers pulled 84 passengers" after the sinking).
            Subj::None => prev_subject
                .clone()
                .or_else(|| doc.subject_within(1).cloned())
                .or_else(|| {
                    // "Our research shows more than 60 recruits": whoever the last claim
                    // about recruits was about.
                    doc.last_within(SUBJECT_REACH)
                        .filter(|l| !p.noun.is_empty() && l.0 == p.noun)
                        .and_then(|l| l.2.clone())
                })
                .or_else(|| {
                    if is_casualty(&p.attribute) {
                        place_back(c)
                    } else {
                        topic(c)
                    }
                }),
        };
        if let (Subj::Here(..), Some(s)) = (p.subject, &subject) {
            doc.subject = Some((s.clone(), doc.sent));
        }
        prev_subject = subject.clone().or(prev_subject);
        doc.last = Some((
            p.noun.clone(),
            p.attribute.clone(),
            subject.clone(),
            doc.sent,
        ));
        let confidence = 0.55
            + if subject.is_some() { 0.15 } else { 0.0 }
            + if p.attribute.is_empty() { 0.0 } else { 0.15 };
        out.push(Claim {
            start: clause.start,
            end: clause.end,
            text: clause.text,
            subject,
            attribute: p.attribute,
            quantity,
            value: p.value,
            unit: p.unit.map(str::to_string),
            qualifier: p.qualifier,
            time,
            source: src,
            confidence,
            extractor: EXTRACTOR.to_string(),
        });
    }
}

/// The organisation named last before the sentence (at most [`TOPIC_REACH`] tokens back):
/// what a claim with no name of its own is most likely about.
fn topic(c: &Ctx<'_, '_>) -> Option<Arg> {
    let lo = c.sa.saturating_sub(TOPIC_REACH);
    let k = (lo..c.sa).rev().find(|&k| {
        matches!(
            c.ent_label(k),
            Some(EntityLabel::Organisation | EntityLabel::Org)
        ) && c.cap(k)
    })?;
    let e = c.t.get(k)?.ent;
    let mut a = k;
    while a > lo && c.t.get(a - 1).is_some_and(|t| t.ent == e) {
        a -= 1;
    }
    let mut b = k + 1;
    while b < c.sa && c.t.get(b).is_some_and(|t| t.ent == e) {
        b += 1;
    }
    while a < k && is(c.low(a), events::DETS) {
        a += 1;
    }
    arg(c, a, b)
}

const TOPIC_REACH: usize = 60;

/// How far (tokens) a casualty figure looks back for the place it happened.
const PLACE_REACH: usize = 240;

/// "people killed", "civilians injured": figures about an event, which is known by its place.
fn is_casualty(attribute: &str) -> bool {
    let head = attribute.split(" in ").next().unwrap_or("");
    head.ends_with(" killed") || head.ends_with(" injured")
}

/// A name that ends in a place noun ("Binnenrotte market") in the sentences before: where
/// the event a casualty figure counts happened.
fn place_back(c: &Ctx<'_, '_>) -> Option<Arg> {
    let lo = c.sa.saturating_sub(PLACE_REACH);
    let k = (lo + 1..c.sa)
        .rev()
        .find(|&k| is(c.low(k), PLACE_HEADS) && c.cap(k - 1) && !is(c.low(k - 1), events::DETS))?;
    let mut a = k - 1;
    while a > lo && c.cap(a - 1) && !is(c.low(a - 1), events::DETS) {
        a -= 1;
    }
    arg(c, a, k + 1)
}

/// Nouns that name a place after a capitalised word.
const PLACE_HEADS: &[&str] = &[
    "market", "camp", "station", "square", "mosque", "church", "hotel",
];

/// The nearest "at / on / in NAME" before the quantity in the sentence, preferring a name
/// with a place noun ("at the Binnenrotte Saturday market" over "in central Rotterdam").
fn place_left(c: &Ctx<'_, '_>, q: usize) -> Subj {
    let mut first = None;
    for k in (q.saturating_sub(40).max(c.sa)..q).rev() {
        if !is(c.low(k), &["at", "on", "in", "near"]) {
            continue;
        }
        let Some((a, b)) = named(c, k + 1) else {
            continue;
        };
        let (_, b) = name_ending(c, b.saturating_sub(1).max(a));
        if is(c.low(b.saturating_sub(1)), PLACE_HEADS) {
            return Subj::Here(a, b);
        }
        first = first.or(Some((a, b)));
    }
    first.map_or(Subj::None, |(a, b)| Subj::Here(a, b))
}

/// A source as an analyst reads it: "its monthly report" → "monthly report", "Officials,
/// however" → "Officials".
fn tidy_source(mut a: Arg) -> Arg {
    for det in ["its ", "Its ", "their ", "Their "] {
        if let Some(rest) = a.text.strip_prefix(det) {
            a.start += det.chars().count();
            a.text = rest.to_string();
        }
    }
    if let Some((head, tail)) = a.text.rsplit_once(", ") {
        if !tail.contains(' ') && tail.starts_with(|ch: char| ch.is_lowercase()) {
            a.end -= tail.chars().count() + 2;
            a.text = head.to_string();
        }
    }
    a
}

/// How many sentences back "the group" or "it" may find its name.
const SUBJECT_REACH: usize = 6;

/// A number between numbers: a table row, not a sentence.
fn table_cell(c: &Ctx<'_, '_>, i: usize) -> bool {
    let num = |k: usize| {
        c.t.get(k).is_some_and(|t| {
            t.low.chars().any(|ch| ch.is_ascii_digit())
                && t.low
                    .starts_with(|ch: char| ch.is_ascii_digit() || matches!(ch, '.' | '+' | '-'))
        })
    };
    num(i) && ((i > c.sa && num(i - 1)) || (i + 1 < c.sb && num(i + 1)))
}

/// Numbers inside names ("3rd Battalion", "Camp 5", "Resolution 2254") are not quantities.
fn in_name(c: &Ctx<'_, '_>, i: usize) -> bool {
    let w = c.low(i);
    let ordinal = w.starts_with(|ch: char| ch.is_ascii_digit())
        && (w.ends_with("st") || w.ends_with("nd") || w.ends_with("rd") || w.ends_with("th"));
    let numbered = i > c.sa
        && c.cap(i - 1)
        && c.t.get(i - 1).is_some_and(|t| t.ent.is_some())
        && !is(
            c.low(i - 1),
            &["some", "about", "over", "nearly", "almost", "around"],
        );
    ordinal
        || numbered
        || is(
            c.prev(i),
            &[
                "no.",
                "#",
                "number",
                "resolution",
                "article",
                "page",
                "section",
                "flight",
                "route",
                "camp",
                "bus",
            ],
        )
}

/// The clause around token `i`: between commas, semicolons, dashes or the sentence edges.
fn clause_of(c: &Ctx<'_, '_>, i: usize) -> (usize, usize) {
    let stop = |w: &str| {
        matches!(
            w,
            "," | ";" | ":" | "--" | "—" | "(" | ")" | "\"" | "“" | "”"
        )
    };
    let mut a = i;
    while a > c.sa && !stop(c.low(a - 1)) {
        a -= 1;
    }
    let mut b = i + 1;
    while b < c.sb && !stop(c.low(b)) && c.low(b) != "." {
        b += 1;
    }
    (a, b)
}

fn claim_at(
    c: &Ctx<'_, '_>,
    i: usize,
    num: &Num,
    found: &[Partial],
    doc: &DocState,
) -> Option<Partial> {
    let (qstart, qual) = match qualifier(c, i) {
        Some((a, q)) => (a, Some(q.to_string())),
        None => (i, None),
    };
    let qual = if num.upper.is_some() {
        Some("between".to_string())
    } else {
        qual
    };
    let value = match num.upper {
        Some(u) => (num.value + u) / 2.0,
        None => num.value,
    };
    let mut j = num.end;
    // "300-odd", "300 or so", "300 or more".
    let mut qual = qual;
    if c.low(j) == "or" && is(c.next(j), &["so", "more", "less", "fewer"]) {
        qual = Some(format!("or {}", c.next(j)));
        j += 2;
    }
    let quantity = (qstart, j);
    // The counted noun phrase after the number ("foreign fighters"), or after "of the" for
    // fractions, percentages and parts ("a third of the fighters", "five of the
    // dealerships"); "12 of them" counts what the last claim counted.
    let mut attr_range: Option<(usize, usize)> = None;
    let mut k = j;
    let mut of_them = false;
    let mut partitive = false;
    if c.low(k) == "of" {
        if is(c.next(k), &["them", "these", "those"]) {
            of_them = true;
            k += 2;
        } else if num.unit.is_some()
            || c.t.get(i).is_some_and(|t| t.low == "half")
            || (num.value > 1.0 && is(c.next(k), events::DETS))
        {
            partitive = num.unit.is_none() && c.t.get(i).is_some_and(|t| t.low != "half");
            k += 1;
            while is(c.low(k), events::DETS) {
                k += 1;
            }
        }
    }
    let mut nationality_at: Option<usize> = None;
    // "256 more prisoners".
    if is(c.low(k), &["more", "additional", "other", "further"]) {
        k += 1;
    }
    let mut e = k;
    while e < c.sb && e < k + 5 && !of_them {
        if c.t.get(e).is_some_and(|t| t.time.is_some()) {
            break;
        }
        if nationality_at.is_none() && e == k && nationality(c, e) {
            // "300 Dutch fighters": the nationality is the subject, or the scope when the
            // clause names another ("the group's 50 European recruits").
            nationality_at = Some(e);
            e += 1;
            k = e;
            continue;
        }
        let w = c.low(e);
        // Capitalised words continue a name-like run ("U.S. Marines") but do not start one
        // after common nouns ("fighters Belgium").
        let cap_break = c.cap(e) && e > k && !c.cap(e - 1);
        if !c.np_word(e)
            || cap_break
            || w == "'s"
            || (e > k && events::is_number(w))
            || is(w, NP_STOP)
        {
            break;
        }
        if e > k
            && (w.ends_with("ed") || w.ends_with("ing"))
            && (!c.np_word(e + 1)
                || events::is_number(c.low(e + 1))
                || is(c.low(e + 1), events::DETS))
        {
            break;
        }
        e += 1;
    }
    if e > k {
        attr_range = Some((k, e));
    }
    // What is counted is a common noun: "fighters", "Syrians", "U.S. Marines", not a name
    // ("2. Michael Green") nor a number.
    if let Some((a, b)) = attr_range {
        let first_cap = c.cap(a);
        let plural = c.low(b - 1).ends_with('s');
        let numeric = (a..b).any(|x| {
            c.low(x)
                .starts_with(|ch: char| ch.is_ascii_digit() || ch == '.')
        });
        if numeric || (first_cap && !plural) {
            return None;
        }
    }
    let mut noun = attr_range.map(|(a, b)| words(c, a, b)).unwrap_or_default();
    if noun
        .split(' ')
        .next()
        .is_some_and(|w| NOT_COUNTED.contains(&w))
    {
        return None;
    }
    let after_np = attr_range.map_or(k, |r| r.1);
    let mut subject = Subj::None;
    let mut scope: Option<String> = None;
    let mut verb: Option<String> = None;
    let mut inherited = Subj::None;
    // Elided noun: "slightly more than 50 have returned" counts the previous claim's noun,
    // within the sentence or (after "of these", "12 of them") the one before.
    if noun.is_empty() {
        let of_these = of_them || (qstart > c.sa && is(c.low(c.sa), &["of"]));
        if let Some(prev) = found.last() {
            noun = prev.noun.clone();
            inherited = prev.subject;
        } else if let Some(last) = doc.last_within(2).filter(|_| of_these) {
            noun = last.0.clone();
            inherited = Subj::Last;
        } else if let Some(last) = doc
            .last_within(1)
            .filter(|_| bare_end(c, after_np) && has_before(c, qstart))
        {
            // "France has about 1,700, while ...": what the claim before counted.
            noun = last.0.clone();
        }
    }
    // "The number of injured has been revised to 13", "the real number is nearer four",
    // "Valmora's budget is $40m": the thing counted stands before the number.
    if noun.is_empty() {
        if let Some(pred) = predicate(c, qstart) {
            match pred {
                Predicate::Last => {
                    let last = doc.last_within(2)?;
                    noun = last.0.clone();
                    return Some(Partial {
                        clause: clause_of(c, i),
                        subject: Subj::Last,
                        attribute: last.1.clone(),
                        noun,
                        verb: None,
                        quantity,
                        value,
                        unit: num.unit,
                        qualifier: qual,
                    });
                }
                Predicate::Phrase(p) => {
                    noun = p.noun;
                    verb = p.verb;
                    scope = p.scope;
                    subject = p.subject;
                }
            }
        }
    }
    // Money without a noun: "raised about $2m".
    if noun.is_empty() && num.unit.is_some_and(|u| CURRENCY.iter().any(|x| x.1 == u)) {
        noun = "money".to_string();
    }
    // The verb that says what happened to them: "have returned", "were killed", also
    // after a place: "fighters from Belgium have travelled".
    let mut vpos = after_np;
    let mut place_after: Option<(usize, usize)> = None;
    let mut p = vpos;
    while p < vpos + 2 && is(c.low(p), &["are", "is", "were", "was", "now", "still"]) {
        p += 1;
    }
    // "20,000 people are in the Tal Sirin camp": the place is what the number is about.
    let located = p > vpos && c.low(p) == "in" && named(c, p + 1).is_some();
    if located {
        vpos = p;
    }
    let prep = c.low(vpos).to_string();
    if is(&prep, &["from", "in", "across", "throughout"]) {
        if let Some(n) = named(c, vpos + 1) {
            place_after = Some(n);
            vpos = n.1;
        }
    }
    if verb.is_none() {
        verb = verb_after(c, vpos)
            .or_else(|| verb_before(c, qstart))
            .or_else(|| {
                // "killed 130 militants and nine civilians": the verb is shared.
                (qstart > c.sa && c.low(qstart - 1) == "and")
                    .then(|| found.last().and_then(|p| p.verb.clone()))
                    .flatten()
            });
    }
    // "have travelled from the Netherlands": the place after the verb.
    let mut place_after_verb = None;
    if place_after.is_none() && verb.is_some() {
        let mut v = vpos;
        while v < c.sb && v < vpos + 4 && !is(c.low(v), &["from", "in"]) {
            v += 1;
        }
        if is(c.low(v), &["from", "in"]) {
            place_after_verb = named(c, v + 1);
        }
    }
    let counted = !noun.is_empty();
    if partitive && verb.is_none() {
        // "Four of the injured were in a serious condition": a part of a figure, not one.
        return None;
    }
    if !counted && num.unit.is_none() {
        // A bare number with nothing counted ("walked two") is no claim.
        return None;
    }
    // Subject: the possessor before the quantity ("the Netherlands' approximately 300"),
    // else a name (or "it", "the group") before it in the clause.
    if subject == Subj::None {
        if let Some(p) = possessor(c, qstart) {
            subject = subject_of_range(c, p);
        }
    }
    if subject == Subj::None {
        subject = subject_left(c, qstart, doc.subject.is_some());
    }
    if subject == Subj::None {
        subject = inherited;
    }
    let place_name = |r: (usize, usize)| scope_words(c, r.0, r.1);
    if subject == Subj::None {
        if let Some(n) = nationality_at {
            subject = Subj::Here(n, n + 1);
            nationality_at = None;
        } else if let Some(p) = place_after.filter(|_| prep == "from" || located) {
            // "... foreign fighters from Belgium", "... in Syria".
            subject = Subj::Here(p.0, p.1);
            place_after = None;
        }
    }
    if let Some(p) = place_after.filter(|_| prep != "from") {
        scope = Some(place_name(p));
    }
    if scope.is_none() {
        scope = nationality_at.map(|n| nationality_scope(c.low(n)));
    }
    let attribute = compose(&noun, verb.as_deref(), scope.as_deref());
    if subject == Subj::None {
        if let Some(p) = place_after_verb {
            subject = Subj::Here(p.0, p.1);
        } else if is_casualty(&attribute) {
            // "12 people died when the ferry Aurelia capsized", "... at the Binnenrotte
            // market, killing two people": the event's named place or thing.
            subject = name_right(c, vpos);
            if subject == Subj::None {
                subject = place_left(c, qstart);
            }
        }
    }
    Some(Partial {
        clause: clause_of(c, i),
        subject,
        attribute,
        noun: noun.to_lowercase(),
        verb,
        quantity,
        value,
        unit: num.unit,
        qualifier: qual,
    })
}

/// Words that end the counted noun phrase.
const NP_STOP: &[&str] = &[
    "include", "includes", "number", "numbers", "is", "are", "was", "were", "has", "have",
];

/// Person nouns that say nothing about who was counted: "11 others", "persons".
fn generic_noun(w: &str) -> Option<&'static str> {
    match w {
        "others" | "persons" | "individuals" | "people" => Some("people"),
        "dead" | "deaths" | "fatalities" => Some("people killed"),
        "injured" | "wounded" | "injuries" => Some("people injured"),
        _ => None,
    }
}

/// The verb as the attribute records it: one form per meaning ("died" and "dead" are
/// "killed", "wounded" is "injured", "injuring" is "injured"); verbs of having say nothing.
fn norm_verb(v: &str) -> Option<&str> {
    Some(match v {
        "died" | "dead" | "killing" | "slain" => "killed",
        "wounded" | "wounding" | "injuring" | "hurt" => "injured",
        "arresting" | "detained" | "detaining" => "arrested",
        "had" | "held" | "holding" | "controlled" | "owned" | "ran" | "run" | "operated"
        | "included" | "counted" | "numbered" | "won" | "took" | "drawn" | "drew" | "have"
        | "has" | "shows" | "showed" => return None,
        _ => v,
    })
}

/// Noun, verb and scope as one attribute: "recruits in europe", "people killed".
fn compose(noun: &str, verb: Option<&str>, scope: Option<&str>) -> String {
    let noun = noun.to_lowercase();
    let (mut out, implied) = match generic_noun(&noun) {
        Some(g) => (g.to_string(), g.contains(' ')),
        None => (noun, false),
    };
    if let Some(v) = verb.and_then(norm_verb).filter(|_| !implied) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(v);
    }
    if let Some(s) = scope.filter(|s| !s.is_empty()) {
        if !out.is_empty() {
            out.push_str(" in ");
            out.push_str(s);
        }
    }
    out
}

/// A place as the scope of an attribute: lower case, without articles.
fn scope_words(c: &Ctx<'_, '_>, a: usize, b: usize) -> String {
    words(c, a, b)
}

/// "European recruits" are recruits in Europe; other nationality adjectives stay as written.
fn nationality_scope(w: &str) -> String {
    match w {
        "european" => "europe".into(),
        "african" => "africa".into(),
        "asian" => "asia".into(),
        _ => w.to_string(),
    }
}

/// The number ends its clause: "France has about 1,700, while ...".
fn bare_end(c: &Ctx<'_, '_>, j: usize) -> bool {
    j >= c.sb || is(c.low(j), &[",", ".", ";", "while", "and", "but"])
}

/// "has", "had", "have" just before the quantity.
fn has_before(c: &Ctx<'_, '_>, q: usize) -> bool {
    q > c.sa && is(c.low(q - 1), &["has", "had", "have", "holds", "counts"])
}

/// Common nouns that, after "the" or "its", stand for a named group or thing mentioned
/// before ("the group", "the brigade", "the network").
const GROUP_NOUNS: &[&str] = &[
    "group",
    "brigade",
    "network",
    "party",
    "militia",
    "organisation",
    "organization",
    "movement",
    "cell",
    "front",
    "company",
    "coalition",
    "alliance",
    "camp",
    "refinery",
    "army",
    "gang",
    "faction",
    "strikes",
    "bombing",
    "attack",
    "ring",
    "government",
];

/// Lower-case words that complete a name before them ("Okoro network", "Sarn market").
const NAME_HEADS: &[&str] = &[
    "network", "group", "camp", "market", "refinery", "valley", "hills", "delta", "province",
    "region", "district", "cell", "militia", "brigade", "front", "station", "square",
];

/// A name ending at token `b` (exclusive) and its start, with a following head noun.
fn name_ending(c: &Ctx<'_, '_>, last: usize) -> (usize, usize) {
    let mut a = last;
    if let Some((ea, _)) = events::ent_range(c, last) {
        a = ea;
    }
    while a > c.sa
        && (c.cap(a - 1)
            || is(
                c.low(a - 1),
                &["al", "el", "de", "van", "der", "bin", "von"],
            ))
        && c.t.get(a - 1).is_some_and(|t| t.time.is_none())
        && !is(c.low(a - 1), events::DETS)
    {
        a -= 1;
    }
    let mut b = last + 1;
    if let Some((_, eb)) = events::ent_range(c, last) {
        b = b.max(eb);
    }
    while b < c.sb && c.cap(b) && c.np_word(b) {
        b += 1;
    }
    if b < c.sb && is(c.low(b), NAME_HEADS) {
        b += 1;
    }
    while a < last && is(c.low(a), events::DETS) {
        a += 1;
    }
    (a, b)
}

/// Words at the start of a sentence that are capitalised without being names.
fn initial_word(c: &Ctx<'_, '_>, k: usize) -> bool {
    k == c.sa && c.t.get(k).is_some_and(|t| t.ent.is_none()) && !c.cap(k + 1)
}

/// A subject phrase given as tokens: a name, or an anaphor ("the group", "it").
fn subject_of_range(c: &Ctx<'_, '_>, (a, b): (usize, usize)) -> Subj {
    if (a..b).any(|x| c.cap(x) && !(x == c.sa && is(c.low(x), events::DETS))) {
        let last = (a..b).rev().find(|&x| c.cap(x)).unwrap_or(a);
        let (na, nb) = name_ending(c, last);
        return Subj::Here(na.max(a), nb.max(b));
    }
    if (a..b).any(|x| is(c.low(x), GROUP_NOUNS) || is(c.low(x), &["it", "its", "they", "their"])) {
        return Subj::Anaphor;
    }
    Subj::None
}

/// The name a claim is about, looking left from the quantity within the clause and its
/// verb: "the Red Harbour Front has about 200", "Belgium has roughly 450", "it has", "the
/// group has". Stops at a cue ("say", "that") so the speaker is never the subject; when the
/// document has named nothing yet, "it" looks on past the cue ("The militia says it has").
fn subject_left(c: &Ctx<'_, '_>, q: usize, doc_has_subject: bool) -> Subj {
    let lo = q.saturating_sub(14).max(c.sa);
    let mut k = q;
    let mut anaphor = false;
    while k > lo {
        k -= 1;
        let w = c.low(k);
        if anaphor && !is(w, CUES) && c.cap(k) && !initial_word(c, k) {
            let (a, b) = name_ending(c, k);
            return Subj::Here(a, b);
        }
        if anaphor {
            continue;
        }
        if is(
            w,
            &[
                ";", ":", "that", "which", "who", "when", "but", "\"", "“", "”", "(", ")",
            ],
        ) || is(w, CUES)
        {
            return Subj::None;
        }
        if is(w, &["it", "its", "they", "their"])
            || (is(w, GROUP_NOUNS) && !c.cap(k) && k > c.sa && !c.cap(k - 1))
        {
            if doc_has_subject {
                return Subj::Anaphor;
            }
            anaphor = true;
            continue;
        }
        if c.cap(k)
            && !initial_word(c, k)
            && c.t.get(k).is_some_and(|t| t.time.is_none())
            && !is(w, events::DETS)
            && !is(w, events::PRONOUNS)
            && !is(
                w,
                &[
                    "of", "about", "some", "nearly", "more", "at", "since", "our", "we",
                ],
            )
        {
            let (a, b) = name_ending(c, k);
            return Subj::Here(a, b);
        }
        if w == "," {
            // An apposition ("Its leader, Dario Okoro, controlled") is read through; any
            // other comma ends the clause.
            let back = (k.saturating_sub(4).max(c.sa)..k)
                .rev()
                .find(|&x| c.low(x) == ",");
            if back.is_none() && !(k > c.sa && c.cap(k - 1)) {
                return Subj::None;
            }
        }
    }
    Subj::None
}

/// The first name after token `from` in the clause: "... when the ferry Aurelia capsized".
fn name_right(c: &Ctx<'_, '_>, from: usize) -> Subj {
    let mut k = from;
    while k < c.sb && k < from + 10 {
        let w = c.low(k);
        if is(w, &[",", ";", ":", "said", "says"]) {
            break;
        }
        if c.cap(k) && c.t.get(k).is_some_and(|t| t.time.is_none()) {
            let (_, b) = name_ending(c, k);
            return Subj::Here(k, b);
        }
        k += 1;
    }
    Subj::None
}

/// Verbs that introduce whose claim it is.
const CUES: &[&str] = &[
    "say",
    "says",
    "said",
    "estimate",
    "estimates",
    "estimated",
    "believe",
    "believes",
    "believed",
    "put",
    "puts",
    "told",
    "found",
    "reported",
    "argue",
    "argues",
    "argued",
    "claims",
    "claimed",
    "according",
    "shows",
    "show",
    "suggest",
    "suggests",
];

/// The speaker of a cue before the quantity: "Western diplomats believe the real number is
/// nearer four", "Independent monitors put the number closer to 800".
fn cue_source(c: &Ctx<'_, '_>, q: usize) -> Option<Arg> {
    let lo = q.saturating_sub(16).max(c.sa);
    let k = (lo..q)
        .rev()
        .find(|&k| is(c.low(k), CUES) && !is(c.low(k), &["according", "found", "shows", "show"]))?;
    let (a, b) = events::subject(c, k).or_else(|| events::np_left(c, k))?;
    let mut a = a;
    while a < b && is(c.low(a), &["its", "their", "his", "her", "the", "a", "an"]) {
        a += 1;
    }
    (a < b).then(|| arg(c, a, b)).flatten()
}

/// What a number after a predicate counts.
enum Predicate {
    /// "the real number is nearer four": what the last claim counted.
    Last,
    Phrase(PredPhrase),
}

struct PredPhrase {
    noun: String,
    verb: Option<String>,
    scope: Option<String>,
    subject: Subj,
}

/// Words between a noun phrase and its number: "is", "stands at", "has been revised to",
/// "number", "put ... at".
const LINK: &[&str] = &[
    "is", "are", "was", "were", "be", "been", "has", "have", "had", "number", "numbers", "totals",
    "totalled", "total", "stands", "stood", "at", "to", "risen", "rose", "revised", "climbed",
    "reached", "now", "still", "probably", "likely", "nearer", "closer",
];

/// The noun phrase a number after a predicate is about: "[the death toll from the sinking
/// of the Aurelia] has risen to 19", "[the group's European recruits] number about 50".
fn predicate(c: &Ctx<'_, '_>, q: usize) -> Option<Predicate> {
    let mut k = q;
    let mut links = 0;
    while k > c.sa && links < 5 && is(c.low(k - 1), LINK) {
        k -= 1;
        links += 1;
    }
    if links == 0 || k <= c.sa {
        return None;
    }
    // The phrase: back to the clause start or a cue ("say", "that", "put").
    let mut a = k;
    while a > c.sa && a + 14 > k {
        let w = c.low(a - 1);
        if is(w, CUES) || is(w, &["that", ",", ";", ":", "\"", "“", "”", "while", "but"]) {
            break;
        }
        a -= 1;
    }
    let phrase = a..k;
    let has = |set: &[&str]| phrase.clone().find(|&x| is(c.low(x), set));
    // "the (real) number is nearer four": "number" as a noun, which the links may have
    // taken for the verb ("recruits number about 50").
    let number_noun = (a..q).find(|&x| {
        is(c.low(x), &["number", "figure", "total", "count", "tally"])
            && x > c.sa
            && is(
                c.low(x - 1),
                &[
                    "the", "real", "actual", "true", "official", "this", "that", "its", "their",
                ],
            )
    });
    if has(&["toll"]).is_some() {
        let subject = phrase
            .clone()
            .find(|&x| c.cap(x) && !initial_word(c, x) && !is(c.low(x), events::DETS))
            .map_or(Subj::None, |x| {
                let (na, nb) = name_ending(c, x);
                Subj::Here(na, nb)
            });
        return Some(Predicate::Phrase(PredPhrase {
            noun: "people".into(),
            verb: Some("killed".into()),
            scope: None,
            subject,
        }));
    }
    if let Some(n) = number_noun {
        if c.low(n + 1) != "of" {
            return Some(Predicate::Last);
        }
        // "the number of confirmed NCB recruits in Europe".
        return phrase_parts(c, n + 2, k).map(Predicate::Phrase);
    }
    phrase_parts(c, a, k).map(Predicate::Phrase)
}

/// Reads "Valmora's border surveillance budget for next year", "confirmed NCB recruits in
/// Europe", "the group's European recruits": possessor or name → subject, nationality or
/// "in X" → scope, the common nouns → the counted noun.
fn phrase_parts(c: &Ctx<'_, '_>, a: usize, b: usize) -> Option<PredPhrase> {
    let mut subject = Subj::None;
    let mut scope = None;
    let mut nouns: Vec<&str> = Vec::new();
    let mut k = a;
    while k < b {
        let w = c.low(k);
        if is(w, &["'s", "'", "’s", "’"]) {
            // Everything before the possessive names the owner.
            subject = subject_of_range(c, (a, k));
            nouns.clear();
            k += 1;
            continue;
        }
        if is(w, &["in", "across", "throughout"]) {
            if let Some(n) = named(c, k + 1) {
                scope = Some(scope_words(c, n.0, n.1));
            }
            break;
        }
        if is(w, &["for", "from", "of", "on", "by", "with", "since"]) {
            break;
        }
        if nationality(c, k) || (c.cap(k) && nationality_like(w)) {
            scope = Some(nationality_scope(w));
        } else if c.cap(k) && !initial_word(c, k) && !is(w, events::DETS) {
            let (_, nb) = name_ending(c, k);
            subject = Subj::Here(k, nb);
            k = nb.max(k + 1);
            continue;
        } else if !is(w, events::DETS) && !is_punct(w) && !is(w, &["confirmed", "real", "actual"]) {
            nouns.push(w);
        }
        k += 1;
    }
    let noun = nouns.join(" ");
    if noun.is_empty() {
        return None;
    }
    Some(PredPhrase {
        noun,
        verb: None,
        scope,
        subject,
    })
}

fn nationality_like(w: &str) -> bool {
    ["ian", "ish", "ese", "ean", "ch"]
        .iter()
        .any(|s| w.ends_with(s))
}

/// "Belgian nationals", "Dutch fighters": a nationality adjective before a common noun
/// (by label, or by its shape when the tagger called the phrase an organisation).
fn nationality(c: &Ctx<'_, '_>, e: usize) -> bool {
    if matches!(c.ent_label(e), Some(EntityLabel::Nationality)) {
        return true;
    }
    let w = c.low(e);
    let shaped = ["ian", "ish", "ese", "an", "ch", "i", "ic"]
        .iter()
        .any(|s| w.ends_with(s));
    c.cap(e) && shaped && c.t.get(e + 1).is_some_and(|t| !t.cap) && c.np_word(e + 1)
}

fn words(c: &Ctx<'_, '_>, a: usize, b: usize) -> String {
    (a..b)
        .map(|k| c.low(k))
        .filter(|w| !is(w, events::DETS))
        .collect::<Vec<_>>()
        .join(" ")
}

/// "have returned", "were killed", "fled": a verb (after auxiliaries) right after the noun.
fn verb_after(c: &Ctx<'_, '_>, j: usize) -> Option<String> {
    let mut k = j;
    let mut aux = 0;
    while k < c.sb
        && aux < 3
        && is(
            c.low(k),
            &[
                "have",
                "has",
                "had",
                "were",
                "was",
                "are",
                "is",
                "been",
                "being",
                "be",
                "will",
                "would",
                "also",
                "since",
                "now",
                "reportedly",
                "already",
                "later",
                "subsequently",
                "all",
            ],
        )
    {
        k += 1;
        aux += 1;
    }
    let w = c.low(k);
    let t = c.t.get(k)?;
    if t.cap || is_punct(w) {
        return None;
    }
    let verbish = w.ends_with("ed")
        || is(
            w,
            &[
                "fled", "left", "died", "fought", "went", "joined", "returned", "remain",
                "remained", "came", "taken", "held", "hidden",
            ],
        );
    (verbish && (aux > 0 || !c.np_word(k + 1))).then(|| w.to_string())
}

/// "killed 139 insurgents": the verb right before the quantity.
fn verb_before(c: &Ctx<'_, '_>, q: usize) -> Option<String> {
    if q <= c.sa {
        return None;
    }
    let w = c.low(q - 1);
    let t = c.t.get(q - 1)?;
    if t.cap {
        return None;
    }
    // "killing two people and injuring 11 others".
    let participle = is(
        w,
        &["killing", "injuring", "wounding", "arresting", "detaining"],
    );
    let v = participle
        || w.ends_with("ed")
            && !is(
                w,
                &[
                    "estimated",
                    "reported",
                    "expected",
                    "needed",
                    "added",
                    "said",
                    "numbered",
                    "totalled",
                    "totaled",
                ],
            );
    v.then(|| w.to_string())
}

/// "the Netherlands' approximately 300", "Belgium's 450": the possessor before `q`.
fn possessor(c: &Ctx<'_, '_>, q: usize) -> Option<(usize, usize)> {
    if q <= c.sa {
        return None;
    }
    let p = c.low(q - 1);
    let poss = p == "'s" || p == "'" || p == "’s" || p == "’";
    if poss {
        return events::np_left(c, q - 1);
    }
    // "Netherlands'" may come as one token.
    let t: &Tok<'_> = c.t.get(q - 1)?;
    if (t.text.ends_with('\'') || t.text.ends_with('’')) && t.cap {
        return Some((q - 1, q));
    }
    None
}

fn named(c: &Ctx<'_, '_>, i: usize) -> Option<(usize, usize)> {
    let mut a = i;
    while is(c.low(a), events::DETS) && a < c.sb {
        a += 1;
    }
    if c.cap(a) {
        events::name_at(c, a)
    } else {
        None
    }
}

/// The date or time nearest to the quantity in its sentence (durations do not date a claim).
fn time_near(c: &Ctx<'_, '_>, q: (usize, usize)) -> Option<dossier_core::TimeMention> {
    let mut best: Option<(usize, usize)> = None;
    for k in c.sa..c.sb {
        let Some(ti) = c.t.get(k).and_then(|t| t.time) else {
            continue;
        };
        let Some(tm) = c.input.times.get(ti) else {
            continue;
        };
        if matches!(tm.kind, TimeType::Duration | TimeType::Set) {
            continue;
        }
        let d = if k < q.0 {
            q.0 - k
        } else {
            k.saturating_sub(q.1)
        };
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, ti));
        }
    }
    best.and_then(|(_, ti)| c.input.times.get(ti).cloned())
}

/// The source of a claim outside quotes: "according to X", else the speaker of a
/// statement in the sentence ("officials say", "X said").
fn source(c: &Ctx<'_, '_>, speakers: &Speakers) -> Option<Arg> {
    for k in c.sa..c.sb {
        if c.low(k) == "according" && c.next(k) == "to" {
            if let Some((a, b)) = events::object(c, k + 2) {
                return arg(c, a, b);
            }
        }
    }
    let s0 = c.t.get(c.sa)?.start;
    let s1 = c.t.get(c.sb.checked_sub(1)?)?.end;
    let (cs, ce) = (c.input.map.to_char(s0), c.input.map.to_char(s1));
    speakers.first_in(cs, ce).cloned()
}

/// The speaker when the claim sits inside a quote: a quote found by the quotes extractor,
/// else (light fallback) the first statement after the closing quote mark in the same
/// paragraph, or the last one before the claim ("X said: “... 300 ...”").
fn quote_source(
    c: &Ctx<'_, '_>,
    so_far: &Facts,
    speakers: &Speakers,
    quotes: &QuoteMap,
    inside_at_start: bool,
    at: usize,
) -> Option<Arg> {
    // Quotes come in text order; only the few starting just before `at` can hold it.
    let k = so_far.quotes.partition_point(|q| q.start <= at);
    if let Some(q) = so_far
        .quotes
        .get(k.saturating_sub(8)..k)
        .and_then(|qs| qs.iter().rev().find(|q| at < q.end))
    {
        return q.speaker_entity.clone().or_else(|| q.speaker.clone());
    }
    let text = c.input.text;
    let byte = c.input.map.to_byte(at);
    let sent_start = c.t.get(c.sa)?.start;
    // Quote state at the claim: the state at the sentence start, then the marks before it.
    let before = text.get(sent_start..byte)?;
    let opens = before.matches('“').count();
    let closes = before.matches('”').count();
    let straight = before.matches('"').count();
    let inside = if inside_at_start {
        !(closes > opens || straight % 2 == 1)
    } else {
        opens > closes || straight % 2 == 1
    };
    if !inside {
        return None;
    }
    let (para_start, para_end) = quotes.paragraph(byte, text.len());
    let mut reach = (byte + QUOTE_REACH).min(para_end);
    while !text.is_char_boundary(reach) {
        reach -= 1;
    }
    let rest = text.get(byte..reach)?;
    let after = rest.find(['”', '"']).and_then(|close| {
        let close_char = c.input.map.to_char(byte + close);
        speakers.first_in(close_char + 1, c.input.map.to_char(para_end))
    });
    after
        .or_else(|| speakers.last_in(c.input.map.to_char(para_start), at))
        .cloned()
}

// ---------------------------------------------------------------------------
// Discrepancies.

fn singular(w: &str) -> String {
    if let Some(s) = w.strip_suffix("ies") {
        if s.len() > 1 {
            return format!("{s}y");
        }
    }
    for suf in ["sses", "xes", "ches", "shes"] {
        if w.ends_with(suf) {
            return w[..w.len() - 2].to_string();
        }
    }
    if w.len() > 3
        && w.ends_with('s')
        && !w.ends_with("ss")
        && !w.ends_with("us")
        && !w.ends_with("is")
    {
        return w[..w.len() - 1].to_string();
    }
    match w {
        "men" => "man".into(),
        "women" => "woman".into(),
        "people" => "person".into(),
        "children" => "child".into(),
        _ => w.to_string(),
    }
}

/// The key under which claims about the same thing meet: the subject's canonical name and
/// the attribute, lower-cased, without articles and possessives, each word singular
/// ("foreign fighters" and "Foreign fighter" match).
pub fn claim_key(subject_canonical: &str, attribute: &str) -> String {
    let norm = |s: &str| -> String {
        s.split(|ch: char| {
            ch.is_whitespace() || (ch.is_ascii_punctuation() && ch != '-' && ch != '\'')
        })
        .map(|w| w.trim_matches(|ch| ch == '\'' || ch == '’'))
        .map(|w| {
            w.strip_suffix("'s")
                .or_else(|| w.strip_suffix("’s"))
                .unwrap_or(w)
        })
        .map(str::to_lowercase)
        .filter(|w| !w.is_empty() && !matches!(w.as_str(), "the" | "a" | "an" | "of" | "s"))
        .map(|w| singular(&w))
        .collect::<Vec<_>>()
        .join(" ")
    };
    format!("{}|{}", norm(subject_canonical), norm(attribute))
}

/// The range of values a claim allows given its qualifier (closed interval).
pub fn allowed_range(c: &Claim) -> (f64, f64) {
    let v = c.value;
    // Unqualified numbers in news are rounded: allow 2%.
    let exact = (v * 0.98, v * 1.02);
    let Some(q) = c.qualifier.as_deref() else {
        return exact;
    };
    match q {
        "exactly" | "precisely" => (v, v),
        "approximately" | "about" | "around" | "roughly" | "some" | "an estimated"
        | "estimated" | "close to" | "closer to" | "nearer" | "nearer to" | "or so" => {
            (v * 0.85, v * 1.15)
        }
        "nearly" | "almost" | "just under" | "just below" | "barely" => (v * 0.85, v),
        "slightly more than" | "a little more than" | "a little over" | "just over"
        | "just above" => (v, v * 1.15),
        "more than" | "over" | "above" | "at least" | "upwards of" | "well over"
        | "no fewer than" | "or more" => (v, f64::INFINITY),
        "slightly fewer than" | "slightly less than" => (v * 0.85, v),
        "fewer than" | "less than" | "under" | "below" | "at most" | "up to" | "as many as"
        | "no more than" | "not more than" | "well under" | "or less" | "or fewer" | "only"
        | "as few as" => (0.0, v),
        "between" => {
            // The quantity text holds both ends: "15 to 20 percent", "between 15 and 20".
            let nums: Vec<f64> = c
                .quantity
                .text
                .split(|ch: char| ch.is_whitespace() || ch == '-' || ch == '–')
                .filter_map(parse_number_word)
                .collect();
            match (nums.first(), nums.get(1)) {
                (Some(&a), Some(&b)) if a < b => {
                    // Scales written once ("15 to 20 million") apply to both ends.
                    let f = if v > b { v / ((a + b) / 2.0) } else { 1.0 };
                    (a * f, b * f)
                }
                _ => (v * 0.85, v * 1.15),
            }
        }
        _ => (v * 0.85, v * 1.15),
    }
}

/// Whether two claims about the same subject and attribute state values their qualifiers
/// cannot reconcile: "about 300" and "310" agree, "300" and "500" do not. Subjects are
/// compared by text ([`same_subject`]), attributes by [`same_attribute`]. A caller that
/// knows the resolved entities groups claims by its own key and asks [`same_attribute`] and
/// [`values_conflict`].
pub fn conflicts(a: &Claim, b: &Claim) -> bool {
    let subj = |c: &Claim| c.subject.as_ref().map(|s| s.text.clone());
    match (subj(a), subj(b)) {
        (Some(x), Some(y)) => {
            same_subject(&x, &y)
                && same_attribute(&a.attribute, &b.attribute)
                && values_conflict(a, b)
        }
        // A number about nothing named contradicts nothing.
        _ => false,
    }
}

/// The attribute split into what is counted and where: "recruits in europe" → ("recruit",
/// Some("europe")), both in [`claim_key`] form.
pub fn attribute_parts(attribute: &str) -> (String, Option<String>) {
    let key = |s: &str| claim_key("", s).trim_start_matches('|').to_string();
    match attribute.rsplit_once(" in ") {
        Some((head, scope)) if !head.is_empty() && !scope.is_empty() => {
            (key(head), Some(key(scope)))
        }
        _ => (key(attribute), None),
    }
}

/// Whether two attributes count the same thing: the same noun and verb, and the same scope
/// or no scope on one side ("recruits" may be the recruits in Europe; "recruits in Sweden"
/// are not the recruits in Europe).
pub fn same_attribute(a: &str, b: &str) -> bool {
    let (ha, sa) = attribute_parts(a);
    let (hb, sb) = attribute_parts(b);
    !ha.is_empty() && ha == hb && (sa.is_none() || sb.is_none() || sa == sb)
}

/// Whether two subject texts name the same thing: equal without case, articles and
/// possessives; one the acronym of the other ("NCB", "Northern Crescent Brigade"); or one's
/// words all within the other's ("Okoro network", "Okoro").
pub fn same_subject(a: &str, b: &str) -> bool {
    let words = |s: &str| -> Vec<String> {
        claim_key(s, "")
            .trim_end_matches('|')
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    };
    let (wa, wb) = (words(a), words(b));
    if wa.is_empty() || wb.is_empty() {
        return false;
    }
    if wa == wb {
        return true;
    }
    let acronym = |short: &[String], long: &str| match short {
        [one] if one.len() >= 2 => {
            long.split_whitespace()
                .filter(|w| w.starts_with(|ch: char| ch.is_uppercase()))
                .filter_map(|w| w.chars().next())
                .flat_map(char::to_lowercase)
                .collect::<String>()
                == *one
        }
        _ => false,
    };
    if acronym(&wa, b) || acronym(&wb, a) {
        return true;
    }
    let (short, long) = if wa.len() <= wb.len() {
        (&wa, &wb)
    } else {
        (&wb, &wa)
    };
    short.iter().all(|w| long.contains(w))
}

/// Whether the values of two claims (assumed to be about the same thing) contradict each
/// other: same unit and disjoint [`allowed_range`]s. Claims in different units never do.
pub fn values_conflict(a: &Claim, b: &Claim) -> bool {
    if a.unit != b.unit {
        return false;
    }
    let (a0, a1) = allowed_range(a);
    let (b0, b1) = allowed_range(b);
    a1 < b0 || b1 < a0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DocContext, Pipeline};
    use dossier_core::Schema;

    fn claims(text: &str) -> Vec<Claim> {
        let p = Pipeline::load_default().expect("pipeline");
        let ctx = DocContext {
            published: Some("2017-06-15"),
        };
        p.extract(text, &ctx, Schema::Re3d).facts.claims
    }

    fn one(text: &str) -> Claim {
        let cs = claims(text);
        assert_eq!(cs.len(), 1, "{text:?} gave {cs:#?}");
        cs.into_iter().next().expect("one claim")
    }

    fn subj(c: &Claim) -> Option<&str> {
        c.subject.as_ref().map(|s| s.text.as_str())
    }

    /// The source's words without a leading article: the quotes extractor (when it found
    /// the statement) keeps "the army" as written, the statement fallback gives "army".
    fn src(c: &Claim) -> Option<&str> {
        c.source.as_ref().map(|s| {
            let t = s.text.as_str();
            t.strip_prefix("the ")
                .or_else(|| t.strip_prefix("The "))
                .unwrap_or(t)
        })
    }

    #[test]
    fn netherlands_foreign_fighters_gives_two_claims() {
        let cs = claims(
            "Of the Netherlands' approximately 300 foreign fighters, slightly more than 50 have returned.",
        );
        assert_eq!(cs.len(), 2, "{cs:#?}");
        assert_eq!(subj(&cs[0]), Some("Netherlands"));
        assert_eq!(cs[0].attribute, "foreign fighters");
        assert_eq!(cs[0].value, 300.0);
        assert_eq!(cs[0].qualifier.as_deref(), Some("approximately"));
        assert_eq!(cs[0].quantity.text, "approximately 300");
        assert_eq!(subj(&cs[1]), Some("Netherlands"));
        assert_eq!(cs[1].attribute, "foreign fighters returned");
        assert_eq!(cs[1].value, 50.0);
        assert_eq!(cs[1].qualifier.as_deref(), Some("slightly more than"));
        assert!(cs[0].source.is_none());
    }

    #[test]
    fn thousands_separator_and_source_after_cue_verb() {
        let c =
            one("Officials say about 1,200 Belgian nationals have joined the group since 2013.");
        assert_eq!(c.value, 1200.0);
        assert_eq!(c.qualifier.as_deref(), Some("about"));
        assert_eq!(subj(&c), Some("Belgian"));
        assert!(c.attribute.starts_with("nationals"), "{}", c.attribute);
        assert_eq!(src(&c), Some("Officials"));
    }

    #[test]
    fn millions_with_decimal() {
        let c = one("The agency said 3.5 million people had fled their homes.");
        assert_eq!(c.value, 3_500_000.0);
        assert_eq!(c.attribute, "people fled");
        assert_eq!(src(&c), Some("agency"));
    }

    #[test]
    fn two_dozen_is_24() {
        let c = one("Two dozen militants were arrested in the raids.");
        assert_eq!(c.value, 24.0);
        assert_eq!(c.attribute, "militants arrested");
    }

    #[test]
    fn a_third_is_a_fraction() {
        let c = one("A third of the recruits came from Molenbeek.");
        assert!((c.value - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(c.unit.as_deref(), Some("fraction"));
        assert!(c.attribute.starts_with("recruits"), "{}", c.attribute);
    }

    #[test]
    fn percent_with_range() {
        let c = one("The Iraqis have cleared 15 to 20 percent of the city.");
        assert_eq!(c.unit.as_deref(), Some("percent"));
        assert_eq!(c.qualifier.as_deref(), Some("between"));
        assert_eq!(c.value, 17.5);
        assert_eq!(c.attribute, "city cleared");
    }

    #[test]
    fn currency_with_scale_suffix() {
        let c = one("The World Bank has announced a $100m loan to Jordan.");
        assert_eq!(c.value, 100_000_000.0);
        assert_eq!(c.unit.as_deref(), Some("USD"));
        assert_eq!(c.attribute, "loan");
    }

    #[test]
    fn according_to_names_the_source() {
        let c = one("At least 14 people were killed, according to the health ministry.");
        assert_eq!(c.value, 14.0);
        assert_eq!(c.qualifier.as_deref(), Some("at least"));
        assert_eq!(c.attribute, "people killed");
        assert_eq!(src(&c), Some("health ministry"));
    }

    #[test]
    fn claim_inside_a_quote_is_the_speakers() {
        let c = one("“We believe more than 40 fighters are still hiding in the old city,” said Amira Haddad.");
        assert_eq!(c.value, 40.0);
        assert_eq!(c.qualifier.as_deref(), Some("more than"));
        assert_eq!(src(&c), Some("Amira Haddad"));
    }

    #[test]
    fn quote_over_two_sentences_takes_the_later_speaker() {
        let cs = claims(
            "Officials gave no figures.\n\n“About 200 recruits came through this camp. Most of them went to Libya,” Lena Okafor told reporters.",
        );
        assert_eq!(cs.len(), 1, "{cs:#?}");
        assert_eq!(cs[0].value, 200.0);
        assert_eq!(src(&cs[0]), Some("Lena Okafor"));
    }

    #[test]
    fn claim_outside_quotes_is_the_documents() {
        let c = one("Some 70 families returned to the village after the fighting.");
        assert!(c.source.is_none(), "{c:#?}");
        assert_eq!(c.attribute, "families returned");
    }

    #[test]
    fn possessive_subject_and_verb_before() {
        let c = one("Belgium's police arrested nearly 90 suspects last year.");
        assert_eq!(c.value, 90.0);
        assert_eq!(c.qualifier.as_deref(), Some("nearly"));
        assert_eq!(c.attribute, "suspects arrested");
        assert_eq!(c.time.as_ref().map(|t| t.value.as_str()), Some("2016"));
    }

    #[test]
    fn subject_of_has() {
        let c = one("Germany has roughly 960 foreign fighters, the interior ministry estimates.");
        assert_eq!(subj(&c), Some("Germany"));
        assert_eq!(c.qualifier.as_deref(), Some("roughly"));
        assert_eq!(c.attribute, "foreign fighters");
    }

    #[test]
    fn from_place_is_the_subject() {
        let c = one("Some 450 fighters from Belgium have travelled to Syria.");
        assert_eq!(subj(&c), Some("Belgium"));
        assert_eq!(c.qualifier.as_deref(), Some("some"));
        assert_eq!(c.attribute, "fighters travelled");
    }

    #[test]
    fn years_dates_ordinals_and_names_are_not_claims() {
        for t in [
            "The group was founded in 2014.",
            "He was born on 12 March 1990.",
            "The 3rd Battalion moved north.",
            "She served two years in prison.",
            "One of the attackers was known to police.",
            "Resolution 2254 was adopted unanimously.",
            "Partick 3 0 2 1 1 2 2",
            "2. Venuste Niyongabo ( Burundi ) 3:51.01",
            "Benes walked three and struck out two.",
        ] {
            let cs = claims(t);
            assert!(cs.is_empty(), "{t:?} gave {cs:#?}");
        }
    }

    #[test]
    fn word_numbers_and_time() {
        let c = one("Seven soldiers were wounded in the attack on Tuesday, the army said.");
        assert_eq!(c.value, 7.0);
        // "wounded" and "injured" are one attribute, so paraphrases compare.
        assert_eq!(c.attribute, "soldiers injured");
        assert_eq!(c.time.as_ref().map(|t| t.text.as_str()), Some("Tuesday"));
        assert_eq!(src(&c), Some("army"));
    }

    #[test]
    fn scope_subject_and_the_number_across_sentences() {
        let cs = claims(
            "Marta Lindqvist said the Northern Crescent Brigade had about 40 recruits in Europe. \
             Critics say the group's European recruits number more than 60. \
             Officials put the number closer to 45. \
             Of the 300 Dutch fighters, slightly more than 60 have returned.",
        );
        assert_eq!(cs.len(), 5, "{cs:#?}");
        for c in &cs[..3] {
            assert_eq!(subj(c), Some("Northern Crescent Brigade"), "{c:#?}");
            assert_eq!(c.attribute, "recruits in europe");
        }
        assert_eq!(cs[1].qualifier.as_deref(), Some("more than"));
        assert_eq!(src(&cs[1]), Some("Critics"));
        assert_eq!(cs[2].qualifier.as_deref(), Some("closer to"));
        assert_eq!(src(&cs[2]), Some("Officials"));
        assert!(conflicts(&cs[0], &cs[1]));
        assert!(conflicts(&cs[1], &cs[2]));
        assert!(!conflicts(&cs[0], &cs[2]));
        // The returned fighters are another attribute, about another subject.
        assert_eq!(cs[4].attribute, "fighters returned");
        assert!(!conflicts(&cs[1], &cs[4]));
    }

    #[test]
    fn subjects_and_attributes_compare_loosely() {
        assert!(same_subject("NCB", "the Northern Crescent Brigade"));
        assert!(same_subject("Okoro network", "Okoro"));
        assert!(!same_subject("Belgium", "France"));
        assert!(same_attribute("recruits in europe", "recruits"));
        assert!(same_attribute("Recruits in Europe", "recruit in europe"));
        assert!(!same_attribute("recruits in europe", "recruits in sweden"));
        assert!(!same_attribute("recruits", "people returned"));
    }

    #[test]
    fn more_numbers() {
        assert_eq!(parse_number_word("1,200"), Some(1200.0));
        assert_eq!(parse_number_word("3.5"), Some(3.5));
        assert_eq!(parse_number_word("2bn"), Some(2e9));
        assert_eq!(parse_number_word("twelve"), Some(12.0));
        assert_eq!(parse_number_word("1,2"), None);
        assert_eq!(parse_number_word("3rd"), None);
        assert_eq!(parse_number_word("abc"), None);
    }

    #[test]
    fn half_and_two_thirds() {
        let c = one("Half of the returnees are in custody.");
        assert_eq!(c.value, 0.5);
        let c = one("Two-thirds of the detainees were released.");
        assert!((c.value - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(c.attribute, "detainees released");
    }

    #[test]
    fn billion_euros() {
        let c = one("The EU pledged 1.5 billion euros for reconstruction.");
        assert_eq!(c.value, 1.5e9);
        assert_eq!(c.unit.as_deref(), Some("EUR"));
    }

    #[test]
    fn up_to_and_at_least() {
        let cs = claims(
            "Up to 5,000 fighters remain in the province, and at least 300 civilians have fled.",
        );
        assert_eq!(cs.len(), 2, "{cs:#?}");
        assert_eq!(cs[0].qualifier.as_deref(), Some("up to"));
        assert_eq!(cs[0].value, 5000.0);
        assert_eq!(cs[1].qualifier.as_deref(), Some("at least"));
        assert_eq!(cs[1].attribute, "civilians fled");
    }

    fn claim(
        subject: &str,
        attribute: &str,
        value: f64,
        qualifier: Option<&str>,
        text: &str,
    ) -> Claim {
        Claim {
            start: 0,
            end: 0,
            text: String::new(),
            subject: Some(Arg {
                start: 0,
                end: 0,
                text: subject.into(),
            }),
            attribute: attribute.into(),
            quantity: Arg {
                start: 0,
                end: 0,
                text: text.into(),
            },
            value,
            unit: None,
            qualifier: qualifier.map(str::to_string),
            time: None,
            source: None,
            confidence: 1.0,
            extractor: "test".into(),
        }
    }

    #[test]
    fn keys_normalise_number_and_articles() {
        assert_eq!(
            claim_key("the Netherlands", "foreign fighters"),
            claim_key("Netherlands", "Foreign fighter")
        );
        assert_eq!(
            claim_key("Belgium's", "militias"),
            claim_key("Belgium", "militia")
        );
        assert_ne!(
            claim_key("Belgium", "fighters"),
            claim_key("France", "fighters")
        );
        assert_ne!(
            claim_key("Belgium", "fighters"),
            claim_key("Belgium", "fighters returned")
        );
    }

    #[test]
    fn conflicts_respect_qualifiers() {
        let about300 = claim(
            "Netherlands",
            "foreign fighters",
            300.0,
            Some("about"),
            "about 300",
        );
        let c310 = claim("the Netherlands", "foreign fighter", 310.0, None, "310");
        let c300 = claim("Netherlands", "foreign fighters", 300.0, None, "300");
        let c500 = claim("Netherlands", "foreign fighters", 500.0, None, "500");
        let over250 = claim(
            "Netherlands",
            "foreign fighters",
            250.0,
            Some("more than"),
            "more than 250",
        );
        let under200 = claim(
            "Netherlands",
            "foreign fighters",
            200.0,
            Some("fewer than"),
            "fewer than 200",
        );
        let range = claim(
            "Netherlands",
            "foreign fighters",
            325.0,
            Some("between"),
            "300 to 350",
        );
        let other = claim("Belgium", "foreign fighters", 500.0, None, "500");
        assert!(!conflicts(&about300, &c310));
        assert!(conflicts(&c300, &c500));
        assert!(!conflicts(&c300, &over250));
        assert!(conflicts(&c300, &under200));
        assert!(!conflicts(&range, &c310));
        assert!(conflicts(&range, &c500));
        assert!(!conflicts(&c300, &other));
        assert!(!conflicts(&c300, &c300));
    }
}
