//! SQLite: facts, entity profiles and the evidence graph (tables of schema
//! version 2). The rules (argument linking, edge derivation) are in
//! `derive.rs`, shared with PostgreSQL.

use crate::derive::{self, EdgeBatch, FactRow};
use crate::sqlite::{check_date, parse_label, to_i64, to_usize, RowInserter};
use crate::sqlite_schema::backend;
use crate::*;
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension};

/// The columns of a `DocSummary`, over `documents d`.
pub(crate) const DOC_SUMMARY_COLUMNS: &str =
    "d.id, d.parent, d.source, d.format, d.title, d.published, d.language, d.chars, \
     d.mention_count, (SELECT o.id FROM near_duplicates n JOIN documents o ON o.seq = n.other \
     WHERE n.doc = d.seq ORDER BY n.similarity DESC LIMIT 1)";

pub(crate) fn doc_summary(r: &rusqlite::Row<'_>) -> rusqlite::Result<DocSummary> {
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
}

pub(crate) const ENTITY_COLUMNS: &str = "e.id, e.name, e.label, e.mention_count, e.doc_count";

pub(crate) fn entity_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<EntitySummary> {
    Ok(EntitySummary {
        id: r.get(0)?,
        name: r.get(1)?,
        label: parse_label(&r.get::<_, String>(2)?)?,
        mentions: to_usize(r.get(3)?),
        documents: to_usize(r.get(4)?),
    })
}

/// Writes a batch's facts (ids from `next_id` on) and their argument links.
pub(crate) fn insert_facts(conn: &Connection, docs: &[(i64, Vec<FactRow>)]) -> Result<()> {
    let mut next_id: i64 = conn
        .query_row("SELECT coalesce(max(id), 0) + 1 FROM facts", [], |r| {
            r.get(0)
        })
        .map_err(backend)?;
    let mut facts = RowInserter::new(
        "INSERT INTO facts(id, doc, kind, ord, char_start, char_end, subtype, extractor, confidence, body)",
        10,
    );
    let mut args = RowInserter::new(
        "INSERT INTO fact_args(fact, pos, role, char_start, char_end, entity)",
        6,
    );
    // Facts first, all of them: an argument row may only follow its fact.
    let first_id = next_id;
    for (seq, rows) in docs {
        for row in rows {
            facts.push(
                conn,
                [
                    Value::Integer(next_id),
                    Value::Integer(*seq),
                    Value::Text(row.kind.as_str().to_string()),
                    Value::Integer(to_i64(row.ord)),
                    Value::Integer(to_i64(row.start)),
                    Value::Integer(to_i64(row.end)),
                    row.subtype.clone().map_or(Value::Null, Value::Text),
                    Value::Text(row.extractor.clone()),
                    Value::Real(row.confidence),
                    Value::Text(row.body.clone()),
                ],
            )?;
            next_id += 1;
        }
    }
    facts.flush(conn)?;
    for (id, row) in (first_id..).zip(docs.iter().flat_map(|(_, rows)| rows)) {
        for (pos, l) in row.args.iter().enumerate() {
            args.push(
                conn,
                [
                    Value::Integer(id),
                    Value::Integer(to_i64(pos)),
                    Value::Text(l.role.clone()),
                    Value::Integer(to_i64(l.span.start)),
                    Value::Integer(to_i64(l.span.end)),
                    l.entity.map_or(Value::Null, Value::Integer),
                ],
            )?;
        }
    }
    args.flush(conn)?;
    Ok(())
}

/// The id of each kind name, created when missing.
fn kind_ids<'a>(
    conn: &Connection,
    names: impl IntoIterator<Item = &'a str>,
) -> Result<HashMap<String, i64>> {
    let mut ins = conn
        .prepare_cached("INSERT OR IGNORE INTO edge_kinds(name) VALUES (?1)")
        .map_err(backend)?;
    let mut get = conn
        .prepare_cached("SELECT id FROM edge_kinds WHERE name = ?1")
        .map_err(backend)?;
    let mut out = HashMap::new();
    for n in names {
        ins.execute([n]).map_err(backend)?;
        let id: i64 = get.query_row([n], |r| r.get(0)).map_err(backend)?;
        out.insert(n.to_string(), id);
    }
    Ok(out)
}

/// Every kind: id → name.
pub(crate) fn kind_names(conn: &Connection) -> Result<HashMap<i64, Arc<str>>> {
    let mut stmt = conn
        .prepare_cached("SELECT id, name FROM edge_kinds")
        .map_err(backend)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
        .map_err(backend)?;
    let mut out = HashMap::new();
    for r in rows {
        let (id, name) = r.map_err(backend)?;
        out.insert(id, Arc::from(name));
    }
    Ok(out)
}

/// Adds a batch's edges to the aggregated graph and their evidence rows.
pub(crate) fn insert_edges(conn: &Connection, batch: &EdgeBatch) -> Result<()> {
    if batch.order.is_empty() {
        return Ok(());
    }
    let kinds = kind_ids(conn, batch.kinds())?;
    let mut edges = RowInserter::with_tail(
        "INSERT INTO edges(src, dst, kind, sentences, docs, first_seen, last_seen)",
        7,
        " ON CONFLICT(src, dst, kind) DO UPDATE SET sentences = sentences + excluded.sentences, \
         docs = docs + excluded.docs, \
         first_seen = min(coalesce(first_seen, excluded.first_seen), coalesce(excluded.first_seen, first_seen)), \
         last_seen = max(coalesce(last_seen, excluded.last_seen), coalesce(excluded.last_seen, last_seen))",
    );
    let mut evidence = RowInserter::new(
        "INSERT OR IGNORE INTO edge_evidence(src, dst, kind, doc, char_start, char_end)",
        6,
    );
    // In primary-key order: consecutive upserts and evidence rows land on the
    // same B-tree pages instead of one random page each.
    let mut sorted: Vec<(i64, i64, i64, &derive::EdgeAgg)> = batch
        .order
        .iter()
        .filter_map(|key| Some((key.0, key.1, *kinds.get(&key.2)?, batch.edges.get(key)?)))
        .collect();
    sorted.sort_unstable_by_key(|e| (e.0, e.1, e.2));
    for (src, dst, kind, agg) in sorted {
        edges.push(
            conn,
            [
                Value::Integer(src),
                Value::Integer(dst),
                Value::Integer(kind),
                Value::Integer(to_i64(agg.evidence.len())),
                Value::Integer(to_i64(agg.docs)),
                agg.first.clone().map_or(Value::Null, Value::Text),
                agg.last.clone().map_or(Value::Null, Value::Text),
            ],
        )?;
        for (doc, start, end) in &agg.evidence {
            evidence.push(
                conn,
                [
                    Value::Integer(src),
                    Value::Integer(dst),
                    Value::Integer(kind),
                    Value::Integer(*doc),
                    Value::Integer(to_i64(*start)),
                    Value::Integer(to_i64(*end)),
                ],
            )?;
        }
    }
    edges.flush(conn)?;
    evidence.flush(conn)?;
    Ok(())
}

/// `got`, SQLite's substr of document `seq`'s text over `[start, end)`, or
/// the slice taken in Rust when substr came back short: SQLite's text
/// functions stop at a NUL, which documents may contain.
fn checked_slice(
    conn: &Connection,
    seq: i64,
    start: usize,
    end: usize,
    got: String,
) -> Result<String> {
    if got.chars().count() == end.saturating_sub(start) {
        return Ok(got);
    }
    let text: String = conn
        .prepare_cached("SELECT text FROM contents WHERE seq = ?1")
        .map_err(backend)?
        .query_row([seq], |r| r.get(0))
        .map_err(backend)?;
    Ok(text
        .chars()
        .skip(start)
        .take(end.saturating_sub(start))
        .collect())
}

/// The sentence of document `seq` containing `pos`, with its text.
pub(crate) fn sentence_in(conn: &Connection, seq: i64, pos: usize) -> Result<Option<Sentence>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT s.char_start, s.char_end, substr(c.text, s.char_start + 1, s.char_end - s.char_start) \
             FROM sentences s JOIN contents c ON c.seq = s.doc \
             WHERE s.doc = ?1 AND s.char_start <= ?2 AND s.char_end > ?2 \
             ORDER BY s.char_start DESC LIMIT 1",
        )
        .map_err(backend)?;
    let found = stmt
        .query_row(params![seq, to_i64(pos)], |r| {
            Ok(Sentence {
                span: derive::cs(to_usize(r.get(0)?), to_usize(r.get(1)?)),
                text: r.get(2)?,
            })
        })
        .optional()
        .map_err(backend)?;
    match found {
        Some(s) => Ok(Some(Sentence {
            text: checked_slice(conn, seq, s.span.start, s.span.end, s.text)?,
            span: s.span,
        })),
        None => Ok(None),
    }
}

/// Stored facts selected by `condition` (over `facts f` and `documents d`),
/// newest document first, then document order; with links and sentence.
pub(crate) fn fact_query(
    conn: &Connection,
    condition: &str,
    mut params: Vec<Value>,
    page: Page,
) -> Result<Vec<StoredFact<AnyFact>>> {
    let n = params.len();
    let sql = format!(
        "SELECT f.id, f.doc, f.kind, f.body, f.char_start, d.id, d.title, d.published \
         FROM facts f JOIN documents d ON d.seq = f.doc WHERE {condition} \
         ORDER BY d.published DESC, f.doc, f.id LIMIT ?{} OFFSET ?{}",
        n + 1,
        n + 2
    );
    params.push(Value::Integer(to_i64(page.limit)));
    params.push(Value::Integer(to_i64(page.offset)));
    #[allow(clippy::type_complexity)]
    let rows: Vec<(
        i64,
        i64,
        String,
        String,
        i64,
        String,
        Option<String>,
        Option<String>,
    )> = conn
        .prepare_cached(&sql)
        .map_err(backend)?
        .query_map(rusqlite::params_from_iter(params), |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })
        .map_err(backend)?
        .collect::<rusqlite::Result<_>>()
        .map_err(backend)?;
    let mut links_of = conn
        .prepare_cached(
            "SELECT role, char_start, char_end, entity FROM fact_args WHERE fact = ?1 ORDER BY pos",
        )
        .map_err(backend)?;
    let mut out = Vec::with_capacity(rows.len());
    for (fact_id, seq, kind, body, start, doc, title, published) in rows {
        let links = links_of
            .query_map([fact_id], |r| {
                Ok(ArgLink {
                    role: r.get(0)?,
                    span: derive::cs(to_usize(r.get(1)?), to_usize(r.get(2)?)),
                    entity: r.get(3)?,
                })
            })
            .map_err(backend)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(backend)?;
        out.push(StoredFact {
            doc: DocId(doc),
            title,
            published,
            sentence: sentence_in(conn, seq, to_usize(start))?,
            fact: derive::decode_fact(&kind, &body)?,
            links,
        });
    }
    Ok(out)
}

pub(crate) fn facts_of_doc(conn: &Connection, seq: i64) -> Result<Facts> {
    let rows: Vec<(String, String)> = conn
        .prepare_cached("SELECT kind, body FROM facts WHERE doc = ?1 ORDER BY id")
        .map_err(backend)?
        .query_map([seq], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(backend)?
        .collect::<rusqlite::Result<_>>()
        .map_err(backend)?;
    derive::collect_facts(rows)
}

/// The neighbours query (see `Store::neighbours`).
pub(crate) fn neighbours(
    conn: &Connection,
    entity: i64,
    filter: &EdgeFilter,
    page: Page,
) -> Result<Vec<Neighbour>> {
    let names = kind_names(conn)?;
    let mut conditions: Vec<String> = Vec::new();
    let mut params: Vec<Value> = vec![Value::Integer(entity)];
    if !filter.kinds.is_empty() {
        let ids: Vec<String> = names
            .iter()
            .filter(|(_, n)| derive::kind_matches(&filter.kinds, n))
            .map(|(id, _)| id.to_string())
            .collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // Integers from our own table: safe to inline.
        conditions.push(format!("x.kind IN ({})", ids.join(", ")));
    }
    if let Some(label) = filter.label {
        params.push(Value::Text(label.as_str().to_string()));
        conditions.push(format!("e.label = ?{}", params.len()));
    }
    if let Some(from) = filter.from.as_deref() {
        params.push(Value::Text(check_date(from, "from")?));
        conditions.push(format!("x.last_seen >= ?{}", params.len()));
    }
    if let Some(to) = filter.to.as_deref() {
        params.push(Value::Text(format!("{}\u{10FFFF}", check_date(to, "to")?)));
        conditions.push(format!("x.first_seen <= ?{}", params.len()));
    }
    if filter.min_evidence > 0 {
        params.push(Value::Integer(to_i64(filter.min_evidence)));
        conditions.push(format!("x.sentences >= ?{}", params.len()));
    }
    let n = params.len();
    params.push(Value::Integer(to_i64(page.limit)));
    params.push(Value::Integer(to_i64(page.offset)));
    let where_sql = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let union = "SELECT dst AS other, kind, 0 AS dir, sentences, docs, first_seen, last_seen FROM edges WHERE src = ?1 \
         UNION ALL \
         SELECT src, kind, 1, sentences, docs, first_seen, last_seen FROM edges WHERE dst = ?1";
    let sql = crate::derive::neighbours_sql(
        union,
        &where_sql,
        filter.label.is_some(),
        &format!("?{}", n + 1),
        &format!("?{}", n + 2),
    );
    let mut stmt = conn.prepare_cached(&sql).map_err(backend)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(params), |r| {
            Ok((
                entity_row(r)?,
                r.get::<_, i64>(5)?,
                r.get::<_, i64>(6)?,
                r.get::<_, i64>(7)?,
                r.get::<_, i64>(8)?,
                r.get::<_, Option<String>>(9)?,
                r.get::<_, Option<String>>(10)?,
            ))
        })
        .map_err(backend)?;
    let mut out = Vec::new();
    for row in rows {
        let (e, kind, dir, sentences, docs, first_seen, last_seen) = row.map_err(backend)?;
        let kind = names.get(&kind).map(|k| k.to_string()).unwrap_or_default();
        let direction = if derive::is_undirected(&kind) {
            Direction::Both
        } else if dir == 0 {
            Direction::Out
        } else {
            Direction::In
        };
        out.push(Neighbour {
            entity: e,
            kind,
            direction,
            sentences: to_usize(sentences),
            documents: to_usize(docs),
            first_seen,
            last_seen,
        });
    }
    Ok(out)
}

pub(crate) fn evidence(
    conn: &Connection,
    a: i64,
    b: i64,
    kind: Option<&str>,
    limit: usize,
) -> Result<Vec<Evidence>> {
    let names = kind_names(conn)?;
    let kind_id = match kind {
        Some(k) => match names.iter().find(|(_, n)| &***n == k) {
            Some((id, _)) => Some(*id),
            None => return Ok(Vec::new()),
        },
        None => None,
    };
    let mut stmt = conn
        .prepare_cached(
            "SELECT d.id, d.title, d.published, v.char_start, v.char_end, \
             substr(c.text, v.char_start + 1, v.char_end - v.char_start), v.kind, v.src, v.dst, v.doc \
             FROM edge_evidence v JOIN documents d ON d.seq = v.doc JOIN contents c ON c.seq = v.doc \
             WHERE ((v.src = ?1 AND v.dst = ?2) OR (v.src = ?2 AND v.dst = ?1)) \
             AND (?3 IS NULL OR v.kind = ?3) \
             ORDER BY d.published DESC, v.doc, v.char_start, v.kind LIMIT ?4",
        )
        .map_err(backend)?;
    let rows = stmt
        .query_map(params![a, b, kind_id, to_i64(limit)], |r| {
            Ok((
                Evidence {
                    doc: DocId(r.get(0)?),
                    title: r.get(1)?,
                    published: r.get(2)?,
                    span: derive::cs(to_usize(r.get(3)?), to_usize(r.get(4)?)),
                    sentence: r.get(5)?,
                    kind: String::new(),
                    src: r.get(7)?,
                    dst: r.get(8)?,
                },
                r.get::<_, i64>(6)?,
                r.get::<_, i64>(9)?,
            ))
        })
        .map_err(backend)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(backend)?;
    let mut out = Vec::new();
    for (mut ev, kind, seq) in rows {
        ev.sentence = checked_slice(conn, seq, ev.span.start, ev.span.end, ev.sentence)?;
        ev.kind = names.get(&kind).map(|k| k.to_string()).unwrap_or_default();
        out.push(ev);
    }
    Ok(out)
}

pub(crate) fn for_each_edge(conn: &Connection, f: &mut dyn FnMut(EdgeRow)) -> Result<()> {
    let names = kind_names(conn)?;
    let unknown: Arc<str> = Arc::from("");
    let mut stmt = conn
        .prepare("SELECT src, dst, kind, sentences, docs, first_seen, last_seen FROM edges")
        .map_err(backend)?;
    let mut rows = stmt.query([]).map_err(backend)?;
    while let Some(r) = rows.next().map_err(backend)? {
        let kind: i64 = r.get(2).map_err(backend)?;
        f(EdgeRow {
            src: r.get(0).map_err(backend)?,
            dst: r.get(1).map_err(backend)?,
            kind: names.get(&kind).unwrap_or(&unknown).clone(),
            sentences: to_usize(r.get(3).map_err(backend)?),
            documents: to_usize(r.get(4).map_err(backend)?),
            first_seen: r.get(5).map_err(backend)?,
            last_seen: r.get(6).map_err(backend)?,
        });
    }
    Ok(())
}

/// Finds or creates an entity by (label, key of `name`) without touching its
/// counts; returns its id.
pub(crate) fn find_or_create_entity(
    conn: &Connection,
    name: &str,
    label: EntityLabel,
) -> Result<i64> {
    let key = entity_key(name);
    let key = if key.is_empty() { "?".to_string() } else { key };
    let mut find = conn
        .prepare_cached("SELECT id FROM entities WHERE label = ?1 AND key = ?2")
        .map_err(backend)?;
    if let Some(id) = find
        .query_row(params![label.as_str(), key], |r| r.get::<_, i64>(0))
        .optional()
        .map_err(backend)?
    {
        return Ok(id);
    }
    let mut ins = conn
        .prepare_cached("INSERT INTO entities(label, name, key) VALUES (?1, ?2, ?3)")
        .map_err(backend)?;
    ins.execute(params![label.as_str(), name.trim(), key])
        .map_err(backend)?;
    let id = conn.last_insert_rowid();
    conn.prepare_cached("INSERT OR IGNORE INTO entity_names(key, entity) VALUES (?1, ?2)")
        .map_err(backend)?
        .execute(params![key, id])
        .map_err(backend)?;
    Ok(id)
}

/// Writes prepared import edges (sorted by key) with one prepared upsert.
pub(crate) fn import_edges(
    conn: &Connection,
    kinds: &[&str],
    edges: &[(i64, i64, u16, u64)],
) -> Result<()> {
    let ids = kind_ids(conn, kinds.iter().copied())?;
    let kind_id: Vec<i64> = kinds
        .iter()
        .map(|k| ids.get(*k).copied().unwrap_or(0))
        .collect();
    let mut ins = conn
        .prepare_cached(
            "INSERT INTO edges(src, dst, kind, sentences, docs) VALUES (?1, ?2, ?3, ?4, 0) \
             ON CONFLICT(src, dst, kind) DO UPDATE SET sentences = sentences + excluded.sentences",
        )
        .map_err(backend)?;
    for &(src, dst, kind, weight) in edges {
        let k = kind_id.get(usize::from(kind)).copied().unwrap_or(0);
        ins.execute(params![
            src,
            dst,
            k,
            i64::try_from(weight).unwrap_or(i64::MAX)
        ])
        .map_err(backend)?;
    }
    Ok(())
}
