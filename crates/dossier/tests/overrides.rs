//! Analyst decisions stick when new documents arrive later: each of merge,
//! split, rename and not-same, through ingest's resolver (`NameUnifier`, as the
//! pipeline's writer runs it), on SQLite and on a real PostgreSQL server.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../store/tests/pg_server/mod.rs"]
mod pg_server;

use dossier::unify::NameUnifier;
use dossier_core::EntityLabel;
use dossier_store::conformance::{doc, mention};
use dossier_store::{AnalysedDocument, Decision, Store};

/// What the pipeline's writer does with one batch.
fn ingest(store: &mut dyn Store, mut docs: Vec<AnalysedDocument>) -> Vec<AnalysedDocument> {
    let mut u = NameUnifier::load(&*store).unwrap();
    for d in &mut docs {
        u.unify(d, &*store).unwrap();
    }
    u.persist(store).unwrap();
    store.put_batch(&docs).unwrap();
    docs
}

/// A document whose mentions are the given person names (each first occurrence).
fn story(source: &str, text: &str, people: &[&str], orgs: &[&str]) -> AnalysedDocument {
    let mut d = doc(source, None, Some("2025-06-01"), text);
    for (i, p) in people.iter().enumerate() {
        // A name inside an earlier one ("Velasco" in "Karim Velasco") is its next
        // occurrence.
        let nth = people
            .get(..i)
            .unwrap_or(&[])
            .iter()
            .filter(|q| q.contains(p))
            .count();
        mention(&mut d, p, nth, EntityLabel::Person, p);
    }
    for o in orgs {
        mention(&mut d, o, 0, EntityLabel::Organisation, o);
    }
    d.mentions.sort_by_key(|m| m.mention.start);
    d
}

/// Entity of the mention with this text in a stored document.
fn entity_of(store: &dyn Store, d: &AnalysedDocument, text: &str) -> i64 {
    let got = store.document(d.document.id.as_str()).unwrap();
    got.mentions
        .iter()
        .find(|m| m.mention.text == text)
        .unwrap_or_else(|| panic!("{text:?} not stored"))
        .entity_id
}

fn id(store: &dyn Store, name: &str) -> i64 {
    let found = store
        .find_entities(name, Some(EntityLabel::Person))
        .unwrap();
    assert_eq!(found.len(), 1, "{name}: {found:?}");
    found[0].id
}

fn merge_sticks(store: &mut dyn Store) {
    ingest(
        store,
        vec![
            story(
                "a.txt",
                "Samir Oosterhout drove.",
                &["Samir Oosterhout"],
                &[],
            ),
            story(
                "b.txt",
                "Sami Oesterhoudt phoned.",
                &["Sami Oesterhoudt"],
                &[],
            ),
        ],
    );
    let (a, b) = (id(store, "Samir Oosterhout"), id(store, "Sami Oesterhoudt"));
    assert_ne!(a, b, "no context: two entities before the decision");
    store
        .add_decision(&Decision::Merge { from: b, into: a })
        .unwrap();
    let later = ingest(
        store,
        vec![story(
            "c.txt",
            "Sami Oesterhoudt paid.",
            &["Sami Oesterhoudt"],
            &[],
        )],
    );
    assert_eq!(entity_of(store, &later[0], "Sami Oesterhoudt"), a);
}

fn split_sticks(store: &mut dyn Store) {
    let first = ingest(
        store,
        vec![story(
            "a.txt",
            "Rachid Ferhat attacked. Leila Ferhat wrote about it.",
            &["Rachid Ferhat", "Leila Ferhat"],
            &[],
        )],
    );
    let rachid = id(store, "Rachid Ferhat");
    let leila = id(store, "Leila Ferhat");
    // A wrong merge by hand, then the analyst splits the mention out again.
    store
        .add_decision(&Decision::Merge {
            from: leila,
            into: rachid,
        })
        .unwrap();
    let span = dossier_store::conformance::span_of(&first[0].document.text, "Leila Ferhat", 0);
    store
        .add_decision(&Decision::Split {
            entity: rachid,
            mentions: vec![(first[0].document.id.clone(), span)],
            name: "Leila Ferhat (CTTS)".into(),
        })
        .unwrap();
    let split = id(store, "Leila Ferhat (CTTS)");
    let later = ingest(
        store,
        vec![story(
            "b.txt",
            "Leila Ferhat spoke in Brussels.",
            &["Leila Ferhat"],
            &[],
        )],
    );
    assert_eq!(entity_of(store, &later[0], "Leila Ferhat"), split);
    assert_ne!(split, rachid);
}

fn rename_sticks(store: &mut dyn Store) {
    ingest(
        store,
        vec![story(
            "a.txt",
            "Karim Velasco-Oduya ran Meridian Kargo.",
            &["Karim Velasco-Oduya"],
            &["Meridian Kargo"],
        )],
    );
    let karim = id(store, "Karim Velasco-Oduya");
    store
        .add_decision(&Decision::Rename {
            entity: karim,
            name: "The Accountant".into(),
        })
        .unwrap();
    let later = ingest(
        store,
        vec![
            story(
                "b.txt",
                "Karim Velasco-Oduya paid Meridian Kargo.",
                &["Karim Velasco-Oduya"],
                &["Meridian Kargo"],
            ),
            story(
                "c.txt",
                "K. Velasco-Oduja signed for Meridian Kargo.",
                &["K. Velasco-Oduja"],
                &["Meridian Kargo"],
            ),
            story(
                "d.txt",
                "The Accountant moved money.",
                &["The Accountant"],
                &[],
            ),
        ],
    );
    assert_eq!(entity_of(store, &later[0], "Karim Velasco-Oduya"), karim);
    assert_eq!(entity_of(store, &later[1], "K. Velasco-Oduja"), karim);
    assert_eq!(entity_of(store, &later[2], "The Accountant"), karim);
    let s = store.entity_summary(karim).unwrap().unwrap();
    assert_eq!((s.name.as_str(), s.documents), ("The Accountant", 4));
}

fn not_same_blocks_the_resolver(store: &mut dyn Store, decide: bool) -> bool {
    ingest(
        store,
        vec![
            story(
                "a.txt",
                "Karim Velasco met Samir Oosterhout at Meridian Kargo.",
                &["Karim Velasco", "Samir Oosterhout"],
                &["Meridian Kargo"],
            ),
            story("b.txt", "Velasco was seen in Graz.", &["Velasco"], &[]),
        ],
    );
    let (karim, k) = (id(store, "Karim Velasco"), id(store, "Velasco"));
    assert_ne!(karim, k, "no shared context: two entities");
    if decide {
        store
            .add_decision(&Decision::NotSame { a: karim, b: k })
            .unwrap();
    }
    // In this story the lone "Velasco" binds to the full name given first.
    let later = ingest(
        store,
        vec![story(
            "c.txt",
            "Karim Velasco and Samir Oosterhout met at Meridian Kargo. Velasco paid.",
            &["Karim Velasco", "Samir Oosterhout", "Velasco"],
            &["Meridian Kargo"],
        )],
    );
    assert_eq!(entity_of(store, &later[0], "Karim Velasco"), karim);
    entity_of(store, &later[0], "Velasco") == k
}

fn sqlite() -> (tempfile::TempDir, Box<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let store = dossier_store::SqliteStore::open(&dir.path().join("t.db")).unwrap();
    (dir, Box::new(store))
}

macro_rules! both_backends {
    ($($name:ident => $body:expr;)*) => {
        mod sqlite_backend {
            use super::*;
            $(#[test] fn $name() { let (_d, mut s) = sqlite(); let f: fn(&mut dyn Store) = $body; f(&mut *s); })*
        }
        mod postgres_backend {
            use super::*;
            $(#[test] fn $name() {
                let Some(db) = pg_server::fresh_db() else { return };
                let mut s = dossier_store::PostgresStore::connect(&db.url).unwrap();
                let f: fn(&mut dyn Store) = $body;
                f(&mut s);
            })*
        }
    };
}

both_backends! {
    merge => merge_sticks;
    split => split_sticks;
    rename => rename_sticks;
    not_same => |s| {
        assert!(not_same_blocks_the_resolver(s, true), "not-same ignored");
    };
}

#[test]
fn without_the_decision_the_mention_binds_to_the_full_name() {
    // The control for `not_same`: the decision is what keeps the mention apart.
    let (_d, mut s) = sqlite();
    assert!(!not_same_blocks_the_resolver(&mut *s, false));
}
