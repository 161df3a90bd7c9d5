//! SQLite backend: one file, WAL journal, FTS5 full-text index.

use crate::derive::{derive_edges, fact_rows, EdgeBatch, MentionIndex};
use crate::events::event_mentions;
use crate::snippet::Highlighter;
use crate::sqlite_decisions;
use crate::sqlite_events;
use crate::sqlite_facts::{self, doc_summary, entity_row, DOC_SUMMARY_COLUMNS, ENTITY_COLUMNS};
use crate::sqlite_query::to_fts;
use crate::sqlite_schema::{backend, latest, migrate, open_error, MIGRATIONS};
use crate::*;
use dossier_core::Format;
use rusqlite::types::Value;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::time::Duration;

/// How long a statement waits for another process's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// BM25 column weights: a word in the title counts as much as ten in the body.
const BM25: &str = "bm25(documents_fts, 10.0, 1.0)";

/// The embedded knowledge base: one SQLite file (plus its `-wal` and `-shm`
/// companions while open), shared safely by several processes.
///
/// Open with [`SqliteStore::open`] for commands that may create the store
/// (`ingest`) and [`SqliteStore::open_existing`] for the others, which then
/// fail with a one-line hint instead of creating an empty file.
pub struct SqliteStore {
    conn: Connection,
    path: String,
}

impl SqliteStore {
    /// Opens the knowledge base at `path`, creating the file and schema if needed
    /// and migrating an older schema forward.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        Self::open_with(path, OpenFlags::default(), MIGRATIONS)
    }

    /// Opens an existing knowledge base (for commands that only read or add to
    /// one): a missing file is [`StoreError::Missing`], never silently created.
    pub fn open_existing(path: &Path) -> Result<SqliteStore> {
        if !path.exists() {
            return Err(StoreError::Missing {
                path: path.display().to_string(),
            });
        }
        let flags = OpenFlags::default() - OpenFlags::SQLITE_OPEN_CREATE;
        Self::open_with(path, flags, MIGRATIONS)
    }

    fn open_with(path: &Path, flags: OpenFlags, migrations: &[&str]) -> Result<SqliteStore> {
        let shown = path.display().to_string();
        if path.is_dir() {
            return Err(StoreError::Open {
                path: shown,
                message: "is a directory; pass the database file".into(),
            });
        }
        if let Some(dir) = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty() && !d.is_dir())
        {
            return Err(StoreError::Open {
                path: shown,
                message: format!("the directory {} does not exist", dir.display()),
            });
        }
        let mut conn =
            Connection::open_with_flags(path, flags).map_err(|e| open_error(&shown, &e))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| open_error(&shown, &e))?;
        // The first read detects a file that is not a database at all.
        conn.pragma_query_value(None, "schema_version", |r| r.get::<_, i64>(0))
            .map_err(|e| open_error(&shown, &e))?;
        // Only takes effect on a new, empty file: 8 KiB pages hold a news
        // article's text without overflow pages and keep B-trees shallower.
        conn.pragma_update(None, "page_size", 8192)
            .map_err(|e| open_error(&shown, &e))?;
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .map_err(|e| open_error(&shown, &e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Open {
                path: shown,
                message: format!("cannot switch the journal to WAL (got {mode})"),
            });
        }
        // NORMAL: a commit survives a process crash (not a power cut) without an
        // fsync per batch. Checkpoints every 4096 pages (32 MiB) rather than
        // SQLite's 1000 halve insert time on large ingests; the WAL is then
        // truncated back to 64 MiB at most.
        conn.execute_batch(
            "PRAGMA synchronous = NORMAL;
             PRAGMA foreign_keys = ON;
             PRAGMA temp_store = MEMORY;
             PRAGMA cache_size = -65536;
             PRAGMA wal_autocheckpoint = 4096;
             PRAGMA journal_size_limit = 67108864;",
        )
        .map_err(|e| open_error(&shown, &e))?;
        conn.set_prepared_statement_cache_capacity(128);
        let version = migrate(&mut conn, &shown, migrations)?;
        let store = SqliteStore { conn, path: shown };
        // Test builds may open with fewer migrations (an older schema).
        if version >= 3 {
            sqlite_events::backfill_if_pending(&store.conn, &store)?;
        }
        Ok(store)
    }

    /// The row id of a document given by id or unique prefix.
    fn resolve_seq(&self, id_or_prefix: &str) -> Result<i64> {
        let want = id_or_prefix.trim().to_ascii_lowercase();
        if want.chars().count() < 4 {
            return Err(StoreError::AmbiguousId(id_or_prefix.to_string()));
        }
        // A range scan on the unique index: ids starting with `want`.
        let upper = format!("{want}\u{10FFFF}");
        let mut find = self
            .conn
            .prepare_cached(
                "SELECT seq FROM documents WHERE id >= ?1 AND id < ?2 ORDER BY id LIMIT 2",
            )
            .map_err(backend)?;
        let seqs: Vec<i64> = find
            .query_map(params![want, upper], |r| r.get(0))
            .map_err(backend)?
            .collect::<rusqlite::Result<_>>()
            .map_err(backend)?;
        match seqs.as_slice() {
            [] => Err(StoreError::NoSuchDocument(id_or_prefix.to_string())),
            [one] => Ok(*one),
            _ => Err(StoreError::AmbiguousId(id_or_prefix.to_string())),
        }
    }

    fn document_in(&self, id_or_prefix: &str) -> Result<StoredDocument> {
        let seq = self.resolve_seq(id_or_prefix)?;

        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT d.id, d.parent, d.source, d.format, d.title, d.author, d.outlet, d.url, d.published, \
                 d.language, c.text, d.metadata FROM documents d JOIN contents c ON c.seq = d.seq WHERE d.seq = ?1",
            )
            .map_err(backend)?;
        let (document, format) = stmt
            .query_row([seq], |r| {
                let format: String = r.get(3)?;
                let metadata: String = r.get(11)?;
                let doc = Document {
                    id: DocId(r.get(0)?),
                    parent: r.get::<_, Option<String>>(1)?.map(DocId),
                    source: r.get(2)?,
                    format: Format::Text,
                    title: r.get(4)?,
                    author: r.get(5)?,
                    outlet: r.get(6)?,
                    url: r.get(7)?,
                    published: r.get(8)?,
                    language: r.get(9)?,
                    text: r.get(10)?,
                    metadata: serde_json::from_str::<BTreeMap<String, String>>(&metadata)
                        .unwrap_or_default(),
                };
                Ok((doc, format))
            })
            .map_err(backend)?;
        let Some(format) = Format::parse(&format) else {
            return Err(StoreError::Backend(format!(
                "document {} has an unknown format {format:?}",
                document.id
            )));
        };
        let document = Document { format, ..document };

        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT m.entity, e.name, m.char_start, m.char_end, m.label, m.text, m.confidence, m.kind, \
                 m.normalized, m.extractor FROM mentions m JOIN entities e ON e.id = m.entity \
                 WHERE m.doc = ?1 ORDER BY m.char_start, m.char_end, m.id",
            )
            .map_err(backend)?;
        let mentions = stmt
            .query_map([seq], |r| {
                Ok(StoredMention {
                    entity_id: r.get(0)?,
                    canonical: r.get(1)?,
                    mention: EntityMention {
                        start: to_usize(r.get(2)?),
                        end: to_usize(r.get(3)?),
                        label: parse_label(&r.get::<_, String>(4)?)?,
                        text: r.get(5)?,
                        confidence: r.get::<_, Option<f64>>(6)?.unwrap_or(0.0) as f32,
                        kind: r.get(7)?,
                        normalized: r.get(8)?,
                        extractor: r.get(9)?,
                    },
                })
            })
            .map_err(backend)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(backend)?;

        let mut stmt = self
            .conn
            .prepare_cached("SELECT char_start, char_end FROM sentences WHERE doc = ?1 ORDER BY char_start, char_end")
            .map_err(backend)?;
        let sentences = stmt
            .query_map([seq], |r| {
                Ok(CharSpan {
                    start: to_usize(r.get(0)?),
                    end: to_usize(r.get(1)?),
                })
            })
            .map_err(backend)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(backend)?;

        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT o.id, n.similarity, o.seq FROM near_duplicates n JOIN documents o ON o.seq = n.other \
                 WHERE n.doc = ?1 \
                 UNION ALL SELECT o.id, n.similarity, o.seq FROM near_duplicates n JOIN documents o ON o.seq = n.doc \
                 WHERE n.other = ?1 ORDER BY 3",
            )
            .map_err(backend)?;
        let near_duplicates = stmt
            .query_map([seq], |r| {
                Ok((
                    DocId(r.get(0)?),
                    r.get::<_, Option<f64>>(1)?.unwrap_or(0.0) as f32,
                ))
            })
            .map_err(backend)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(backend)?;

        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM documents WHERE parent = ?1 ORDER BY seq")
            .map_err(backend)?;
        let children = stmt
            .query_map([document.id.as_str()], |r| Ok(DocId(r.get(0)?)))
            .map_err(backend)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(backend)?;

        Ok(StoredDocument {
            document,
            mentions,
            sentences,
            near_duplicates,
            children,
        })
    }

    /// The file this store was opened from.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64> {
        self.conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(backend)
    }

    /// The SQLite query plans of the statements `search` runs for `req` (for
    /// tests and diagnosis of slow searches).
    #[doc(hidden)]
    pub fn explain_search(&self, req: &SearchRequest) -> Result<Vec<String>> {
        let plan = SearchPlan::new(req)?;
        let mut out = Vec::new();
        for sql in [plan.count_sql(), plan.page_sql()] {
            let mut stmt = self
                .conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .map_err(backend)?;
            let mut params = plan.params.clone();
            if sql.contains("LIMIT") {
                params.push(Value::Integer(1));
                params.push(Value::Integer(0));
            }
            let rows = stmt
                .query_map(rusqlite::params_from_iter(params), |r| {
                    r.get::<_, String>(3)
                })
                .map_err(backend)?;
            for row in rows {
                out.push(row.map_err(backend)?);
            }
        }
        Ok(out)
    }
}

/// What the source filter matches: source, outlet and URL, lower-cased, one
/// per line (a filter value never spans two of them: it is trimmed).
pub(crate) fn origin(d: &Document) -> String {
    let mut o = d.source.to_lowercase();
    for part in [&d.outlet, &d.url].into_iter().flatten() {
        o.push('\n');
        o.push_str(&part.to_lowercase());
    }
    o
}

/// Bit positions of entity labels in `documents.label_mask`. Stored data
/// depends on this order: append, never reorder.
const LABEL_BITS: [EntityLabel; 18] = [
    EntityLabel::Person,
    EntityLabel::Organisation,
    EntityLabel::Location,
    EntityLabel::Nationality,
    EntityLabel::Temporal,
    EntityLabel::Money,
    EntityLabel::Quantity,
    EntityLabel::Weapon,
    EntityLabel::MilitaryPlatform,
    EntityLabel::Vehicle,
    EntityLabel::CommsIdentifier,
    EntityLabel::DocumentReference,
    EntityLabel::Url,
    EntityLabel::Frequency,
    EntityLabel::Per,
    EntityLabel::Org,
    EntityLabel::Loc,
    EntityLabel::Misc,
];

pub(crate) fn label_bit(label: EntityLabel) -> i64 {
    LABEL_BITS
        .iter()
        .position(|l| *l == label)
        .map_or(0, |i| 1i64 << i)
}

/// SQLite stores NaN as NULL, which a NOT NULL column refuses: a broken score
/// must not lose the batch.
pub(crate) fn finite(x: f32) -> f64 {
    if x.is_finite() {
        f64::from(x)
    } else {
        0.0
    }
}

pub(crate) fn to_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(crate) fn to_usize(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}

pub(crate) fn minhash_blob(sig: &[u32]) -> Vec<u8> {
    sig.iter().flat_map(|v| v.to_le_bytes()).collect()
}

pub(crate) fn minhash_from_blob(blob: &[u8]) -> Vec<u32> {
    blob.chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

pub(crate) fn parse_label(s: &str) -> rusqlite::Result<EntityLabel> {
    s.parse::<EntityLabel>().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, e.into())
    })
}

/// Dates given to the `from`/`to` filters: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
pub(crate) fn check_date(d: &str, which: &str) -> Result<String> {
    let d = d.trim();
    let ok = matches!(d.len(), 4 | 7 | 10)
        && d.char_indices().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    if ok {
        Ok(d.to_string())
    } else {
        Err(StoreError::InvalidQuery(format!(
            "--{which} date {d:?} must be YYYY, YYYY-MM or YYYY-MM-DD"
        )))
    }
}

/// Rows buffered before a [`RowInserter`] looks up its statement again.
const ROWS_PER_FLUSH: usize = 64;

/// Buffers rows and writes them with one cached single-row INSERT each.
///
/// Single-row on purpose: a multi-row `INSERT … VALUES (…), (…)` is a
/// multi-write statement, and with foreign keys (or NOT NULL checks) that may
/// abort, SQLite then opens a statement journal and copies every page the
/// statement touches into it first. That copying cost more than the statement
/// executions it saved (perf: `subjournalPageIfRequired` ~13% of the writer).
pub(crate) struct RowInserter {
    sql: String,
    columns: usize,
    pending: Vec<Value>,
}

impl RowInserter {
    pub(crate) fn new(head: &'static str, columns: usize) -> RowInserter {
        Self::with_tail(head, columns, "")
    }

    /// `tail` follows the VALUES list (an ON CONFLICT clause).
    pub(crate) fn with_tail(head: &'static str, columns: usize, tail: &'static str) -> RowInserter {
        let marks = vec!["?"; columns].join(", ");
        RowInserter {
            sql: format!("{head} VALUES ({marks}){tail}"),
            columns,
            pending: Vec::with_capacity(columns * ROWS_PER_FLUSH),
        }
    }

    pub(crate) fn push<const N: usize>(
        &mut self,
        conn: &Connection,
        row: [Value; N],
    ) -> Result<()> {
        debug_assert_eq!(N, self.columns);
        self.pending.extend(row);
        if self.pending.len() >= self.columns * ROWS_PER_FLUSH {
            self.flush(conn)?;
        }
        Ok(())
    }

    pub(crate) fn flush(&mut self, conn: &Connection) -> Result<()> {
        if self.pending.is_empty() || self.columns == 0 {
            return Ok(());
        }
        let mut stmt = conn.prepare_cached(&self.sql).map_err(backend)?;
        for row in self.pending.chunks_exact(self.columns) {
            for (i, v) in row.iter().enumerate() {
                stmt.raw_bind_parameter(i + 1, v).map_err(backend)?;
            }
            stmt.raw_execute().map_err(backend)?;
        }
        self.pending.clear();
        Ok(())
    }
}

/// The SQL and parameters of one search request.
struct SearchPlan {
    /// `WHERE` conditions over `documents_fts` and `documents d`; `?1` is the MATCH.
    conditions: Vec<String>,
    params: Vec<Value>,
    joins_documents: bool,
}

impl SearchPlan {
    fn new(req: &SearchRequest) -> Result<SearchPlan> {
        let fts = to_fts(&req.query)?;
        let mut plan = SearchPlan {
            conditions: vec!["documents_fts MATCH ?1".into()],
            params: vec![Value::Text(fts)],
            joins_documents: false,
        };
        let f = &req.filters;
        if let Some(src) = f.source.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let k = plan.param(Value::Text(src.to_lowercase()));
            plan.conditions.push(format!("instr(d.origin, ?{k}) > 0"));
        }
        if let Some(from) = f.from.as_deref() {
            let k = plan.param(Value::Text(check_date(from, "from")?));
            plan.conditions.push(format!("d.published >= ?{k}"));
        }
        if let Some(to) = f.to.as_deref() {
            // Everything starting with the bound sorts below bound + U+10FFFF, so
            // `to = 2017-10` keeps 2017-10-31T23:59.
            let k = plan.param(Value::Text(format!("{}\u{10FFFF}", check_date(to, "to")?)));
            plan.conditions.push(format!("d.published <= ?{k}"));
        }
        if let Some(name) = f.entity.as_deref() {
            let key = entity_key(name);
            if key.is_empty() {
                return Err(StoreError::InvalidQuery(
                    "the entity filter is empty".into(),
                ));
            }
            let k = plan.param(Value::Text(key));
            plan.conditions.push(format!(
                "d.seq IN (SELECT m.doc FROM mentions m WHERE m.entity IN \
                 (SELECT n.entity FROM entity_names n WHERE n.key = ?{k}))"
            ));
        }
        if let Some(label) = f.entity_type {
            // A bit test on the row already joined: no per-row subquery.
            let k = plan.param(Value::Integer(label_bit(label)));
            plan.conditions.push(format!("(d.label_mask & ?{k}) != 0"));
        }
        plan.joins_documents = plan.conditions.len() > 1;
        Ok(plan)
    }

    fn param(&mut self, v: Value) -> usize {
        self.params.push(v);
        self.params.len()
    }

    fn count_sql(&self) -> String {
        if self.joins_documents {
            format!(
                "SELECT count(*) FROM documents_fts JOIN documents d ON d.seq = documents_fts.rowid WHERE {}",
                self.conditions.join(" AND ")
            )
        } else {
            "SELECT count(*) FROM documents_fts WHERE documents_fts MATCH ?1".into()
        }
    }

    /// The page of (rowid, bm25) pairs; display columns are fetched for the page
    /// only.
    fn page_sql(&self) -> String {
        let n = self.params.len();
        if self.joins_documents {
            format!(
                "SELECT documents_fts.rowid, {BM25} AS rank \
                 FROM documents_fts JOIN documents d ON d.seq = documents_fts.rowid \
                 WHERE {} ORDER BY rank, documents_fts.rowid LIMIT ?{} OFFSET ?{}",
                self.conditions.join(" AND "),
                n + 1,
                n + 2
            )
        } else {
            format!(
                "SELECT rowid, {BM25} AS rank FROM documents_fts WHERE documents_fts MATCH ?1 \
                 ORDER BY rank, rowid LIMIT ?{} OFFSET ?{}",
                n + 1,
                n + 2
            )
        }
    }
}

impl Store for SqliteStore {
    fn existing(&self, ids: &[DocId]) -> Result<Vec<DocId>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT 1 FROM documents WHERE id = ?1")
            .map_err(backend)?;
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for id in ids {
            if seen.insert(id) && stmt.exists([id.as_str()]).map_err(backend)? {
                out.push(id.clone());
            }
        }
        Ok(out)
    }

    fn put_batch(&mut self, docs: &[AnalysedDocument]) -> Result<BatchOutcome> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        let mut outcome = BatchOutcome::default();
        {
            let mut exists = tx
                .prepare_cached("SELECT 1 FROM documents WHERE id = ?1")
                .map_err(backend)?;
            let mut ins_doc = tx
                .prepare_cached(
                    "INSERT INTO documents(id, parent, source, format, chars, mention_count, \
                     label_mask, published, language, title, author, outlet, url, extractor, metadata, origin) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                )
                .map_err(backend)?;
            let mut ins_content = tx
                .prepare_cached(
                    "INSERT INTO contents(seq, title, text, minhash) VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(backend)?;
            let mut sentence_rows = RowInserter::new(
                "INSERT OR IGNORE INTO sentences(doc, char_start, char_end)",
                3,
            );
            let mut band_rows =
                RowInserter::new("INSERT OR IGNORE INTO minhash_bands(band, hash, doc)", 3);

            // Entities of the whole batch, so each is written once per batch.
            let mut entities: HashMap<EntityKey, BatchEntity> = HashMap::new();
            let mut entity_order: Vec<EntityKey> = Vec::new();
            // Per stored document: its seq and the entity key of each mention.
            let mut stored: Vec<(i64, &AnalysedDocument, Vec<EntityKey>)> = Vec::new();
            let mut links: Vec<(i64, &DocId, f32)> = Vec::new();

            for a in docs {
                let d = &a.document;
                if exists.exists([d.id.as_str()]).map_err(backend)? {
                    outcome.skipped += 1;
                    continue;
                }
                let metadata = serde_json::to_string(&d.metadata)
                    .map_err(|e| StoreError::Backend(e.to_string()))?;
                ins_doc
                    .execute(params![
                        d.id.as_str(),
                        d.parent.as_ref().map(DocId::as_str),
                        d.source,
                        d.format.as_str(),
                        to_i64(d.text.chars().count()),
                        to_i64(a.mentions.len()),
                        a.mentions
                            .iter()
                            .fold(0, |m, r| m | label_bit(r.mention.label)),
                        d.published,
                        d.language,
                        d.title,
                        d.author,
                        d.outlet,
                        d.url,
                        a.extractor,
                        metadata,
                        origin(d),
                    ])
                    .map_err(backend)?;
                let seq = tx.last_insert_rowid();
                ins_content
                    .execute(params![seq, d.title, d.text, minhash_blob(&a.minhash)])
                    .map_err(backend)?;
                for s in &a.sentences {
                    sentence_rows.push(
                        &tx,
                        [
                            Value::Integer(seq),
                            Value::Integer(to_i64(s.start)),
                            Value::Integer(to_i64(s.end)),
                        ],
                    )?;
                }
                for (band, hash) in minhash_bands(&a.minhash) {
                    band_rows.push(
                        &tx,
                        [
                            Value::Integer(to_i64(band)),
                            Value::Integer(hash),
                            Value::Integer(seq),
                        ],
                    )?;
                }

                let keys = group_mentions(a, &mut entities, &mut entity_order);
                if let Some((other, sim)) = &a.near_duplicate_of {
                    links.push((seq, other, *sim));
                }
                stored.push((seq, a, keys));
                outcome.inserted += 1;
            }
            sentence_rows.flush(&tx)?;
            band_rows.flush(&tx)?;

            // Entities: find or create, in first-mention order (ids follow it).
            let mut find_entity = tx
                .prepare_cached("SELECT id FROM entities WHERE label = ?1 AND key = ?2")
                .map_err(backend)?;
            let mut bump_entity = tx
                .prepare_cached(
                    "UPDATE entities SET mention_count = mention_count + ?2, doc_count = doc_count + ?3 WHERE id = ?1",
                )
                .map_err(backend)?;
            let mut new_entity = tx
                .prepare_cached(
                    "INSERT INTO entities(label, name, key, mention_count, doc_count) VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(backend)?;
            let mut name_rows =
                RowInserter::new("INSERT OR IGNORE INTO entity_names(key, entity)", 2);
            let redirects = sqlite_decisions::redirects(&tx)?;
            let mut redirected: BTreeSet<i64> = BTreeSet::new();
            for k in &entity_order {
                let Some(e) = entities.get_mut(k) else {
                    continue;
                };
                let found: Option<i64> = find_entity
                    .query_row(params![k.0, k.1], |r| r.get(0))
                    .optional()
                    .map_err(backend)?;
                // A merged-away entity's mentions go to the survivor (replay of
                // analyst merges on new documents).
                let found = found.map(|id| match redirects.get(&id) {
                    Some(&into) => {
                        redirected.insert(into);
                        into
                    }
                    None => id,
                });
                e.id = match found {
                    Some(id) => {
                        bump_entity
                            .execute(params![id, to_i64(e.mentions), to_i64(e.docs)])
                            .map_err(backend)?;
                        id
                    }
                    None => {
                        new_entity
                            .execute(params![
                                k.0,
                                e.name,
                                k.1,
                                to_i64(e.mentions),
                                to_i64(e.docs)
                            ])
                            .map_err(backend)?;
                        let id = tx.last_insert_rowid();
                        name_rows.push(&tx, [Value::Text(k.1.clone()), Value::Integer(id)])?;
                        id
                    }
                };
                for n in std::mem::take(&mut e.names) {
                    name_rows.push(&tx, [Value::Text(n), Value::Integer(e.id)])?;
                }
            }
            name_rows.flush(&tx)?;

            let mut mention_rows = RowInserter::new(
                "INSERT INTO mentions(doc, entity, char_start, char_end, label, text, confidence, kind, normalized, \
                 extractor)",
                10,
            );
            for (seq, a, keys) in &stored {
                for (m, k) in a.mentions.iter().zip(keys) {
                    let entity = entities.get(k).map_or(0, |e| e.id);
                    let mm = &m.mention;
                    mention_rows.push(
                        &tx,
                        [
                            Value::Integer(*seq),
                            Value::Integer(entity),
                            Value::Integer(to_i64(mm.start)),
                            Value::Integer(to_i64(mm.end)),
                            Value::Text(k.0.to_string()),
                            Value::Text(mm.text.clone()),
                            Value::Real(finite(mm.confidence)),
                            mm.kind.clone().map_or(Value::Null, Value::Text),
                            mm.normalized.clone().map_or(Value::Null, Value::Text),
                            Value::Text(mm.extractor.clone()),
                        ],
                    )?;
                }
            }
            mention_rows.flush(&tx)?;
            // Several keys of one document may have landed on one survivor.
            sqlite_decisions::recount(&tx, &redirected)?;

            // Facts and the evidence graph, from the mentions' entities.
            let mut fact_docs = Vec::with_capacity(stored.len());
            let mut edges = EdgeBatch::default();
            let mut event_docs = Vec::with_capacity(stored.len());
            for (seq, a, keys) in &stored {
                let ids: Vec<i64> = keys
                    .iter()
                    .map(|k| entities.get(k).map_or(0, |e| e.id))
                    .collect();
                let index = MentionIndex::new(a, &ids);
                let rows = fact_rows(&a.facts, &index)?;
                edges.add(
                    *seq,
                    a.document.published.as_deref(),
                    derive_edges(&a.sentences, &index, &rows),
                );
                event_docs.push(event_mentions(*seq, a, &ids, &rows));
                fact_docs.push((*seq, rows));
            }
            sqlite_facts::insert_facts(&tx, &fact_docs)?;
            sqlite_facts::insert_edges(&tx, &edges)?;
            sqlite_events::put_events(&tx, event_docs)?;

            // The full-text rows of the whole batch in one statement, last: FTS5
            // flushes its in-memory index at every statement savepoint, so one
            // INSERT per document would write one tiny segment per document.
            // Rowids of this transaction are contiguous (max + 1; writers are
            // serialised by the IMMEDIATE lock).
            if let (Some(first), Some(last)) = (stored.first(), stored.last()) {
                // Contiguous unless SQLite had to pick random rowids (only after
                // rowid i64::MAX): then go row by row rather than index a range.
                let ranges: Vec<(i64, i64)> = if last.0 - first.0 + 1 == to_i64(stored.len()) {
                    vec![(first.0, last.0)]
                } else {
                    stored.iter().map(|s| (s.0, s.0)).collect()
                };
                let mut ins_fts = tx
                    .prepare_cached(
                        "INSERT INTO documents_fts(rowid, title, text) \
                         SELECT seq, title, text FROM contents WHERE seq BETWEEN ?1 AND ?2",
                    )
                    .map_err(backend)?;
                for (lo, hi) in ranges {
                    ins_fts.execute(params![lo, hi]).map_err(backend)?;
                }
            }

            // Links: the earlier document may come later in the same batch.
            if !links.is_empty() {
                let mut seq_of = tx
                    .prepare_cached("SELECT seq FROM documents WHERE id = ?1")
                    .map_err(backend)?;
                let mut ins_link = tx
                    .prepare_cached("INSERT OR IGNORE INTO near_duplicates(doc, other, similarity) VALUES (?1, ?2, ?3)")
                    .map_err(backend)?;
                for (seq, other, sim) in links {
                    let other_seq: Option<i64> = seq_of
                        .query_row([other.as_str()], |r| r.get(0))
                        .optional()
                        .map_err(backend)?;
                    if let Some(o) = other_seq.filter(|o| *o != seq) {
                        ins_link
                            .execute(params![seq, o, finite(sim)])
                            .map_err(backend)?;
                    }
                }
            }
        }
        tx.commit().map_err(backend)?;
        Ok(outcome)
    }

    fn dup_candidates(&self, minhash: &[u32]) -> Result<Vec<DupCandidate>> {
        let mut by_band = self
            .conn
            .prepare_cached("SELECT doc FROM minhash_bands WHERE band = ?1 AND hash = ?2")
            .map_err(backend)?;
        let mut seqs = BTreeSet::new();
        for (band, hash) in minhash_bands(minhash) {
            let rows = by_band
                .query_map(params![to_i64(band), hash], |r| r.get::<_, i64>(0))
                .map_err(backend)?;
            for r in rows {
                seqs.insert(r.map_err(backend)?);
            }
        }
        let mut doc = self
            .conn
            .prepare_cached("SELECT d.id, c.minhash FROM documents d JOIN contents c ON c.seq = d.seq WHERE d.seq = ?1")
            .map_err(backend)?;
        let mut out = Vec::new();
        for seq in seqs.into_iter().take(DUP_CANDIDATE_LIMIT) {
            let (id, blob): (String, Vec<u8>) = doc
                .query_row([seq], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(backend)?;
            out.push(DupCandidate {
                id: DocId(id),
                minhash: minhash_from_blob(&blob),
            });
        }
        Ok(out)
    }

    fn document(&self, id_or_prefix: &str) -> Result<StoredDocument> {
        let snapshot = self.conn.unchecked_transaction().map_err(backend)?;
        let doc = self.document_in(id_or_prefix)?;
        snapshot.finish().map_err(backend)?;
        Ok(doc)
    }

    fn documents(&self, page: Page) -> Result<Vec<DocSummary>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT d.id, d.parent, d.source, d.format, d.title, d.published, d.language, d.chars, \
                 d.mention_count, (SELECT o.id FROM near_duplicates n JOIN documents o ON o.seq = n.other \
                 WHERE n.doc = d.seq ORDER BY n.similarity DESC LIMIT 1) \
                 FROM documents d ORDER BY d.published DESC, d.seq LIMIT ?1 OFFSET ?2",
            )
            .map_err(backend)?;
        let rows = stmt
            .query_map(params![to_i64(page.limit), to_i64(page.offset)], |r| {
                Ok(DocSummary {
                    id: DocId(r.get(0)?),
                    parent: r.get::<_, Option<String>>(1)?.map(DocId),
                    source: r.get(2)?,
                    format: r.get(3)?,
                    title: r.get(4)?,
                    published: r.get(5)?,
                    language: r.get(6)?,
                    chars: to_usize(r.get(7)?),
                    mentions: to_usize(r.get(8)?),
                    near_duplicate_of: r.get::<_, Option<String>>(9)?.map(DocId),
                })
            })
            .map_err(backend)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(backend)
    }

    fn entities(&self, label: Option<EntityLabel>, page: Page) -> Result<Vec<EntitySummary>> {
        let map = |r: &rusqlite::Row<'_>| {
            Ok(EntitySummary {
                id: r.get(0)?,
                name: r.get(1)?,
                label: parse_label(&r.get::<_, String>(2)?)?,
                mentions: to_usize(r.get(3)?),
                documents: to_usize(r.get(4)?),
            })
        };
        let (limit, offset) = (to_i64(page.limit), to_i64(page.offset));
        let rows = match label {
            Some(l) => {
                let mut stmt = self
                    .conn
                    .prepare_cached(
                        "SELECT id, name, label, mention_count, doc_count FROM entities WHERE label = ?1 \
                         AND id NOT IN (SELECT entity FROM entity_redirects) \
                         ORDER BY mention_count DESC, id LIMIT ?2 OFFSET ?3",
                    )
                    .map_err(backend)?;
                let rows = stmt
                    .query_map(params![l.as_str(), limit, offset], map)
                    .map_err(backend)?;
                rows.collect::<rusqlite::Result<Vec<_>>>()
            }
            None => {
                let mut stmt = self
                    .conn
                    .prepare_cached(
                        "SELECT id, name, label, mention_count, doc_count FROM entities \
                         WHERE id NOT IN (SELECT entity FROM entity_redirects) \
                         ORDER BY mention_count DESC, id LIMIT ?1 OFFSET ?2",
                    )
                    .map_err(backend)?;
                let rows = stmt
                    .query_map(params![limit, offset], map)
                    .map_err(backend)?;
                rows.collect::<rusqlite::Result<Vec<_>>>()
            }
        };
        rows.map_err(backend)
    }

    fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        let plan = SearchPlan::new(req)?;
        // One read transaction: a consistent snapshot for count, page and
        // snippets, and one lock acquisition instead of one per statement.
        let snapshot = self.conn.unchecked_transaction().map_err(backend)?;
        let fts_error = |e: rusqlite::Error| {
            // The expression is built from quoted strings only, so a syntax error
            // here is a bug, but say which query caused it.
            StoreError::Backend(format!("full-text search failed: {e}"))
        };
        let total: i64 = self
            .conn
            .prepare_cached(&plan.count_sql())
            .map_err(backend)?
            .query_row(rusqlite::params_from_iter(plan.params.iter()), |r| r.get(0))
            .map_err(fts_error)?;
        let mut hits = Vec::new();
        if total > 0 && req.limit > 0 {
            let mut params = plan.params.clone();
            params.push(Value::Integer(to_i64(req.limit)));
            params.push(Value::Integer(to_i64(req.offset)));
            let mut stmt = self
                .conn
                .prepare_cached(&plan.page_sql())
                .map_err(backend)?;
            let page = stmt
                .query_map(rusqlite::params_from_iter(params), |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, f64>(1)?))
                })
                .map_err(fts_error)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(fts_error)?;
            let mut row = self
                .conn
                .prepare_cached("SELECT id, title, source, published FROM documents WHERE seq = ?1")
                .map_err(backend)?;
            // Snippets only for the page, not for every match.
            let mut text_of = self
                .conn
                .prepare_cached("SELECT text FROM contents WHERE seq = ?1")
                .map_err(backend)?;
            let highlighter = Highlighter::new(&req.query);
            for (seq, rank) in page {
                let mut hit = row
                    .query_row([seq], |r| {
                        Ok(SearchHit {
                            id: DocId(r.get(0)?),
                            title: r.get(1)?,
                            source: r.get(2)?,
                            published: r.get(3)?,
                            score: -rank,
                            snippet: String::new(),
                            highlights: Vec::new(),
                        })
                    })
                    .map_err(backend)?;
                let text: String = text_of.query_row([seq], |r| r.get(0)).map_err(backend)?;
                let (snippet, highlights) = highlighter.snippet(&text, SNIPPET_WORDS);
                hit.snippet = snippet;
                hit.highlights = highlights;
                hits.push(hit);
            }
        }
        snapshot.finish().map_err(backend)?;
        Ok(SearchResults {
            total: to_usize(total),
            hits,
        })
    }

    fn optimize(&mut self) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        tx.execute(
            "INSERT INTO documents_fts(documents_fts) VALUES ('optimize')",
            [],
        )
        .map_err(backend)?;
        tx.commit().map_err(backend)?;
        // Statistics for the planner (cheap: analyses only what changed a lot).
        self.conn
            .execute_batch("PRAGMA optimize")
            .map_err(backend)?;
        Ok(())
    }

    fn facts(&self, id_or_prefix: &str) -> Result<Facts> {
        let snapshot = self.conn.unchecked_transaction().map_err(backend)?;
        let seq = self.resolve_seq(id_or_prefix)?;
        let facts = sqlite_facts::facts_of_doc(&self.conn, seq)?;
        snapshot.finish().map_err(backend)?;
        Ok(facts)
    }

    fn sentence(&self, id_or_prefix: &str, pos: usize) -> Result<Option<Sentence>> {
        let snapshot = self.conn.unchecked_transaction().map_err(backend)?;
        let seq = self.resolve_seq(id_or_prefix)?;
        let s = sqlite_facts::sentence_in(&self.conn, seq, pos)?;
        snapshot.finish().map_err(backend)?;
        Ok(s)
    }

    fn entity_summary(&self, id: i64) -> Result<Option<EntitySummary>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {ENTITY_COLUMNS} FROM entities e WHERE e.id = ?1"
            ))
            .map_err(backend)?
            .query_row([id], entity_row)
            .optional()
            .map_err(backend)
    }

    fn find_entities(
        &self,
        name_or_alias: &str,
        label: Option<EntityLabel>,
    ) -> Result<Vec<EntitySummary>> {
        let key = entity_key(name_or_alias);
        if key.is_empty() {
            return Ok(Vec::new());
        }
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {ENTITY_COLUMNS} FROM entities e WHERE e.id IN \
                 (SELECT n.entity FROM entity_names n WHERE n.key = ?1) AND (?2 IS NULL OR e.label = ?2) \
                 AND e.id NOT IN (SELECT entity FROM entity_redirects) \
                 ORDER BY e.mention_count DESC, e.id LIMIT 100"
            ))
            .map_err(backend)?;
        let rows = stmt
            .query_map(params![key, label.map(|l| l.as_str())], entity_row)
            .map_err(backend)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(backend)
    }

    fn aliases(&self, entity: i64, page: Page) -> Result<Vec<Alias>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT text, count(*) FROM mentions WHERE entity = ?1 GROUP BY text \
                 ORDER BY 2 DESC, 1 LIMIT ?2 OFFSET ?3",
            )
            .map_err(backend)?;
        let rows = stmt
            .query_map(
                params![entity, to_i64(page.limit), to_i64(page.offset)],
                |r| {
                    Ok(Alias {
                        text: r.get(0)?,
                        count: to_usize(r.get(1)?),
                    })
                },
            )
            .map_err(backend)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(backend)
    }

    fn entity_documents(
        &self,
        entity: i64,
        page: Page,
    ) -> Result<(Vec<DocSummary>, Option<String>, Option<String>)> {
        let snapshot = self.conn.unchecked_transaction().map_err(backend)?;
        let docs = self
            .conn
            .prepare_cached(&format!(
                "SELECT {DOC_SUMMARY_COLUMNS} FROM documents d WHERE d.seq IN \
                 (SELECT doc FROM mentions WHERE entity = ?1) \
                 ORDER BY d.published DESC, d.seq LIMIT ?2 OFFSET ?3"
            ))
            .map_err(backend)?
            .query_map(
                params![entity, to_i64(page.limit), to_i64(page.offset)],
                doc_summary,
            )
            .map_err(backend)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(backend)?;
        let (first, last): (Option<String>, Option<String>) = self
            .conn
            .prepare_cached(
                "SELECT min(d.published), max(d.published) FROM documents d WHERE d.seq IN \
                 (SELECT doc FROM mentions WHERE entity = ?1)",
            )
            .map_err(backend)?
            .query_row([entity], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(backend)?;
        snapshot.finish().map_err(backend)?;
        Ok((docs, first, last))
    }

    fn entity_facts(
        &self,
        entity: i64,
        kind: Option<FactKind>,
        page: Page,
    ) -> Result<Vec<StoredFact<AnyFact>>> {
        let snapshot = self.conn.unchecked_transaction().map_err(backend)?;
        let mut params = vec![Value::Integer(entity)];
        let mut cond = "f.id IN (SELECT a.fact FROM fact_args a WHERE a.entity = ?1)".to_string();
        if let Some(k) = kind {
            params.push(Value::Text(k.as_str().into()));
            cond.push_str(" AND f.kind = ?2");
        }
        let out = sqlite_facts::fact_query(&self.conn, &cond, params, page)?;
        snapshot.finish().map_err(backend)?;
        Ok(out)
    }

    fn quotes_about(&self, entity: i64, page: Page) -> Result<Vec<StoredQuote>> {
        let snapshot = self.conn.unchecked_transaction().map_err(backend)?;
        let out = sqlite_facts::fact_query(
            &self.conn,
            "f.kind = 'quote' AND EXISTS (SELECT 1 FROM mentions m WHERE m.entity = ?1 AND m.doc = f.doc \
             AND m.char_start >= f.char_start AND m.char_end <= f.char_end)",
            vec![Value::Integer(entity)],
            page,
        )?;
        snapshot.finish().map_err(backend)?;
        Ok(crate::derive::typed(out, |f| match f {
            AnyFact::Quote(q) => Some(q),
            _ => None,
        }))
    }

    fn claims(&self, filter: &ClaimFilter) -> Result<Vec<StoredClaim>> {
        let snapshot = self.conn.unchecked_transaction().map_err(backend)?;
        let mut cond = "f.kind = 'claim'".to_string();
        let mut params = Vec::new();
        if let Some(s) = filter.subject {
            params.push(Value::Integer(s));
            cond.push_str(&format!(
                " AND f.id IN (SELECT a.fact FROM fact_args a WHERE a.entity = ?{} AND a.role = 'subject')",
                params.len()
            ));
        }
        if let Some(attr) = &filter.attribute {
            params.push(Value::Text(attr.to_lowercase()));
            cond.push_str(&format!(" AND f.subtype = ?{}", params.len()));
        }
        if let Some(doc) = &filter.doc {
            params.push(Value::Integer(self.resolve_seq(doc)?));
            cond.push_str(&format!(" AND f.doc = ?{}", params.len()));
        }
        let out = sqlite_facts::fact_query(&self.conn, &cond, params, filter.page)?;
        snapshot.finish().map_err(backend)?;
        Ok(crate::derive::typed(out, |f| match f {
            AnyFact::Claim(c) => Some(c),
            _ => None,
        }))
    }

    fn neighbours(&self, entity: i64, filter: &EdgeFilter, page: Page) -> Result<Vec<Neighbour>> {
        let snapshot = self.conn.unchecked_transaction().map_err(backend)?;
        let out = sqlite_facts::neighbours(&self.conn, entity, filter, page)?;
        snapshot.finish().map_err(backend)?;
        Ok(out)
    }

    fn evidence(&self, a: i64, b: i64, kind: Option<&str>, limit: usize) -> Result<Vec<Evidence>> {
        let snapshot = self.conn.unchecked_transaction().map_err(backend)?;
        let out = sqlite_facts::evidence(&self.conn, a, b, kind, limit)?;
        snapshot.finish().map_err(backend)?;
        Ok(out)
    }

    fn events(&self, filter: &EventFilter) -> Result<Vec<EventNode>> {
        sqlite_events::list(&self.conn, filter)
    }

    fn event(&self, id: i64, page: Page) -> Result<EventProfile> {
        let snapshot = self.conn.unchecked_transaction().map_err(backend)?;
        let p = sqlite_events::profile(&self.conn, id, page)?;
        snapshot.finish().map_err(backend)?;
        Ok(p)
    }

    fn event_evidence(
        &self,
        entity: i64,
        node: i64,
        role: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Evidence>> {
        sqlite_events::evidence(&self.conn, entity, node, role, limit)
    }

    fn for_each_event_edge(&self, f: &mut dyn FnMut(EventEdgeRow)) -> Result<()> {
        sqlite_events::for_each_edge(&self.conn, f)
    }

    fn for_each_edge(&self, f: &mut dyn FnMut(EdgeRow)) -> Result<()> {
        let snapshot = self.conn.unchecked_transaction().map_err(backend)?;
        sqlite_facts::for_each_edge(&self.conn, f)?;
        snapshot.finish().map_err(backend)?;
        Ok(())
    }

    fn bulk_import_graph(
        &mut self,
        kinds: &[&str],
        entities: &[(String, EntityLabel)],
        edges: &[ImportEdge],
    ) -> Result<ImportOutcome> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        let mut ids = Vec::with_capacity(entities.len());
        for (name, label) in entities {
            ids.push(sqlite_facts::find_or_create_entity(&tx, name, *label)?);
        }
        let prepared = crate::derive::prepare_import(kinds, &ids, edges)?;
        let stored: i64 = tx
            .query_row("SELECT count(*) FROM edges", [], |r| r.get(0))
            .map_err(backend)?;
        // Maintaining the secondary index row by row costs more than
        // rebuilding it once when the import outweighs what is stored.
        let rebuild = to_i64(prepared.len()) > stored;
        if rebuild {
            tx.execute_batch("DROP INDEX IF EXISTS edges_dst")
                .map_err(backend)?;
        }
        sqlite_facts::import_edges(&tx, kinds, &prepared)?;
        if rebuild {
            tx.execute_batch("CREATE INDEX edges_dst ON edges(dst, src, kind)")
                .map_err(backend)?;
        }
        tx.commit().map_err(backend)?;
        Ok(ImportOutcome {
            entity_ids: ids,
            edges: prepared.len(),
        })
    }

    fn add_decision(&mut self, decision: &Decision) -> Result<StoredDecision> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        let stored = sqlite_decisions::apply(&tx, decision)?;
        tx.commit().map_err(backend)?;
        Ok(stored)
    }

    fn decisions(&self) -> Result<Vec<StoredDecision>> {
        sqlite_decisions::list(&self.conn)
    }

    fn put_resolution(&mut self, blocks: &[NameBlock], reasons: &[ResolutionReason]) -> Result<()> {
        if blocks.is_empty() && reasons.is_empty() {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        sqlite_decisions::put_resolution(&tx, blocks, reasons)?;
        tx.commit().map_err(backend)
    }

    fn name_blocks(
        &self,
        label: EntityLabel,
        blocks: &[String],
        limit_per_block: usize,
    ) -> Result<Vec<NameBlock>> {
        sqlite_decisions::name_blocks(&self.conn, label, blocks, limit_per_block)
    }

    fn resolution_reasons(&self, entity: i64, page: Page) -> Result<Vec<ResolutionReason>> {
        sqlite_decisions::resolution_reasons(&self.conn, entity, page)
    }

    fn stats(&self) -> Result<Stats> {
        let c = &self.conn;
        let one =
            |sql: &str| -> Result<i64> { c.query_row(sql, [], |r| r.get(0)).map_err(backend) };
        let pairs = |sql: &str| -> Result<Vec<(String, usize)>> {
            let mut stmt = c.prepare(sql).map_err(backend)?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                        to_usize(r.get(1)?),
                    ))
                })
                .map_err(backend)?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(backend)
        };
        Ok(Stats {
            documents: to_usize(one("SELECT count(*) FROM documents")?),
            characters: to_usize(one("SELECT coalesce(sum(chars), 0) FROM documents")?),
            mentions: to_usize(one("SELECT coalesce(sum(mention_count), 0) FROM entities")?),
            entities: to_usize(one("SELECT count(*) FROM entities")?),
            near_duplicate_links: to_usize(one("SELECT count(*) FROM near_duplicates")?),
            by_format: pairs("SELECT format, count(*) FROM documents GROUP BY format ORDER BY 2 DESC, 1")?,
            by_language: pairs(
                "SELECT coalesce(language, 'unknown'), count(*) FROM documents GROUP BY 1 ORDER BY 2 DESC, 1",
            )?,
            by_label: pairs(
                "SELECT label, sum(mention_count) FROM entities GROUP BY label ORDER BY 2 DESC, 1",
            )?,
            schema_version: self.schema_version()?,
        })
    }
}

#[doc(hidden)]
pub fn latest_schema_version() -> i64 {
    latest()
}
