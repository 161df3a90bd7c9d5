//! SQLite schema and its migrations.
//!
//! The schema version is `PRAGMA user_version`: the number of entries of
//! [`MIGRATIONS`] applied. Each migration runs in its own IMMEDIATE transaction
//! together with the version bump, so a crash mid-migration leaves the previous
//! version intact, and two processes opening a fresh file at once cannot both
//! apply it. `PRAGMA application_id` marks the file as dossier's.

use crate::{Result, StoreError};
use rusqlite::{Connection, TransactionBehavior};

/// "doss" in ASCII: identifies a dossier knowledge base among SQLite files.
pub(crate) const APPLICATION_ID: i64 = 0x646f_7373;

/// Ordered schema migrations; never edit a released entry, append a new one.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: the initial schema.
    r#"
PRAGMA application_id = 1685025651;

-- seq is the rowid (ingest order, FTS rowid, compact foreign key); id, the
-- content hash, is the document's public key. Rows stay small (no text) so
-- that filters and listings touch few pages; the text lives in contents.
CREATE TABLE documents (
    seq           INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    parent        TEXT,
    source        TEXT NOT NULL,
    format        TEXT NOT NULL,
    chars         INTEGER NOT NULL,
    mention_count INTEGER NOT NULL,
    -- bit i set: a mention labelled LABEL_BITS[i] (sqlite.rs), for the
    -- entity-type filter
    label_mask    INTEGER NOT NULL,
    published     TEXT,
    language      TEXT,
    title         TEXT,
    author        TEXT,
    outlet        TEXT,
    url           TEXT,
    extractor     TEXT NOT NULL,
    metadata      TEXT NOT NULL,
    -- source, outlet and url, lower-cased, one per line: what the source
    -- filter searches (a substring test, so no index can help; it runs on
    -- full-text matches only)
    origin        TEXT NOT NULL
);

-- Text (and the FTS5 external content), one row per document.
CREATE TABLE contents (
    seq     INTEGER PRIMARY KEY REFERENCES documents(seq),
    title   TEXT,
    text    TEXT NOT NULL,
    minhash BLOB NOT NULL
);
CREATE INDEX documents_published ON documents(published DESC, seq);
CREATE INDEX documents_parent ON documents(parent) WHERE parent IS NOT NULL;

CREATE TABLE sentences (
    doc        INTEGER NOT NULL REFERENCES documents(seq),
    char_start INTEGER NOT NULL,
    char_end   INTEGER NOT NULL,
    PRIMARY KEY (doc, char_start, char_end)
) WITHOUT ROWID;

CREATE TABLE entities (
    id            INTEGER PRIMARY KEY,
    label         TEXT NOT NULL,
    name          TEXT NOT NULL,
    key           TEXT NOT NULL,
    mention_count INTEGER NOT NULL DEFAULT 0,
    doc_count     INTEGER NOT NULL DEFAULT 0,
    UNIQUE (label, key)
);
CREATE INDEX entities_rank ON entities(mention_count DESC, id);
CREATE INDEX entities_label_rank ON entities(label, mention_count DESC, id);

-- Every normalised name an entity answers to: its canonical key and the key of
-- each mention text assigned to it.
CREATE TABLE entity_names (
    key    TEXT NOT NULL,
    entity INTEGER NOT NULL REFERENCES entities(id),
    PRIMARY KEY (key, entity)
) WITHOUT ROWID;

CREATE TABLE mentions (
    id         INTEGER PRIMARY KEY,
    doc        INTEGER NOT NULL REFERENCES documents(seq),
    entity     INTEGER NOT NULL REFERENCES entities(id),
    char_start INTEGER NOT NULL,
    char_end   INTEGER NOT NULL,
    label      TEXT NOT NULL,
    text       TEXT NOT NULL,
    confidence REAL NOT NULL,
    kind       TEXT,
    normalized TEXT,
    extractor  TEXT NOT NULL
);
CREATE INDEX mentions_doc ON mentions(doc);
CREATE INDEX mentions_entity ON mentions(entity, doc);

-- doc is a near-duplicate of the earlier document other.
CREATE TABLE near_duplicates (
    doc        INTEGER NOT NULL REFERENCES documents(seq),
    other      INTEGER NOT NULL REFERENCES documents(seq),
    similarity REAL NOT NULL,
    PRIMARY KEY (doc, other)
) WITHOUT ROWID;
CREATE INDEX near_duplicates_other ON near_duplicates(other, doc);

CREATE TABLE minhash_bands (
    band INTEGER NOT NULL,
    hash INTEGER NOT NULL,
    doc  INTEGER NOT NULL REFERENCES documents(seq),
    PRIMARY KEY (band, hash, doc)
) WITHOUT ROWID;

-- External content: the text is stored once, in contents. Prefix indexes
-- make `ab*` and `abc*` one doclist read instead of a merge over every term.
CREATE VIRTUAL TABLE documents_fts USING fts5(
    title, text,
    content = 'contents', content_rowid = 'seq',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
"#,
    // 2: facts with their argument-entity links, the evidence graph, analyst
    // decisions.
    r#"
-- One row per fact; body is the fact as JSON (what `facts` returns), the
-- other columns are what queries filter and sort on.
CREATE TABLE facts (
    id         INTEGER PRIMARY KEY,
    doc        INTEGER NOT NULL REFERENCES documents(seq),
    kind       TEXT NOT NULL,
    ord        INTEGER NOT NULL,
    char_start INTEGER NOT NULL,
    char_end   INTEGER NOT NULL,
    -- relation/event type, quote kind, time type, role title or claim attribute
    subtype    TEXT,
    extractor  TEXT NOT NULL,
    confidence REAL NOT NULL,
    body       TEXT NOT NULL
);
CREATE INDEX facts_doc ON facts(doc, kind, ord);
CREATE INDEX facts_claims ON facts(subtype) WHERE kind = 'claim';

-- The arguments that name entities, each linked to the entity of the stored
-- mention at (or inside) its span, or NULL.
CREATE TABLE fact_args (
    fact       INTEGER NOT NULL REFERENCES facts(id),
    pos        INTEGER NOT NULL,
    role       TEXT NOT NULL,
    char_start INTEGER NOT NULL,
    char_end   INTEGER NOT NULL,
    entity     INTEGER,
    PRIMARY KEY (fact, pos)
) WITHOUT ROWID;
CREATE INDEX fact_args_entity ON fact_args(entity, fact) WHERE entity IS NOT NULL;

CREATE TABLE edge_kinds (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

-- The evidence graph, aggregated: one row per (src, dst, kind). No foreign
-- keys: bulk imports of millions of edges would pay a lookup per row.
CREATE TABLE edges (
    src        INTEGER NOT NULL,
    dst        INTEGER NOT NULL,
    kind       INTEGER NOT NULL,
    sentences  INTEGER NOT NULL,
    docs       INTEGER NOT NULL,
    first_seen TEXT,
    last_seen  TEXT,
    PRIMARY KEY (src, dst, kind)
) WITHOUT ROWID;
CREATE INDEX edges_dst ON edges(dst, src, kind);

-- The sentences behind each edge.
CREATE TABLE edge_evidence (
    src        INTEGER NOT NULL,
    dst        INTEGER NOT NULL,
    kind       INTEGER NOT NULL,
    doc        INTEGER NOT NULL,
    char_start INTEGER NOT NULL,
    char_end   INTEGER NOT NULL,
    PRIMARY KEY (src, dst, kind, doc, char_start, char_end)
) WITHOUT ROWID;

-- Analyst decisions in the order made (body: the Decision as JSON).
CREATE TABLE decisions (
    id   INTEGER PRIMARY KEY,
    body TEXT NOT NULL,
    note TEXT NOT NULL
);
-- Entities merged away, and where their mentions go instead.
CREATE TABLE entity_redirects (
    entity INTEGER PRIMARY KEY,
    into_entity INTEGER NOT NULL
);
"#,
    // 3: event nodes (one per real-world event, resolved across documents),
    // the event facts joined into each with the reason, and participation
    // edges entity → event with their evidence sentences (see events.rs).
    r#"
CREATE TABLE event_nodes (
    id         INTEGER PRIMARY KEY,
    type       TEXT NOT NULL,
    -- the clustering family: Attack for attack, bombing, shooting, killing
    family     TEXT NOT NULL,
    date       TEXT,
    -- the place entity the node is named after
    place      INTEGER,
    -- ISO codes of its places' countries, comma-separated
    countries  TEXT NOT NULL,
    mentions   INTEGER NOT NULL,
    docs       INTEGER NOT NULL,
    first_seen TEXT,
    last_seen  TEXT
);
CREATE INDEX event_nodes_family_date ON event_nodes(family, date);
CREATE TABLE event_members (
    node   INTEGER NOT NULL,
    doc    INTEGER NOT NULL,
    -- position in the document's events (facts.ord)
    ord    INTEGER NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (node, doc, ord)
) WITHOUT ROWID;
CREATE INDEX event_members_doc ON event_members(doc, ord);
CREATE TABLE event_edges (
    entity     INTEGER NOT NULL,
    node       INTEGER NOT NULL,
    role       TEXT NOT NULL,
    sentences  INTEGER NOT NULL,
    docs       INTEGER NOT NULL,
    first_seen TEXT,
    last_seen  TEXT,
    PRIMARY KEY (entity, node, role)
) WITHOUT ROWID;
CREATE INDEX event_edges_node ON event_edges(node, entity, role);
CREATE TABLE event_evidence (
    entity     INTEGER NOT NULL,
    node       INTEGER NOT NULL,
    role       TEXT NOT NULL,
    doc        INTEGER NOT NULL,
    char_start INTEGER NOT NULL,
    char_end   INTEGER NOT NULL,
    PRIMARY KEY (entity, node, role, doc, char_start, char_end)
) WITHOUT ROWID;
-- 'backfill': documents stored before this version still need their event
-- nodes derived (done once, at the next open).
CREATE TABLE event_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO event_state SELECT 'backfill', '1' WHERE EXISTS (SELECT 1 FROM facts WHERE kind = 'event');
"#,
    // 4: cross-document resolution at ingest: the persisted blocking index (blocking
    // key → canonical name written) and why names were put into existing entities.
    r#"
CREATE TABLE name_blocks (
    block TEXT NOT NULL,
    label TEXT NOT NULL,
    name  TEXT NOT NULL,
    PRIMARY KEY (block, label, name)
);
CREATE TABLE resolution_reasons (
    id        INTEGER PRIMARY KEY,
    label     TEXT NOT NULL,
    into_key  TEXT NOT NULL,
    doc       TEXT NOT NULL,
    name      TEXT NOT NULL,
    into_name TEXT NOT NULL,
    rule      TEXT NOT NULL,
    detail    TEXT NOT NULL
);
CREATE INDEX resolution_reasons_into ON resolution_reasons(into_key, label);
"#,
];

/// The schema version this build writes.
pub(crate) fn latest() -> i64 {
    MIGRATIONS.len() as i64
}

fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
}

/// Brings the database up to `migrations.len()`, checking first that it is a
/// dossier database (or an empty one) and not newer than this build.
pub(crate) fn migrate(conn: &mut Connection, path: &str, migrations: &[&str]) -> Result<i64> {
    let target = migrations.len() as i64;
    // Read without a write lock: the common case (already current) must not wait
    // behind another process's ingest transaction.
    let mut version = user_version(conn).map_err(|e| open_error(path, &e))?;
    check_identity(conn, path, version, target)?;
    while version < target {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        // Another process may have migrated while we waited for the lock.
        version = user_version(&tx).map_err(backend)?;
        check_identity(&tx, path, version, target)?;
        let Some(sql) = usize::try_from(version)
            .ok()
            .and_then(|v| migrations.get(v))
        else {
            break;
        };
        tx.execute_batch(sql).map_err(|e| {
            StoreError::Backend(format!("schema migration to version {}: {e}", version + 1))
        })?;
        tx.pragma_update(None, "user_version", version + 1)
            .map_err(backend)?;
        tx.commit().map_err(backend)?;
        version += 1;
    }
    Ok(version)
}

fn check_identity(conn: &Connection, path: &str, version: i64, target: i64) -> Result<()> {
    if version > target {
        return Err(StoreError::TooNew {
            found: version,
            supported: target,
        });
    }
    let app: i64 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(backend)?;
    if app == APPLICATION_ID {
        return Ok(());
    }
    let tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'",
            [],
            |r| r.get(0),
        )
        .map_err(backend)?;
    if version == 0 && tables == 0 {
        return Ok(()); // a new, empty file
    }
    Err(StoreError::Open {
        path: path.to_string(),
        message:
            "this SQLite database is not a dossier knowledge base; pass --db with another path"
                .into(),
    })
}

pub(crate) fn backend(e: rusqlite::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

/// Errors met while opening, in words a user can act on.
pub(crate) fn open_error(path: &str, e: &rusqlite::Error) -> StoreError {
    let message = match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => {
            "not a dossier knowledge base (the file is not a SQLite database); pass --db with another path".to_string()
        }
        Some(rusqlite::ErrorCode::CannotOpen) => format!("cannot open the file ({e})"),
        Some(rusqlite::ErrorCode::ReadOnly) => format!("the file is read-only ({e})"),
        Some(rusqlite::ErrorCode::DatabaseBusy) | Some(rusqlite::ErrorCode::DatabaseLocked) => {
            format!("the database stayed locked by another process ({e})")
        }
        _ => e.to_string(),
    };
    StoreError::Open {
        path: path.to_string(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fresh() -> (tempfile::TempDir, Connection, String) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kb.sqlite");
        let conn = Connection::open(&path).unwrap();
        (dir, conn, path.display().to_string())
    }

    #[test]
    fn migrates_an_existing_database_forward_keeping_its_data() {
        let (_dir, mut conn, path) = fresh();
        assert_eq!(migrate(&mut conn, &path, MIGRATIONS).unwrap(), latest());
        conn.execute(
            "INSERT INTO entities(label, name, key) VALUES ('Person', 'Dick Schoof', 'dick schoof')",
            [],
        )
        .unwrap();
        // A later release adds a migration: only it runs, the data stays.
        let mut next: Vec<&str> = MIGRATIONS.to_vec();
        next.push("ALTER TABLE entities ADD COLUMN note TEXT; UPDATE entities SET note = 'kept';");
        assert_eq!(migrate(&mut conn, &path, &next).unwrap(), latest() + 1);
        let (name, note): (String, String) = conn
            .query_row("SELECT name, note FROM entities", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((name.as_str(), note.as_str()), ("Dick Schoof", "kept"));
        // Re-running is a no-op.
        assert_eq!(migrate(&mut conn, &path, &next).unwrap(), latest() + 1);
        // And the older build now refuses the newer file.
        assert!(matches!(
            migrate(&mut conn, &path, MIGRATIONS),
            Err(StoreError::TooNew { found, supported }) if found == latest() + 1 && supported == latest()
        ));
    }

    #[test]
    fn a_failing_migration_leaves_the_previous_version() {
        let (_dir, mut conn, path) = fresh();
        migrate(&mut conn, &path, MIGRATIONS).unwrap();
        let mut next: Vec<&str> = MIGRATIONS.to_vec();
        next.push("CREATE TABLE half_done(x); SELECT no_such_function();");
        let err = migrate(&mut conn, &path, &next).unwrap_err();
        assert!(
            err.to_string()
                .contains(&format!("version {}", latest() + 1)),
            "{err}"
        );
        assert_eq!(user_version(&conn).unwrap(), latest());
        let half: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name = 'half_done'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            half, 0,
            "the failed migration's first statement was rolled back"
        );
    }

    #[test]
    fn refuses_a_foreign_sqlite_database() {
        let (_dir, mut conn, path) = fresh();
        conn.execute_batch("CREATE TABLE invoices(id INTEGER)")
            .unwrap();
        let err = migrate(&mut conn, &path, MIGRATIONS).unwrap_err();
        assert!(
            err.to_string().contains("not a dossier knowledge base"),
            "{err}"
        );
    }
}
