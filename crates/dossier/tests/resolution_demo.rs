//! Cross-document resolution at ingest on the demo corpus, against its answer
//! key (`corpus/demo/expected.json`): the handler's name variants land on one
//! entity, and the two Ferhats stay two people.

use dossier::{ingest, open_store, IngestOptions, Input, NoProgress};
use dossier_core::EntityLabel;
use dossier_store::{Page, Store};
use std::collections::BTreeSet;
use std::path::Path;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../corpus/demo");

fn person(store: &dyn Store, name: &str) -> Vec<i64> {
    store
        .find_entities(name, Some(EntityLabel::Person))
        .expect("lookup")
        .iter()
        .map(|e| e.id)
        .collect()
}

/// Source files (fragment and folders dropped) of an entity's documents.
fn files(store: &dyn Store, entity: i64) -> BTreeSet<String> {
    let page = Page {
        limit: 1000,
        offset: 0,
    };
    let (docs, _, _) = store.entity_documents(entity, page).expect("documents");
    docs.iter()
        .map(|d| {
            let s = d.source.split('#').next().unwrap_or("");
            s.rsplit('/').next().unwrap_or(s).to_string()
        })
        .collect()
}

#[test]
fn handler_variants_join_and_namesakes_stay_apart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("demo.db");
    let db = db.to_str().expect("utf-8 path").to_string();
    let pipeline = dossier::nlp::Pipeline::load_default().expect("models");
    let open = || open_store(&db, true);
    let opts = IngestOptions::default();
    let report = ingest(
        &open,
        &pipeline,
        vec![Input::Path(Path::new(DEMO).join("docs"))],
        &opts,
        &NoProgress,
    )
    .expect("ingest");
    assert!(report.inserted >= 25, "{report:?}");
    let store = open_store(&db, false).expect("open");
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(DEMO).join("expected.json")).expect("answer key"),
    )
    .expect("json");

    // The handler: every variant the extractor finds as a person name is one entity.
    let handler = expected["handler"]["name"].as_str().expect("name");
    let ids = person(&*store, handler);
    assert_eq!(ids.len(), 1, "{handler}: {ids:?}");
    let karim = ids[0];
    let mut found = Vec::new();
    for v in expected["handler"]["variants"]
        .as_array()
        .expect("variants")
    {
        let v = v.as_str().expect("variant");
        let got = person(&*store, v);
        if !got.is_empty() {
            assert_eq!(got, vec![karim], "variant {v:?} is a separate entity");
            found.push(v);
        }
    }
    // The variants the demo's extractor output contains, each checked above.
    for v in [
        "Kareem Velasco Oduya",
        "Velasco Oduya",
        "K. Velasco-Oduja",
        "K. Velasco-Oduya",
    ] {
        assert!(found.contains(&v), "{v:?} not found as a person: {found:?}");
    }
    let min_docs = expected["entities"]
        .as_array()
        .expect("entities")
        .iter()
        .find(|e| e["name"] == handler)
        .and_then(|e| e["min_documents"].as_u64())
        .expect("min_documents") as usize;
    assert!(
        files(&*store, karim).len() >= min_docs,
        "{:?}",
        files(&*store, karim)
    );

    // Same surname, different people: each stays within the files of its person.
    let pair = &expected["same_surname_different_people"][0]["people"];
    let mut entities = Vec::new();
    for p in pair.as_array().expect("people") {
        let name = p["name"].as_str().expect("name");
        let ids = person(&*store, name);
        assert_eq!(ids.len(), 1, "{name}: {ids:?}");
        let allowed: BTreeSet<String> = p["files"]
            .as_array()
            .expect("files")
            .iter()
            .filter_map(|f| f.as_str())
            .map(|f| f.split('#').next().unwrap_or(f).to_string())
            .collect();
        let got = files(&*store, ids[0]);
        assert!(got.is_subset(&allowed), "{name}: {got:?} ⊄ {allowed:?}");
        entities.push(ids[0]);
    }
    assert_eq!(entities.len(), 2);
    assert_ne!(entities[0], entities[1], "the two Ferhats were merged");
    // "Herr Ferhat" in the payment reply is Rachid (the only Ferhat named there).
    assert_eq!(person(&*store, "Herr Ferhat"), vec![entities[0]]);

    // Why the same: reasons are stored for the variants.
    let reasons = store
        .resolution_reasons(
            karim,
            Page {
                limit: 1000,
                offset: 0,
            },
        )
        .expect("reasons");
    assert!(
        reasons.iter().any(|r| r.name == "K. Velasco-Oduja"),
        "{reasons:?}"
    );
}
