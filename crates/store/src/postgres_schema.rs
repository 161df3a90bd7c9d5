//! PostgreSQL schema and its migrations.
//!
//! The version is the `schema_version` row of `dossier_meta`: the number of
//! [`MIGRATIONS`] applied. Migrations run in one transaction under an advisory
//! lock, so a failure leaves the previous version and two processes opening a
//! fresh database at once cannot both apply them.

use crate::{Result, StoreError};
use ::postgres::Client;

/// Advisory lock keys ("doss" + n): schema changes, and writers (see put_batch).
pub(crate) const MIGRATION_LOCK: i64 = 0x646f_7373_0001;
pub(crate) const WRITE_LOCK: i64 = 0x646f_7373_0002;

/// Ordered schema migrations; never edit a released entry, append a new one.
/// Text columns compared or sorted use the "C" collation: code point order,
/// as SQLite, whatever the database's locale.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: the initial schema.
    r#"
CREATE TABLE documents (
    seq           BIGSERIAL PRIMARY KEY,
    id            TEXT COLLATE "C" NOT NULL UNIQUE,
    parent        TEXT COLLATE "C",
    source        TEXT NOT NULL,
    format        TEXT COLLATE "C" NOT NULL,
    chars         BIGINT NOT NULL,
    mention_count BIGINT NOT NULL,
    label_mask    BIGINT NOT NULL,
    published     TEXT COLLATE "C",
    language      TEXT COLLATE "C",
    title         TEXT,
    author        TEXT,
    outlet        TEXT,
    url           TEXT,
    extractor     TEXT NOT NULL,
    metadata      TEXT NOT NULL,
    -- source, outlet and url, lower-cased, one per line (the source filter)
    origin        TEXT NOT NULL,
    text          TEXT NOT NULL,
    minhash       BYTEA NOT NULL,
    -- title words weight A, text words weight B, tokenized by dossier
    tsv           TSVECTOR NOT NULL
);
CREATE INDEX documents_published ON documents(published DESC NULLS LAST, seq);
CREATE INDEX documents_parent ON documents(parent) WHERE parent IS NOT NULL;
CREATE INDEX documents_tsv ON documents USING GIN (tsv);

CREATE TABLE sentences (
    doc        BIGINT NOT NULL REFERENCES documents(seq),
    char_start BIGINT NOT NULL,
    char_end   BIGINT NOT NULL,
    PRIMARY KEY (doc, char_start, char_end)
);

CREATE TABLE entities (
    id            BIGSERIAL PRIMARY KEY,
    label         TEXT COLLATE "C" NOT NULL,
    name          TEXT NOT NULL,
    key           TEXT COLLATE "C" NOT NULL,
    mention_count BIGINT NOT NULL DEFAULT 0,
    doc_count     BIGINT NOT NULL DEFAULT 0,
    UNIQUE (label, key)
);
CREATE INDEX entities_rank ON entities(mention_count DESC, id);
CREATE INDEX entities_label_rank ON entities(label, mention_count DESC, id);

CREATE TABLE entity_names (
    key    TEXT COLLATE "C" NOT NULL,
    entity BIGINT NOT NULL REFERENCES entities(id),
    PRIMARY KEY (key, entity)
);

CREATE TABLE mentions (
    id         BIGSERIAL PRIMARY KEY,
    doc        BIGINT NOT NULL REFERENCES documents(seq),
    entity     BIGINT NOT NULL REFERENCES entities(id),
    char_start BIGINT NOT NULL,
    char_end   BIGINT NOT NULL,
    label      TEXT COLLATE "C" NOT NULL,
    text       TEXT NOT NULL,
    confidence DOUBLE PRECISION NOT NULL,
    kind       TEXT,
    normalized TEXT,
    extractor  TEXT NOT NULL
);
CREATE INDEX mentions_doc ON mentions(doc);
CREATE INDEX mentions_entity ON mentions(entity, doc);

CREATE TABLE near_duplicates (
    doc        BIGINT NOT NULL REFERENCES documents(seq),
    other      BIGINT NOT NULL REFERENCES documents(seq),
    similarity DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (doc, other)
);
CREATE INDEX near_duplicates_other ON near_duplicates(other, doc);

CREATE TABLE minhash_bands (
    band BIGINT NOT NULL,
    hash BIGINT NOT NULL,
    doc  BIGINT NOT NULL REFERENCES documents(seq),
    PRIMARY KEY (band, hash, doc)
);
"#,
    // 2: facts with their argument-entity links, the evidence graph, analyst
    // decisions (see the SQLite schema for what each table holds).
    r#"
CREATE TABLE facts (
    id         BIGINT PRIMARY KEY,
    doc        BIGINT NOT NULL REFERENCES documents(seq),
    kind       TEXT COLLATE "C" NOT NULL,
    ord        BIGINT NOT NULL,
    char_start BIGINT NOT NULL,
    char_end   BIGINT NOT NULL,
    subtype    TEXT COLLATE "C",
    extractor  TEXT NOT NULL,
    confidence DOUBLE PRECISION NOT NULL,
    body       TEXT NOT NULL
);
CREATE INDEX facts_doc ON facts(doc, kind, ord);
CREATE INDEX facts_claims ON facts(subtype) WHERE kind = 'claim';

CREATE TABLE fact_args (
    fact       BIGINT NOT NULL REFERENCES facts(id),
    pos        BIGINT NOT NULL,
    role       TEXT COLLATE "C" NOT NULL,
    char_start BIGINT NOT NULL,
    char_end   BIGINT NOT NULL,
    entity     BIGINT,
    PRIMARY KEY (fact, pos)
);
CREATE INDEX fact_args_entity ON fact_args(entity, fact) WHERE entity IS NOT NULL;

CREATE TABLE edge_kinds (
    id   BIGSERIAL PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL UNIQUE
);

CREATE TABLE edges (
    src        BIGINT NOT NULL,
    dst        BIGINT NOT NULL,
    kind       BIGINT NOT NULL,
    sentences  BIGINT NOT NULL,
    docs       BIGINT NOT NULL,
    first_seen TEXT COLLATE "C",
    last_seen  TEXT COLLATE "C",
    PRIMARY KEY (src, dst, kind)
);
CREATE INDEX edges_dst ON edges(dst, src, kind);

CREATE TABLE edge_evidence (
    src        BIGINT NOT NULL,
    dst        BIGINT NOT NULL,
    kind       BIGINT NOT NULL,
    doc        BIGINT NOT NULL,
    char_start BIGINT NOT NULL,
    char_end   BIGINT NOT NULL,
    PRIMARY KEY (src, dst, kind, doc, char_start, char_end)
);

CREATE TABLE decisions (
    id   BIGSERIAL PRIMARY KEY,
    body TEXT NOT NULL,
    note TEXT NOT NULL
);
CREATE TABLE entity_redirects (
    entity      BIGINT PRIMARY KEY,
    into_entity BIGINT NOT NULL
);
"#,
    // 3: event nodes, their members and participation edges (see the SQLite
    // schema and events.rs).
    r#"
CREATE TABLE event_nodes (
    id         BIGINT PRIMARY KEY,
    type       TEXT COLLATE "C" NOT NULL,
    family     TEXT COLLATE "C" NOT NULL,
    date       TEXT COLLATE "C",
    place      BIGINT,
    countries  TEXT COLLATE "C" NOT NULL,
    mentions   BIGINT NOT NULL,
    docs       BIGINT NOT NULL,
    first_seen TEXT COLLATE "C",
    last_seen  TEXT COLLATE "C"
);
CREATE INDEX event_nodes_family_date ON event_nodes(family, date);
CREATE TABLE event_members (
    node   BIGINT NOT NULL,
    doc    BIGINT NOT NULL,
    ord    BIGINT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (node, doc, ord)
);
CREATE INDEX event_members_doc ON event_members(doc, ord);
CREATE TABLE event_edges (
    entity     BIGINT NOT NULL,
    node       BIGINT NOT NULL,
    role       TEXT COLLATE "C" NOT NULL,
    sentences  BIGINT NOT NULL,
    docs       BIGINT NOT NULL,
    first_seen TEXT COLLATE "C",
    last_seen  TEXT COLLATE "C",
    PRIMARY KEY (entity, node, role)
);
CREATE INDEX event_edges_node ON event_edges(node, entity, role);
CREATE TABLE event_evidence (
    entity     BIGINT NOT NULL,
    node       BIGINT NOT NULL,
    role       TEXT COLLATE "C" NOT NULL,
    doc        BIGINT NOT NULL,
    char_start BIGINT NOT NULL,
    char_end   BIGINT NOT NULL,
    PRIMARY KEY (entity, node, role, doc, char_start, char_end)
);
INSERT INTO dossier_meta SELECT 'event_backfill', '1' WHERE EXISTS (SELECT 1 FROM facts WHERE kind = 'event');
"#,
    // 4: cross-document resolution at ingest (see the SQLite schema).
    r#"
CREATE TABLE name_blocks (
    block TEXT COLLATE "C" NOT NULL,
    label TEXT COLLATE "C" NOT NULL,
    name  TEXT NOT NULL,
    PRIMARY KEY (block, label, name)
);
CREATE TABLE resolution_reasons (
    id        BIGSERIAL PRIMARY KEY,
    label     TEXT COLLATE "C" NOT NULL,
    into_key  TEXT COLLATE "C" NOT NULL,
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

pub(crate) fn backend(e: ::postgres::Error) -> StoreError {
    // The cause (server message, conversion error) is in the source.
    match std::error::Error::source(&e) {
        Some(cause) => StoreError::Backend(format!("{e}: {cause}")),
        None => StoreError::Backend(e.to_string()),
    }
}

/// The stored schema version: None when the database has no dossier schema.
pub(crate) fn stored_version(client: &mut impl ::postgres::GenericClient) -> Result<Option<i64>> {
    // A catalog query, not to_regclass(): after waiting on the advisory lock
    // the latter can still answer from a cache that predates the other
    // process's CREATE TABLE.
    let has_meta: bool = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables \
             WHERE schemaname = current_schema() AND tablename = 'dossier_meta')",
            &[],
        )
        .map_err(backend)?
        .get(0);
    if !has_meta {
        return Ok(None);
    }
    let row = client
        .query_opt(
            "SELECT value FROM dossier_meta WHERE key = 'schema_version'",
            &[],
        )
        .map_err(backend)?;
    Ok(Some(
        row.and_then(|r| r.get::<_, String>(0).parse::<i64>().ok())
            .unwrap_or(0),
    ))
}

/// Brings the schema up to `migrations.len()`, checking first that the
/// database is dossier's (or has no tables) and not newer than this build.
pub(crate) fn migrate(client: &mut Client, shown: &str, migrations: &[&str]) -> Result<i64> {
    let target = migrations.len() as i64;
    // The common case (already current) takes no lock.
    if let Some(v) = stored_version(client)? {
        if v > target {
            return Err(StoreError::TooNew {
                found: v,
                supported: target,
            });
        }
        if v == target {
            return Ok(v);
        }
    }
    let mut tx = client.transaction().map_err(backend)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(backend)?;
    let mut version = match stored_version(&mut tx)? {
        Some(v) => v,
        None => {
            let tables: i64 = tx
                .query_one(
                    "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema()",
                    &[],
                )
                .map_err(backend)?
                .get(0);
            if tables > 0 {
                return Err(StoreError::Open {
                    path: shown.to_string(),
                    message:
                        "this PostgreSQL database has tables but is not a dossier knowledge base; \
                              use an empty database"
                            .into(),
                });
            }
            tx.batch_execute(
                "CREATE TABLE dossier_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                 INSERT INTO dossier_meta VALUES ('application', 'dossier'), ('schema_version', '0');",
            )
            .map_err(backend)?;
            0
        }
    };
    if version > target {
        return Err(StoreError::TooNew {
            found: version,
            supported: target,
        });
    }
    while let Some(sql) = usize::try_from(version)
        .ok()
        .and_then(|v| migrations.get(v))
    {
        tx.batch_execute(sql).map_err(|e| {
            StoreError::Backend(format!("schema migration to version {}: {e}", version + 1))
        })?;
        version += 1;
        tx.execute(
            "UPDATE dossier_meta SET value = $1 WHERE key = 'schema_version'",
            &[&version.to_string()],
        )
        .map_err(backend)?;
    }
    tx.commit().map_err(backend)?;
    Ok(version)
}
