//! Gazetteers shipped inside the binary: countries, cities (GeoNames, population ≥ 15,000, with
//! coordinates), regions, nationalities/demonyms, armed groups, agencies and institutions,
//! weapons, military platforms and vehicles.
//!
//! The data is `data/gazetteer.tsv`, built by `python3 tools/gazetteer/build.py` (see
//! `data/GAZETTEER.md` for sources and licences), embedded with `include_str!` and parsed once
//! on first use ([`Gazetteer::global`], some tens of milliseconds in a release build).
//!
//! # Matching
//!
//! Every name and alias is tokenized with [`crate::tokenize::tokenize`] and indexed as the
//! sequence of its normalised tokens (lower-cased, curly apostrophes folded to `'`). Matching a
//! document is one hash look-up per token for the first token, plus one per extra token while a
//! longer name is still possible (names are at most [`MAX_NAME_TOKENS`] tokens).
//!
//! Matching is case-insensitive with two guards, so that common words do not fire:
//! * a proper name (one whose listed form contains a capital, e.g. "Nice", "Reaper") only matches
//!   when the document's first token of the match does not start with a lower-case letter;
//! * an acronym (listed form with no lower-case letter and at least two capitals: "US", "WHO",
//!   "ISIS", "U.S.") only matches document tokens that contain no lower-case letter
//!   (so "us" and "who" do not match; headlines in capitals do).
//!
//! Lower-case terms ("drone", "tank", "air strikes") match in any case.
//!
//! ```
//! use dossier_nlp::gazetteer::{Gazetteer, GazCategory};
//! let gaz = Gazetteer::global();
//! let toks = ["Fighters", "of", "Islamic", "State", "left", "Damascus", "."];
//! let m = gaz.matches(&toks);
//! assert!(m.iter().any(|g| (g.start_tok, g.end_tok, g.category) == (2, 4, GazCategory::ArmedGroup)));
//! let city = m.iter().find(|g| g.category == GazCategory::City).unwrap();
//! assert_eq!(gaz.entry(city.entry).unwrap().country, "SY");
//! ```

use crate::doc::{Doc, Token};
use crate::tokenize::tokenize;
use rustc_hash::FxHashMap;
use std::sync::OnceLock;

/// The shipped gazetteer file.
static DATA: &str = include_str!("../data/gazetteer.tsv");

/// Longest name, in tokens, that the index holds (longer names are skipped at load).
pub const MAX_NAME_TOKENS: usize = 10;

/// What kind of thing a gazetteer entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum GazCategory {
    /// A sovereign state or territory (ISO 3166-1); `country` is its own code.
    Country,
    /// A populated place (GeoNames, population ≥ 15,000), with coordinates and population.
    City,
    /// A region, province, US state, continent, sea or river area.
    Region,
    /// A nationality, demonym, ethnic or religious group ("Dutch" → NL, "Kurdish" → none).
    Nationality,
    /// A non-state armed group or militia ("Islamic State", "Hezbollah", "PKK").
    ArmedGroup,
    /// A government agency, ministry, armed force or police ("CIA", "MI6", "CENTCOM").
    Agency,
    /// Another organisation or institution ("United Nations", "NATO", "Reuters").
    Org,
    /// A weapon or munition ("AK-47", "IED", "air strikes", "barrel bomb").
    Weapon,
    /// A military platform: aircraft, ship, armoured vehicle, drone ("F-16", "MQ-9 Reaper").
    Platform,
    /// A civilian or unarmoured vehicle ("technical", "Humvee", "excavator").
    Vehicle,
    /// A common given name ("Mohammed", "John"): a feature for Person, not an entity.
    FirstName,
    /// A title, rank or role word ("President", "Lt. Gen.", "spokesman", "militants").
    Title,
}

impl GazCategory {
    /// All categories, in index order (`c as usize` indexes this array).
    pub const ALL: [GazCategory; 12] = [
        GazCategory::Country,
        GazCategory::City,
        GazCategory::Region,
        GazCategory::Nationality,
        GazCategory::ArmedGroup,
        GazCategory::Agency,
        GazCategory::Org,
        GazCategory::Weapon,
        GazCategory::Platform,
        GazCategory::Vehicle,
        GazCategory::FirstName,
        GazCategory::Title,
    ];

    /// Name as written in the data file (`Country`, `City`, ...).
    pub fn as_str(&self) -> &'static str {
        match self {
            GazCategory::Country => "Country",
            GazCategory::City => "City",
            GazCategory::Region => "Region",
            GazCategory::Nationality => "Nationality",
            GazCategory::ArmedGroup => "ArmedGroup",
            GazCategory::Agency => "Agency",
            GazCategory::Org => "Org",
            GazCategory::Weapon => "Weapon",
            GazCategory::Platform => "Platform",
            GazCategory::Vehicle => "Vehicle",
            GazCategory::FirstName => "FirstName",
            GazCategory::Title => "Title",
        }
    }

    fn parse(s: &str) -> Option<GazCategory> {
        GazCategory::ALL.iter().copied().find(|c| c.as_str() == s)
    }
}

/// One gazetteer entry (a place, group, weapon...), with everything known for resolution.
#[derive(Debug, Clone, PartialEq)]
pub struct GazEntry {
    pub category: GazCategory,
    /// Canonical name ("Damascus", "Islamic State", "Netherlands").
    pub name: &'static str,
    /// ISO 3166-1 alpha-2 code of the country the entry belongs to, or "" when none.
    pub country: &'static str,
    /// Latitude/longitude in decimal degrees (cities, regions; countries carry their
    /// capital's coordinates). NaN when unknown.
    pub lat: f32,
    pub lon: f32,
    /// Population (countries, cities); 0 when unknown.
    pub population: u64,
    /// Aliases, `|`-separated as in the data file; iterate with [`GazEntry::aliases`].
    aliases_raw: &'static str,
}

impl GazEntry {
    /// Alternative names of the entry.
    pub fn aliases(&self) -> impl Iterator<Item = &'static str> {
        self.aliases_raw.split('|').filter(|a| !a.is_empty())
    }

    /// True when coordinates are known.
    pub fn has_coordinates(&self) -> bool {
        !self.lat.is_nan() && !self.lon.is_nan()
    }
}

/// A gazetteer hit over document tokens `start_tok..end_tok` (end exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GazMatch {
    pub start_tok: usize,
    pub end_tok: usize,
    pub category: GazCategory,
    /// Entry id for [`Gazetteer::entry`]. Ids are positions in the shipped file: stable within
    /// one build, not across gazetteer rebuilds (persist the entry's name, not its id).
    pub entry: u32,
}

/// Which document spellings may match an indexed form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CaseRule {
    Any,
    Capitalised,
    /// Starts lower-case but has capitals later ("al-Qaida"): some capital in the match.
    HasUpper,
    Acronym,
}

#[derive(Debug, Clone, Copy)]
struct Target {
    entry: u32,
    rule: CaseRule,
}

/// Sentinel for "no link" in the key and target chains.
const NONE: u32 = u32::MAX;

/// One normalised key (a token sequence joined by single spaces) in the arena.
#[derive(Debug, Clone, Copy)]
struct KeyRec {
    start: u32,
    len: u32,
    /// For a first token: the most tokens any name starting with it has (0 otherwise).
    maxlen: u8,
    /// True when a longer name continues this key.
    prefix: bool,
    /// Head of this key's target list in `targets` (NONE when no name ends here).
    targets: u32,
    /// Next key with the same 64-bit hash (NONE at the end).
    next: u32,
}

/// The gazetteer index. Build once ([`Gazetteer::global`]); `&Gazetteer` is `Sync`.
///
/// Keys live in one string arena and are found by their 64-bit hash, so loading makes no
/// allocation per name (it parses ~125,000 names in well under 100 ms).
pub struct Gazetteer {
    entries: Vec<GazEntry>,
    arena: String,
    keys: Vec<KeyRec>,
    by_hash: FxHashMap<u64, u32>,
    /// (target, next) linked lists.
    targets: Vec<(Target, u32)>,
}

fn hash_key(s: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    h.write(s.as_bytes());
    h.finish()
}

/// Lower-cases a token into `out` with curly apostrophes folded, ASCII fast path.
fn push_norm(tok: &str, out: &mut String) {
    if tok.is_ascii() {
        out.extend(tok.bytes().map(|b| b.to_ascii_lowercase() as char));
        return;
    }
    for c in tok.chars() {
        match c {
            '\u{2019}' | '\u{2018}' | '\u{02bc}' => out.push('\''),
            '\u{2010}' | '\u{2011}' | '\u{2013}' => out.push('-'),
            c => out.extend(c.to_lowercase()),
        }
    }
}

fn case_rule(form: &str) -> CaseRule {
    let upper = form.chars().filter(|c| c.is_uppercase()).count();
    let lower = form.chars().any(|c| c.is_lowercase());
    if upper >= 2 && !lower {
        CaseRule::Acronym
    } else if form.chars().next().is_some_and(char::is_lowercase) && upper >= 1 {
        CaseRule::HasUpper
    } else if upper >= 1 {
        CaseRule::Capitalised
    } else {
        CaseRule::Any
    }
}

fn rule_ok(rule: CaseRule, toks: &[&str]) -> bool {
    match rule {
        CaseRule::Any => true,
        CaseRule::Capitalised => toks
            .first()
            .and_then(|t| t.chars().next())
            .is_some_and(|c| !c.is_lowercase()),
        CaseRule::HasUpper => toks.iter().any(|t| t.chars().any(|c| c.is_uppercase())),
        CaseRule::Acronym => toks.iter().all(|t| !t.chars().any(|c| c.is_lowercase())),
    }
}

impl Gazetteer {
    /// The shipped gazetteer, parsed on first call.
    pub fn global() -> &'static Gazetteer {
        static G: OnceLock<Gazetteer> = OnceLock::new();
        G.get_or_init(|| Gazetteer::from_tsv(DATA))
    }

    /// Builds a gazetteer from TSV text in the format of `data/gazetteer.tsv`
    /// (`category name country lat lon population aliases`, `#` comments). Lines that do not
    /// parse are skipped: the file is ours, and a bad line must not take the pipeline down.
    pub fn from_tsv(data: &'static str) -> Gazetteer {
        let mut g = Gazetteer {
            entries: Vec::with_capacity(40_000),
            arena: String::with_capacity(2_000_000),
            keys: Vec::with_capacity(160_000),
            by_hash: FxHashMap::with_capacity_and_hasher(160_000, Default::default()),
            targets: Vec::with_capacity(130_000),
        };
        let mut toks: Vec<Token> = Vec::new();
        let mut key = String::new();
        for line in data.lines() {
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            let mut f = line.split('\t');
            let (Some(cat), Some(name)) = (f.next().and_then(GazCategory::parse), f.next()) else {
                continue;
            };
            let country = f.next().unwrap_or("");
            let lat = f
                .next()
                .and_then(|s| s.parse::<f32>().ok())
                .unwrap_or(f32::NAN);
            let lon = f
                .next()
                .and_then(|s| s.parse::<f32>().ok())
                .unwrap_or(f32::NAN);
            let population = f.next().and_then(|s| s.parse::<u64>().ok()).unwrap_or(0);
            let aliases_raw = f.next().unwrap_or("");
            let id = g.entries.len() as u32;
            g.entries.push(GazEntry {
                category: cat,
                name,
                country,
                lat,
                lon,
                population,
                aliases_raw,
            });
            g.index(name, id, &mut toks, &mut key);
            for a in aliases_raw.split('|').filter(|a| !a.is_empty()) {
                g.index(a, id, &mut toks, &mut key);
            }
        }
        g
    }

    fn find_key(&self, k: &str) -> Option<&KeyRec> {
        let mut i = *self.by_hash.get(&hash_key(k))?;
        while let Some(r) = self.keys.get(i as usize) {
            if self.arena.get(r.start as usize..(r.start + r.len) as usize) == Some(k) {
                return Some(r);
            }
            i = r.next;
        }
        None
    }

    fn key_id(&mut self, k: &str) -> usize {
        let h = hash_key(k);
        let head = self.by_hash.get(&h).copied().unwrap_or(NONE);
        let mut i = head;
        while let Some(r) = self.keys.get(i as usize) {
            if self.arena.get(r.start as usize..(r.start + r.len) as usize) == Some(k) {
                return i as usize;
            }
            i = r.next;
        }
        let id = self.keys.len();
        self.keys.push(KeyRec {
            start: self.arena.len() as u32,
            len: k.len() as u32,
            maxlen: 0,
            prefix: false,
            targets: NONE,
            next: head,
        });
        self.arena.push_str(k);
        self.by_hash.insert(h, id as u32);
        id
    }

    fn index(&mut self, form: &str, id: u32, toks: &mut Vec<Token>, key: &mut String) {
        toks.clear();
        if form.bytes().all(|b| b.is_ascii_alphanumeric() || b == b' ') {
            // Fast path: plain words split at spaces, exactly as the tokenizer would.
            let mut pos = 0;
            for w in form.split(' ') {
                if !w.is_empty() {
                    toks.push(Token {
                        start: pos,
                        end: pos + w.len(),
                    });
                }
                pos += w.len() + 1;
            }
        } else {
            toks.extend(tokenize(form));
        }
        if toks.is_empty() || toks.len() > MAX_NAME_TOKENS {
            return;
        }
        let rule = case_rule(form);
        key.clear();
        let n = toks.len();
        for (k, t) in toks.iter().enumerate() {
            if k > 0 {
                key.push(' ');
            }
            push_norm(form.get(t.start..t.end).unwrap_or(""), key);
            if k == 0 {
                let r = self.key_id(key);
                if let Some(rec) = self.keys.get_mut(r) {
                    rec.maxlen = rec.maxlen.max(n as u8);
                }
            }
            if k + 1 < n {
                let r = self.key_id(key);
                if let Some(rec) = self.keys.get_mut(r) {
                    rec.prefix = true;
                }
            }
        }
        let r = self.key_id(key);
        let Some(head) = self.keys.get(r).map(|k| k.targets) else {
            return;
        };
        // The same entry can list one form twice (name and alias differing only in case).
        let mut i = head;
        while let Some(&(t, next)) = self.targets.get(i as usize) {
            if t.entry == id {
                return;
            }
            i = next;
        }
        self.targets.push((Target { entry: id, rule }, head));
        let new = (self.targets.len() - 1) as u32;
        if let Some(rec) = self.keys.get_mut(r) {
            rec.targets = new;
        }
    }

    fn targets_of(&self, rec: &KeyRec) -> impl Iterator<Item = Target> + '_ {
        let mut i = rec.targets;
        std::iter::from_fn(move || {
            let &(t, next) = self.targets.get(i as usize)?;
            i = next;
            Some(t)
        })
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the gazetteer has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry with id `id` (ids come from [`GazMatch::entry`]).
    pub fn entry(&self, id: u32) -> Option<&GazEntry> {
        self.entries.get(id as usize)
    }

    /// All entries, indexed by id.
    pub fn entries(&self) -> &[GazEntry] {
        &self.entries
    }

    /// Every gazetteer name occurring in a token sequence: all spans and all entries (nested and
    /// overlapping matches included, e.g. "New York" and "York"), sorted by start token, then
    /// by longer span first. Apply the case guards described in the module docs.
    pub fn matches(&self, tokens: &[&str]) -> Vec<GazMatch> {
        let mut out = Vec::new();
        let mut key = String::with_capacity(64);
        for i in 0..tokens.len() {
            key.clear();
            push_norm(tokens[i], &mut key);
            let Some(first) = self.find_key(&key) else {
                continue;
            };
            let maxlen = first.maxlen;
            if maxlen == 0 {
                continue;
            }
            let start_len = out.len();
            let last = (i + maxlen as usize).min(tokens.len());
            let mut j = i + 1;
            let mut rec = Some(first);
            while let Some(r) = rec {
                for t in self.targets_of(r) {
                    if rule_ok(t.rule, &tokens[i..j]) {
                        if let Some(e) = self.entries.get(t.entry as usize) {
                            out.push(GazMatch {
                                start_tok: i,
                                end_tok: j,
                                category: e.category,
                                entry: t.entry,
                            });
                        }
                    }
                }
                // Stop when no longer name can continue this key.
                if j >= last || !r.prefix {
                    break;
                }
                key.push(' ');
                push_norm(tokens[j], &mut key);
                j += 1;
                rec = self.find_key(&key);
            }
            out[start_len..].sort_by(|a, b| b.end_tok.cmp(&a.end_tok).then(a.entry.cmp(&b.entry)));
        }
        out
    }

    /// [`Gazetteer::matches`] over the tokens of a [`Doc`].
    pub fn matches_doc(&self, doc: &Doc<'_>) -> Vec<GazMatch> {
        let toks: Vec<&str> = (0..doc.tokens.len()).map(|i| doc.token_text(i)).collect();
        self.matches(&toks)
    }

    /// Entries whose name or an alias equals `phrase` (after tokenization and normalisation;
    /// case guards are not applied). For resolution: `lookup("Dutch")`, `lookup("ISIL")`.
    pub fn lookup(&self, phrase: &str) -> Vec<(u32, &GazEntry)> {
        let mut key = String::with_capacity(phrase.len() + 4);
        for (k, t) in tokenize(phrase).iter().enumerate() {
            if k > 0 {
                key.push(' ');
            }
            push_norm(phrase.get(t.start..t.end).unwrap_or(""), &mut key);
        }
        match self.find_key(&key) {
            Some(r) => self
                .targets_of(r)
                .filter_map(|t| self.entries.get(t.entry as usize).map(|e| (t.entry, e)))
                .collect(),
            None => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cats(text: &[&str]) -> Vec<(usize, usize, GazCategory, &'static str)> {
        let g = Gazetteer::global();
        g.matches(text)
            .into_iter()
            .map(|m| {
                (
                    m.start_tok,
                    m.end_tok,
                    m.category,
                    g.entry(m.entry).map(|e| e.name).unwrap_or(""),
                )
            })
            .collect()
    }

    #[test]
    fn finds_multi_token_names_and_case_guards() {
        let m = cats(&[
            "The", "Islamic", "State", "of", "Iraq", "and", "the", "Levant", "attacked", "us",
        ]);
        assert!(
            m.contains(&(1, 8, GazCategory::ArmedGroup, "Islamic State")),
            "{m:?}"
        );
        assert!(
            m.contains(&(1, 3, GazCategory::ArmedGroup, "Islamic State")),
            "{m:?}"
        );
        assert!(
            m.iter().any(|x| x.0 == 4 && x.2 == GazCategory::Country),
            "{m:?}"
        );
        assert!(
            !m.iter().any(|x| x.0 == 9),
            "lower-case 'us' is not the US: {m:?}"
        );
        let m = cats(&["US", "troops"]);
        assert!(
            m.contains(&(0, 1, GazCategory::Country, "United States")),
            "{m:?}"
        );
    }

    #[test]
    fn demonyms_resolve_to_countries() {
        let g = Gazetteer::global();
        let dutch = g.lookup("Dutch");
        assert!(dutch
            .iter()
            .any(|(_, e)| e.category == GazCategory::Nationality && e.country == "NL"));
        let syr = g.lookup("Syrians");
        assert!(syr.iter().any(|(_, e)| e.country == "SY"));
    }

    #[test]
    fn lower_case_terms_match_and_proper_names_need_capitals() {
        let m = cats(&["a", "drone", "hit", "a", "nice", "house", "in", "Nice"]);
        assert!(
            m.iter().any(|x| x.0 == 1 && x.2 == GazCategory::Platform),
            "{m:?}"
        );
        assert!(!m.iter().any(|x| x.0 == 4), "{m:?}");
        assert!(
            m.iter().any(|x| x.0 == 7 && x.2 == GazCategory::City),
            "{m:?}"
        );
    }

    #[test]
    fn cities_carry_coordinates() {
        let g = Gazetteer::global();
        let hits = g.lookup("Mosul");
        let (_, e) = hits
            .iter()
            .find(|(_, e)| e.category == GazCategory::City)
            .copied()
            .unwrap();
        assert_eq!(e.country, "IQ");
        assert!(
            (e.lat - 36.34).abs() < 0.1 && (e.lon - 43.13).abs() < 0.1,
            "{e:?}"
        );
        assert!(e.population > 500_000);
    }
}
