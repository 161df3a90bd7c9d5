//! The resolution contract behind `dossier resolve`: JSON Lines documents in
//! (`{"id", "text", "published"?, "mentions"?: [{"start", "end"}]}`), one line out per
//! document (`{"id", "mentions": [{"start", "end", "label", "entity"}]}`) with entity ids
//! consistent across the whole stream. Code point offsets.
//!
//! Given mentions are resolved exactly as given; their labels come from the input
//! (`"label"` or `"type"`, when it names a known label), the form of the mention
//! (pronoun, "the company"), the overlapping entity of dossier's own extraction, or the
//! gazetteer. Without mentions, dossier's extraction supplies them.

use crate::aliases::AliasTable;
use crate::chains::{form_of, nominal_kind, pronoun_kind, simple_sentences, Form, MentionInput};
use crate::normalize::Kind;
use crate::resolver::Resolver;
use dossier_core::{EntityLabel, EntityMention, Schema};
use dossier_nlp::gazetteer::{GazCategory, Gazetteer};
use dossier_nlp::{DocContext, Pipeline};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
struct InputLine {
    id: Value,
    text: String,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    mentions: Option<Vec<InputMention>>,
}

#[derive(Deserialize)]
struct InputMention {
    start: usize,
    end: usize,
    #[serde(default)]
    label: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
}

/// Mentions per document beyond which a document is refused (the in-document rules
/// compare a mention with earlier chains: bounded work per document).
pub const MAX_MENTIONS: usize = 20_000;

/// Labels dossier extracts that are not entities to resolve (values, not things).
fn resolvable(label: EntityLabel) -> bool {
    !matches!(
        label.to_re3d(),
        EntityLabel::Temporal | EntityLabel::Quantity | EntityLabel::Money | EntityLabel::Frequency
    )
}

/// Resolves a stream of documents; one per input line, in order.
pub struct StreamResolver<'p> {
    pipeline: Option<&'p Pipeline>,
    resolver: Resolver,
}

impl<'p> StreamResolver<'p> {
    /// With a pipeline, mentions are labelled from (or, when absent, supplied by)
    /// dossier's extraction; without one, by their form and the gazetteer only.
    pub fn new(pipeline: Option<&'p Pipeline>) -> Self {
        StreamResolver {
            pipeline,
            resolver: Resolver::new(),
        }
    }

    pub fn resolver(&self) -> &Resolver {
        &self.resolver
    }

    pub fn resolver_mut(&mut self) -> &mut Resolver {
        &mut self.resolver
    }

    /// One output object for one input line; never fails: problems become
    /// `{"id", "error"}` and the stream goes on.
    pub fn process_line(&mut self, line: &[u8]) -> Value {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let parsed: Result<InputLine, String> = std::str::from_utf8(line)
            .map_err(|e| format!("line is not valid UTF-8: {e}"))
            .and_then(|s| {
                serde_json::from_str(s).map_err(|e| {
                    format!(
                        "not a JSON object with \"id\", \"text\" and optional \"mentions\": {e}"
                    )
                })
            });
        let input = match parsed {
            Ok(i) => i,
            Err(error) => {
                let id = serde_json::from_slice::<Value>(line)
                    .ok()
                    .and_then(|v| v.get("id").cloned())
                    .unwrap_or(Value::Null);
                return json!({"id": id, "error": error});
            }
        };
        match self.process(&input) {
            Ok(v) => v,
            Err(error) => json!({"id": input.id, "error": error}),
        }
    }

    fn process(&mut self, input: &InputLine) -> Result<Value, String> {
        let text = input.text.as_str();
        let n_chars = text.chars().count();
        if let Some(ms) = &input.mentions {
            if ms.len() > MAX_MENTIONS {
                return Err(format!(
                    "{} mentions in one document; at most {MAX_MENTIONS} are resolved",
                    ms.len()
                ));
            }
            for (k, m) in ms.iter().enumerate() {
                if m.start >= m.end || m.end > n_chars {
                    return Err(format!(
                        "mention {k}: span [{}, {}) is empty or outside the text ({n_chars} code points)",
                        m.start, m.end
                    ));
                }
            }
        }
        let published = input
            .published
            .as_deref()
            .filter(|p| p.len() >= 10)
            .and_then(|p| p.get(..10));
        // The CoNLL model (trained on news) tells people, organisations and places
        // apart better than the fine-grained re3d model; the re3d model adds what CoNLL
        // has no label for (weapons, vehicles, nationalities...) where CoNLL found nothing.
        let (extracted, sentences) = match self.pipeline {
            Some(p) => {
                let ctx = DocContext { published };
                let x = p.extract(text, &ctx, Schema::Conll);
                let mut ents: Vec<EntityMention> = x
                    .entities
                    .into_iter()
                    .filter(|e| e.label != EntityLabel::Misc)
                    .map(|mut e| {
                        e.label = e.label.to_re3d();
                        e
                    })
                    .collect();
                let re3d = p.extract(text, &ctx, Schema::Re3d);
                for e in re3d.entities {
                    let basic = matches!(
                        e.label,
                        EntityLabel::Person | EntityLabel::Organisation | EntityLabel::Location
                    );
                    if !basic && !ents.iter().any(|c| c.start < e.end && e.start < c.end) {
                        ents.push(e);
                    }
                }
                ents.sort_by_key(|e| (e.start, e.end));
                let sentences = if x.sentences.is_empty() {
                    simple_sentences(text)
                } else {
                    x.sentences
                };
                (ents, sentences)
            }
            None => (Vec::new(), simple_sentences(text)),
        };
        // Code point → byte offset table for slicing mention texts.
        let bytes: Vec<usize> = text
            .char_indices()
            .map(|(b, _)| b)
            .chain(std::iter::once(text.len()))
            .collect();
        let slice = |s: usize, e: usize| -> String {
            match (bytes.get(s), bytes.get(e)) {
                (Some(&a), Some(&b)) => text.get(a..b).unwrap_or("").to_string(),
                _ => String::new(),
            }
        };
        let mentions: Vec<MentionInput> = match &input.mentions {
            Some(ms) => {
                let texts: Vec<String> = ms.iter().map(|m| slice(m.start, m.end)).collect();
                let labelled: Vec<(EntityLabel, Source)> = ms
                    .iter()
                    .zip(&texts)
                    .map(|(m, t)| {
                        let given = m
                            .label
                            .as_deref()
                            .or(m.kind.as_deref())
                            .and_then(|l| l.parse::<EntityLabel>().ok())
                            .map(|l| l.to_re3d());
                        match given {
                            Some(l) => (l, Source::Given),
                            None => label_for(t, m.start, m.end, &extracted),
                        }
                    })
                    .collect();
                let mut labels = harmonise(&texts, &labelled);
                // A lone unknown name that is a known person's surname from earlier
                // documents is most likely a person.
                for ((l, (_, src)), t) in labels.iter_mut().zip(&labelled).zip(&texts) {
                    if *src >= Source::Tagger
                        && form_of(t) == Form::Name
                        && !t.trim().contains(' ')
                        && self
                            .resolver
                            .is_known_surname(crate::normalize::strip_possessive(t))
                    {
                        *l = EntityLabel::Person;
                    }
                }
                ms.iter()
                    .zip(texts)
                    .zip(labels)
                    .map(|((m, t), label)| MentionInput {
                        start: m.start,
                        end: m.end,
                        label,
                        text: t,
                    })
                    .collect()
            }
            None => extracted
                .iter()
                .filter(|e| resolvable(e.label))
                .map(|e| MentionInput {
                    start: e.start,
                    end: e.end,
                    label: e.label,
                    text: e.text.clone(),
                })
                .collect(),
        };
        if mentions.len() > MAX_MENTIONS {
            return Err(format!(
                "{} mentions extracted; at most {MAX_MENTIONS} are resolved per document",
                mentions.len()
            ));
        }
        let doc_key = match &input.id {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let res = self
            .resolver
            .add_document(&doc_key, text, &sentences, &mentions);
        let out: Vec<Value> = mentions
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let e = res.mention_entity.get(i).copied().unwrap_or(0);
                let label = res
                    .chains
                    .iter()
                    .find(|c| c.mentions.contains(&i))
                    .map(|c| c.label)
                    .filter(|_| matches!(form_of(&m.text), Form::Pronoun))
                    .unwrap_or(m.label);
                json!({"start": m.start, "end": m.end, "label": label.as_str(), "entity": format!("E{e}")})
            })
            .collect();
        Ok(json!({"id": input.id, "mentions": out}))
    }
}

/// Where a guessed label came from, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Source {
    Given,
    Form,
    Alias,
    Tagger,
    Gazetteer,
    Guess,
}

/// A label for a given mention span without one: pronoun and nominal forms first,
/// then the shipped alias list (groups, agencies, countries, demonyms), a person's
/// given name or title as first word, the extracted entity overlapping it most, the
/// gazetteer, and finally Organisation (in news, an unknown capitalised name is most
/// often a company or body).
fn label_for(
    text: &str,
    start: usize,
    end: usize,
    extracted: &[EntityMention],
) -> (EntityLabel, Source) {
    let from_kind = |k: Kind| match k {
        Kind::Person => Some(EntityLabel::Person),
        Kind::Org => Some(EntityLabel::Organisation),
        Kind::Place => Some(EntityLabel::Location),
        Kind::Nationality => Some(EntityLabel::Nationality),
        Kind::Other => None,
    };
    match form_of(text) {
        Form::Pronoun => {
            return (
                pronoun_kind(text)
                    .and_then(from_kind)
                    .unwrap_or(EntityLabel::Organisation),
                Source::Form,
            )
        }
        Form::Nominal => {
            if let Some(l) = nominal_kind(text).and_then(from_kind) {
                return (l, Source::Form);
            }
        }
        Form::Name => {}
    }
    let t = AliasTable::global();
    if t.lookup(Kind::Org, text).is_some() {
        return (EntityLabel::Organisation, Source::Alias);
    }
    if t.lookup(Kind::Place, text).is_some() {
        return (EntityLabel::Location, Source::Alias);
    }
    if t.lookup(Kind::Nationality, text).is_some() {
        return (EntityLabel::Nationality, Source::Alias);
    }
    let g = Gazetteer::global();
    let words: Vec<&str> = text.split_whitespace().collect();
    let first_is = |cat: GazCategory| {
        words.len() >= 2
            && words
                .first()
                .is_some_and(|w| g.lookup(w).iter().any(|(_, e)| e.category == cat))
    };
    // A known given name first ("Helena Varga"): a person, whatever the tagger says.
    if first_is(GazCategory::FirstName) {
        return (EntityLabel::Person, Source::Alias);
    }
    let overlap = extracted
        .iter()
        .filter(|e| e.start < end && start < e.end && resolvable(e.label))
        .max_by_key(|e| e.end.min(end) - e.start.max(start));
    if let Some(e) = overlap {
        return (e.label.to_re3d(), Source::Tagger);
    }
    // A title first ("Mayor Johnson") only when the tagger had nothing: "General
    // Motors" starts with a rank too.
    if first_is(GazCategory::Title) {
        return (EntityLabel::Person, Source::Gazetteer);
    }
    if let Some((_, e)) = g.lookup(text.trim()).first() {
        let l = match e.category {
            GazCategory::Country | GazCategory::City | GazCategory::Region => EntityLabel::Location,
            GazCategory::Nationality => EntityLabel::Nationality,
            GazCategory::ArmedGroup | GazCategory::Agency | GazCategory::Org => {
                EntityLabel::Organisation
            }
            GazCategory::Weapon => EntityLabel::Weapon,
            GazCategory::Platform => EntityLabel::MilitaryPlatform,
            GazCategory::Vehicle => EntityLabel::Vehicle,
            GazCategory::FirstName | GazCategory::Title => EntityLabel::Person,
        };
        return (l, Source::Gazetteer);
    }
    (EntityLabel::Organisation, Source::Guess)
}

/// Makes a document's guessed labels agree: a lone word that is part of a person's
/// full name in the document is that person's (the tagger often misses "Varga" after
/// "Helena Varga"); names written alike take the label of their strongest source.
fn harmonise(texts: &[String], labelled: &[(EntityLabel, Source)]) -> Vec<EntityLabel> {
    use std::collections::HashMap;
    let mut person_words: std::collections::HashSet<String> = Default::default();
    let mut best: HashMap<String, (Source, EntityLabel)> = HashMap::new();
    for (t, &(l, src)) in texts.iter().zip(labelled) {
        if form_of(t) != Form::Name {
            continue;
        }
        let k = crate::normalize::fold(crate::normalize::strip_possessive(t));
        if l == EntityLabel::Person && k.contains(' ') {
            person_words.extend(k.split(' ').map(String::from));
        }
        let e = best.entry(k).or_insert((src, l));
        if src < e.0 {
            *e = (src, l);
        }
    }
    // Long names by initials, for acronyms ("General Motors (GM)").
    let mut by_initials: HashMap<String, EntityLabel> = HashMap::new();
    for (t, &(l, _)) in texts.iter().zip(labelled) {
        if form_of(t) == Form::Name && t.split_whitespace().count() >= 2 {
            by_initials
                .entry(crate::normalize::initials(t))
                .or_insert(l);
        }
    }
    texts
        .iter()
        .zip(labelled)
        .map(|(t, &(l, src))| {
            if src <= Source::Form || form_of(t) != Form::Name {
                return l;
            }
            if crate::normalize::is_acronym(t.trim()) {
                let letters = crate::normalize::fold(t).replace(' ', "");
                if let Some(&long) = by_initials.get(&letters) {
                    return long;
                }
            }
            let k = crate::normalize::fold(crate::normalize::strip_possessive(t));
            let k = k.strip_prefix("the ").unwrap_or(&k).to_string();
            if !k.contains(' ') && person_words.contains(&k) && src >= Source::Tagger {
                return EntityLabel::Person;
            }
            best.get(&k).map(|b| b.1).unwrap_or(l)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_lines_give_errors_and_the_stream_goes_on() {
        let mut s = StreamResolver::new(None);
        let bad = s.process_line(b"{not json");
        assert!(bad.get("error").is_some());
        let bad =
            s.process_line(br#"{"id": 7, "text": "abc", "mentions": [{"start": 2, "end": 9}]}"#);
        assert_eq!(bad.get("id"), Some(&json!(7)));
        assert!(bad.get("error").is_some());
        let bad = s.process_line(b"\xff\xfe");
        assert!(bad.get("error").is_some());
        let many: Vec<Value> = (0..MAX_MENTIONS + 1)
            .map(|_| json!({"start": 0, "end": 1}))
            .collect();
        let line = json!({"id": "big", "text": "x", "mentions": many}).to_string();
        assert!(s.process_line(line.as_bytes()).get("error").is_some());
        // Overlapping and repeated spans are resolved, not refused.
        let ok = s.process_line(
            br#"{"id": "o", "text": "Kestrel Dynamics Inc. said so.", "mentions": [{"start": 0, "end": 21}, {"start": 0, "end": 7}, {"start": 0, "end": 7}]}"#,
        );
        assert_eq!(ok["mentions"].as_array().map(Vec::len), Some(3));
        let ok = s.process_line(
            br#"{"id": "a", "text": "Mark Ruffalo met Kerry Ann. He left.", "mentions": [{"start": 0, "end": 12}, {"start": 28, "end": 30}]}"#,
        );
        let ms = ok
            .get("mentions")
            .and_then(Value::as_array)
            .expect("mentions");
        assert_eq!(ms.len(), 2);
        assert_eq!(ms[0]["entity"], ms[1]["entity"]);
        assert_eq!(ms[1]["label"], "Person");
    }
}
