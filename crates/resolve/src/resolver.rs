//! Cross-document resolution: an incremental [`Resolver`] that assigns each chain of
//! each new document to an existing entity or a new one.
//!
//! Candidates come from a blocking index (exact keys, surnames, initials, name tokens),
//! so the cost of a document grows with its own mentions, not with the base. Each
//! candidate is scored by name (same key or known alias; compatible full names;
//! surname or acronym only; fuzzy spelling) and, unless the name alone is decisive,
//! must share context with the chain: co-mentioned entities, role words, rare words
//! of the sentences. That is what keeps two Johnsons of two stories apart: a lone
//! "Johnson" joins an entity only when the stories share something, and two full
//! names with different given names never meet.
//!
//! Every assignment keeps its [`MergeReason`] (rule, scores, shared context) so a UI
//! can answer "why are these the same?". Analyst decisions come in as plain
//! [`Constraint`]s over mention references and are honoured whenever the mentions
//! are seen, so replaying stored decisions before (re)feeding documents reproduces
//! them.

use crate::aliases::AliasTable;
use crate::chains::{chain_document, Chain, MentionInput};
use crate::normalize::{fold, initials, is_acronym, match_key, name_tokens, skeleton, Kind};
use dossier_core::{CharSpan, EntityLabel};
use rustc_hash::{FxHashMap, FxHashSet, FxHasher};
use serde::{Deserialize, Serialize};
use std::hash::{Hash, Hasher};

/// An entity id, dense from 0 in order of creation.
pub type EntityId = u32;

/// A mention by document id and code point span: how analyst decisions name mentions.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MentionRef {
    pub doc: String,
    pub start: usize,
    pub end: usize,
}

/// An analyst decision. Serialised as `{"same": [A, B]}` / `{"not_same": [A, B]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Constraint {
    /// The two mentions name the same entity.
    Same(MentionRef, MentionRef),
    /// The two mentions never name the same entity.
    NotSame(MentionRef, MentionRef),
}

/// The rule that put a chain into an existing entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// Same normalised name (transliteration variants included).
    SameName,
    /// Names listed as aliases of one known entity (ISIL = Daesh).
    KnownAlias,
    /// Both resolved to the same gazetteer place.
    SamePlace,
    /// Full names with the same surname and compatible given names (initial,
    /// spelling variant), confirmed by shared context.
    CompatibleFullName,
    /// Only a surname (or given name) in common, confirmed by shared context.
    SurnameAndContext,
    /// An acronym and a long name with those initials, confirmed by shared context.
    AcronymAndContext,
    /// Near-identical spelling, confirmed by shared context.
    FuzzyName,
    /// One name is a short form of the other (its first words), confirmed by shared
    /// context.
    ShortForm,
    /// An analyst said so (`Constraint::Same`).
    Analyst,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::SameName => "same-name",
            Rule::KnownAlias => "known-alias",
            Rule::SamePlace => "same-place",
            Rule::CompatibleFullName => "compatible-full-name",
            Rule::SurnameAndContext => "surname-and-context",
            Rule::AcronymAndContext => "acronym-and-context",
            Rule::FuzzyName => "fuzzy-name",
            Rule::ShortForm => "short-form",
            Rule::Analyst => "analyst",
        }
    }
}

/// Why a chain joined an entity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MergeReason {
    pub rule: Rule,
    /// Strength of the name evidence (1 = identical key).
    pub name_score: f32,
    /// Weighted shared context (see the module docs).
    pub context_score: f32,
    /// The shared context items ("co:org:islamic state", "role:mayor", "w:harbour").
    pub shared_context: Vec<String>,
    /// The entity's name the chain matched.
    pub matched_name: String,
}

/// One assignment of a document chain to an entity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Link {
    pub doc: String,
    /// The chain's best name (or its first mention's text for nominal-only chains).
    pub name: String,
    pub mentions: usize,
    pub entity: EntityId,
    /// `None` when the chain started the entity.
    pub reason: Option<MergeReason>,
}

/// What the resolver knows about an entity.
#[derive(Debug, Clone)]
pub struct Entity {
    pub kind: Kind,
    pub label: EntityLabel,
    /// Distinct names seen, first-seen first (at most [`MAX_NAMES`]).
    pub names: Vec<String>,
    pub docs: u32,
    pub mentions: u32,
    /// Gazetteer place key, for places.
    pub place: Option<crate::places::Place>,
    /// Person full names as (given, surname) skeletons.
    fulls: Vec<(String, String)>,
    /// Context item → count (at most [`MAX_CONTEXT`] items).
    ctx: FxHashMap<u32, u32>,
    /// Linkable: false for singleton entities of unresolved nominals and pronouns.
    linkable: bool,
    /// Cached for weak matching (see [`ChainFeatures`]): lone person names, acronyms,
    /// initials of long names, match keys of names.
    singles: Vec<String>,
    acronyms: Vec<String>,
    long_initials: Vec<String>,
    name_keys: Vec<String>,
}

const MAX_NAMES: usize = 16;
const MAX_FULLS: usize = 8;
const MAX_CONTEXT: usize = 256;
/// Blocks larger than this are too common to scan for weak matches (a surname shared
/// by thousands of entities): exact keys still work, weak links are skipped.
const MAX_BLOCK_SCAN: usize = 400;
/// Name-token blocks ("dynamics") are scanned only when rare: they serve spelling
/// variants and short forms, which need a distinctive word.
const MAX_TOKEN_BLOCK_SCAN: usize = 50;

/// Context needed for each rule (see [`Resolver`] docs).
const NEED_COMPATIBLE: f32 = 0.5;
const NEED_SURNAME: f32 = 1.0;
const NEED_ACRONYM: f32 = 1.0;
const NEED_FUZZY: f32 = 0.5;
const NEED_SHORT: f32 = 0.8;
const FUZZY_MIN: f64 = 0.93;

/// Features of one chain, computed once.
struct ChainFeatures {
    kind: Kind,
    strong: Vec<u64>,
    strong_rule: Vec<Rule>,
    /// Weak blocking keys (surname, initials) and name-token keys.
    weak: Vec<u64>,
    weak_tokens: Vec<u64>,
    fulls: Vec<(String, String)>,
    /// Single-word person names (surname or given name alone), skeletons.
    singles: Vec<String>,
    /// Org acronyms (letters) and long-name initials.
    acronyms: Vec<String>,
    long_initials: Vec<String>,
    /// Name keys for fuzzy comparison.
    name_keys: Vec<String>,
    ctx: Vec<u32>,
}

fn h(s: &str) -> u64 {
    let mut x = FxHasher::default();
    s.hash(&mut x);
    x.finish()
}

/// The incremental cross-document resolver.
#[derive(Default)]
pub struct Resolver {
    entities: Vec<Entity>,
    /// Union-find parent, for analyst merges of existing entities.
    parent: Vec<EntityId>,
    strong_index: FxHashMap<u64, Vec<EntityId>>,
    weak_index: FxHashMap<u64, Vec<EntityId>>,
    /// Context item strings ↔ ids, and how many entities have each.
    ctx_ids: FxHashMap<String, u32>,
    ctx_names: Vec<String>,
    ctx_df: Vec<u32>,
    links: Vec<Link>,
    links_of: Vec<Vec<u32>>,
    /// Analyst constraints by mention.
    same: FxHashMap<MentionRef, Vec<MentionRef>>,
    not_same: FxHashMap<MentionRef, Vec<MentionRef>>,
    /// Where every mention went: document → (start, end, entity), so analyst
    /// decisions can name any mention already seen.
    placed: FxHashMap<String, Vec<(usize, usize, EntityId)>>,
    linkable_count: u32,
}

/// One document for [`Resolver::add_documents`].
#[derive(Debug, Clone, Copy)]
pub struct DocInput<'a> {
    pub id: &'a str,
    pub text: &'a str,
    /// Code point sentence spans.
    pub sentences: &'a [CharSpan],
    pub mentions: &'a [MentionInput],
}

/// The result for one document.
#[derive(Debug, Clone)]
pub struct DocResolution {
    pub chains: Vec<Chain>,
    /// Entity of each chain.
    pub chain_entity: Vec<EntityId>,
    /// Entity of each input mention.
    pub mention_entity: Vec<EntityId>,
}

impl Resolver {
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of entities created (merged ones included).
    pub fn len(&self) -> usize {
        self.entities.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entities.is_empty()
    }

    /// True when some person entity has this word (a lone name) as surname: lets a
    /// caller label "Varga" a person once "Helena Varga" is known.
    pub fn is_known_surname(&self, word: &str) -> bool {
        let k = match_key(Kind::Person, word);
        if k.contains(' ') || k.is_empty() {
            return false;
        }
        self.weak_index
            .get(&h(&format!("sur:{k}")))
            .is_some_and(|v| {
                v.iter().any(|&e| {
                    self.entities
                        .get(e as usize)
                        .is_some_and(|x| x.kind == Kind::Person && !x.fulls.is_empty())
                })
            })
    }

    /// The entity a mention was put in, if it has been seen.
    pub fn entity_of(&self, m: &MentionRef) -> Option<EntityId> {
        self.placed
            .get(&m.doc)?
            .iter()
            .find(|(s, e, _)| *s == m.start && *e == m.end)
            .map(|&(_, _, id)| self.find(id))
    }

    /// The representative of an entity (after analyst merges).
    pub fn find(&self, mut id: EntityId) -> EntityId {
        while let Some(&p) = self.parent.get(id as usize) {
            if p == id {
                break;
            }
            id = p;
        }
        id
    }

    pub fn entity(&self, id: EntityId) -> Option<&Entity> {
        self.entities.get(self.find(id) as usize)
    }

    /// Every assignment into an entity (and entities merged into it), oldest first:
    /// the "why are these the same?" answer.
    pub fn explain(&self, id: EntityId) -> Vec<&Link> {
        let root = self.find(id);
        let mut out: Vec<&Link> = Vec::new();
        for (e, links) in self.links_of.iter().enumerate() {
            if self.find(e as EntityId) == root {
                out.extend(links.iter().filter_map(|&l| self.links.get(l as usize)));
            }
        }
        out
    }

    /// Adds an analyst decision. Decisions over mentions not yet seen apply when the
    /// documents come; `Same` over two placed mentions merges their entities now.
    /// A `NotSame` over two mentions already in one entity cannot split it here:
    /// returns false, and the caller replays (feeds the documents again with the
    /// decision given first).
    pub fn add_constraint(&mut self, c: Constraint) -> bool {
        match c {
            Constraint::Same(a, b) => {
                self.same.entry(a.clone()).or_default().push(b.clone());
                self.same.entry(b.clone()).or_default().push(a.clone());
                if let (Some(ea), Some(eb)) = (self.entity_of(&a), self.entity_of(&b)) {
                    let (ra, rb) = (self.find(ea), self.find(eb));
                    if ra != rb {
                        let (keep, gone) = (ra.min(rb), ra.max(rb));
                        if let Some(p) = self.parent.get_mut(gone as usize) {
                            *p = keep;
                        }
                        let names: Vec<String> = self
                            .entities
                            .get(gone as usize)
                            .map(|e| e.names.clone())
                            .unwrap_or_default();
                        if let Some(e) = self.entities.get_mut(keep as usize) {
                            for n in names {
                                if e.names.len() < MAX_NAMES && !e.names.contains(&n) {
                                    e.names.push(n);
                                }
                            }
                        }
                    }
                }
                true
            }
            Constraint::NotSame(a, b) => {
                self.not_same.entry(a.clone()).or_default().push(b.clone());
                self.not_same.entry(b.clone()).or_default().push(a.clone());
                match (self.entity_of(&a), self.entity_of(&b)) {
                    (Some(ea), Some(eb)) => ea != eb,
                    _ => true,
                }
            }
        }
    }

    /// Resolves one document: in-document chains ([`chain_document`]), then each chain
    /// to an entity. `sentences` are code point spans (empty: one sentence).
    pub fn add_document(
        &mut self,
        doc_id: &str,
        text: &str,
        sentences: &[CharSpan],
        mentions: &[MentionInput],
    ) -> DocResolution {
        let (chains, chain_of) = chain_document(text, sentences, mentions);
        let chain_entity = self.add_chains(doc_id, &chains, mentions);
        let mention_entity = chain_of
            .iter()
            .map(|&c| chain_entity.get(c).copied().unwrap_or(0))
            .collect();
        DocResolution {
            chains,
            chain_entity,
            mention_entity,
        }
    }

    /// Resolves a batch of documents, in order, with the same result as calling
    /// [`Resolver::add_document`] on each: the in-document step (independent per
    /// document) runs on up to `threads` threads, the assignment to entities in order.
    pub fn add_documents(&mut self, docs: &[DocInput<'_>], threads: usize) -> Vec<DocResolution> {
        let threads = threads.clamp(1, 64).min(docs.len().max(1));
        let chunk = docs.len().div_ceil(threads).max(1);
        let work = |d: &DocInput<'_>| {
            let (chains, chain_of) = chain_document(d.text, d.sentences, d.mentions);
            let prepared = prepare(&chains);
            (chains, chain_of, prepared)
        };
        let chained: Vec<(Vec<Chain>, Vec<usize>, Prepared)> = if threads == 1 {
            docs.iter().map(work).collect()
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = docs
                    .chunks(chunk)
                    .map(|part| scope.spawn(move || part.iter().map(work).collect::<Vec<_>>()))
                    .collect();
                handles
                    .into_iter()
                    // A worker can only fail by panicking; resolve its part here then,
                    // so the panic surfaces in the caller's thread as usual.
                    .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                    .collect()
            })
        };
        docs.iter()
            .zip(chained)
            .map(|(d, (chains, chain_of, prepared))| {
                let chain_entity = self.add_prepared(d.id, &chains, d.mentions, prepared);
                let mention_entity = chain_of
                    .iter()
                    .map(|&c| chain_entity.get(c).copied().unwrap_or(0))
                    .collect();
                DocResolution {
                    chains,
                    chain_entity,
                    mention_entity,
                }
            })
            .collect()
    }

    /// Assigns the chains of one document to entities; returns the entity of each chain.
    pub fn add_chains(
        &mut self,
        doc_id: &str,
        chains: &[Chain],
        mentions: &[MentionInput],
    ) -> Vec<EntityId> {
        let prepared = prepare(chains);
        self.add_prepared(doc_id, chains, mentions, prepared)
    }

    /// The sequential part of [`Resolver::add_chains`]: interning the context and
    /// assigning each chain.
    fn add_prepared(
        &mut self,
        doc_id: &str,
        chains: &[Chain],
        mentions: &[MentionInput],
        prepared: Prepared,
    ) -> Vec<EntityId> {
        // Co-mention context interned once per document; each chain sees the others'.
        let co_ids: Vec<Vec<u32>> = prepared
            .co
            .iter()
            .map(|ks| ks.iter().map(|k| self.intern(k)).collect())
            .collect();
        let mut feats = prepared.feats;
        for (ci, f) in feats.iter_mut().enumerate() {
            let mut ctx: Vec<u32> = Vec::new();
            for (cj, ids) in co_ids.iter().enumerate() {
                if cj != ci {
                    ctx.extend_from_slice(ids);
                }
            }
            if let Some(own) = prepared.own.get(ci) {
                for item in own {
                    ctx.push(self.intern(item));
                }
            }
            ctx.sort_unstable();
            ctx.dedup();
            f.ctx = ctx;
        }
        let mut out = Vec::with_capacity(chains.len());
        // Doc-level: two chains of one document are never one entity (the in-document
        // step already decided they differ).
        let mut used: FxHashSet<EntityId> = FxHashSet::default();
        for (ci, ch) in chains.iter().enumerate() {
            let refs: Vec<MentionRef> = ch
                .mentions
                .iter()
                .filter_map(|&m| mentions.get(m))
                .map(|m| MentionRef {
                    doc: doc_id.to_string(),
                    start: m.start,
                    end: m.end,
                })
                .collect();
            let Some(f) = feats.get(ci) else { continue };
            let (entity, reason) = self.assign(ch, f, &refs, &used);
            used.insert(self.find(entity));
            self.absorb(entity, ch, f);
            let slot = self.placed.entry(doc_id.to_string()).or_default();
            slot.extend(refs.iter().map(|r| (r.start, r.end, entity)));
            let name = ch
                .names
                .first()
                .cloned()
                .or_else(|| {
                    ch.mentions
                        .first()
                        .and_then(|&m| mentions.get(m))
                        .map(|m| m.text.clone())
                })
                .unwrap_or_default();
            let li = self.links.len() as u32;
            self.links.push(Link {
                doc: doc_id.to_string(),
                name,
                mentions: ch.mentions.len(),
                entity,
                reason,
            });
            if let Some(v) = self.links_of.get_mut(entity as usize) {
                v.push(li);
            }
            out.push(self.find(entity));
        }
        out
    }

    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.ctx_ids.get(s) {
            return i;
        }
        let i = self.ctx_names.len() as u32;
        self.ctx_ids.insert(s.to_string(), i);
        self.ctx_names.push(s.to_string());
        self.ctx_df.push(0);
        i
    }

    /// Weight of a shared context item: co-mentions and roles count fully, sentence
    /// words a third; all scaled down when the item is common among entities.
    fn weight(&self, item: u32) -> f32 {
        let name = self
            .ctx_names
            .get(item as usize)
            .map(String::as_str)
            .unwrap_or("");
        let base = if name.starts_with("w:") { 0.35 } else { 1.0 };
        let df = self.ctx_df.get(item as usize).copied().unwrap_or(0) as f32;
        // A small base would make every item look common; judge rarity as if the base
        // had at least a few hundred entities.
        let n = (self.linkable_count as f32).max(300.0);
        let idf = (((n + 1.0) / (df + 0.5)).ln() / 10f32.ln()).clamp(0.15, 1.0);
        base * idf
    }

    fn context(&self, e: &Entity, f: &ChainFeatures) -> (f32, Vec<u32>) {
        let mut score = 0.0;
        let mut shared = Vec::new();
        for &item in &f.ctx {
            if e.ctx.contains_key(&item) {
                score += self.weight(item);
                shared.push(item);
            }
        }
        (score, shared)
    }

    /// Chooses the entity of a chain: analyst constraints first, then the best
    /// candidate that passes its rule's bar, else a new entity.
    fn assign(
        &mut self,
        ch: &Chain,
        f: &ChainFeatures,
        refs: &[MentionRef],
        used: &FxHashSet<EntityId>,
    ) -> (EntityId, Option<MergeReason>) {
        // Analyst "not same" partners are forbidden outright; entities already given to
        // another chain of this document only for weak matches (a same-name or alias
        // match reunites what the in-document step missed, like "GM" before "General
        // Motors" in a story that never spells out the acronym).
        let mut forbidden: FxHashSet<EntityId> = FxHashSet::default();
        for r in refs {
            for p in self.not_same.get(r).into_iter().flatten() {
                if let Some(e) = self.entity_of(p) {
                    forbidden.insert(e);
                }
            }
        }
        for r in refs {
            for p in self.same.get(r).into_iter().flatten() {
                if let Some(e) = self.entity_of(p) {
                    if !forbidden.contains(&e) {
                        return (
                            e,
                            Some(MergeReason {
                                rule: Rule::Analyst,
                                name_score: 0.0,
                                context_score: 0.0,
                                shared_context: Vec::new(),
                                matched_name: self
                                    .entity(e)
                                    .and_then(|x| x.names.first().cloned())
                                    .unwrap_or_default(),
                            }),
                        );
                    }
                }
            }
        }
        if !ch.linkable {
            return (self.new_entity(ch), None);
        }
        // (score, entity, reason)
        let mut best: Option<(f32, EntityId, MergeReason)> = None;
        let consider = |this: &Self,
                        e: EntityId,
                        rule: Rule,
                        name_score: f32,
                        need: f32,
                        best: &mut Option<(f32, EntityId, MergeReason)>| {
            let e = this.find(e);
            if forbidden.contains(&e) || name_score < 1.0 && used.contains(&e) {
                return;
            }
            let Some(ent) = this.entities.get(e as usize) else {
                return;
            };
            if !ent.linkable || ent.kind != f.kind {
                return;
            }
            let (ctx, shared) = this.context(ent, f);
            if ctx < need {
                return;
            }
            let total = name_score * 10.0 + ctx;
            if best.as_ref().is_none_or(|b| total > b.0) {
                *best = Some((
                    total,
                    e,
                    MergeReason {
                        rule,
                        name_score,
                        context_score: ctx,
                        shared_context: shared
                            .iter()
                            .take(12)
                            .filter_map(|&i| this.ctx_names.get(i as usize).cloned())
                            .collect(),
                        matched_name: ent.names.first().cloned().unwrap_or_default(),
                    },
                ));
            }
        };
        // Strong keys: identical normalised name, known alias or gazetteer place.
        for (k, rule) in f.strong.iter().zip(f.strong_rule.iter()) {
            let cands: Vec<EntityId> = self.strong_index.get(k).cloned().unwrap_or_default();
            for e in cands {
                // Two full names with one key but a person's conflicting context are
                // still one name: identical full names merge without context.
                consider(self, e, *rule, 1.0, 0.0, &mut best);
            }
        }
        if best.is_none() {
            // Weak blocks: surnames, initials, name tokens.
            let mut seen: FxHashSet<(EntityId, bool)> = FxHashSet::default();
            let blocks = f.weak.iter().map(|k| (k, MAX_BLOCK_SCAN, false)).chain(
                f.weak_tokens
                    .iter()
                    .map(|k| (k, MAX_TOKEN_BLOCK_SCAN, true)),
            );
            for (k, cap, by_token) in blocks {
                let Some(cands) = self.weak_index.get(k) else {
                    continue;
                };
                if cands.len() > cap {
                    continue;
                }
                let cands = cands.clone();
                for e in cands {
                    let e = self.find(e);
                    if !seen.insert((e, by_token)) {
                        continue;
                    }
                    let Some(ent) = self.entities.get(e as usize) else {
                        continue;
                    };
                    if ent.kind != f.kind {
                        continue;
                    }
                    if let Some((rule, score, need)) = weak_match(ent, f, by_token) {
                        consider(self, e, rule, score, need, &mut best);
                    }
                }
            }
        }
        match best {
            Some((_, e, reason)) => (e, Some(reason)),
            None => (self.new_entity(ch), None),
        }
    }

    fn new_entity(&mut self, ch: &Chain) -> EntityId {
        let id = self.entities.len() as EntityId;
        self.entities.push(Entity {
            kind: ch.kind,
            label: ch.label,
            names: Vec::new(),
            docs: 0,
            mentions: 0,
            place: ch.place.clone(),
            fulls: Vec::new(),
            ctx: FxHashMap::default(),
            linkable: ch.linkable,
            singles: Vec::new(),
            acronyms: Vec::new(),
            long_initials: Vec::new(),
            name_keys: Vec::new(),
        });
        self.parent.push(id);
        self.links_of.push(Vec::new());
        if ch.linkable {
            self.linkable_count += 1;
        }
        id
    }

    /// Adds a chain's names, keys and context to its entity and the index.
    fn absorb(&mut self, id: EntityId, ch: &Chain, f: &ChainFeatures) {
        let id = self.find(id);
        let Some(e) = self.entities.get_mut(id as usize) else {
            return;
        };
        e.docs += 1;
        e.mentions += ch.mentions.len() as u32;
        if !e.linkable {
            return;
        }
        for n in &ch.names {
            if e.names.len() < MAX_NAMES && !e.names.contains(n) {
                e.names.push(n.clone());
            }
        }
        for full in &f.fulls {
            if e.fulls.len() < MAX_FULLS && !e.fulls.contains(full) {
                e.fulls.push(full.clone());
            }
        }
        for (from, to) in [
            (&f.singles, &mut e.singles),
            (&f.acronyms, &mut e.acronyms),
            (&f.long_initials, &mut e.long_initials),
            (&f.name_keys, &mut e.name_keys),
        ] {
            for x in from {
                if to.len() < MAX_NAMES && !to.contains(x) {
                    to.push(x.clone());
                }
            }
        }
        let mut new_items = Vec::new();
        for &item in &f.ctx {
            if let Some(c) = e.ctx.get_mut(&item) {
                *c += 1;
            } else if e.ctx.len() < MAX_CONTEXT {
                e.ctx.insert(item, 1);
                new_items.push(item);
            }
        }
        for item in new_items {
            if let Some(df) = self.ctx_df.get_mut(item as usize) {
                *df += 1;
            }
        }
        for &k in &f.strong {
            let v = self.strong_index.entry(k).or_default();
            if !v.contains(&id) {
                v.push(id);
            }
        }
        for &k in f.weak.iter().chain(&f.weak_tokens) {
            let v = self.weak_index.entry(k).or_default();
            if v.last() != Some(&id) && !v.contains(&id) {
                v.push(id);
            }
        }
    }
}

/// What can be computed for a document's chains without the resolver's state (so
/// it can run on other threads): co-mention items, own context items, name features.
struct Prepared {
    co: Vec<Vec<String>>,
    own: Vec<Vec<String>>,
    feats: Vec<ChainFeatures>,
}

fn prepare(chains: &[Chain]) -> Prepared {
    Prepared {
        co: chains
            .iter()
            .map(|ch| co_keys(ch).into_iter().map(|k| format!("co:{k}")).collect())
            .collect(),
        own: chains
            .iter()
            .map(|ch| {
                ch.roles
                    .iter()
                    .map(|r| format!("role:{r}"))
                    .chain(ch.words.iter().map(|w| format!("w:{w}")))
                    .collect()
            })
            .collect(),
        feats: chains.iter().map(|ch| features(ch, Vec::new())).collect(),
    }
}

/// The co-mention keys of a chain (what other chains of the document see of it): one
/// per name, so "NCB" in one story and "Northern Crescent Brigade (NCB)" in another
/// are seen as shared context.
fn co_keys(ch: &Chain) -> Vec<String> {
    if !ch.linkable {
        return Vec::new();
    }
    if let Some(p) = &ch.place {
        return vec![format!("place:{}", p.key())];
    }
    let mut out: Vec<String> = Vec::new();
    for name in ch.names.iter().take(4) {
        let k = match_key(ch.kind, name);
        let k = AliasTable::global()
            .lookup_key(ch.kind, &k)
            .map(|e| match_key(ch.kind, &e.canonical))
            .unwrap_or(k);
        let k = format!("{}:{}", ch.kind.prefix(), k);
        if !out.contains(&k) {
            out.push(k);
        }
    }
    out
}

fn features(ch: &Chain, ctx: Vec<u32>) -> ChainFeatures {
    let kind = ch.kind;
    let mut f = ChainFeatures {
        kind,
        strong: Vec::new(),
        strong_rule: Vec::new(),
        weak: Vec::new(),
        weak_tokens: Vec::new(),
        fulls: Vec::new(),
        singles: Vec::new(),
        acronyms: Vec::new(),
        long_initials: Vec::new(),
        name_keys: Vec::new(),
        ctx,
    };
    if !ch.linkable {
        return f;
    }
    let push_strong = |f: &mut ChainFeatures, k: String, rule: Rule| {
        let hk = h(&k);
        if !f.strong.contains(&hk) {
            f.strong.push(hk);
            f.strong_rule.push(rule);
        }
    };
    if let Some(p) = &ch.place {
        push_strong(&mut f, format!("place:{}", p.key()), Rule::SamePlace);
        return f;
    }
    let aliases = AliasTable::global();
    for name in &ch.names {
        let key = match_key(kind, name);
        if key.is_empty() {
            continue;
        }
        match kind {
            Kind::Person => {
                let toks = name_tokens(kind, name);
                if toks.len() >= 2 {
                    push_strong(&mut f, format!("per:{key}"), Rule::SameName);
                    let given = skeleton(toks.first().map(String::as_str).unwrap_or(""));
                    let sur = skeleton(toks.last().map(String::as_str).unwrap_or(""));
                    f.weak.push(h(&format!("sur:{sur}")));
                    if !f.fulls.contains(&(given.clone(), sur.clone())) {
                        f.fulls.push((given, sur));
                    }
                } else {
                    f.weak.push(h(&format!("sur:{key}")));
                    f.singles.push(key);
                }
            }
            _ => {
                if let Some(e) = aliases.lookup_key(kind, &key) {
                    let canon = match_key(kind, &e.canonical);
                    push_strong(
                        &mut f,
                        format!("{}:{canon}", kind.prefix()),
                        Rule::KnownAlias,
                    );
                }
                push_strong(&mut f, format!("{}:{key}", kind.prefix()), Rule::SameName);
                let letters = fold(name).replace(' ', "");
                if is_acronym(name) {
                    f.weak.push(h(&format!("ini:{letters}")));
                    f.acronyms.push(letters);
                } else {
                    let ini = initials(name);
                    if ini.chars().count() >= 2 {
                        f.weak.push(h(&format!("ini:{ini}")));
                        f.long_initials.push(ini);
                    }
                    for t in key.split(' ').filter(|t| t.len() >= 4) {
                        f.weak_tokens.push(h(&format!("tok:{t}")));
                    }
                    f.name_keys.push(key);
                }
            }
        }
    }
    f.weak.sort_unstable();
    f.weak.dedup();
    f.weak_tokens.sort_unstable();
    f.weak_tokens.dedup();
    f
}

/// Given names compatible: equal skeletons, an initial of the other, or a close
/// spelling (Jon / John).
fn given_compatible(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (sa, sb) = (a.chars().count(), b.chars().count());
    if a.chars().next() != b.chars().next() {
        return false;
    }
    if sa == 1 || sb == 1 {
        return true;
    }
    strsim::jaro_winkler(a, b) >= 0.9
}

/// A weak name match between an entity and a chain: (rule, name score, context bar).
/// `by_token`: the candidate came from a name-token block (spelling and short-form
/// rules apply), else from a surname or initials block.
fn weak_match(e: &Entity, f: &ChainFeatures, by_token: bool) -> Option<(Rule, f32, f32)> {
    match f.kind {
        Kind::Person => {
            // Full name against full name: same surname, given names must agree.
            let mut any_full_pair = false;
            for (g, s) in &f.fulls {
                for (eg, es) in &e.fulls {
                    if s == es {
                        any_full_pair = true;
                        if given_compatible(g, eg) {
                            return Some((Rule::CompatibleFullName, 0.8, NEED_COMPATIBLE));
                        }
                    }
                }
            }
            if any_full_pair {
                // Same surname, different given names: different people.
                return None;
            }
            // A lone surname (either side) against a surname.
            let chain_surnames = f.fulls.iter().map(|(_, s)| s).chain(f.singles.iter());
            for s in chain_surnames {
                if e.fulls.iter().any(|(_, es)| es == s) || e.singles.contains(s) {
                    return Some((Rule::SurnameAndContext, 0.5, NEED_SURNAME));
                }
            }
            None
        }
        _ => {
            let e_keys = &e.name_keys;
            // Acronym ↔ long name.
            if f.acronyms.iter().any(|a| e.long_initials.contains(a))
                || f.long_initials.iter().any(|i| e.acronyms.contains(i))
            {
                return Some((Rule::AcronymAndContext, 0.6, NEED_ACRONYM));
            }
            if !by_token {
                return None;
            }
            // A short form: the words of one name start the other ("Kestrel" /
            // "Kestrel Dynamics").
            for k in &f.name_keys {
                for ek in e_keys {
                    let (short, long) = if k.len() < ek.len() { (k, ek) } else { (ek, k) };
                    if short.len() >= 4
                        && long.starts_with(short.as_str())
                        && long.as_bytes().get(short.len()) == Some(&b' ')
                    {
                        return Some((Rule::ShortForm, 0.6, NEED_SHORT));
                    }
                }
            }
            // Near-identical spelling.
            for k in &f.name_keys {
                for ek in e_keys {
                    // Lengths far apart cannot reach the bar: skip the comparison.
                    let (la, lb) = (k.len(), ek.len());
                    if k.len() >= 6
                        && la.abs_diff(lb) * 5 <= la.max(lb)
                        && strsim::jaro_winkler(k, ek) >= FUZZY_MIN
                    {
                        return Some((Rule::FuzzyName, 0.7, NEED_FUZZY));
                    }
                }
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chains::simple_sentences;
    use EntityLabel::{Location as L, Organisation as O, Person as P};

    /// Mentions found in `text` in order of the given list.
    fn doc(text: &str, spans: &[(&str, EntityLabel)]) -> Vec<MentionInput> {
        let mut out = Vec::new();
        let mut from = 0;
        for (s, label) in spans {
            let byte = text.get(from..).and_then(|t| t.find(s)).map(|b| b + from);
            let Some(byte) = byte else {
                panic!("{s} not in text")
            };
            let start = text.get(..byte).map(|p| p.chars().count()).unwrap_or(0);
            out.push(MentionInput {
                start,
                end: start + s.chars().count(),
                label: *label,
                text: s.to_string(),
            });
            from = byte + s.len();
        }
        out
    }

    fn add(r: &mut Resolver, id: &str, text: &str, spans: &[(&str, EntityLabel)]) -> Vec<EntityId> {
        let ms = doc(text, spans);
        r.add_document(id, text, &simple_sentences(text), &ms)
            .mention_entity
    }

    #[test]
    fn lone_surname_needs_shared_context_to_join() {
        let mut r = Resolver::new();
        let a = add(
            &mut r,
            "a",
            "Mark Johnson, the mayor of Eastport, closed the harbour.",
            &[("Mark Johnson", P), ("Eastport", L)],
        );
        // Same surname, nothing shared: a new entity.
        let b = add(
            &mut r,
            "b",
            "Johnson, a carpenter from Lindale, won the lottery.",
            &[("Johnson", P), ("Lindale", L)],
        );
        assert_ne!(a[0], b[0]);
        // Same surname, shared place and role: the mayor.
        let c = add(
            &mut r,
            "c",
            "Mayor Johnson reopened the harbour in Eastport.",
            &[("Mayor Johnson", P), ("Eastport", L)],
        );
        assert_eq!(c[0], a[0]);
        let why = r.explain(a[0]);
        let reason = why
            .iter()
            .find_map(|l| l.reason.as_ref())
            .expect("the merge keeps its reason");
        assert_eq!(reason.rule, Rule::SurnameAndContext);
        assert!(
            reason.shared_context.iter().any(|s| s.contains("eastport")),
            "{reason:?}"
        );
    }

    #[test]
    fn different_given_names_never_merge() {
        let mut r = Resolver::new();
        let a = add(
            &mut r,
            "a",
            "Helena Varga visited Eastport.",
            &[("Helena Varga", P), ("Eastport", L)],
        );
        let b = add(
            &mut r,
            "b",
            "Tomas Varga visited Eastport.",
            &[("Tomas Varga", P), ("Eastport", L)],
        );
        assert_ne!(a[0], b[0]);
        assert_eq!(a[1], b[1]);
        // An initial agrees with a given name, given shared context.
        let c = add(
            &mut r,
            "c",
            "H. Varga was seen in Eastport.",
            &[("H. Varga", P), ("Eastport", L)],
        );
        assert_eq!(c[0], a[0]);
    }

    #[test]
    fn analyst_constraints_are_honoured_when_replayed() {
        let text_a = "Sami Haddad spoke in Beirut.";
        let text_b = "Sami Haddad, a footballer, scored twice.";
        let spans_a = [("Sami Haddad", P), ("Beirut", L)];
        let spans_b = [("Sami Haddad", P)];
        let mut r = Resolver::new();
        let a = add(&mut r, "a", text_a, &spans_a);
        let b = add(&mut r, "b", text_b, &spans_b);
        assert_eq!(a[0], b[0], "same full name merges by default");
        // The analyst says they differ: replay with the decision first.
        let ma = MentionRef {
            doc: "a".into(),
            start: 0,
            end: 11,
        };
        let mb = MentionRef {
            doc: "b".into(),
            start: 0,
            end: 11,
        };
        assert!(
            !r.add_constraint(Constraint::NotSame(ma.clone(), mb.clone())),
            "needs replay"
        );
        let mut r = Resolver::new();
        r.add_constraint(Constraint::NotSame(ma.clone(), mb.clone()));
        let a = add(&mut r, "a", text_a, &spans_a);
        let b = add(&mut r, "b", text_b, &spans_b);
        assert_ne!(a[0], b[0]);
        // And "same" joins what names alone would not.
        let mut r = Resolver::new();
        let mc = MentionRef {
            doc: "c".into(),
            start: 0,
            end: 3,
        };
        r.add_constraint(Constraint::Same(mc, ma));
        let a = add(&mut r, "a", text_a, &spans_a);
        let c = add(
            &mut r,
            "c",
            "Abu Karim left Beirut.",
            &[("Abu", P), ("Beirut", L)],
        );
        assert_eq!(c[0], a[0]);
        let rules: Vec<Rule> = r
            .explain(a[0])
            .iter()
            .filter_map(|l| l.reason.as_ref())
            .map(|x| x.rule)
            .collect();
        assert_eq!(rules, vec![Rule::Analyst]);
    }

    #[test]
    fn batches_on_threads_resolve_like_one_by_one() {
        let texts = [
            "Mark Johnson, the mayor of Eastport, spoke. He left.",
            "Mayor Johnson returned to Eastport.",
            "Linda Johnson, a nurse in Marrow City, spoke.",
            "Johnson, a carpenter from Lindale, won.",
        ];
        let spans: Vec<Vec<MentionInput>> = vec![
            doc(texts[0], &[("Mark Johnson", P), ("Eastport", L), ("He", P)]),
            doc(texts[1], &[("Mayor Johnson", P), ("Eastport", L)]),
            doc(texts[2], &[("Linda Johnson", P), ("Marrow City", L)]),
            doc(texts[3], &[("Johnson", P), ("Lindale", L)]),
        ];
        let sents: Vec<Vec<CharSpan>> = texts.iter().map(|t| simple_sentences(t)).collect();
        let ids = ["a", "b", "c", "d"];
        let mut one = Resolver::new();
        let singly: Vec<Vec<EntityId>> = (0..4)
            .map(|i| {
                one.add_document(ids[i], texts[i], &sents[i], &spans[i])
                    .mention_entity
            })
            .collect();
        let inputs: Vec<DocInput> = (0..4)
            .map(|i| DocInput {
                id: ids[i],
                text: texts[i],
                sentences: &sents[i],
                mentions: &spans[i],
            })
            .collect();
        let mut batch = Resolver::new();
        let batched: Vec<Vec<EntityId>> = batch
            .add_documents(&inputs, 2)
            .into_iter()
            .map(|r| r.mention_entity)
            .collect();
        assert_eq!(singly, batched);
        assert_eq!(batched[0][0], batched[1][0]);
        assert_ne!(batched[0][0], batched[3][0]);
    }

    #[test]
    fn decisions_and_reasons_are_plain_json() {
        let c = Constraint::NotSame(
            MentionRef {
                doc: "a".into(),
                start: 0,
                end: 4,
            },
            MentionRef {
                doc: "b".into(),
                start: 5,
                end: 9,
            },
        );
        let j = serde_json::to_string(&c).expect("serialises");
        assert_eq!(
            j,
            r#"{"not_same":[{"doc":"a","start":0,"end":4},{"doc":"b","start":5,"end":9}]}"#
        );
        let back: Constraint = serde_json::from_str(&j).expect("parses");
        assert_eq!(back, c);
        assert_eq!(
            serde_json::to_string(&Rule::SurnameAndContext)
                .ok()
                .as_deref(),
            Some("\"surname-and-context\"")
        );
    }

    #[test]
    fn same_merge_of_placed_mentions_unites_entities() {
        let mut r = Resolver::new();
        let a = add(&mut r, "a", "Northwind Ltd grew.", &[("Northwind Ltd", O)]);
        let b = add(
            &mut r,
            "b",
            "Southgate plc shrank.",
            &[("Southgate plc", O)],
        );
        assert_ne!(a[0], b[0]);
        let ma = MentionRef {
            doc: "a".into(),
            start: 0,
            end: 13,
        };
        let mb = MentionRef {
            doc: "b".into(),
            start: 0,
            end: 13,
        };
        // Both mentions were seen: the merge applies at once...
        r.add_constraint(Constraint::Same(ma, mb));
        assert_eq!(r.find(a[0]), r.find(b[0]));
        assert_eq!(r.entity(b[0]).map(|e| e.names.len()), Some(2));
        // ...and on replay.
        let mut r2 = Resolver::new();
        r2.add_constraint(Constraint::Same(
            MentionRef {
                doc: "a".into(),
                start: 0,
                end: 13,
            },
            MentionRef {
                doc: "b".into(),
                start: 0,
                end: 13,
            },
        ));
        let a = add(&mut r2, "a", "Northwind Ltd grew.", &[("Northwind Ltd", O)]);
        let b = add(
            &mut r2,
            "b",
            "Southgate plc shrank.",
            &[("Southgate plc", O)],
        );
        assert_eq!(r2.find(a[0]), r2.find(b[0]));
    }
}
