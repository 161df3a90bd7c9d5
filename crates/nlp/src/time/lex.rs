//! A small tokenizer and the temporal lexicon (month and day names, units, number
//! words, trigger words) used by the rules.

use rustc_hash::FxHashSet;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Word,
    Num,
    Punct,
}

/// A token: byte span into the text, its kind, and whether whitespace precedes it.
#[derive(Debug, Clone, Copy)]
pub struct Tok {
    pub s: usize,
    pub e: usize,
    pub kind: Kind,
    pub space: bool,
}

/// Words (ASCII letters; other alphabetic chars join them), digit runs (with inner
/// `,` `.` `:` between digits, e.g. `3,000`, `10:30`) and single punctuation chars.
pub fn tokenize(text: &str) -> Vec<Tok> {
    let mut out = Vec::with_capacity(text.len() / 5);
    let b = text.as_bytes();
    let mut i = 0;
    let mut last_end = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let s = i;
        let kind;
        if c.is_ascii_alphabetic() || c >= 0x80 && is_alpha_at(text, i) {
            while i < b.len()
                && (b[i].is_ascii_alphabetic() || b[i] >= 0x80 && is_alpha_at(text, i))
            {
                i += char_len(b[i]);
            }
            kind = Kind::Word;
        } else if c.is_ascii_digit() {
            while i < b.len() {
                // digits, and separators between two digits ("3,000", "10:30")
                let inner_sep = matches!(b[i], b',' | b'.' | b':')
                    && b.get(i + 1).is_some_and(u8::is_ascii_digit)
                    && b.get(i - 1).is_some_and(u8::is_ascii_digit);
                if b[i].is_ascii_digit() || inner_sep {
                    i += 1;
                } else {
                    break;
                }
            }
            kind = Kind::Num;
        } else {
            i += char_len(c);
            kind = Kind::Punct;
        }
        let e = i.min(b.len());
        out.push(Tok {
            s,
            e,
            kind,
            space: s > last_end || s == 0,
        });
        last_end = e;
        i = e;
    }
    out
}

fn char_len(lead: u8) -> usize {
    match lead {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

fn is_alpha_at(text: &str, i: usize) -> bool {
    text.get(i..)
        .and_then(|r| r.chars().next())
        .is_some_and(char::is_alphabetic)
}

pub fn month(w: &str) -> Option<u32> {
    Some(match w {
        "january" | "jan" => 1,
        "february" | "feb" => 2,
        "march" | "mar" => 3,
        "april" | "apr" => 4,
        "may" => 5,
        "june" | "jun" => 6,
        "july" | "jul" => 7,
        "august" | "aug" => 8,
        "september" | "sept" | "sep" => 9,
        "october" | "oct" => 10,
        "november" | "nov" => 11,
        "december" | "dec" => 12,
        _ => return None,
    })
}

/// Abbreviated month names that need a following period or a day number.
pub fn is_month_abbrev(w: &str) -> bool {
    matches!(
        w,
        "jan"
            | "feb"
            | "mar"
            | "apr"
            | "jun"
            | "jul"
            | "aug"
            | "sept"
            | "sep"
            | "oct"
            | "nov"
            | "dec"
    )
}

pub fn weekday(w: &str) -> Option<u32> {
    Some(match w {
        "monday" | "mon" => 1,
        "tuesday" | "tues" | "tue" => 2,
        "wednesday" | "wed" => 3,
        "thursday" | "thurs" | "thu" => 4,
        "friday" | "fri" => 5,
        "saturday" | "sat" => 6,
        "sunday" | "sun" => 7,
        _ => return None,
    })
}

pub fn full_weekday(w: &str) -> Option<u32> {
    if w.len() >= 6 {
        weekday(w)
    } else {
        None
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Year,
    Month,
    Week,
    Day,
    Hour,
    Minute,
    Second,
    Decade,
    Century,
    Quarter,
}

impl Unit {
    /// The ISO 8601 duration letter, and whether it needs the `T` time marker.
    pub fn letter(self) -> (&'static str, bool) {
        match self {
            Unit::Year => ("Y", false),
            Unit::Month => ("M", false),
            Unit::Week => ("W", false),
            Unit::Day => ("D", false),
            Unit::Hour => ("H", true),
            Unit::Minute => ("M", true),
            Unit::Second => ("S", true),
            Unit::Decade => ("E", false),
            Unit::Century => ("C", false),
            Unit::Quarter => ("Q", false),
        }
    }
}

/// A unit noun: (unit, plural).
pub fn unit(w: &str) -> Option<(Unit, bool)> {
    Some(match w {
        "year" => (Unit::Year, false),
        "years" => (Unit::Year, true),
        "month" => (Unit::Month, false),
        "months" => (Unit::Month, true),
        "week" => (Unit::Week, false),
        "weeks" => (Unit::Week, true),
        "day" => (Unit::Day, false),
        "days" => (Unit::Day, true),
        "hour" => (Unit::Hour, false),
        "hours" => (Unit::Hour, true),
        "minute" => (Unit::Minute, false),
        "minutes" => (Unit::Minute, true),
        "second" => (Unit::Second, false),
        "seconds" => (Unit::Second, true),
        "decade" => (Unit::Decade, false),
        "decades" => (Unit::Decade, true),
        "century" => (Unit::Century, false),
        "centuries" => (Unit::Century, true),
        "quarter" => (Unit::Quarter, false),
        "quarters" => (Unit::Quarter, true),
        _ => return None,
    })
}

/// Cardinal number words.
pub fn number_word(w: &str) -> Option<u32> {
    Some(match w {
        "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "thirteen" => 13,
        "fourteen" => 14,
        "fifteen" => 15,
        "sixteen" => 16,
        "seventeen" => 17,
        "eighteen" => 18,
        "nineteen" => 19,
        "twenty" => 20,
        "thirty" => 30,
        "forty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        "seventy" => 70,
        "eighty" => 80,
        "ninety" => 90,
        "hundred" => 100,
        _ => return None,
    })
}

pub fn ordinal_word(w: &str) -> Option<u32> {
    Some(match w {
        "first" => 1,
        "second" => 2,
        "third" => 3,
        "fourth" => 4,
        "fifth" => 5,
        "sixth" => 6,
        "seventh" => 7,
        "eighth" => 8,
        "ninth" => 9,
        "tenth" => 10,
        "eleventh" => 11,
        "twelfth" => 12,
        "thirteenth" => 13,
        "fourteenth" => 14,
        "fifteenth" => 15,
        "sixteenth" => 16,
        "seventeenth" => 17,
        "eighteenth" => 18,
        "nineteenth" => 19,
        "twentieth" => 20,
        "twenty-first" => 21,
        _ => return None,
    })
}

pub fn season(w: &str) -> Option<&'static str> {
    Some(match w {
        "spring" => "SP",
        "summer" => "SU",
        "fall" | "autumn" => "FA",
        "winter" => "WI",
        _ => return None,
    })
}

pub fn day_part(w: &str) -> Option<&'static str> {
    Some(match w {
        "morning" => "MO",
        "afternoon" => "AF",
        "evening" => "EV",
        "night" => "NI",
        _ => return None,
    })
}

/// Words that can begin a temporal expression (besides numbers). A token that is
/// neither a number nor in this set is skipped without any rule being tried.
pub fn is_start_word(w: &str) -> bool {
    static SET: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        const WORDS: &[&str] = &[
            "the",
            "a",
            "an",
            "this",
            "that",
            "these",
            "last",
            "next",
            "past",
            "coming",
            "previous",
            "following",
            "latest",
            "first",
            "early",
            "earlier",
            "late",
            "later",
            "mid",
            "middle",
            "end",
            "christmas",
            "halloween",
            "thanksgiving",
            "election",
            "labor",
            "memorial",
            "independence",
            "veterans",
            "new",
            "beginning",
            "start",
            "about",
            "around",
            "approximately",
            "nearly",
            "almost",
            "roughly",
            "some",
            "more",
            "less",
            "at",
            "over",
            "up",
            "just",
            "only",
            "no",
            "today",
            "yesterday",
            "tomorrow",
            "tonight",
            "now",
            "currently",
            "current",
            "recently",
            "recent",
            "previously",
            "future",
            "soon",
            "nowadays",
            "daily",
            "weekly",
            "monthly",
            "annually",
            "yearly",
            "hourly",
            "quarterly",
            "every",
            "each",
            "fiscal",
            "its",
            "their",
            "several",
            "few",
            "many",
            "couple",
            "year",
            "month",
            "week",
            "day",
            "years",
            "months",
            "weeks",
            "days",
            "hours",
            "decade",
            "decades",
            "centuries",
            "century",
            "quarter",
            "weekend",
            "noon",
            "midnight",
            "overnight",
            "morning",
            "afternoon",
            "evening",
            "night",
            "half",
            "same",
            "year-earlier",
            "within",
            "once",
            "then",
            "spring",
            "summer",
            "fall",
            "autumn",
            "winter",
            "nineteen",
            "nineties",
            "eighties",
            "seventies",
            "sixties",
            "twenty",
            "final",
            "initial",
            "second",
            "third",
            "fourth",
            "full",
            "entire",
            "whole",
            "year-end",
            "midday",
            "late-night",
            "ago",
            "hundred",
            "half-hour",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "fifteen",
            "thirty",
            "forty",
            "fifty",
            "sixty",
            "eighty",
            "ninety",
            "thirteen",
            "fourteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "seventy",
        ];
        let mut s: FxHashSet<&'static str> = WORDS.iter().copied().collect();
        for m in [
            "january",
            "jan",
            "february",
            "feb",
            "march",
            "mar",
            "april",
            "apr",
            "may",
            "june",
            "jun",
            "july",
            "jul",
            "august",
            "aug",
            "september",
            "sept",
            "sep",
            "october",
            "oct",
            "november",
            "nov",
            "december",
            "dec",
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
        ] {
            s.insert(m);
        }
        s
    })
    .contains(w)
}
