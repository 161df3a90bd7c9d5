//! PostgreSQL backend: one database shared by any number of processes.
//!
//! Writers serialise on a transaction-level advisory lock (as SQLite's write
//! lock does), so concurrent `put_batch` calls from several ingest processes
//! neither deadlock nor duplicate; readers use MVCC snapshots and never wait.
//! Full-text search uses a GIN-indexed `tsvector` column that dossier fills
//! itself (see `postgres_query.rs`), ranked by `ts_rank_cd` with title words
//! weighted ten times body words.

use crate::derive::{derive_edges, fact_rows, EdgeBatch, MentionIndex};
use crate::events::event_mentions;
use crate::postgres_decisions;
use crate::postgres_events;
use crate::postgres_facts::{
    self, doc_summary, entity_row, resolve_seq, DOC_SUMMARY_COLUMNS, ENTITY_COLUMNS,
};
use crate::postgres_query::{to_tsquery, to_tsvector};
use crate::postgres_schema::{backend, latest, migrate, stored_version, MIGRATIONS, WRITE_LOCK};
use crate::snippet::Highlighter;
use crate::sqlite::{
    check_date, finite, label_bit, minhash_blob, minhash_from_blob, origin, to_i64, to_usize,
};
use crate::*;
use ::postgres::types::ToSql;
use ::postgres::{Client, GenericClient, IsolationLevel, NoTls, Row};
use dossier_core::Format;
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};

/// ts_rank_cd weights {D, C, B, A}: a title word (A) counts ten body words (B).
const RANK: &str = "ts_rank_cd('{0.1, 0.2, 0.1, 1.0}', d.tsv, $1::text::tsquery)";

/// PostgreSQL text cannot hold NUL, which documents may contain: NUL is stored
/// as ESC '0' and ESC itself as ESC ESC (ESC = U+FFFF, a noncharacter), so every
/// string round-trips and substring and order comparisons are unchanged for
/// text without those two characters.
const ESC: char = '\u{FFFF}';

pub(crate) fn enc(s: &str) -> Cow<'_, str> {
    if !s.contains(['\0', ESC]) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\0' => {
                out.push(ESC);
                out.push('0');
            }
            ESC => {
                out.push(ESC);
                out.push(ESC);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

pub(crate) fn dec(s: String) -> String {
    if !s.contains(ESC) {
        return s;
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == ESC {
            match chars.next() {
                Some('0') => out.push('\0'),
                Some(other) => out.push(other),
                None => out.push(ESC),
            }
        } else {
            out.push(c);
        }
    }
    out
}

pub(crate) fn enc_opt(s: &Option<String>) -> Option<String> {
    s.as_deref().map(|s| enc(s).into_owned())
}

pub(crate) fn dec_opt(s: Option<String>) -> Option<String> {
    s.map(dec)
}

/// The URL without its password, for error messages.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (auth, host) = match rest.rsplit_once('@') {
        Some(parts) => parts,
        None => return url.to_string(),
    };
    let user = auth.split(':').next().unwrap_or_default();
    format!("{scheme}://{user}@{host}")
}

/// The knowledge base in a PostgreSQL database (`postgres://` URL).
pub struct PostgresStore {
    // The Store trait reads through `&self`; the client needs `&mut`. Each
    // method borrows it once, for its whole duration.
    client: RefCell<Client>,
    shown: String,
}

impl PostgresStore {
    /// Connects to the database at `url`, creating the schema if the database
    /// is empty and migrating an older schema forward. The database itself
    /// must exist.
    pub fn connect(url: &str) -> Result<PostgresStore> {
        Self::connect_with(url, MIGRATIONS, true)
    }

    /// Connects to an existing knowledge base: a database without dossier's
    /// schema is [`StoreError::Missing`], never silently initialised.
    pub fn connect_existing(url: &str) -> Result<PostgresStore> {
        Self::connect_with(url, MIGRATIONS, false)
    }

    fn connect_with(url: &str, migrations: &[&str], create: bool) -> Result<PostgresStore> {
        let shown = redact(url);
        let mut client = Client::connect(url, NoTls).map_err(|e| StoreError::Open {
            path: shown.clone(),
            message: format!("cannot connect: {e}"),
        })?;
        if !create && stored_version(&mut client)?.is_none() {
            return Err(StoreError::Missing { path: shown });
        }
        let version = migrate(&mut client, &shown, migrations)?;
        let store = PostgresStore {
            client: RefCell::new(client),
            shown,
        };
        if version >= 3 {
            postgres_events::backfill_if_pending(&store)?;
        }
        Ok(store)
    }

    /// The URL this store was opened from, without password.
    pub fn url(&self) -> &str {
        &self.shown
    }

    pub(crate) fn client_mut(&self) -> Result<std::cell::RefMut<'_, Client>> {
        self.client()
    }

    fn client(&self) -> Result<std::cell::RefMut<'_, Client>> {
        self.client
            .try_borrow_mut()
            .map_err(|_| StoreError::Backend("PostgreSQL connection already in use".into()))
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(stored_version(&mut *self.client()?)?.unwrap_or(0))
    }
}

pub(crate) fn parse_label(s: &str) -> Result<EntityLabel> {
    s.parse::<EntityLabel>()
        .map_err(|e| StoreError::Backend(format!("stored entity label {s:?}: {e}")))
}

pub(crate) fn get<'a, T: ::postgres::types::FromSql<'a>>(row: &'a Row, i: usize) -> Result<T> {
    row.try_get(i).map_err(backend)
}

/// A read-only snapshot: count, page and snippets of one call agree.
pub(crate) fn snapshot(client: &mut Client) -> Result<::postgres::Transaction<'_>> {
    client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .map_err(backend)
}

fn document_in(c: &mut impl GenericClient, id_or_prefix: &str) -> Result<StoredDocument> {
    let seq = resolve_seq(c, id_or_prefix)?;
    let r = c
        .query_one(
            "SELECT id, parent, source, format, title, author, outlet, url, published, language, text, metadata \
             FROM documents WHERE seq = $1",
            &[&seq],
        )
        .map_err(backend)?;
    let format: String = get(&r, 3)?;
    let metadata: String = get(&r, 11)?;
    let id = dec(get(&r, 0)?);
    let Some(format) = Format::parse(&format) else {
        return Err(StoreError::Backend(format!(
            "document {id} has an unknown format {format:?}"
        )));
    };
    let document = Document {
        id: DocId(id),
        parent: dec_opt(get(&r, 1)?).map(DocId),
        source: dec(get(&r, 2)?),
        format,
        title: dec_opt(get(&r, 4)?),
        author: dec_opt(get(&r, 5)?),
        outlet: dec_opt(get(&r, 6)?),
        url: dec_opt(get(&r, 7)?),
        published: dec_opt(get(&r, 8)?),
        language: dec_opt(get(&r, 9)?),
        text: dec(get(&r, 10)?),
        metadata: serde_json::from_str::<BTreeMap<String, String>>(&metadata).unwrap_or_default(),
    };

    let mut mentions = Vec::new();
    for r in c
        .query(
            "SELECT m.entity, e.name, m.char_start, m.char_end, m.label, m.text, m.confidence, m.kind, \
             m.normalized, m.extractor FROM mentions m JOIN entities e ON e.id = m.entity \
             WHERE m.doc = $1 ORDER BY m.char_start, m.char_end, m.id",
            &[&seq],
        )
        .map_err(backend)?
    {
        mentions.push(StoredMention {
            entity_id: get(&r, 0)?,
            canonical: dec(get(&r, 1)?),
            mention: EntityMention {
                start: to_usize(get(&r, 2)?),
                end: to_usize(get(&r, 3)?),
                label: parse_label(&get::<String>(&r, 4)?)?,
                text: dec(get(&r, 5)?),
                confidence: get::<f64>(&r, 6)? as f32,
                kind: dec_opt(get(&r, 7)?),
                normalized: dec_opt(get(&r, 8)?),
                extractor: dec(get(&r, 9)?),
            },
        });
    }
    let sentences = c
        .query(
            "SELECT char_start, char_end FROM sentences WHERE doc = $1 ORDER BY char_start, char_end",
            &[&seq],
        )
        .map_err(backend)?
        .iter()
        .map(|r| {
            Ok(CharSpan {
                start: to_usize(get(r, 0)?),
                end: to_usize(get(r, 1)?),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let near_duplicates = c
        .query(
            "SELECT o.id, n.similarity, o.seq FROM near_duplicates n JOIN documents o ON o.seq = n.other \
             WHERE n.doc = $1 \
             UNION ALL SELECT o.id, n.similarity, o.seq FROM near_duplicates n JOIN documents o ON o.seq = n.doc \
             WHERE n.other = $1 ORDER BY 3",
            &[&seq],
        )
        .map_err(backend)?
        .iter()
        .map(|r| Ok((DocId(dec(get(r, 0)?)), get::<f64>(r, 1)? as f32)))
        .collect::<Result<Vec<_>>>()?;
    let children = c
        .query(
            "SELECT id FROM documents WHERE parent = $1 ORDER BY seq",
            &[&enc(document.id.as_str())],
        )
        .map_err(backend)?
        .iter()
        .map(|r| Ok(DocId(dec(get(r, 0)?))))
        .collect::<Result<Vec<_>>>()?;
    Ok(StoredDocument {
        document,
        mentions,
        sentences,
        near_duplicates,
        children,
    })
}

/// The WHERE clause and parameters of one search request; `$1` is the tsquery.
struct SearchPlan {
    conditions: Vec<String>,
    params: Vec<Box<dyn ToSql + Sync>>,
}

impl SearchPlan {
    fn new(req: &SearchRequest) -> Result<SearchPlan> {
        let mut plan = SearchPlan {
            conditions: vec!["d.tsv @@ $1::text::tsquery".into()],
            params: vec![Box::new(to_tsquery(&req.query)?)],
        };
        let f = &req.filters;
        if let Some(src) = f.source.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let k = plan.param(Box::new(enc(&src.to_lowercase()).into_owned()));
            // strpos: a plain substring test, no LIKE wildcards.
            plan.conditions
                .push(format!("strpos(d.origin, ${k}::text) > 0"));
        }
        if let Some(from) = f.from.as_deref() {
            let k = plan.param(Box::new(check_date(from, "from")?));
            plan.conditions.push(format!("d.published >= ${k}::text"));
        }
        if let Some(to) = f.to.as_deref() {
            let k = plan.param(Box::new(format!("{}\u{10FFFF}", check_date(to, "to")?)));
            plan.conditions.push(format!("d.published <= ${k}::text"));
        }
        if let Some(name) = f.entity.as_deref() {
            let key = entity_key(name);
            if key.is_empty() {
                return Err(StoreError::InvalidQuery(
                    "the entity filter is empty".into(),
                ));
            }
            let k = plan.param(Box::new(enc(&key).into_owned()));
            plan.conditions.push(format!(
                "d.seq IN (SELECT m.doc FROM mentions m WHERE m.entity IN \
                 (SELECT n.entity FROM entity_names n WHERE n.key = ${k}::text))"
            ));
        }
        if let Some(label) = f.entity_type {
            let k = plan.param(Box::new(label_bit(label)));
            plan.conditions
                .push(format!("(d.label_mask & ${k}::bigint) <> 0"));
        }
        Ok(plan)
    }

    fn param(&mut self, v: Box<dyn ToSql + Sync>) -> usize {
        self.params.push(v);
        self.params.len()
    }

    fn refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.params.iter().map(|p| p.as_ref()).collect()
    }
}

impl Store for PostgresStore {
    fn existing(&self, ids: &[DocId]) -> Result<Vec<DocId>> {
        let wanted: Vec<String> = ids.iter().map(|i| enc(i.as_str()).into_owned()).collect();
        let found: HashSet<String> = self
            .client()?
            .query(
                "SELECT id FROM documents WHERE id = ANY($1::text[])",
                &[&wanted],
            )
            .map_err(backend)?
            .iter()
            .map(|r| get::<String>(r, 0).map(dec))
            .collect::<Result<_>>()?;
        let mut seen = HashSet::new();
        Ok(ids
            .iter()
            .filter(|id| seen.insert(*id) && found.contains(id.as_str()))
            .cloned()
            .collect())
    }

    fn put_batch(&mut self, docs: &[AnalysedDocument]) -> Result<BatchOutcome> {
        let mut client = self.client()?;
        let mut tx = client.transaction().map_err(backend)?;
        // Writers take turns, as with SQLite: two ingest processes cannot
        // deadlock on each other's entity rows, and entity ids follow one order.
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
            .map_err(backend)?;
        let mut outcome = BatchOutcome::default();
        let ins_doc = tx
            .prepare(
                "INSERT INTO documents(id, parent, source, format, chars, mention_count, label_mask, published, \
                 language, title, author, outlet, url, extractor, metadata, origin, text, minhash, tsv) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
                 $19::text::tsvector) ON CONFLICT (id) DO NOTHING RETURNING seq",
            )
            .map_err(backend)?;

        let mut sentence_cols: (Vec<i64>, Vec<i64>, Vec<i64>) = Default::default();
        let mut band_cols: (Vec<i64>, Vec<i64>, Vec<i64>) = Default::default();
        let mut entities: HashMap<EntityKey, BatchEntity> = HashMap::new();
        let mut entity_order: Vec<EntityKey> = Vec::new();
        let mut stored: Vec<(i64, &AnalysedDocument, Vec<EntityKey>)> = Vec::new();
        let mut links: Vec<(i64, &DocId, f32)> = Vec::new();
        let mut in_batch: HashSet<&str> = HashSet::new();

        for a in docs {
            let d = &a.document;
            if !in_batch.insert(d.id.as_str()) {
                outcome.skipped += 1;
                continue;
            }
            let metadata = serde_json::to_string(&d.metadata)
                .map_err(|e| StoreError::Backend(e.to_string()))?;
            let label_mask = a
                .mentions
                .iter()
                .fold(0, |m, r| m | label_bit(r.mention.label));
            let row = tx
                .query_opt(
                    &ins_doc,
                    &[
                        &enc(d.id.as_str()),
                        &d.parent.as_ref().map(|p| enc(p.as_str()).into_owned()),
                        &enc(&d.source),
                        &d.format.as_str(),
                        &to_i64(d.text.chars().count()),
                        &to_i64(a.mentions.len()),
                        &label_mask,
                        &enc_opt(&d.published),
                        &enc_opt(&d.language),
                        &enc_opt(&d.title),
                        &enc_opt(&d.author),
                        &enc_opt(&d.outlet),
                        &enc_opt(&d.url),
                        &enc(&a.extractor),
                        &metadata,
                        &enc(&origin(d)),
                        &enc(&d.text),
                        &minhash_blob(&a.minhash),
                        &to_tsvector(d.title.as_deref(), &d.text),
                    ],
                )
                .map_err(backend)?;
            let Some(row) = row else {
                outcome.skipped += 1;
                continue;
            };
            let seq: i64 = get(&row, 0)?;
            for s in &a.sentences {
                sentence_cols.0.push(seq);
                sentence_cols.1.push(to_i64(s.start));
                sentence_cols.2.push(to_i64(s.end));
            }
            for (band, hash) in minhash_bands(&a.minhash) {
                band_cols.0.push(to_i64(band));
                band_cols.1.push(hash);
                band_cols.2.push(seq);
            }
            let keys = group_mentions(a, &mut entities, &mut entity_order);
            if let Some((other, sim)) = &a.near_duplicate_of {
                links.push((seq, other, *sim));
            }
            stored.push((seq, a, keys));
            outcome.inserted += 1;
        }

        if !sentence_cols.0.is_empty() {
            tx.execute(
                "INSERT INTO sentences(doc, char_start, char_end) \
                 SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) ON CONFLICT DO NOTHING",
                &[&sentence_cols.0, &sentence_cols.1, &sentence_cols.2],
            )
            .map_err(backend)?;
        }
        if !band_cols.0.is_empty() {
            tx.execute(
                "INSERT INTO minhash_bands(band, hash, doc) \
                 SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) ON CONFLICT DO NOTHING",
                &[&band_cols.0, &band_cols.1, &band_cols.2],
            )
            .map_err(backend)?;
        }

        // Entities in first-mention order (ids follow it); the first spelling
        // stays the display name.
        let upsert = tx
            .prepare(
                "INSERT INTO entities(label, name, key, mention_count, doc_count) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (label, key) DO UPDATE SET \
                 mention_count = entities.mention_count + EXCLUDED.mention_count, \
                 doc_count = entities.doc_count + EXCLUDED.doc_count RETURNING id",
            )
            .map_err(backend)?;
        let redirects = postgres_decisions::redirects(&mut tx)?;
        let mut redirected: std::collections::BTreeSet<i64> = std::collections::BTreeSet::new();
        let mut name_keys: Vec<String> = Vec::new();
        let mut name_ids: Vec<i64> = Vec::new();
        for k in &entity_order {
            let Some(e) = entities.get_mut(k) else {
                continue;
            };
            let key = enc(&k.1).into_owned();
            let row = tx
                .query_one(
                    &upsert,
                    &[
                        &k.0,
                        &enc(&e.name),
                        &key,
                        &to_i64(e.mentions),
                        &to_i64(e.docs),
                    ],
                )
                .map_err(backend)?;
            let id: i64 = get(&row, 0)?;
            // A merged-away entity's mentions go to the survivor (replay of
            // analyst merges); both are recounted below.
            e.id = match redirects.get(&id) {
                Some(&into) => {
                    redirected.insert(id);
                    redirected.insert(into);
                    into
                }
                None => id,
            };
            name_keys.push(key);
            name_ids.push(e.id);
            for n in std::mem::take(&mut e.names) {
                name_keys.push(enc(&n).into_owned());
                name_ids.push(e.id);
            }
        }
        if !name_keys.is_empty() {
            tx.execute(
                "INSERT INTO entity_names(key, entity) SELECT * FROM unnest($1::text[], $2::bigint[]) \
                 ON CONFLICT DO NOTHING",
                &[&name_keys, &name_ids],
            )
            .map_err(backend)?;
        }

        let mut m_cols: (Vec<i64>, Vec<i64>, Vec<i64>, Vec<i64>) = Default::default();
        let mut m_label: Vec<&str> = Vec::new();
        let mut m_text: Vec<String> = Vec::new();
        let mut m_conf: Vec<f64> = Vec::new();
        let mut m_kind: Vec<Option<String>> = Vec::new();
        let mut m_norm: Vec<Option<String>> = Vec::new();
        let mut m_extractor: Vec<String> = Vec::new();
        for (seq, a, keys) in &stored {
            for (m, k) in a.mentions.iter().zip(keys) {
                let mm = &m.mention;
                m_cols.0.push(*seq);
                m_cols.1.push(entities.get(k).map_or(0, |e| e.id));
                m_cols.2.push(to_i64(mm.start));
                m_cols.3.push(to_i64(mm.end));
                m_label.push(k.0);
                m_text.push(enc(&mm.text).into_owned());
                m_conf.push(finite(mm.confidence));
                m_kind.push(enc_opt(&mm.kind));
                m_norm.push(enc_opt(&mm.normalized));
                m_extractor.push(enc(&mm.extractor).into_owned());
            }
        }
        if !m_cols.0.is_empty() {
            tx.execute(
                "INSERT INTO mentions(doc, entity, char_start, char_end, label, text, confidence, kind, \
                 normalized, extractor) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], \
                 $4::bigint[], $5::text[], $6::text[], $7::float8[], $8::text[], $9::text[], $10::text[])",
                &[
                    &m_cols.0,
                    &m_cols.1,
                    &m_cols.2,
                    &m_cols.3,
                    &m_label,
                    &m_text,
                    &m_conf,
                    &m_kind,
                    &m_norm,
                    &m_extractor,
                ],
            )
            .map_err(backend)?;
        }

        postgres_decisions::recount(&mut tx, &redirected)?;

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
        postgres_facts::insert_facts(&mut tx, &fact_docs)?;
        postgres_facts::insert_edges(&mut tx, &edges)?;
        postgres_events::put_events(&mut tx, event_docs)?;

        // Links last: the earlier document may come later in the same batch.
        if !links.is_empty() {
            let link = tx
                .prepare(
                    "INSERT INTO near_duplicates(doc, other, similarity) \
                     SELECT $1, seq, $3 FROM documents WHERE id = $2 AND seq <> $1 ON CONFLICT DO NOTHING",
                )
                .map_err(backend)?;
            for (seq, other, sim) in links {
                tx.execute(&link, &[&seq, &enc(other.as_str()), &finite(sim)])
                    .map_err(backend)?;
            }
        }
        tx.commit().map_err(backend)?;
        Ok(outcome)
    }

    fn dup_candidates(&self, minhash: &[u32]) -> Result<Vec<DupCandidate>> {
        let (bands, hashes): (Vec<i64>, Vec<i64>) = minhash_bands(minhash)
            .into_iter()
            .map(|(b, h)| (to_i64(b), h))
            .unzip();
        if bands.is_empty() {
            return Ok(Vec::new());
        }
        let rows = self
            .client()?
            .query(
                "SELECT d.id, d.minhash FROM documents d WHERE d.seq IN \
                 (SELECT b.doc FROM minhash_bands b JOIN unnest($1::bigint[], $2::bigint[]) AS q(band, hash) \
                 ON b.band = q.band AND b.hash = q.hash) ORDER BY d.seq LIMIT $3",
                &[&bands, &hashes, &to_i64(DUP_CANDIDATE_LIMIT)],
            )
            .map_err(backend)?;
        rows.iter()
            .map(|r| {
                Ok(DupCandidate {
                    id: DocId(dec(get(r, 0)?)),
                    minhash: minhash_from_blob(&get::<Vec<u8>>(r, 1)?),
                })
            })
            .collect()
    }

    fn document(&self, id_or_prefix: &str) -> Result<StoredDocument> {
        let mut client = self.client()?;
        let mut tx = snapshot(&mut client)?;
        let doc = document_in(&mut tx, id_or_prefix)?;
        tx.commit().map_err(backend)?;
        Ok(doc)
    }

    fn documents(&self, page: Page) -> Result<Vec<DocSummary>> {
        let rows = self
            .client()?
            .query(
                "SELECT d.id, d.parent, d.source, d.format, d.title, d.published, d.language, d.chars, \
                 d.mention_count, (SELECT o.id FROM near_duplicates n JOIN documents o ON o.seq = n.other \
                 WHERE n.doc = d.seq ORDER BY n.similarity DESC LIMIT 1) \
                 FROM documents d ORDER BY d.published DESC NULLS LAST, d.seq LIMIT $1 OFFSET $2",
                &[&to_i64(page.limit), &to_i64(page.offset)],
            )
            .map_err(backend)?;
        rows.iter()
            .map(|r| {
                Ok(DocSummary {
                    id: DocId(dec(get(r, 0)?)),
                    parent: dec_opt(get(r, 1)?).map(DocId),
                    source: dec(get(r, 2)?),
                    format: get(r, 3)?,
                    title: dec_opt(get(r, 4)?),
                    published: dec_opt(get(r, 5)?),
                    language: dec_opt(get(r, 6)?),
                    chars: to_usize(get(r, 7)?),
                    mentions: to_usize(get(r, 8)?),
                    near_duplicate_of: dec_opt(get(r, 9)?).map(DocId),
                })
            })
            .collect()
    }

    fn entities(&self, label: Option<EntityLabel>, page: Page) -> Result<Vec<EntitySummary>> {
        let (limit, offset) = (to_i64(page.limit), to_i64(page.offset));
        let mut client = self.client()?;
        let rows = match label {
            Some(l) => client.query(
                "SELECT id, name, label, mention_count, doc_count FROM entities WHERE label = $1 \
                 AND id NOT IN (SELECT entity FROM entity_redirects) \
                 ORDER BY mention_count DESC, id LIMIT $2 OFFSET $3",
                &[&l.as_str(), &limit, &offset],
            ),
            None => client.query(
                "SELECT id, name, label, mention_count, doc_count FROM entities \
                 WHERE id NOT IN (SELECT entity FROM entity_redirects) \
                 ORDER BY mention_count DESC, id LIMIT $1 OFFSET $2",
                &[&limit, &offset],
            ),
        }
        .map_err(backend)?;
        rows.iter()
            .map(|r| {
                Ok(EntitySummary {
                    id: get(r, 0)?,
                    name: dec(get(r, 1)?),
                    label: parse_label(&get::<String>(r, 2)?)?,
                    mentions: to_usize(get(r, 3)?),
                    documents: to_usize(get(r, 4)?),
                })
            })
            .collect()
    }

    fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        let plan = SearchPlan::new(req)?;
        let fts_error = |e: ::postgres::Error| {
            // Queries are built from quoted lexemes only: an error here is a bug.
            StoreError::Backend(format!("full-text search failed: {e}"))
        };
        let mut client = self.client()?;
        let mut tx = snapshot(&mut client)?;
        let where_sql = plan.conditions.join(" AND ");
        let params = plan.refs();
        let total: i64 = tx
            .query_one(
                &format!("SELECT count(*) FROM documents d WHERE {where_sql}"),
                &params,
            )
            .map_err(fts_error)?
            .get(0);
        let mut hits = Vec::new();
        if total > 0 && req.limit > 0 {
            let (limit, offset) = (to_i64(req.limit), to_i64(req.offset));
            let mut page_params = params.clone();
            page_params.push(&limit);
            page_params.push(&offset);
            let n = params.len();
            let page = tx
                .query(
                    &format!(
                        "SELECT d.seq, {RANK} AS rank FROM documents d WHERE {where_sql} \
                         ORDER BY rank DESC, d.seq LIMIT ${} OFFSET ${}",
                        n + 1,
                        n + 2
                    ),
                    &page_params,
                )
                .map_err(fts_error)?;
            let row = tx
                .prepare("SELECT id, title, source, published, text FROM documents WHERE seq = $1")
                .map_err(backend)?;
            let highlighter = Highlighter::new(&req.query);
            for p in page {
                let seq: i64 = get(&p, 0)?;
                let rank: f32 = get(&p, 1)?;
                let r = tx.query_one(&row, &[&seq]).map_err(backend)?;
                let text = dec(get(&r, 4)?);
                let (snippet, highlights) = highlighter.snippet(&text, SNIPPET_WORDS);
                hits.push(SearchHit {
                    id: DocId(dec(get(&r, 0)?)),
                    title: dec_opt(get(&r, 1)?),
                    source: dec(get(&r, 2)?),
                    published: dec_opt(get(&r, 3)?),
                    score: f64::from(rank),
                    snippet,
                    highlights,
                });
            }
        }
        tx.commit().map_err(backend)?;
        Ok(SearchResults {
            total: to_usize(total),
            hits,
        })
    }

    fn facts(&self, id_or_prefix: &str) -> Result<Facts> {
        let mut client = self.client()?;
        let mut tx = snapshot(&mut client)?;
        let seq = resolve_seq(&mut tx, id_or_prefix)?;
        let facts = postgres_facts::facts_of_doc(&mut tx, seq)?;
        tx.commit().map_err(backend)?;
        Ok(facts)
    }

    fn sentence(&self, id_or_prefix: &str, pos: usize) -> Result<Option<Sentence>> {
        let mut client = self.client()?;
        let mut tx = snapshot(&mut client)?;
        let seq = resolve_seq(&mut tx, id_or_prefix)?;
        let s = postgres_facts::sentence_in(&mut tx, seq, pos)?;
        tx.commit().map_err(backend)?;
        Ok(s)
    }

    fn entity_summary(&self, id: i64) -> Result<Option<EntitySummary>> {
        self.client()?
            .query_opt(
                &format!("SELECT {ENTITY_COLUMNS} FROM entities e WHERE e.id = $1"),
                &[&id],
            )
            .map_err(backend)?
            .map(|r| entity_row(&r))
            .transpose()
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
        self.client()?
            .query(
                &format!(
                    "SELECT {ENTITY_COLUMNS} FROM entities e WHERE e.id IN \
                     (SELECT n.entity FROM entity_names n WHERE n.key = $1) \
                     AND ($2::text IS NULL OR e.label = $2) \
                     AND e.id NOT IN (SELECT entity FROM entity_redirects) \
                     ORDER BY e.mention_count DESC, e.id LIMIT 100"
                ),
                &[&enc(&key), &label.map(|l| l.as_str())],
            )
            .map_err(backend)?
            .iter()
            .map(entity_row)
            .collect()
    }

    fn aliases(&self, entity: i64, page: Page) -> Result<Vec<Alias>> {
        self.client()?
            .query(
                "SELECT text COLLATE \"C\", count(*) FROM mentions WHERE entity = $1 GROUP BY 1 \
                 ORDER BY 2 DESC, 1 LIMIT $2 OFFSET $3",
                &[&entity, &to_i64(page.limit), &to_i64(page.offset)],
            )
            .map_err(backend)?
            .iter()
            .map(|r| {
                Ok(Alias {
                    text: dec(get(r, 0)?),
                    count: to_usize(get(r, 1)?),
                })
            })
            .collect()
    }

    fn entity_documents(
        &self,
        entity: i64,
        page: Page,
    ) -> Result<(Vec<DocSummary>, Option<String>, Option<String>)> {
        let mut client = self.client()?;
        let mut tx = snapshot(&mut client)?;
        let docs = tx
            .query(
                &format!(
                    "SELECT {DOC_SUMMARY_COLUMNS} FROM documents d WHERE d.seq IN \
                     (SELECT doc FROM mentions WHERE entity = $1) \
                     ORDER BY d.published DESC NULLS LAST, d.seq LIMIT $2 OFFSET $3"
                ),
                &[&entity, &to_i64(page.limit), &to_i64(page.offset)],
            )
            .map_err(backend)?
            .iter()
            .map(doc_summary)
            .collect::<Result<Vec<_>>>()?;
        let r = tx
            .query_one(
                "SELECT min(d.published), max(d.published) FROM documents d WHERE d.seq IN \
                 (SELECT doc FROM mentions WHERE entity = $1)",
                &[&entity],
            )
            .map_err(backend)?;
        let (first, last) = (dec_opt(get(&r, 0)?), dec_opt(get(&r, 1)?));
        tx.commit().map_err(backend)?;
        Ok((docs, first, last))
    }

    fn entity_facts(
        &self,
        entity: i64,
        kind: Option<FactKind>,
        page: Page,
    ) -> Result<Vec<StoredFact<AnyFact>>> {
        let mut client = self.client()?;
        let mut tx = snapshot(&mut client)?;
        let kind = kind.map(|k| k.as_str());
        let out = postgres_facts::fact_query(
            &mut tx,
            "f.id IN (SELECT a.fact FROM fact_args a WHERE a.entity = $1) \
             AND ($2::text IS NULL OR f.kind = $2)",
            &[&entity, &kind],
            page,
        )?;
        tx.commit().map_err(backend)?;
        Ok(out)
    }

    fn quotes_about(&self, entity: i64, page: Page) -> Result<Vec<StoredQuote>> {
        let mut client = self.client()?;
        let mut tx = snapshot(&mut client)?;
        let out = postgres_facts::fact_query(
            &mut tx,
            "f.kind = 'quote' AND EXISTS (SELECT 1 FROM mentions m WHERE m.entity = $1 AND m.doc = f.doc \
             AND m.char_start >= f.char_start AND m.char_end <= f.char_end)",
            &[&entity],
            page,
        )?;
        tx.commit().map_err(backend)?;
        Ok(crate::derive::typed(out, |f| match f {
            AnyFact::Quote(q) => Some(q),
            _ => None,
        }))
    }

    fn claims(&self, filter: &ClaimFilter) -> Result<Vec<StoredClaim>> {
        let mut client = self.client()?;
        let mut tx = snapshot(&mut client)?;
        let seq = match &filter.doc {
            Some(d) => Some(resolve_seq(&mut tx, d)?),
            None => None,
        };
        let attribute = filter
            .attribute
            .as_ref()
            .map(|a| enc(&a.to_lowercase()).into_owned());
        let out = postgres_facts::fact_query(
            &mut tx,
            "f.kind = 'claim' \
             AND ($1::bigint IS NULL OR f.id IN \
             (SELECT a.fact FROM fact_args a WHERE a.entity = $1 AND a.role = 'subject')) \
             AND ($2::text IS NULL OR f.subtype = $2) AND ($3::bigint IS NULL OR f.doc = $3)",
            &[&filter.subject, &attribute, &seq],
            filter.page,
        )?;
        tx.commit().map_err(backend)?;
        Ok(crate::derive::typed(out, |f| match f {
            AnyFact::Claim(c) => Some(c),
            _ => None,
        }))
    }

    fn neighbours(&self, entity: i64, filter: &EdgeFilter, page: Page) -> Result<Vec<Neighbour>> {
        let mut client = self.client()?;
        let mut tx = snapshot(&mut client)?;
        let out = postgres_facts::neighbours(&mut tx, entity, filter, page)?;
        tx.commit().map_err(backend)?;
        Ok(out)
    }

    fn evidence(&self, a: i64, b: i64, kind: Option<&str>, limit: usize) -> Result<Vec<Evidence>> {
        let mut client = self.client()?;
        let mut tx = snapshot(&mut client)?;
        let out = postgres_facts::evidence(&mut tx, a, b, kind, limit)?;
        tx.commit().map_err(backend)?;
        Ok(out)
    }

    fn events(&self, filter: &EventFilter) -> Result<Vec<EventNode>> {
        let mut client = self.client()?;
        let mut tx = snapshot(&mut client)?;
        let out = postgres_events::list(&mut tx, filter)?;
        tx.commit().map_err(backend)?;
        Ok(out)
    }

    fn event(&self, id: i64, page: Page) -> Result<EventProfile> {
        let mut client = self.client()?;
        let mut tx = snapshot(&mut client)?;
        let out = postgres_events::profile(&mut tx, id, page)?;
        tx.commit().map_err(backend)?;
        Ok(out)
    }

    fn event_evidence(
        &self,
        entity: i64,
        node: i64,
        role: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Evidence>> {
        let mut client = self.client()?;
        let mut tx = snapshot(&mut client)?;
        let out = postgres_events::evidence(&mut tx, entity, node, role, limit)?;
        tx.commit().map_err(backend)?;
        Ok(out)
    }

    fn for_each_event_edge(&self, f: &mut dyn FnMut(EventEdgeRow)) -> Result<()> {
        let mut client = self.client()?;
        let mut tx = snapshot(&mut client)?;
        postgres_events::for_each_edge(&mut tx, f)?;
        tx.commit().map_err(backend)
    }

    fn for_each_edge(&self, f: &mut dyn FnMut(EdgeRow)) -> Result<()> {
        let mut client = self.client()?;
        let mut tx = snapshot(&mut client)?;
        postgres_facts::for_each_edge(&mut tx, f)?;
        tx.commit().map_err(backend)
    }

    fn bulk_import_graph(
        &mut self,
        kinds: &[&str],
        entities: &[(String, EntityLabel)],
        edges: &[ImportEdge],
    ) -> Result<ImportOutcome> {
        let mut client = self.client()?;
        let mut tx = client.transaction().map_err(backend)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
            .map_err(backend)?;
        let out = postgres_facts::bulk_import(&mut tx, kinds, entities, edges)?;
        tx.commit().map_err(backend)?;
        Ok(out)
    }

    fn add_decision(&mut self, decision: &Decision) -> Result<StoredDecision> {
        let mut client = self.client()?;
        let mut tx = client.transaction().map_err(backend)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
            .map_err(backend)?;
        let stored = postgres_decisions::apply(&mut tx, decision)?;
        tx.commit().map_err(backend)?;
        Ok(stored)
    }

    fn decisions(&self) -> Result<Vec<StoredDecision>> {
        postgres_decisions::list(&mut *self.client()?)
    }

    fn put_resolution(&mut self, blocks: &[NameBlock], reasons: &[ResolutionReason]) -> Result<()> {
        if blocks.is_empty() && reasons.is_empty() {
            return Ok(());
        }
        let mut client = self.client()?;
        let mut tx = client.transaction().map_err(backend)?;
        postgres_decisions::put_resolution(&mut tx, blocks, reasons)?;
        tx.commit().map_err(backend)
    }

    fn name_blocks(
        &self,
        label: EntityLabel,
        blocks: &[String],
        limit_per_block: usize,
    ) -> Result<Vec<NameBlock>> {
        postgres_decisions::name_blocks(&mut *self.client()?, label, blocks, limit_per_block)
    }

    fn resolution_reasons(&self, entity: i64, page: Page) -> Result<Vec<ResolutionReason>> {
        postgres_decisions::resolution_reasons(&mut *self.client()?, entity, page)
    }

    fn stats(&self) -> Result<Stats> {
        let mut client = self.client()?;
        let mut tx = snapshot(&mut client)?;
        let mut one =
            |sql: &str| -> Result<i64> { get(&tx.query_one(sql, &[]).map_err(backend)?, 0) };
        let documents = one("SELECT count(*) FROM documents")?;
        let characters = one("SELECT coalesce(sum(chars), 0)::bigint FROM documents")?;
        let mentions = one("SELECT coalesce(sum(mention_count), 0)::bigint FROM entities")?;
        let entities = one("SELECT count(*) FROM entities")?;
        let links = one("SELECT count(*) FROM near_duplicates")?;
        let mut pairs = |sql: &str| -> Result<Vec<(String, usize)>> {
            tx.query(sql, &[])
                .map_err(backend)?
                .iter()
                .map(|r| {
                    Ok((
                        dec_opt(get(r, 0)?).unwrap_or_default(),
                        to_usize(get(r, 1)?),
                    ))
                })
                .collect()
        };
        let by_format =
            pairs("SELECT format, count(*) FROM documents GROUP BY format ORDER BY 2 DESC, 1")?;
        let by_language = pairs(
            "SELECT coalesce(language, 'unknown'), count(*) FROM documents GROUP BY 1 ORDER BY 2 DESC, 1",
        )?;
        let by_label = pairs(
            "SELECT label, sum(mention_count)::bigint FROM entities GROUP BY label ORDER BY 2 DESC, 1",
        )?;
        let schema_version = stored_version(&mut tx)?.unwrap_or(0);
        tx.commit().map_err(backend)?;
        Ok(Stats {
            documents: to_usize(documents),
            characters: to_usize(characters),
            mentions: to_usize(mentions),
            entities: to_usize(entities),
            near_duplicate_links: to_usize(links),
            by_format,
            by_language,
            by_label,
            schema_version,
        })
    }

    fn optimize(&mut self) -> Result<()> {
        // Merges the GIN pending list into the index and refreshes planner
        // statistics; VACUUM cannot run inside a transaction.
        self.client()?
            .batch_execute(
                "VACUUM (ANALYZE) documents, mentions, entities, entity_names, minhash_bands, facts, \
                 fact_args, edges, edge_evidence",
            )
            .map_err(backend)
    }
}

#[doc(hidden)]
pub fn latest_schema_version() -> i64 {
    latest()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_escaping_round_trips() {
        for s in [
            "",
            "plain",
            "a\0b",
            "\u{FFFF}",
            "\u{FFFF}0",
            "\0\u{FFFF}\0",
            "x\u{FFFF}",
        ] {
            let e = enc(s);
            assert!(!e.contains('\0'));
            assert_eq!(dec(e.into_owned()), s, "{s:?}");
        }
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact("postgres://u:secret@host:5432/db"),
            "postgres://u@host:5432/db"
        );
        assert_eq!(redact("postgres://host/db"), "postgres://host/db");
    }
}
