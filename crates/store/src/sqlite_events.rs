//! SQLite: event nodes and participation edges (schema version 3). What is
//! derived is decided in `events.rs`; this module reads and writes it.

use crate::derive::{self, fact_rows, EdgeBatch, MentionIndex};
use crate::events::{
    self, cluster, doc_event_mentions, join_countries, split_countries, DocMention, EventBatch,
    EventEdgeRow, EventFilter, EventIo, EventMention, EventNode, EventParticipant, EventProfile,
    Mention, NodeSig, MENTIONED_ROLE,
};
use crate::sqlite::{to_i64, to_usize, RowInserter};
use crate::sqlite_facts::{entity_row, sentence_in, ENTITY_COLUMNS};
use crate::sqlite_schema::backend;
use crate::*;
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};

/// Most candidate nodes taken per shared entity (a hub place names many).
const CANDIDATES_PER_ENTITY: i64 = 200;

pub(crate) struct Io<'a> {
    pub conn: &'a Connection,
}

impl EventIo for Io<'_> {
    fn candidates(
        &mut self,
        family: &str,
        entities: &[i64],
        month: Option<&str>,
    ) -> Result<Vec<i64>> {
        let mut out = Vec::new();
        let mut by_entity = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT x.node FROM event_edges x JOIN event_nodes n ON n.id = x.node \
                 WHERE x.entity = ?1 AND x.role <> ?2 AND n.family = ?3 \
                 ORDER BY x.node DESC LIMIT ?4",
            )
            .map_err(backend)?;
        for e in entities {
            let ids = by_entity
                .query_map(
                    params![e, MENTIONED_ROLE, family, CANDIDATES_PER_ENTITY],
                    |r| r.get::<_, i64>(0),
                )
                .map_err(backend)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(backend)?;
            out.extend(ids);
        }
        if let Some(m) = month {
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT id FROM event_nodes WHERE family = ?1 AND date >= ?2 AND date <= ?2 || '-99' \
                     ORDER BY id DESC LIMIT ?3",
                )
                .map_err(backend)?;
            let ids = stmt
                .query_map(params![family, m, CANDIDATES_PER_ENTITY], |r| r.get(0))
                .map_err(backend)?
                .collect::<rusqlite::Result<Vec<i64>>>()
                .map_err(backend)?;
            out.extend(ids);
        }
        Ok(out)
    }

    fn load(&mut self, id: i64) -> Result<Option<NodeSig>> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT type, date, place, countries, mentions, docs, first_seen, last_seen \
                 FROM event_nodes WHERE id = ?1",
            )
            .map_err(backend)?
            .query_row([id], |r| {
                Ok(NodeSig {
                    id,
                    kind: r.get(0)?,
                    date: r.get(1)?,
                    place: r.get(2)?,
                    countries: split_countries(&r.get::<_, String>(3)?),
                    mentions: to_usize(r.get(4)?),
                    docs: to_usize(r.get(5)?),
                    first_seen: r.get(6)?,
                    last_seen: r.get(7)?,
                    ..NodeSig::default()
                })
            })
            .optional()
            .map_err(backend)?;
        let Some(mut sig) = row else {
            return Ok(None);
        };
        let mut stmt = self
            .conn
            .prepare_cached("SELECT entity, role FROM event_edges WHERE node = ?1 AND role <> ?2")
            .map_err(backend)?;
        let links = stmt
            .query_map(params![id, MENTIONED_ROLE], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(backend)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(backend)?;
        for (e, role) in links {
            if role == "place" {
                sig.places.insert(e);
            } else {
                sig.participants.insert(e);
            }
        }
        Ok(Some(sig))
    }

    fn max_id(&mut self) -> Result<i64> {
        self.conn
            .query_row("SELECT coalesce(max(id), 0) FROM event_nodes", [], |r| {
                r.get(0)
            })
            .map_err(backend)
    }
}

/// Clusters a batch's event mentions and writes nodes, members and edges.
pub(crate) fn put_events(
    conn: &Connection,
    docs: Vec<(i64, Option<String>, Vec<Mention>)>,
) -> Result<()> {
    let batch = cluster(&mut Io { conn }, docs)?;
    write(conn, &batch)
}

fn write(conn: &Connection, batch: &EventBatch) -> Result<()> {
    let mut nodes = RowInserter::with_tail(
        "INSERT INTO event_nodes(id, type, family, date, place, countries, mentions, docs, first_seen, last_seen)",
        10,
        " ON CONFLICT(id) DO UPDATE SET type = excluded.type, date = excluded.date, \
         place = excluded.place, countries = excluded.countries, mentions = excluded.mentions, \
         docs = excluded.docs, first_seen = excluded.first_seen, last_seen = excluded.last_seen",
    );
    let mut ids: Vec<&i64> = batch.nodes.keys().collect();
    ids.sort_unstable();
    for id in ids {
        let Some(n) = batch.nodes.get(id) else {
            continue;
        };
        nodes.push(
            conn,
            [
                Value::Integer(n.id),
                Value::Text(n.kind.clone()),
                Value::Text(events::event_family(&n.kind).to_string()),
                n.date.clone().map_or(Value::Null, Value::Text),
                n.place.map_or(Value::Null, Value::Integer),
                Value::Text(join_countries(&n.countries)),
                Value::Integer(to_i64(n.mentions)),
                Value::Integer(to_i64(n.docs)),
                n.first_seen.clone().map_or(Value::Null, Value::Text),
                n.last_seen.clone().map_or(Value::Null, Value::Text),
            ],
        )?;
    }
    nodes.flush(conn)?;
    let mut members = RowInserter::new(
        "INSERT OR IGNORE INTO event_members(node, doc, ord, reason)",
        4,
    );
    for (node, doc, ord, reason) in &batch.members {
        members.push(
            conn,
            [
                Value::Integer(*node),
                Value::Integer(*doc),
                Value::Integer(to_i64(*ord)),
                Value::Text(reason.clone()),
            ],
        )?;
    }
    members.flush(conn)?;
    write_edges(conn, &batch.edges)
}

fn write_edges(conn: &Connection, batch: &EdgeBatch) -> Result<()> {
    let mut edges = RowInserter::with_tail(
        "INSERT INTO event_edges(entity, node, role, sentences, docs, first_seen, last_seen)",
        7,
        " ON CONFLICT(entity, node, role) DO UPDATE SET sentences = sentences + excluded.sentences, \
         docs = docs + excluded.docs, \
         first_seen = min(coalesce(first_seen, excluded.first_seen), coalesce(excluded.first_seen, first_seen)), \
         last_seen = max(coalesce(last_seen, excluded.last_seen), coalesce(excluded.last_seen, last_seen))",
    );
    let mut evidence = RowInserter::new(
        "INSERT OR IGNORE INTO event_evidence(entity, node, role, doc, char_start, char_end)",
        6,
    );
    for key in &batch.order {
        let Some(agg) = batch.edges.get(key) else {
            continue;
        };
        edges.push(
            conn,
            [
                Value::Integer(key.0),
                Value::Integer(key.1),
                Value::Text(key.2.clone()),
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
                    Value::Integer(key.0),
                    Value::Integer(key.1),
                    Value::Text(key.2.clone()),
                    Value::Integer(*doc),
                    Value::Integer(to_i64(*start)),
                    Value::Integer(to_i64(*end)),
                ],
            )?;
        }
    }
    edges.flush(conn)?;
    evidence.flush(conn)
}

/// Derives the event nodes of a database migrated from version 2 (whose
/// documents were stored before event nodes existed), once.
pub(crate) fn backfill_if_pending(conn: &Connection, store: &dyn Store) -> Result<()> {
    let pending: Option<String> = conn
        .query_row(
            "SELECT value FROM event_state WHERE key = 'backfill'",
            [],
            |r| r.get(0),
        )
        .optional()
        .map_err(backend)?;
    if pending.is_none() {
        return Ok(());
    }
    let docs: Vec<(i64, String, Option<String>)> = {
        let mut stmt = conn
            .prepare(
                "SELECT seq, id, published FROM documents WHERE seq IN \
                 (SELECT doc FROM facts WHERE kind = 'event') ORDER BY seq",
            )
            .map_err(backend)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(backend)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(backend)?;
        rows
    };
    let mut input = Vec::with_capacity(docs.len());
    for (seq, id, published) in docs {
        let doc = store.document(&id)?;
        let facts = store.facts(&id)?;
        input.push((seq, published, stored_mentions(seq, &doc, &facts)?));
    }
    // Read first: the store's readers open their own snapshot transactions.
    let tx = conn.unchecked_transaction().map_err(backend)?;
    conn.execute_batch(
        "DELETE FROM event_evidence; DELETE FROM event_edges; DELETE FROM event_members; \
         DELETE FROM event_nodes;",
    )
    .map_err(backend)?;
    put_events(conn, input)?;
    conn.execute("DELETE FROM event_state WHERE key = 'backfill'", [])
        .map_err(backend)?;
    tx.commit().map_err(backend)
}

/// The anchored event mentions of a stored document.
pub(crate) fn stored_mentions(
    seq: i64,
    doc: &StoredDocument,
    facts: &dossier_core::Facts,
) -> Result<Vec<Mention>> {
    let only_events = dossier_core::Facts {
        events: facts.events.clone(),
        ..Default::default()
    };
    let index = MentionIndex::from_spans(
        doc.mentions
            .iter()
            .map(|m| (m.mention.start, m.mention.end, m.entity_id))
            .collect(),
    );
    let rows = fact_rows(&only_events, &index)?;
    let mut dm: Vec<DocMention> = doc
        .mentions
        .iter()
        .map(|m| DocMention {
            start: m.mention.start,
            end: m.mention.end,
            entity: m.entity_id,
            label: m.mention.label,
            country: events::mention_country(m.mention.kind.as_deref()),
            broad: events::mention_broad(m.mention.kind.as_deref()),
        })
        .collect();
    dm.sort_by_key(|m| (m.start, m.end));
    Ok(doc_event_mentions(
        seq,
        &doc.document.text,
        &doc.sentences,
        &dm,
        &only_events.events,
        &rows,
    ))
}

const NODE_COLUMNS: &str = "n.id, n.type, n.date, n.place, p.name, n.countries, n.mentions, \
                            n.docs, n.first_seen, n.last_seen";

fn node_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<EventNode> {
    Ok(events::finish_node(EventNode {
        id: r.get(0)?,
        kind: r.get(1)?,
        name: String::new(),
        date: r.get(2)?,
        place: r.get(3)?,
        place_name: r.get(4)?,
        countries: split_countries(&r.get::<_, String>(5)?)
            .into_iter()
            .collect(),
        mentions: to_usize(r.get(6)?),
        documents: to_usize(r.get(7)?),
        first_seen: r.get(8)?,
        last_seen: r.get(9)?,
    }))
}

pub(crate) fn list(conn: &Connection, f: &EventFilter) -> Result<Vec<EventNode>> {
    let mut cond: Vec<String> = Vec::new();
    let mut params: Vec<Value> = Vec::new();
    let param = |v: Value, params: &mut Vec<Value>| {
        params.push(v);
        params.len()
    };
    let types = events::type_filter(&f.types);
    if !f.types.is_empty() {
        if types.is_empty() {
            return Err(StoreError::Invalid(format!(
                "unknown event type(s) {:?}; known: {}",
                f.types,
                dossier_core::EventType::ALL.map(|t| t.as_str()).join(", ")
            )));
        }
        let mut alts = Vec::new();
        for t in &types {
            let i = param(Value::Text(t.clone()), &mut params);
            alts.push(format!("n.type = ?{i} OR n.family = ?{i}"));
        }
        cond.push(format!("({})", alts.join(" OR ")));
    }
    if let Some(from) = &f.from {
        let from = crate::sqlite::check_date(from, "from")?;
        let i = param(Value::Text(from), &mut params);
        cond.push(format!("n.date >= ?{i}"));
    }
    if let Some(to) = &f.to {
        let to = crate::sqlite::check_date(to, "to")?;
        let i = param(Value::Text(to), &mut params);
        cond.push(format!("substr(n.date, 1, length(?{i})) <= ?{i}"));
    }
    if !f.places.is_empty() {
        let mut list = Vec::new();
        for p in &f.places {
            list.push(format!("?{}", param(Value::Integer(*p), &mut params)));
        }
        cond.push(format!(
            "EXISTS (SELECT 1 FROM event_edges x WHERE x.node = n.id AND x.role = 'place' \
             AND x.entity IN ({}))",
            list.join(", ")
        ));
    }
    if let Some(p) = f.participant {
        let i = param(Value::Integer(p), &mut params);
        cond.push(format!(
            "EXISTS (SELECT 1 FROM event_edges x WHERE x.node = n.id AND x.entity = ?{i})"
        ));
    }
    let lim = param(Value::Integer(to_i64(f.page.limit)), &mut params);
    let off = param(Value::Integer(to_i64(f.page.offset)), &mut params);
    let where_sql = if cond.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", cond.join(" AND "))
    };
    let sql = format!(
        "SELECT {NODE_COLUMNS} FROM event_nodes n LEFT JOIN entities p ON p.id = n.place \
         {where_sql} ORDER BY n.docs DESC, n.mentions DESC, n.id LIMIT ?{lim} OFFSET ?{off}"
    );
    let mut stmt = conn.prepare(&sql).map_err(backend)?;
    let rows = stmt
        .query_map(params_from_iter(params), node_row)
        .map_err(backend)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(backend)?;
    Ok(rows)
}

pub(crate) fn profile(conn: &Connection, id: i64, page: Page) -> Result<EventProfile> {
    let node = conn
        .prepare_cached(&format!(
            "SELECT {NODE_COLUMNS} FROM event_nodes n LEFT JOIN entities p ON p.id = n.place \
             WHERE n.id = ?1"
        ))
        .map_err(backend)?
        .query_row([id], node_row)
        .optional()
        .map_err(backend)?
        .ok_or(StoreError::NoSuchEvent(id))?;
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {ENTITY_COLUMNS}, x.role, x.sentences, x.docs, x.first_seen, x.last_seen \
             FROM event_edges x JOIN entities e ON e.id = x.entity WHERE x.node = ?1 \
             ORDER BY x.role = 'mentioned', x.sentences DESC, x.docs DESC, x.entity, x.role \
             LIMIT ?2"
        ))
        .map_err(backend)?;
    let participants = stmt
        .query_map(params![id, to_i64(PROFILE_FACTS)], |r| {
            Ok(EventParticipant {
                entity: entity_row(r)?,
                role: r.get(5)?,
                sentences: to_usize(r.get(6)?),
                documents: to_usize(r.get(7)?),
                first_seen: r.get(8)?,
                last_seen: r.get(9)?,
            })
        })
        .map_err(backend)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(backend)?;
    let mut stmt = conn
        .prepare_cached(
            "SELECT m.doc, m.reason, d.id, d.title, d.published, f.body \
             FROM event_members m JOIN documents d ON d.seq = m.doc \
             JOIN facts f ON f.doc = m.doc AND f.kind = 'event' AND f.ord = m.ord \
             WHERE m.node = ?1 ORDER BY d.published DESC, m.doc, m.ord LIMIT ?2 OFFSET ?3",
        )
        .map_err(backend)?;
    let rows = stmt
        .query_map(params![id, to_i64(page.limit), to_i64(page.offset)], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, String>(5)?,
            ))
        })
        .map_err(backend)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(backend)?;
    let mut mentions = Vec::with_capacity(rows.len());
    for (seq, reason, doc, title, published, body) in rows {
        let event: dossier_core::Event = match derive::decode_fact("event", &body)? {
            AnyFact::Event(e) => e,
            _ => continue,
        };
        mentions.push(EventMention {
            doc: DocId(doc),
            title,
            published,
            sentence: sentence_in(conn, seq, event.trigger.start)?,
            event,
            reason,
        });
    }
    Ok(EventProfile {
        node,
        participants,
        mentions,
    })
}

pub(crate) fn evidence(
    conn: &Connection,
    entity: i64,
    node: i64,
    role: Option<&str>,
    limit: usize,
) -> Result<Vec<Evidence>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT d.id, d.title, d.published, v.char_start, v.char_end, v.role, v.doc \
             FROM event_evidence v JOIN documents d ON d.seq = v.doc \
             WHERE v.entity = ?1 AND v.node = ?2 AND (?3 IS NULL OR v.role = ?3) \
             ORDER BY d.published DESC, v.doc, v.char_start, v.role LIMIT ?4",
        )
        .map_err(backend)?;
    let rows = stmt
        .query_map(params![entity, node, role, to_i64(limit)], |r| {
            Ok((
                DocId(r.get(0)?),
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
                to_usize(r.get(3)?),
                to_usize(r.get(4)?),
                r.get::<_, String>(5)?,
                r.get::<_, i64>(6)?,
            ))
        })
        .map_err(backend)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(backend)?;
    let mut out = Vec::with_capacity(rows.len());
    for (doc, title, published, start, end, role, seq) in rows {
        let sentence = sentence_in(conn, seq, start)?
            .filter(|s| s.span.start == start && s.span.end == end)
            .map(|s| s.text);
        let sentence = match sentence {
            Some(s) => s,
            None => {
                let text: String = conn
                    .prepare_cached("SELECT text FROM contents WHERE seq = ?1")
                    .map_err(backend)?
                    .query_row([seq], |r| r.get(0))
                    .map_err(backend)?;
                text.chars()
                    .skip(start)
                    .take(end.saturating_sub(start))
                    .collect()
            }
        };
        out.push(Evidence {
            doc,
            title,
            published,
            span: derive::cs(start, end),
            sentence,
            kind: format!("{}{role}", events::EVENT_EDGE_PREFIX),
            src: entity,
            dst: node,
        });
    }
    Ok(out)
}

pub(crate) fn for_each_edge(conn: &Connection, f: &mut dyn FnMut(EventEdgeRow)) -> Result<()> {
    let mut roles: std::collections::HashMap<String, std::sync::Arc<str>> = Default::default();
    let mut stmt = conn
        .prepare(
            "SELECT entity, node, role, sentences, docs, first_seen, last_seen FROM event_edges",
        )
        .map_err(backend)?;
    let mut rows = stmt.query([]).map_err(backend)?;
    while let Some(r) = rows.next().map_err(backend)? {
        let role: String = r.get(2).map_err(backend)?;
        let role = roles
            .entry(role)
            .or_insert_with_key(|k| std::sync::Arc::from(k.as_str()))
            .clone();
        f(EventEdgeRow {
            entity: r.get(0).map_err(backend)?,
            node: r.get(1).map_err(backend)?,
            role,
            sentences: to_usize(r.get(3).map_err(backend)?),
            documents: to_usize(r.get(4).map_err(backend)?),
            first_seen: r.get(5).map_err(backend)?,
            last_seen: r.get(6).map_err(backend)?,
        });
    }
    Ok(())
}
