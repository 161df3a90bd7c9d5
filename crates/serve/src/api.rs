//! Response bodies. Each has a schema of the same name in the OpenAPI document
//! (`openapi.rs`); the tests check real responses against those schemas.

use crate::params::Params;
use dossier_core::{CharSpan, DocId, EntityLabel};
use dossier_store::{SearchHit, SearchResults, Stats, StoredDocument};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Serialize)]
pub struct Health {
    pub status: &'static str,
    pub version: &'static str,
}

/// A page of a list. `next_offset`/`next` are null on the last page.
#[derive(Debug, Serialize)]
pub struct PageOf<T> {
    pub items: Vec<T>,
    pub limit: usize,
    pub offset: usize,
    /// The `offset` of the next page.
    pub next_offset: Option<usize>,
    /// The next page's path and query, same parameters, offset advanced.
    pub next: Option<String>,
}

impl<T> PageOf<T> {
    /// A page from `limit + 1` fetched rows: the extra row only says that a next
    /// page exists.
    pub fn probe(
        mut rows: Vec<T>,
        params: &Params,
        path: &str,
        limit: usize,
        offset: usize,
    ) -> Self {
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_offset = more.then(|| offset + rows.len());
        PageOf {
            next: next_offset.map(|n| next_link(params, path, n)),
            items: rows,
            limit,
            offset,
            next_offset,
        }
    }
}

/// `path?…&offset=n` with the request's other parameters kept.
pub fn next_link(params: &Params, path: &str, next_offset: usize) -> String {
    let mut pairs: Vec<(&str, String)> = params
        .pairs()
        .into_iter()
        .filter(|(k, _)| *k != "offset")
        .collect();
    pairs.push(("offset", next_offset.to_string()));
    match serde_urlencoded::to_string(&pairs) {
        Ok(q) => format!("{path}?{q}"),
        Err(_) => format!("{path}?offset={next_offset}"),
    }
}

/// Search results: a page of hits plus the total number of matches.
#[derive(Debug, Serialize)]
pub struct SearchPage {
    pub total: usize,
    pub items: Vec<SearchHit>,
    pub limit: usize,
    pub offset: usize,
    pub next_offset: Option<usize>,
    pub next: Option<String>,
}

impl SearchPage {
    pub fn new(r: SearchResults, params: &Params, path: &str, limit: usize, offset: usize) -> Self {
        let end = offset.saturating_add(r.hits.len());
        let next_offset = (!r.hits.is_empty() && end < r.total).then_some(end);
        SearchPage {
            total: r.total,
            next: next_offset.map(|n| next_link(params, path, n)),
            items: r.hits,
            limit,
            offset,
            next_offset,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Count {
    pub name: String,
    pub count: usize,
}

#[derive(Debug, Serialize)]
pub struct StatsOut {
    pub documents: usize,
    pub characters: usize,
    pub mentions: usize,
    pub entities: usize,
    pub near_duplicate_links: usize,
    pub by_format: Vec<Count>,
    pub by_language: Vec<Count>,
    pub by_type: Vec<Count>,
    pub schema_version: i64,
}

fn counts(v: Vec<(String, usize)>) -> Vec<Count> {
    v.into_iter()
        .map(|(name, count)| Count { name, count })
        .collect()
}

impl From<Stats> for StatsOut {
    fn from(s: Stats) -> StatsOut {
        StatsOut {
            documents: s.documents,
            characters: s.characters,
            mentions: s.mentions,
            entities: s.entities,
            near_duplicate_links: s.near_duplicate_links,
            by_format: counts(s.by_format),
            by_language: counts(s.by_language),
            by_type: counts(s.by_label),
            schema_version: s.schema_version,
        }
    }
}

/// A mention in a document, with the entity it was resolved to.
#[derive(Debug, Serialize)]
pub struct MentionOut {
    pub entity_id: i64,
    /// The entity's name within this document.
    pub canonical: String,
    pub start: usize,
    pub end: usize,
    pub label: EntityLabel,
    pub text: String,
    pub confidence: f32,
    pub kind: Option<String>,
    pub normalized: Option<String>,
    pub extractor: String,
}

/// An entity of a document: distinct entities in order of first mention.
#[derive(Debug, Serialize)]
pub struct DocumentEntity {
    pub id: i64,
    pub name: String,
    pub label: EntityLabel,
    /// Mentions of it in this document.
    pub mentions: usize,
}

#[derive(Debug, Serialize)]
pub struct NearDuplicate {
    pub id: DocId,
    pub similarity: f32,
}

#[derive(Debug, Serialize)]
pub struct DocumentDetail {
    pub id: DocId,
    pub parent: Option<DocId>,
    pub source: String,
    pub format: &'static str,
    pub title: Option<String>,
    pub author: Option<String>,
    pub outlet: Option<String>,
    pub url: Option<String>,
    pub published: Option<String>,
    pub language: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub text: String,
    pub mentions: Vec<MentionOut>,
    pub entities: Vec<DocumentEntity>,
    pub sentences: Vec<CharSpan>,
    pub near_duplicates: Vec<NearDuplicate>,
    pub children: Vec<DocId>,
}

impl From<StoredDocument> for DocumentDetail {
    fn from(s: StoredDocument) -> DocumentDetail {
        let mut entities: Vec<DocumentEntity> = Vec::new();
        let mut index: BTreeMap<i64, usize> = BTreeMap::new();
        let mentions = s
            .mentions
            .into_iter()
            .map(|m| {
                match index.get(&m.entity_id) {
                    Some(&i) => {
                        if let Some(e) = entities.get_mut(i) {
                            e.mentions += 1;
                        }
                    }
                    None => {
                        index.insert(m.entity_id, entities.len());
                        entities.push(DocumentEntity {
                            id: m.entity_id,
                            name: m.canonical.clone(),
                            label: m.mention.label,
                            mentions: 1,
                        });
                    }
                }
                MentionOut {
                    entity_id: m.entity_id,
                    canonical: m.canonical,
                    start: m.mention.start,
                    end: m.mention.end,
                    label: m.mention.label,
                    text: m.mention.text,
                    confidence: m.mention.confidence,
                    kind: m.mention.kind,
                    normalized: m.mention.normalized,
                    extractor: m.mention.extractor,
                }
            })
            .collect();
        let d = s.document;
        DocumentDetail {
            id: d.id,
            parent: d.parent,
            source: d.source,
            format: d.format.as_str(),
            title: d.title,
            author: d.author,
            outlet: d.outlet,
            url: d.url,
            published: d.published,
            language: d.language,
            metadata: d.metadata,
            text: d.text,
            mentions,
            entities,
            sentences: s.sentences,
            near_duplicates: s
                .near_duplicates
                .into_iter()
                .map(|(id, similarity)| NearDuplicate { id, similarity })
                .collect(),
            children: s.children,
        }
    }
}
