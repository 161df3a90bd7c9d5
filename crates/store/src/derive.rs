//! Backend-agnostic fact handling, written once for every backend: linking
//! fact arguments to the entities of stored mentions, the rows a fact is
//! stored as, and the evidence-graph edges a document contributes.

use crate::{AnalysedDocument, AnyFact, ArgLink, FactKind, Result, StoreError, StoredFact};
use dossier_core::{Arg, CharSpan, Facts, SYMMETRIC_RELATIONS};
use std::collections::{BTreeSet, HashMap, HashSet};

/// Co-mention edges are drawn between the first this-many distinct entities of
/// a sentence (in text order): a sentence adds at most 20·19/2 = 190 pairs, so
/// a list-like sentence naming hundreds of entities cannot explode the graph.
pub const COMENTION_ENTITY_CAP: usize = 20;

/// Edge kinds without a direction: stored once, smaller entity id first, and
/// reported as [`crate::Direction::Both`].
pub const UNDIRECTED_KINDS: [&str; 7] = [
    "comention",
    "relation:CoLocated",
    "relation:Apart",
    "relation:FightingAgainst",
    "relation:AlliesOf",
    "relation:CommWith",
    "relation:IsSynonymOf",
];

pub(crate) fn is_undirected(kind: &str) -> bool {
    kind == "comention"
        || kind
            .strip_prefix("relation:")
            .is_some_and(|t| SYMMETRIC_RELATIONS.contains(&t))
}

/// One fact ready to store.
pub(crate) struct FactRow {
    pub kind: FactKind,
    /// Position in its list of the document's `Facts`.
    pub ord: usize,
    /// Where the fact sits: its own span, or for relations and events the
    /// range covering their parts.
    pub start: usize,
    pub end: usize,
    /// Relation type, event type, quote kind, time type or claim attribute.
    pub subtype: Option<String>,
    pub extractor: String,
    pub confidence: f64,
    /// The fact as JSON (the `facts` read API returns it unchanged).
    pub body: String,
    pub args: Vec<ArgLink>,
}

/// One piece of evidence for an edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DerivedEdge {
    pub src: i64,
    pub dst: i64,
    pub kind: String,
    pub span: CharSpan,
}

/// A document's mentions with their entities, sorted by (start, end), for
/// span lookups.
pub(crate) struct MentionIndex {
    mentions: Vec<(usize, usize, i64)>,
}

impl MentionIndex {
    pub fn new(doc: &AnalysedDocument, entity_ids: &[i64]) -> MentionIndex {
        Self::from_spans(
            doc.mentions
                .iter()
                .zip(entity_ids)
                .map(|(m, id)| (m.mention.start, m.mention.end, *id))
                .collect(),
        )
    }

    /// From stored (start, end, entity) triples.
    pub fn from_spans(mut mentions: Vec<(usize, usize, i64)>) -> MentionIndex {
        mentions.sort_unstable();
        MentionIndex { mentions }
    }

    /// Mentions lying inside `[start, end)`, in text order.
    fn inside(&self, start: usize, end: usize) -> impl Iterator<Item = &(usize, usize, i64)> {
        let from = self.mentions.partition_point(|m| m.0 < start);
        self.mentions
            .get(from..)
            .unwrap_or_default()
            .iter()
            .take_while(move |m| m.0 < end)
            .filter(move |m| m.1 <= end && m.0 < m.1)
    }

    /// The entity of the mention whose span equals `[start, end)`, else of the
    /// longest mention inside it (earliest among equally long ones).
    pub fn link(&self, start: usize, end: usize) -> Option<i64> {
        let mut best: Option<(usize, i64)> = None;
        for m in self.inside(start, end) {
            let len = m.1 - m.0;
            if best.is_none_or(|(l, _)| len > l) {
                best = Some((len, m.2));
            }
        }
        best.map(|b| b.1)
    }
}

fn arg_link(index: &MentionIndex, role: &str, a: &Arg) -> ArgLink {
    ArgLink {
        role: role.to_string(),
        span: CharSpan::new(a.start, a.end),
        entity: index.link(a.start, a.end),
    }
}

fn opt_link(out: &mut Vec<ArgLink>, index: &MentionIndex, role: &str, a: &Option<Arg>) {
    if let Some(a) = a {
        out.push(arg_link(index, role, a));
    }
}

fn json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Backend(format!("encoding a fact: {e}")))
}

fn finite(x: f32) -> f64 {
    if x.is_finite() {
        f64::from(x)
    } else {
        0.0
    }
}

/// The rows of every fact of a document, arguments linked to entities.
pub(crate) fn fact_rows(facts: &Facts, index: &MentionIndex) -> Result<Vec<FactRow>> {
    let mut rows = Vec::new();
    for (ord, t) in facts.times.iter().enumerate() {
        rows.push(FactRow {
            kind: FactKind::Time,
            ord,
            start: t.start,
            end: t.end,
            subtype: serde_json::to_value(t.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string)),
            extractor: t.extractor.clone(),
            confidence: finite(t.confidence),
            body: json(t)?,
            args: Vec::new(),
        });
    }
    for (ord, q) in facts.quotes.iter().enumerate() {
        let mut args = Vec::new();
        opt_link(&mut args, index, "speaker", &q.speaker);
        opt_link(&mut args, index, "speaker_entity", &q.speaker_entity);
        rows.push(FactRow {
            kind: FactKind::Quote,
            ord,
            start: q.start,
            end: q.end,
            subtype: Some(
                match q.kind {
                    dossier_core::QuoteKind::Direct => "direct",
                    dossier_core::QuoteKind::Reported => "reported",
                }
                .into(),
            ),
            extractor: q.extractor.clone(),
            confidence: finite(q.confidence),
            body: json(q)?,
            args,
        });
    }
    for (ord, r) in facts.roles.iter().enumerate() {
        let mut args = Vec::new();
        opt_link(&mut args, index, "person", &r.person);
        opt_link(&mut args, index, "organisation", &r.organisation);
        opt_link(&mut args, index, "country", &r.country);
        rows.push(FactRow {
            kind: FactKind::Role,
            ord,
            start: r.start,
            end: r.end,
            subtype: Some(r.title.text.to_lowercase()),
            extractor: r.extractor.clone(),
            confidence: finite(r.confidence),
            body: json(r)?,
            args,
        });
    }
    for (ord, r) in facts.relations.iter().enumerate() {
        let args = vec![
            arg_link(index, "source", &r.source),
            arg_link(index, "target", &r.target),
        ];
        rows.push(FactRow {
            kind: FactKind::Relation,
            ord,
            start: r.source.start.min(r.target.start),
            end: r.source.end.max(r.target.end),
            subtype: Some(r.kind.clone()),
            extractor: r.extractor.clone(),
            confidence: finite(r.confidence),
            body: json(r)?,
            args,
        });
    }
    for (ord, e) in facts.events.iter().enumerate() {
        let mut args = Vec::new();
        let (mut start, mut end) = (e.trigger.start, e.trigger.end);
        for a in &e.arguments {
            start = start.min(a.start);
            end = end.max(a.end);
            args.push(ArgLink {
                role: event_role(a.role).to_string(),
                span: CharSpan::new(a.start, a.end),
                entity: index.link(a.start, a.end),
            });
        }
        rows.push(FactRow {
            kind: FactKind::Event,
            ord,
            start,
            end,
            subtype: Some(e.kind.as_str().to_string()),
            extractor: e.extractor.clone(),
            confidence: finite(e.confidence),
            body: json(e)?,
            args,
        });
    }
    for (ord, c) in facts.claims.iter().enumerate() {
        let mut args = Vec::new();
        opt_link(&mut args, index, "subject", &c.subject);
        opt_link(&mut args, index, "source", &c.source);
        rows.push(FactRow {
            kind: FactKind::Claim,
            ord,
            start: c.start,
            end: c.end,
            subtype: Some(c.attribute.to_lowercase()),
            extractor: c.extractor.clone(),
            confidence: finite(c.confidence),
            body: json(c)?,
            args,
        });
    }
    Ok(rows)
}

pub(crate) fn event_role(r: dossier_core::EventRole) -> &'static str {
    use dossier_core::EventRole::*;
    match r {
        Agent => "agent",
        Target => "target",
        Participant => "participant",
        Place => "place",
        Time => "time",
        Origin => "origin",
        Destination => "destination",
    }
}

/// A stored fact body back into its type.
pub(crate) fn decode_fact(kind: &str, body: &str) -> Result<AnyFact> {
    let bad = |e: serde_json::Error| StoreError::Backend(format!("stored {kind} fact: {e}"));
    Ok(match FactKind::parse(kind) {
        Some(FactKind::Time) => AnyFact::Time(serde_json::from_str(body).map_err(bad)?),
        Some(FactKind::Quote) => AnyFact::Quote(serde_json::from_str(body).map_err(bad)?),
        Some(FactKind::Role) => AnyFact::Role(serde_json::from_str(body).map_err(bad)?),
        Some(FactKind::Relation) => AnyFact::Relation(serde_json::from_str(body).map_err(bad)?),
        Some(FactKind::Event) => AnyFact::Event(serde_json::from_str(body).map_err(bad)?),
        Some(FactKind::Claim) => AnyFact::Claim(serde_json::from_str(body).map_err(bad)?),
        None => {
            return Err(StoreError::Backend(format!(
                "stored fact of unknown kind {kind:?}"
            )))
        }
    })
}

/// Stored facts (kind, body) in (kind, ord) order back into `Facts`.
pub(crate) fn collect_facts(rows: Vec<(String, String)>) -> Result<Facts> {
    let mut facts = Facts::default();
    for (kind, body) in rows {
        match decode_fact(&kind, &body)? {
            AnyFact::Time(t) => facts.times.push(t),
            AnyFact::Quote(q) => facts.quotes.push(q),
            AnyFact::Role(r) => facts.roles.push(r),
            AnyFact::Relation(r) => facts.relations.push(r),
            AnyFact::Event(e) => facts.events.push(e),
            AnyFact::Claim(c) => facts.claims.push(c),
        }
    }
    Ok(facts)
}

/// Narrows generic stored facts to one type, dropping others.
pub(crate) fn typed<T>(
    v: Vec<StoredFact<AnyFact>>,
    f: impl Fn(AnyFact) -> Option<T>,
) -> Vec<StoredFact<T>> {
    v.into_iter()
        .filter_map(|s| {
            let StoredFact {
                doc,
                title,
                published,
                sentence,
                fact,
                links,
            } = s;
            f(fact).map(|fact| StoredFact {
                doc,
                title,
                published,
                sentence,
                fact,
                links,
            })
        })
        .collect()
}

/// The sentence containing `pos`, if any (`sentences` sorted by start).
fn sentence_at(sentences: &[CharSpan], pos: usize) -> Option<CharSpan> {
    let i = sentences.partition_point(|s| s.end <= pos);
    sentences.get(i).copied().filter(|s| s.start <= pos)
}

/// The evidence-graph edges one document contributes (see `Store::neighbours`
/// for the rules), each with the sentence that supports it. Repeats are kept;
/// [`EdgeBatch`] counts distinct sentences.
pub(crate) fn derive_edges(
    sentences: &[CharSpan],
    index: &MentionIndex,
    rows: &[FactRow],
) -> Vec<DerivedEdge> {
    let mut sentences = sentences.to_vec();
    sentences.sort_unstable_by_key(|s| (s.start, s.end));
    let cite = |pos: usize, fallback: CharSpan| sentence_at(&sentences, pos).unwrap_or(fallback);
    let mut out = Vec::new();
    let mut push = |src: Option<i64>, dst: Option<i64>, kind: &str, span: CharSpan| {
        if let (Some(a), Some(b)) = (src, dst) {
            if a == b {
                return;
            }
            let (a, b) = if is_undirected(kind) && b < a {
                (b, a)
            } else {
                (a, b)
            };
            out.push(DerivedEdge {
                src: a,
                dst: b,
                kind: kind.to_string(),
                span,
            });
        }
    };
    let link_of = |row: &FactRow, role: &str| {
        row.args
            .iter()
            .find(|l| l.role == role)
            .and_then(|l| l.entity)
    };
    for row in rows {
        let anchor = CharSpan::new(row.start, row.end.max(row.start));
        match row.kind {
            FactKind::Time => {}
            FactKind::Relation => {
                let kind = format!("relation:{}", row.subtype.as_deref().unwrap_or_default());
                push(
                    link_of(row, "source"),
                    link_of(row, "target"),
                    &kind,
                    cite(row.start, anchor),
                );
            }
            FactKind::Role => {
                let span = cite(row.start, anchor);
                let person = link_of(row, "person");
                push(person, link_of(row, "organisation"), "role", span);
                push(person, link_of(row, "country"), "role", span);
            }
            FactKind::Quote => {
                let speaker = link_of(row, "speaker_entity").or(link_of(row, "speaker"));
                if speaker.is_none() {
                    continue;
                }
                for m in index.inside(row.start, row.end) {
                    push(speaker, Some(m.2), "quote", cite(m.0, anchor));
                }
            }
            FactKind::Event => {
                let kind = format!("event:{}", row.subtype.as_deref().unwrap_or_default());
                let span = cite(row.start, anchor);
                let agents: Vec<i64> = row
                    .args
                    .iter()
                    .filter(|l| l.role == "agent")
                    .filter_map(|l| l.entity)
                    .collect();
                let others = |role: &'static str| {
                    row.args
                        .iter()
                        .filter(move |l| l.role == role)
                        .filter_map(|l| l.entity)
                };
                for &a in &agents {
                    for role in ["target", "participant", "place"] {
                        for o in others(role) {
                            push(Some(a), Some(o), &kind, span);
                        }
                    }
                }
                let participants: Vec<i64> = others("participant").collect();
                for (i, &p) in participants.iter().enumerate() {
                    for &q in participants.iter().skip(i + 1) {
                        let (a, b) = if p < q { (p, q) } else { (q, p) };
                        push(Some(a), Some(b), &kind, span);
                    }
                }
            }
            FactKind::Claim => {}
        }
    }
    // Co-mentions: distinct entities per sentence, capped.
    for s in &sentences {
        let mut seen: Vec<i64> = Vec::new();
        for m in index.inside(s.start, s.end) {
            if !seen.contains(&m.2) {
                seen.push(m.2);
                if seen.len() == COMENTION_ENTITY_CAP {
                    break;
                }
            }
        }
        for (i, &a) in seen.iter().enumerate() {
            for &b in seen.iter().skip(i + 1) {
                push(Some(a), Some(b), "comention", *s);
            }
        }
    }
    out
}

/// A publication date reduced to `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (the time of
/// day dropped); anything else is no date.
pub(crate) fn edge_date(published: Option<&str>) -> Option<String> {
    let p = published?.trim();
    let date = p.split(['T', ' ']).next().unwrap_or_default();
    let ok = matches!(date.len(), 4 | 7 | 10)
        && date.char_indices().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    ok.then(|| date.to_string())
}

/// An edge aggregated over a batch.
#[derive(Debug, Default)]
pub(crate) struct EdgeAgg {
    /// (document seq, sentence start, sentence end), distinct.
    pub evidence: BTreeSet<(i64, usize, usize)>,
    pub docs: usize,
    last_doc: Option<i64>,
    pub first: Option<String>,
    pub last: Option<String>,
}

/// The edges of a batch, keyed by (src, dst, kind), in first-seen order.
#[derive(Debug, Default)]
pub(crate) struct EdgeBatch {
    pub order: Vec<(i64, i64, String)>,
    pub edges: HashMap<(i64, i64, String), EdgeAgg>,
}

impl EdgeBatch {
    /// Adds one newly stored document's edges (each document once: documents
    /// of a batch are new, so their evidence never repeats stored evidence).
    pub fn add(&mut self, seq: i64, published: Option<&str>, edges: Vec<DerivedEdge>) {
        let date = edge_date(published);
        for e in edges {
            let key = (e.src, e.dst, e.kind);
            let agg = match self.edges.get_mut(&key) {
                Some(a) => a,
                None => {
                    self.order.push(key.clone());
                    self.edges.entry(key).or_default()
                }
            };
            agg.evidence.insert((seq, e.span.start, e.span.end));
            if agg.last_doc != Some(seq) {
                agg.last_doc = Some(seq);
                agg.docs += 1;
                if let Some(d) = &date {
                    if agg.first.as_ref().is_none_or(|f| d < f) {
                        agg.first = Some(d.clone());
                    }
                    if agg.last.as_ref().is_none_or(|l| d > l) {
                        agg.last = Some(d.clone());
                    }
                }
            }
        }
    }

    /// The distinct kind names of the batch.
    pub fn kinds(&self) -> HashSet<&str> {
        self.order.iter().map(|k| k.2.as_str()).collect()
    }
}

/// The neighbours query over `union` (rows `x`: other, kind, dir, sentences,
/// docs, first_seen, last_seen). Without a label filter the page is cut from
/// the edges alone and only its entities are joined: a hub's thousands of
/// edges are sorted without a lookup each.
pub(crate) fn neighbours_sql(
    union: &str,
    where_sql: &str,
    needs_entity: bool,
    limit: &str,
    offset: &str,
) -> String {
    const COLS: &str = "e.id, e.name, e.label, e.mention_count, e.doc_count, \
                        x.kind, x.dir, x.sentences, x.docs, x.first_seen, x.last_seen";
    const ORDER: &str = "x.sentences DESC, x.docs DESC, x.other, x.kind";
    if needs_entity {
        format!(
            "SELECT {COLS} FROM ({union}) x JOIN entities e ON e.id = x.other {where_sql} \
             ORDER BY {ORDER} LIMIT {limit} OFFSET {offset}"
        )
    } else {
        format!(
            "SELECT {COLS} FROM (SELECT * FROM ({union}) x {where_sql} ORDER BY {ORDER} \
             LIMIT {limit} OFFSET {offset}) x JOIN entities e ON e.id = x.other ORDER BY {ORDER}"
        )
    }
}

/// Whether an edge kind passes a neighbours filter (see `EdgeFilter::kinds`).
pub(crate) fn kind_matches(filter: &[String], kind: &str) -> bool {
    filter.is_empty()
        || filter.iter().any(|f| {
            f == kind
                || (!f.contains(':')
                    && kind
                        .split_once(':')
                        .is_some_and(|(head, _)| head == f.as_str()))
        })
}

/// Checks bulk-import indexes and merges repeated (src, dst, kind) edges:
/// returns (src index, dst index, kind index, summed weight) sorted, with
/// undirected kinds oriented by `ids` and self-loops dropped.
pub(crate) fn prepare_import(
    kinds: &[&str],
    ids: &[i64],
    edges: &[crate::ImportEdge],
) -> Result<Vec<(i64, i64, u16, u64)>> {
    let undirected: Vec<bool> = kinds.iter().map(|k| is_undirected(k)).collect();
    let mut out: Vec<(i64, i64, u16, u64)> = Vec::with_capacity(edges.len());
    for (n, e) in edges.iter().enumerate() {
        let (Some(&a), Some(&b), Some(&und)) = (
            ids.get(e.src as usize),
            ids.get(e.dst as usize),
            undirected.get(usize::from(e.kind)),
        ) else {
            return Err(StoreError::Invalid(format!(
                "edge {n} refers to entity {} or {} or kind {} beyond the {} entities and {} kinds given",
                e.src,
                e.dst,
                e.kind,
                ids.len(),
                kinds.len()
            )));
        };
        if a == b {
            continue;
        }
        let (a, b) = if und && b < a { (b, a) } else { (a, b) };
        out.push((a, b, e.kind, u64::from(e.weight)));
    }
    out.sort_unstable_by_key(|e| (e.0, e.1, e.2));
    // Merge repeats in place.
    let mut merged: Vec<(i64, i64, u16, u64)> = Vec::with_capacity(out.len());
    for e in out {
        match merged.last_mut() {
            Some(last) if (last.0, last.1, last.2) == (e.0, e.1, e.2) => {
                last.3 = last.3.saturating_add(e.3);
            }
            _ => merged.push(e),
        }
    }
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::{doc, mention};
    use dossier_core::EntityLabel;

    #[test]
    fn links_exact_span_else_longest_inside() {
        let mut d = doc("t", None, None, "The Dutch PM Dick Schoof met Mark Rutte.");
        mention(&mut d, "Dutch", 0, EntityLabel::Nationality, "Dutch");
        mention(&mut d, "Dick Schoof", 0, EntityLabel::Person, "Dick Schoof");
        mention(&mut d, "Mark Rutte", 0, EntityLabel::Person, "Mark Rutte");
        let idx = MentionIndex::new(&d, &[1, 2, 3]);
        assert_eq!(idx.link(13, 24), Some(2), "exact");
        // "The Dutch PM Dick Schoof": Dutch (5) and Dick Schoof (11) inside.
        assert_eq!(idx.link(0, 24), Some(2), "longest inside");
        assert_eq!(idx.link(0, 4), None, "nothing inside");
        assert_eq!(idx.link(20, 10), None, "reversed span");
        assert_eq!(idx.link(14, 30), None, "mentions only overlapping");
    }

    #[test]
    fn comention_pairs_are_capped_per_sentence() {
        let names: Vec<String> = (0..30).map(|i| format!("N{i:02}")).collect();
        let text = format!("{}.", names.join(" "));
        let mut d = doc("t", None, None, &text);
        for n in &names {
            mention(&mut d, n, 0, EntityLabel::Person, n);
        }
        let ids: Vec<i64> = (1..=30).collect();
        let idx = MentionIndex::new(&d, &ids);
        let edges = derive_edges(&d.sentences, &idx, &[]);
        let cap = COMENTION_ENTITY_CAP;
        assert_eq!(edges.len(), cap * (cap - 1) / 2);
        assert!(edges.iter().all(|e| e.src < e.dst && e.dst <= cap as i64));
    }

    #[test]
    fn import_checks_indexes_and_merges_repeats() {
        let ids = [10, 5, 7];
        let e = |src, dst, kind, weight| crate::ImportEdge {
            src,
            dst,
            kind,
            weight,
        };
        let got = prepare_import(
            &["comention", "relation:MemberOf"],
            &ids,
            &[e(0, 1, 0, 2), e(1, 0, 0, 3), e(0, 1, 1, 1), e(2, 2, 1, 9)],
        )
        .unwrap();
        assert_eq!(got, vec![(5, 10, 0, 5), (10, 5, 1, 1)]);
        assert!(matches!(
            prepare_import(&["comention"], &ids, &[e(0, 3, 0, 1)]),
            Err(StoreError::Invalid(_))
        ));
    }

    #[test]
    fn undirected_kinds_are_comention_and_symmetric_relations() {
        assert_eq!(UNDIRECTED_KINDS.len(), SYMMETRIC_RELATIONS.len() + 1);
        assert!(UNDIRECTED_KINDS.iter().all(|k| is_undirected(k)));
        assert!(!is_undirected("relation:MemberOf") && !is_undirected("role"));
    }

    #[test]
    fn dates_and_kind_filters() {
        assert_eq!(
            edge_date(Some("2017-10-17T08:00:00Z")).as_deref(),
            Some("2017-10-17")
        );
        assert_eq!(edge_date(Some("2017")).as_deref(), Some("2017"));
        assert_eq!(edge_date(Some("yesterday")), None);
        assert!(kind_matches(&[], "role"));
        assert!(kind_matches(&["relation".into()], "relation:MemberOf"));
        assert!(!kind_matches(
            &["relation:AlliesOf".into()],
            "relation:MemberOf"
        ));
        assert!(!kind_matches(&["rel".into()], "relation:MemberOf"));
    }
}
