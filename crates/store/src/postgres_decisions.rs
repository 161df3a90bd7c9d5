//! PostgreSQL: analyst decisions, as in `sqlite_decisions.rs` (same steps:
//! reassign mentions, re-derive fact links and evidence for the documents
//! concerned with `derive.rs`, recompute the touched edges from evidence).

use crate::derive::{self, derive_edges, fact_rows, EdgeBatch, MentionIndex};
use crate::postgres::{dec, enc, get};
use crate::postgres_schema::backend;
use crate::sqlite::{to_i64, to_usize};
use crate::*;
use ::postgres::GenericClient;

pub(crate) fn redirects(c: &mut impl GenericClient) -> Result<HashMap<i64, i64>> {
    c.query("SELECT entity, into_entity FROM entity_redirects", &[])
        .map_err(backend)?
        .iter()
        .map(|r| Ok((get(r, 0)?, get(r, 1)?)))
        .collect()
}

pub(crate) fn recount(c: &mut impl GenericClient, entities: &BTreeSet<i64>) -> Result<()> {
    if entities.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = entities.iter().copied().collect();
    c.execute(
        "UPDATE entities e SET mention_count = (SELECT count(*) FROM mentions WHERE entity = e.id), \
         doc_count = (SELECT count(DISTINCT doc) FROM mentions WHERE entity = e.id) \
         WHERE e.id = ANY($1::bigint[])",
        &[&ids],
    )
    .map_err(backend)?;
    Ok(())
}

fn derive_docs(
    c: &mut impl GenericClient,
    docs: &BTreeSet<i64>,
) -> Result<(Vec<(i64, derive::FactRow)>, EdgeBatch)> {
    let mut facts_out = Vec::new();
    let mut batch = EdgeBatch::default();
    for &seq in docs {
        let mentions: Vec<(usize, usize, i64)> = c
            .query(
                "SELECT char_start, char_end, entity FROM mentions WHERE doc = $1",
                &[&seq],
            )
            .map_err(backend)?
            .iter()
            .map(|r| Ok((to_usize(get(r, 0)?), to_usize(get(r, 1)?), get(r, 2)?)))
            .collect::<Result<_>>()?;
        let sentences: Vec<CharSpan> = c
            .query(
                "SELECT char_start, char_end FROM sentences WHERE doc = $1 ORDER BY char_start",
                &[&seq],
            )
            .map_err(backend)?
            .iter()
            .map(|r| Ok(derive::cs(to_usize(get(r, 0)?), to_usize(get(r, 1)?))))
            .collect::<Result<_>>()?;
        let stored: Vec<(i64, String, String)> = c
            .query(
                "SELECT id, kind, body FROM facts WHERE doc = $1 ORDER BY id",
                &[&seq],
            )
            .map_err(backend)?
            .iter()
            .map(|r| Ok((get(r, 0)?, get(r, 1)?, dec(get(r, 2)?))))
            .collect::<Result<_>>()?;
        let published: Option<String> = get(
            &c.query_one("SELECT published FROM documents WHERE seq = $1", &[&seq])
                .map_err(backend)?,
            0,
        )?;
        let ids: Vec<i64> = stored.iter().map(|s| s.0).collect();
        let facts = derive::collect_facts(stored.into_iter().map(|s| (s.1, s.2)).collect())?;
        let index = MentionIndex::from_spans(mentions);
        let rows = fact_rows(&facts, &index)?;
        batch.add(
            seq,
            published.map(dec).as_deref(),
            derive_edges(&sentences, &index, &rows),
        );
        facts_out.extend(ids.into_iter().zip(rows));
    }
    Ok((facts_out, batch))
}

type EdgeKey = (i64, i64, i64);

fn kind_lookup(c: &mut impl GenericClient) -> Result<HashMap<String, i64>> {
    Ok(crate::postgres_facts::kind_names(c)?
        .into_iter()
        .map(|(id, n)| (n.to_string(), id))
        .collect())
}

/// Evidence rows of a batch as column vectors, with the kinds' ids.
#[allow(clippy::type_complexity)]
fn evidence_columns(
    kinds: &HashMap<String, i64>,
    batch: &EdgeBatch,
) -> (BTreeSet<EdgeKey>, [Vec<i64>; 6]) {
    let mut touched = BTreeSet::new();
    let mut cols: [Vec<i64>; 6] = Default::default();
    for key in &batch.order {
        let (Some(agg), Some(&kind)) = (batch.edges.get(key), kinds.get(&key.2)) else {
            continue;
        };
        touched.insert((key.0, key.1, kind));
        for (doc, s, e) in &agg.evidence {
            for (col, v) in cols
                .iter_mut()
                .zip([key.0, key.1, kind, *doc, to_i64(*s), to_i64(*e)])
            {
                col.push(v);
            }
        }
    }
    (touched, cols)
}

fn remove_evidence(c: &mut impl GenericClient, batch: &EdgeBatch) -> Result<BTreeSet<EdgeKey>> {
    let kinds = kind_lookup(c)?;
    let (touched, v) = evidence_columns(&kinds, batch);
    c.execute(
        "DELETE FROM edge_evidence e USING unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], \
         $5::bigint[], $6::bigint[]) AS x(src, dst, kind, doc, char_start, char_end) \
         WHERE e.src = x.src AND e.dst = x.dst AND e.kind = x.kind AND e.doc = x.doc \
         AND e.char_start = x.char_start AND e.char_end = x.char_end",
        &[&v[0], &v[1], &v[2], &v[3], &v[4], &v[5]],
    )
    .map_err(backend)?;
    Ok(touched)
}

fn add_evidence(c: &mut impl GenericClient, batch: &EdgeBatch) -> Result<BTreeSet<EdgeKey>> {
    let names: Vec<String> = batch
        .kinds()
        .into_iter()
        .map(|k| enc(k).into_owned())
        .collect();
    c.execute(
        "INSERT INTO edge_kinds(name) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING",
        &[&names],
    )
    .map_err(backend)?;
    let kinds = kind_lookup(c)?;
    let (touched, v) = evidence_columns(&kinds, batch);
    c.execute(
        "INSERT INTO edge_evidence(src, dst, kind, doc, char_start, char_end) \
         SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], \
         $6::bigint[]) ON CONFLICT DO NOTHING",
        &[&v[0], &v[1], &v[2], &v[3], &v[4], &v[5]],
    )
    .map_err(backend)?;
    Ok(touched)
}

fn recompute_edges(c: &mut impl GenericClient, keys: &BTreeSet<EdgeKey>) -> Result<()> {
    for &(src, dst, kind) in keys {
        let rows: Vec<(i64, Option<String>)> = c
            .query(
                "SELECT v.doc, d.published FROM edge_evidence v JOIN documents d ON d.seq = v.doc \
                 WHERE v.src = $1 AND v.dst = $2 AND v.kind = $3",
                &[&src, &dst, &kind],
            )
            .map_err(backend)?
            .iter()
            .map(|r| Ok((get(r, 0)?, get::<Option<String>>(r, 1)?.map(dec))))
            .collect::<Result<_>>()?;
        c.execute(
            "DELETE FROM edges WHERE src = $1 AND dst = $2 AND kind = $3",
            &[&src, &dst, &kind],
        )
        .map_err(backend)?;
        if rows.is_empty() {
            continue;
        }
        let docs: BTreeSet<i64> = rows.iter().map(|r| r.0).collect();
        let dates: Vec<String> = rows
            .iter()
            .filter_map(|r| derive::edge_date(r.1.as_deref()))
            .collect();
        c.execute(
            "INSERT INTO edges(src, dst, kind, sentences, docs, first_seen, last_seen) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &src,
                &dst,
                &kind,
                &to_i64(rows.len()),
                &to_i64(docs.len()),
                &dates.iter().min(),
                &dates.iter().max(),
            ],
        )
        .map_err(backend)?;
    }
    Ok(())
}

fn rederive<C: GenericClient>(
    c: &mut C,
    docs: &BTreeSet<i64>,
    change: impl FnOnce(&mut C) -> Result<()>,
) -> Result<()> {
    let (_, old) = derive_docs(c, docs)?;
    let mut touched = remove_evidence(c, &old)?;
    change(c)?;
    let (facts, new) = derive_docs(c, docs)?;
    // Column vectors for unnest().
    #[allow(clippy::type_complexity)]
    let mut cols: (Vec<i64>, Vec<i64>, Vec<String>, Vec<i64>, Vec<i64>) = Default::default();
    let mut entity: Vec<Option<i64>> = Vec::new();
    let ids: Vec<i64> = facts.iter().map(|f| f.0).collect();
    for (id, row) in &facts {
        for (pos, l) in row.args.iter().enumerate() {
            cols.0.push(*id);
            cols.1.push(to_i64(pos));
            cols.2.push(enc(&l.role).into_owned());
            cols.3.push(to_i64(l.span.start));
            cols.4.push(to_i64(l.span.end));
            entity.push(l.entity);
        }
    }
    c.execute(
        "DELETE FROM fact_args WHERE fact = ANY($1::bigint[])",
        &[&ids],
    )
    .map_err(backend)?;
    c.execute(
        "INSERT INTO fact_args(fact, pos, role, char_start, char_end, entity) \
         SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[])",
        &[&cols.0, &cols.1, &cols.2, &cols.3, &cols.4, &entity],
    )
    .map_err(backend)?;
    touched.extend(add_evidence(c, &new)?);
    recompute_edges(c, &touched)
}

fn live_entity(c: &mut impl GenericClient, id: i64) -> Result<(String, String)> {
    let row = c
        .query_opt(
            "SELECT label, key FROM entities WHERE id = $1 \
             AND id NOT IN (SELECT entity FROM entity_redirects)",
            &[&id],
        )
        .map_err(backend)?
        .ok_or(StoreError::NoSuchEntity(id))?;
    Ok((get(&row, 0)?, dec(get(&row, 1)?)))
}

fn docs_of(c: &mut impl GenericClient, entity: i64) -> Result<BTreeSet<i64>> {
    c.query(
        "SELECT DISTINCT doc FROM mentions WHERE entity = $1",
        &[&entity],
    )
    .map_err(backend)?
    .iter()
    .map(|r| get(r, 0))
    .collect()
}

fn find_or_create(c: &mut impl GenericClient, name: &str, label: &str) -> Result<i64> {
    let key = enc(&entity_key(name)).into_owned();
    let row = c
        .query_one(
            "INSERT INTO entities(label, name, key) VALUES ($1, $2, $3) \
             ON CONFLICT (label, key) DO UPDATE SET label = EXCLUDED.label RETURNING id",
            &[&label, &enc(name.trim()), &key],
        )
        .map_err(backend)?;
    let id: i64 = get(&row, 0)?;
    c.execute(
        "INSERT INTO entity_names(key, entity) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        &[&key, &id],
    )
    .map_err(backend)?;
    Ok(id)
}

pub(crate) fn apply<C: GenericClient>(c: &mut C, decision: &Decision) -> Result<StoredDecision> {
    let note = match decision {
        Decision::Merge { from, into } => {
            let (from, into) = (*from, *into);
            live_entity(c, from)?;
            live_entity(c, into)?;
            if from == into {
                return Err(StoreError::Invalid(format!(
                    "cannot merge entity {from} into itself"
                )));
            }
            for d in list(c)? {
                if let Decision::NotSame { a, b } = d.decision {
                    if (a, b) == (from, into) || (b, a) == (from, into) {
                        return Err(StoreError::Invalid(format!(
                            "entities {from} and {into} were marked as different (decision {})",
                            d.id
                        )));
                    }
                }
            }
            let docs = docs_of(c, from)?;
            let moved: i64 = get(
                &c.query_one("SELECT count(*) FROM mentions WHERE entity = $1", &[&from])
                    .map_err(backend)?,
                0,
            )?;
            rederive(c, &docs, |c| {
                c.execute(
                    "UPDATE mentions SET entity = $2 WHERE entity = $1",
                    &[&from, &into],
                )
                .map_err(backend)?;
                Ok(())
            })?;
            c.execute(
                "INSERT INTO entity_names(key, entity) SELECT key, $2 FROM entity_names WHERE entity = $1 \
                 ON CONFLICT DO NOTHING",
                &[&from, &into],
            )
            .map_err(backend)?;
            c.execute("DELETE FROM entity_names WHERE entity = $1", &[&from])
                .map_err(backend)?;
            c.execute(
                "INSERT INTO entity_redirects(entity, into_entity) VALUES ($1, $2) \
                 ON CONFLICT (entity) DO UPDATE SET into_entity = EXCLUDED.into_entity",
                &[&from, &into],
            )
            .map_err(backend)?;
            c.execute(
                "UPDATE entity_redirects SET into_entity = $2 WHERE into_entity = $1",
                &[&from, &into],
            )
            .map_err(backend)?;
            move_remaining_edges(c, from, into)?;
            recount(c, &BTreeSet::from([from, into]))?;
            format!("moved {moved} mentions in {} documents", docs.len())
        }
        Decision::Split {
            entity,
            mentions,
            name,
        } => {
            let (label, key) = live_entity(c, *entity)?;
            let new_key = entity_key(name);
            if new_key.is_empty() || new_key == key {
                return Err(StoreError::Invalid(format!(
                    "a split needs a new name for the split-off entity (got {name:?})"
                )));
            }
            let mut targets = Vec::new();
            for (doc, span) in mentions {
                let row = c
                    .query_opt(
                        "SELECT m.doc FROM mentions m JOIN documents d ON d.seq = m.doc WHERE d.id = $1 \
                         AND m.char_start = $2 AND m.char_end = $3 AND m.entity = $4 LIMIT 1",
                        &[
                            &enc(doc.as_str()),
                            &to_i64(span.start),
                            &to_i64(span.end),
                            entity,
                        ],
                    )
                    .map_err(backend)?;
                let Some(row) = row else {
                    return Err(StoreError::Invalid(format!(
                        "entity {entity} has no mention at {}..{} of document {doc}",
                        span.start, span.end
                    )));
                };
                targets.push((get::<i64>(&row, 0)?, *span));
            }
            if targets.is_empty() {
                return Err(StoreError::Invalid("a split needs mentions to move".into()));
            }
            let new_id = find_or_create(c, name, &label)?;
            if redirects(c)?.contains_key(&new_id) {
                return Err(StoreError::Invalid(format!(
                    "{name:?} names an entity merged away; choose another name"
                )));
            }
            let docs: BTreeSet<i64> = targets.iter().map(|t| t.0).collect();
            rederive(c, &docs, |c| {
                for (seq, span) in &targets {
                    c.execute(
                        "UPDATE mentions SET entity = $5 WHERE doc = $1 AND char_start = $2 AND char_end = $3 \
                         AND entity = $4",
                        &[
                            seq,
                            &to_i64(span.start),
                            &to_i64(span.end),
                            entity,
                            &new_id,
                        ],
                    )
                    .map_err(backend)?;
                }
                Ok(())
            })?;
            let texts: Vec<String> = c
                .query(
                    "SELECT DISTINCT text FROM mentions WHERE entity = $1",
                    &[&new_id],
                )
                .map_err(backend)?
                .iter()
                .map(|r| get::<String>(r, 0).map(dec))
                .collect::<Result<_>>()?;
            for t in texts {
                let k = entity_key(&t);
                if !k.is_empty() {
                    c.execute(
                        "INSERT INTO entity_names(key, entity) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                        &[&enc(&k), &new_id],
                    )
                    .map_err(backend)?;
                }
            }
            // Names only the moved mentions had leave the old entity (see SQLite).
            c.execute(
                "DELETE FROM entity_names WHERE entity = $1 AND key <> $2 AND key IN \
                 (SELECT key FROM entity_names WHERE entity = $3)",
                &[entity, &enc(&key), &new_id],
            )
            .map_err(backend)?;
            let kept: Vec<String> = c
                .query(
                    "SELECT DISTINCT text FROM mentions WHERE entity = $1",
                    &[entity],
                )
                .map_err(backend)?
                .iter()
                .map(|r| get::<String>(r, 0).map(dec))
                .collect::<Result<_>>()?;
            for t in kept {
                let k = entity_key(&t);
                if !k.is_empty() {
                    c.execute(
                        "INSERT INTO entity_names(key, entity) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                        &[&enc(&k), entity],
                    )
                    .map_err(backend)?;
                }
            }
            recount(c, &BTreeSet::from([*entity, new_id]))?;
            format!("created entity {new_id} with {} mentions", targets.len())
        }
        Decision::Rename { entity, name } => {
            live_entity(c, *entity)?;
            let key = entity_key(name);
            if key.is_empty() {
                return Err(StoreError::Invalid("the new name is empty".into()));
            }
            c.execute(
                "UPDATE entities SET name = $2 WHERE id = $1",
                &[entity, &enc(name.trim())],
            )
            .map_err(backend)?;
            c.execute(
                "INSERT INTO entity_names(key, entity) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[&enc(&key), entity],
            )
            .map_err(backend)?;
            // A tombstone under the new key redirecting to the entity: later
            // mentions of the new name join it (see the SQLite backend).
            let (label, old_key) = live_entity(c, *entity)?;
            if key != old_key {
                let tomb = c
                    .query_opt(
                        "INSERT INTO entities(label, name, key) VALUES ($1, $2, $3) \
                         ON CONFLICT (label, key) DO NOTHING RETURNING id",
                        &[&label, &enc(name.trim()), &enc(&key)],
                    )
                    .map_err(backend)?;
                if let Some(row) = tomb {
                    let tomb: i64 = get(&row, 0)?;
                    c.execute(
                        "INSERT INTO entity_redirects(entity, into_entity) VALUES ($1, $2) \
                         ON CONFLICT (entity) DO UPDATE SET into_entity = EXCLUDED.into_entity",
                        &[&tomb, entity],
                    )
                    .map_err(backend)?;
                }
            }
            format!("renamed to {:?}", name.trim())
        }
        Decision::NotSame { a, b } => {
            live_entity(c, *a)?;
            live_entity(c, *b)?;
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
    let row = c
        .query_one(
            "INSERT INTO decisions(body, note) VALUES ($1, $2) RETURNING id",
            &[&enc(&body), &enc(&note)],
        )
        .map_err(backend)?;
    Ok(StoredDecision {
        id: get(&row, 0)?,
        decision: decision.clone(),
        note,
    })
}

fn move_remaining_edges(c: &mut impl GenericClient, from: i64, into: i64) -> Result<()> {
    let names = crate::postgres_facts::kind_names(c)?;
    let rows = c
        .query(
            "DELETE FROM edges WHERE src = $1 OR dst = $1 \
             RETURNING src, dst, kind, sentences, docs, first_seen, last_seen",
            &[&from],
        )
        .map_err(backend)?;
    for r in rows {
        let (src, dst, kind): (i64, i64, i64) = (get(&r, 0)?, get(&r, 1)?, get(&r, 2)?);
        let (mut s, mut d) = (
            if src == from { into } else { src },
            if dst == from { into } else { dst },
        );
        if s == d {
            continue;
        }
        if names.get(&kind).is_some_and(|n| derive::is_undirected(n)) && d < s {
            std::mem::swap(&mut s, &mut d);
        }
        c.execute(
            "INSERT INTO edges(src, dst, kind, sentences, docs, first_seen, last_seen) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (src, dst, kind) DO UPDATE SET sentences = edges.sentences + EXCLUDED.sentences, \
             docs = edges.docs + EXCLUDED.docs, \
             first_seen = LEAST(edges.first_seen, EXCLUDED.first_seen), \
             last_seen = GREATEST(edges.last_seen, EXCLUDED.last_seen)",
            &[
                &s,
                &d,
                &kind,
                &get::<i64>(&r, 3)?,
                &get::<i64>(&r, 4)?,
                &get::<Option<String>>(&r, 5)?,
                &get::<Option<String>>(&r, 6)?,
            ],
        )
        .map_err(backend)?;
    }
    Ok(())
}

pub(crate) fn list(c: &mut impl GenericClient) -> Result<Vec<StoredDecision>> {
    c.query("SELECT id, body, note FROM decisions ORDER BY id", &[])
        .map_err(backend)?
        .iter()
        .map(|r| {
            let id: i64 = get(r, 0)?;
            let body = dec(get(r, 1)?);
            Ok(StoredDecision {
                id,
                decision: serde_json::from_str(&body)
                    .map_err(|e| StoreError::Backend(format!("stored decision {id}: {e}")))?,
                note: dec(get(r, 2)?),
            })
        })
        .collect()
}

/// Writes blocking-index rows and resolution reasons (see
/// [`Store::put_resolution`]).
pub(crate) fn put_resolution(
    c: &mut impl GenericClient,
    blocks: &[NameBlock],
    reasons: &[ResolutionReason],
) -> Result<()> {
    for b in blocks {
        c.execute(
            "INSERT INTO name_blocks(block, label, name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[&enc(&b.block), &b.label.as_str(), &enc(&b.name)],
        )
        .map_err(backend)?;
    }
    for r in reasons {
        c.execute(
            "INSERT INTO resolution_reasons(label, into_key, doc, name, into_name, rule, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &r.label.as_str(),
                &enc(&entity_key(&r.into)),
                &enc(r.doc.as_str()),
                &enc(&r.name),
                &enc(&r.into),
                &enc(&r.rule),
                &enc(&r.detail),
            ],
        )
        .map_err(backend)?;
    }
    Ok(())
}

pub(crate) fn name_blocks(
    c: &mut impl GenericClient,
    label: EntityLabel,
    blocks: &[String],
    limit_per_block: usize,
) -> Result<Vec<NameBlock>> {
    let mut out = Vec::new();
    for b in blocks {
        let rows = c
            .query(
                "SELECT name FROM name_blocks WHERE block = $1 AND label = $2 ORDER BY ctid LIMIT $3",
                &[&enc(b), &label.as_str(), &to_i64(limit_per_block)],
            )
            .map_err(backend)?;
        for r in rows {
            out.push(NameBlock {
                block: b.clone(),
                label,
                name: dec(get(&r, 0)?),
            });
        }
    }
    Ok(out)
}

pub(crate) fn resolution_reasons(
    c: &mut impl GenericClient,
    entity: i64,
    page: Page,
) -> Result<Vec<ResolutionReason>> {
    c.query(
        "SELECT r.doc, r.label, r.name, r.into_name, r.rule, r.detail FROM resolution_reasons r \
         JOIN entities e ON e.id = $1 AND e.label = r.label \
         WHERE r.into_key IN (SELECT key FROM entity_names WHERE entity = $1) \
         ORDER BY r.id LIMIT $2 OFFSET $3",
        &[&entity, &to_i64(page.limit), &to_i64(page.offset)],
    )
    .map_err(backend)?
    .iter()
    .map(|r| {
        let label: String = get(r, 1)?;
        Ok(ResolutionReason {
            doc: DocId(dec(get(r, 0)?)),
            label: label
                .parse()
                .map_err(|e| StoreError::Backend(format!("stored label {label:?}: {e}")))?,
            name: dec(get(r, 2)?),
            into: dec(get(r, 3)?),
            rule: dec(get(r, 4)?),
            detail: dec(get(r, 5)?),
        })
    })
    .collect()
}
