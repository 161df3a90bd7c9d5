//! Link analysis over a knowledge base: the evidence graph of `dossier-graph`
//! built from the store's aggregated edges, and answers (paths, what connects a
//! set of entities) with the evidence sentences of every hop attached.
//!
//! The CLI and the HTTP server both answer through here, so an answer and its
//! evidence are assembled one way only.

use dossier_core::EntityLabel;
use dossier_graph::{
    ConnectOptions, Connection, EdgeRecord, Graph, GraphBuilder, GraphError, Hop, NodeInfo,
    NodeKind, NodeRef, PathOptions, QueryCtx,
};
use dossier_store::{
    EntitySummary, EventFilter, EventNode, Evidence, Page, Store, StoreError, EVENT_EDGE_PREFIX,
    UNDIRECTED_KINDS,
};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Graph(#[from] GraphError),
    #[error("no entity named {0:?} (try `dossier entities` or an entity id)")]
    NotFound(String),
    #[error("no event matches {0} (try `dossier events`)")]
    NoEvent(String),
    #[error("{name:?} names {} entities: {}; give an id instead", candidates.len(), describe(candidates))]
    Ambiguous {
        name: String,
        candidates: Vec<EntitySummary>,
    },
}

fn describe(c: &[EntitySummary]) -> String {
    c.iter()
        .take(5)
        .map(|e| {
            format!(
                "#{} {} ({}, {} mentions)",
                e.id, e.name, e.label, e.mentions
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

pub type Result<T> = std::result::Result<T, AnalysisError>;

/// The entity an argument names: `#12` or `12` is an id; anything else a name
/// or alias. A name matching several entities is an error listing them, unless
/// exactly one of them carries the name as its own (display) name.
pub fn find_entity(
    store: &dyn Store,
    arg: &str,
    label: Option<EntityLabel>,
) -> Result<EntitySummary> {
    let arg = arg.trim();
    if let Ok(id) = arg.trim_start_matches('#').parse::<i64>() {
        return store
            .entity_summary(id)?
            .ok_or_else(|| AnalysisError::NotFound(arg.to_string()));
    }
    let mut found = store.find_entities(arg, label)?;
    match found.len() {
        0 => Err(AnalysisError::NotFound(arg.to_string())),
        1 => Ok(found.remove(0)),
        _ => {
            let exact: Vec<&EntitySummary> = found
                .iter()
                .filter(|e| e.name.to_lowercase() == arg.to_lowercase())
                .collect();
            // The same name under several types is one name the tagger labelled
            // differently here and there: take the most mentioned.
            match exact.iter().max_by_key(|e| e.mentions) {
                Some(best) => Ok((*best).clone()),
                None => Err(AnalysisError::Ambiguous {
                    name: arg.to_string(),
                    candidates: found,
                }),
            }
        }
    }
}

/// The graph id of event node `event`: event nodes live in the same graph as
/// entities, under negative ids (entity ids are positive), so one id names one
/// node whatever its kind.
pub fn event_node_id(event: i64) -> i64 {
    -event
}

/// The event node id behind a graph id, `None` for an entity.
pub fn event_of_node(id: i64) -> Option<i64> {
    (id < 0).then(|| id.checked_neg()).flatten()
}

/// A graph node an argument names: `event:12` is event node 12,
/// anything else an entity as [`find_entity`] reads it. Returns the graph id.
pub fn find_node(store: &dyn Store, arg: &str) -> Result<i64> {
    let t = arg.trim();
    if let Some(id) = t
        .strip_prefix("event:")
        .and_then(|r| r.trim().parse::<i64>().ok())
    {
        return match store.event(
            id,
            Page {
                limit: 0,
                offset: 0,
            },
        ) {
            Ok(_) => Ok(event_node_id(id)),
            Err(StoreError::NoSuchEvent(_)) => Err(AnalysisError::NoEvent(format!("id {id}"))),
            Err(e) => Err(e.into()),
        };
    }
    Ok(find_entity(store, t, None)?.id)
}

/// Which events to connect: the most reported event matching `filter` at
/// each of `places` (names or ids of place entities), or, without places, the
/// events `filter` lists.
#[derive(Debug, Clone, Default)]
pub struct EventSelection {
    pub filter: EventFilter,
    pub places: Vec<String>,
}

/// The events a selection names, in the order of its places. A place with no
/// matching event is an error naming it.
pub fn select_events(store: &dyn Store, sel: &EventSelection) -> Result<Vec<EventNode>> {
    if sel.places.is_empty() {
        return Ok(store.events(&sel.filter)?);
    }
    let mut out: Vec<EventNode> = Vec::new();
    for p in &sel.places {
        let ids = place_entities(store, p)?;
        let mut f = sel.filter.clone();
        f.places = ids;
        f.page = Page {
            limit: 1,
            offset: 0,
        };
        match store.events(&f)?.into_iter().next() {
            Some(e) if !out.iter().any(|o| o.id == e.id) => out.push(e),
            Some(_) => {}
            None => {
                return Err(AnalysisError::NoEvent(format!(
                    "{:?} at {p:?}",
                    sel.filter.types
                )))
            }
        }
    }
    Ok(out)
}

/// Every entity a place argument may name: an id, or all entities answering
/// to the name (the tagger may label one city differently in different
/// documents).
fn place_entities(store: &dyn Store, arg: &str) -> Result<Vec<i64>> {
    let arg = arg.trim();
    if let Ok(id) = arg.trim_start_matches('#').parse::<i64>() {
        return Ok(vec![id]);
    }
    let found = store.find_entities(arg, None)?;
    if found.is_empty() {
        return Err(AnalysisError::NotFound(arg.to_string()));
    }
    Ok(found.into_iter().map(|e| e.id).collect())
}

/// Sentences behind one graph edge, whether between entities or an entity's
/// part in an event (then `dst`, the event, comes back as its graph id).
pub fn edge_evidence(
    store: &dyn Store,
    src: i64,
    dst: i64,
    kind: &str,
    limit: usize,
) -> Result<Vec<Evidence>> {
    if let Some(role) = kind.strip_prefix(EVENT_EDGE_PREFIX) {
        let (entity, event) = match (event_of_node(src), event_of_node(dst)) {
            (None, Some(ev)) => (src, ev),
            (Some(ev), None) => (dst, ev),
            _ => return Ok(Vec::new()),
        };
        let mut out = store.event_evidence(entity, event, Some(role), limit)?;
        for e in &mut out {
            e.dst = event_node_id(e.dst);
        }
        return Ok(out);
    }
    Ok(store.evidence(src, dst, Some(kind), limit)?)
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` (or `YYYY-MM`, `YYYY`) date.
pub fn iso_to_day(s: &str) -> Option<i32> {
    let mut parts = s.get(..10.min(s.len()))?.split('-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next().map_or(Some(1), |p| p.parse().ok())?;
    let d: i64 = parts.next().map_or(Some(1), |p| p.parse().ok())?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    i32::try_from(era * 146_097 + doe - 719_468).ok()
}

/// Entity types that are values rather than actors or places: "two", "1984",
/// "EUR 4,800" co-occur with everything and would only add hubs to the graph.
pub const NON_NODE_LABELS: [EntityLabel; 4] = [
    EntityLabel::Temporal,
    EntityLabel::Quantity,
    EntityLabel::Money,
    EntityLabel::Frequency,
];

/// Builds the in-memory evidence graph from every aggregated edge in the store,
/// with entity names and types for display, and the event nodes with their
/// participation edges (`in_event:<role>`, entity → event, under
/// [`event_node_id`]s). Entities of [`NON_NODE_LABELS`] and their edges are
/// left out.
pub fn load_graph(store: &dyn Store) -> Result<Graph> {
    let mut b = GraphBuilder::new();
    let mut kinds: HashMap<String, dossier_graph::KindId> = HashMap::new();
    let mut failed: Option<GraphError> = None;
    let mut ids: Vec<i64> = Vec::new();
    let mut records: Vec<EdgeRecord> = Vec::new();
    store.for_each_edge(&mut |row| {
        if failed.is_some() {
            return;
        }
        let kind = match kinds.get(&*row.kind) {
            Some(k) => *k,
            None => match b.kind(&row.kind) {
                Ok(k) => {
                    kinds.insert(row.kind.to_string(), k);
                    k
                }
                Err(e) => {
                    failed = Some(e);
                    return;
                }
            },
        };
        ids.push(row.src);
        ids.push(row.dst);
        records.push(EdgeRecord {
            src: row.src,
            dst: row.dst,
            kind,
            directed: !UNDIRECTED_KINDS.contains(&&*row.kind),
            sentences: u32::try_from(row.sentences).unwrap_or(u32::MAX),
            docs: u32::try_from(row.documents).unwrap_or(u32::MAX),
            first_seen: row.first_seen.as_deref().and_then(iso_to_day),
            last_seen: row.last_seen.as_deref().and_then(iso_to_day),
        });
    })?;
    if let Some(e) = failed {
        return Err(e.into());
    }
    let mut event_ids: Vec<i64> = Vec::new();
    store.for_each_event_edge(&mut |row| {
        if failed.is_some() {
            return;
        }
        let name = format!("{EVENT_EDGE_PREFIX}{}", row.role);
        let kind = match kinds.get(&name) {
            Some(k) => *k,
            None => match b.kind(&name) {
                Ok(k) => {
                    kinds.insert(name, k);
                    k
                }
                Err(e) => {
                    failed = Some(e);
                    return;
                }
            },
        };
        ids.push(row.entity);
        event_ids.push(row.node);
        records.push(EdgeRecord {
            src: row.entity,
            dst: event_node_id(row.node),
            kind,
            directed: true,
            sentences: u32::try_from(row.sentences).unwrap_or(u32::MAX),
            docs: u32::try_from(row.documents).unwrap_or(u32::MAX),
            first_seen: row.first_seen.as_deref().and_then(iso_to_day),
            last_seen: row.last_seen.as_deref().and_then(iso_to_day),
        });
    })?;
    if let Some(e) = failed {
        return Err(e.into());
    }
    event_ids.sort_unstable();
    event_ids.dedup();
    for e in all_events(store)? {
        if event_ids.binary_search(&e.id).is_ok() {
            b.add_node(NodeInfo {
                id: event_node_id(e.id),
                name: e.name,
                label: e.kind,
                kind: NodeKind::Event,
            });
        }
    }
    ids.sort_unstable();
    ids.dedup();
    // One paged scan of the entities instead of a query per node.
    let mut dropped: Vec<i64> = Vec::new();
    for e in all_entities(store)? {
        if ids.binary_search(&e.id).is_err() {
            continue;
        }
        if NON_NODE_LABELS.contains(&e.label) {
            dropped.push(e.id);
        } else {
            b.add_node(NodeInfo {
                id: e.id,
                name: e.name,
                label: e.label.as_str().to_string(),
                kind: NodeKind::Entity,
            });
        }
    }
    dropped.sort_unstable();
    for r in records {
        if dropped.binary_search(&r.src).is_err() && dropped.binary_search(&r.dst).is_err() {
            b.add_edge(r);
        }
    }
    Ok(b.build()?)
}

/// One hop of a path with the sentences behind it.
#[derive(Debug, Clone, Serialize)]
pub struct EvidencedHop {
    #[serde(flatten)]
    pub hop: Hop,
    pub evidence: Vec<Evidence>,
}

/// A path between two entities, every hop with its evidence.
#[derive(Debug, Clone, Serialize)]
pub struct EvidencedPath {
    pub nodes: Vec<NodeRef>,
    pub hops: Vec<EvidencedHop>,
    pub cost: f64,
    pub min_strength: f32,
}

fn hop_evidence(store: &dyn Store, hop: Hop, per_hop: usize) -> Result<EvidencedHop> {
    let evidence = edge_evidence(store, hop.from, hop.to, &hop.edge.kind, per_hop)?;
    Ok(EvidencedHop { hop, evidence })
}

/// Up to `k` best paths from `from` to `to` (k = 1: the shortest), ranked by
/// evidence strength, with up to `per_hop` evidence sentences per hop.
pub fn paths(
    store: &dyn Store,
    g: &Graph,
    from: i64,
    to: i64,
    k: usize,
    opts: &PathOptions,
    per_hop: usize,
) -> Result<Vec<EvidencedPath>> {
    let mut ctx = QueryCtx::new(g);
    let found = if k <= 1 {
        g.shortest_path(&mut ctx, from, to, opts)?
            .into_iter()
            .collect()
    } else {
        g.k_shortest_paths(&mut ctx, from, to, k, opts)?
    };
    found
        .into_iter()
        .map(|p| {
            Ok(EvidencedPath {
                nodes: p.nodes,
                hops: p
                    .hops
                    .into_iter()
                    .map(|h| hop_evidence(store, h, per_hop))
                    .collect::<Result<_>>()?,
                cost: p.cost,
                min_strength: p.min_strength,
            })
        })
        .collect()
}

/// The evidence of one edge of a connection.
#[derive(Debug, Clone, Serialize)]
pub struct EdgeEvidence {
    pub src: i64,
    pub dst: i64,
    pub kind: String,
    pub evidence: Vec<Evidence>,
}

/// What connects a set of entities, with evidence for the links of each shared
/// neighbour (best first).
#[derive(Debug, Clone, Serialize)]
pub struct ConnectAnswer {
    #[serde(flatten)]
    pub connection: Connection,
    pub evidence: Vec<EdgeEvidence>,
}

/// Shared neighbours and the connecting subgraph of `members`, ranked by how
/// specific the link is (hubs rank low); evidence for the top `evidence_for`
/// shared neighbours' edges, `per_edge` sentences each.
pub fn connect(
    store: &dyn Store,
    g: &Graph,
    members: &[i64],
    opts: &ConnectOptions,
    evidence_for: usize,
    per_edge: usize,
) -> Result<ConnectAnswer> {
    let mut ctx = QueryCtx::new(g);
    let mut connection = g.connect(&mut ctx, members, opts)?;
    // What links more of the set comes first (an entity tied to all four attacks
    // before one tied to three), then the graph's specificity score.
    connection.shared.sort_by(|a, b| {
        b.members
            .len()
            .cmp(&a.members.len())
            .then(b.score.total_cmp(&a.score))
    });
    let mut evidence = Vec::new();
    for shared in connection.shared.iter().take(evidence_for) {
        for e in shared.links.iter().flat_map(|l| &l.edges) {
            if evidence
                .iter()
                .any(|x: &EdgeEvidence| x.src == e.src && x.dst == e.dst && x.kind == e.kind)
            {
                continue;
            }
            evidence.push(EdgeEvidence {
                src: e.src,
                dst: e.dst,
                kind: e.kind.clone(),
                evidence: edge_evidence(store, e.src, e.dst, &e.kind, per_edge)?,
            });
        }
    }
    Ok(ConnectAnswer {
        connection,
        evidence,
    })
}

/// Every event node, for callers that page through all of them.
pub fn all_events(store: &dyn Store) -> std::result::Result<Vec<EventNode>, StoreError> {
    let mut out = Vec::new();
    loop {
        let page = store.events(&EventFilter {
            page: Page {
                limit: 10_000,
                offset: out.len(),
            },
            ..EventFilter::default()
        })?;
        if page.is_empty() {
            return Ok(out);
        }
        out.extend(page);
    }
}

/// Every entity, for callers that page through all of them.
pub fn all_entities(store: &dyn Store) -> std::result::Result<Vec<EntitySummary>, StoreError> {
    let mut out = Vec::new();
    loop {
        let page = store.entities(
            None,
            Page {
                limit: 10_000,
                offset: out.len(),
            },
        )?;
        if page.is_empty() {
            return Ok(out);
        }
        out.extend(page);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_to_days() {
        assert_eq!(iso_to_day("1970-01-01"), Some(0));
        assert_eq!(iso_to_day("2000-03-01"), Some(11_017));
        assert_eq!(iso_to_day("2025-06"), iso_to_day("2025-06-01"));
        assert_eq!(iso_to_day("2025"), iso_to_day("2025-01-01"));
        assert_eq!(iso_to_day("2025-13-01"), None);
        assert_eq!(iso_to_day("soon"), None);
        assert_eq!(
            dossier_graph::export::day_to_iso(iso_to_day("2026-02-27").unwrap_or(0)),
            "2026-02-27"
        );
    }
}

/// Two claims about the same subject and attribute whose values cannot both
/// be true (beyond what their qualifiers allow): from different documents, or
/// from different sources in one document ("officials say about 40; researchers
/// say more than 60").
#[derive(Debug, Clone, Serialize)]
pub struct ClaimConflict {
    /// The subject entity, when the subject was linked to one.
    pub subject: Option<i64>,
    /// The subject as shown: the entity's name, else the subject as written.
    pub subject_name: String,
    /// The normalised attribute ("recruits in europe"); when the two sides differ
    /// only in that one names no scope, the scoped one.
    pub attribute: String,
    pub a: dossier_store::StoredClaim,
    pub b: dossier_store::StoredClaim,
    /// Who says so on each side: the claim's source, else the document's author or
    /// outlet (see [`claim_source`]).
    pub a_source: String,
    pub b_source: String,
}

/// All sides of one disputed figure: every claim about the subject and attribute
/// that takes part in at least one conflict, and which pairs conflict.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimDispute {
    pub subject: Option<i64>,
    pub subject_name: String,
    pub attribute: String,
    pub claims: Vec<DisputedClaim>,
    /// Indices into `claims` of the pairs that cannot both be true.
    pub pairs: Vec<(usize, usize)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DisputedClaim {
    pub source: String,
    pub claim: dossier_store::StoredClaim,
}

/// Who makes a claim: its extracted source, else the document itself (author,
/// then outlet, then title or file name) — "the document says so".
pub fn claim_source(
    c: &dossier_store::StoredClaim,
    doc: Option<&dossier_core::Document>,
) -> String {
    if let Some(s) = &c.fact.source {
        return s.text.clone();
    }
    let from_doc = doc.and_then(|d| {
        d.author
            .clone()
            .or_else(|| d.outlet.clone())
            .filter(|s| !s.trim().is_empty())
            .or_else(|| {
                std::path::Path::new(&d.source)
                    .file_name()
                    .map(|f| f.to_string_lossy().into_owned())
            })
    });
    from_doc
        .or_else(|| c.title.clone())
        .map_or_else(|| "the document".to_string(), |s| format!("{s} (document)"))
}

/// Claims that contradict each other, among those `filter` selects (its page
/// is ignored: all matching claims are compared). Claims meet by what they count
/// ([`attribute_parts`]: "recruits in europe" and "recruits" meet; "recruits in
/// sweden" does not meet "recruits in europe"); two of them are about the same
/// subject when both link to one entity, or (either unlinked) their subject texts
/// name the same thing ([`same_subject`]: "NCB" and "Northern Crescent Brigade").
/// A pair conflicts when [`values_conflict`] says so and the claims come from
/// different documents or different sources.
///
/// [`attribute_parts`]: dossier_nlp::facts::claims::attribute_parts
/// [`same_subject`]: dossier_nlp::facts::claims::same_subject
/// [`values_conflict`]: dossier_nlp::facts::claims::values_conflict
pub fn claim_conflicts(
    store: &dyn Store,
    filter: &dossier_store::ClaimFilter,
) -> Result<Vec<ClaimConflict>> {
    use dossier_nlp::facts::claims::{attribute_parts, same_subject, values_conflict};
    // By counted thing (noun and verb, without scope): claims about different
    // things never meet, which keeps the pairwise step small.
    let mut groups: HashMap<String, Vec<dossier_store::StoredClaim>> = HashMap::new();
    let mut f = filter.clone();
    f.page = Page {
        limit: 1_000,
        offset: 0,
    };
    loop {
        let batch = store.claims(&f)?;
        if batch.is_empty() {
            break;
        }
        f.page.offset += batch.len();
        for c in batch {
            // A number without a subject ("three countries") contradicts nothing.
            if c.entity("subject").is_none() && c.fact.subject.is_none() {
                continue;
            }
            let (head, _) = attribute_parts(&c.fact.attribute);
            if head.is_empty() {
                continue;
            }
            groups.entry(head).or_default().push(c);
        }
    }
    let text = |c: &dossier_store::StoredClaim| {
        c.fact
            .subject
            .as_ref()
            .map_or(String::new(), |s| s.text.clone())
    };
    let same_about = |a: &dossier_store::StoredClaim, b: &dossier_store::StoredClaim| {
        match (a.entity("subject"), b.entity("subject")) {
            (Some(x), Some(y)) if x == y => true,
            // Two linked but different entities may still be one thing the
            // resolver kept apart ("NCB" and its full name): fall back to text.
            _ => same_subject(&text(a), &text(b)),
        }
    };
    let norm_src = |c: &dossier_store::StoredClaim| {
        c.fact.source.as_ref().map(|s| {
            s.text
                .trim()
                .trim_start_matches("the ")
                .trim_start_matches("The ")
                .to_lowercase()
        })
    };
    let mut docs: HashMap<String, Option<dossier_core::Document>> = HashMap::new();
    let mut names: HashMap<i64, String> = HashMap::new();
    let mut out = Vec::new();
    let mut heads: Vec<_> = groups.into_iter().collect();
    heads.sort_by(|x, y| x.0.cmp(&y.0));
    for (_, claims) in heads {
        // Scope and source once per claim; the pairwise step tests the cheap
        // conditions (values, scope, source) before comparing subjects.
        let facts: Vec<(Option<String>, Option<String>)> = claims
            .iter()
            .map(|c| (attribute_parts(&c.fact.attribute).1, norm_src(c)))
            .collect();
        for (i, (a, (sa, ra))) in claims.iter().zip(&facts).enumerate() {
            for (b, (sb, rb)) in claims.iter().zip(&facts).skip(i + 1) {
                let scoped = sa.is_none() || sb.is_none() || sa == sb;
                let apart = a.doc != b.doc || ra != rb;
                if !(values_conflict(&a.fact, &b.fact) && scoped && apart && same_about(a, b)) {
                    continue;
                }
                let subject = a.entity("subject").or_else(|| b.entity("subject"));
                let subject_name = match subject {
                    Some(id) => match names.get(&id) {
                        Some(n) => n.clone(),
                        None => {
                            let n = store
                                .entity_summary(id)?
                                .map_or_else(|| text(a), |e| e.name);
                            names.insert(id, n.clone());
                            n
                        }
                    },
                    None => text(a),
                };
                let mut source_of = |c: &dossier_store::StoredClaim| -> Result<String> {
                    if c.fact.source.is_none() && !docs.contains_key(c.doc.as_str()) {
                        let d = store.document(c.doc.as_str()).ok().map(|d| d.document);
                        docs.insert(c.doc.as_str().to_string(), d);
                    }
                    let d = docs.get(c.doc.as_str()).and_then(Option::as_ref);
                    Ok(claim_source(c, d))
                };
                let a_source = source_of(a)?;
                let b_source = source_of(b)?;
                let attribute = if sa.is_some() {
                    a.fact.attribute.to_lowercase()
                } else {
                    b.fact.attribute.to_lowercase()
                };
                out.push(ClaimConflict {
                    subject,
                    subject_name,
                    attribute,
                    a: a.clone(),
                    b: b.clone(),
                    a_source,
                    b_source,
                });
            }
        }
    }
    out.sort_by(|x, y| {
        (
            &x.subject_name,
            &x.attribute,
            &x.a.published,
            &x.b.published,
        )
            .cmp(&(
                &y.subject_name,
                &y.attribute,
                &y.a.published,
                &y.b.published,
            ))
    });
    Ok(out)
}

/// The conflicts of [`claim_conflicts`] gathered into disputes: claims joined by
/// conflicting pairs about one counted thing form one dispute (so "Binnenrotte"
/// and "Binnenrotte market", linked to two entities, still meet), with every claim
/// on either side once (oldest document first) and the pairs that conflict.
pub fn claim_disputes(conflicts: &[ClaimConflict]) -> Vec<ClaimDispute> {
    use dossier_nlp::facts::claims::attribute_parts;
    // Union-find over claims, a claim being (document, quantity start).
    let id = |c: &dossier_store::StoredClaim| (c.doc.as_str().to_string(), c.fact.quantity.start);
    let mut nodes: HashMap<(String, usize), usize> = HashMap::new();
    let mut parent: Vec<usize> = Vec::new();
    fn root(parent: &mut [usize], mut x: usize) -> usize {
        while let Some(&p) = parent.get(x) {
            if p == x {
                break;
            }
            let gp = parent.get(p).copied().unwrap_or(p);
            if let Some(slot) = parent.get_mut(x) {
                *slot = gp;
            }
            x = p;
        }
        x
    }
    let mut node = |c: &dossier_store::StoredClaim, parent: &mut Vec<usize>| {
        let key = (id(c).0, id(c).1);
        *nodes.entry(key).or_insert_with(|| {
            parent.push(parent.len());
            parent.len() - 1
        })
    };
    let mut ends = Vec::with_capacity(conflicts.len());
    for c in conflicts {
        let (x, y) = (node(&c.a, &mut parent), node(&c.b, &mut parent));
        let (rx, ry) = (root(&mut parent, x), root(&mut parent, y));
        if let Some(slot) = parent.get_mut(rx) {
            *slot = ry;
        }
        ends.push((x, y));
    }
    let mut out: Vec<ClaimDispute> = Vec::new();
    let mut index: HashMap<(usize, String), usize> = HashMap::new();
    for (c, &(x, _)) in conflicts.iter().zip(&ends) {
        let k = (root(&mut parent, x), attribute_parts(&c.attribute).0);
        let at = *index.entry(k).or_insert_with(|| {
            out.push(ClaimDispute {
                subject: c.subject,
                subject_name: c.subject_name.clone(),
                attribute: c.attribute.clone(),
                claims: Vec::new(),
                pairs: Vec::new(),
            });
            out.len() - 1
        });
        let Some(d) = out.get_mut(at) else { continue };
        if attribute_parts(&d.attribute).1.is_none() {
            d.attribute = c.attribute.clone();
        }
        // The longest subject name reads best ("Binnenrotte market" over "Binnenrotte").
        if c.subject_name.len() > d.subject_name.len() {
            d.subject_name = c.subject_name.clone();
            d.subject = c.subject;
        }
        let mut slot = |claim: &dossier_store::StoredClaim, source: &str| {
            let same = |x: &DisputedClaim| {
                x.claim.doc == claim.doc && x.claim.fact.quantity.start == claim.fact.quantity.start
            };
            match d.claims.iter().position(same) {
                Some(p) => p,
                None => {
                    d.claims.push(DisputedClaim {
                        source: source.to_string(),
                        claim: claim.clone(),
                    });
                    d.claims.len() - 1
                }
            }
        };
        let ia = slot(&c.a, &c.a_source);
        let ib = slot(&c.b, &c.b_source);
        d.pairs.push((ia.min(ib), ia.max(ib)));
    }
    for d in &mut out {
        // Oldest document first, pairs renumbered to match.
        let mut order: Vec<usize> = (0..d.claims.len()).collect();
        order.sort_by(|&x, &y| {
            let k = |i: usize| {
                d.claims
                    .get(i)
                    .map(|c| (c.claim.published.clone(), c.claim.fact.quantity.start))
            };
            k(x).cmp(&k(y))
        });
        let mut new_at = vec![0; order.len()];
        for (new, &old) in order.iter().enumerate() {
            if let Some(slot) = new_at.get_mut(old) {
                *slot = new;
            }
        }
        let old = std::mem::take(&mut d.claims);
        let mut taken: Vec<Option<DisputedClaim>> = old.into_iter().map(Some).collect();
        d.claims = order
            .iter()
            .filter_map(|&i| taken.get_mut(i).and_then(Option::take))
            .collect();
        for p in &mut d.pairs {
            let (x, y) = (
                new_at.get(p.0).copied().unwrap_or(0),
                new_at.get(p.1).copied().unwrap_or(0),
            );
            *p = (x.min(y), x.max(y));
        }
        d.pairs.sort_unstable();
        d.pairs.dedup();
    }
    out
}
