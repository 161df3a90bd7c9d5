//! The backend-agnostic Store contract on a real PostgreSQL server, plus what
//! only a shared server can show: several writers at once.

mod pg_server;

use dossier_store::{PostgresStore, Store};

dossier_store::conformance_suite!(postgres, {
    let Some(db) = pg_server::fresh_db() else {
        return;
    };
    let store = PostgresStore::connect(&db.url).expect("connect");
    (db, Box::new(store) as Box<dyn Store>)
});

mod postgres_only {
    use super::pg_server;
    use dossier_core::EntityLabel;
    use dossier_store::conformance::{doc, mention};
    use dossier_store::{AnalysedDocument, Page, PostgresStore, Store, StoreError};

    /// Document `i` of the shared workload: every one mentions "Raqqa", odd ones
    /// also "Mosul" (with a varying spelling of the canonical name).
    fn numbered(i: usize) -> AnalysedDocument {
        let mut d = doc(
            &format!("feed/{i}.txt"),
            Some(&format!("Report {i}")),
            Some("2017-10-17"),
            &format!("Report number {i} from Raqqa. Fighting near Mosul continued."),
        );
        mention(&mut d, "Raqqa", 0, EntityLabel::Location, "Raqqa");
        if i % 2 == 1 {
            mention(&mut d, "Mosul", 0, EntityLabel::Location, "MOSUL  ");
        }
        d
    }

    #[test]
    fn concurrent_writers_neither_deadlock_nor_duplicate() {
        let Some(db) = pg_server::fresh_db() else {
            return;
        };
        // Open once first so the writers race on data, then also race a
        // second pair of connects on the already migrated schema.
        drop(PostgresStore::connect(&db.url).unwrap());
        const DOCS: usize = 120;
        let workers: Vec<_> = (0..3)
            .map(|w| {
                let url = db.url.clone();
                std::thread::spawn(move || {
                    let mut store = PostgresStore::connect(&url).unwrap();
                    let mut inserted = 0;
                    // Overlapping batches in different orders per worker.
                    for start in (0..DOCS).step_by(8) {
                        let mut batch: Vec<AnalysedDocument> =
                            (start..(start + 12).min(DOCS)).map(numbered).collect();
                        if w % 2 == 1 {
                            batch.reverse();
                        }
                        inserted += store.put_batch(&batch).unwrap().inserted;
                    }
                    inserted
                })
            })
            .collect();
        let inserted: usize = workers.into_iter().map(|h| h.join().unwrap()).sum();
        assert_eq!(
            inserted, DOCS,
            "each document inserted by exactly one writer"
        );

        let store = PostgresStore::connect_existing(&db.url).unwrap();
        let stats = store.stats().unwrap();
        assert_eq!(stats.documents, DOCS);
        assert_eq!(stats.entities, 2, "one Raqqa, one Mosul");
        assert_eq!(stats.mentions, DOCS + DOCS / 2);
        let ents = store.entities(None, Page::default()).unwrap();
        let counts: Vec<(&str, usize, usize)> = ents
            .iter()
            .map(|e| (e.name.as_str(), e.mentions, e.documents))
            .collect();
        assert_eq!(
            counts,
            vec![("Raqqa", DOCS, DOCS), ("MOSUL", DOCS / 2, DOCS / 2)]
        );
        let all = store
            .documents(Page {
                limit: 1000,
                offset: 0,
            })
            .unwrap();
        assert_eq!(all.len(), DOCS);
        let mut ids: Vec<_> = all.iter().map(|d| d.id.clone()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), DOCS);
    }

    /// A knowledge base written by the previous release (schema version 1)
    /// migrates and takes facts; its data stays.
    #[test]
    fn a_version_1_database_migrates_to_facts_and_graph() {
        use dossier_store::conformance::{facts_doc, facts_doc_later};
        use dossier_store::EdgeFilter;
        let Some(db) = pg_server::fresh_db() else {
            return;
        };
        let old = facts_doc_later();
        PostgresStore::connect(&db.url)
            .unwrap()
            .put_batch(std::slice::from_ref(&old))
            .unwrap();
        raw(&db.url)
            .batch_execute(
                "DROP TABLE facts, fact_args, edge_kinds, edges, edge_evidence, decisions, entity_redirects, \
                 event_nodes, event_members, event_edges, event_evidence, name_blocks, resolution_reasons; \
                 UPDATE dossier_meta SET value = '1' WHERE key = 'schema_version';",
            )
            .unwrap();
        let mut store = PostgresStore::connect_existing(&db.url).unwrap();
        assert_eq!(
            store.schema_version().unwrap(),
            dossier_store::postgres::latest_schema_version()
        );
        assert_eq!(
            store.document(old.document.id.as_str()).unwrap().document,
            old.document
        );
        let new = facts_doc();
        store.put_batch(std::slice::from_ref(&new)).unwrap();
        assert_eq!(store.facts(new.document.id.as_str()).unwrap(), new.facts);
        let is = store.find_entities("Islamic State", None).unwrap()[0].id;
        assert!(!store
            .neighbours(is, &EdgeFilter::default(), Page::default())
            .unwrap()
            .is_empty());
    }

    fn raw(url: &str) -> postgres::Client {
        postgres::Client::connect(url, postgres::NoTls).unwrap()
    }

    #[test]
    fn schema_is_versioned_and_guarded() {
        let Some(db) = pg_server::fresh_db() else {
            return;
        };
        // An empty database is not a knowledge base for read-only commands.
        assert!(matches!(
            PostgresStore::connect_existing(&db.url),
            Err(StoreError::Missing { .. })
        ));
        // Two processes creating the schema at once: both succeed, once.
        let racers: Vec<_> = (0..2)
            .map(|_| {
                let url = db.url.clone();
                std::thread::spawn(move || PostgresStore::connect(&url).map(|s| s.schema_version()))
            })
            .collect();
        for r in racers {
            assert_eq!(
                r.join().unwrap().unwrap().unwrap(),
                dossier_store::postgres::latest_schema_version()
            );
        }
        let mut store = PostgresStore::connect_existing(&db.url).unwrap();
        store.put_batch(&[numbered(1)]).unwrap();
        let mut c = raw(&db.url);
        let v: String = c
            .query_one(
                "SELECT value FROM dossier_meta WHERE key = 'schema_version'",
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(
            v,
            dossier_store::postgres::latest_schema_version().to_string()
        );
        // Reopening keeps the data.
        drop(store);
        let store = PostgresStore::connect(&db.url).unwrap();
        assert_eq!(store.stats().unwrap().documents, 1);
        // A newer dossier's schema is refused, not downgraded.
        c.execute(
            "UPDATE dossier_meta SET value = '999' WHERE key = 'schema_version'",
            &[],
        )
        .unwrap();
        assert!(matches!(
            PostgresStore::connect(&db.url),
            Err(StoreError::TooNew { found: 999, .. })
        ));
    }

    #[test]
    fn refuses_foreign_databases_and_bad_urls() {
        let Some(db) = pg_server::fresh_db() else {
            return;
        };
        raw(&db.url)
            .batch_execute("CREATE TABLE invoices (id integer)")
            .unwrap();
        let err = PostgresStore::connect(&db.url).err().unwrap();
        assert!(
            err.to_string().contains("not a dossier knowledge base"),
            "{err}"
        );
        // A password never shows in errors.
        let bad = db
            .url
            .replace("postgres@", "postgres:hunter2@")
            .replace("/t", "/no_such_db_t");
        let err = PostgresStore::connect(&bad).err().unwrap();
        let msg = err.to_string();
        assert!(msg.contains("cannot connect"), "{msg}");
        assert!(!msg.contains("hunter2"), "{msg}");
    }

    /// A version-2 database (no event nodes) upgrades to version 3 and
    /// derives the event nodes of the documents it holds, as SQLite does.
    #[test]
    fn a_version_2_database_migrates_to_event_nodes() {
        use dossier_store::conformance::event_reports;
        use dossier_store::EventFilter;
        let Some(db) = pg_server::fresh_db() else {
            return;
        };
        let all = || EventFilter {
            page: Page {
                limit: 50,
                offset: 0,
            },
            ..EventFilter::default()
        };
        let fresh = {
            let mut store = PostgresStore::connect(&db.url).unwrap();
            store.put_batch(&event_reports()).unwrap();
            store.events(&all()).unwrap()
        };
        assert_eq!(fresh.len(), 3);
        raw(&db.url)
            .batch_execute(
                "DROP TABLE event_nodes; DROP TABLE event_members; DROP TABLE event_edges; \
                 DROP TABLE event_evidence; DROP TABLE name_blocks; DROP TABLE resolution_reasons; \
                 UPDATE dossier_meta SET value = '2' WHERE key = 'schema_version';",
            )
            .unwrap();
        let store = PostgresStore::connect_existing(&db.url).unwrap();
        assert_eq!(
            store.schema_version().unwrap(),
            dossier_store::postgres::latest_schema_version()
        );
        assert_eq!(store.events(&all()).unwrap(), fresh);
        drop(store);
        let left: i64 = raw(&db.url)
            .query_one(
                "SELECT count(*) FROM dossier_meta WHERE key = 'event_backfill'",
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(left, 0);
    }
}
