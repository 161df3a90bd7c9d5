//! Places: Location mentions resolved to gazetteer entries (GeoNames, CC BY 4.0) with
//! coordinates and country. Ambiguous names (Paris, France vs Paris, Texas) are decided
//! by a qualifier next to the name ("Paris, Texas"), by the countries the document
//! talks about, and otherwise by size (population) and kind (countries before cities).

use crate::aliases::AliasTable;
use crate::normalize::fold;
use dossier_core::EntityLabel;
use dossier_nlp::gazetteer::{GazCategory, GazEntry, Gazetteer};
use std::collections::HashMap;

/// A resolved place.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// Gazetteer entry id (position in the gazetteer file; changes when it is rebuilt,
    /// so store `name` + `country`, not this).
    pub entry: u32,
    pub name: String,
    /// "Country", "City" or "Region".
    pub category: &'static str,
    /// ISO 3166-1 alpha-2 code, "" when none (continents, seas).
    pub country: String,
    /// Decimal degrees, `None` when the gazetteer has no coordinates (some regions).
    pub lat: Option<f32>,
    pub lon: Option<f32>,
    /// Why this entry was chosen among the candidates.
    pub reason: String,
}

impl Place {
    /// A stable key for clustering: the entry's name, country and rounded
    /// coordinates (two Parises differ; Raqqa and Raqqah meet).
    pub fn key(&self) -> String {
        match (self.lat, self.lon) {
            (Some(lat), Some(lon)) => format!(
                "{}|{}|{:.1},{:.1}",
                fold(&self.name),
                self.country,
                lat,
                lon
            ),
            _ => format!("{}|{}", fold(&self.name), self.country),
        }
    }
}

/// Which countries a document is about: counts of country codes of its unambiguous
/// place names and nationality words, plus qualifiers for single mentions.
#[derive(Debug, Clone, Default)]
pub struct DocCountryContext {
    counts: HashMap<String, f32>,
    total: f32,
}

impl DocCountryContext {
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one country mention.
    pub fn add_country(&mut self, code: &str) {
        if code.is_empty() {
            return;
        }
        *self.counts.entry(code.to_string()).or_insert(0.0) += 1.0;
        self.total += 1.0;
    }

    /// Builds the context from a document's (label, text) mentions: countries,
    /// demonyms and place names whose candidates all lie in one country.
    pub fn from_mentions<'a>(mentions: impl IntoIterator<Item = (EntityLabel, &'a str)>) -> Self {
        let mut ctx = DocCountryContext::new();
        let g = Gazetteer::global();
        let t = AliasTable::global();
        for (label, text) in mentions {
            match label.to_re3d() {
                EntityLabel::Nationality => {
                    if let Some((code, _)) = t.country_of_demonym(text) {
                        ctx.add_country(code);
                    }
                }
                EntityLabel::Location | EntityLabel::Organisation => {
                    if let Some(code) = single_country(&candidates(g, text)) {
                        ctx.add_country(code);
                    }
                }
                _ => {}
            }
        }
        ctx
    }

    /// The share of the document's country mentions that name `code` (0..=1).
    pub fn share(&self, code: &str) -> f32 {
        if self.total <= 0.0 {
            return 0.0;
        }
        self.counts.get(code).copied().unwrap_or(0.0) / self.total
    }
}

/// The country all candidates share, if they share one.
fn single_country<'g>(cands: &[(u32, &'g GazEntry)]) -> Option<&'g str> {
    let first = cands.first()?.1.country;
    (!first.is_empty() && cands.iter().all(|(_, e)| e.country == first)).then_some(first)
}

/// Place-like gazetteer entries for a name: exact lookup first, then with
/// diacritics folded ("Raqqah" and "Ar-Raqqah" are aliases in the data).
fn candidates<'g>(g: &'g Gazetteer, name: &str) -> Vec<(u32, &'g GazEntry)> {
    let name = crate::normalize::strip_possessive(name.trim());
    let name = name
        .strip_prefix("the ")
        .or_else(|| name.strip_prefix("The "))
        .unwrap_or(name);
    let place = |c: GazCategory| {
        matches!(
            c,
            GazCategory::Country | GazCategory::City | GazCategory::Region
        )
    };
    let mut out: Vec<_> = g
        .lookup(name)
        .into_iter()
        .filter(|(_, e)| place(e.category))
        .collect();
    if out.is_empty() {
        let folded = fold(name);
        if folded != name.to_lowercase() {
            out = g
                .lookup(&folded)
                .into_iter()
                .filter(|(_, e)| place(e.category))
                .collect();
        }
    }
    out
}

/// Resolves a place name to a gazetteer entry. A name may carry its qualifier
/// ("Paris, Texas"); see [`resolve_place_qualified`] for a qualifier found next to the
/// mention in the text.
pub fn resolve_place(name: &str, ctx: &DocCountryContext) -> Option<Place> {
    match name.split_once(',') {
        Some((base, qual)) if !qual.trim().is_empty() => {
            resolve_place_qualified(base, Some(qual.trim()), ctx)
        }
        _ => resolve_place_qualified(name, None, ctx),
    }
}

/// Resolves `name` with an optional qualifier (the "Texas" of "Paris, Texas", a region
/// or country name): candidates in the qualifier's country win outright.
pub fn resolve_place_qualified(
    name: &str,
    qualifier: Option<&str>,
    ctx: &DocCountryContext,
) -> Option<Place> {
    let g = Gazetteer::global();
    let cands = candidates(g, name);
    if cands.is_empty() {
        return None;
    }
    let qual_country: Option<String> = qualifier.and_then(|q| {
        let qc = candidates(g, q);
        // A US state, region or country: its country code.
        qc.iter()
            .find(|(_, e)| matches!(e.category, GazCategory::Region | GazCategory::Country))
            .map(|(_, e)| e.country.to_string())
    });
    let mut best: Option<(f32, u32, &GazEntry, String)> = None;
    for (id, e) in cands {
        // Prior: countries and regions are what a bare name most often means; among
        // cities, bigger is likelier (log population).
        let prior = match e.category {
            GazCategory::Country => 8.0,
            GazCategory::Region => 5.0,
            _ => (e.population.max(1) as f32).log10(),
        };
        let share = ctx.share(e.country);
        let qual = qual_country.as_deref() == Some(e.country) && !e.country.is_empty();
        let score = prior + 4.0 * share + if qual { 20.0 } else { 0.0 };
        if best.as_ref().is_none_or(|b| score > b.0) {
            let reason = if qual {
                format!(
                    "qualifier {:?} names {}",
                    qualifier.unwrap_or(""),
                    e.country
                )
            } else if share > 0.0 {
                format!(
                    "document country share {:.0}% for {}; prior {:.1}",
                    share * 100.0,
                    e.country,
                    prior
                )
            } else {
                format!("most prominent candidate (prior {prior:.1})")
            };
            best = Some((score, id, e, reason));
        }
    }
    let (_, id, e, reason) = best?;
    let has = e.has_coordinates();
    Some(Place {
        entry: id,
        name: e.name.to_string(),
        category: e.category.as_str(),
        country: e.country.to_string(),
        lat: has.then_some(e.lat),
        lon: has.then_some(e.lon),
        reason,
    })
}

/// The context-free place key of a name (for [`crate::entity_key`]): the most
/// prominent candidate's key.
pub(crate) fn place_key_context_free(name: &str) -> Option<String> {
    resolve_place(name, &DocCountryContext::new()).map(|p| p.key())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paris_is_decided_by_qualifier_and_document_countries() {
        let none = DocCountryContext::new();
        let p = resolve_place("Paris", &none).expect("Paris");
        assert_eq!(p.country, "FR");
        let p = resolve_place("Paris, Texas", &none).expect("Paris, Texas");
        assert_eq!(p.country, "US");
        let texas = DocCountryContext::from_mentions([
            (EntityLabel::Location, "Texas"),
            (EntityLabel::Location, "Dallas"),
            (EntityLabel::Nationality, "American"),
        ]);
        let p = resolve_place("Paris", &texas).expect("Paris in a Texas story");
        assert_eq!(p.country, "US");
        assert!(p.lat.is_some());
    }

    #[test]
    fn spelling_variants_resolve_to_one_place() {
        let none = DocCountryContext::new();
        let a = resolve_place("Raqqa", &none).expect("Raqqa");
        let b = resolve_place("Raqqah", &none).expect("Raqqah");
        assert_eq!(a.key(), b.key());
        assert_eq!(a.country, "SY");
        assert!(resolve_place("Xqzzyville", &none).is_none());
    }
}
