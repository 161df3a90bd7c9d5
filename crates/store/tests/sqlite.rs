//! SQLite-specific behaviour: opening, schema versions, query plans, and
//! consistency after the writing process is SIGKILLed.

use dossier_core::{EntityLabel, EntityMention, Query, SearchFilters, SearchRequest};
use dossier_store::conformance::{corpus, doc, span_of};
use dossier_store::{
    AnalysedDocument, ResolvedMention, SqliteStore, Store, StoreError, MINHASH_BANDS, MINHASH_ROWS,
};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn raw(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).expect("raw connection")
}

#[test]
fn open_existing_refuses_a_missing_file_without_creating_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nothing-here.sqlite");
    let err = SqliteStore::open_existing(&path)
        .err()
        .expect("missing file must fail");
    assert!(matches!(err, StoreError::Missing { .. }));
    let msg = err.to_string();
    assert_eq!(
        msg,
        format!(
            "no knowledge base at {}: run `dossier ingest` first or pass --db",
            path.display()
        )
    );
    assert!(!path.exists(), "open_existing must not create the file");
}

#[test]
fn refuses_files_that_are_not_sqlite_and_leaves_them_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    let content = "These are my notes, not a database. ".repeat(200);
    std::fs::write(&path, &content).unwrap();
    for result in [SqliteStore::open_existing(&path), SqliteStore::open(&path)] {
        let err = result.err().expect("not a database");
        let msg = err.to_string();
        assert!(msg.contains("not a SQLite database"), "{msg}");
        assert!(msg.contains(&path.display().to_string()), "{msg}");
        assert!(!msg.contains('\n'), "one line: {msg}");
    }
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        content,
        "file untouched"
    );
    let nowhere = dir.path().join("no/such/dir/kb.sqlite");
    let err = SqliteStore::open(&nowhere)
        .err()
        .expect("missing directory");
    assert!(err.to_string().contains("does not exist"), "{err}");
    // A directory is not a database either.
    let err = SqliteStore::open(dir.path()).err().expect("directory");
    assert!(err.to_string().contains("is a directory"), "{err}");
}

#[test]
fn refuses_another_programs_sqlite_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.sqlite");
    raw(&path)
        .execute_batch("CREATE TABLE invoices(id INTEGER); INSERT INTO invoices VALUES (1);")
        .unwrap();
    for result in [SqliteStore::open_existing(&path), SqliteStore::open(&path)] {
        let err = result.err().expect("foreign database");
        assert!(
            err.to_string().contains("not a dossier knowledge base"),
            "{err}"
        );
    }
    let tables: i64 = raw(&path)
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        tables, 1,
        "no dossier tables added to someone else's database"
    );
}

#[test]
fn refuses_a_newer_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kb.sqlite");
    let version = {
        let store = SqliteStore::open(&path).unwrap();
        store.schema_version().unwrap()
    };
    raw(&path)
        .pragma_update(None, "user_version", version + 5)
        .unwrap();
    for result in [SqliteStore::open_existing(&path), SqliteStore::open(&path)] {
        match result {
            Err(StoreError::TooNew { found, supported }) => {
                assert_eq!((found, supported), (version + 5, version))
            }
            Err(e) => panic!("expected TooNew, got {e}"),
            Ok(_) => panic!("expected TooNew, opened"),
        }
    }
}

#[test]
fn reopening_keeps_data_and_settings() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kb.sqlite");
    let c = corpus();
    {
        let mut store = SqliteStore::open(&path).unwrap();
        store.put_batch(&c).unwrap();
    }
    let store = SqliteStore::open_existing(&path).unwrap();
    assert_eq!(store.stats().unwrap().documents, c.len());
    assert_eq!(
        store.schema_version().unwrap(),
        dossier_store::sqlite::latest_schema_version()
    );
    let conn = raw(&path);
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let app: i64 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .unwrap();
    assert_eq!(app, 0x646f_7373);
    // An empty file (e.g. made by `touch`) is initialised like a new one.
    let empty = dir.path().join("empty.sqlite");
    std::fs::write(&empty, b"").unwrap();
    assert_eq!(
        SqliteStore::open_existing(&empty)
            .unwrap()
            .stats()
            .unwrap()
            .documents,
        0
    );
}

#[test]
fn two_connections_share_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kb.sqlite");
    let mut a = SqliteStore::open(&path).unwrap();
    let mut b = SqliteStore::open(&path).unwrap();
    let c = corpus();
    let (x, y) = c.split_at(4);
    assert_eq!(a.put_batch(x).unwrap().inserted, 4);
    assert_eq!(
        b.put_batch(&c).unwrap().inserted,
        y.len(),
        "b sees a's commit and skips it"
    );
    assert_eq!(a.stats().unwrap().documents, c.len());
}

#[test]
fn filters_are_index_driven() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("kb.sqlite")).unwrap();
    store.put_batch(&corpus()).unwrap();
    let filters = SearchFilters {
        source: Some("news".into()),
        from: Some("2017".into()),
        to: Some("2018-01".into()),
        entity: Some("raqqa".into()),
        entity_type: Some(EntityLabel::Person),
    };
    let r = SearchRequest {
        query: Query::parse("raqqa OR mosul").unwrap(),
        filters,
        limit: 10,
        offset: 0,
    };
    let plan = store.explain_search(&r).unwrap();
    let scans: Vec<&String> = plan
        .iter()
        .filter(|l| l.starts_with("SCAN") && !l.contains("VIRTUAL TABLE"))
        .collect();
    assert!(scans.is_empty(), "table scans in {plan:#?}");
    assert!(
        plan.iter().any(|l| l.contains("mentions_entity")),
        "{plan:#?}"
    );
}

// ---- crash consistency -------------------------------------------------------

const CHILD_ENV: &str = "DOSSIER_STORE_CRASH_CHILD_DB";
const BATCH: usize = 40;
const MENTIONS: usize = 30;

/// Batch `k` of the crash test: news-sized documents, each with `MENTIONS`
/// mentions of entities shared across batches, sentences and a signature.
fn crash_batch(k: usize) -> Vec<AnalysedDocument> {
    (0..BATCH)
        .map(|i| {
            let mut text = format!("Report k{k}x{i} from the desk.");
            for j in 0..MENTIONS {
                text.push_str(&format!(
                    " Agent{} met officials in Town{} on day {j}.",
                    (i + j) % 50,
                    (k + j) % 20
                ));
            }
            let mut a = doc(
                &format!("batch{k}/doc{i}.txt"),
                Some(&format!("Batch {k} item {i}")),
                None,
                &text,
            );
            for j in 0..MENTIONS {
                let name = format!("Agent{}", (i + j) % 50);
                let span = span_of(&a.document.text, &format!("{name} met"), 0);
                a.mentions.push(ResolvedMention {
                    mention: EntityMention {
                        start: span.start,
                        end: span.start + name.chars().count(),
                        label: EntityLabel::Person,
                        text: name.clone(),
                        confidence: 0.9,
                        kind: None,
                        normalized: None,
                        extractor: "crash-test/1".into(),
                    },
                    canonical: name,
                });
            }
            a.minhash = (0..(MINHASH_BANDS * MINHASH_ROWS) as u32)
                .map(|r| r ^ ((k * 1000 + i) as u32))
                .collect();
            a
        })
        .collect()
}

/// The writer the crash test kills: runs only when the parent test starts it.
#[test]
#[ignore = "child process of sigkill_mid_batch_leaves_only_whole_batches"]
fn crash_child_writer() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return;
    };
    let mut store = SqliteStore::open(Path::new(&path)).expect("child open");
    for k in 0..10_000 {
        println!("begin {k}");
        let out = store.put_batch(&crash_batch(k)).expect("child put_batch");
        println!("committed {k} {}", out.inserted);
    }
}

/// Checks the invariants that must hold after any crash; returns the batches
/// stored, in order.
fn check_consistent(path: &Path) -> Vec<usize> {
    let conn = raw(path);
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    conn.execute(
        "INSERT INTO documents_fts(documents_fts) VALUES ('integrity-check')",
        [],
    )
    .expect("FTS index matches");
    let fk: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(fk, 0);
    // Every document has all its rows.
    let bad: i64 = conn
        .query_row(
            "SELECT count(*) FROM documents d WHERE d.mention_count != ?1 \
             OR (SELECT count(*) FROM mentions m WHERE m.doc = d.seq) != ?1 \
             OR (SELECT count(*) FROM sentences s WHERE s.doc = d.seq) != ?2 \
             OR (SELECT count(*) FROM minhash_bands b WHERE b.doc = d.seq) != ?3",
            [MENTIONS as i64, MENTIONS as i64 + 1, MINHASH_BANDS as i64],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(bad, 0, "documents with missing rows");
    let (mentions, counted): (i64, i64) = conn
        .query_row("SELECT (SELECT count(*) FROM mentions), (SELECT coalesce(sum(mention_count), 0) FROM entities)", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(mentions, counted, "entity counters match the mention rows");
    // Whole batches only.
    let mut stmt = conn
        .prepare(
            "SELECT substr(source, 6, instr(source, '/') - 6), count(*) FROM documents GROUP BY 1",
        )
        .unwrap();
    let mut batches: Vec<(usize, i64)> = stmt
        .query_map([], |r| {
            Ok((r.get::<_, String>(0)?.parse::<usize>().unwrap(), r.get(1)?))
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    batches.sort_unstable();
    for (k, n) in &batches {
        assert_eq!(*n, BATCH as i64, "batch {k} is partial");
    }
    batches.iter().map(|b| b.0).collect()
}

#[test]
fn sigkill_mid_batch_leaves_only_whole_batches() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kb.sqlite");
    let exe = std::env::current_exe().unwrap();
    let mut stored = Vec::new();
    let mut killed_mid_batch = 0;
    for (round, delay_ms) in [0u64, 3, 11, 29, 7].into_iter().enumerate() {
        let mut child = Command::new(&exe)
            .args([
                "--ignored",
                "--exact",
                "crash_child_writer",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // Let it write two new batches, then kill it a little later.
        let started = Instant::now();
        let mut fresh = 0;
        while fresh < 2 {
            let line = lines.next().expect("child ended early").unwrap();
            if line.starts_with("committed") && !line.ends_with(" 0") {
                fresh += 1;
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "child too slow"
            );
        }
        // The child spends nearly all its time inside put_batch, so the kill
        // lands mid-transaction.
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        // What was the child doing when it died?
        let last = lines
            .map_while(|l| l.ok())
            .filter(|l| l.starts_with("begin") || l.starts_with("committed"))
            .last();
        if last.is_some_and(|l| l.starts_with("begin")) {
            killed_mid_batch += 1;
        }
        let now = check_consistent(&path);
        assert_eq!(
            now,
            (0..now.len()).collect::<Vec<_>>(),
            "batches are stored in order, without gaps"
        );
        assert!(
            now.len() >= stored.len() + 2,
            "round {round}: {} batches after {}",
            now.len(),
            stored.len()
        );
        stored = now;
    }

    assert!(
        killed_mid_batch >= 3,
        "only {killed_mid_batch} of 5 kills hit an open batch"
    );

    // Resuming the same batches adds nothing twice.
    let mut store = SqliteStore::open_existing(&path).unwrap();
    let last = stored.len();
    for k in 0..=last {
        let out = store.put_batch(&crash_batch(k)).unwrap();
        if k < last {
            assert_eq!((out.inserted, out.skipped), (0, BATCH), "batch {k}");
        } else {
            assert_eq!((out.inserted, out.skipped), (BATCH, 0), "batch {k}");
        }
    }
    assert_eq!(check_consistent(&path).len(), last + 1);
    let stats = store.stats().unwrap();
    assert_eq!(stats.documents, (last + 1) * BATCH);
    assert_eq!(stats.mentions, (last + 1) * BATCH * MENTIONS);
    // 50 agents, found by name after the crashes too.
    assert_eq!(
        store
            .entities(
                Some(EntityLabel::Person),
                dossier_store::Page {
                    limit: 100,
                    offset: 0
                }
            )
            .unwrap()
            .len(),
        50
    );
}

#[test]
fn concurrent_writers_and_readers_share_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kb.sqlite");
    SqliteStore::open(&path).unwrap();
    let shared = crash_batch(999);
    let writers: Vec<_> = (0..3)
        .map(|w| {
            let path = path.clone();
            let shared = shared.clone();
            std::thread::spawn(move || {
                let mut store = SqliteStore::open(&path).unwrap();
                let mut inserted = 0;
                for k in 0..4 {
                    inserted += store.put_batch(&crash_batch(w * 10 + k)).unwrap().inserted;
                    // Everyone also writes the same batch: only one may insert it.
                    inserted += store.put_batch(&shared).unwrap().inserted;
                }
                inserted
            })
        })
        .collect();
    let reader = {
        let path = path.clone();
        std::thread::spawn(move || {
            let store = SqliteStore::open_existing(&path).unwrap();
            let req = SearchRequest {
                query: Query::parse("agent1 OR officials").unwrap(),
                filters: SearchFilters::default(),
                limit: 5,
                offset: 0,
            };
            let mut last = 0;
            for _ in 0..30 {
                let total = store.search(&req).unwrap().total;
                assert!(total >= last, "a reader never sees documents disappear");
                assert_eq!(total % BATCH, 0, "a reader sees whole batches only");
                last = total;
            }
        })
    };
    let inserted: usize = writers.into_iter().map(|h| h.join().unwrap()).sum();
    reader.join().unwrap();
    assert_eq!(inserted, 13 * BATCH);
    assert_eq!(
        SqliteStore::open_existing(&path)
            .unwrap()
            .stats()
            .unwrap()
            .documents,
        13 * BATCH
    );
    check_consistent(&path);
}

/// A knowledge base written by the previous release (schema version 1, no
/// fact or graph tables) opens, migrates and takes facts; its data stays.
#[test]
fn a_version_1_database_migrates_to_facts_and_graph() {
    use dossier_store::conformance::{facts_doc, facts_doc_later};
    use dossier_store::{EdgeFilter, Page};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kb.sqlite");
    let old = facts_doc_later();
    {
        let mut store = SqliteStore::open(&path).unwrap();
        store.put_batch(std::slice::from_ref(&old)).unwrap();
    }
    // Turn the file back into a version-1 database.
    raw(&path)
        .execute_batch(
            "DROP TABLE fact_args; DROP TABLE facts; DROP TABLE edge_kinds; DROP TABLE edges; \
             DROP TABLE edge_evidence; DROP TABLE decisions; DROP TABLE entity_redirects; \
             DROP TABLE event_nodes; DROP TABLE event_members; DROP TABLE event_edges; \
             DROP TABLE event_evidence; DROP TABLE event_state; DROP TABLE name_blocks; \
             DROP TABLE resolution_reasons; PRAGMA user_version = 1;",
        )
        .unwrap();
    let mut store = SqliteStore::open_existing(&path).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        dossier_store::sqlite::latest_schema_version()
    );
    assert_eq!(
        store.document(old.document.id.as_str()).unwrap().document,
        old.document
    );
    assert!(store.facts(old.document.id.as_str()).unwrap().is_empty());
    let new = facts_doc();
    store.put_batch(std::slice::from_ref(&new)).unwrap();
    assert_eq!(store.facts(new.document.id.as_str()).unwrap(), new.facts);
    let is = store.find_entities("Islamic State", None).unwrap()[0].id;
    assert!(!store
        .neighbours(is, &EdgeFilter::default(), Page::default())
        .unwrap()
        .is_empty());
}

/// A version-2 database (facts and graph, no event nodes) upgrades to
/// version 3 and derives the event nodes of the documents it holds, once.
#[test]
fn a_version_2_database_migrates_to_event_nodes() {
    use dossier_store::conformance::event_reports;
    use dossier_store::{EventFilter, Page};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kb.sqlite");
    let docs = event_reports();
    let all = || EventFilter {
        page: Page {
            limit: 50,
            offset: 0,
        },
        ..EventFilter::default()
    };
    let fresh = {
        let mut store = SqliteStore::open(&path).unwrap();
        store.put_batch(&docs).unwrap();
        store.events(&all()).unwrap()
    };
    assert_eq!(fresh.len(), 3);
    raw(&path)
        .execute_batch(
            "DROP TABLE event_nodes; DROP TABLE event_members; DROP TABLE event_edges; \
             DROP TABLE event_evidence; DROP TABLE event_state; DROP TABLE name_blocks; \
             DROP TABLE resolution_reasons; PRAGMA user_version = 2;",
        )
        .unwrap();
    let store = SqliteStore::open_existing(&path).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        dossier_store::sqlite::latest_schema_version()
    );
    let upgraded = store.events(&all()).unwrap();
    assert_eq!(upgraded, fresh);
    let p = store.event(upgraded[0].id, Page::default()).unwrap();
    assert_eq!(p.mentions.len(), 2);
    drop(store);
    // The backfill ran once: its marker is gone and reopening keeps the nodes.
    let left: i64 = raw(&path)
        .query_row("SELECT count(*) FROM event_state", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0);
    let store = SqliteStore::open_existing(&path).unwrap();
    assert_eq!(store.events(&all()).unwrap(), fresh);
}
