//! Event nodes: one node per real-world event, resolved across documents.
//!
//! Every stored event fact (a "mention" of an event) that is anchored — it
//! names a place the gazetteer placed in a country, or a day — joins the
//! stored node it is compatible with, else starts a new one. Compatible means:
//! the same type (a generic "attack" or "killing" joins a bombing or a
//! shooting), no contradicting date (days more than one day apart, different
//! months or years), no contradicting place (place countries disjoint), and at
//! least one strong link: the same place entity, the same day (±1), or a
//! shared participant. The reasons are kept per mention.
//!
//! Participation edges run participant → event with the role (`agent`,
//! `target`, `participant`, `place`, `origin`, `destination`, and `mentioned`
//! for actors named in the sentence of the mention), each with its evidence
//! sentences, maintained per batch like the entity edges (`EdgeBatch`).
//!
//! Backend-agnostic: the backends supply candidate lookup and writing
//! ([`EventIo`]); everything decided here is shared.

use crate::derive::{cs, event_role, DerivedEdge, EdgeBatch, FactRow};
use crate::{DocId, EntitySummary, FactKind, Page, Result, Sentence};
use dossier_core::{CharSpan, EntityLabel, Event, EventRole, EventType};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// Edge kind prefix of participation edges in the evidence graph
/// (`in_event:agent`, `in_event:place`, ...).
pub const EVENT_EDGE_PREFIX: &str = "in_event:";

/// The role of an entity named in the sentence of an event mention without
/// being one of its arguments.
pub const MENTIONED_ROLE: &str = "mentioned";

/// An event node (`dossier events`, the HTTP event list).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventNode {
    pub id: i64,
    /// The most specific type among its mentions ("Bombing" before "Attack").
    #[serde(rename = "type")]
    pub kind: String,
    /// Readable: "bombing · Malmö · 2025-03-14" (parts unknown are left out).
    pub name: String,
    /// `YYYY-MM-DD`, `YYYY-MM` or `YYYY`: the most precise date mentioned.
    pub date: Option<String>,
    /// The place entity it is named after.
    pub place: Option<i64>,
    pub place_name: Option<String>,
    /// ISO codes of the countries of its places.
    pub countries: Vec<String>,
    /// Event facts joined into it, and their documents.
    pub mentions: usize,
    pub documents: usize,
    /// Publication dates of the earliest and latest dated reporting documents.
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
}

/// Which event nodes [`crate::Store::events`] lists (conditions combined with AND).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventFilter {
    /// Event types, case-insensitive; empty = all. "attack" also matches the
    /// attack family (bombing, shooting, killing): a bombing is an attack.
    pub types: Vec<String>,
    /// Only nodes dated on or after this (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`).
    pub from: Option<String>,
    /// Only nodes dated on or before this (inclusive: `2025` includes all of it).
    pub to: Option<String>,
    /// Only nodes with a place edge to one of these entities; empty = any.
    pub places: Vec<i64>,
    /// Only nodes with an edge (any role) from this entity.
    pub participant: Option<i64>,
    pub page: Page,
}

/// An entity's part in an event, aggregated over its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventParticipant {
    pub entity: EntitySummary,
    pub role: String,
    pub sentences: usize,
    pub documents: usize,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
}

/// One event fact joined into a node, with where it is and why it joined.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventMention {
    pub doc: DocId,
    pub title: Option<String>,
    pub published: Option<String>,
    pub sentence: Option<Sentence>,
    pub event: Event,
    /// "new node" or the links that joined it ("same place #12; same day 2025-03-14").
    pub reason: String,
}

/// Everything about one event node (`dossier event ID`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventProfile {
    pub node: EventNode,
    /// Every participant edge, most evidence first.
    pub participants: Vec<EventParticipant>,
    /// Its mentions, newest document first, paged.
    pub mentions: Vec<EventMention>,
}

/// One participation edge as streamed by [`crate::Store::for_each_event_edge`].
#[derive(Debug, Clone, PartialEq)]
pub struct EventEdgeRow {
    pub entity: i64,
    pub node: i64,
    /// Shared between rows of the same role.
    pub role: Arc<str>,
    pub sentences: usize,
    pub documents: usize,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
}

/// The family an event type clusters in: the attack family shares one.
pub fn event_family(t: &str) -> &str {
    match t {
        "Attack" | "Bombing" | "Shooting" | "Killing" => "Attack",
        other => other,
    }
}

/// How specific a type is within its family (the node keeps the most specific).
fn specificity(t: &str) -> u8 {
    match t {
        "Killing" => 1,
        "Attack" => 2,
        _ => 3,
    }
}

/// Types that may name one event: equal, or one of them generic in the family.
fn types_compatible(a: &str, b: &str) -> bool {
    a == b || (event_family(a) == event_family(b) && (specificity(a) < 3 || specificity(b) < 3))
}

/// The readable name of a node.
pub(crate) fn node_name(kind: &str, place: Option<&str>, date: Option<&str>) -> String {
    let mut parts = vec![kind.to_lowercase()];
    parts.extend(place.map(str::to_string));
    parts.extend(date.map(str::to_string));
    parts.join(" · ")
}

/// A date as `(year, month, day)` with unknown parts `None`, from a TIMEX3
/// value (`2025-03-14`, `2025-03-14T23:00`, `2025-03`, `2025`); `XXXX-02`,
/// `PRESENT_REF` and the like are no date.
pub(crate) fn parse_date(v: &str) -> Option<(i32, Option<u32>, Option<u32>)> {
    let head = v.split('T').next().unwrap_or_default();
    let mut parts = head.split('-');
    let y = parts.next()?;
    if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let y: i32 = y.parse().ok()?;
    let num = |p: Option<&str>, max: u32| -> Option<Option<u32>> {
        match p {
            None => Some(None),
            Some(s) if s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()) => {
                let n: u32 = s.parse().ok()?;
                (1..=max).contains(&n).then_some(Some(n))
            }
            Some(_) => None,
        }
    };
    let m = num(parts.next(), 12)?;
    let d = if m.is_some() {
        num(parts.next(), 31)?
    } else {
        None
    };
    if parts.next().is_some() {
        return None;
    }
    Some((y, m, d))
}

fn format_date(d: (i32, Option<u32>, Option<u32>)) -> String {
    match d {
        (y, Some(m), Some(day)) => format!("{y:04}-{m:02}-{day:02}"),
        (y, Some(m), None) => format!("{y:04}-{m:02}"),
        (y, _, _) => format!("{y:04}"),
    }
}

/// Days since 1970-01-01 (proleptic Gregorian).
fn days(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(if m <= 2 { y - 1 } else { y });
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

/// One anchored event fact of one document, ready to cluster.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Mention {
    pub doc: i64,
    /// Position in the document's `facts.events`.
    pub ord: usize,
    pub kind: String,
    pub date: Option<(i32, Option<u32>, Option<u32>)>,
    /// Place entities: place arguments, places named as targets, origins or
    /// destinations, and the places qualifying them ("Triangeln station in
    /// Malmö, Sweden").
    pub places: Vec<i64>,
    pub countries: BTreeSet<String>,
    /// The place to name the event after: the first the gazetteer placed in
    /// a country (a city before its station), else the first.
    pub main_place: Option<i64>,
    /// (entity, role) of every linked argument and of every actor named in the
    /// sentence (`mentioned`).
    pub links: Vec<(i64, String)>,
    /// The supporting sentence.
    pub span: CharSpan,
}

impl Mention {
    /// Whether the mention may start a node: it names a place the gazetteer
    /// put in a country. Others (only a day, or an unplaced place) may only
    /// join a node, so that "the attack on 7 June" cannot stand alone.
    fn founds(&self) -> bool {
        !self.countries.is_empty()
    }
}

/// A stored mention of an entity in a document, as event derivation needs it.
#[derive(Debug, Clone)]
pub(crate) struct DocMention {
    pub start: usize,
    pub end: usize,
    pub entity: i64,
    pub label: EntityLabel,
    /// ISO country of a gazetteer place (`kind` `place:CC`).
    pub country: Option<String>,
    /// A gazetteer place without a country (a continent, a sea): too broad to
    /// tell events apart.
    pub broad: bool,
}

/// Whether ingest placed a mention in no country (`kind` = `place`: a
/// continent or a sea).
pub(crate) fn mention_broad(kind: Option<&str>) -> bool {
    kind == Some("place")
}

/// The country of a mention placed by ingest (`kind` = `place:CC`).
pub(crate) fn mention_country(kind: Option<&str>) -> Option<String> {
    kind?
        .strip_prefix("place:")
        .filter(|c| c.len() == 2)
        .map(str::to_string)
}

/// Labels of entities that take part in events ("mentioned" links); places
/// have their own role and values ("two", "EUR 4,800") are no actors.
fn actor_label(l: EntityLabel) -> bool {
    !matches!(
        l.to_re3d(),
        EntityLabel::Location
            | EntityLabel::Nationality
            | EntityLabel::Temporal
            | EntityLabel::Quantity
            | EntityLabel::Money
            | EntityLabel::Frequency
    )
}

/// Modalities under which an event did not (or not yet) happen.
fn unreal(modality: Option<&str>) -> bool {
    matches!(
        modality,
        Some("negated" | "hypothetical" | "denied" | "foiled")
    )
}

/// The anchored event mentions of one document. `events` are the document's
/// event facts (same order as `rows` of kind event), `mentions` sorted by start.
pub(crate) fn doc_event_mentions(
    doc: i64,
    text: &str,
    sentences: &[CharSpan],
    mentions: &[DocMention],
    events: &[Event],
    rows: &[FactRow],
) -> Vec<Mention> {
    let mut sentences = sentences.to_vec();
    sentences.sort_unstable_by_key(|s| (s.start, s.end));
    let rows: Vec<&FactRow> = rows.iter().filter(|r| r.kind == FactKind::Event).collect();
    let at = |start: usize, end: usize| {
        mentions
            .iter()
            .filter(move |m| m.start >= start && m.end <= end && m.start < m.end)
    };
    let country_of = |entity: i64| {
        mentions
            .iter()
            .find(|m| m.entity == entity && m.country.is_some())
            .and_then(|m| m.country.clone())
    };
    let label_of = |entity: i64| {
        mentions
            .iter()
            .find(|m| m.entity == entity)
            .map(|m| m.label)
    };
    let broad = |entity: i64| mentions.iter().any(|m| m.entity == entity && m.broad);
    let mut chars: Option<Vec<char>> = None;
    let mut out = Vec::new();
    for (ord, e) in events.iter().enumerate() {
        if e.kind == EventType::Statement || unreal(e.modality.as_deref()) {
            continue;
        }
        let Some(row) = rows.iter().find(|r| r.ord == ord) else {
            continue;
        };
        let trigger = e.trigger.start;
        let i = sentences.partition_point(|s| s.end <= trigger);
        let sentence = sentences
            .get(i)
            .copied()
            .filter(|s| s.start <= trigger)
            .unwrap_or_else(|| cs(row.start, row.end.max(row.start)));
        let date = e
            .arguments
            .iter()
            .filter(|a| a.role == EventRole::Time)
            .find_map(|a| a.value.as_deref().and_then(parse_date));
        let mut places: Vec<i64> = Vec::new();
        let mut links: Vec<(i64, String)> = Vec::new();
        let mut place_ends: Vec<usize> = Vec::new();
        for (a, l) in e.arguments.iter().zip(&row.args) {
            let Some(entity) = l.entity else { continue };
            let label = label_of(entity);
            // Times are the node's date; values ("two people") take no part.
            if a.role == EventRole::Time
                || label.is_some_and(|l| {
                    matches!(
                        l.to_re3d(),
                        EntityLabel::Temporal
                            | EntityLabel::Quantity
                            | EntityLabel::Money
                            | EntityLabel::Frequency
                    )
                })
            {
                continue;
            }
            let is_place = a.role == EventRole::Place
                || (matches!(
                    a.role,
                    EventRole::Target | EventRole::Origin | EventRole::Destination
                ) && label_of(entity).is_some_and(|l| l.to_re3d() == EntityLabel::Location));
            if is_place && !broad(entity) {
                if !places.contains(&entity) {
                    places.push(entity);
                }
                place_ends.push(a.end);
            }
            let role = if is_place && a.role == EventRole::Target {
                "place"
            } else {
                event_role(a.role)
            };
            if !links.iter().any(|x| x.0 == entity && x.1 == role) {
                links.push((entity, role.to_string()));
            }
        }
        // Places qualifying a place: "Triangeln station in Malmö, Sweden".
        while let Some(end) = place_ends.pop() {
            let next = mentions
                .iter()
                .filter(|m| m.start >= end && m.end <= sentence.end)
                .min_by_key(|m| m.start);
            let Some(next) = next else { continue };
            if next.label.to_re3d() != EntityLabel::Location
                || places.contains(&next.entity)
                || next.broad
            {
                continue;
            }
            // A qualifier lies in the same country ("Malmö, Sweden"), unlike
            // the next item of a list ("Malmö, Rotterdam").
            let prev_country = mentions
                .iter()
                .find(|m| m.end == end)
                .and_then(|m| m.country.clone());
            if prev_country.is_some() && next.country.is_some() && prev_country != next.country {
                continue;
            }
            let chars = chars.get_or_insert_with(|| text.chars().collect());
            let gap: String = chars
                .get(end..next.start)
                .map(|g| g.iter().collect())
                .unwrap_or_default();
            let words = gap.split_whitespace().count();
            let joins = gap.contains(',') || gap.split_whitespace().any(|w| w == "in");
            if gap.chars().count() <= 24
                && words <= 3
                && joins
                && !gap.contains([';', ':', '.', '('])
            {
                places.push(next.entity);
                links.push((next.entity, "place".to_string()));
                place_ends.push(next.end);
            }
        }
        let countries: BTreeSet<String> = places.iter().filter_map(|&p| country_of(p)).collect();
        // "attacks in Malmö, Rotterdam and Lyon" names several events.
        if countries.len() > 1 {
            continue;
        }
        let day = date.is_some_and(|d| d.2.is_some());
        if !day && places.is_empty() {
            continue;
        }
        for m in at(sentence.start, sentence.end) {
            if actor_label(m.label) && !links.iter().any(|x| x.0 == m.entity) {
                links.push((m.entity, MENTIONED_ROLE.to_string()));
            }
        }
        let main_place = places
            .iter()
            .copied()
            .find(|&p| country_of(p).is_some())
            .or_else(|| places.first().copied());
        out.push(Mention {
            doc,
            ord,
            kind: e.kind.as_str().to_string(),
            date,
            places,
            countries,
            main_place,
            links,
            span: sentence,
        });
    }
    // A sentence naming several events ("the explosion in Malmö in March or
    // the van attack in Rotterdam in June, Dumontel said") does not tell which
    // one the people in it belong to: they are linked to none.
    let several = |span: CharSpan| {
        let mut places: Vec<&Vec<i64>> = out
            .iter()
            .filter(|m| m.span == span && !m.places.is_empty())
            .map(|m| &m.places)
            .collect();
        places.dedup();
        places.iter().enumerate().any(|(i, a)| {
            places
                .iter()
                .skip(i + 1)
                .any(|b| !a.iter().any(|p| b.contains(p)))
        })
    };
    // Likewise a sentence placing things in several countries ("attacks in
    // Malmö, Rotterdam and Lyon") is a list of events, whatever the extractor
    // made of it.
    let countries_in = |span: CharSpan| {
        at(span.start, span.end)
            .filter_map(|m| m.country.as_deref())
            .collect::<BTreeSet<&str>>()
            .len()
    };
    let crowded: Vec<CharSpan> = out
        .iter()
        .map(|m| m.span)
        .filter(|s| several(*s) || countries_in(*s) > 1)
        .collect();
    for m in &mut out {
        if crowded.contains(&m.span) {
            m.links.retain(|(_, r)| r != MENTIONED_ROLE);
        }
    }
    out
}

/// The anchored event mentions of a document of a batch (`ids`: the entity
/// of each mention), as `cluster` takes them.
pub(crate) fn event_mentions(
    seq: i64,
    doc: &crate::AnalysedDocument,
    ids: &[i64],
    rows: &[FactRow],
) -> (i64, Option<String>, Vec<Mention>) {
    if doc.facts.events.is_empty() {
        return (seq, None, Vec::new());
    }
    let mut dm: Vec<DocMention> = doc
        .mentions
        .iter()
        .zip(ids)
        .map(|(m, id)| DocMention {
            start: m.mention.start,
            end: m.mention.end,
            entity: *id,
            label: m.mention.label,
            country: mention_country(m.mention.kind.as_deref()),
            broad: mention_broad(m.mention.kind.as_deref()),
        })
        .collect();
    dm.sort_by_key(|m| (m.start, m.end));
    let mentions = doc_event_mentions(
        seq,
        &doc.document.text,
        &doc.sentences,
        &dm,
        &doc.facts.events,
        rows,
    );
    (seq, doc.document.published.clone(), mentions)
}

/// What clustering knows of a node.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct NodeSig {
    pub id: i64,
    pub kind: String,
    pub date: Option<String>,
    pub place: Option<i64>,
    pub countries: BTreeSet<String>,
    pub places: BTreeSet<i64>,
    /// Argument participants (not `mentioned`, not places).
    pub participants: BTreeSet<i64>,
    pub mentions: usize,
    pub docs: usize,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// Documents of this batch counted in `docs` (documents of a batch are new).
    pub batch_docs: BTreeSet<i64>,
}

/// Backend access for clustering.
pub(crate) trait EventIo {
    /// Stored nodes of `family` that may match: sharing one of `entities` as a
    /// place or argument participant, or dated in `month` (`YYYY-MM`).
    fn candidates(
        &mut self,
        family: &str,
        entities: &[i64],
        month: Option<&str>,
    ) -> Result<Vec<i64>>;
    /// A stored node with its places and participants.
    fn load(&mut self, id: i64) -> Result<Option<NodeSig>>;
    /// The largest stored node id (0 when none).
    fn max_id(&mut self) -> Result<i64>;
}

/// Why a mention may join a node, or `None` when it must not.
fn compatibility(m: &Mention, n: &NodeSig) -> Option<(u32, Vec<String>)> {
    if !types_compatible(&m.kind, &n.kind) {
        return None;
    }
    let mut strong = 0;
    let mut weak = 0;
    let mut why = Vec::new();
    if let (Some(a), Some(b)) = (m.date, n.date.as_deref().and_then(parse_date)) {
        if a.0 != b.0 {
            return None;
        }
        match (a, b) {
            ((y1, Some(m1), Some(d1)), (y2, Some(m2), Some(d2))) => {
                if (days(y1, m1, d1) - days(y2, m2, d2)).abs() > 1 {
                    return None;
                }
                strong += 1;
                why.push(format!("same day ±1 ({})", format_date(b)));
            }
            ((_, Some(m1), _), (_, Some(m2), _)) => {
                if m1 != m2 {
                    return None;
                }
                weak += 1;
                why.push(format!(
                    "same month ({})",
                    format_date((a.0, Some(m1), None))
                ));
            }
            _ => {}
        }
    }
    if !m.countries.is_empty() && !n.countries.is_empty() && m.countries.is_disjoint(&n.countries) {
        return None;
    }
    if let Some(p) = m.places.iter().find(|p| n.places.contains(p)) {
        strong += 1;
        why.push(format!("same place #{p}"));
    } else if m.countries.iter().any(|c| n.countries.contains(c)) {
        weak += 1;
        why.push("same country".to_string());
    }
    let shared: Vec<i64> = m
        .links
        .iter()
        .filter(|(e, r)| r != MENTIONED_ROLE && r != "place" && n.participants.contains(e))
        .map(|x| x.0)
        .collect();
    if let Some(p) = shared.first() {
        strong += 1;
        why.push(format!("shared participant #{p}"));
    }
    (strong >= 1).then_some((2 * strong + weak, why))
}

/// The result of clustering a batch: nodes to write, mention rows, edges.
#[derive(Debug, Default)]
pub(crate) struct EventBatch {
    /// Nodes created or changed, by id.
    pub nodes: HashMap<i64, NodeSig>,
    /// (node, doc, ord, reason).
    pub members: Vec<(i64, i64, usize, String)>,
    /// Participation edges keyed (entity, node, role).
    pub edges: EdgeBatch,
}

/// Clusters the anchored mentions of new documents (in order) into nodes.
/// `docs` holds (document seq, publication date, mentions).
pub(crate) fn cluster(
    io: &mut dyn EventIo,
    docs: Vec<(i64, Option<String>, Vec<Mention>)>,
) -> Result<EventBatch> {
    let mut batch = EventBatch::default();
    if docs.iter().all(|d| d.2.is_empty()) {
        return Ok(batch);
    }
    let mut next_id = io.max_id()? + 1;
    let mut edges: Vec<Vec<DerivedEdge>> = vec![Vec::new(); docs.len()];
    // Mentions that can found a node go first, so that a mention naming only
    // a day finds the node its place-naming reports make, whatever the order
    // of documents within the batch.
    for founding in [true, false] {
        for (i, (seq, published, mentions)) in docs.iter().enumerate() {
            let date = crate::derive::edge_date(published.as_deref());
            for m in mentions.iter().filter(|m| m.founds() == founding) {
                let Some((id, reason)) = place_mention(io, &mut batch, &mut next_id, m)? else {
                    continue;
                };
                let Some(n) = batch.nodes.get_mut(&id) else {
                    continue;
                };
                absorb(n, m, *seq, date.as_deref());
                batch.members.push((id, *seq, m.ord, reason));
                if let Some(out) = edges.get_mut(i) {
                    out.extend(m.links.iter().map(|(entity, role)| DerivedEdge {
                        src: *entity,
                        dst: id,
                        kind: role.clone(),
                        span: m.span,
                    }));
                }
            }
        }
    }
    for ((seq, published, _), e) in docs.iter().zip(edges) {
        batch.edges.add(*seq, published.as_deref(), e);
    }
    // Only nodes that took a mention need writing.
    let touched: BTreeSet<i64> = batch.members.iter().map(|m| m.0).collect();
    batch.nodes.retain(|id, _| touched.contains(id));
    Ok(batch)
}

/// The node a mention joins (with the reason), a new node when it founds one,
/// or `None` when it can neither join nor found.
fn place_mention(
    io: &mut dyn EventIo,
    batch: &mut EventBatch,
    next_id: &mut i64,
    m: &Mention,
) -> Result<Option<(i64, String)>> {
    let family = event_family(&m.kind).to_string();
    let entities: Vec<i64> = m
        .links
        .iter()
        .filter(|(_, r)| r != MENTIONED_ROLE)
        .map(|x| x.0)
        .collect();
    let month = m
        .date
        .and_then(|d| d.1.map(|mm| format!("{:04}-{mm:02}", d.0)));
    let mut ids = io.candidates(&family, &entities, month.as_deref())?;
    ids.extend(
        batch
            .nodes
            .values()
            .filter(|n| event_family(&n.kind) == family)
            .map(|n| n.id),
    );
    ids.sort_unstable();
    ids.dedup();
    let mut best: Option<(u32, i64, Vec<String>)> = None;
    let mut tie = false;
    for id in ids {
        let n = match batch.nodes.entry(id) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => match io.load(id)? {
                Some(sig) => v.insert(sig),
                None => continue,
            },
        };
        if let Some((score, why)) = compatibility(m, n) {
            match &best {
                Some((b, _, _)) if *b > score => {}
                Some((b, _, _)) if *b == score => tie = true,
                _ => {
                    tie = false;
                    best = Some((score, id, why));
                }
            }
        }
    }
    // Two equally good nodes: the mention cannot tell them apart, and a wrong
    // join would merge two events.
    match best {
        Some((_, id, why)) if !tie => Ok(Some((id, format!("joined: {}", why.join("; "))))),
        _ if m.founds() => {
            let id = *next_id;
            *next_id += 1;
            batch.nodes.insert(
                id,
                NodeSig {
                    id,
                    kind: m.kind.clone(),
                    ..NodeSig::default()
                },
            );
            Ok(Some((id, "new node".to_string())))
        }
        _ => Ok(None),
    }
}

/// Adds a mention to a node's signature and counts.
fn absorb(n: &mut NodeSig, m: &Mention, seq: i64, published: Option<&str>) {
    if specificity(&m.kind) > specificity(&n.kind) {
        n.kind = m.kind.clone();
    }
    let precision = |d: Option<(i32, Option<u32>, Option<u32>)>| {
        d.map_or(0, |d| 1 + u8::from(d.1.is_some()) + u8::from(d.2.is_some()))
    };
    if precision(m.date) > precision(n.date.as_deref().and_then(parse_date)) {
        n.date = m.date.map(format_date);
    }
    n.countries.extend(m.countries.iter().cloned());
    n.places.extend(m.places.iter().copied());
    if n.place.is_none() {
        n.place = m.main_place;
    }
    n.participants.extend(
        m.links
            .iter()
            .filter(|(_, r)| r != MENTIONED_ROLE && r != "place")
            .map(|x| x.0),
    );
    n.mentions += 1;
    if n.batch_docs.insert(seq) {
        n.docs += 1;
        if let Some(d) = published {
            if n.first_seen.as_deref().is_none_or(|f| d < f) {
                n.first_seen = Some(d.to_string());
            }
            if n.last_seen.as_deref().is_none_or(|l| d > l) {
                n.last_seen = Some(d.to_string());
            }
        }
    }
}

/// Comma-joined country codes, as stored.
pub(crate) fn join_countries(c: &BTreeSet<String>) -> String {
    c.iter().cloned().collect::<Vec<_>>().join(",")
}

pub(crate) fn split_countries(s: &str) -> BTreeSet<String> {
    s.split(',')
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

/// Lower-cased type filter entries as (types, families) for SQL.
pub(crate) fn type_filter(types: &[String]) -> Vec<String> {
    types
        .iter()
        .filter_map(|t| t.parse::<EventType>().ok())
        .map(|t| t.as_str().to_string())
        .collect()
}

/// The node's place name and readable name filled in from its place entity.
pub(crate) fn finish_node(mut n: EventNode) -> EventNode {
    n.name = node_name(&n.kind, n.place_name.as_deref(), n.date.as_deref());
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(kind: &str, date: Option<&str>, places: &[i64], countries: &[&str]) -> Mention {
        Mention {
            doc: 1,
            ord: 0,
            kind: kind.into(),
            date: date.and_then(parse_date),
            places: places.to_vec(),
            countries: countries.iter().map(|c| c.to_string()).collect(),
            main_place: places.first().copied(),
            links: places.iter().map(|p| (*p, "place".to_string())).collect(),
            span: CharSpan { start: 0, end: 1 },
        }
    }

    fn node(kind: &str, date: Option<&str>, places: &[i64], countries: &[&str]) -> NodeSig {
        NodeSig {
            id: 1,
            kind: kind.into(),
            date: date.map(str::to_string),
            places: places.iter().copied().collect(),
            countries: countries.iter().map(|c| c.to_string()).collect(),
            ..NodeSig::default()
        }
    }

    #[test]
    fn dates_parse_and_compare() {
        assert_eq!(
            parse_date("2025-09-20T23:00"),
            Some((2025, Some(9), Some(20)))
        );
        assert_eq!(parse_date("2025-03"), Some((2025, Some(3), None)));
        assert_eq!(parse_date("XXXX-02"), None);
        assert_eq!(parse_date("PRESENT_REF"), None);
        assert_eq!(parse_date("2025-13"), None);
        assert_eq!(days(1970, 1, 1), 0);
        assert_eq!(days(2025, 3, 1) - days(2025, 2, 28), 1);
    }

    #[test]
    fn same_attack_joins_and_different_attacks_do_not() {
        let malmo = node("Bombing", Some("2025-03-14"), &[7, 8], &["SE"]);
        // Same place, month-precision date of the same month.
        assert!(compatibility(&m("Bombing", Some("2025-03"), &[7], &["SE"]), &malmo).is_some());
        // A day off by one (publication-relative times) still joins.
        assert!(compatibility(&m("Attack", Some("2025-03-15"), &[], &[]), &malmo).is_some());
        // Different country, different date, different specific type: never.
        assert!(compatibility(&m("Bombing", Some("2026-01-11"), &[9], &["AT"]), &malmo).is_none());
        assert!(compatibility(&m("Bombing", None, &[9], &["AT"]), &malmo).is_none());
        assert!(compatibility(&m("Shooting", Some("2025-03-14"), &[7], &["SE"]), &malmo).is_none());
        assert!(compatibility(&m("Bombing", Some("2025-03-17"), &[7], &["SE"]), &malmo).is_none());
        // Only the same country is not enough.
        assert!(compatibility(&m("Bombing", None, &[10], &["SE"]), &malmo).is_none());
        // Other families never join.
        assert!(compatibility(&m("Arrest", Some("2025-03-14"), &[7], &["SE"]), &malmo).is_none());
    }

    struct NoStore;
    impl EventIo for NoStore {
        fn candidates(&mut self, _: &str, _: &[i64], _: Option<&str>) -> Result<Vec<i64>> {
            Ok(Vec::new())
        }
        fn load(&mut self, _: i64) -> Result<Option<NodeSig>> {
            Ok(None)
        }
        fn max_id(&mut self) -> Result<i64> {
            Ok(0)
        }
    }

    #[test]
    fn a_batch_clusters_its_own_mentions() {
        let docs = vec![
            // Names only a day: joins the node later documents found.
            (0, None, vec![m("Attack", Some("2025-09-19"), &[], &[])]),
            (1, None, vec![m("Bombing", None, &[7], &["SE"])]),
            (
                2,
                None,
                vec![m("Bombing", Some("2025-03-14"), &[8, 7], &["SE"])],
            ),
            (
                3,
                None,
                vec![m("Shooting", Some("2025-09-19"), &[9], &["FR"])],
            ),
            (
                4,
                None,
                vec![m("Attack", Some("2025-09-20"), &[9], &["FR"])],
            ),
            // Neither founds nor joins.
            (5, None, vec![m("Attack", Some("2024-01-01"), &[], &[])]),
        ];
        let b = cluster(&mut NoStore, docs).unwrap();
        assert_eq!(b.nodes.len(), 2);
        let of = |doc: i64| b.members.iter().find(|x| x.1 == doc).unwrap().0;
        assert_eq!(of(1), of(2));
        assert_eq!(of(3), of(4));
        assert_eq!(of(0), of(3));
        assert_ne!(of(1), of(3));
        assert!(b.members.iter().all(|x| x.1 != 5));
        let lyon = &b.nodes[&of(3)];
        assert_eq!(lyon.kind, "Shooting");
        assert_eq!(lyon.docs, 3);
        assert!(b.members.iter().any(|x| x.3.contains("same place")));
    }
}
