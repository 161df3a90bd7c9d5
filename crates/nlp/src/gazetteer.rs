//! Gazetteers shipped inside the binary: countries, cities (GeoNames, population ≥ 15,000, with
//! coordinates), regions, nationalities/demonyms, armed groups, agencies and institutions,
//! weapons, military platforms and vehicles.
//!
//! The data is `data/gazetteer.tsv`, built by `python3 tools/gazetteer/build.py` (see
//! `data/GAZETTEER.md` for sources and licences), embedded with `include_str!` and parsed once
//! on first use ([`Gazetteer::global`], about 100 ms in a release build).
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

use crate::doc::Doc;
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
}

impl GazCategory {
    /// All categories, in index order (`c as usize` indexes this array).
    pub const ALL: [GazCategory; 10] = [
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
    /// Entry id for [`Gazetteer::entry`].
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

/// The gazetteer index. Build once ([`Gazetteer::global`]); `&Gazetteer` is `Sync`.
pub struct Gazetteer {
    entries: Vec<GazEntry>,
    /// Normalised token sequence joined by one space → entries it names.
    phrases: FxHashMap<Box<str>, Vec<Target>>,
    /// Normalised first token → the most tokens any name starting with it has.
    first: FxHashMap<Box<str>, u8>,
    /// Normalised prefixes (2+ tokens) of longer names, so a scan stops as soon as no name can
    /// continue.
    prefixes: rustc_hash::FxHashSet<Box<str>>,
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
            phrases: FxHashMap::with_capacity_and_hasher(200_000, Default::default()),
            first: FxHashMap::with_capacity_and_hasher(150_000, Default::default()),
            prefixes: Default::default(),
        };
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
            g.index(name, id);
            for a in aliases_raw.split('|').filter(|a| !a.is_empty()) {
                g.index(a, id);
            }
        }
        g
    }

    fn index(&mut self, form: &str, id: u32) {
        let toks = tokenize(form);
        if toks.is_empty() || toks.len() > MAX_NAME_TOKENS {
            return;
        }
        let rule = case_rule(form);
        let mut key = String::with_capacity(form.len() + 4);
        for (k, t) in toks.iter().enumerate() {
            if k > 0 {
                key.push(' ');
            }
            push_norm(form.get(t.start..t.end).unwrap_or(""), &mut key);
            // Look up before inserting: most keys exist already and a Box<str> costs an allocation.
            if k == 0 {
                let n = toks.len() as u8;
                match self.first.get_mut(key.as_str()) {
                    Some(e) => *e = (*e).max(n),
                    None => {
                        self.first.insert(key.as_str().into(), n);
                    }
                }
            } else if k + 1 < toks.len() && !self.prefixes.contains(key.as_str()) {
                self.prefixes.insert(key.as_str().into());
            }
        }
        let t = Target { entry: id, rule };
        match self.phrases.get_mut(key.as_str()) {
            // The same entry can list one form twice (name and alias differing only in case).
            Some(ts) => {
                if !ts.iter().any(|x| x.entry == id) {
                    ts.push(t);
                }
            }
            None => {
                self.phrases.insert(key.into_boxed_str(), vec![t]);
            }
        }
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
            let Some(&maxlen) = self.first.get(key.as_str()) else {
                continue;
            };
            let start_len = out.len();
            let last = (i + maxlen as usize).min(tokens.len());
            let mut j = i + 1;
            loop {
                if let Some(targets) = self.phrases.get(key.as_str()) {
                    for t in targets {
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
                }
                // Stop when no longer name can continue this key.
                if j >= last || (j > i + 1 && !self.prefixes.contains(key.as_str())) {
                    break;
                }
                key.push(' ');
                push_norm(tokens[j], &mut key);
                j += 1;
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
        self.phrases
            .get(key.as_str())
            .map(|ts| {
                ts.iter()
                    .filter_map(|t| self.entries.get(t.entry as usize).map(|e| (t.entry, e)))
                    .collect()
            })
            .unwrap_or_default()
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
