//! Tokenizer and sentence splitter (byte offsets into the text).
//!
//! # Tokens
//!
//! [`tokenize`] is one pass over the bytes: it cuts the text at whitespace into chunks, emits a
//! chunk of ASCII letters and digits as it is (the common case), and splits other chunks by
//! rules in the style of the Penn Treebank / CoNLL-2003 tokenisation:
//!
//! * punctuation is split off (`"no."` → `"` `no` `.`), runs of one mark stay together
//!   (`--`, `...`, `**`);
//! * possessives and contractions are split: `Germany's` → `Germany` `'s`, `don't` → `do` `n't`
//!   (straight and curly apostrophes); other inner apostrophes stay (`O'Brien`, `d'etat`);
//! * word-internal `- . , : / & _ @ '` between letters or digits stay: `al-Qaida`, `U.S`,
//!   `1,200.50`, `10:30`, `22/03/2016`, `2016-03-22`, `AT&T`, `jane@example.org`
//!   (`,` and `:` only between digits);
//! * a final period stays on known abbreviations (`Gen.`, `Jan.`, `Inc.`, `St.`, `No.` before a
//!   number), initials (`J.`), words with inner periods (`U.S.`, `a.m.`) and list numbers at the
//!   start of a line (`1.`);
//! * URLs (`http://`, `https://`, `www.`), e-mail addresses, `@handles` and `#hashtags` are one
//!   token; signs and leading decimal points stay on numbers (`+22`, `-3`, `.500`);
//! * `$` `%` `£` `€` are split from numbers (`$` `135m`), but `US$`, `C$` stay whole.
//!
//! Text that is already tokenised with single spaces (CoNLL-2003) comes back token for token.
//! Offsets are exact; nothing is normalised or dropped but whitespace.
//!
//! # Sentences
//!
//! [`sentence_starts`] breaks after `. ! ? …` (and the closing quotes or brackets that follow)
//! unless the next token starts in lower case; after an abbreviation only when the next token
//! is a typical sentence opener ("in the U.S. The next day"); never after titles (`Mr.`, `Gen.`)
//! or initials. A blank line always breaks; a single line break breaks after a heading-like line
//! (short or capitalised, without final punctuation) followed by a capitalised line, and before
//! bullets.

use crate::doc::Token;

/// Byte classes for the ASCII fast path.
const SP: u8 = 0;
const AN: u8 = 1;
const PU: u8 = 2;

static CLASS: [u8; 128] = {
    let mut t = [PU; 128];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        if b.is_ascii_alphanumeric() {
            t[i] = AN;
        } else if b == b' ' || b == b'\t' || b == b'\n' || b == b'\r' || b == 0x0b || b == 0x0c {
            t[i] = SP;
        }
        i += 1;
    }
    t
};

/// Letters, digits and combining marks (so accented and Arabic words stay whole).
#[inline]
fn is_word(c: char) -> bool {
    c.is_alphanumeric()
        || matches!(c as u32,
            0x00AD | 0x200C | 0x200D | 0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05C7
            | 0x0610..=0x061A | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06ED
            | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

#[inline]
fn is_apos(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}')
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\u{2028}' | '\u{2029}' | '\u{85}')
}

/// Abbreviations that keep their period. Case-sensitive: "Mar." is March, "mar." is not.
const ABBREVIATIONS: &[&str] = &[
    // titles and ranks
    "Mr", "Mrs", "Ms", "Messrs", "Mme", "Mlle", "Dr", "Prof", "Gen", "Lt", "Col", "Maj", "Capt",
    "Cpt", "Sgt", "Cpl", "Pte", "Pvt", "Adm", "Cmdr", "Cdr", "Brig", "Rev", "Sen", "Rep", "Gov",
    "Pres", "Hon", "Fr", "Sr", "Jr", "Sra", "Sta", "Lieut", "Supt", "Insp", "Det", "Cllr", "Amb",
    "Atty", "Esq", "St", "Mt", "Ft", "Ste", "Ave", "Blvd", "Rd", "Sq", "Hwy", "Pl",
    // organisations
    "Inc", "Corp", "Ltd", "Co", "Bros", "Cos", "Plc", "Dept", "Univ", "Assn", "Intl", "Gov't",
    // months and days
    "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "Mon",
    "Tue", "Tues", "Wed", "Thu", "Thur", "Thurs", "Fri", "Sat", "Sun",
    // US states as written in wire copy
    "Ala", "Ariz", "Ark", "Calif", "Colo", "Conn", "Del", "Fla", "Ga", "Ill", "Ind", "Kan", "Kans",
    "Ky", "La", "Md", "Mass", "Mich", "Minn", "Miss", "Mo", "Mont", "Neb", "Nev", "Okla", "Ore",
    "Pa", "Penn", "Tenn", "Tex", "Va", "Vt", "Wash", "Wis", "Wyo", // lower-case
    "vs", "etc", "approx", "fig", "figs", "vol", "vols", "ch", "chap", "sec", "para", "pp", "cf",
    "al", "ca", "viz", "esp", "incl", "est", "Fig", "Vol", "Ch", "Art", "Nos", "Sec", "Para", "Op",
    "Ref", // upper-case forms seen in headlines
    "ST", "MR", "DR", "GEN", "INC", "CORP", "CO", "LTD", "JAN", "FEB", "AUG", "SEPT", "OCT", "NOV",
    "DEC", "VS",
];

/// Abbreviations that (nearly) never end a sentence: the next token belongs to the same one.
const TITLES: &[&str] = &[
    "Mr", "Mrs", "Ms", "Messrs", "Mme", "Mlle", "Dr", "Prof", "Gen", "Lt", "Col", "Maj", "Capt",
    "Cpt", "Sgt", "Cpl", "Pte", "Pvt", "Adm", "Cmdr", "Cdr", "Brig", "Rev", "Sen", "Rep", "Gov",
    "Pres", "Hon", "Fr", "Sra", "Lieut", "Supt", "Insp", "Det", "Cllr", "Amb", "Atty", "St", "Mt",
    "Ft", "Ste", "vs", "cf", "approx", "viz", "incl", "Nos", "No", "MR", "DR", "GEN", "ST", "VS",
    "fig", "Fig", "vol", "Vol", "pp", "ch", "Ch", "Art", "Op", "Ref", "Sec", "Para",
];

/// Closed-class words that typically open a sentence; after an ambiguous abbreviation
/// ("U.S.", "Inc.", "a.m.") a capitalised one of these means a new sentence.
const SENTENCE_OPENERS: &[&str] = &[
    "the",
    "a",
    "an",
    "this",
    "that",
    "these",
    "those",
    "there",
    "it",
    "its",
    "he",
    "she",
    "they",
    "we",
    "i",
    "you",
    "his",
    "her",
    "their",
    "our",
    "my",
    "but",
    "and",
    "or",
    "so",
    "yet",
    "in",
    "on",
    "at",
    "for",
    "from",
    "after",
    "before",
    "during",
    "since",
    "while",
    "when",
    "where",
    "if",
    "as",
    "although",
    "though",
    "however",
    "meanwhile",
    "also",
    "some",
    "many",
    "most",
    "several",
    "other",
    "one",
    "two",
    "three",
    "both",
    "all",
    "no",
    "not",
    "what",
    "who",
    "which",
    "why",
    "how",
    "officials",
    "according",
    "last",
    "earlier",
    "later",
    "then",
    "now",
    "today",
    "yesterday",
    "on",
    "by",
    "with",
    "under",
    "despite",
    "still",
    "separately",
    "instead",
    "such",
    "each",
    "every",
    "more",
    "further",
    "about",
];

fn is_abbreviation(word: &str, next_is_digit: bool) -> bool {
    if ABBREVIATIONS.contains(&word) {
        return true;
    }
    // "No. 10", "no. 3": only before a number, otherwise it is the word "no".
    matches!(word, "No" | "no" | "NO" | "Nos" | "Art" | "art") && next_is_digit
}

/// Splits text into tokens (byte ranges); see the module docs for the rules.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(text.len() / 5 + 1);
    let mut buf: Vec<(usize, char)> = Vec::new();
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut i = 0;
    let mut line_start = true;
    while i < n {
        let b = bytes[i];
        if b < 128 {
            if CLASS[b as usize] == SP {
                if b == b'\n' {
                    line_start = true;
                }
                i += 1;
                continue;
            }
        } else if let Some(c) = text.get(i..).and_then(|s| s.chars().next()) {
            if c.is_whitespace() {
                line_start |= is_line_break(c);
                i += c.len_utf8();
                continue;
            }
        } else {
            // Not on a char boundary cannot happen (we advance by whole chars); stay safe.
            i += 1;
            continue;
        }
        let cs = i;
        let mut simple = true;
        while i < n {
            let b = bytes[i];
            if b < 128 {
                match CLASS[b as usize] {
                    SP => break,
                    AN => {}
                    _ => simple = false,
                }
                i += 1;
            } else {
                let Some(c) = text.get(i..).and_then(|s| s.chars().next()) else {
                    i += 1;
                    continue;
                };
                if c.is_whitespace() {
                    break;
                }
                simple = false;
                i += c.len_utf8();
            }
        }
        if simple {
            out.push(Token { start: cs, end: i });
        } else {
            buf.clear();
            if let Some(chunk) = text.get(cs..i) {
                buf.extend(chunk.char_indices().map(|(o, c)| (cs + o, c)));
                buf.push((i, ' ')); // sentinel: the offset of the chunk end
                let next_is_digit = text.get(i..).is_some_and(|rest| {
                    rest.trim_start()
                        .as_bytes()
                        .first()
                        .is_some_and(|b| b.is_ascii_digit())
                });
                Chunk {
                    text,
                    c: &buf,
                    line_start,
                    next_is_digit,
                    out: &mut out,
                }
                .run();
            }
        }
        line_start = false;
    }
    out
}

/// One whitespace-free chunk being split. `c` holds its chars with byte offsets plus a
/// sentinel entry whose offset is the chunk end.
struct Chunk<'a> {
    text: &'a str,
    c: &'a [(usize, char)],
    line_start: bool,
    next_is_digit: bool,
    out: &'a mut Vec<Token>,
}

impl Chunk<'_> {
    #[inline]
    fn ch(&self, k: usize) -> char {
        self.c.get(k).map(|x| x.1).unwrap_or(' ')
    }
    #[inline]
    fn off(&self, k: usize) -> usize {
        self.c.get(k).map(|x| x.0).unwrap_or(0)
    }
    fn len(&self) -> usize {
        self.c.len().saturating_sub(1)
    }
    fn push(&mut self, a: usize, b: usize) {
        if b > a {
            let (s, e) = (self.off(a), self.off(b));
            self.out.push(Token { start: s, end: e });
        }
    }
    fn slice(&self, a: usize, b: usize) -> &str {
        self.text.get(self.off(a)..self.off(b)).unwrap_or("")
    }
    /// End of the run of the same char starting at `k`.
    fn run_end(&self, k: usize, end: usize) -> usize {
        let c = self.ch(k);
        let mut j = k + 1;
        while j < end && self.ch(j) == c {
            j += 1;
        }
        j
    }

    fn run(mut self) {
        let mut s = 0;
        let mut e = self.len();
        // Leading punctuation.
        while s < e {
            let c = self.ch(s);
            if is_word(c) {
                break;
            }
            let next = self.ch(s + 1);
            // Bounded so that long runs of punctuation stay linear.
            if s < 8 && self.starts_url_or_mail(s, e) {
                break;
            }
            if is_apos(c) && (self.is_contraction_at(s, e) || next.is_ascii_digit() && s + 1 < e) {
                break;
            }
            if matches!(c, '+' | '-' | '.' | '\u{2212}') && next.is_ascii_digit() && s + 1 < e {
                break;
            }
            if matches!(c, '@' | '#') && s + 1 < e && is_word(next) {
                break;
            }
            let r = self.run_end(s, e);
            self.push(s, r);
            s = r;
        }
        if s >= e {
            return;
        }
        // URL or e-mail: one token up to trailing punctuation.
        if self.starts_url_or_mail(s, e) {
            let mut ue = e;
            let opens = self.c[s..e].iter().filter(|x| x.1 == '(').count();
            let mut closes = self.c[s..e].iter().filter(|x| x.1 == ')').count();
            while ue > s + 1 {
                let c = self.ch(ue - 1);
                let strip = match c {
                    ')' if closes > opens => {
                        closes -= 1;
                        true
                    }
                    '.' | ',' | ';' | ':' | '!' | '?' | '"' | '\'' | ']' | '>' | '}' => true,
                    c => !is_word(c) && !matches!(c, '/' | ')' | '=' | '&' | '#' | '_' | '-' | '+'),
                };
                if !strip {
                    break;
                }
                ue -= 1;
            }
            self.push(s, ue);
            self.middle_trailing(ue, e);
            return;
        }
        // Trailing punctuation, collected right to left.
        let mut trail: Vec<(usize, usize)> = Vec::new();
        // Set when the last char stays on the word (abbreviation period, "6-", "US$").
        let mut keep_last = false;
        while e > s {
            let c = self.ch(e - 1);
            if is_word(c) {
                break;
            }
            let at_chunk_end = e == self.len();
            let prev = if e >= 2 && e - 1 > s {
                self.ch(e - 2)
            } else {
                ' '
            };
            if c == '.' && is_word(prev) && self.period_attaches(s, e - 1, trail.is_empty()) {
                keep_last = true;
                break;
            }
            if c == '-' && at_chunk_end && is_word(prev) && !self.is_url_like(s, e) {
                keep_last = true;
                break; // "counter-" at a line break, "6- 4" in scores
            }
            if c == '+' && at_chunk_end && prev.is_ascii_uppercase() {
                keep_last = true; // credit ratings: "AA+"
                break;
            }
            if c == '=' && at_chunk_end && prev.is_ascii_digit() {
                keep_last = true;
                break; // "1=" ties in results tables
            }
            if c == '$' && self.is_currency_prefix(s, e - 1) {
                keep_last = true;
                break;
            }
            // Group a run of the same mark ("...", "--").
            let mut r = e - 1;
            while r > s && self.ch(r - 1) == c {
                r -= 1;
            }
            trail.push((r, e));
            e = r;
        }
        self.middle(s, e, keep_last);
        for &(a, b) in trail.iter().rev() {
            self.push(a, b);
        }
    }

    /// Tokens after a URL: trailing punctuation marks, grouped by runs.
    fn middle_trailing(&mut self, mut s: usize, e: usize) {
        while s < e {
            let r = self.run_end(s, e);
            self.push(s, r);
            s = r;
        }
    }

    fn is_currency_prefix(&self, s: usize, e: usize) -> bool {
        // "US$", "C$", "A$", "HK$"
        let n = e.saturating_sub(s);
        (1..=3).contains(&n) && (s..e).all(|k| self.ch(k).is_ascii_uppercase())
    }

    fn is_url_like(&self, s: usize, e: usize) -> bool {
        self.c[s..e].iter().any(|x| x.1 == '/' || x.1 == '@')
    }

    fn starts_url_or_mail(&self, s: usize, e: usize) -> bool {
        let w = self.slice(s, e);
        let wb = w.as_bytes();
        let starts = |p: &[u8]| wb.len() > p.len() && wb[..p.len()].eq_ignore_ascii_case(p);
        if starts(b"http://") || starts(b"https://") || starts(b"ftp://") || starts(b"www.") {
            return true;
        }
        // e-mail: word chars before '@' and a dotted domain after it
        if let Some(at) = w.find('@') {
            if at > 0 {
                let (local, dom) = (&w[..at], &w[at + 1..]);
                let local_ok = local
                    .chars()
                    .all(|c| is_word(c) || matches!(c, '.' | '_' | '-' | '+'))
                    && local.chars().next().is_some_and(is_word);
                let dom = dom.trim_end_matches(|c: char| !is_word(c));
                let dom_ok = dom.contains('.')
                    && dom.chars().all(|c| is_word(c) || c == '.' || c == '-')
                    && dom.chars().next().is_some_and(is_word);
                return local_ok && dom_ok;
            }
        }
        false
    }

    /// `'s`, `'re`... as a whole word starting at `k` (the apostrophe).
    fn is_contraction_at(&self, k: usize, e: usize) -> bool {
        let mut j = k + 1;
        while j < e && self.ch(j).is_ascii_alphabetic() {
            j += 1;
        }
        if j < e && is_word(self.ch(j)) {
            return false;
        }
        let mut buf = [0u8; 3];
        let n = j - k - 1;
        if n == 0 || n > 2 {
            return false;
        }
        for (d, x) in buf.iter_mut().zip(k + 1..j) {
            *d = self.ch(x).to_ascii_lowercase() as u8;
        }
        matches!(&buf[..n], b"s" | b"m" | b"d" | b"t" | b"ll" | b"re" | b"ve")
    }

    /// Whether the period after `s..e` belongs to the word (abbreviation, initial, U.S., list
    /// number). `last` is true when the period is the final char of the chunk.
    fn period_attaches(&self, s: usize, e: usize, last: bool) -> bool {
        // Abbreviations are short; the bound also keeps odd punctuation runs linear.
        if e <= s || e - s > 12 {
            return false;
        }
        let w = self.slice(s, e);
        let mut chars = w.chars();
        let first = chars.next().unwrap_or(' ');
        // Initial: a single capital letter.
        if chars.next().is_none() {
            return first.is_uppercase() || (self.line_start && s == 0 && first.is_ascii_digit());
        }
        // Inner periods: U.S., a.m., e.g., Ph.D.
        let w_last = w.rsplit('-').next().unwrap_or(w);
        if w_last.contains('.')
            && w_last
                .split('.')
                .all(|p| !p.is_empty() && p.len() <= 4 && p.chars().all(char::is_alphabetic))
        {
            return true;
        }
        // List numbers at the start of a line: "1." "12."
        if self.line_start
            && s == 0
            && last
            && w.len() <= 3
            && w.bytes().all(|b| b.is_ascii_digit())
        {
            return true;
        }
        is_abbreviation(w, self.next_is_digit && last)
    }

    /// The word-internal part: split at punctuation that does not join, then split contractions.
    fn middle(&mut self, s: usize, e: usize, keep_last: bool) {
        let mut ts = s;
        let mut k = s;
        while k < e {
            let c = self.ch(k);
            if is_word(c) || keep_last && k + 1 == e {
                k += 1;
                continue;
            }
            let prev = if k > s { self.ch(k - 1) } else { ' ' };
            let next = self.ch(k + 1);
            let inner = k > ts
                && k + 1 < e
                && (is_word(prev) || prev == '.' && c == '-')
                && (is_word(next) || c == '.' && next == '-');
            let joins = inner
                && match c {
                    '.' if next == '-' => k >= ts + 2 && self.ch(k - 2) == '.', // "U.S.-led"
                    // "February.In addition": a missing space after a full stop.
                    '.' if prev.is_lowercase()
                        && next.is_uppercase()
                        && self.ch(k + 2).is_lowercase() =>
                    {
                        false
                    }
                    // "and/or", "km/h", "22/03/2016" join; "Noorsat/Eurobird" splits.
                    '/' => {
                        prev.is_ascii_digit()
                            || next.is_ascii_digit()
                            || !(prev.is_uppercase() || next.is_uppercase())
                            || prev.is_uppercase()
                                && next.is_uppercase()
                                && !self.ch(k + 2).is_lowercase()
                    }
                    '-' | '.' | '&' | '_' | '@' | '\u{2010}' | '\u{2011}' | '\u{2013}'
                    | '\u{00B7}' => true,
                    ',' | ':' => prev.is_ascii_digit() && next.is_ascii_digit(),
                    c if is_apos(c) => true,
                    _ => false,
                };
            // Leading sign, decimal point, apostrophe, @ or # kept at the start of a token.
            let lead = k == ts
                && k + 1 < e
                && ((matches!(c, '+' | '-' | '.' | '\u{2212}') && next.is_ascii_digit())
                    || (matches!(c, '@' | '#') && is_word(next))
                    || (is_apos(c) && next.is_ascii_digit()));
            if joins || lead {
                k += 1;
                continue;
            }
            if c == '$' && self.is_currency_prefix(ts, k) {
                // "US$3" → "US$" "3"
                self.push(ts, k + 1);
                k += 1;
                ts = k;
                continue;
            }
            self.word(ts, k);
            // Contraction or possessive right here: "Germany's" handled in word(); a
            // standalone "'s" after a split point stays whole.
            if is_apos(c) && self.is_contraction_at(k, e) {
                ts = k;
                k += 1;
                continue;
            }
            let r = self.run_end(k, e);
            self.push(k, r);
            k = r;
            ts = k;
        }
        self.word(ts, e);
    }

    /// Emits a word, splitting a possessive or contraction suffix ("'s", "n't", "'ll").
    fn word(&mut self, s: usize, e: usize) {
        if e <= s {
            return;
        }
        let n = e - s;
        let low = |k: usize| self.ch(k).to_ascii_lowercase();
        if n > 3
            && low(e - 1) == 't'
            && is_apos(self.ch(e - 2))
            && low(e - 3) == 'n'
            && is_word(self.ch(e - 4))
        {
            self.push(s, e - 3);
            self.push(e - 3, e);
            return;
        }
        if n > 2
            && is_apos(self.ch(e - 2))
            && matches!(low(e - 1), 's' | 'm' | 'd')
            && is_word(self.ch(e - 3))
        {
            self.push(s, e - 2);
            self.push(e - 2, e);
            return;
        }
        if n > 3
            && is_apos(self.ch(e - 3))
            && matches!(
                (low(e - 2), low(e - 1)),
                ('l', 'l') | ('r', 'e') | ('v', 'e')
            )
            && is_word(self.ch(e - 4))
        {
            self.push(s, e - 3);
            self.push(e - 3, e);
            return;
        }
        self.push(s, e);
    }
}

fn tok<'t>(text: &'t str, t: &Token) -> &'t str {
    text.get(t.start..t.end).unwrap_or("")
}

fn is_terminal(t: &str) -> bool {
    !t.is_empty()
        && t.chars()
            .all(|c| matches!(c, '.' | '!' | '?' | '\u{2026}' | '\u{203C}' | '\u{2049}'))
}

fn is_closing(t: &str) -> bool {
    t.chars().all(|c| {
        matches!(
            c,
            '"' | '\'' | '\u{2019}' | '\u{201D}' | '\u{00BB}' | '\u{203A}' | ')' | ']' | '}'
        )
    }) && !t.is_empty()
}

fn is_bullet(t: &str) -> bool {
    matches!(t, "•" | "-" | "*" | "·" | "▪" | "◦" | "‣" | "–" | "—" | "o")
        || (t.len() <= 4
            && t.ends_with('.')
            && t[..t.len() - 1].bytes().all(|b| b.is_ascii_digit())
            && t.len() > 1)
}

fn starts_upper_or_digit(t: &str) -> bool {
    t.chars().next().is_some_and(|c| {
        c.is_uppercase() || c.is_ascii_digit() || !c.is_alphabetic() && !c.is_lowercase()
    })
}

fn starts_lower(t: &str) -> bool {
    t.chars().next().is_some_and(|c| c.is_lowercase())
}

fn is_opener(t: &str) -> bool {
    if !t.chars().next().is_some_and(char::is_uppercase) {
        return false;
    }
    let mut buf = [0u8; 16];
    if t.len() > buf.len() || !t.is_ascii() {
        return false;
    }
    for (d, b) in buf.iter_mut().zip(t.bytes()) {
        *d = b.to_ascii_lowercase();
    }
    let low = std::str::from_utf8(&buf[..t.len()]).unwrap_or("");
    SENTENCE_OPENERS.contains(&low)
}

/// Counts line breaks in the whitespace between two tokens.
fn newlines(gap: &str) -> usize {
    gap.chars().filter(|&c| is_line_break(c)).count()
}

/// Indices of tokens that start a sentence (always 0 when there are tokens).
pub fn sentence_starts(text: &str, tokens: &[Token]) -> Vec<usize> {
    let mut out = Vec::with_capacity(tokens.len() / 16 + 1);
    if tokens.is_empty() {
        return out;
    }
    out.push(0);
    // Start of the current line (token index), to judge heading-like lines.
    let mut line_first = 0usize;
    // Whether a straight double quote is open before each token (parity of `"` tokens).
    let mut quote_open = Vec::with_capacity(tokens.len());
    let mut open = false;
    for t in tokens {
        quote_open.push(open);
        if tok(text, t) == "\"" {
            open = !open;
        }
    }
    let mut i = 0usize;
    while i + 1 < tokens.len() {
        let t = tok(text, &tokens[i]);
        let gap = text.get(tokens[i].end..tokens[i + 1].start).unwrap_or("");
        let nl = newlines(gap);
        let next = tok(text, &tokens[i + 1]);
        let mut brk = false;
        if nl >= 2 {
            brk = true;
        } else if is_terminal(t) {
            // Closing quotes/brackets attached to the period belong to this sentence.
            // A spaced straight quote closes when a quote is open (text tokenised with spaces,
            // as in CoNLL: `here . " The`).
            let mut j = i + 1;
            while j < tokens.len() && {
                let q = tok(text, &tokens[j]);
                is_closing(q)
                    && (tokens[j].start == tokens[j - 1].end
                        || matches!(q, "\u{201D}" | "\u{00BB}")
                        || q == "\"" && quote_open.get(j).copied().unwrap_or(false))
            } {
                j += 1;
            }
            if j >= tokens.len() {
                break;
            }
            let nxt = tok(text, &tokens[j]);
            let gap_j = text.get(tokens[j - 1].end..tokens[j].start).unwrap_or("");
            let lower = starts_lower(nxt);
            // "..." followed by a lower-case word continues the sentence.
            if !lower || newlines(gap_j) >= 2 {
                if j > i + 1 {
                    out.push(j);
                    i = j;
                    line_first = if nl > 0 { i } else { line_first };
                    continue;
                }
                brk = true;
            }
        } else if t.ends_with('.') && t.len() > 1 {
            // An abbreviation or initial kept its period.
            let word = &t[..t.len() - 1];
            let title = TITLES.contains(&word)
                || (word.chars().count() == 1 && word.chars().all(char::is_uppercase));
            let list_number = word.bytes().all(|b| b.is_ascii_digit());
            if !title && !list_number && (is_opener(next) || nl >= 1 && starts_upper_or_digit(next))
            {
                brk = true;
            }
        }
        if !brk && nl == 1 {
            // A single line break: break after a heading-like line, or before a bullet.
            let line_text = text
                .get(tokens[line_first].start..tokens[i].end)
                .unwrap_or("");
            let ends_punct = t
                .chars()
                .last()
                .is_some_and(|c| matches!(c, '.' | '!' | '?' | ':' | ';' | ',' | '"' | '\u{201D}'));
            let heading = line_text.chars().count() < 60 || {
                let words: Vec<&str> = line_text
                    .split_whitespace()
                    .filter(|w| w.chars().next().is_some_and(char::is_alphabetic))
                    .collect();
                let caps = words
                    .iter()
                    .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
                    .count();
                !words.is_empty() && caps * 10 >= words.len() * 7
            };
            let colon = matches!(t.chars().last(), Some(':'));
            let heading_break = heading
                && starts_upper_or_digit(next)
                // (a line ending in "counter-" continues: PDF hyphenation)
                && (!(ends_punct || t.len() > 1 && t.ends_with('-')) || colon);
            if heading_break || is_bullet(next) && tokens.get(i + 2).is_some() {
                brk = true;
            }
        }
        if brk {
            out.push(i + 1);
        }
        if nl > 0 {
            line_first = i + 1;
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str) -> Vec<&str> {
        tokenize(text)
            .iter()
            .map(|t| &text[t.start..t.end])
            .collect()
    }

    #[test]
    fn basic_news() {
        assert_eq!(
            toks("Germany's Merkel didn't go."),
            ["Germany", "'s", "Merkel", "did", "n't", "go", "."]
        );
        assert_eq!(
            toks("He said \"no.\" Then"),
            ["He", "said", "\"", "no", ".", "\"", "Then"]
        );
    }
}
