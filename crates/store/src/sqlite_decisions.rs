//! SQLite: analyst decisions (merge, split, rename, not-same).
//!
//! A merge or split changes which entity some mentions belong to; everything
//! derived from mentions (fact argument links, evidence-graph edges) is then
//! re-derived for the documents concerned, with the rules of `derive.rs`: their
//! old evidence is removed, the new evidence added, and the touched edges'
//! counts and dates recomputed from the evidence that remains.

use crate::derive::{self, derive_edges, fact_rows, EdgeBatch, MentionIndex};
use crate::sqlite::{to_i64, to_usize};
use crate::sqlite_schema::backend;
use crate::*;
use rusqlite::{params, Connection, OptionalExtension};

/// Merged-away entity → survivor.
pub(crate) fn redirects(conn: &Connection) -> Result<HashMap<i64, i64>> {
    let mut stmt = conn
        .prepare_cached("SELECT entity, into_entity FROM entity_redirects")
        .map_err(backend)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(backend)?;
    rows.collect::<rusqlite::Result<_>>().map_err(backend)
}

/// Recomputes mention and document counts of `entities` from their mentions.
pub(crate) fn recount(conn: &Connection, entities: &BTreeSet<i64>) -> Result<()> {
    let mut stmt = conn
        .prepare_cached(
            "UPDATE entities SET mention_count = (SELECT count(*) FROM mentions WHERE entity = ?1), \
             doc_count = (SELECT count(DISTINCT doc) FROM mentions WHERE entity = ?1) WHERE id = ?1",
        )
        .map_err(backend)?;
    for e in entities {
        stmt.execute([e]).map_err(backend)?;
    }
    Ok(())
}

/// What a set of documents contributes today: fact rows (with stored ids) and
/// edges, derived from the stored mentions, sentences and facts.
fn derive_docs(
    conn: &Connection,
    docs: &BTreeSet<i64>,
) -> Result<(Vec<(i64, derive::FactRow)>, EdgeBatch)> {
    let mut facts_out = Vec::new();
    let mut batch = EdgeBatch::default();
    for &seq in docs {
        let mentions: Vec<(usize, usize, i64)> = conn
            .prepare_cached("SELECT char_start, char_end, entity FROM mentions WHERE doc = ?1")
            .map_err(backend)?
            .query_map([seq], |r| {
                Ok((to_usize(r.get(0)?), to_usize(r.get(1)?), r.get(2)?))
            })
            .map_err(backend)?
            .collect::<rusqlite::Result<_>>()
            .map_err(backend)?;
        let sentences: Vec<CharSpan> = conn
            .prepare_cached(
                "SELECT char_start, char_end FROM sentences WHERE doc = ?1 ORDER BY char_start",
            )
            .map_err(backend)?
            .query_map([seq], |r| {
                Ok(derive::cs(to_usize(r.get(0)?), to_usize(r.get(1)?)))
            })
            .map_err(backend)?
            .collect::<rusqlite::Result<_>>()
            .map_err(backend)?;
        let stored: Vec<(i64, String, String)> = conn
            .prepare_cached("SELECT id, kind, body FROM facts WHERE doc = ?1 ORDER BY id")
            .map_err(backend)?
            .query_map([seq], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(backend)?
            .collect::<rusqlite::Result<_>>()
            .map_err(backend)?;
        let published: Option<String> = conn
            .query_row(
                "SELECT published FROM documents WHERE seq = ?1",
                [seq],
                |r| r.get(0),
            )
            .map_err(backend)?;
        let ids: Vec<i64> = stored.iter().map(|s| s.0).collect();
        let facts = derive::collect_facts(stored.into_iter().map(|s| (s.1, s.2)).collect())?;
        let index = MentionIndex::from_spans(mentions);
        // Rows come out in the order put_batch stored them (kind, then ord),
        // which is id order.
        let rows = fact_rows(&facts, &index)?;
        batch.add(
            seq,
            published.as_deref(),
            derive_edges(&sentences, &index, &rows),
        );
        facts_out.extend(ids.into_iter().zip(rows));
    }
    Ok((facts_out, batch))
}

type EdgeKey = (i64, i64, i64);

/// Removes the evidence `batch` describes; returns the edge keys touched.
fn remove_evidence(conn: &Connection, batch: &EdgeBatch) -> Result<BTreeSet<EdgeKey>> {
    let kinds = kind_lookup(conn)?;
    let mut del = conn
        .prepare_cached(
            "DELETE FROM edge_evidence WHERE src = ?1 AND dst = ?2 AND kind = ?3 AND doc = ?4 \
             AND char_start = ?5 AND char_end = ?6",
        )
        .map_err(backend)?;
    let mut touched = BTreeSet::new();
    for key in &batch.order {
        let (Some(agg), Some(&kind)) = (batch.edges.get(key), kinds.get(&key.2)) else {
            continue;
        };
        touched.insert((key.0, key.1, kind));
        for (doc, s, e) in &agg.evidence {
            del.execute(params![key.0, key.1, kind, doc, to_i64(*s), to_i64(*e)])
                .map_err(backend)?;
        }
    }
    Ok(touched)
}

fn kind_lookup(conn: &Connection) -> Result<HashMap<String, i64>> {
    Ok(crate::sqlite_facts::kind_names(conn)?
        .into_iter()
        .map(|(id, n)| (n.to_string(), id))
        .collect())
}

/// Adds `batch`'s evidence (new kinds created); returns the edge keys touched.
fn add_evidence(conn: &Connection, batch: &EdgeBatch) -> Result<BTreeSet<EdgeKey>> {
    let mut ins_kind = conn
        .prepare_cached("INSERT OR IGNORE INTO edge_kinds(name) VALUES (?1)")
        .map_err(backend)?;
    for k in batch.kinds() {
        ins_kind.execute([k]).map_err(backend)?;
    }
    let kinds = kind_lookup(conn)?;
    let mut ins = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO edge_evidence(src, dst, kind, doc, char_start, char_end) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .map_err(backend)?;
    let mut touched = BTreeSet::new();
    for key in &batch.order {
        let (Some(agg), Some(&kind)) = (batch.edges.get(key), kinds.get(&key.2)) else {
            continue;
        };
        touched.insert((key.0, key.1, kind));
        for (doc, s, e) in &agg.evidence {
            ins.execute(params![key.0, key.1, kind, doc, to_i64(*s), to_i64(*e)])
                .map_err(backend)?;
        }
    }
    Ok(touched)
}

/// Recomputes touched edges from their evidence (deleting those left with none).
fn recompute_edges(conn: &Connection, keys: &BTreeSet<EdgeKey>) -> Result<()> {
    let mut agg = conn
        .prepare_cached(
            "SELECT v.doc, v.char_start, v.char_end, d.published FROM edge_evidence v \
             JOIN documents d ON d.seq = v.doc WHERE v.src = ?1 AND v.dst = ?2 AND v.kind = ?3",
        )
        .map_err(backend)?;
    let mut del = conn
        .prepare_cached("DELETE FROM edges WHERE src = ?1 AND dst = ?2 AND kind = ?3")
        .map_err(backend)?;
    let mut put = conn
        .prepare_cached(
            "INSERT OR REPLACE INTO edges(src, dst, kind, sentences, docs, first_seen, last_seen) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .map_err(backend)?;
    for &(src, dst, kind) in keys {
        let rows: Vec<(i64, Option<String>)> = agg
            .query_map(params![src, dst, kind], |r| Ok((r.get(0)?, r.get(3)?)))
            .map_err(backend)?
            .collect::<rusqlite::Result<_>>()
            .map_err(backend)?;
        if rows.is_empty() {
            del.execute(params![src, dst, kind]).map_err(backend)?;
            continue;
        }
        let docs: BTreeSet<i64> = rows.iter().map(|r| r.0).collect();
        let dates: Vec<String> = rows
            .iter()
            .filter_map(|r| derive::edge_date(r.1.as_deref()))
            .collect();
        put.execute(params![
            src,
            dst,
            kind,
            to_i64(rows.len()),
            to_i64(docs.len()),
            dates.iter().min(),
            dates.iter().max()
        ])
        .map_err(backend)?;
    }
    Ok(())
}

/// Runs `change` (which reassigns mentions) and re-derives fact links and
/// evidence for `docs` around it.
fn rederive(
    conn: &Connection,
    docs: &BTreeSet<i64>,
    change: impl FnOnce() -> Result<()>,
) -> Result<()> {
    let (_, old) = derive_docs(conn, docs)?;
    let mut touched = remove_evidence(conn, &old)?;
    change()?;
    let (facts, new) = derive_docs(conn, docs)?;
    let mut del_args = conn
        .prepare_cached("DELETE FROM fact_args WHERE fact = ?1")
        .map_err(backend)?;
    let mut ins_arg = conn
        .prepare_cached(
            "INSERT INTO fact_args(fact, pos, role, char_start, char_end, entity) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .map_err(backend)?;
    for (id, row) in &facts {
        del_args.execute([id]).map_err(backend)?;
        for (pos, l) in row.args.iter().enumerate() {
            ins_arg
                .execute(params![
                    id,
                    to_i64(pos),
                    l.role,
                    to_i64(l.span.start),
                    to_i64(l.span.end),
                    l.entity
                ])
                .map_err(backend)?;
        }
    }
    touched.extend(add_evidence(conn, &new)?);
    recompute_edges(conn, &touched)
}

fn live_entity(conn: &Connection, id: i64) -> Result<(String, String)> {
    let row: Option<(String, String)> = conn
        .query_row(
            "SELECT label, key FROM entities WHERE id = ?1 AND id NOT IN (SELECT entity FROM entity_redirects)",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(backend)?;
    row.ok_or(StoreError::NoSuchEntity(id))
}

fn docs_of(conn: &Connection, entity: i64) -> Result<BTreeSet<i64>> {
    conn.prepare_cached("SELECT DISTINCT doc FROM mentions WHERE entity = ?1")
        .map_err(backend)?
        .query_map([entity], |r| r.get(0))
        .map_err(backend)?
        .collect::<rusqlite::Result<_>>()
        .map_err(backend)
}

/// Applies and records one decision.
pub(crate) fn apply(conn: &Connection, decision: &Decision) -> Result<StoredDecision> {
    let note = match decision {
        Decision::Merge { from, into } => {
            let (from, into) = (*from, *into);
            live_entity(conn, from)?;
            live_entity(conn, into)?;
            if from == into {
                return Err(StoreError::Invalid(format!(
                    "cannot merge entity {from} into itself"
                )));
            }
            for d in list(conn)? {
                if let Decision::NotSame { a, b } = d.decision {
                    if (a, b) == (from, into) || (b, a) == (from, into) {
                        return Err(StoreError::Invalid(format!(
                            "entities {from} and {into} were marked as different (decision {})",
                            d.id
                        )));
                    }
                }
            }
            let docs = docs_of(conn, from)?;
            let moved: i64 = conn
                .query_row(
                    "SELECT count(*) FROM mentions WHERE entity = ?1",
                    [from],
                    |r| r.get(0),
                )
                .map_err(backend)?;
            rederive(conn, &docs, || {
                conn.execute(
                    "UPDATE mentions SET entity = ?2 WHERE entity = ?1",
                    params![from, into],
                )
                .map_err(backend)?;
                Ok(())
            })?;
            conn.execute_batch(&format!(
                "INSERT OR IGNORE INTO entity_names(key, entity) SELECT key, {into} FROM entity_names WHERE entity = {from};
                 DELETE FROM entity_names WHERE entity = {from};
                 INSERT OR REPLACE INTO entity_redirects(entity, into_entity) VALUES ({from}, {into});
                 UPDATE entity_redirects SET into_entity = {into} WHERE into_entity = {from};"
            ))
            .map_err(backend)?;
            move_remaining_edges(conn, from, into)?;
            recount(conn, &BTreeSet::from([from, into]))?;
            format!("moved {moved} mentions in {} documents", docs.len())
        }
        Decision::Split {
            entity,
            mentions,
            name,
        } => {
            let (label, key) = live_entity(conn, *entity)?;
            let new_key = entity_key(name);
            if new_key.is_empty() || new_key == key {
                return Err(StoreError::Invalid(format!(
                    "a split needs a new name for the split-off entity (got {name:?})"
                )));
            }
            let mut targets = Vec::new();
            for (doc, span) in mentions {
                let seq: Option<i64> = conn
                    .query_row(
                        "SELECT m.doc FROM mentions m JOIN documents d ON d.seq = m.doc WHERE d.id = ?1 \
                         AND m.char_start = ?2 AND m.char_end = ?3 AND m.entity = ?4",
                        params![doc.as_str(), to_i64(span.start), to_i64(span.end), entity],
                        |r| r.get(0),
                    )
                    .optional()
                    .map_err(backend)?;
                let Some(seq) = seq else {
                    return Err(StoreError::Invalid(format!(
                        "entity {entity} has no mention at {}..{} of document {doc}",
                        span.start, span.end
                    )));
                };
                targets.push((seq, *span));
            }
            if targets.is_empty() {
                return Err(StoreError::Invalid("a split needs mentions to move".into()));
            }
            let label: EntityLabel = label
                .parse()
                .map_err(|e| StoreError::Backend(format!("stored label {label:?}: {e}")))?;
            let new_id = crate::sqlite_facts::find_or_create_entity(conn, name, label)?;
            if redirects(conn)?.contains_key(&new_id) {
                return Err(StoreError::Invalid(format!(
                    "{name:?} names an entity merged away; choose another name"
                )));
            }
            let docs: BTreeSet<i64> = targets.iter().map(|t| t.0).collect();
            rederive(conn, &docs, || {
                let mut mv = conn
                    .prepare_cached(
                        "UPDATE mentions SET entity = ?5 WHERE doc = ?1 AND char_start = ?2 AND char_end = ?3 \
                         AND entity = ?4",
                    )
                    .map_err(backend)?;
                for (seq, span) in &targets {
                    mv.execute(params![
                        seq,
                        to_i64(span.start),
                        to_i64(span.end),
                        entity,
                        new_id
                    ])
                    .map_err(backend)?;
                }
                Ok(())
            })?;
            let texts: Vec<String> = conn
                .prepare_cached("SELECT DISTINCT text FROM mentions WHERE entity = ?1")
                .map_err(backend)?
                .query_map([new_id], |r| r.get(0))
                .map_err(backend)?
                .collect::<rusqlite::Result<_>>()
                .map_err(backend)?;
            let mut name = conn
                .prepare_cached("INSERT OR IGNORE INTO entity_names(key, entity) VALUES (?1, ?2)")
                .map_err(backend)?;
            for t in texts {
                let k = entity_key(&t);
                if !k.is_empty() {
                    name.execute(params![k, new_id]).map_err(backend)?;
                }
            }
            // Names only the moved mentions had no longer answer for the old
            // entity, so later mentions of them are not sent back there.
            conn.execute(
                "DELETE FROM entity_names WHERE entity = ?1 AND key <> ?2 AND key IN                  (SELECT key FROM entity_names WHERE entity = ?3)",
                params![entity, key, new_id],
            )
            .map_err(backend)?;
            let kept: Vec<String> = conn
                .prepare_cached("SELECT DISTINCT text FROM mentions WHERE entity = ?1")
                .map_err(backend)?
                .query_map([entity], |r| r.get(0))
                .map_err(backend)?
                .collect::<rusqlite::Result<_>>()
                .map_err(backend)?;
            let mut back = conn
                .prepare_cached("INSERT OR IGNORE INTO entity_names(key, entity) VALUES (?1, ?2)")
                .map_err(backend)?;
            for t in kept {
                let k = entity_key(&t);
                if !k.is_empty() {
                    back.execute(params![k, entity]).map_err(backend)?;
                }
            }
            recount(conn, &BTreeSet::from([*entity, new_id]))?;
            format!("created entity {new_id} with {} mentions", targets.len())
        }
        Decision::Rename { entity, name } => {
            live_entity(conn, *entity)?;
            let key = entity_key(name);
            if key.is_empty() {
                return Err(StoreError::Invalid("the new name is empty".into()));
            }
            conn.execute(
                "UPDATE entities SET name = ?2 WHERE id = ?1",
                params![entity, name.trim()],
            )
            .map_err(backend)?;
            conn.execute(
                "INSERT OR IGNORE INTO entity_names(key, entity) VALUES (?1, ?2)",
                params![key, entity],
            )
            .map_err(backend)?;
            // New mentions are keyed by name: a tombstone under the new key that
            // redirects to the entity makes later mentions of the new name join it
            // (unless another entity already has that name).
            let (label, old_key) = live_entity(conn, *entity)?;
            if key != old_key {
                conn.execute(
                    "INSERT OR IGNORE INTO entities(label, name, key) VALUES (?1, ?2, ?3)",
                    params![label, name.trim(), key],
                )
                .map_err(backend)?;
                if conn.changes() > 0 {
                    let tomb = conn.last_insert_rowid();
                    conn.execute(
                        "INSERT OR REPLACE INTO entity_redirects(entity, into_entity) VALUES (?1, ?2)",
                        params![tomb, entity],
                    )
                    .map_err(backend)?;
                }
            }
            format!("renamed to {:?}", name.trim())
        }
        Decision::NotSame { a, b } => {
            live_entity(conn, *a)?;
            live_entity(conn, *b)?;
            if a == b {
                return Err(StoreError::Invalid(format!(
                    "entity {a} cannot differ from itself"
                )));
            }
            "recorded".to_string()
        }
    };
    let body = serde_json::to_string(decision)
        .map_err(|e| StoreError::Backend(format!("encoding a decision: {e}")))?;
    conn.execute(
        "INSERT INTO decisions(body, note) VALUES (?1, ?2)",
        params![body, note],
    )
    .map_err(backend)?;
    Ok(StoredDecision {
        id: conn.last_insert_rowid(),
        decision: decision.clone(),
        note,
    })
}

/// Edges of `from` without evidence (bulk-imported, or stored before schema
/// version 2) move to `into`, adding to what is there.
fn move_remaining_edges(conn: &Connection, from: i64, into: i64) -> Result<()> {
    let names = crate::sqlite_facts::kind_names(conn)?;
    #[allow(clippy::type_complexity)]
    let rows: Vec<(i64, i64, i64, i64, i64, Option<String>, Option<String>)> = conn
        .prepare_cached(
            "SELECT src, dst, kind, sentences, docs, first_seen, last_seen FROM edges WHERE src = ?1 \
             UNION ALL SELECT src, dst, kind, sentences, docs, first_seen, last_seen FROM edges \
             WHERE dst = ?1 AND src <> ?1",
        )
        .map_err(backend)?
        .query_map([from], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })
        .map_err(backend)?
        .collect::<rusqlite::Result<_>>()
        .map_err(backend)?;
    let mut del = conn
        .prepare_cached("DELETE FROM edges WHERE src = ?1 AND dst = ?2 AND kind = ?3")
        .map_err(backend)?;
    let mut up = conn
        .prepare_cached(
            "INSERT INTO edges(src, dst, kind, sentences, docs, first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
             ON CONFLICT(src, dst, kind) DO UPDATE SET sentences = sentences + excluded.sentences, \
             docs = docs + excluded.docs, \
             first_seen = min(coalesce(first_seen, excluded.first_seen), coalesce(excluded.first_seen, first_seen)), \
             last_seen = max(coalesce(last_seen, excluded.last_seen), coalesce(excluded.last_seen, last_seen))",
        )
        .map_err(backend)?;
    for (src, dst, kind, sentences, docs, first, last) in rows {
        del.execute(params![src, dst, kind]).map_err(backend)?;
        let (mut s, mut d) = (
            if src == from { into } else { src },
            if dst == from { into } else { dst },
        );
        if s == d {
            continue;
        }
        let undirected = names.get(&kind).is_some_and(|n| derive::is_undirected(n));
        if undirected && d < s {
            std::mem::swap(&mut s, &mut d);
        }
        up.execute(params![s, d, kind, sentences, docs, first, last])
            .map_err(backend)?;
    }
    Ok(())
}

pub(crate) fn list(conn: &Connection) -> Result<Vec<StoredDecision>> {
    let rows: Vec<(i64, String, String)> = conn
        .prepare_cached("SELECT id, body, note FROM decisions ORDER BY id")
        .map_err(backend)?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .map_err(backend)?
        .collect::<rusqlite::Result<_>>()
        .map_err(backend)?;
    rows.into_iter()
        .map(|(id, body, note)| {
            Ok(StoredDecision {
                id,
                decision: serde_json::from_str(&body)
                    .map_err(|e| StoreError::Backend(format!("stored decision {id}: {e}")))?,
                note,
            })
        })
        .collect()
}

/// Writes blocking-index rows and resolution reasons (see
/// [`Store::put_resolution`]).
pub(crate) fn put_resolution(
    conn: &Connection,
    blocks: &[NameBlock],
    reasons: &[ResolutionReason],
) -> Result<()> {
    let mut ins = conn
        .prepare_cached("INSERT OR IGNORE INTO name_blocks(block, label, name) VALUES (?1, ?2, ?3)")
        .map_err(backend)?;
    for b in blocks {
        ins.execute(params![b.block, b.label.as_str(), b.name])
            .map_err(backend)?;
    }
    let mut why = conn
        .prepare_cached(
            "INSERT INTO resolution_reasons(label, into_key, doc, name, into_name, rule, detail) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .map_err(backend)?;
    for r in reasons {
        why.execute(params![
            r.label.as_str(),
            entity_key(&r.into),
            r.doc.as_str(),
            r.name,
            r.into,
            r.rule,
            r.detail
        ])
        .map_err(backend)?;
    }
    Ok(())
}

pub(crate) fn name_blocks(
    conn: &Connection,
    label: EntityLabel,
    blocks: &[String],
    limit_per_block: usize,
) -> Result<Vec<NameBlock>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT name FROM name_blocks WHERE block = ?1 AND label = ?2 ORDER BY rowid LIMIT ?3",
        )
        .map_err(backend)?;
    let mut out = Vec::new();
    for b in blocks {
        let names: Vec<String> = stmt
            .query_map(params![b, label.as_str(), to_i64(limit_per_block)], |r| {
                r.get(0)
            })
            .map_err(backend)?
            .collect::<rusqlite::Result<_>>()
            .map_err(backend)?;
        out.extend(names.into_iter().map(|name| NameBlock {
            block: b.clone(),
            label,
            name,
        }));
    }
    Ok(out)
}

pub(crate) fn resolution_reasons(
    conn: &Connection,
    entity: i64,
    page: Page,
) -> Result<Vec<ResolutionReason>> {
    let rows: Vec<(String, String, String, String, String, String)> = conn
        .prepare_cached(
            "SELECT r.doc, r.label, r.name, r.into_name, r.rule, r.detail FROM resolution_reasons r \
             JOIN entities e ON e.id = ?1 AND e.label = r.label \
             WHERE r.into_key IN (SELECT key FROM entity_names WHERE entity = ?1) \
             ORDER BY r.id LIMIT ?2 OFFSET ?3",
        )
        .map_err(backend)?
        .query_map(
            params![entity, to_i64(page.limit), to_i64(page.offset)],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            },
        )
        .map_err(backend)?
        .collect::<rusqlite::Result<_>>()
        .map_err(backend)?;
    rows.into_iter()
        .map(|(doc, label, name, into, rule, detail)| {
            Ok(ResolutionReason {
                doc: DocId(doc),
                label: label
                    .parse()
                    .map_err(|e| StoreError::Backend(format!("stored label {label:?}: {e}")))?,
                name,
                into,
                rule,
                detail,
            })
        })
        .collect()
}
