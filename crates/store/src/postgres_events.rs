//! PostgreSQL: event nodes and participation edges (schema version 3), the
//! same rows as SQLite's (`sqlite_events.rs`); what is derived is decided in
//! `events.rs`.

use crate::derive::{self, EdgeBatch};
use crate::events::{
    self, cluster, join_countries, split_countries, EventBatch, EventEdgeRow, EventFilter, EventIo,
    EventMention, EventNode, EventParticipant, EventProfile, Mention, NodeSig, MENTIONED_ROLE,
};
use crate::postgres::{dec, dec_opt, get};
use crate::postgres_facts::{entity_row, sentence_in, text_slice, ENTITY_COLUMNS};
use crate::postgres_schema::{backend, WRITE_LOCK};
use crate::sqlite::{check_date, to_i64, to_usize};
use crate::*;
use ::postgres::types::ToSql;
use ::postgres::{GenericClient, Row, Transaction};

/// Most candidate nodes taken per shared entity (a hub place names many).
const CANDIDATES_PER_ENTITY: i64 = 200;

struct Io<'a, 'b> {
    tx: &'a mut Transaction<'b>,
}

impl EventIo for Io<'_, '_> {
    fn candidates(
        &mut self,
        family: &str,
        entities: &[i64],
        month: Option<&str>,
    ) -> Result<Vec<i64>> {
        let mut out = Vec::new();
        for e in entities {
            for r in self
                .tx
                .query(
                    "SELECT DISTINCT x.node FROM event_edges x JOIN event_nodes n ON n.id = x.node \
                     WHERE x.entity = $1 AND x.role <> $2 AND n.family = $3 \
                     ORDER BY x.node DESC LIMIT $4",
                    &[e, &MENTIONED_ROLE, &family, &CANDIDATES_PER_ENTITY],
                )
                .map_err(backend)?
            {
                out.push(get(&r, 0)?);
            }
        }
        if let Some(m) = month {
            let hi = format!("{m}-99");
            for r in self
                .tx
                .query(
                    "SELECT id FROM event_nodes WHERE family = $1 AND date >= $2 AND date <= $3 \
                     ORDER BY id DESC LIMIT $4",
                    &[&family, &m, &hi, &CANDIDATES_PER_ENTITY],
                )
                .map_err(backend)?
            {
                out.push(get(&r, 0)?);
            }
        }
        Ok(out)
    }

    fn load(&mut self, id: i64) -> Result<Option<NodeSig>> {
        let Some(r) = self
            .tx
            .query_opt(
                "SELECT type, date, place, countries, mentions, docs, first_seen, last_seen \
                 FROM event_nodes WHERE id = $1",
                &[&id],
            )
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let mut sig = NodeSig {
            id,
            kind: get(&r, 0)?,
            date: get(&r, 1)?,
            place: get(&r, 2)?,
            countries: split_countries(&get::<String>(&r, 3)?),
            mentions: to_usize(get(&r, 4)?),
            docs: to_usize(get(&r, 5)?),
            first_seen: get(&r, 6)?,
            last_seen: get(&r, 7)?,
            ..NodeSig::default()
        };
        for r in self
            .tx
            .query(
                "SELECT entity, role FROM event_edges WHERE node = $1 AND role <> $2",
                &[&id, &MENTIONED_ROLE],
            )
            .map_err(backend)?
        {
            let (e, role): (i64, String) = (get(&r, 0)?, get(&r, 1)?);
            if role == "place" {
                sig.places.insert(e);
            } else {
                sig.participants.insert(e);
            }
        }
        Ok(Some(sig))
    }

    fn max_id(&mut self) -> Result<i64> {
        get(
            &self
                .tx
                .query_one("SELECT coalesce(max(id), 0)::bigint FROM event_nodes", &[])
                .map_err(backend)?,
            0,
        )
    }
}

/// Clusters a batch's event mentions and writes nodes, members and edges.
pub(crate) fn put_events(
    tx: &mut Transaction<'_>,
    docs: Vec<(i64, Option<String>, Vec<Mention>)>,
) -> Result<()> {
    let batch = cluster(&mut Io { tx }, docs)?;
    write(tx, &batch)
}

fn write(tx: &mut Transaction<'_>, batch: &EventBatch) -> Result<()> {
    if batch.nodes.is_empty() {
        return Ok(());
    }
    #[allow(clippy::type_complexity)]
    let mut n: (
        Vec<i64>,
        Vec<String>,
        Vec<String>,
        Vec<Option<String>>,
        Vec<Option<i64>>,
        Vec<String>,
        Vec<i64>,
        Vec<i64>,
        Vec<Option<String>>,
        Vec<Option<String>>,
    ) = Default::default();
    let mut ids: Vec<&i64> = batch.nodes.keys().collect();
    ids.sort_unstable();
    for id in ids {
        let Some(s) = batch.nodes.get(id) else {
            continue;
        };
        n.0.push(s.id);
        n.1.push(s.kind.clone());
        n.2.push(events::event_family(&s.kind).to_string());
        n.3.push(s.date.clone());
        n.4.push(s.place);
        n.5.push(join_countries(&s.countries));
        n.6.push(to_i64(s.mentions));
        n.7.push(to_i64(s.docs));
        n.8.push(s.first_seen.clone());
        n.9.push(s.last_seen.clone());
    }
    tx.execute(
        "INSERT INTO event_nodes(id, type, family, date, place, countries, mentions, docs, first_seen, last_seen) \
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], \
         $7::bigint[], $8::bigint[], $9::text[], $10::text[]) \
         ON CONFLICT (id) DO UPDATE SET type = EXCLUDED.type, date = EXCLUDED.date, \
         place = EXCLUDED.place, countries = EXCLUDED.countries, mentions = EXCLUDED.mentions, \
         docs = EXCLUDED.docs, first_seen = EXCLUDED.first_seen, last_seen = EXCLUDED.last_seen",
        &[&n.0, &n.1, &n.2, &n.3, &n.4, &n.5, &n.6, &n.7, &n.8, &n.9],
    )
    .map_err(backend)?;
    let mut m: (Vec<i64>, Vec<i64>, Vec<i64>, Vec<String>) = Default::default();
    for (node, doc, ord, reason) in &batch.members {
        m.0.push(*node);
        m.1.push(*doc);
        m.2.push(to_i64(*ord));
        m.3.push(reason.clone());
    }
    tx.execute(
        "INSERT INTO event_members(node, doc, ord, reason) \
         SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[]) \
         ON CONFLICT DO NOTHING",
        &[&m.0, &m.1, &m.2, &m.3],
    )
    .map_err(backend)?;
    write_edges(tx, &batch.edges)
}

fn write_edges(tx: &mut Transaction<'_>, batch: &EdgeBatch) -> Result<()> {
    #[allow(clippy::type_complexity)]
    let mut e: (Vec<i64>, Vec<i64>, Vec<String>, Vec<i64>, Vec<i64>) = Default::default();
    let mut e_first: Vec<Option<String>> = Vec::new();
    let mut e_last: Vec<Option<String>> = Vec::new();
    #[allow(clippy::type_complexity)]
    let mut v: (
        Vec<i64>,
        Vec<i64>,
        Vec<String>,
        Vec<i64>,
        Vec<i64>,
        Vec<i64>,
    ) = Default::default();
    for key in &batch.order {
        let Some(agg) = batch.edges.get(key) else {
            continue;
        };
        e.0.push(key.0);
        e.1.push(key.1);
        e.2.push(key.2.clone());
        e.3.push(to_i64(agg.evidence.len()));
        e.4.push(to_i64(agg.docs));
        e_first.push(agg.first.clone());
        e_last.push(agg.last.clone());
        for (doc, start, end) in &agg.evidence {
            v.0.push(key.0);
            v.1.push(key.1);
            v.2.push(key.2.clone());
            v.3.push(*doc);
            v.4.push(to_i64(*start));
            v.5.push(to_i64(*end));
        }
    }
    tx.execute(
        "INSERT INTO event_edges(entity, node, role, sentences, docs, first_seen, last_seen) \
         SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[], \
         $6::text[], $7::text[]) \
         ON CONFLICT (entity, node, role) DO UPDATE SET sentences = event_edges.sentences + EXCLUDED.sentences, \
         docs = event_edges.docs + EXCLUDED.docs, \
         first_seen = LEAST(event_edges.first_seen, EXCLUDED.first_seen), \
         last_seen = GREATEST(event_edges.last_seen, EXCLUDED.last_seen)",
        &[&e.0, &e.1, &e.2, &e.3, &e.4, &e_first, &e_last],
    )
    .map_err(backend)?;
    tx.execute(
        "INSERT INTO event_evidence(entity, node, role, doc, char_start, char_end) \
         SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[], \
         $6::bigint[]) ON CONFLICT DO NOTHING",
        &[&v.0, &v.1, &v.2, &v.3, &v.4, &v.5],
    )
    .map_err(backend)?;
    Ok(())
}

/// Derives the event nodes of a database migrated from version 2, once.
pub(crate) fn backfill_if_pending(store: &PostgresStore) -> Result<()> {
    let docs: Vec<(i64, String, Option<String>)> = {
        let mut c = store.client_mut()?;
        let pending = c
            .query_opt(
                "SELECT value FROM dossier_meta WHERE key = 'event_backfill'",
                &[],
            )
            .map_err(backend)?;
        if pending.is_none() {
            return Ok(());
        }
        c.query(
            "SELECT seq, id, published FROM documents WHERE seq IN \
             (SELECT doc FROM facts WHERE kind = 'event') ORDER BY seq",
            &[],
        )
        .map_err(backend)?
        .iter()
        .map(|r| Ok((get(r, 0)?, dec(get(r, 1)?), dec_opt(get(r, 2)?))))
        .collect::<Result<Vec<_>>>()?
    };
    let mut input = Vec::with_capacity(docs.len());
    for (seq, id, published) in docs {
        let doc = store.document(&id)?;
        let facts = store.facts(&id)?;
        input.push((
            seq,
            published,
            crate::sqlite_events::stored_mentions(seq, &doc, &facts)?,
        ));
    }
    let mut c = store.client_mut()?;
    let mut tx = c.transaction().map_err(backend)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
        .map_err(backend)?;
    // Another process may have done it while we read.
    if tx
        .query_opt(
            "SELECT value FROM dossier_meta WHERE key = 'event_backfill'",
            &[],
        )
        .map_err(backend)?
        .is_none()
    {
        return Ok(());
    }
    tx.batch_execute(
        "DELETE FROM event_evidence; DELETE FROM event_edges; DELETE FROM event_members; \
         DELETE FROM event_nodes; DELETE FROM dossier_meta WHERE key = 'event_backfill';",
    )
    .map_err(backend)?;
    put_events(&mut tx, input)?;
    tx.commit().map_err(backend)
}

const NODE_COLUMNS: &str = "n.id, n.type, n.date, n.place, p.name, n.countries, n.mentions, \
                            n.docs, n.first_seen, n.last_seen";

fn node_row(r: &Row) -> Result<EventNode> {
    Ok(events::finish_node(EventNode {
        id: get(r, 0)?,
        kind: get(r, 1)?,
        name: String::new(),
        date: get(r, 2)?,
        place: get(r, 3)?,
        place_name: dec_opt(get(r, 4)?),
        countries: split_countries(&get::<String>(r, 5)?).into_iter().collect(),
        mentions: to_usize(get(r, 6)?),
        documents: to_usize(get(r, 7)?),
        first_seen: get(r, 8)?,
        last_seen: get(r, 9)?,
    }))
}

pub(crate) fn list(c: &mut impl GenericClient, f: &EventFilter) -> Result<Vec<EventNode>> {
    let mut cond: Vec<String> = Vec::new();
    let mut params: Vec<Box<dyn ToSql + Sync>> = Vec::new();
    let param = |v: Box<dyn ToSql + Sync>, params: &mut Vec<Box<dyn ToSql + Sync>>| {
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
        let i = param(Box::new(types), &mut params);
        cond.push(format!("(n.type = ANY(${i}) OR n.family = ANY(${i}))"));
    }
    if let Some(from) = &f.from {
        let i = param(Box::new(check_date(from, "from")?), &mut params);
        cond.push(format!("n.date >= ${i}::text"));
    }
    if let Some(to) = &f.to {
        let i = param(Box::new(check_date(to, "to")?), &mut params);
        cond.push(format!(
            "substr(n.date, 1, length(${i}::text)) <= ${i}::text"
        ));
    }
    if !f.places.is_empty() {
        let i = param(Box::new(f.places.clone()), &mut params);
        cond.push(format!(
            "EXISTS (SELECT 1 FROM event_edges x WHERE x.node = n.id AND x.role = 'place' \
             AND x.entity = ANY(${i}::bigint[]))"
        ));
    }
    if let Some(p) = f.participant {
        let i = param(Box::new(p), &mut params);
        cond.push(format!(
            "EXISTS (SELECT 1 FROM event_edges x WHERE x.node = n.id AND x.entity = ${i}::bigint)"
        ));
    }
    let lim = param(Box::new(to_i64(f.page.limit)), &mut params);
    let off = param(Box::new(to_i64(f.page.offset)), &mut params);
    let where_sql = if cond.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", cond.join(" AND "))
    };
    let sql = format!(
        "SELECT {NODE_COLUMNS} FROM event_nodes n LEFT JOIN entities p ON p.id = n.place \
         {where_sql} ORDER BY n.docs DESC, n.mentions DESC, n.id LIMIT ${lim}::bigint OFFSET ${off}::bigint"
    );
    let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p.as_ref()).collect();
    c.query(&sql, &refs)
        .map_err(backend)?
        .iter()
        .map(node_row)
        .collect()
}

pub(crate) fn profile(c: &mut impl GenericClient, id: i64, page: Page) -> Result<EventProfile> {
    let row = c
        .query_opt(
            &format!(
                "SELECT {NODE_COLUMNS} FROM event_nodes n LEFT JOIN entities p ON p.id = n.place \
                 WHERE n.id = $1"
            ),
            &[&id],
        )
        .map_err(backend)?
        .ok_or(StoreError::NoSuchEvent(id))?;
    let node = node_row(&row)?;
    let participants = c
        .query(
            &format!(
                "SELECT {ENTITY_COLUMNS}, x.role, x.sentences, x.docs, x.first_seen, x.last_seen \
                 FROM event_edges x JOIN entities e ON e.id = x.entity WHERE x.node = $1 \
                 ORDER BY x.role = 'mentioned', x.sentences DESC, x.docs DESC, x.entity, x.role \
                 LIMIT $2"
            ),
            &[&id, &to_i64(PROFILE_FACTS)],
        )
        .map_err(backend)?
        .iter()
        .map(|r| {
            Ok(EventParticipant {
                entity: entity_row(r)?,
                role: get(r, 5)?,
                sentences: to_usize(get(r, 6)?),
                documents: to_usize(get(r, 7)?),
                first_seen: get(r, 8)?,
                last_seen: get(r, 9)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let rows = c
        .query(
            "SELECT m.doc, m.reason, d.id, d.title, d.published, f.body \
             FROM event_members m JOIN documents d ON d.seq = m.doc \
             JOIN facts f ON f.doc = m.doc AND f.kind = 'event' AND f.ord = m.ord \
             WHERE m.node = $1 ORDER BY d.published DESC NULLS LAST, m.doc, m.ord LIMIT $2 OFFSET $3",
            &[&id, &to_i64(page.limit), &to_i64(page.offset)],
        )
        .map_err(backend)?;
    let mut mentions = Vec::with_capacity(rows.len());
    for r in rows {
        let seq: i64 = get(&r, 0)?;
        let event = match derive::decode_fact("event", &dec(get(&r, 5)?))? {
            AnyFact::Event(e) => e,
            _ => continue,
        };
        mentions.push(EventMention {
            doc: DocId(dec(get(&r, 2)?)),
            title: dec_opt(get(&r, 3)?),
            published: dec_opt(get(&r, 4)?),
            sentence: sentence_in(c, seq, event.trigger.start)?,
            event,
            reason: get(&r, 1)?,
        });
    }
    Ok(EventProfile {
        node,
        participants,
        mentions,
    })
}

pub(crate) fn evidence(
    c: &mut impl GenericClient,
    entity: i64,
    node: i64,
    role: Option<&str>,
    limit: usize,
) -> Result<Vec<Evidence>> {
    let rows = c
        .query(
            "SELECT d.id, d.title, d.published, v.char_start, v.char_end, v.role, v.doc \
             FROM event_evidence v JOIN documents d ON d.seq = v.doc \
             WHERE v.entity = $1 AND v.node = $2 AND ($3::text IS NULL OR v.role = $3::text) \
             ORDER BY d.published DESC NULLS LAST, v.doc, v.char_start, v.role LIMIT $4",
            &[&entity, &node, &role, &to_i64(limit)],
        )
        .map_err(backend)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let (start, end, seq): (i64, i64, i64) = (get(&r, 3)?, get(&r, 4)?, get(&r, 6)?);
        let role: String = get(&r, 5)?;
        out.push(Evidence {
            doc: DocId(dec(get(&r, 0)?)),
            title: dec_opt(get(&r, 1)?),
            published: dec_opt(get(&r, 2)?),
            span: derive::cs(to_usize(start), to_usize(end)),
            sentence: text_slice(c, seq, start, end)?,
            kind: format!("{}{role}", events::EVENT_EDGE_PREFIX),
            src: entity,
            dst: node,
        });
    }
    Ok(out)
}

pub(crate) fn for_each_edge(
    c: &mut impl GenericClient,
    f: &mut dyn FnMut(EventEdgeRow),
) -> Result<()> {
    let mut roles: std::collections::HashMap<String, std::sync::Arc<str>> = Default::default();
    for r in c
        .query(
            "SELECT entity, node, role, sentences, docs, first_seen, last_seen FROM event_edges",
            &[],
        )
        .map_err(backend)?
    {
        let role: String = get(&r, 2)?;
        let role = roles
            .entry(role)
            .or_insert_with_key(|k| std::sync::Arc::from(k.as_str()))
            .clone();
        f(EventEdgeRow {
            entity: get(&r, 0)?,
            node: get(&r, 1)?,
            role,
            sentences: to_usize(get(&r, 3)?),
            documents: to_usize(get(&r, 4)?),
            first_seen: get(&r, 5)?,
            last_seen: get(&r, 6)?,
        });
    }
    Ok(())
}
