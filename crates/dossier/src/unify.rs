//! Cross-document name unification at ingest: mentions whose names share a
//! resolution key (`dossier_resolve::entity_key`: known aliases such as
//! ISIS/ISIL/Daesh, transliterations such as al-Qaida/al-Qaeda, demonyms,
//! gazetteer places) take the canonical name of the entity first stored under
//! that key, so the store clusters them into one entity.
//!
//! Context-free by design (a lone surname keeps its own key), so it never
//! merges two people who merely share a surname. Runs in the single writer, in
//! commit order, seeded from the stored entities, so one ingest or several give
//! the same entities.

use dossier_core::EntityLabel;
use dossier_store::{AnalysedDocument, Store, StoreError};
use std::collections::HashMap;

#[derive(Default)]
pub struct NameUnifier {
    by_key: HashMap<(EntityLabel, String), String>,
}

impl NameUnifier {
    /// Seeded with every stored entity's name (the first stored name of a key wins).
    pub fn load(store: &dyn Store) -> Result<NameUnifier, StoreError> {
        let mut u = NameUnifier::default();
        for e in crate::analysis::all_entities(store)? {
            let key = dossier_resolve::entity_key(e.label, &e.name);
            u.by_key.entry((e.label, key)).or_insert(e.name);
        }
        Ok(u)
    }

    /// Rewrites each mention's canonical name to the one its key already has.
    /// Acronyms a document defines ("Northern Crescent Brigade (NCB)", resolved
    /// in the document) are remembered, so a later document's bare "NCB" joins.
    pub fn unify(&mut self, doc: &mut AnalysedDocument) {
        for m in &doc.mentions {
            let t = m.mention.text.trim();
            let acronym = (2..=6).contains(&t.chars().count())
                && t.chars().all(|c| c.is_ascii_uppercase())
                && m.canonical.split_whitespace().count() >= 2;
            if acronym {
                let key = dossier_resolve::entity_key(m.mention.label, t);
                self.by_key
                    .entry((m.mention.label, key))
                    .or_insert_with(|| m.canonical.clone());
            }
        }
        for m in &mut doc.mentions {
            let key = dossier_resolve::entity_key(m.mention.label, &m.canonical);
            if key.ends_with(':') {
                continue; // nothing to match on (punctuation only)
            }
            match self.by_key.get(&(m.mention.label, key.clone())) {
                Some(name) => {
                    if *name != m.canonical {
                        m.canonical = name.clone();
                    }
                }
                None => {
                    self.by_key
                        .insert((m.mention.label, key), m.canonical.clone());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dossier_core::{Document, EntityMention, Format};
    use dossier_store::ResolvedMention;

    fn doc(names: &[(&str, EntityLabel)]) -> AnalysedDocument {
        let text = names.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(". ");
        let mut pos = 0;
        let mentions = names
            .iter()
            .map(|(n, l)| {
                let start = pos;
                pos += n.chars().count() + 2;
                ResolvedMention {
                    mention: EntityMention {
                        start,
                        end: start + n.chars().count(),
                        label: *l,
                        text: n.to_string(),
                        confidence: 0.9,
                        kind: None,
                        normalized: None,
                        extractor: "test".into(),
                    },
                    canonical: n.to_string(),
                }
            })
            .collect();
        AnalysedDocument {
            document: Document::new("t", Format::Text, text),
            mentions,
            sentences: Vec::new(),
            facts: Default::default(),
            minhash: Vec::new(),
            near_duplicate_of: None,
            extractor: "test".into(),
        }
    }

    #[test]
    fn aliases_and_transliterations_take_the_first_name() {
        let mut u = NameUnifier::default();
        let mut a = doc(&[
            ("Islamic State", EntityLabel::Organisation),
            ("al-Qaida", EntityLabel::Organisation),
        ]);
        u.unify(&mut a);
        let mut b = doc(&[
            ("ISIL", EntityLabel::Organisation),
            ("Al Qaeda", EntityLabel::Organisation),
            ("Johnson", EntityLabel::Person),
            ("Mark Johnson", EntityLabel::Person),
        ]);
        u.unify(&mut b);
        let names: Vec<&str> = b.mentions.iter().map(|m| m.canonical.as_str()).collect();
        assert_eq!(
            names,
            ["Islamic State", "al-Qaida", "Johnson", "Mark Johnson"]
        );
    }

    #[test]
    fn acronyms_defined_in_one_document_carry_over() {
        let mut u = NameUnifier::default();
        let mut a = doc(&[("NCB", EntityLabel::Organisation)]);
        a.mentions[0].canonical = "Northern Crescent Brigade".into();
        u.unify(&mut a);
        let mut b = doc(&[("NCB", EntityLabel::Organisation)]);
        u.unify(&mut b);
        assert_eq!(b.mentions[0].canonical, "Northern Crescent Brigade");
    }

    #[test]
    fn labels_keep_keys_apart() {
        let mut u = NameUnifier::default();
        let mut a = doc(&[("Jordan", EntityLabel::Location)]);
        u.unify(&mut a);
        let mut b = doc(&[("jordan", EntityLabel::Person)]);
        u.unify(&mut b);
        assert_eq!(b.mentions[0].canonical, "jordan");
    }
}
