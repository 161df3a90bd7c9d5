//! The recognition and normalisation rules.

use super::cal::{month_len, Day};
use super::lex::{self, Kind, Tok, Unit};
use dossier_core::TimeType;

/// A found expression (byte span).
pub struct Found {
    pub s: usize,
    pub e: usize,
    pub kind: TimeType,
    pub value: String,
    pub confidence: f32,
}

/// Granularity of a narrative reference date.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Gran {
    Year,
    Month,
    Day,
}

/// A candidate match: token range end (exclusive), type, value, and what it tells the
/// narrative (a quarter or an absolute date).
#[derive(Debug, Clone)]
struct M {
    end: usize,
    kind: TimeType,
    value: String,
    conf: f32,
    quarter: Option<(i32, u32)>,
    anchor: Option<(Day, Gran)>,
    /// A bare "the" before it belongs to the noun phrase, not the date ("the August 1988 cease-fire").
    no_det: bool,
}

impl M {
    fn new(end: usize, kind: TimeType, value: String, conf: f32) -> M {
        M {
            end,
            kind,
            value,
            conf,
            quarter: None,
            anchor: None,
            no_det: false,
        }
    }
    fn bare(mut self) -> M {
        self.no_det = true;
        self
    }
    fn date(end: usize, value: String, conf: f32) -> M {
        let timed =
            value.starts_with(|c: char| c.is_ascii_digit() || c == 'X') && value.contains('T');
        let kind = if timed {
            TimeType::Time
        } else {
            TimeType::Date
        };
        M::new(end, kind, value, conf)
    }
}

/// A number: `Some(n)` or unspecified (`several`, `a few`).
type Num = Option<u32>;

pub struct Scanner<'a> {
    text: &'a str,
    lower: String,
    toks: Vec<Tok>,
    dct: Option<Day>,
    last_q: Option<(i32, u32)>,
    last_ref: Option<(Day, Gran)>,
}

const X_DAY: &str = "XXXX-XX-XX";

/// How much farther a future date may be than a past one before it is preferred, in a
/// past-tense sentence.
const PAST_LEAN: i64 = 2;

impl<'a> Scanner<'a> {
    pub fn new(text: &'a str, dct: Option<Day>) -> Scanner<'a> {
        Scanner {
            text,
            lower: text.to_ascii_lowercase(),
            toks: lex::tokenize(text),
            dct,
            last_q: None,
            last_ref: None,
        }
    }

    pub fn run(mut self) -> Vec<Found> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < self.toks.len() {
            if !self.may_start(i) {
                i += 1;
                continue;
            }
            match self.parse(i) {
                Some((st, m)) if m.end > st => {
                    if let Some(q) = m.quarter {
                        self.last_q = Some(q);
                    }
                    if let Some(a) = m.anchor {
                        self.last_ref = Some(a);
                    }
                    let (s, e) = (self.toks[st].s, self.toks[m.end - 1].e);
                    out.push(Found {
                        s,
                        e,
                        kind: m.kind,
                        value: m.value,
                        confidence: m.conf,
                    });
                    i = m.end;
                }
                _ => i += 1,
            }
        }
        let _ = self.text;
        out
    }

    // ---- token access -------------------------------------------------------------

    /// Lowercased token text, or "" past the end.
    fn w(&self, k: usize) -> &str {
        self.toks
            .get(k)
            .and_then(|t| self.lower.get(t.s..t.e))
            .unwrap_or("")
    }

    fn raw(&self, k: usize) -> &str {
        self.toks
            .get(k)
            .and_then(|t| self.text.get(t.s..t.e))
            .unwrap_or("")
    }

    fn is(&self, k: usize, kind: Kind) -> bool {
        self.toks.get(k).is_some_and(|t| t.kind == kind)
    }

    /// Token k is attached to the previous one (no whitespace between).
    fn attached(&self, k: usize) -> bool {
        self.toks.get(k).is_some_and(|t| !t.space)
    }

    fn capitalized(&self, k: usize) -> bool {
        self.raw(k)
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_uppercase())
    }

    /// A plain digit token's value (no separators, at most 9 digits).
    fn int(&self, k: usize) -> Option<u32> {
        let w = self.w(k);
        if !self.is(k, Kind::Num) || w.len() > 9 || !w.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        w.parse().ok()
    }

    /// Hyphen attached on both sides at k: returns k + 1.
    fn hyphen(&self, k: usize) -> Option<usize> {
        (self.w(k) == "-" && self.attached(k) && self.attached(k + 1)).then_some(k + 1)
    }

    fn may_start(&self, i: usize) -> bool {
        match self.toks.get(i).map(|t| t.kind) {
            Some(Kind::Num) => true,
            Some(Kind::Word) => {
                let w = self.w(i);
                w.len() <= 12 && lex::is_start_word(w)
            }
            Some(Kind::Punct) => self.w(i) == "'" && self.is(i + 1, Kind::Num),
            None => false,
        }
    }

    /// Future cues near token range [s, e) in the same sentence.
    fn future(&self, s: usize, e: usize) -> bool {
        self.tense_near(s, e).unwrap_or(false)
    }

    /// Some(true) future, Some(false) past, None: no cue.
    fn tense_near(&self, s: usize, e: usize) -> Option<bool> {
        // The nearest tense cue before the expression decides, else the nearest after
        // (English news puts the verb first: "will travel on Wednesday", "said Friday");
        // a possessive ("Wednesday's ruling") names a past event; no cue means past.
        if self.w(e) == "'" && self.w(e + 1) == "s" {
            return Some(false);
        }
        let mut k = s;
        for _ in 0..12 {
            if k == 0 {
                break;
            }
            k -= 1;
            if let Some(f) = self.tense(k) {
                return Some(f);
            }
            if self.boundary(k) {
                break;
            }
        }
        for k in e..(e + 8).min(self.toks.len()) {
            if self.boundary(k) {
                break;
            }
            if let Some(f) = self.tense(k) {
                return Some(f);
            }
        }
        None
    }

    fn boundary(&self, k: usize) -> bool {
        match self.w(k) {
            // not after an initial or abbreviation ("U.S.", "Mr.", "Sept.")
            "." => {
                let p = if k > 0 { self.w(k - 1) } else { "" };
                !(p.len() == 1
                    || matches!(
                        p,
                        "mr" | "mrs"
                            | "ms"
                            | "dr"
                            | "st"
                            | "gen"
                            | "gov"
                            | "sen"
                            | "rep"
                            | "inc"
                            | "corp"
                            | "co"
                    )
                    || lex::is_month_abbrev(p))
            }
            "!" | "?" | ";" | "\"" | "`" | "(" | ")" => true,
            _ => false,
        }
    }

    /// Some(true) for a future cue, Some(false) for a past-tense verb.
    fn tense(&self, k: usize) -> Option<bool> {
        let w = self.w(k);
        match w {
            "will" | "ll" | "shall" | "going" | "scheduled" | "planning" | "plans" | "plan"
            | "due" | "upcoming" | "tomorrow" | "wo" | "would" | "until" | "soon" | "expected"
            | "begin" | "start" | "could" | "might" | "can" => Some(true),
            "said" | "was" | "were" | "had" | "did" | "met" | "told" | "came" | "went" | "left"
            | "began" | "took" | "made" | "saw" | "held" | "gave" | "fell" | "rose" | "won"
            | "lost" | "got" | "read" | "ago" | "earlier" | "last" | "yesterday" | "spent"
            | "sent" | "became" | "found" | "knew" | "thought" | "brought" | "struck" | "hit"
            | "led" | "put" | "shot" | "killed" | "announced" => Some(false),
            _ if w.len() > 4
                && w.ends_with("ed")
                && !matches!(w, "planned" | "needed" | "proposed") =>
            {
                Some(false)
            }
            _ => None,
        }
    }

    // ---- top level ----------------------------------------------------------------

    /// Modifiers that extend an expression to the left without changing its value.
    fn modifier(&self, k: usize) -> Option<usize> {
        let w = self.w(k);
        let next = self.w(k + 1);
        let numberish = |k2: usize| {
            self.is(k2, Kind::Num)
                || matches!(self.w(k2), "a" | "an")
                || lex::number_word(self.w(k2)).is_some()
        };
        match w {
            "at" if matches!(next, "least" | "most") => Some(k + 2),
            "more" | "less" | "fewer" if next == "than" => Some(k + 2),
            "no" if matches!(next, "more" | "less") && self.w(k + 2) == "than" => Some(k + 3),
            "up" if next == "to" && numberish(k + 2) => Some(k + 2),
            "nearly" | "almost" | "around" | "approximately" | "roughly" => Some(k + 1),
            "some" | "over" if numberish(k + 1) => Some(k + 1),
            "early" | "late" | "earlier" | "later" => Some(k + 1),
            "mid" => Some(self.hyphen(k + 1).unwrap_or(k + 1)),
            "end" if next == "of" => Some(k + 2),
            "the" => match next {
                "end" | "beginning" | "start" | "middle" | "turn" if self.w(k + 2) == "of" => {
                    Some(k + 3)
                }
                _ => Some(k + 1),
            },
            _ => None,
        }
    }

    /// (start token, match).
    fn parse(&self, i: usize) -> Option<(usize, M)> {
        // Try the core at i, then after each modifier; the first core found wins.
        let mut j = i;
        for _ in 0..5 {
            if let Some(m) = self.core(j) {
                if m.no_det && j == i + 1 && self.w(i) == "the" {
                    return Some((j, m));
                }
                return Some((i, m));
            }
            j = self.modifier(j)?;
        }
        None
    }

    fn core(&self, j: usize) -> Option<M> {
        let cands = [
            self.duration(j),
            self.explicit(j),
            self.year(j),
            self.relative(j),
            self.quarter(j),
            self.clock(j),
            self.set(j),
            self.refs(j),
            self.weekday(j),
            self.the_unit(j),
            self.holiday(j),
        ];
        let mut best: Option<M> = None;
        for c in cands.into_iter().flatten() {
            if best.as_ref().is_none_or(|b| c.end > b.end) {
                best = Some(c);
            }
        }
        best
    }

    // ---- numbers and units -----------------------------------------------------------

    /// A cardinal at k: (value, next token).
    fn number(&self, k: usize) -> Option<(Num, usize)> {
        let w = self.w(k);
        if self.is(k, Kind::Num) {
            if w.contains(['.', ':']) {
                return None;
            }
            let digits: String = w.chars().filter(char::is_ascii_digit).collect();
            if digits.len() > 7 {
                return None;
            }
            let n: u32 = digits.parse().ok()?;
            // "5 1/2 hours": keep the whole part, skip the fraction.
            return Some((Some(n), k + 1));
        }
        match w {
            "a" | "an" => match self.w(k + 1) {
                "few" => Some((None, k + 2)),
                "couple" if self.w(k + 2) == "of" => Some((Some(2), k + 3)),
                "hundred" => Some((Some(100), k + 2)),
                "dozen" => Some((Some(12), k + 2)),
                _ => Some((Some(1), k + 1)),
            },
            "several" | "few" | "many" | "some" => Some((None, k + 1)),
            "couple" if self.w(k + 1) == "of" => Some((Some(2), k + 2)),
            _ => {
                let n = lex::number_word(w)?;
                if (20..=90).contains(&n) {
                    // twenty four / twenty-four
                    let k2 = self.hyphen(k + 1).unwrap_or(k + 1);
                    if let Some(u) = lex::number_word(self.w(k2)).filter(|&u| u < 10) {
                        return Some((Some(n + u), k2 + 1));
                    }
                }
                if self.w(k + 1) == "hundred" {
                    return Some((Some(n * 100), k + 2));
                }
                Some((Some(n), k + 1))
            }
        }
    }

    fn unit(&self, k: usize) -> Option<(Unit, bool, usize)> {
        let k = if matches!(self.w(k), "trading" | "business" | "calendar") {
            k + 1
        } else {
            k
        };
        let (u, pl) = lex::unit(self.w(k))?;
        Some((u, pl, k + 1))
    }

    fn dur_value(n: Num, u: Unit) -> String {
        if u == Unit::Quarter {
            // TimeBank writes quarters as months: "the next three quarters" = P9M.
            return format!("P{}M", n.map_or("X".to_string(), |n| (n * 3).to_string()));
        }
        if u == Unit::Decade {
            // TimeBank mostly writes decades as years: "almost two decades" = P20Y.
            return format!("P{}Y", n.map_or("X".to_string(), |n| (n * 10).to_string()));
        }
        let (l, t) = u.letter();
        let n = n.map_or("X".to_string(), |n| n.to_string());
        format!("P{}{n}{l}", if t { "T" } else { "" })
    }

    // ---- durations and "N units ago" ------------------------------------------------

    fn duration(&self, j: usize) -> Option<M> {
        let mut k = j;
        let the = self.w(k) == "the";
        if the {
            k += 1;
        }
        let mut rel = None;
        if self.w(k) == "year" && self.w(k + 2) == "earlier" || self.w(k + 2) == "ago" {
            if let Some(k2) = self.hyphen(k + 1) {
                k = k2 + 1;
            }
        }
        let rw = self.w(k);
        if matches!(
            rw,
            "past"
                | "last"
                | "next"
                | "first"
                | "coming"
                | "previous"
                | "latest"
                | "following"
                | "final"
                | "remaining"
                | "initial"
                | "same"
                | "preceding"
                | "prior"
        ) {
            rel = Some(rw.to_string());
            k += 1;
        }
        let (n, k2) = self.number(k)?;
        // "the 1990s", "1990 profit": a year is not a count.
        if self.is(k, Kind::Num) && self.w(k).len() == 4 && self.int(k).is_some_and(|y| y >= 1000) {
            return None;
        }
        let mut k = k2;
        // "2 1/2 years"
        let half = self.w(k) == "1"
            && self.w(k + 1) == "/"
            && self.w(k + 2) == "2"
            && self.attached(k + 2);
        if half {
            k += 3;
        }
        let hyph = self.hyphen(k);
        if let Some(h) = hyph {
            if the {
                return None; // "the 14-day strike": the adjective alone (found one token on)
            }
            k = h;
        }
        if matches!(
            self.w(k),
            "more" | "additional" | "full" | "straight" | "consecutive"
        ) && hyph.is_none()
        {
            k += 1;
        }
        let (u, _pl, end) = self.unit(k)?;
        // "a quarter" is a quantity, not a duration, unless a time word follows.
        if u == Unit::Quarter && (n == Some(1) && !the || hyph.is_some()) {
            return None;
        }
        // "a second group", "the second-largest": ordinals, not durations.
        if u == Unit::Second
            && (hyph.is_some() || n == Some(1) && matches!(self.w(k - 1), "a" | "one"))
        {
            return None;
        }
        // Ages ("6-year-old", "52 years old") are not temporal expressions in TimeML.
        if self.w(end) == "old" || self.w(end + 1) == "old" && self.w(end) == "-" {
            return None;
        }
        let a = self.w(j);
        let article = matches!(a, "a" | "an");
        match self.w(end) {
            "ago" | "earlier" | "before" | "after" | "later" | "from"
                if hyph.is_none() && rel.is_none() && !the =>
            {
                let w = self.w(end);
                if w == "ago" || w == "earlier" {
                    let back = self.shift_back(n, u, w == "earlier");
                    return Some(M::date(end + 1, back, 0.8));
                }
            }
            _ => {}
        }
        // "$5 a year", "twice a day": a frequency.
        if article && !the && j > 0 {
            let p = self.w(j - 1);
            // TimeBank rarely marks rates ("$1.76 a year", "four flights a week", "700 seats a week").
            let plural_noun = p.len() > 3
                && p.ends_with('s')
                && !p.ends_with("ss")
                && !matches!(p, "this" | "was" | "has");
            let cont = matches!(
                self.w(end),
                "ago" | "earlier" | "later" | "before" | "after" | "or"
            );
            if !cont
                && (self.is(j - 1, Kind::Num)
                    || plural_noun
                    || matches!(p, "million" | "billion" | "%" | "percent"))
            {
                return None;
            }
            if matches!(p, "twice" | "once" | "times") {
                return Some(M::new(end, TimeType::Set, Self::dur_value(Some(1), u), 0.7));
            }
        }
        if the && rel.is_none() && n == Some(1) {
            return None; // "the one day"
        }
        let mut v = Self::dur_value(n, u);
        if half && n.is_some() {
            match u {
                Unit::Year => v.push_str("6M"),
                Unit::Hour => v.push_str("30M"),
                Unit::Day => v.push_str("T12H"),
                Unit::Minute => v.push_str("30S"),
                _ => {}
            }
        }
        let m = M::new(end, TimeType::Duration, v, 0.8);
        Some(if hyph.is_some() { m.bare() } else { m })
    }

    /// "N units ago" / "a year earlier": the date N units before the reference.
    fn shift_back(&self, n: Num, u: Unit, earlier: bool) -> String {
        let Some(dct) = self.dct else {
            return "PAST_REF".to_string();
        };
        let Some(n) = n else {
            return "PAST_REF".to_string();
        };
        let n = i64::from(n);
        // Financial news: "a year ago/earlier" compares with the quarter under discussion.
        if u == Unit::Year {
            if let Some((y, q)) = self.last_q.filter(|_| n == 1) {
                return format!("{:04}-Q{q}", y - 1);
            }
            let _ = earlier;
            return format!("{:04}", i64::from(dct.y) - n);
        }
        let shifted = match u {
            Unit::Month => dct.add_months(-n),
            Unit::Week => dct.add_days(-7 * n),
            Unit::Day => dct.add_days(-n),
            Unit::Decade => return format!("{:03}", (i64::from(dct.y) - 10 * n) / 10),
            Unit::Century => return format!("{:02}", (i64::from(dct.y) - 100 * n) / 100),
            Unit::Quarter => dct.add_months(-3 * n),
            _ => return dct.ymd(),
        };
        let Some(d) = shifted else {
            return "PAST_REF".to_string();
        };
        match u {
            Unit::Month => d.ym(),
            Unit::Week => d.week(),
            Unit::Quarter => format!("{:04}-Q{}", d.y, d.quarter()),
            _ => d.ymd(),
        }
    }

    // ---- explicit calendar dates ------------------------------------------------------

    /// A month name at k (abbreviations with optional period): (month, next token).
    fn month_at(&self, k: usize) -> Option<(u32, usize)> {
        let w = self.w(k);
        let m = lex::month(w)?;
        // "may" and "march" are also a verb and a noun
        if matches!(w, "may" | "march") && !self.capitalized(k) {
            return None;
        }
        if lex::is_month_abbrev(w) {
            if !self.capitalized(k) {
                return None;
            }
            return Some((m, if self.w(k + 1) == "." { k + 2 } else { k + 1 }));
        }
        Some((m, k + 1))
    }

    /// A day of month at k (with optional ordinal suffix).
    fn dom_at(&self, k: usize) -> Option<(u32, usize)> {
        let d = self
            .int(k)
            .filter(|d| (1..=31).contains(d) && self.w(k).len() <= 2)?;
        let k2 = if matches!(self.w(k + 1), "st" | "nd" | "rd" | "th") && self.attached(k + 1) {
            k + 2
        } else {
            k + 1
        };
        Some((d, k2))
    }

    /// A 4-digit year at k.
    fn year_at(&self, k: usize) -> Option<i32> {
        if self.w(k).len() != 4 {
            return None;
        }
        let y = self.int(k)?;
        (1000..=2100).contains(&y).then_some(y as i32)
    }

    /// "this year", "last year", "next year", "1998", ", 1998" after a month: (year, next).
    fn year_spec(&self, k: usize) -> Option<(i32, usize)> {
        if let Some(y) = self.year_at(k) {
            return Some((y, k + 1));
        }
        if self.w(k) == "," {
            if let Some(y) = self.year_at(k + 1) {
                return Some((y, k + 2));
            }
        }
        let dct = self.dct?;
        if self.w(k + 1) == "year" {
            let y = match self.w(k) {
                "this" => dct.y,
                "last" => dct.y - 1,
                "next" => dct.y + 1,
                _ => return None,
            };
            return Some((y, k + 2));
        }
        if self.w(k) == "of" {
            if let Some(y) = self.year_at(k + 1) {
                return Some((y, k + 2));
            }
        }
        None
    }

    fn explicit(&self, j: usize) -> Option<M> {
        let mut k = j;
        // "Saturday, April 25"
        let mut wd = None;
        if let Some(d) = lex::full_weekday(self.w(k)) {
            wd = Some(d);
            k += 1;
            if self.w(k) == "," {
                k += 1;
            }
        }
        // "25 April 2016"
        if let Some((d, k2)) = self.dom_at(k) {
            if let Some((m, k3)) = self.month_at(k2) {
                let (y, end) = match self.year_spec(k3) {
                    Some((y, e)) => (Some(y), e),
                    None => (None, k3),
                };
                return self.month_day(j, end, y, m, d);
            }
        }
        let (m, k2) = self.month_at(k)?;
        let abbrev = lex::is_month_abbrev(self.w(k));
        if let Some((d, k3)) = self.dom_at(k2) {
            // "March 26, 1996", "Aug. 7"
            if self.year_at(k3).is_some() && !self.attached(k3) && self.w(k3 - 1) != "," {
                // "Jan. 1 1998" is rare; "Jan. 1 1,000" never: only accept with comma.
            }
            let (y, end) = match self.year_spec(k3) {
                Some((y, e))
                    if self.w(k3) == ","
                        || self.w(k3) == "this"
                        || self.w(k3) == "last"
                        || self.w(k3) == "next" =>
                {
                    (Some(y), e)
                }
                _ => (None, k3),
            };
            return self.month_day(j, end, y, m, d);
        }
        if wd.is_some() {
            return None;
        }
        // "January 1998", "June last year", "March of 1990"
        if let Some((y, end)) = self.year_spec(k2) {
            if self.w(k2) != "," {
                let anchor = Day::new(y, m, 1).map(|d| (d, Gran::Month));
                return Some(
                    M {
                        anchor,
                        ..M::date(end, format!("{y:04}-{m:02}"), 0.9)
                    }
                    .bare(),
                );
            }
        }
        if abbrev {
            return None;
        }
        // A bare month name: capitalised, and "May"/"March" only where a date is likely.
        if !self.capitalized(k) {
            return None;
        }
        if matches!(m, 3 | 5) && j == k {
            let p = if k > 0 { self.w(k - 1) } else { "" };
            let ok = matches!(
                p,
                "in" | "since"
                    | "until"
                    | "by"
                    | "early"
                    | "late"
                    | "mid"
                    | "last"
                    | "next"
                    | "this"
                    | "of"
                    | "from"
                    | "the"
                    | "to"
                    | "through"
                    | "before"
                    | "after"
                    | "between"
                    | "during"
                    | "-"
                    | "and"
                    | "or"
                    | "that"
            );
            if !ok {
                return None;
            }
        }
        let value = self.resolve_month(j, k2, m);
        let anchor = value
            .get(0..4)
            .and_then(|y| y.parse().ok())
            .and_then(|y| Day::new(y, m, 1))
            .map(|d| (d, Gran::Month));
        Some(M {
            anchor,
            ..M::date(k2, value, 0.8)
        })
    }

    /// Distance of a candidate (signed offset from the DCT) for picking the year of a
    /// month or a day without one: the nearest, with news leaning to the past unless
    /// the sentence speaks of the future.
    fn lean_cost(diff: i64, tense: Option<bool>) -> Option<i64> {
        Some(match (diff < 0, tense) {
            (true, Some(true)) => diff.checked_mul(-3)?,
            (false, Some(false)) => diff.checked_mul(PAST_LEAN)?,
            (false, None) => diff.checked_mul(2)?,
            _ => diff.checked_abs()?,
        })
    }

    fn resolve_month(&self, s: usize, e: usize, m: u32) -> String {
        let Some(dct) = self.dct else {
            return format!("XXXX-{m:02}");
        };
        let fut = self.tense_near(s, e);
        let mut best = (i64::MAX, dct.y);
        for y in [dct.y - 1, dct.y, dct.y + 1] {
            let diff =
                (i64::from(y) * 12 + i64::from(m)) - (i64::from(dct.y) * 12 + i64::from(dct.m));
            if let Some(c) = Self::lean_cost(diff, fut) {
                if c < best.0 {
                    best = (c, y);
                }
            }
        }
        format!("{:04}-{m:02}", best.1)
    }

    fn month_day(&self, j: usize, end: usize, y: Option<i32>, m: u32, d: u32) -> Option<M> {
        let y = match y {
            Some(y) => y,
            None => match self.dct {
                Some(dct) => {
                    // Nearest occurrence, leaning forward when the sentence speaks of the future.
                    let fut = self.tense_near(j, end);
                    let mut best = None;
                    for y in [dct.y - 1, dct.y, dct.y + 1] {
                        if let Some(c) = Day::new(y, m, d.min(month_len(y, m))) {
                            let Some(cost) = Self::lean_cost(c.num() - dct.num(), fut) else {
                                continue;
                            };
                            if best.is_none_or(|(bc, _)| cost < bc) {
                                best = Some((cost, y));
                            }
                        }
                    }
                    best?.1
                }
                None => return Some(M::date(end, format!("XXXX-{m:02}-{d:02}"), 0.8)),
            },
        };
        let day = Day::new(y, m, d)?;
        Some(
            M {
                anchor: Some((day, Gran::Day)),
                ..M::date(end, day.ymd(), 0.9)
            }
            .bare(),
        )
    }

    /// Years, decades, centuries, spelled-out years, numeric dates.
    fn year(&self, j: usize) -> Option<M> {
        let mut k = j;
        if self.w(k) == "fiscal" {
            k += 1;
            if self.w(k) == "year" {
                k += 1;
            }
        }
        // '80s
        if self.w(k) == "'" {
            let n = self
                .int(k + 1)
                .filter(|n| self.w(k + 1).len() == 2 && n % 10 == 0)?;
            if self.w(k + 2) == "s" && self.attached(k + 2) {
                return Some(M::date(k + 3, format!("19{}X", n / 10), 0.8));
            }
            return None;
        }
        if self.w(k) == "nineteen" {
            return self.spelled_year(k);
        }
        if let Some(v) = self.decade_word(k) {
            return Some(M::date(k + 1, v.to_string(), 0.7));
        }
        // ISO "2016-03-22" / "2016-03"; US "3/22/2016"
        if let Some(m) = self.numeric_date(k) {
            return Some(m);
        }
        if let Some(m) = self.century(k) {
            return Some(m);
        }
        let y = self.year_at(k)?;
        let prev = if j > 0 { self.w(j - 1) } else { "" };
        if matches!(prev, "$" | "#" | "no" | "." | ":" | "/") && k == j && self.attached(j)
            || prev == "$"
        {
            return None;
        }
        let next = self.w(k + 1);
        // 1990s
        if next == "s" && self.attached(k + 1) {
            if y % 10 == 0 {
                return Some(M::date(k + 2, format!("{:03}X", y / 10), 0.85));
            }
            return None;
        }
        // 20th century
        if matches!(next, "%") || next == "-" && self.is(k + 2, Kind::Num) && self.attached(k + 1) {
            return None;
        }
        // "1990 quarter" is the quarter rule's; a year followed by a count noun is a number.
        if matches!(
            self.w(k + 1),
            "shares"
                | "people"
                | "feet"
                | "miles"
                | "tons"
                | "barrels"
                | "units"
                | "troops"
                | "jobs"
                | "workers"
                | "points"
        ) {
            return None;
        }
        let anchor = Day::new(y, 1, 1).map(|d| (d, Gran::Year));
        let m = M {
            anchor,
            ..M::date(k + 1, format!("{y:04}"), 0.85)
        };
        Some(if k == j { m.bare() } else { m })
    }

    /// "the 20th century", "the nineteenth century" = 19.
    fn century(&self, k: usize) -> Option<M> {
        let (n, k2) = match self.int(k) {
            Some(n)
                if matches!(self.w(k + 1), "st" | "nd" | "rd" | "th") && self.attached(k + 1) =>
            {
                (n, k + 2)
            }
            Some(_) => return None,
            None => (lex::ordinal_word(self.w(k))?, k + 1),
        };
        let k3 = self.hyphen(k2).unwrap_or(k2);
        if self.w(k3) != "century" || !(1..=30).contains(&n) {
            return None;
        }
        Some(M::date(k3 + 1, format!("{:02}", n - 1), 0.8))
    }

    fn decade_word(&self, k: usize) -> Option<&'static str> {
        Some(match self.w(k) {
            "nineties" => "199X",
            "eighties" => "198X",
            "seventies" => "197X",
            "sixties" => "196X",
            "fifties" => "195X",
            _ => return None,
        })
        .filter(|_| k > 0 && matches!(self.w(k - 1), "the" | "early" | "late" | "mid" | "-"))
    }

    fn spelled_year(&self, k: usize) -> Option<M> {
        let tens = lex::number_word(self.w(k + 1)).filter(|n| (10..=90).contains(n))?;
        let mut n = tens;
        let mut end = k + 2;
        if tens >= 20 {
            let k2 = self.hyphen(k + 2).unwrap_or(k + 2);
            if let Some(u) = lex::number_word(self.w(k2)).filter(|&u| u < 10) {
                n += u;
                end = k2 + 1;
            }
        }
        let y = 1900 + n as i32;
        Some(M {
            anchor: Day::new(y, 1, 1).map(|d| (d, Gran::Year)),
            ..M::date(end, format!("{y}"), 0.8)
        })
    }

    fn numeric_date(&self, k: usize) -> Option<M> {
        let y = self.year_at(k);
        if let Some(y) = y {
            // 2015-W45
            if let Some(k2) = self.hyphen(k + 1) {
                if self.w(k2) == "w" && self.attached(k2 + 1) && self.w(k2 + 1).len() == 2 {
                    let wk = self.int(k2 + 1).filter(|w| (1..=53).contains(w))?;
                    return Some(M::date(k2 + 2, format!("{y:04}-W{wk:02}"), 0.9).bare());
                }
            }
            // 2016-03-22 / 2016-03
            let m = self
                .hyphen(k + 1)
                .and_then(|k2| Some((self.int(k2)?, k2)))?;
            if self.w(k + 1) != "-" || self.w(m.1).len() != 2 || !(1..=12).contains(&m.0) {
                return None;
            }
            if let Some(k3) = self.hyphen(m.1 + 1) {
                let d = self.int(k3).filter(|_| self.w(k3).len() == 2)?;
                let day = Day::new(y, m.0, d)?;
                return Some(M {
                    anchor: Some((day, Gran::Day)),
                    ..M::date(k3 + 1, day.ymd(), 0.95)
                });
            }
            return Some(M::date(m.1 + 1, format!("{y:04}-{:02}", m.0), 0.9));
        }
        // 3/22/2016 or 3/22/16
        let mo = self.int(k).filter(|m| (1..=12).contains(m))?;
        if self.w(k + 1) != "/" || !self.attached(k + 1) {
            return None;
        }
        let d = self.int(k + 2).filter(|d| (1..=31).contains(d))?;
        if self.w(k + 3) != "/" || !self.attached(k + 3) || !self.attached(k + 4) {
            return None;
        }
        let yw = self.w(k + 4);
        let yn = self.int(k + 4)? as i32;
        let y = match yw.len() {
            4 => yn,
            2 if yn >= 30 => 1900 + yn,
            2 => 2000 + yn,
            _ => return None,
        };
        let day = Day::new(y, mo, d)?;
        Some(M {
            anchor: Some((day, Gran::Day)),
            ..M::date(k + 5, day.ymd(), 0.9)
        })
    }

    // ---- deictic expressions ---------------------------------------------------------------

    fn relative(&self, j: usize) -> Option<M> {
        let w = self.w(j);
        let dct = self.dct;
        // today / yesterday / tomorrow / tonight [morning...]
        let day_off = match w {
            "today" => Some(0),
            "yesterday" => Some(-1),
            "tomorrow" => Some(1),
            _ => None,
        };
        if let Some(off) = day_off {
            let base = dct.and_then(|d| d.add_days(off));
            let ymd = base.map_or(X_DAY.to_string(), |d| d.ymd());
            if let Some(p) = lex::day_part(self.w(j + 1)) {
                return Some(M::date(j + 2, format!("{ymd}T{p}"), 0.85));
            }
            if w == "today" && self.w(j + 1) == "'" && self.w(j + 2) == "s" {
                return Some(M::date(j + 1, ymd, 0.85));
            }
            return Some(M::date(j + 1, ymd, 0.9));
        }
        if w == "tonight" {
            let ymd = dct.map_or(X_DAY.to_string(), |d| d.ymd());
            return Some(M::date(j + 1, format!("{ymd}TNI"), 0.85));
        }
        // this / last / next / the coming / the previous / the following X
        let (dir, k): (i32, usize) = match w {
            "this" => (0, j + 1),
            "last" | "past" => (-1, j + 1),
            "next" | "coming" => (1, j + 1),
            "that" => (9, j + 1),
            "the" => match self.w(j + 1) {
                "coming" | "next" | "following" => (2, j + 2),
                "previous" | "preceding" | "prior" => (-2, j + 2),
                "same" => (9, j + 2),
                "current" | "present" => (0, j + 2),
                "past" | "last" => (-1, j + 2),
                "weekend" => (0, j + 1),
                x if lex::season(x).is_some() => (0, j + 1),
                _ => return None,
            },
            "these" if self.w(j + 1) == "days" => {
                return Some(M::date(j + 2, "PRESENT_REF".into(), 0.8))
            }
            _ => return None,
        };
        let x = self.w(k);
        // narrative: "the following year", "that day", "the previous week"
        let narrative = dir.abs() == 2 || dir == 9;
        let base = if narrative {
            self.last_ref.map(|r| r.0).or(dct)
        } else {
            dct
        };
        let dir = match dir {
            2 => 1,
            -2 => -1,
            9 => 0,
            d => d,
        };
        let base_day = base;
        if let Some(p) = lex::day_part(x) {
            // this morning / last night
            if w == "this" || w == "last" && x == "night" {
                let d = base_day.and_then(|d| d.add_days(if w == "last" { -1 } else { 0 }));
                let ymd = d.map_or(X_DAY.to_string(), |d| d.ymd());
                return Some(M::date(k + 1, format!("{ymd}T{p}"), 0.85));
            }
            if w == "the" && matches!(self.w(j + 1), "next" | "following") {
                let d = base_day.and_then(|d| d.add_days(1));
                return Some(M::date(
                    k + 1,
                    d.map_or(X_DAY.to_string(), |d| d.ymd()),
                    0.7,
                ));
            }
            return None;
        }
        if let Some((u, false)) = lex::unit(x) {
            let Some(b) = base_day else {
                let v = match u {
                    Unit::Year => "XXXX",
                    Unit::Month => "XXXX-XX",
                    Unit::Week => "XXXX-WXX",
                    Unit::Day => X_DAY,
                    _ => return None,
                };
                return Some(M::date(k + 1, v.into(), 0.6));
            };
            let n = i64::from(dir);
            if u == Unit::Century && w == "this"
                || matches!(u, Unit::Century | Unit::Decade) && dir == -1
            {
                // TimeBank: "this century", "the past decade" are the years up to now.
                let v = if u == Unit::Century { "P100Y" } else { "P10Y" };
                return Some(M::new(k + 1, TimeType::Duration, v.into(), 0.6));
            }
            let (value, anchor) = match u {
                Unit::Year => {
                    // "the past year": treated as the previous calendar year, as TimeBank does.
                    let y = i64::from(b.y) + n;
                    (format!("{y:04}"), None)
                }
                Unit::Month => {
                    let d = b.add_months(n)?;
                    (d.ym(), None)
                }
                Unit::Week => (b.add_days(7 * n)?.week(), None),
                Unit::Day if narrative => {
                    let d = b.add_days(n)?;
                    (d.ymd(), Some((d, Gran::Day)))
                }
                Unit::Decade => {
                    let y = i64::from(b.y) / 10 + n;
                    (format!("{y:03}"), None)
                }
                Unit::Century => {
                    let y = i64::from(b.y) / 100 + n;
                    (format!("{y:02}"), None)
                }
                Unit::Quarter => {
                    let qi = i64::from(b.y) * 4 + i64::from(b.quarter()) - 1 + n;
                    (
                        format!("{:04}-Q{}", qi.div_euclid(4), qi.rem_euclid(4) + 1),
                        None,
                    )
                }
                _ => return None,
            };
            let mut m = M::date(k + 1, value, 0.8);
            if u == Unit::Quarter {
                let qi = i64::from(b.y) * 4 + i64::from(b.quarter()) - 1 + n;
                m.quarter = Some((qi.div_euclid(4) as i32, (qi.rem_euclid(4) + 1) as u32));
                // "the quarter" of financial news is the last one reported.
                if n == 0 && w == "this" {
                    if let Some(q) = self.last_q {
                        m.value = format!("{:04}-Q{}", q.0, q.1);
                        m.quarter = Some(q);
                    }
                }
            }
            m.anchor = anchor;
            return Some(m);
        }
        if x == "weekend" {
            let b = base_day?;
            let wd = i64::from(b.weekday());
            // The Saturday of the weekend meant: the coming one when the sentence speaks
            // of the future, else the one just past (or the current one on a weekend).
            let upcoming = (6 - wd).rem_euclid(7);
            let past = if wd >= 6 { wd - 6 } else { wd + 1 };
            let off = match dir {
                1 => upcoming,
                -1 => -past - if wd >= 6 { 7 } else { 0 },
                _ if self.future(j, k + 1) => upcoming,
                _ => -past,
            };
            let d = b.add_days(off)?;
            return Some(M::date(k + 1, format!("{}-WE", d.week()), 0.8));
        }
        if let Some(s) = lex::season(x) {
            let Some(b) = base_day else {
                return Some(M::date(k + 1, format!("XXXX-{s}"), 0.7));
            };
            let start = match s {
                "SP" => 3,
                "SU" => 6,
                "FA" => 9,
                _ => 12,
            };
            let y = match dir {
                0 => b.y,
                -1 => b.y - 1,
                _ if start > b.m => b.y,
                _ => b.y + 1,
            };
            return Some(M::date(k + 1, format!("{y:04}-{s}"), 0.8));
        }
        if let Some(wd) = lex::full_weekday(x) {
            let b = base_day?;
            let cur = b.weekday() as i64;
            let target = i64::from(wd);
            let d = match dir {
                -1 => b.add_days(-((cur - target - 1).rem_euclid(7) + 1))?,
                1 => b.add_days((target - cur - 1).rem_euclid(7) + 1)?,
                _ => {
                    if self.future(j, k + 1) {
                        b.add_days((target - cur).rem_euclid(7))?
                    } else {
                        b.add_days(-(cur - target).rem_euclid(7))?
                    }
                }
            };
            let end = k + 1;
            if lex::day_part(self.w(end)).is_some() {
                return Some(M::date(end + 1, d.ymd(), 0.8));
            }
            return Some(M {
                anchor: Some((d, Gran::Day)),
                ..M::date(end, d.ymd(), 0.8)
            });
        }
        if let Some((m, k2)) = self.month_at(k) {
            if lex::is_month_abbrev(x) {
                return None;
            }
            let b = base_day?;
            let y = match dir {
                -1 if m < b.m => b.y,
                -1 => b.y - 1,
                1 if m > b.m => b.y,
                1 => b.y + 1,
                _ => b.y,
            };
            return Some(M::date(k2, format!("{y:04}-{m:02}"), 0.8));
        }
        None
    }

    fn weekday(&self, j: usize) -> Option<M> {
        let w = self.w(j);
        // "Mondays", "Tuesday nights": recurring.
        if let Some(wd) = w
            .strip_suffix('s')
            .and_then(lex::full_weekday)
            .filter(|_| self.capitalized(j))
        {
            return Some(M::new(j + 1, TimeType::Set, format!("XXXX-WXX-{wd}"), 0.7));
        }
        let wd = lex::full_weekday(w)?;
        if let Some(p) = self.w(j + 1).strip_suffix('s').and_then(lex::day_part) {
            return Some(M::new(
                j + 2,
                TimeType::Set,
                format!("XXXX-WXX-{wd}T{p}"),
                0.7,
            ));
        }
        if !self.capitalized(j) {
            return None;
        }
        let mut end = j + 1;
        let part = lex::day_part(self.w(end));
        if part.is_some() {
            end += 1;
        }
        let Some(b) = self.dct else {
            let v = match part {
                Some(p) => format!("XXXX-WXX-{wd}T{p}"),
                None => format!("XXXX-WXX-{wd}"),
            };
            return Some(M::date(end, v, 0.7));
        };
        let cur = i64::from(b.weekday());
        let target = i64::from(wd);
        let d = if self.future(j, end) {
            b.add_days((target - cur).rem_euclid(7))?
        } else {
            b.add_days(-(cur - target).rem_euclid(7))?
        };
        // "Friday night": TimeBank mostly gives the day only (the part of day stays in
        // the extent); "this morning" / "tonight" keep theirs.
        let value = d.ymd();
        Some(M {
            anchor: Some((d, Gran::Day)),
            ..M::date(end, value, 0.8)
        })
    }

    /// Fixed and movable public holidays (US news): resolved to the nearest occurrence.
    fn holiday(&self, j: usize) -> Option<M> {
        if !self.capitalized(j) {
            return None;
        }
        let w = self.w(j);
        let next = self.w(j + 1);
        // (month, day) or (month, weekday, n-th; 0 = last), and the tokens used
        let (rule, end): ((u32, u32, i32), usize) = match w {
            "christmas" if next == "eve" => ((12, 24, -1), j + 2),
            "christmas" => ((12, 25, -1), if next == "day" { j + 2 } else { j + 1 }),
            "halloween" => ((10, 31, -1), j + 1),
            "thanksgiving" => ((11, 4, 4), if next == "day" { j + 2 } else { j + 1 }),
            "election" if next == "day" => ((11, 0, 0), j + 2),
            "labor" if next == "day" => ((9, 1, 1), j + 2),
            "memorial" if next == "day" => ((5, 1, 0), j + 2),
            "independence" if next == "day" => ((7, 4, -1), j + 2),
            "veterans" if next == "day" => ((11, 11, -1), j + 2),
            "new" if next == "year" && self.w(j + 2) == "'" && self.w(j + 3) == "s" => {
                let e = if matches!(self.w(j + 4), "day" | "eve") {
                    j + 5
                } else {
                    j + 4
                };
                let eve = self.w(j + 4) == "eve";
                (if eve { (12, 31, -1) } else { (1, 1, -1) }, e)
            }
            _ => return None,
        };
        let date_in = |y: i32| -> Option<Day> {
            let (m, a, n) = rule;
            if n < 0 {
                return Day::new(y, m, a);
            }
            if n == 0 && a == 0 {
                // Election Day: the Tuesday after the first Monday of November.
                let first = Day::new(y, m, 1)?;
                let to_monday = (8 - i64::from(first.weekday())) % 7;
                return first.add_days(to_monday + 1);
            }
            if n == 0 {
                // last weekday `a` of the month
                let last = Day::new(y, m, month_len(y, m))?;
                return last.add_days(-((i64::from(last.weekday()) - i64::from(a)).rem_euclid(7)));
            }
            let first = Day::new(y, m, 1)?;
            let off =
                (i64::from(a) - i64::from(first.weekday())).rem_euclid(7) + 7 * (i64::from(n) - 1);
            first.add_days(off)
        };
        let Some(dct) = self.dct else {
            return Some(M::date(end, X_DAY.into(), 0.6));
        };
        let fut = self.tense_near(j, end);
        let mut dir = 0;
        if j > 0 {
            match self.w(j - 1) {
                "last" => dir = -1,
                "next" => dir = 1,
                _ => {}
            }
        }
        let mut best: Option<(i64, Day)> = None;
        for y in [dct.y - 1, dct.y, dct.y + 1] {
            let Some(d) = date_in(y) else { continue };
            let diff = d.num() - dct.num();
            if dir < 0 && diff >= 0 || dir > 0 && diff <= 0 {
                continue;
            }
            let Some(c) = Self::lean_cost(diff, fut) else {
                continue;
            };
            if best.is_none_or(|(bc, _)| c < bc) {
                best = Some((c, d));
            }
        }
        let d = best?.1;
        Some(M {
            anchor: Some((d, Gran::Day)),
            ..M::date(end, d.ymd(), 0.8)
        })
    }

    // ---- quarters and halves ------------------------------------------------------------------

    fn quarter(&self, j: usize) -> Option<M> {
        let mut k = j;
        let det = self.w(k) == "the";
        if det {
            k += 1;
        }
        let dct = self.dct;
        // Year qualifiers: "1988", "this year's", "last year's", "year-ago", "year-earlier"
        let mut year: Option<i32> = None;
        let mut back = false;
        if let Some(y) = self.year_at(k) {
            year = Some(y);
            k += 1;
        } else if matches!(self.w(k), "this" | "last" | "next")
            && self.w(k + 1) == "year"
            && self.w(k + 2) == "'"
            && self.w(k + 3) == "s"
        {
            let d = dct?;
            year = Some(match self.w(k) {
                "this" => d.y,
                "last" => d.y - 1,
                _ => d.y + 1,
            });
            k += 4;
        } else if self.w(k) == "year"
            && matches!(self.w(k + 2), "ago" | "earlier")
            && self.hyphen(k + 1).is_some()
        {
            back = true;
            k += 3;
        }
        if self.w(k) == "fiscal" {
            k += 1;
        }
        let qw = self.w(k);
        let mut qn: Option<u32> = None;
        let mut latest = false;
        let mut current = false;
        let mut bare = false;
        match qw {
            "first" | "second" | "third" | "fourth" => {
                qn = lex::ordinal_word(qw);
                k += 1;
            }
            "latest" | "recent" | "most" | "same" | "comparable" | "year-ago" | "corresponding" => {
                latest = true;
                k += if qw == "most" && self.w(k + 1) == "recent" {
                    2
                } else {
                    1
                };
            }
            "current" | "present" => {
                current = true;
                k += 1;
            }
            "last" => {
                // "last half of 1989"
                if self.w(k + 1) == "half" {
                    qn = Some(4);
                    k += 1;
                } else {
                    return None;
                }
            }
            _ => {
                if let Some(n) = self.int(k).filter(|n| (1..=4).contains(n)) {
                    if matches!(self.w(k + 1), "st" | "nd" | "rd" | "th") && self.attached(k + 1) {
                        qn = Some(n);
                        k += 2;
                    }
                }
                if qn.is_none() {
                    bare = true;
                }
            }
        }
        if let Some(h) = self.hyphen(k) {
            if qn.is_some() {
                // "third-quarter profit": an adjective, without the noun phrase's determiner
                if det {
                    return None;
                }
                k = h;
            }
        }
        if self.w(k) == "fiscal" {
            k += 1;
        }
        let noun = self.w(k);
        let is_half = noun == "half";
        let is_period = noun == "period";
        if !(noun == "quarter"
            || is_half && qn.is_some()
            || is_period && (latest || back || year.is_some()))
        {
            return None;
        }
        // bare "quarter" needs a determiner or a year ("the quarter", "the 1988 quarter")
        if bare && !back && k == j {
            return None;
        }
        if bare && !back && year.is_none() && self.w(j) != "the" {
            return None;
        }
        if is_half && qn.is_some_and(|q| q > 2 && q != 4) {
            return None;
        }
        let mut end = k + 1;
        // "of 1990", "of this year", "of fiscal 1990"
        if self.w(end) == "of" {
            let k2 = if self.w(end + 1) == "fiscal" {
                end + 2
            } else {
                end + 1
            };
            if let Some(y) = self.year_at(k2) {
                year = Some(y);
                end = k2 + 1;
            } else if let (Some(d), "year") = (dct, self.w(k2 + 1)) {
                let y = match self.w(k2) {
                    "this" | "the" => Some(d.y),
                    "last" => Some(d.y - 1),
                    "next" => Some(d.y + 1),
                    _ => None,
                };
                if let Some(y) = y {
                    year = Some(y);
                    end = k2 + 2;
                }
            }
        }
        if is_half {
            let h = if qn == Some(1) { 1 } else { 2 };
            let y = match year.or(self.last_q.map(|q| q.0)).or(dct.map(|d| d.y)) {
                Some(y) => format!("{y:04}"),
                None => "XXXX".into(),
            };
            return Some(M::date(end, format!("{y}-H{h}"), 0.8));
        }
        let Some(d) = dct else {
            let v = match (year, qn) {
                (Some(y), Some(q)) => format!("{y:04}-Q{q}"),
                (None, Some(q)) => format!("XXXX-Q{q}"),
                (Some(y), None) => format!("{y:04}-QX"),
                _ => "XXXX-QX".into(),
            };
            return Some(M::date(end, v, 0.7));
        };
        // The quarter last reported: the narrative's, else the one before the DCT's.
        let reported = self.last_q.unwrap_or_else(|| {
            let qi = d.y * 4 + d.quarter() as i32 - 2;
            (qi.div_euclid(4), (qi.rem_euclid(4) + 1) as u32)
        });
        let (y, q) = if let Some(q) = qn {
            let y = year.unwrap_or_else(|| {
                let start = (q - 1) * 3 + 1;
                if start > d.m && !self.future(j, end) {
                    d.y - 1
                } else {
                    d.y
                }
            });
            (y, q)
        } else if current {
            (year.unwrap_or(d.y), d.quarter())
        } else if let Some(y) = year {
            (y, reported.1)
        } else {
            reported
        };
        let y = if back { y - 1 } else { y };
        let mut m = M::date(end, format!("{y:04}-Q{q}"), 0.85);
        if !back {
            m.quarter = Some((y, q));
        }
        Some(m)
    }

    // ---- clock times ---------------------------------------------------------------------------------

    fn ampm(&self, k: usize) -> Option<(bool, usize)> {
        let w = self.w(k);
        match w {
            "am" | "pm" => return Some((w == "pm", k + 1)),
            "a" | "p" => {}
            _ => return None,
        }
        if self.w(k + 1) != "."
            || self.w(k + 2) != "m"
            || !self.attached(k + 1)
            || !self.attached(k + 2)
        {
            return None;
        }
        let end = if self.w(k + 3) == "." && self.attached(k + 3) {
            k + 4
        } else {
            k + 3
        };
        Some((w == "p", end))
    }

    fn clock(&self, j: usize) -> Option<M> {
        let w = self.w(j);
        let (h, mi, mut end) = if w == "noon" || w == "midday" {
            (12, 0, j + 1)
        } else if w == "midnight" {
            (24, 0, j + 1)
        } else if self.is(j, Kind::Num) {
            let (h, mi) = if let Some((a, b)) = w.split_once(':') {
                if a.len() > 2 || b.len() != 2 {
                    return None;
                }
                (a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)
            } else {
                (self.int(j)?, 0)
            };
            if h > 24 || mi > 59 {
                return None;
            }
            match self.ampm(j + 1) {
                Some((pm, e)) => {
                    if h == 0 || h > 12 {
                        return None;
                    }
                    let h = if pm && h < 12 {
                        h + 12
                    } else if !pm && h == 12 {
                        0
                    } else {
                        h
                    };
                    (h, mi, e)
                }
                None if w.contains(':') && self.w(j + 1) != ":" => {
                    // A bare "10:30" is a time only next to a time word.
                    let tz = matches!(
                        self.w(j + 1),
                        "gmt" | "utc" | "est" | "edt" | "local" | "hours" | "h"
                    );
                    let after_prep = j > 0
                        && matches!(
                            self.w(j - 1),
                            "at" | "until" | "by" | "from" | "before" | "after"
                        );
                    if !tz && !after_prep {
                        return None;
                    }
                    (h, mi, j + 1)
                }
                None => return None,
            }
        } else {
            return None;
        };
        if matches!(
            self.w(end),
            "est" | "edt" | "gmt" | "cst" | "cdt" | "pst" | "pdt" | "utc" | "mst" | "mdt"
        ) {
            end += 1;
        }
        // an attached day: "10 p.m. Wednesday", "5 p.m. EST, Nov. 9", "noon today"
        let mut k = end;
        if self.w(k) == ","
            && (lex::month(self.w(k + 1)).is_some() || lex::full_weekday(self.w(k + 1)).is_some())
        {
            k += 1;
        }
        let mut day = None;
        let mut after = end;
        if let Some(m) = self
            .explicit(k)
            .or_else(|| self.weekday(k))
            .or_else(|| self.relative(k))
        {
            if !m.value.contains('T') && m.value.len() == 10 {
                day = Some(m.value);
                after = m.end;
            }
        }
        if day.is_none() && (w == "noon" || w == "midnight") {
            return None;
        }
        let base = day.unwrap_or_else(|| self.dct.map_or(X_DAY.to_string(), |d| d.ymd()));
        let v = if mi == 0 && w == "midnight" {
            format!("{base}T{h:02}")
        } else {
            format!("{base}T{h:02}:{mi:02}")
        };
        Some(M::new(after, TimeType::Time, v, 0.85))
    }

    // ---- sets, references, "the year" ---------------------------------------------------------------

    fn set(&self, j: usize) -> Option<M> {
        let w = self.w(j);
        let simple = match w {
            "daily" => Some("P1D"),
            "weekly" => Some("P1W"),
            "monthly" => Some("P1M"),
            "annually" | "yearly" => Some("P1Y"),
            "hourly" => Some("PT1H"),
            _ => None,
        };
        if let Some(v) = simple {
            return Some(M::new(j + 1, TimeType::Set, v.into(), 0.75));
        }
        if !matches!(w, "every" | "each") {
            return None;
        }
        let mut k = j + 1;
        if self.w(k) == "other" {
            k += 1;
        }
        let x = self.w(k);
        if let Some((u, false)) = lex::unit(x) {
            let n = if self.w(j + 1) == "other" { 2 } else { 1 };
            let v = if u == Unit::Quarter {
                format!("P{n}Q")
            } else {
                Self::dur_value(Some(n), u)
            };
            return Some(M::new(k + 1, TimeType::Set, v, 0.8));
        }
        if let Some((n, k2)) = self.number(k).filter(|_| self.w(k) != "a") {
            if let Some((u, true, k3)) = self.unit(k2) {
                return Some(M::new(k3, TimeType::Set, Self::dur_value(n, u), 0.8));
            }
        }
        if let Some(d) = lex::full_weekday(x) {
            return Some(M::new(k + 1, TimeType::Set, format!("XXXX-WXX-{d}"), 0.8));
        }
        if let Some(m) = lex::month(x).filter(|_| !lex::is_month_abbrev(x)) {
            return Some(M::new(k + 1, TimeType::Set, format!("XXXX-{m:02}"), 0.8));
        }
        if let Some(p) = lex::day_part(x) {
            return Some(M::new(k + 1, TimeType::Set, format!("XXXX-XX-XXT{p}"), 0.8));
        }
        if let Some(s) = lex::season(x) {
            return Some(M::new(k + 1, TimeType::Set, format!("XXXX-{s}"), 0.8));
        }
        None
    }

    fn refs(&self, j: usize) -> Option<M> {
        let w = self.w(j);
        let next = self.w(j + 1);
        let r = |end: usize, v: &str| Some(M::date(end, v.to_string(), 0.7));
        match w {
            "now" => {
                if next == "that" || j > 0 && self.w(j - 1) == "'" {
                    return None;
                }
                r(j + 1, "PRESENT_REF")
            }
            "currently" | "nowadays" => r(j + 1, "PRESENT_REF"),
            // TimeBank marks the adjective too ("current market conditions"): slightly positive on train.
            "current" => r(j + 1, "PRESENT_REF"),
            "recently" => r(j + 1, "PAST_REF"),
            "more" if next == "recently" => r(j + 2, "PAST_REF"),
            "recent" => match lex::unit(next) {
                Some((_, true)) => r(j + 2, "PAST_REF"),
                _ => None,
            },
            "the" => match next {
                "past" => {
                    // "the past" alone (the duration rule takes "the past three years")
                    r(j + 2, "PAST_REF")
                }
                "future" => r(j + 2, "FUTURE_REF"),
                "near" | "foreseeable" | "distant" if self.w(j + 2) == "future" => {
                    r(j + 3, "FUTURE_REF")
                }
                _ => None,
            },
            "future" if lex::unit(next).is_some_and(|u| u.1) => r(j + 2, "FUTURE_REF"),
            "coming" if lex::unit(next).is_some_and(|u| u.1) => {
                let (u, _) = lex::unit(next)?;
                Some(M::new(
                    j + 2,
                    TimeType::Duration,
                    Self::dur_value(None, u),
                    0.6,
                ))
            }
            "for" | "over" | "in" | "within" => None,
            _ => {
                // bare plural units after "for": "for years"
                None
            }
        }
    }

    /// "the year" / "the month" / "the week" / "for years" / "year-earlier" / "day-long".
    fn the_unit(&self, j: usize) -> Option<M> {
        let w = self.w(j);
        let d = self.dct;
        if let (Some((u, pl)), Some(k)) = (lex::unit(w), self.hyphen(j + 1)) {
            if self.w(k) == "long" {
                let v = Self::dur_value(if pl { None } else { Some(1) }, u);
                return Some(M::new(k + 1, TimeType::Duration, v, 0.7).bare());
            }
        }
        if w == "year" && self.hyphen(j + 1).is_some() && matches!(self.w(j + 2), "earlier" | "ago")
        {
            let v = match (self.last_q, d) {
                (Some((y, q)), _) => format!("{:04}-Q{q}", y - 1),
                (None, Some(d)) => format!("{:04}", d.y - 1),
                _ => "XXXX".into(),
            };
            return Some(M::date(j + 3, v, 0.6).bare());
        }
        let prev = if j > 0 { self.w(j - 1) } else { "" };
        if matches!(w, "years" | "decades" | "months" | "centuries" | "weeks")
            && (prev == "for" || prev == "within" || prev == "in" && w != "months" && w != "weeks")
        {
            let (u, _) = lex::unit(w)?;
            return Some(M::new(
                j + 1,
                TimeType::Duration,
                Self::dur_value(None, u),
                0.6,
            ));
        }
        if w != "the" {
            return None;
        }
        let mut k = j + 1;
        if matches!(self.w(k), "full" | "entire" | "whole" | "current") {
            k += 1;
        }
        if self.w(k) == "fiscal" && self.w(k + 1) == "year" {
            k += 1;
        }
        // "the year 2000", "the year two thousand"
        if self.w(k) == "year" {
            if let Some(y) = self.year_at(k + 1) {
                return Some(M::date(k + 2, format!("{y:04}"), 0.85));
            }
            if self.w(k + 1) == "two" && self.w(k + 2) == "thousand" {
                return Some(M::date(k + 3, "2000".into(), 0.8));
            }
        }
        let (u, plural) = lex::unit(self.w(k))?;
        if plural {
            return None;
        }
        let next = self.w(k + 1);
        if matches!(next, "ended" | "ending" | "ends" | "-")
            || next == "to" && self.is(k + 2, Kind::Word)
        {
            if next == "-" {
                return None;
            }
            return Some(M::new(
                k + 1,
                TimeType::Duration,
                Self::dur_value(Some(1), u),
                0.6,
            ));
        }
        let d = d?;
        let v = match u {
            Unit::Year => format!("{:04}", d.y),
            Unit::Month => d.ym(),
            Unit::Week => d.week(),
            _ => return None,
        };
        Some(M::date(k + 1, v, 0.6))
    }
}
