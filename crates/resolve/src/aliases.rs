//! Alias knowledge shipped with the crate: known names of armed groups, agencies and
//! institutions (`data/aliases.tsv`, with sources), and from the NLP gazetteer
//! (GeoNames, CC BY 4.0, and hand-written lists) the organisations, countries and
//! demonyms ("Dutch" → Netherlands).

use crate::normalize::{match_key, Kind};
use dossier_nlp::gazetteer::{GazCategory, Gazetteer};
use std::collections::HashMap;
use std::sync::OnceLock;

const DATA: &str = include_str!("../data/aliases.tsv");

/// One known entity with its names.
#[derive(Debug, Clone, PartialEq)]
pub struct AliasEntry {
    pub kind: Kind,
    /// Canonical name ("Islamic State", "Netherlands").
    pub canonical: String,
    pub aliases: Vec<String>,
    /// Where the names come from ("US State Department FTO list; ...", or "gazetteer").
    pub sources: String,
    /// ISO country code for countries and demonyms, "" otherwise.
    pub country: String,
}

/// Names → known entities, by kind and matching key.
pub struct AliasTable {
    entries: Vec<AliasEntry>,
    by_key: HashMap<(Kind, String), usize>,
    /// ISO code → index of the Country entry.
    countries: HashMap<String, usize>,
}

impl AliasTable {
    /// The shipped table, built on first use.
    pub fn global() -> &'static AliasTable {
        static T: OnceLock<AliasTable> = OnceLock::new();
        T.get_or_init(AliasTable::build)
    }

    fn build() -> AliasTable {
        let mut t = AliasTable {
            entries: Vec::new(),
            by_key: HashMap::new(),
            countries: HashMap::new(),
        };
        for line in DATA.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            let (Some(kind), Some(canonical)) = (f.first(), f.get(1)) else {
                continue;
            };
            let kind = match *kind {
                "Org" => Kind::Org,
                "Person" => Kind::Person,
                "Place" => Kind::Place,
                _ => continue,
            };
            let aliases = f
                .get(2)
                .map(|a| {
                    a.split('|')
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default();
            t.add(AliasEntry {
                kind,
                canonical: canonical.to_string(),
                aliases,
                sources: f.get(3).unwrap_or(&"").to_string(),
                country: String::new(),
            });
        }
        let g = Gazetteer::global();
        // Countries first so demonyms can point at them.
        for e in g.entries() {
            let kind = match e.category {
                GazCategory::ArmedGroup | GazCategory::Agency | GazCategory::Org => Kind::Org,
                GazCategory::Country => Kind::Place,
                GazCategory::Nationality => Kind::Nationality,
                _ => continue,
            };
            let idx = t.add(AliasEntry {
                kind,
                canonical: e.name.to_string(),
                aliases: e.aliases().map(String::from).collect(),
                sources: "gazetteer (crates/nlp/data/gazetteer.tsv)".into(),
                country: e.country.to_string(),
            });
            if e.category == GazCategory::Country {
                if let Some(i) = idx {
                    t.countries.insert(e.country.to_string(), i);
                }
            }
        }
        t
    }

    /// Adds an entry; names already known for the same kind keep their first owner
    /// (the curated file is read first, so it wins). Returns the entry's index.
    fn add(&mut self, e: AliasEntry) -> Option<usize> {
        let idx = self.entries.len();
        let mut any = false;
        for name in std::iter::once(&e.canonical).chain(e.aliases.iter()) {
            let k = match_key(e.kind, name);
            if k.is_empty() {
                continue;
            }
            if let std::collections::hash_map::Entry::Vacant(v) = self.by_key.entry((e.kind, k)) {
                v.insert(idx);
                any = true;
            }
        }
        if any {
            self.entries.push(e);
            Some(idx)
        } else {
            None
        }
    }

    /// The known entity a name of this kind denotes, if any.
    pub fn lookup(&self, kind: Kind, name: &str) -> Option<&AliasEntry> {
        self.lookup_key(kind, &match_key(kind, name))
    }

    /// As [`AliasTable::lookup`] with a precomputed [`match_key`].
    pub fn lookup_key(&self, kind: Kind, key: &str) -> Option<&AliasEntry> {
        let i = *self.by_key.get(&(kind, key.to_string()))?;
        self.entries.get(i)
    }

    /// The country a demonym or nationality adjective names: "Dutch" → ("NL",
    /// "Netherlands").
    pub fn country_of_demonym(&self, name: &str) -> Option<(&str, &str)> {
        let e = self.lookup(Kind::Nationality, name)?;
        let c = self
            .countries
            .get(&e.country)
            .and_then(|&i| self.entries.get(i))?;
        Some((e.country.as_str(), c.canonical.as_str()))
    }

    /// All entries (for listing and tests).
    pub fn entries(&self) -> &[AliasEntry] {
        &self.entries
    }
}

/// The key under which the store can cluster mentions across documents: kind prefix
/// plus the canonical name of a known alias ("ISIL", "Daesh" → "org:islamic state"),
/// the country for demonyms ("Dutch" → "nat:nl"), else the normalised name
/// ("Mohammed Ali" and "Muhammad Ali" → the same key).
///
/// Context-free by design: it never merges two people who merely share a surname,
/// because a lone surname keeps its own key; the [`crate::Resolver`] decides those
/// with context.
pub fn entity_key(label: dossier_core::EntityLabel, name: &str) -> String {
    let kind = Kind::of(label);
    let t = AliasTable::global();
    let key = match_key(kind, name);
    let body = match kind {
        Kind::Nationality => t
            .country_of_demonym(name)
            .map(|(code, _)| code.to_ascii_lowercase())
            .unwrap_or(key),
        Kind::Place => crate::places::place_key_context_free(name).unwrap_or(key),
        _ => t
            .lookup_key(kind, &key)
            .map(|e| match_key(kind, &e.canonical))
            .unwrap_or(key),
    };
    format!("{}:{}", kind.prefix(), body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use dossier_core::EntityLabel;

    #[test]
    fn islamic_state_names_share_one_key() {
        let k = |s| entity_key(EntityLabel::Organisation, s);
        let is = k("Islamic State");
        for v in [
            "IS",
            "ISIS",
            "ISIL",
            "Daesh",
            "the Islamic State's",
            "Islamic State of Iraq and the Levant",
        ] {
            assert_eq!(k(v), is, "{v}");
        }
        assert_eq!(k("al-Qaida"), k("Al Qaeda"));
        assert_eq!(k("AQAP"), k("al-Qaeda in the Arabian Peninsula"));
        assert_ne!(k("AQAP"), k("al-Qaida"));
        assert_eq!(k("Hizbullah"), k("Hezbollah"));
        assert_eq!(k("MI6"), k("Secret Intelligence Service"));
        assert_ne!(k("MI6"), k("MI5"));
    }

    #[test]
    fn demonyms_map_to_countries() {
        let t = AliasTable::global();
        assert_eq!(
            t.country_of_demonym("Dutch"),
            Some(("NL", "The Netherlands"))
        );
        assert_eq!(
            entity_key(EntityLabel::Nationality, "Dutch"),
            entity_key(EntityLabel::Nationality, "Netherlander")
        );
    }

    #[test]
    fn every_curated_entry_has_sources() {
        let t = AliasTable::global();
        let curated: Vec<_> = t
            .entries()
            .iter()
            .filter(|e| !e.sources.starts_with("gazetteer"))
            .collect();
        assert!(curated.len() >= 60);
        assert!(
            curated.iter().all(|e| !e.sources.trim().is_empty()),
            "entry without sources"
        );
    }
}
