//! Pattern recognisers for what rules do better than statistics: e-mail, phone numbers, URLs,
//! social handles, IP addresses, coordinates (decimal, DMS, MGRS), money, percentages,
//! quantities with units, radio frequencies, document references and explicit dates/times.
//!
//! [`find`] (or [`find_in_doc`] when the text is already tokenized) returns non-overlapping
//! matches with byte offsets, a label of the re3d schema, a finer `kind`, a normalised value
//! and a confidence. Extents follow the re3d annotation conventions: qualifiers such as "more
//! than" or "nearly" stay outside Money and Quantity spans ("nearly [$100 million]"), units are
//! inside ("[7.5 kilometers]", "[30 percent]"), `the` is inside document references ("[the UN
//! Security Council Resolutions 2254 and 2118]").
//!
//! Labels: e-mail, phone, handle and IP → `CommsIdentifier`; URL → `Url`; coordinates and MGRS →
//! `Location` (re3d has no coordinate label); money → `Money`; percent, measured quantities and
//! counts → `Quantity`; frequencies and bands → `Frequency`; resolutions, executive orders,
//! legal sections → `DocumentReference`; dates, times, durations, relative dates → `Temporal`.
//!
//! Bare counts ("two strikes", "15 civilians") have kind `cardinal` and a low confidence (0.45):
//! re3d labels about half of them, so they are a hint for the tagger, not a decision.
//!
//! Speed: one hash look-up per token for keywords, byte checks for the rest; no regex.

use crate::doc::{Doc, Token};
use crate::tokenize::tokenize;
use dossier_core::EntityLabel;
use rustc_hash::FxHashMap;
use std::sync::OnceLock;

/// One pattern match (byte offsets into the text, end exclusive).
#[derive(Debug, Clone, PartialEq)]
pub struct PatternMatch {
    pub start: usize,
    pub end: usize,
    pub label: EntityLabel,
    /// Finer kind: `email`, `phone`, `url`, `handle`, `ip`, `coordinate`, `mgrs`, `money`,
    /// `percent`, `quantity`, `cardinal`, `frequency`, `band`, `resolution`, `executive_order`,
    /// `legal`, `date`, `time`, `duration`, `relative_date`, `year`, `holiday`.
    pub kind: &'static str,
    /// Canonical value where one exists: lower-cased e-mail, `+` and digits for phones,
    /// `lat,lon` in decimal degrees, MGRS without spaces, `135000000 USD`, `30%`,
    /// `7.5 km`, `145500000 Hz`, `UNSCR 2254`, ISO 8601 dates (`2016-03-22`, `2014-12`).
    pub normalized: Option<String>,
    pub confidence: f32,
}

/// Finds pattern entities in `text`.
pub fn find(text: &str) -> Vec<PatternMatch> {
    let toks = tokenize(text);
    find_tokens(text, &toks)
}

/// Finds pattern entities in an analysed document (reuses its tokens).
pub fn find_in_doc(doc: &Doc<'_>) -> Vec<PatternMatch> {
    find_tokens(doc.text, &doc.tokens)
}

// ---------------------------------------------------------------------------------------------
// Keywords

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kw {
    Month(u8),
    Weekday,
    /// today, yesterday, tomorrow, tonight
    Deictic,
    /// this, last, next, past, coming, previous, following, current
    Rel,
    /// early, mid, late
    Part,
    /// week, month, year, weekend, morning, ...
    Period,
    /// minutes, hours, days, weeks, months, years (also singular): for durations
    TimeUnit,
    NumWord(f64),
    /// million, billion...
    Scale(f64),
    /// dozens, hundreds, thousands, millions, billions, tens
    Plural(f64),
    /// dollars, euros, pounds...
    CurrencyWord(&'static str),
    /// currency symbol or code before an amount
    CurrencyPre(&'static str),
    /// unit of measure with its normal form
    Unit(&'static str),
    Hz(f64),
    Band,
    Percent,
    Resolution,
    Holiday,
    Ago,
}

fn keywords() -> &'static FxHashMap<&'static str, Kw> {
    static K: OnceLock<FxHashMap<&'static str, Kw>> = OnceLock::new();
    K.get_or_init(build_keywords)
}

fn build_keywords() -> FxHashMap<&'static str, Kw> {
    let mut m: FxHashMap<&'static str, Kw> = FxHashMap::default();
    const MONTHS: [(&str, &str, u8); 12] = [
        ("January", "Jan.", 1),
        ("February", "Feb.", 2),
        ("March", "Mar.", 3),
        ("April", "Apr.", 4),
        ("May", "May", 5),
        ("June", "Jun.", 6),
        ("July", "Jul.", 7),
        ("August", "Aug.", 8),
        ("September", "Sept.", 9),
        ("October", "Oct.", 10),
        ("November", "Nov.", 11),
        ("December", "Dec.", 12),
    ];
    for (full, abbr, n) in MONTHS {
        m.insert(full, Kw::Month(n));
        m.insert(abbr, Kw::Month(n));
    }
    m.insert("Sep.", Kw::Month(9));
    for w in [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ] {
        m.insert(w, Kw::Weekday);
    }
    for w in [
        "today",
        "yesterday",
        "tomorrow",
        "tonight",
        "Today",
        "Yesterday",
        "Tomorrow",
        "Tonight",
    ] {
        m.insert(w, Kw::Deictic);
    }
    for w in [
        "this",
        "last",
        "next",
        "past",
        "coming",
        "previous",
        "following",
        "current",
        "This",
        "Last",
        "Next",
        "Past",
        "Previous",
        "Following",
    ] {
        m.insert(w, Kw::Rel);
    }
    for w in ["early", "mid", "late", "Early", "Mid", "Late", "mid-"] {
        m.insert(w, Kw::Part);
    }
    for w in [
        "week",
        "month",
        "year",
        "weekend",
        "morning",
        "afternoon",
        "evening",
        "night",
        "spring",
        "summer",
        "autumn",
        "winter",
        "fall",
        "decade",
        "century",
        "quarter",
        "day",
        "hour",
    ] {
        m.insert(w, Kw::Period);
    }
    for w in [
        "seconds", "minutes", "hours", "days", "weeks", "months", "years", "decades", "second",
        "minute", "hrs",
    ] {
        m.insert(w, Kw::TimeUnit);
    }
    const NUMS: [(&str, f64); 29] = [
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
        ("hundred", 100.0),
        ("dozen", 12.0),
    ];
    for (w, v) in NUMS {
        m.insert(w, Kw::NumWord(v));
    }
    for (w, v) in [
        ("One", 1.0),
        ("Two", 2.0),
        ("Three", 3.0),
        ("Four", 4.0),
        ("Five", 5.0),
        ("Six", 6.0),
        ("Seven", 7.0),
        ("Eight", 8.0),
        ("Nine", 9.0),
        ("Ten", 10.0),
    ] {
        m.insert(w, Kw::NumWord(v));
    }
    for (w, v) in [
        ("thousand", 1e3),
        ("million", 1e6),
        ("billion", 1e9),
        ("trillion", 1e12),
        ("bn", 1e9),
        ("mn", 1e6),
        ("mln", 1e6),
        ("m", 1e6),
        ("k", 1e3),
        ("tn", 1e12),
    ] {
        m.insert(w, Kw::Scale(v));
    }
    for (w, v) in [
        ("dozens", 12.0),
        ("hundreds", 100.0),
        ("thousands", 1e3),
        ("millions", 1e6),
        ("billions", 1e9),
        ("tens", 10.0),
        ("Dozens", 12.0),
        ("Hundreds", 100.0),
        ("Thousands", 1e3),
        ("Millions", 1e6),
        ("Tens", 10.0),
    ] {
        m.insert(w, Kw::Plural(v));
    }
    for (w, c) in [
        ("dollars", "USD"),
        ("dollar", "USD"),
        ("euros", "EUR"),
        ("euro", "EUR"),
        ("pounds", "GBP"),
        ("sterling", "GBP"),
        ("yen", "JPY"),
        ("yuan", "CNY"),
        ("renminbi", "CNY"),
        ("rubles", "RUB"),
        ("roubles", "RUB"),
        ("riyals", "SAR"),
        ("dinars", "IQD"),
        ("lira", "TRY"),
        ("liras", "TRY"),
        ("shekels", "ILS"),
        ("rupees", "INR"),
        ("francs", "CHF"),
        ("dirhams", "AED"),
        ("USD", "USD"),
        ("EUR", "EUR"),
        ("GBP", "GBP"),
    ] {
        m.insert(w, Kw::CurrencyWord(c));
    }
    for (w, c) in [
        ("$", "USD"),
        ("US$", "USD"),
        ("USD", "USD"),
        ("£", "GBP"),
        ("GBP", "GBP"),
        ("€", "EUR"),
        ("EUR", "EUR"),
        ("¥", "JPY"),
        ("₹", "INR"),
        ("₽", "RUB"),
        ("C$", "CAD"),
        ("A$", "AUD"),
        ("HK$", "HKD"),
        ("NZ$", "NZD"),
        ("Rs", "INR"),
    ] {
        // "USD" etc. are both: before ("USD 3m") and after ("3m USD") an amount.
        if !m.contains_key(w) {
            m.insert(w, Kw::CurrencyPre(c));
        }
    }
    for (w, u) in [
        ("km", "km"),
        ("kms", "km"),
        ("kilometers", "km"),
        ("kilometres", "km"),
        ("kilometer", "km"),
        ("kilometre", "km"),
        ("miles", "mi"),
        ("mile", "mi"),
        ("mi", "mi"),
        ("metres", "m"),
        ("meters", "m"),
        ("metre", "m"),
        ("meter", "m"),
        ("feet", "ft"),
        ("ft", "ft"),
        ("foot", "ft"),
        ("yards", "yd"),
        ("inches", "in"),
        ("cm", "cm"),
        ("mm", "mm"),
        ("km2", "km2"),
        ("m3", "m3"),
        ("m3/s", "m3/s"),
        ("acre·ft", "acre-ft"),
        ("ft/s", "ft/s"),
        ("cu", "sq"),
        ("cubic", "sq"),
        ("sq", "sq"),
        ("square", "sq"),
        ("acres", "acre"),
        ("hectares", "ha"),
        ("ha", "ha"),
        ("tonnes", "t"),
        ("tons", "t"),
        ("tonne", "t"),
        ("ton", "t"),
        ("kg", "kg"),
        ("kilograms", "kg"),
        ("kilos", "kg"),
        ("grams", "g"),
        ("pounds-weight", "lb"),
        ("lbs", "lb"),
        ("litres", "l"),
        ("liters", "l"),
        ("gallons", "gal"),
        ("barrels", "bbl"),
        ("bpd", "bbl/d"),
        ("mph", "mph"),
        ("km/h", "km/h"),
        ("kph", "km/h"),
        ("knots", "kn"),
        ("MW", "MW"),
        ("GW", "GW"),
        ("kW", "kW"),
        ("kt", "kt"),
        ("megatons", "Mt"),
        ("kilotons", "kt"),
        ("calibre", "cal"),
        ("mm-calibre", "mm"),
        ("percent", "%"),
        ("pct", "%"),
    ] {
        if u == "%" {
            m.insert(w, Kw::Percent);
        } else {
            m.insert(w, Kw::Unit(u));
        }
    }
    m.insert("%", Kw::Percent);
    for (w, f) in [
        ("Hz", 1.0),
        ("kHz", 1e3),
        ("KHz", 1e3),
        ("khz", 1e3),
        ("MHz", 1e6),
        ("MHZ", 1e6),
        ("Mhz", 1e6),
        ("mhz", 1e6),
        ("GHz", 1e9),
        ("GHZ", 1e9),
        ("Ghz", 1e9),
        ("ghz", 1e9),
    ] {
        m.insert(w, Kw::Hz(f));
    }
    for w in ["HF", "VHF", "UHF", "SHF", "EHF", "LF", "MF", "VLF"] {
        m.insert(w, Kw::Band);
    }
    for w in [
        "Resolution",
        "resolution",
        "Resolutions",
        "resolutions",
        "UNSCR",
    ] {
        m.insert(w, Kw::Resolution);
    }
    for w in [
        "Ramadan",
        "Thanksgiving",
        "Christmas",
        "Easter",
        "Eid",
        "Nowruz",
        "Hanukkah",
        "Passover",
        "Ashura",
    ] {
        m.insert(w, Kw::Holiday);
    }
    m.insert("ago", Kw::Ago);
    m.insert("later", Kw::Ago);
    m.insert("earlier", Kw::Ago);
    m
}

// ---------------------------------------------------------------------------------------------
// Numbers

/// Parses "1,200.50", "3.5", "+44", ".5" (commas only as thousands separators).
fn parse_number(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > 24 {
        return None;
    }
    let mut digits = 0;
    let mut seen_dot = false;
    let mut last_comma: Option<usize> = None;
    let mut clean = [0u8; 24];
    let mut n = 0;
    for (k, &c) in b.iter().enumerate() {
        match c {
            b'0'..=b'9' => {
                digits += 1;
                clean[n] = c;
                n += 1;
            }
            b',' if !seen_dot && k > 0 => {
                if let Some(lc) = last_comma {
                    if k - lc != 4 {
                        return None;
                    }
                }
                last_comma = Some(k);
            }
            b'.' if !seen_dot => {
                if let Some(lc) = last_comma {
                    if k - lc != 4 {
                        return None;
                    }
                }
                seen_dot = true;
                clean[n] = c;
                n += 1;
            }
            b'+' | b'-' if k == 0 => {
                clean[n] = c;
                n += 1;
            }
            _ => return None,
        }
    }
    if let (Some(lc), false) = (last_comma, seen_dot) {
        if b.len() - lc != 4 {
            return None;
        }
    }
    if digits == 0 {
        return None;
    }
    std::str::from_utf8(&clean[..n]).ok()?.parse().ok()
}

/// "135m" → (135, 1e6); "2.5bn" → (2.5, 1e9); "40k" → (40, 1e3).
fn number_with_scale_suffix(s: &str) -> Option<(f64, f64)> {
    let cut = s.find(|c: char| c.is_ascii_alphabetic())?;
    let (num, suf) = s.split_at(cut);
    let scale = match suf {
        "m" | "mn" | "mln" => 1e6,
        "bn" | "b" => 1e9,
        "k" => 1e3,
        "tn" => 1e12,
        _ => return None,
    };
    Some((parse_number(num)?, scale))
}

/// "30km" → (30, "km"); "145MHz" → frequency handled by caller.
fn number_with_unit_suffix(s: &str) -> Option<(f64, &str)> {
    let cut = s.find(|c: char| c.is_ascii_alphabetic())?;
    let (num, suf) = s.split_at(cut);
    Some((parse_number(num)?, suf))
}

/// "30-88", "15–20", "1980-88": a range of two numbers in one token.
fn parse_range(s: &str) -> Option<(f64, f64)> {
    let (a, b) = s.split_once(['-', '\u{2013}'])?;
    Some((parse_number(a)?, parse_number(b)?))
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e18 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.6}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn starts_digit(s: &str) -> bool {
    s.as_bytes().first().is_some_and(u8::is_ascii_digit)
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

// ---------------------------------------------------------------------------------------------
// The scanner

struct Cand {
    s: usize,
    e: usize,
    label: EntityLabel,
    kind: &'static str,
    norm: Option<String>,
    conf: f32,
    /// Byte-exact span (for text-level matches such as coordinates), overriding token bounds.
    bytes: Option<(usize, usize)>,
}

struct Scan<'a> {
    text: &'a str,
    toks: &'a [Token],
    kw: &'static FxHashMap<&'static str, Kw>,
    out: Vec<Cand>,
}

impl<'a> Scan<'a> {
    fn w(&self, i: usize) -> &'a str {
        self.toks
            .get(i)
            .and_then(|t| self.text.get(t.start..t.end))
            .unwrap_or("")
    }
    fn kw(&self, i: usize) -> Option<Kw> {
        self.kw.get(self.w(i)).copied()
    }
    /// True when token `i` directly follows token `i-1` (no space).
    fn adj(&self, i: usize) -> bool {
        i > 0
            && matches!((self.toks.get(i - 1), self.toks.get(i)), (Some(a), Some(b)) if a.end == b.start)
    }
    /// No line break between token i-1 and i.
    fn same_line(&self, i: usize) -> bool {
        match (
            i.checked_sub(1).and_then(|p| self.toks.get(p)),
            self.toks.get(i),
        ) {
            (Some(a), Some(b)) => !self.text.get(a.end..b.start).unwrap_or("\n").contains('\n'),
            _ => false,
        }
    }
    fn push(
        &mut self,
        s: usize,
        e: usize,
        label: EntityLabel,
        kind: &'static str,
        norm: Option<String>,
        conf: f32,
    ) {
        if e > s {
            self.out.push(Cand {
                s,
                e,
                label,
                kind,
                norm,
                conf,
                bytes: None,
            });
        }
    }

    /// Numeric value of token i: digits, number words, "135m".
    fn value(&self, i: usize) -> Option<f64> {
        let t = self.w(i);
        if starts_digit(t) || t.starts_with('.') && t.len() > 1 {
            return parse_number(t);
        }
        match self.kw(i) {
            Some(Kw::NumWord(v)) => Some(v),
            _ => None,
        }
    }

    fn run(&mut self) {
        let n = self.toks.len();
        let mut i = 0;
        while i < n {
            let t = self.w(i);
            let Some(&b0) = t.as_bytes().first() else {
                i += 1;
                continue;
            };
            if b0.is_ascii_digit() || b0 == b'+' || (b0 == b'(' && starts_digit(self.w(i + 1))) {
                self.numeric(i);
            } else if b0 == b'@' {
                self.handle(i);
            } else if b0 >= 0x80 || b0 == b'$' {
                if let Some(Kw::CurrencyPre(c)) = self.kw(i) {
                    self.money_prefix(i, c);
                }
            }
            if b0.is_ascii_alphabetic() {
                self.word(i, t);
            }
            // Every token is tried: overlaps are resolved at the end.
            i += 1;
        }
        self.coordinates_text();
    }

    fn handle(&mut self, i: usize) {
        let t = self.w(i);
        let name = &t[1..];
        if (1..=30).contains(&name.len())
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && (!self.adj(i) || matches!(self.w(i - 1), "(" | "[" | "\"" | "“" | "'" | "‘"))
        {
            self.push(
                i,
                i + 1,
                EntityLabel::CommsIdentifier,
                "handle",
                Some(t.to_ascii_lowercase()),
                0.95,
            );
        }
    }

    fn word(&mut self, i: usize, t: &str) {
        // URLs and e-mail addresses are single tokens.
        let tb = t.as_bytes();
        if tb.len() > 4
            && (tb.starts_with(b"http") || tb.starts_with(b"www.") || tb.starts_with(b"ftp"))
        {
            let lower = t.to_ascii_lowercase();
            if lower.starts_with("http://")
                || lower.starts_with("https://")
                || lower.starts_with("www.")
                || lower.starts_with("ftp://")
            {
                self.push(i, i + 1, EntityLabel::Url, "url", Some(t.to_string()), 0.98);
                return;
            }
        }
        if let Some(at) = t.find('@') {
            let (local, dom) = (&t[..at], &t[at + 1..]);
            if !local.is_empty()
                && dom.contains('.')
                && !dom.ends_with('.')
                && dom
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
            {
                self.push(
                    i,
                    i + 1,
                    EntityLabel::CommsIdentifier,
                    "email",
                    Some(t.to_lowercase()),
                    0.99,
                );
                return;
            }
        }
        match self.kw(i) {
            Some(Kw::Month(m)) => self.month(i, i, m),
            Some(Kw::Weekday) => self.weekday(i),
            Some(Kw::Deictic) => {
                self.push(i, i + 1, EntityLabel::Temporal, "relative_date", None, 0.85)
            }
            Some(Kw::Rel) => self.relative(i, i),
            Some(Kw::Part) => self.part(i),
            Some(Kw::Holiday) => self.holiday(i),
            Some(Kw::Resolution) => self.resolution(i),
            Some(Kw::NumWord(_)) | Some(Kw::Plural(_)) => self.numeric(i),
            Some(Kw::Band) => {
                if t.len() >= 2 {
                    self.push(
                        i,
                        i + 1,
                        EntityLabel::Frequency,
                        "band",
                        Some(t.to_string()),
                        0.6,
                    );
                }
            }
            Some(Kw::CurrencyPre(c)) => self.money_prefix(i, c),
            _ => match t {
                "the" | "The" => self.the(i),
                "a" | "A" | "an" | "An" => self.a_duration(i),
                "Executive" if self.w(i + 1) == "Order" && all_digits(self.w(i + 2)) => {
                    let norm = format!("EO {}", self.w(i + 2));
                    self.push(
                        i,
                        i + 3,
                        EntityLabel::DocumentReference,
                        "executive_order",
                        Some(norm),
                        0.95,
                    );
                }
                "section" | "Section" | "article" | "Article" | "paragraph" | "Paragraph"
                | "chapter" | "Chapter" => self.legal(i),
                "Greenwich" if self.w(i + 1) == "Mean" && self.w(i + 2) == "Time" => {
                    self.push(
                        i,
                        i + 3,
                        EntityLabel::Temporal,
                        "time",
                        Some("GMT".into()),
                        0.8,
                    );
                }
                _ => {}
            },
        }
    }

    /// "the following day", "the past 24 hours", "the UN Security Council Resolutions 2254".
    fn the(&mut self, i: usize) {
        if let Some(Kw::Rel) = self.kw(i + 1) {
            self.relative(i, i + 1);
        }
    }

    /// "a year ago", "A year ago".
    fn a_duration(&mut self, i: usize) {
        if matches!(self.kw(i + 1), Some(Kw::Period)) && self.w(i + 2) == "ago" {
            self.push(i, i + 3, EntityLabel::Temporal, "relative_date", None, 0.8);
        }
    }

    /// `start` is where the span starts ("the" or the Rel word), `r` the Rel word.
    fn relative(&mut self, start: usize, r: usize) {
        let mut j = r + 1;
        // "the past 24 hours", "the last two weeks"
        // ("to last 45 minutes" is the verb: durations need "the".)
        if start < r && self.value(j).is_some() && matches!(self.kw(j + 1), Some(Kw::TimeUnit)) {
            j += 2;
            self.push(start, j, EntityLabel::Temporal, "duration", None, 0.85);
            return;
        }
        match self.kw(j) {
            Some(Kw::Period) | Some(Kw::Weekday) | Some(Kw::Holiday) => {
                let mut e = j + 1;
                if self.w(e) == "Day" {
                    e += 1;
                }
                self.push(start, e, EntityLabel::Temporal, "relative_date", None, 0.85);
            }
            Some(Kw::Month(_)) => self.push(
                start,
                j + 1,
                EntityLabel::Temporal,
                "relative_date",
                None,
                0.85,
            ),
            Some(Kw::TimeUnit) if self.w(j) == "hours" || self.w(j) == "days" => {
                self.push(start, j + 1, EntityLabel::Temporal, "duration", None, 0.7)
            }
            _ => {}
        }
    }

    /// "early next year", "mid January", "late 2016", "mid-2015".
    fn part(&mut self, i: usize) {
        match self.kw(i + 1) {
            Some(Kw::Month(m)) => self.month(i, i + 1, m),
            Some(Kw::Rel) => self.relative(i, i + 1),
            _ => {
                if let Some(y) = self.year_at(i + 1) {
                    self.push(
                        i,
                        i + 2,
                        EntityLabel::Temporal,
                        "date",
                        Some(format!("{y:04}")),
                        0.8,
                    );
                }
            }
        }
    }

    fn holiday(&mut self, i: usize) {
        let mut e = i + 1;
        match self.w(e) {
            "Day" | "Eve" => e += 1,
            "al-Fitr" | "al-Adha" => e += 1,
            _ => {}
        }
        self.push(i, e, EntityLabel::Temporal, "holiday", None, 0.8);
    }

    fn year_at(&self, i: usize) -> Option<u32> {
        let t = self.w(i);
        if t.len() == 4 && all_digits(t) {
            let y: u32 = t.parse().ok()?;
            if (1900..=2099).contains(&y) {
                return Some(y);
            }
        }
        None
    }

    fn day_at(&self, i: usize) -> Option<u32> {
        let t = self.w(i);
        let d = t.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        let suffix = &t[d.len()..];
        if !matches!(suffix, "" | "st" | "nd" | "rd" | "th")
            || d.is_empty()
            || d.len() > 2
            || !all_digits(d)
        {
            return None;
        }
        let v: u32 = d.parse().ok()?;
        (1..=31).contains(&v).then_some(v)
    }

    /// Month at `m_tok`, span starting at `start`: "May 15-24", "Nov. 6, 2016", "December 2014",
    /// "February".
    fn month(&mut self, start: usize, m_tok: usize, month: u8) {
        let t = self.w(m_tok);
        let mut e = m_tok + 1;
        let mut day = None;
        let mut year = None;
        if let Some(d) = self.day_at(e) {
            day = Some(d);
            e += 1;
            // "May 15-24", "November 16 - 17"
            if matches!(self.w(e), "-" | "–" | "to") && self.day_at(e + 1).is_some() {
                e += 2;
            } else if self
                .w(e)
                .strip_prefix('-')
                .is_some_and(|d| all_digits(d) && d.len() <= 2)
            {
                e += 1; // "November 18 -19"
            }
            if self.w(e) == "," && self.year_at(e + 1).is_some() {
                year = self.year_at(e + 1);
                e += 2;
            } else if let Some(y) = self.year_at(e) {
                year = Some(y);
                e += 1;
            }
        } else if let Some((a, _)) = parse_range(self.w(e)) {
            // "May 15-24"
            if (1.0..=31.0).contains(&a) && self.w(e).len() <= 5 {
                e += 1;
                if self.w(e) == "," && self.year_at(e + 1).is_some() {
                    year = self.year_at(e + 1);
                    e += 2;
                }
            }
        } else if let Some(y) = self.year_at(e) {
            year = Some(y);
            e += 1;
        }
        // "4 February 2015" / "5-6 April 2016": a day before the month.
        let mut s = start;
        if s == m_tok && s > 0 && self.same_line(s) {
            if let Some(d) = self.day_at(s - 1) {
                if day.is_none() {
                    day = Some(d);
                }
                s -= 1;
            } else if parse_range(self.w(s - 1))
                .is_some_and(|(a, b)| (1.0..=31.0).contains(&a) && (1.0..=31.0).contains(&b))
            {
                s -= 1;
            }
            // "Monday 19 December", "Monday, December 19"
            let mut p = s;
            if p > 0 && self.w(p - 1) == "," {
                p -= 1;
            }
            if p > 0 && matches!(self.kw(p - 1), Some(Kw::Weekday)) {
                s = p - 1;
            }
        }
        // "May" alone is a modal verb or a surname too: only with a day, year or a cue word.
        if t == "May" && day.is_none() && year.is_none() && e == m_tok + 1 && s == m_tok {
            let prev = if m_tok > 0 { self.w(m_tok - 1) } else { "" };
            if !matches!(
                prev,
                "in" | "of"
                    | "since"
                    | "until"
                    | "early"
                    | "mid"
                    | "late"
                    | "last"
                    | "next"
                    | "this"
                    | "during"
                    | "by"
            ) {
                return;
            }
        }
        let norm = match (year, day) {
            (Some(y), Some(d)) => Some(format!("{y:04}-{month:02}-{d:02}")),
            (Some(y), None) => Some(format!("{y:04}-{month:02}")),
            _ => None,
        };
        self.push(s, e, EntityLabel::Temporal, "date", norm, 0.9);
    }

    fn weekday(&mut self, i: usize) {
        // A date after it is handled by month(); here the weekday alone (month() widens).
        self.push(i, i + 1, EntityLabel::Temporal, "date", None, 0.85);
    }

    /// "Resolution 2249", "the UN Security Council Resolutions 2254 and 2118", "resolution 2170
    /// (2014)", "UN Security Council resolutions".
    fn resolution(&mut self, i: usize) {
        let mut e = i + 1;
        let mut nums: Vec<&str> = Vec::new();
        while all_digits(self.w(e)) && self.w(e).len() <= 5 {
            nums.push(self.w(e));
            e += 1;
            // "(2014)"
            if self.w(e) == "(" && self.year_at(e + 1).is_some() && self.w(e + 2) == ")" {
                e += 3;
            }
            if matches!(self.w(e), "and" | "," | "&") && all_digits(self.w(e + 1)) {
                e += 1;
                continue;
            }
            break;
        }
        // Backwards: "Security Council", "UN", "the".
        let mut s = i;
        let mut council = false;
        if s >= 2 && self.w(s - 2) == "Security" && self.w(s - 1) == "Council" {
            s -= 2;
            council = true;
        }
        if s >= 1 && matches!(self.w(s - 1), "UN" | "U.N." | "UNSC") {
            s -= 1;
        } else if s >= 2 && self.w(s - 2) == "United" && self.w(s - 1) == "Nations" {
            s -= 2;
        }
        if s >= 1 && matches!(self.w(s - 1), "the" | "The") && s < i {
            s -= 1;
        }
        let un = council || self.w(i) == "UNSCR";
        if !nums.is_empty() {
            let prefix = if un { "UNSCR" } else { "Resolution" };
            let norm = nums
                .iter()
                .map(|n| format!("{prefix} {n}"))
                .collect::<Vec<_>>()
                .join("; ");
            self.push(
                s,
                e,
                EntityLabel::DocumentReference,
                "resolution",
                Some(norm),
                0.95,
            );
        } else if council {
            self.push(
                s,
                i + 1,
                EntityLabel::DocumentReference,
                "resolution",
                None,
                0.7,
            );
        }
    }

    /// "section 119.3 of the Criminal Code", "Article 51 of the UN Charter".
    fn legal(&mut self, i: usize) {
        let num = self.w(i + 1);
        if !(starts_digit(num)
            || num.bytes().all(|b| matches!(b, b'I' | b'V' | b'X' | b'L')) && !num.is_empty())
        {
            return;
        }
        if self.w(i + 2) != "of" {
            return;
        }
        let mut j = i + 3;
        if matches!(self.w(j), "the" | "The") {
            j += 1;
        }
        let mut k = j;
        while k < j + 6 && self.w(k).chars().next().is_some_and(char::is_uppercase) {
            k += 1;
            if matches!(
                self.w(k - 1),
                "Act"
                    | "Code"
                    | "Charter"
                    | "Convention"
                    | "Treaty"
                    | "Constitution"
                    | "Protocol"
                    | "Regulations"
                    | "Statute"
                    | "Resolution"
                    | "Agreement"
            ) {
                self.push(i, k, EntityLabel::DocumentReference, "legal", None, 0.85);
                return;
            }
        }
    }

    /// MGRS: "37S BV 12345 67890", "37SBV1234567890".
    fn mgrs_numeric(&mut self, i: usize) -> bool {
        let t = self.w(i);
        let b = t.as_bytes();
        let zl = b.iter().take_while(|c| c.is_ascii_digit()).count();
        if !(1..=2).contains(&zl) {
            return false;
        }
        let zone: u32 = t[..zl].parse().unwrap_or(0);
        if !(1..=60).contains(&zone) {
            return false;
        }
        let band_ok =
            |c: u8| c.is_ascii_uppercase() && (b'C'..=b'X').contains(&c) && c != b'I' && c != b'O';
        let sq_ok = |c: u8| c.is_ascii_uppercase() && c != b'I' && c != b'O';
        // Compact form.
        if b.len() > zl + 3 && band_ok(b[zl]) && sq_ok(b[zl + 1]) && sq_ok(b[zl + 2]) {
            let digits = &t[zl + 3..];
            if all_digits(digits)
                && digits.len().is_multiple_of(2)
                && (2..=10).contains(&digits.len())
            {
                self.push(
                    i,
                    i + 1,
                    EntityLabel::Location,
                    "mgrs",
                    Some(t.to_string()),
                    0.9,
                );
                return true;
            }
            return false;
        }
        // Spaced form.
        if b.len() == zl + 1 && band_ok(b[zl]) {
            let sq = self.w(i + 1).as_bytes();
            if sq.len() == 2 && sq_ok(sq[0]) && sq_ok(sq[1]) {
                let (e, n) = (self.w(i + 2), self.w(i + 3));
                if all_digits(e)
                    && all_digits(n)
                    && e.len() == n.len()
                    && (1..=5).contains(&e.len())
                {
                    let norm = format!("{t}{}{e}{n}", self.w(i + 1));
                    self.push(i, i + 4, EntityLabel::Location, "mgrs", Some(norm), 0.9);
                    return true;
                }
                if sq.len() == 2 {
                    // "37S BV 1234567890"
                    if all_digits(e) && e.len().is_multiple_of(2) && (2..=10).contains(&e.len()) {
                        let norm = format!("{t}{}{e}", self.w(i + 1));
                        self.push(i, i + 3, EntityLabel::Location, "mgrs", Some(norm), 0.85);
                        return true;
                    }
                }
            }
        }
        false
    }

    /// Everything starting with a digit, a sign, "(" or a number word.
    fn numeric(&mut self, i: usize) {
        let t = self.w(i);
        if starts_digit(t) {
            if self.ip(i) || self.mgrs_numeric(i) || self.numeric_date(i) {
                return;
            }
            self.phone(i);
        } else if t.starts_with('+') || t == "(" {
            self.phone(i);
            if t == "(" {
                return;
            }
        }
        // Amount with an attached scale: "135m" (after "$" handled by money_prefix).
        let (val, mut j) = if let Some(v) = self.value(i) {
            (v, i + 1)
        } else if let Some(Kw::Plural(v)) = self.kw(i) {
            (v, i + 1)
        } else if let Some((v, sc)) = number_with_scale_suffix(t) {
            // "500m euros"
            if let Some(Kw::CurrencyWord(c)) = self.kw(i + 1) {
                self.push(
                    i,
                    i + 2,
                    EntityLabel::Money,
                    "money",
                    Some(format!("{} {c}", fmt_num(v * sc))),
                    0.9,
                );
            }
            return;
        } else if let Some((v, unit)) = number_with_unit_suffix(t) {
            self.unit_suffix(i, v, unit);
            return;
        } else if let Some((a, b)) = parse_range(t) {
            self.range(i, a, b);
            return;
        } else {
            return;
        };
        let plural = matches!(self.kw(i), Some(Kw::Plural(_)));
        // "tens of thousands", "hundreds of thousands", "millions of dollars"
        if plural && self.w(j) == "of" {
            match self.kw(j + 1) {
                Some(Kw::Plural(_)) => {
                    self.push(i, j + 2, EntityLabel::Quantity, "cardinal", None, 0.6);
                    return;
                }
                Some(Kw::CurrencyWord(c)) => {
                    self.push(
                        i,
                        j + 2,
                        EntityLabel::Money,
                        "money",
                        Some(format!("{}+ {c}", fmt_num(val))),
                        0.85,
                    );
                    return;
                }
                _ => {}
            }
        }
        // Scale word: "2 million", "five million".
        let mut v = val;
        if let Some(Kw::Scale(sc)) = self.kw(j) {
            if !matches!(self.w(j), "m" | "k") {
                v *= sc;
                j += 1;
            }
        }
        // "15 to 20 percent", "3,000 to 5,000"
        let range_end =
            if matches!(self.w(j), "to" | "-" | "–") && self.value(j + 1).is_some() && !plural {
                Some(j + 2)
            } else {
                None
            };
        let k = range_end.unwrap_or(j);
        match self.kw(k) {
            Some(Kw::CurrencyWord(c)) => {
                self.push(
                    i,
                    k + 1,
                    EntityLabel::Money,
                    "money",
                    Some(format!("{} {c}", fmt_num(v))),
                    0.9,
                );
                return;
            }
            Some(Kw::Percent) => {
                let mut e = k + 1;
                if self.w(k) == "per" {
                    e += 1;
                }
                self.push(
                    i,
                    e,
                    EntityLabel::Quantity,
                    "percent",
                    Some(format!("{}%", fmt_num(v))),
                    0.9,
                );
                return;
            }
            Some(Kw::Hz(f)) => {
                self.push(
                    i,
                    k + 1,
                    EntityLabel::Frequency,
                    "frequency",
                    Some(format!("{} Hz", fmt_num(v * f))),
                    0.95,
                );
                return;
            }
            Some(Kw::Band) => {
                self.push(i, k + 1, EntityLabel::Frequency, "band", None, 0.7);
                return;
            }
            Some(Kw::Unit(u)) => {
                let mut e = k + 1;
                let mut unit = u.to_string();
                if u == "sq" {
                    match self.kw(e) {
                        Some(Kw::Unit(u2)) => {
                            let pre = if matches!(self.w(k), "cu" | "cubic") {
                                "cu"
                            } else {
                                "sq"
                            };
                            unit = format!("{pre} {u2}");
                            e += 1;
                        }
                        _ => return,
                    }
                }
                // "m" alone after a number is metres only without a currency before it.
                self.push(
                    i,
                    e,
                    EntityLabel::Quantity,
                    "quantity",
                    Some(format!("{} {unit}", fmt_num(v))),
                    0.85,
                );
                return;
            }
            Some(Kw::TimeUnit) => {
                let mut e = k + 1;
                if matches!(self.kw(e), Some(Kw::Ago)) {
                    e += 1;
                }
                self.push(i, e, EntityLabel::Temporal, "duration", None, 0.75);
                return;
            }
            _ => {}
        }
        if self.w(k) == "per" && self.w(k + 1) == "cent" {
            self.push(
                i,
                k + 2,
                EntityLabel::Quantity,
                "percent",
                Some(format!("{}%", fmt_num(v))),
                0.9,
            );
            return;
        }
        if self.adj(k) && self.w(k) == "%" {
            self.push(
                i,
                k + 1,
                EntityLabel::Quantity,
                "percent",
                Some(format!("{}%", fmt_num(v))),
                0.9,
            );
            return;
        }
        // Times: "10 a.m.", "10:30 GMT".
        if starts_digit(t) {
            if matches!(
                self.w(j),
                "a.m." | "p.m." | "am" | "pm" | "a.m" | "p.m" | "GMT" | "UTC" | "hrs" | "local"
            ) {
                let e = if self.w(j) == "local" && self.w(j + 1) == "time" {
                    j + 2
                } else {
                    j + 1
                };
                self.push(i, e, EntityLabel::Temporal, "time", None, 0.85);
                return;
            }
            if let Some(y) = self.year_at(i) {
                self.year(i, y);
                return;
            }
            // "575 B.C"
            if matches!(self.w(j), "BC" | "B.C." | "AD" | "A.D." | "B.C") {
                self.push(i, j + 1, EntityLabel::Temporal, "year", None, 0.8);
                return;
            }
        }
        // "four more days"
        if self.w(k) == "more" && matches!(self.kw(k + 1), Some(Kw::TimeUnit)) {
            self.push(i, k + 2, EntityLabel::Temporal, "duration", None, 0.7);
            return;
        }
        // Bare counts: "two strikes", "15 civilians", "dozens of", "3,000 to 5,000 militants".
        self.cardinal(i, k, v, k > i + 1 && v >= 1e6);
    }

    fn cardinal(&mut self, i: usize, j: usize, v: f64, scaled: bool) {
        let t = self.w(i);
        if t.contains(':') || t.starts_with('+') || t.starts_with('.') {
            return;
        }
        // After a month ("Jan. 8") or before one ("4 February") this is a date.
        if i > 0 && matches!(self.kw(i - 1), Some(Kw::Month(_)))
            || matches!(self.kw(j), Some(Kw::Month(_)))
        {
            return;
        }
        let next = self.w(j);
        let acronym = next.len() >= 2
            && next.bytes().all(|b| b.is_ascii_uppercase() || b == b'-')
            && self.w(j + 1).chars().next().is_some_and(char::is_lowercase);
        let noun_follows = next.chars().next().is_some_and(char::is_lowercase)
            || next == "of" && matches!(self.kw(i), Some(Kw::Plural(_)))
            || acronym
            || scaled && next.chars().next().is_some_and(char::is_uppercase);
        let prev = if i > 0 { self.w(i - 1) } else { "" };
        if noun_follows
            && !matches!(
                prev,
                "No." | "no." | "Route" | "Article" | "Section" | "page"
            )
            && !matches!(t, "one" | "One")
        {
            self.push(
                i,
                j,
                EntityLabel::Quantity,
                "cardinal",
                Some(fmt_num(v)),
                0.45,
            );
        }
    }

    fn year(&mut self, i: usize, y: u32) {
        // "2000 people" is a count; a year is followed by punctuation, a function word or a
        // capitalised word, or preceded by a time preposition.
        let prev = if i > 0 { self.w(i - 1) } else { "" };
        let next = self.w(i + 1);
        let cue = matches!(
            prev,
            "in" | "In"
                | "since"
                | "Since"
                | "by"
                | "until"
                | "from"
                | "of"
                | "during"
                | "before"
                | "after"
                | "early"
                | "late"
                | "mid"
                | "year"
                | "the"
                | "and"
                | "to"
                | "between"
        );
        let next_ok = next.is_empty()
            || !next.chars().next().is_some_and(char::is_lowercase)
            || matches!(
                next,
                "and"
                    | "to"
                    | "when"
                    | "after"
                    | "before"
                    | "with"
                    | "as"
                    | "at"
                    | "in"
                    | "the"
                    | "that"
                    | "was"
                    | "were"
                    | "is"
                    | "had"
                    | "has"
            );
        // "1980-88" ranges are whole tokens handled in range().
        if cue || next_ok {
            self.push(
                i,
                i + 1,
                EntityLabel::Temporal,
                "year",
                Some(format!("{y:04}")),
                if cue { 0.85 } else { 0.7 },
            );
        }
    }

    /// "2016-03-22", "22/03/2016", "03/22/2016".
    fn numeric_date(&mut self, i: usize) -> bool {
        let t = self.w(i);
        if t.len() < 8 || t.len() > 10 {
            return false;
        }
        let parts: Vec<&str> = t.split(['-', '/', '.']).collect();
        if parts.len() != 3 || !parts.iter().all(|p| all_digits(p)) {
            return false;
        }
        let p: Vec<u32> = parts.iter().filter_map(|x| x.parse().ok()).collect();
        if p.len() != 3 {
            return false;
        }
        let (y, m, d) = if parts[0].len() == 4 {
            (p[0], p[1], p[2])
        } else if parts[2].len() == 4 {
            // Day first unless impossible (UK/EU style; US "03/22/2016" is recognised by d > 12).
            if p[1] > 12 {
                (p[2], p[0], p[1])
            } else {
                (p[2], p[1], p[0])
            }
        } else {
            return false;
        };
        if !(1..=12).contains(&m) || !(1..=31).contains(&d) || !(1800..=2100).contains(&y) {
            return false;
        }
        self.push(
            i,
            i + 1,
            EntityLabel::Temporal,
            "date",
            Some(format!("{y:04}-{m:02}-{d:02}")),
            0.9,
        );
        true
    }

    fn ip(&mut self, i: usize) -> bool {
        let t = self.w(i);
        if t.len() >= 7 && t.len() <= 15 && t.bytes().filter(|&b| b == b'.').count() == 3 {
            if let Ok(a) = t.parse::<std::net::Ipv4Addr>() {
                self.push(
                    i,
                    i + 1,
                    EntityLabel::CommsIdentifier,
                    "ip",
                    Some(a.to_string()),
                    0.95,
                );
                return true;
            }
        }
        // IPv6: hex groups and colons without spaces ("2001:db8::ff00:42:8329").
        if self.w(i + 1) == ":" || self.w(i + 1) == "::" {
            let start = self.toks.get(i).map(|t| t.start).unwrap_or(0);
            let rest = self.text.get(start..).unwrap_or("");
            let len = rest
                .bytes()
                .take(45)
                .take_while(|b| b.is_ascii_hexdigit() || *b == b':' || *b == b'.')
                .count();
            let cand = rest.get(..len).unwrap_or("").trim_end_matches(['.']);
            if cand.bytes().filter(|&b| b == b':').count() >= 2 {
                if let Ok(a) = cand.parse::<std::net::Ipv6Addr>() {
                    let end = start + cand.len();
                    let mut e = i + 1;
                    while self.toks.get(e).is_some_and(|t| t.end <= end) {
                        e += 1;
                    }
                    self.out.push(Cand {
                        s: i,
                        e,
                        label: EntityLabel::CommsIdentifier,
                        kind: "ip",
                        norm: Some(a.to_string()),
                        conf: 0.9,
                        bytes: Some((start, end)),
                    });
                    return true;
                }
            }
        }
        false
    }

    /// "+44 20 7946 0958", "(202) 555-0143", "888-847-6592", "+1-202-555-0143".
    fn phone(&mut self, i: usize) {
        let first = self.w(i);
        let mut j = i;
        let mut digits = 0usize;
        let mut groups = 0usize;
        let plus = first.starts_with('+');
        let paren = first == "(";
        if paren {
            let a = self.w(i + 1);
            if !(all_digits(a) && (2..=4).contains(&a.len()) && self.w(i + 2) == ")") {
                return;
            }
            digits += a.len();
            groups += 1;
            j = i + 3;
        }
        let mut hyphen_groups: Vec<usize> = Vec::new();
        while let Some(tok) = self.toks.get(j) {
            let w = self.w(j);
            if j > i && !self.same_line(j) {
                break;
            }
            // Groups are separated by one space or nothing (after ")").
            if j > i {
                let prev_end = self.toks.get(j - 1).map(|t| t.end).unwrap_or(0);
                if tok.start - prev_end > 1 {
                    break;
                }
            }
            let body = w.strip_prefix('+').unwrap_or(w);
            if body.is_empty()
                || !body
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b == b'-' || b == b'.')
                || body.starts_with(['-', '.'])
                || body.ends_with(['-', '.'])
            {
                break;
            }
            if w.starts_with('+') && j != i {
                break;
            }
            for g in body.split(['-', '.']) {
                hyphen_groups.push(g.len());
                digits += g.len();
                groups += 1;
            }
            j += 1;
            if digits > 15 {
                return;
            }
        }
        if j <= i + usize::from(paren) * 3 {
            return;
        }
        let ok = if plus {
            (8..=15).contains(&digits) && groups >= 2 || (10..=15).contains(&digits)
        } else if paren {
            (7..=11).contains(&digits) && groups >= 2
        } else {
            // Without + or (): NANP-like 3-3-4 / 3-4 groups with hyphens or dots, or a
            // phone cue word before. Dates (4-2-2) and scores (4-38) fail these shapes.
            let nanp = matches!(hyphen_groups.as_slice(), [3, 3, 4] | [1, 3, 3, 4] | [3, 4]);
            let prev = if i > 0 {
                self.w(i - 1).to_ascii_lowercase()
            } else {
                String::new()
            };
            let cue = matches!(
                prev.as_str(),
                "tel"
                    | "tel."
                    | "phone"
                    | "call"
                    | "dial"
                    | "fax"
                    | "mobile"
                    | "telephone"
                    | "on"
                    | ":"
                    | "hotline"
                    | "whatsapp"
            );
            (nanp && (digits >= 10 || cue)) || (cue && (9..=13).contains(&digits) && groups >= 2)
        };
        if !ok {
            return;
        }
        let mut norm = String::with_capacity(16);
        if plus {
            norm.push('+');
        }
        for k in i..j {
            norm.extend(self.w(k).chars().filter(char::is_ascii_digit));
        }
        self.push(
            i,
            j,
            EntityLabel::CommsIdentifier,
            "phone",
            Some(norm),
            if plus || paren { 0.9 } else { 0.85 },
        );
    }

    fn money_prefix(&mut self, i: usize, cur: &'static str) {
        let mut j = i + 1;
        let t = self.w(j);
        let (mut v, scaled) = if let Some(v) = parse_number(t) {
            (v, false)
        } else if let Some((v, sc)) = number_with_scale_suffix(t) {
            (v * sc, true)
        } else {
            return;
        };
        j += 1;
        if !scaled {
            if let Some(Kw::Scale(sc)) = self.kw(j) {
                v *= sc;
                j += 1;
            }
        }
        // "$135 million" → Money; "grant of $530,000" keeps only the amount.
        self.push(
            i,
            j,
            EntityLabel::Money,
            "money",
            Some(format!("{} {cur}", fmt_num(v))),
            0.95,
        );
    }

    /// "30km", "145MHz", "5.0mi".
    fn unit_suffix(&mut self, i: usize, v: f64, unit: &str) {
        match self.kw.get(unit).copied() {
            Some(Kw::Hz(f)) => self.push(
                i,
                i + 1,
                EntityLabel::Frequency,
                "frequency",
                Some(format!("{} Hz", fmt_num(v * f))),
                0.95,
            ),
            Some(Kw::Unit(u)) if u != "sq" => self.push(
                i,
                i + 1,
                EntityLabel::Quantity,
                "quantity",
                Some(format!("{} {u}", fmt_num(v))),
                0.85,
            ),
            _ => {}
        }
    }

    /// "30-88 MHz", "15-20%", "1980-88".
    fn range(&mut self, i: usize, a: f64, b: f64) {
        let j = i + 1;
        match self.kw(j) {
            Some(Kw::Hz(f)) => self.push(
                i,
                j + 1,
                EntityLabel::Frequency,
                "frequency",
                Some(format!("{}-{} Hz", fmt_num(a * f), fmt_num(b * f))),
                0.95,
            ),
            Some(Kw::Percent) => self.push(
                i,
                j + 1,
                EntityLabel::Quantity,
                "percent",
                Some(format!("{}-{}%", fmt_num(a), fmt_num(b))),
                0.9,
            ),
            Some(Kw::Unit(u)) if u != "sq" => self.push(
                i,
                j + 1,
                EntityLabel::Quantity,
                "quantity",
                Some(format!("{}-{} {u}", fmt_num(a), fmt_num(b))),
                0.85,
            ),
            Some(Kw::Month(_)) => {} // "5-6 April" is handled from the month
            _ => {
                let t = self.w(i);
                if (1900.0..=2099.0).contains(&a)
                    && t.len() <= 9
                    && (b < 100.0 || (1900.0..=2099.0).contains(&b))
                    && b != a
                {
                    self.push(i, i + 1, EntityLabel::Temporal, "year", None, 0.75);
                }
            }
        }
    }

    /// Coordinates written with degree signs, scanned on the text: "34.8021° N, 38.9968° E",
    /// "36°12′N 37°10′E", "36°12'30\"N", and decimal pairs after a cue word.
    fn coordinates_text(&mut self) {
        let text = self.text;
        let bytes = text.as_bytes();
        let mut from = 0;
        while let Some(off) = bytes.get(from..).and_then(|b| {
            b.windows(2)
                .position(|w| w[0] == 0xC2 && (w[1] == 0xB0 || w[1] == 0xBA))
        }) {
            let deg = from + off;
            from = deg + 2;
            // Back to the start of the number.
            let mut s = deg;
            while s > 0
                && bytes
                    .get(s - 1)
                    .is_some_and(|b| b.is_ascii_digit() || *b == b'.')
            {
                s -= 1;
            }
            if s == deg {
                continue;
            }
            if s > 0 && bytes.get(s - 1) == Some(&b'-') {
                s -= 1;
            }
            let Some((a, ha, e1)) = parse_angle(text, s) else {
                continue;
            };
            // Second angle after a separator.
            let mut k = e1;
            while bytes
                .get(k)
                .is_some_and(|b| matches!(b, b' ' | b',' | b';' | b'/' | b'\t'))
            {
                k += 1;
            }
            let mut k2 = k;
            let mut hb_pre = None;
            if let Some(&h) = bytes.get(k) {
                if matches!(h, b'E' | b'W' | b'N' | b'S') && bytes.get(k + 1) == Some(&b' ') {
                    hb_pre = Some(h as char);
                    k2 = k + 2;
                }
            }
            let Some((b, hb, e2)) = parse_angle(text, k2) else {
                continue;
            };
            let hb = hb.or(hb_pre);
            let (lat, lon) = match (ha, hb) {
                (Some('N' | 'S'), Some('E' | 'W')) | (None, None) => (sign(a, ha), sign(b, hb)),
                (Some('E' | 'W'), Some('N' | 'S')) => (sign(b, hb), sign(a, ha)),
                _ => continue,
            };
            if lat.abs() > 90.0 || lon.abs() > 180.0 {
                continue;
            }
            if ha.is_none() && hb.is_none() && !self.coord_cue(s) {
                continue;
            }
            from = e2;
            self.push_bytes(s, e2, "coordinate", format!("{lat:.6},{lon:.6}"), 0.95);
        }
        // Decimal pairs: "33.5138, 36.2765" after "coordinates"/"lat"/"GPS", or with N/E letters.
        let n = self.toks.len();
        for i in 0..n {
            let a = self.w(i);
            if !(starts_digit(a) || a.starts_with('-')) || !a.contains('.') {
                continue;
            }
            let (Some(x), mut j) = (parse_number(a), i + 1) else {
                continue;
            };
            let mut h1 = None;
            if matches!(self.w(j), "N" | "S") {
                h1 = self.w(j).chars().next();
                j += 1;
            }
            if self.w(j) != "," {
                if h1.is_none() {
                    continue;
                }
            } else {
                j += 1;
            }
            let bw = self.w(j);
            let Some(y) = parse_number(bw) else { continue };
            let mut e = j + 1;
            let mut h2 = None;
            if matches!(self.w(e), "E" | "W") {
                h2 = self.w(e).chars().next();
                e += 1;
            }
            let decimals = |s: &str| s.split('.').nth(1).map(str::len).unwrap_or(0);
            let lettered = h1.is_some() && h2.is_some();
            let start_byte = self.toks.get(i).map(|t| t.start).unwrap_or(0);
            if !(lettered || decimals(a) >= 3 && decimals(bw) >= 3 && self.coord_cue(start_byte)) {
                continue;
            }
            let lat = if h1 == Some('S') { -x } else { x };
            let lon = if h2 == Some('W') { -y } else { y };
            if lat.abs() > 90.0 || lon.abs() > 180.0 {
                continue;
            }
            self.push(
                i,
                e,
                EntityLabel::Location,
                "coordinate",
                Some(format!("{lat:.6},{lon:.6}")),
                if lettered { 0.9 } else { 0.8 },
            );
        }
    }

    /// A cue word ("coordinates", "lat", "GPS", "located at") shortly before byte `pos`.
    fn coord_cue(&self, pos: usize) -> bool {
        let mut s = pos.saturating_sub(40);
        while s > 0 && !self.text.is_char_boundary(s) {
            s -= 1;
        }
        let before = self.text.get(s..pos).unwrap_or("").to_ascii_lowercase();
        [
            "coordinates",
            "coords",
            "lat",
            "gps",
            "location",
            "located at",
            "position",
            "grid",
        ]
        .iter()
        .any(|c| before.contains(c))
    }

    fn push_bytes(&mut self, s: usize, e: usize, kind: &'static str, norm: String, conf: f32) {
        // Token range covering the bytes (for overlap resolution).
        let ts = self.toks.partition_point(|t| t.end <= s);
        let te = self.toks.partition_point(|t| t.start < e);
        if te > ts {
            self.out.push(Cand {
                s: ts,
                e: te,
                label: EntityLabel::Location,
                kind,
                norm: Some(norm),
                conf,
                bytes: Some((s, e)),
            });
        }
    }
}

fn sign(v: f64, h: Option<char>) -> f64 {
    if matches!(h, Some('S' | 'W')) {
        -v.abs()
    } else {
        v
    }
}

/// Parses `36°12′30″N`, `34.8021° N`, `36°12'N` at byte `s`: (decimal degrees, hemisphere, end).
fn parse_angle(text: &str, s: usize) -> Option<(f64, Option<char>, usize)> {
    let rest = text.get(s..)?;
    let num_len = |r: &str| {
        r.bytes()
            .enumerate()
            .take_while(|&(k, b)| b.is_ascii_digit() || b == b'.' || (k == 0 && b == b'-'))
            .count()
    };
    let n1 = num_len(rest);
    if n1 == 0 {
        return None;
    }
    let deg: f64 = rest.get(..n1)?.parse().ok()?;
    let mut k = n1;
    let r = rest.get(k..)?;
    if r.starts_with('°') || r.starts_with('º') {
        k += 2;
    } else {
        return None;
    }
    let mut val = deg.abs();
    // minutes
    let r = rest.get(k..)?;
    let n2 = num_len(r.trim_start_matches(' '));
    let sp = r.len() - r.trim_start_matches(' ').len();
    if n2 > 0 && sp <= 1 {
        let after = r.get(sp + n2..)?;
        let mark = ['′', '\'', '’'].iter().find(|m| after.starts_with(**m));
        if let Some(m) = mark {
            let mins: f64 = r.get(sp..sp + n2)?.parse().ok()?;
            if mins >= 60.0 {
                return None;
            }
            val += mins / 60.0;
            k += sp + n2 + m.len_utf8();
            // seconds
            let r = rest.get(k..)?;
            let sp = r.len() - r.trim_start_matches(' ').len();
            let n3 = num_len(r.trim_start_matches(' '));
            if n3 > 0 && sp <= 1 {
                let after = r.get(sp + n3..)?;
                let mark = ["″", "\"", "”", "''", "’’"]
                    .iter()
                    .find(|m| after.starts_with(**m));
                if let Some(m) = mark {
                    let secs: f64 = r.get(sp..sp + n3)?.parse().ok()?;
                    if secs >= 60.0 {
                        return None;
                    }
                    val += secs / 3600.0;
                    k += sp + n3 + m.len();
                }
            }
        }
    }
    if deg < 0.0 || rest.starts_with('-') {
        val = -val;
    }
    // hemisphere
    let r = rest.get(k..)?;
    let sp = r.len() - r.trim_start_matches(' ').len();
    let mut hemi = None;
    if sp <= 1 {
        let mut cs = r[sp..].chars();
        if let Some(h @ ('N' | 'S' | 'E' | 'W')) = cs.next() {
            if !cs.next().is_some_and(char::is_alphanumeric) {
                hemi = Some(h);
                k += sp + 1;
            }
        }
    }
    Some((val, hemi, s + k))
}

fn find_tokens(text: &str, toks: &[Token]) -> Vec<PatternMatch> {
    let mut scan = Scan {
        text,
        toks,
        kw: keywords(),
        out: Vec::new(),
    };
    scan.run();
    let mut c = scan.out;
    // Longest first at each start; greedy non-overlapping by token span.
    c.sort_by(|a, b| {
        a.s.cmp(&b.s)
            .then((b.e - b.s).cmp(&(a.e - a.s)))
            .then(b.conf.total_cmp(&a.conf))
    });
    let mut out: Vec<PatternMatch> = Vec::with_capacity(c.len());
    let mut taken_until = 0usize;
    // Prefer longer spans that start earlier; a later longer span overlapping a kept shorter
    // one is dropped, which is fine for these mostly short patterns.
    let mut kept: Vec<Cand> = Vec::with_capacity(c.len());
    for cand in c {
        if cand.s < taken_until {
            // Overlap: replace the previous one if this is longer and more confident.
            if let Some(last) = kept.last() {
                if cand.e > last.e && cand.conf > last.conf && cand.s >= last.s {
                    taken_until = cand.e;
                    kept.pop();
                    kept.push(cand);
                }
            }
            continue;
        }
        taken_until = cand.e;
        kept.push(cand);
    }
    for k in kept {
        let (s, e) = match k.bytes {
            Some(b) => b,
            None => match (toks.get(k.s), toks.get(k.e.saturating_sub(1))) {
                (Some(a), Some(b)) => (a.start, b.end),
                _ => continue,
            },
        };
        out.push(PatternMatch {
            start: s,
            end: e,
            label: k.label,
            kind: k.kind,
            normalized: k.norm,
            confidence: k.conf,
        });
    }
    out
}
