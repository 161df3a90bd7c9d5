//! PostgreSQL: facts, entity profiles and the evidence graph (schema version
//! 2). The rules are in `derive.rs`, shared with SQLite; this file is SQL.

use crate::derive::{self, EdgeBatch, FactRow};
use crate::postgres::{dec, dec_opt, enc, get, parse_label};
use crate::postgres_schema::backend;
use crate::sqlite::{check_date, to_i64, to_usize};
use crate::*;
use ::postgres::binary_copy::BinaryCopyInWriter;
use ::postgres::types::{ToSql, Type};
use ::postgres::{GenericClient, Row, Transaction};

/// The row id of a document given by id or unique prefix.
pub(crate) fn resolve_seq(c: &mut impl GenericClient, id_or_prefix: &str) -> Result<i64> {
    let want = id_or_prefix.trim().to_ascii_lowercase();
    if want.chars().count() < 4 {
        return Err(StoreError::AmbiguousId(id_or_prefix.to_string()));
    }
    let want = enc(&want).into_owned();
    let upper = format!("{want}\u{10FFFF}");
    let seqs: Vec<i64> = c
        .query(
            "SELECT seq FROM documents WHERE id >= $1 AND id < $2 ORDER BY id LIMIT 2",
            &[&want, &upper],
        )
        .map_err(backend)?
        .iter()
        .map(|r| get(r, 0))
        .collect::<Result<_>>()?;
    match seqs.as_slice() {
        [] => Err(StoreError::NoSuchDocument(id_or_prefix.to_string())),
        [one] => Ok(*one),
        _ => Err(StoreError::AmbiguousId(id_or_prefix.to_string())),
    }
}

pub(crate) const DOC_SUMMARY_COLUMNS: &str =
    "d.id, d.parent, d.source, d.format, d.title, d.published, d.language, d.chars, \
     d.mention_count, (SELECT o.id FROM near_duplicates n JOIN documents o ON o.seq = n.other \
     WHERE n.doc = d.seq ORDER BY n.similarity DESC LIMIT 1)";

pub(crate) fn doc_summary(r: &Row) -> Result<DocSummary> {
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
}

pub(crate) const ENTITY_COLUMNS: &str = "e.id, e.name, e.label, e.mention_count, e.doc_count";

pub(crate) fn entity_row(r: &Row) -> Result<EntitySummary> {
    Ok(EntitySummary {
        id: get(r, 0)?,
        name: dec(get(r, 1)?),
        label: parse_label(&get::<String>(r, 2)?)?,
        mentions: to_usize(get(r, 3)?),
        documents: to_usize(get(r, 4)?),
    })
}

/// Writes a batch's facts and argument links (ids allocated under the write
/// lock the caller holds).
pub(crate) fn insert_facts(tx: &mut Transaction<'_>, docs: &[(i64, Vec<FactRow>)]) -> Result<()> {
    if docs.iter().all(|(_, rows)| rows.is_empty()) {
        return Ok(());
    }
    let mut next_id: i64 = get(
        &tx.query_one("SELECT coalesce(max(id), 0) + 1 FROM facts", &[])
            .map_err(backend)?,
        0,
    )?;
    // Column vectors for unnest().
    #[allow(clippy::type_complexity)]
    let mut f: (Vec<i64>, Vec<i64>, Vec<&str>, Vec<i64>, Vec<i64>, Vec<i64>) = Default::default();
    let mut f_sub: Vec<Option<String>> = Vec::new();
    let mut f_ext: Vec<String> = Vec::new();
    let mut f_conf: Vec<f64> = Vec::new();
    let mut f_body: Vec<String> = Vec::new();
    // Column vectors for unnest().
    #[allow(clippy::type_complexity)]
    let mut a: (Vec<i64>, Vec<i64>, Vec<String>, Vec<i64>, Vec<i64>) = Default::default();
    let mut a_entity: Vec<Option<i64>> = Vec::new();
    for (seq, rows) in docs {
        for row in rows {
            let id = next_id;
            next_id += 1;
            f.0.push(id);
            f.1.push(*seq);
            f.2.push(row.kind.as_str());
            f.3.push(to_i64(row.ord));
            f.4.push(to_i64(row.start));
            f.5.push(to_i64(row.end));
            f_sub.push(row.subtype.as_deref().map(|s| enc(s).into_owned()));
            f_ext.push(enc(&row.extractor).into_owned());
            f_conf.push(row.confidence);
            f_body.push(enc(&row.body).into_owned());
            for (pos, l) in row.args.iter().enumerate() {
                a.0.push(id);
                a.1.push(to_i64(pos));
                a.2.push(enc(&l.role).into_owned());
                a.3.push(to_i64(l.span.start));
                a.4.push(to_i64(l.span.end));
                a_entity.push(l.entity);
            }
        }
    }
    tx.execute(
        "INSERT INTO facts(id, doc, kind, ord, char_start, char_end, subtype, extractor, confidence, body) \
         SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[], \
         $6::bigint[], $7::text[], $8::text[], $9::float8[], $10::text[])",
        &[&f.0, &f.1, &f.2, &f.3, &f.4, &f.5, &f_sub, &f_ext, &f_conf, &f_body],
    )
    .map_err(backend)?;
    if !a.0.is_empty() {
        tx.execute(
            "INSERT INTO fact_args(fact, pos, role, char_start, char_end, entity) \
             SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[])",
            &[&a.0, &a.1, &a.2, &a.3, &a.4, &a_entity],
        )
        .map_err(backend)?;
    }
    Ok(())
}

/// The id of each kind name, created when missing.
fn kind_ids(tx: &mut impl GenericClient, names: &[String]) -> Result<HashMap<String, i64>> {
    let encoded: Vec<String> = names.iter().map(|n| enc(n).into_owned()).collect();
    tx.execute(
        "INSERT INTO edge_kinds(name) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING",
        &[&encoded],
    )
    .map_err(backend)?;
    let rows = tx
        .query(
            "SELECT id, name FROM edge_kinds WHERE name = ANY($1::text[])",
            &[&encoded],
        )
        .map_err(backend)?;
    rows.iter()
        .map(|r| Ok((dec(get(r, 1)?), get(r, 0)?)))
        .collect()
}

pub(crate) fn kind_names(c: &mut impl GenericClient) -> Result<HashMap<i64, Arc<str>>> {
    c.query("SELECT id, name FROM edge_kinds", &[])
        .map_err(backend)?
        .iter()
        .map(|r| Ok((get(r, 0)?, Arc::from(dec(get(r, 1)?)))))
        .collect()
}

pub(crate) fn insert_edges(tx: &mut Transaction<'_>, batch: &EdgeBatch) -> Result<()> {
    if batch.order.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = batch.kinds().into_iter().map(str::to_string).collect();
    let kinds = kind_ids(tx, &names)?;
    // Column vectors for unnest().
    #[allow(clippy::type_complexity)]
    let mut e: (Vec<i64>, Vec<i64>, Vec<i64>, Vec<i64>, Vec<i64>) = Default::default();
    let mut e_first: Vec<Option<String>> = Vec::new();
    let mut e_last: Vec<Option<String>> = Vec::new();
    // Column vectors for unnest().
    #[allow(clippy::type_complexity)]
    let mut v: (Vec<i64>, Vec<i64>, Vec<i64>, Vec<i64>, Vec<i64>, Vec<i64>) = Default::default();
    for key in &batch.order {
        let (Some(agg), Some(&kind)) = (batch.edges.get(key), kinds.get(&key.2)) else {
            continue;
        };
        e.0.push(key.0);
        e.1.push(key.1);
        e.2.push(kind);
        e.3.push(to_i64(agg.evidence.len()));
        e.4.push(to_i64(agg.docs));
        e_first.push(agg.first.clone());
        e_last.push(agg.last.clone());
        for (doc, start, end) in &agg.evidence {
            v.0.push(key.0);
            v.1.push(key.1);
            v.2.push(kind);
            v.3.push(*doc);
            v.4.push(to_i64(*start));
            v.5.push(to_i64(*end));
        }
    }
    tx.execute(
        "INSERT INTO edges(src, dst, kind, sentences, docs, first_seen, last_seen) \
         SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], \
         $6::text[], $7::text[]) \
         ON CONFLICT (src, dst, kind) DO UPDATE SET sentences = edges.sentences + EXCLUDED.sentences, \
         docs = edges.docs + EXCLUDED.docs, \
         first_seen = LEAST(edges.first_seen, EXCLUDED.first_seen), \
         last_seen = GREATEST(edges.last_seen, EXCLUDED.last_seen)",
        &[&e.0, &e.1, &e.2, &e.3, &e.4, &e_first, &e_last],
    )
    .map_err(backend)?;
    tx.execute(
        "INSERT INTO edge_evidence(src, dst, kind, doc, char_start, char_end) \
         SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], \
         $6::bigint[]) ON CONFLICT DO NOTHING",
        &[&v.0, &v.1, &v.2, &v.3, &v.4, &v.5],
    )
    .map_err(backend)?;
    Ok(())
}

/// Characters `[start, end)` of document `seq`'s text. PostgreSQL's substr
/// counts characters like our spans, except in texts holding escaped NULs
/// (see `enc`): those are decoded whole and sliced here.
pub(crate) fn text_slice(
    c: &mut impl GenericClient,
    seq: i64,
    start: i64,
    end: i64,
) -> Result<String> {
    // Hostile spans beyond any text must not overflow substr's int arguments.
    let limit = i64::from(i32::MAX) / 2;
    let (start, end) = (start.clamp(0, limit), end.clamp(0, limit));
    let r = c
        .query_one(
            "SELECT CASE WHEN strpos(text, chr(65535)) = 0 \
             THEN substr(text, ($2::bigint + 1)::int, ($3::bigint - $2::bigint)::int) END \
             FROM documents WHERE seq = $1",
            &[&seq, &start, &end],
        )
        .map_err(backend)?;
    if let Some(s) = get::<Option<String>>(&r, 0)? {
        return Ok(s);
    }
    let text: String = get(
        &c.query_one("SELECT text FROM documents WHERE seq = $1", &[&seq])
            .map_err(backend)?,
        0,
    )?;
    let (start, end) = (to_usize(start), to_usize(end));
    Ok(dec(text)
        .chars()
        .skip(start)
        .take(end.saturating_sub(start))
        .collect())
}

pub(crate) fn sentence_in(
    c: &mut impl GenericClient,
    seq: i64,
    pos: usize,
) -> Result<Option<Sentence>> {
    let row = c
        .query_opt(
            "SELECT char_start, char_end FROM sentences WHERE doc = $1 AND char_start <= $2 AND char_end > $2 \
             ORDER BY char_start DESC LIMIT 1",
            &[&seq, &to_i64(pos)],
        )
        .map_err(backend)?;
    let Some(row) = row else {
        return Ok(None);
    };
    let (start, end): (i64, i64) = (get(&row, 0)?, get(&row, 1)?);
    Ok(Some(Sentence {
        span: derive::cs(to_usize(start), to_usize(end)),
        text: text_slice(c, seq, start, end)?,
    }))
}

pub(crate) fn facts_of_doc(c: &mut impl GenericClient, seq: i64) -> Result<Facts> {
    let rows: Vec<(String, String)> = c
        .query(
            "SELECT kind, body FROM facts WHERE doc = $1 ORDER BY id",
            &[&seq],
        )
        .map_err(backend)?
        .iter()
        .map(|r| Ok((get(r, 0)?, dec(get(r, 1)?))))
        .collect::<Result<_>>()?;
    derive::collect_facts(rows)
}

/// Stored facts selected by `condition` over `facts f` and `documents d`.
pub(crate) fn fact_query(
    c: &mut impl GenericClient,
    condition: &str,
    params: &[&(dyn ToSql + Sync)],
    page: Page,
) -> Result<Vec<StoredFact<AnyFact>>> {
    let n = params.len();
    let (limit, offset) = (to_i64(page.limit), to_i64(page.offset));
    let mut all: Vec<&(dyn ToSql + Sync)> = params.to_vec();
    all.push(&limit);
    all.push(&offset);
    let rows = c
        .query(
            &format!(
                "SELECT f.id, f.doc, f.kind, f.body, f.char_start, d.id, d.title, d.published \
                 FROM facts f JOIN documents d ON d.seq = f.doc WHERE {condition} \
                 ORDER BY d.published DESC NULLS LAST, f.doc, f.id LIMIT ${} OFFSET ${}",
                n + 1,
                n + 2
            ),
            &all,
        )
        .map_err(backend)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let fact_id: i64 = get(&r, 0)?;
        let seq: i64 = get(&r, 1)?;
        let kind: String = get(&r, 2)?;
        let body = dec(get(&r, 3)?);
        let start: i64 = get(&r, 4)?;
        let links = c
            .query(
                "SELECT role, char_start, char_end, entity FROM fact_args WHERE fact = $1 ORDER BY pos",
                &[&fact_id],
            )
            .map_err(backend)?
            .iter()
            .map(|l| {
                Ok(ArgLink {
                    role: dec(get(l, 0)?),
                    span: derive::cs(to_usize(get(l, 1)?), to_usize(get(l, 2)?)),
                    entity: get(l, 3)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        out.push(StoredFact {
            doc: DocId(dec(get(&r, 5)?)),
            title: dec_opt(get(&r, 6)?),
            published: dec_opt(get(&r, 7)?),
            sentence: sentence_in(c, seq, to_usize(start))?,
            fact: derive::decode_fact(&kind, &body)?,
            links,
        });
    }
    Ok(out)
}

pub(crate) fn neighbours(
    c: &mut impl GenericClient,
    entity: i64,
    filter: &EdgeFilter,
    page: Page,
) -> Result<Vec<Neighbour>> {
    let names = kind_names(c)?;
    let mut conditions: Vec<String> = Vec::new();
    let mut params: Vec<Box<dyn ToSql + Sync>> = vec![Box::new(entity)];
    if !filter.kinds.is_empty() {
        let ids: Vec<String> = names
            .iter()
            .filter(|(_, n)| derive::kind_matches(&filter.kinds, n))
            .map(|(id, _)| id.to_string())
            .collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        conditions.push(format!("x.kind IN ({})", ids.join(", ")));
    }
    if let Some(label) = filter.label {
        params.push(Box::new(label.as_str()));
        conditions.push(format!("e.label = ${}::text", params.len()));
    }
    if let Some(from) = filter.from.as_deref() {
        params.push(Box::new(check_date(from, "from")?));
        conditions.push(format!("x.last_seen >= ${}::text", params.len()));
    }
    if let Some(to) = filter.to.as_deref() {
        params.push(Box::new(format!("{}\u{10FFFF}", check_date(to, "to")?)));
        conditions.push(format!("x.first_seen <= ${}::text", params.len()));
    }
    if filter.min_evidence > 0 {
        params.push(Box::new(to_i64(filter.min_evidence)));
        conditions.push(format!("x.sentences >= ${}::bigint", params.len()));
    }
    let n = params.len();
    params.push(Box::new(to_i64(page.limit)));
    params.push(Box::new(to_i64(page.offset)));
    let where_sql = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p.as_ref()).collect();
    let union = "SELECT dst AS other, kind, 0 AS dir, sentences, docs, first_seen, last_seen FROM edges WHERE src = $1 \
         UNION ALL \
         SELECT src, kind, 1, sentences, docs, first_seen, last_seen FROM edges WHERE dst = $1";
    let sql = crate::derive::neighbours_sql(
        union,
        &where_sql,
        filter.label.is_some(),
        &format!("${}", n + 1),
        &format!("${}", n + 2),
    );
    let rows = c.query(sql.as_str(), &refs).map_err(backend)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let kind_id: i64 = get(&r, 5)?;
        let dir: i32 = get(&r, 6)?;
        let kind = names
            .get(&kind_id)
            .map(|k| k.to_string())
            .unwrap_or_default();
        let direction = if derive::is_undirected(&kind) {
            Direction::Both
        } else if dir == 0 {
            Direction::Out
        } else {
            Direction::In
        };
        out.push(Neighbour {
            entity: entity_row(&r)?,
            kind,
            direction,
            sentences: to_usize(get(&r, 7)?),
            documents: to_usize(get(&r, 8)?),
            first_seen: get(&r, 9)?,
            last_seen: get(&r, 10)?,
        });
    }
    Ok(out)
}

pub(crate) fn evidence(
    c: &mut impl GenericClient,
    a: i64,
    b: i64,
    kind: Option<&str>,
    limit: usize,
) -> Result<Vec<Evidence>> {
    let names = kind_names(c)?;
    let kind_id = match kind {
        Some(k) => match names.iter().find(|(_, n)| &***n == k) {
            Some((id, _)) => Some(*id),
            None => return Ok(Vec::new()),
        },
        None => None,
    };
    let rows = c
        .query(
            "SELECT d.id, d.title, d.published, v.char_start, v.char_end, v.doc, v.kind, v.src, v.dst \
             FROM edge_evidence v JOIN documents d ON d.seq = v.doc \
             WHERE ((v.src = $1 AND v.dst = $2) OR (v.src = $2 AND v.dst = $1)) \
             AND ($3::bigint IS NULL OR v.kind = $3) \
             ORDER BY d.published DESC NULLS LAST, v.doc, v.char_start, v.kind LIMIT $4",
            &[&a, &b, &kind_id, &to_i64(limit)],
        )
        .map_err(backend)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let (start, end): (i64, i64) = (get(&r, 3)?, get(&r, 4)?);
        let kind: i64 = get(&r, 6)?;
        out.push(Evidence {
            doc: DocId(dec(get(&r, 0)?)),
            title: dec_opt(get(&r, 1)?),
            published: dec_opt(get(&r, 2)?),
            span: derive::cs(to_usize(start), to_usize(end)),
            sentence: text_slice(c, get(&r, 5)?, start, end)?,
            kind: names.get(&kind).map(|k| k.to_string()).unwrap_or_default(),
            src: get(&r, 7)?,
            dst: get(&r, 8)?,
        });
    }
    Ok(out)
}

/// Streams edges through a portal, 10,000 rows at a time.
pub(crate) fn for_each_edge(tx: &mut Transaction<'_>, f: &mut dyn FnMut(EdgeRow)) -> Result<()> {
    let names = kind_names(tx)?;
    let unknown: Arc<str> = Arc::from("");
    let portal = tx
        .bind(
            "SELECT src, dst, kind, sentences, docs, first_seen, last_seen FROM edges",
            &[],
        )
        .map_err(backend)?;
    loop {
        let rows = tx.query_portal(&portal, 10_000).map_err(backend)?;
        if rows.is_empty() {
            break;
        }
        for r in rows {
            let kind: i64 = get(&r, 2)?;
            f(EdgeRow {
                src: get(&r, 0)?,
                dst: get(&r, 1)?,
                kind: names.get(&kind).unwrap_or(&unknown).clone(),
                sentences: to_usize(get(&r, 3)?),
                documents: to_usize(get(&r, 4)?),
                first_seen: get(&r, 5)?,
                last_seen: get(&r, 6)?,
            });
        }
    }
    Ok(())
}

/// Bulk import: entities through a temporary table, edges by binary COPY.
pub(crate) fn bulk_import(
    tx: &mut Transaction<'_>,
    kinds: &[&str],
    entities: &[(String, EntityLabel)],
    edges: &[ImportEdge],
) -> Result<ImportOutcome> {
    // Check indexes before writing anything.
    let placeholder: Vec<i64> = (0..to_i64(entities.len())).collect();
    derive::prepare_import(kinds, &placeholder, edges)?;

    tx.batch_execute(
        "CREATE TEMP TABLE import_entities (idx BIGINT, label TEXT COLLATE \"C\", name TEXT, key TEXT COLLATE \"C\") \
         ON COMMIT DROP",
    )
    .map_err(backend)?;
    {
        let sink = tx
            .copy_in("COPY import_entities (idx, label, name, key) FROM STDIN BINARY")
            .map_err(backend)?;
        let mut w =
            BinaryCopyInWriter::new(sink, &[Type::INT8, Type::TEXT, Type::TEXT, Type::TEXT]);
        for (i, (name, label)) in entities.iter().enumerate() {
            let key = entity_key(name);
            let key = if key.is_empty() { "?".to_string() } else { key };
            w.write(&[
                &to_i64(i),
                &label.as_str(),
                &enc(name.trim()).as_ref(),
                &enc(&key).as_ref(),
            ])
            .map_err(backend)?;
        }
        w.finish().map_err(backend)?;
    }
    tx.batch_execute(
        "INSERT INTO entities(label, name, key) \
         SELECT DISTINCT ON (label, key) label, name, key FROM import_entities ORDER BY label, key, idx \
         ON CONFLICT (label, key) DO NOTHING;
         INSERT INTO entity_names(key, entity) SELECT e.key, e.id FROM entities e \
         JOIN (SELECT DISTINCT label, key FROM import_entities) i ON i.label = e.label AND i.key = e.key \
         ON CONFLICT DO NOTHING;",
    )
    .map_err(backend)?;
    let ids: Vec<i64> = tx
        .query(
            "SELECT e.id FROM import_entities i JOIN entities e ON e.label = i.label AND e.key = i.key \
             ORDER BY i.idx",
            &[],
        )
        .map_err(backend)?
        .iter()
        .map(|r| get(r, 0))
        .collect::<Result<_>>()?;
    if ids.len() != entities.len() {
        return Err(StoreError::Backend(format!(
            "bulk import resolved {} of {} entities",
            ids.len(),
            entities.len()
        )));
    }
    let prepared = derive::prepare_import(kinds, &ids, edges)?;
    let names: Vec<String> = kinds.iter().map(|k| k.to_string()).collect();
    let kind_map = kind_ids(tx, &names)?;
    let kind_id: Vec<i64> = kinds
        .iter()
        .map(|k| kind_map.get(*k).copied().unwrap_or(0))
        .collect();
    let stored: i64 = get(
        &tx.query_one("SELECT count(*) FROM edges", &[])
            .map_err(backend)?,
        0,
    )?;
    let empty = stored == 0;
    // Into an empty table: COPY straight in, index built once afterwards.
    // Otherwise: COPY to a temporary table and merge with an upsert.
    if empty {
        tx.batch_execute("DROP INDEX IF EXISTS edges_dst")
            .map_err(backend)?;
    } else {
        tx.batch_execute(
            "CREATE TEMP TABLE import_edges (src BIGINT, dst BIGINT, kind BIGINT, weight BIGINT) ON COMMIT DROP",
        )
        .map_err(backend)?;
    }
    {
        let sql = if empty {
            "COPY edges (src, dst, kind, sentences, docs) FROM STDIN BINARY"
        } else {
            "COPY import_edges (src, dst, kind, weight) FROM STDIN BINARY"
        };
        let types: &[Type] = if empty {
            &[Type::INT8, Type::INT8, Type::INT8, Type::INT8, Type::INT8]
        } else {
            &[Type::INT8, Type::INT8, Type::INT8, Type::INT8]
        };
        let sink = tx.copy_in(sql).map_err(backend)?;
        let mut w = BinaryCopyInWriter::new(sink, types);
        let zero: i64 = 0;
        for &(src, dst, kind, weight) in &prepared {
            let k = kind_id.get(usize::from(kind)).copied().unwrap_or(0);
            let weight = i64::try_from(weight).unwrap_or(i64::MAX);
            if empty {
                w.write(&[&src, &dst, &k, &weight, &zero])
            } else {
                w.write(&[&src, &dst, &k, &weight])
            }
            .map_err(backend)?;
        }
        w.finish().map_err(backend)?;
    }
    if empty {
        tx.batch_execute("CREATE INDEX edges_dst ON edges(dst, src, kind)")
            .map_err(backend)?;
    } else {
        tx.batch_execute(
            "INSERT INTO edges(src, dst, kind, sentences, docs) SELECT src, dst, kind, weight, 0 FROM import_edges \
             ON CONFLICT (src, dst, kind) DO UPDATE SET sentences = edges.sentences + EXCLUDED.sentences",
        )
        .map_err(backend)?;
    }
    Ok(ImportOutcome {
        entity_ids: ids,
        edges: prepared.len(),
    })
}
