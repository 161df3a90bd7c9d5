//! In-document resolution into chains: every mention of one document is put in a
//! chain (one entity of the document), named mentions by name rules, nominals
//! ("the company") and pronouns ("he", "it") by their nearest compatible antecedent.
//!
//! Rules, in document order:
//! - names: acronyms defined in the text ("Syrian Democratic Forces (SDF)") or whose
//!   letters are the initials of an earlier organisation; known aliases (ISIL = Islamic
//!   State); a lone surname or given name to the full name containing it (the nearest
//!   before, else the only one in the document); titles dropped from person names and
//!   kept as roles ("President Obama");
//! - nominals: an appositive right after a name binds to it ("Dick Schoof, the Dutch
//!   national counterterrorism coordinator") and its words become the chain's roles; a
//!   definite nominal ("the company", "the coordinator") takes the nearest earlier chain
//!   of its kind within a few sentences; for people only when the role word matches,
//!   because "the minister" is as often a new person as an old one;
//! - pronouns: he/she take the person in the same sentence before them, else the
//!   subject (first person) of the nearest earlier sentence with one; it/its/they take
//!   the nearest organisation in the same or the previous sentence.
//!
//! What none of the rules resolves becomes a chain of its own that is not linked
//! across documents (`linkable: false`): an unresolved "the company" in two stories is
//! not one company.

use crate::aliases::AliasTable;
use crate::normalize::{fold, initials, is_acronym, match_key, strip_possessive, Kind};
use crate::places::{resolve_place_qualified, DocCountryContext, Place};
use dossier_core::{CharSpan, EntityLabel};
use std::collections::HashMap;

/// One mention to resolve: code point span, label and surface text.
#[derive(Debug, Clone, PartialEq)]
pub struct MentionInput {
    pub start: usize,
    pub end: usize,
    pub label: EntityLabel,
    pub text: String,
}

/// How a mention refers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Name,
    /// A common-noun phrase ("the company", "a nurse", "rebels").
    Nominal,
    Pronoun,
}

/// One entity of a document: its mentions and what is known about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Chain {
    pub label: EntityLabel,
    pub kind: Kind,
    /// Indexes into the document's mentions, in order.
    pub mentions: Vec<usize>,
    /// Distinct canonical names from its named mentions (titles dropped, acronyms
    /// expanded), longest first.
    pub names: Vec<String>,
    /// Role and title words bound to it ("president", "coordinator", "nurse").
    pub roles: Vec<String>,
    /// Content words of the sentences of its named mentions (context for linking
    /// across documents).
    pub words: Vec<String>,
    /// The gazetteer place of a Location chain.
    pub place: Option<Place>,
    /// False for chains of only unresolved nominals or pronouns: never linked across
    /// documents.
    pub linkable: bool,
    /// How each mention joined (parallel to `mentions`): the rule's name.
    pub why: Vec<&'static str>,
}

/// Pronouns that refer to a person.
const PERSON_PRONOUNS: &[&str] = &[
    "he", "him", "his", "himself", "she", "her", "hers", "herself",
];
/// Pronouns that refer to an organisation (or a group) in news prose.
const ORG_PRONOUNS: &[&str] = &["it", "its", "itself", "they", "them", "their", "themselves"];
/// Pronouns with no reliable antecedent rule here (speaker-relative).
const OTHER_PRONOUNS: &[&str] = &[
    "i",
    "me",
    "my",
    "mine",
    "myself",
    "we",
    "us",
    "our",
    "ours",
    "ourselves",
    "you",
    "your",
    "yours",
    "who",
    "whom",
    "whose",
    "which",
    "that",
    "this",
    "these",
    "those",
    "one",
    "someone",
    "anyone",
    "everyone",
    "people",
];

const DETERMINERS: &[&str] = &[
    "the", "this", "that", "these", "those", "a", "an", "another", "its", "his", "her", "their",
    "our", "some", "both",
];
const INDEFINITE: &[&str] = &["a", "an", "another", "some"];

/// Head nouns of nominals that name people, organisations and places.
const PERSON_NOUNS: &[&str] = &[
    "man",
    "woman",
    "boy",
    "girl",
    "person",
    "president",
    "minister",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "chief",
    "executive",
    "ceo",
    "leader",
    "official",
    "director",
    "commander",
    "founder",
    "chairman",
    "chairwoman",
    "mayor",
    "officer",
    "suspect",
    "coordinator",
    "coach",
    "nurse",
    "doctor",
    "teacher",
    "judge",
    "prosecutor",
    "lawyer",
    "analyst",
    "journalist",
    "reporter",
    "secretary",
    "ambassador",
    "envoy",
    "general",
    "colonel",
    "sergeant",
    "captain",
    "detective",
    "inspector",
    "governor",
    "senator",
    "cleric",
    "imam",
    "preacher",
    "bomber",
    "gunman",
    "attacker",
    "driver",
    "father",
    "mother",
    "son",
    "daughter",
    "brother",
    "sister",
    "wife",
    "husband",
    "student",
    "engineer",
    "businessman",
    "businesswoman",
    "recruiter",
    "militant",
    "fighter",
    "commissioner",
    "chancellor",
    "king",
    "queen",
    "prince",
    "emir",
    "chair",
    "head",
    "deputy",
    "owner",
    "banker",
    "researcher",
    "professor",
    "witness",
    "victim",
    "pilot",
];
const ORG_NOUNS: &[&str] = &[
    "company",
    "firm",
    "group",
    "organisation",
    "organization",
    "agency",
    "airline",
    "carrier",
    "maker",
    "manufacturer",
    "bank",
    "party",
    "government",
    "ministry",
    "militia",
    "brigade",
    "network",
    "movement",
    "union",
    "council",
    "court",
    "service",
    "force",
    "forces",
    "police",
    "army",
    "cell",
    "faction",
    "outfit",
    "corporation",
    "business",
    "giant",
    "retailer",
    "carmaker",
    "automaker",
    "insurer",
    "regulator",
    "charity",
    "committee",
    "commission",
    "alliance",
    "bureau",
    "office",
    "department",
    "unit",
    "team",
    "club",
    "newspaper",
    "broadcaster",
    "channel",
    "website",
    "publisher",
    "coalition",
    "hospital",
    "school",
    "university",
    "clinic",
    "paper",
    "brand",
    "startup",
    "conglomerate",
    "subsidiary",
];
const PLACE_NOUNS: &[&str] = &[
    "city",
    "town",
    "village",
    "country",
    "capital",
    "region",
    "province",
    "state",
    "area",
    "district",
    "island",
    "port",
    "border",
    "neighbourhood",
    "neighborhood",
    "suburb",
    "nation",
    "kingdom",
    "republic",
];

/// Leading title words of person names, dropped from the name and kept as roles.
const TITLES: &[&str] = &[
    "president",
    "vice",
    "prime",
    "minister",
    "secretary",
    "general",
    "gen",
    "lt",
    "lieutenant",
    "colonel",
    "col",
    "major",
    "maj",
    "captain",
    "capt",
    "sergeant",
    "sgt",
    "corporal",
    "cpl",
    "private",
    "admiral",
    "adm",
    "commander",
    "cmdr",
    "marshal",
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "prof",
    "professor",
    "sir",
    "dame",
    "lord",
    "lady",
    "sen",
    "senator",
    "rep",
    "representative",
    "gov",
    "governor",
    "mayor",
    "judge",
    "justice",
    "inspector",
    "detective",
    "superintendent",
    "commissioner",
    "chief",
    "king",
    "queen",
    "prince",
    "princess",
    "emir",
    "sheikh",
    "shaikh",
    "sultan",
    "imam",
    "mullah",
    "ayatollah",
    "grand",
    "pope",
    "archbishop",
    "bishop",
    "rabbi",
    "father",
    "chancellor",
    "chairman",
    "director",
    "coach",
    "officer",
    "agent",
    "deputy",
    "foreign",
    "defence",
    "defense",
    "interior",
    "home",
    "finance",
    "attorney",
    "ambassador",
    "envoy",
    "spokesman",
    "spokeswoman",
    "brig",
    "field",
    "air",
    "staff",
    "constable",
    "pfc",
    "ceo",
];

/// Function words and reporting verbs that carry no context.
const STOPWORDS: &[&str] = &[
    "about",
    "above",
    "after",
    "again",
    "against",
    "also",
    "although",
    "among",
    "another",
    "around",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "could",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "either",
    "even",
    "every",
    "from",
    "further",
    "have",
    "having",
    "here",
    "into",
    "itself",
    "just",
    "last",
    "least",
    "less",
    "like",
    "made",
    "make",
    "many",
    "more",
    "most",
    "much",
    "must",
    "near",
    "never",
    "next",
    "none",
    "only",
    "other",
    "over",
    "said",
    "says",
    "same",
    "should",
    "since",
    "some",
    "still",
    "such",
    "than",
    "that",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "though",
    "through",
    "told",
    "under",
    "until",
    "upon",
    "very",
    "were",
    "what",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "will",
    "with",
    "within",
    "without",
    "would",
    "year",
    "years",
    "week",
    "weeks",
    "according",
    "added",
    "later",
    "earlier",
    "tuesday",
    "monday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "also",
    "your",
    "yours",
    "ours",
    "himself",
    "herself",
    "went",
    "came",
    "take",
    "took",
    "know",
    "known",
    "time",
    "times",
    "first",
    "second",
    "third",
    "today",
    "yesterday",
    "tomorrow",
];

fn stopwords() -> &'static std::collections::HashSet<&'static str> {
    static S: std::sync::OnceLock<std::collections::HashSet<&'static str>> =
        std::sync::OnceLock::new();
    S.get_or_init(|| STOPWORDS.iter().copied().collect())
}

/// Content words kept per chain (context for linking across documents).
const MAX_WORDS: usize = 24;
/// Sentences back that definite nominals and "he"/"she" search.
const NOMINAL_SENTENCES: usize = 3;
const PRONOUN_SENTENCES: usize = 2;

/// The form of a mention from its text.
pub fn form_of(text: &str) -> Form {
    let t = text.trim();
    let lower = t.to_lowercase();
    if PERSON_PRONOUNS.contains(&lower.as_str())
        || ORG_PRONOUNS.contains(&lower.as_str())
        || OTHER_PRONOUNS.contains(&lower.as_str())
    {
        return Form::Pronoun;
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    let Some(last) = words.last() else {
        return Form::Nominal;
    };
    let first_lower = words.first().map(|w| w.to_lowercase()).unwrap_or_default();
    let last_is_lower = last.chars().next().is_some_and(char::is_lowercase);
    if DETERMINERS.contains(&first_lower.as_str()) && words.len() > 1 && last_is_lower {
        return Form::Nominal;
    }
    if !t.chars().any(char::is_uppercase) {
        return Form::Nominal;
    }
    Form::Name
}

/// The kind a nominal's head noun implies ("the company" → Org), if any.
pub fn nominal_kind(text: &str) -> Option<Kind> {
    let head = fold(strip_possessive(text));
    let head = head.rsplit(' ').next().unwrap_or("");
    if PERSON_NOUNS.contains(&head) {
        Some(Kind::Person)
    } else if ORG_NOUNS.contains(&head) {
        Some(Kind::Org)
    } else if PLACE_NOUNS.contains(&head) {
        Some(Kind::Place)
    } else {
        None
    }
}

/// The kind a pronoun implies.
pub fn pronoun_kind(text: &str) -> Option<Kind> {
    let lower = text.trim().to_lowercase();
    if PERSON_PRONOUNS.contains(&lower.as_str()) {
        Some(Kind::Person)
    } else if ORG_PRONOUNS.contains(&lower.as_str()) {
        Some(Kind::Org)
    } else {
        None
    }
}

/// Splits a person name into (title words, name): "President Barack Obama" →
/// (["president"], "Barack Obama"). Never strips the last word.
fn split_title(name: &str) -> (Vec<String>, String) {
    let words: Vec<&str> = name.split_whitespace().collect();
    let mut k = 0;
    while k + 1 < words.len() {
        let w = words.get(k).map(|w| fold(w)).unwrap_or_default();
        let lower_word = words
            .get(k)
            .and_then(|w| w.chars().next())
            .is_some_and(char::is_lowercase);
        if TITLES.contains(&w.as_str()) || lower_word || w == "of" && k > 0 {
            k += 1;
        } else {
            break;
        }
    }
    let titles = words
        .iter()
        .take(k)
        .map(|w| fold(w))
        .filter(|w| w.len() > 2 && w != "of")
        .collect();
    let rest = words.get(k..).map(|w| w.join(" ")).unwrap_or_default();
    (titles, rest)
}

/// Strips a leading "the" and a possessive from a name.
fn clean_name(s: &str) -> String {
    let s = strip_possessive(s.trim());
    let s = ["the ", "The ", "THE "]
        .iter()
        .find_map(|d| s.strip_prefix(d))
        .unwrap_or(s);
    s.trim().to_string()
}

/// Sentence boundaries by a simple rule (end punctuation, then space and a capital or
/// quote), for callers without the NLP pipeline's sentences. Code point spans.
pub fn simple_sentences(text: &str) -> Vec<CharSpan> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars.get(i).copied().unwrap_or(' ');
        let next = chars.get(i + 1).copied().unwrap_or(' ');
        let after = chars.get(i + 2).copied().unwrap_or('A');
        let brk = (matches!(c, '.' | '!' | '?')
            && next.is_whitespace()
            && (after.is_uppercase() || after == '"' || after == '“'))
            || (c == '\n' && next == '\n');
        if brk {
            out.push(CharSpan::new(start, i + 1));
            start = i + 1;
        }
        i += 1;
    }
    if start < chars.len() {
        out.push(CharSpan::new(start, chars.len()));
    }
    out
}

fn sentence_of(sentences: &[CharSpan], pos: usize) -> usize {
    sentences.partition_point(|s| s.end <= pos)
}

struct Builder {
    chains: Vec<Chain>,
    /// (kind, key) → chain of named mentions.
    by_key: HashMap<(Kind, String), usize>,
    /// Acronym (folded) → chain.
    acronyms: HashMap<String, usize>,
    /// Person name part (match key of one word) → chains whose full name has it, in order.
    person_parts: HashMap<String, Vec<usize>>,
    /// Per chain, (match key, initials) of each name.
    name_keys: Vec<Vec<(String, String)>>,
}

impl Builder {
    fn new_chain(&mut self, label: EntityLabel, kind: Kind, linkable: bool) -> usize {
        self.chains.push(Chain {
            label,
            kind,
            mentions: Vec::new(),
            names: Vec::new(),
            roles: Vec::new(),
            words: Vec::new(),
            place: None,
            linkable,
            why: Vec::new(),
        });
        self.name_keys.push(Vec::new());
        self.chains.len() - 1
    }

    fn join(&mut self, c: usize, m: usize, why: &'static str) {
        if let Some(ch) = self.chains.get_mut(c) {
            ch.mentions.push(m);
            ch.why.push(why);
        }
    }

    fn add_name(&mut self, c: usize, name: &str) {
        if let Some(ch) = self.chains.get_mut(c) {
            if !name.is_empty() && !ch.names.iter().any(|n| n == name) {
                ch.names.push(name.to_string());
                // Keys computed once here: the rules below compare against every
                // earlier chain.
                let ini = if name.split_whitespace().count() >= 2 {
                    initials(name)
                } else {
                    String::new()
                };
                if let Some(k) = self.name_keys.get_mut(c) {
                    k.push((match_key(ch.kind, name), ini));
                }
            }
        }
    }

    fn add_roles(&mut self, c: usize, roles: impl IntoIterator<Item = String>) {
        if let Some(ch) = self.chains.get_mut(c) {
            for r in roles {
                if r.len() > 2 && !ch.roles.contains(&r) && !STOPWORDS.contains(&r.as_str()) {
                    ch.roles.push(r);
                }
            }
        }
    }

    fn kind_of(&self, c: usize) -> Option<Kind> {
        self.chains.get(c).map(|ch| ch.kind)
    }
}

/// Resolves the mentions of one document into chains. `text` is the document (for the
/// "(ACR)" pattern, appositives and context words); `sentences` its sentence spans
/// (from the NLP pipeline, or [`simple_sentences`]). Returns the chains and, per
/// mention, the chain it belongs to (every mention is in exactly one chain).
pub fn chain_document(
    text: &str,
    sentences: &[CharSpan],
    mentions: &[MentionInput],
) -> (Vec<Chain>, Vec<usize>) {
    let chars: Vec<char> = text.chars().collect();
    let slice = |a: usize, b: usize| -> String {
        chars
            .get(a.min(chars.len())..b.min(chars.len()))
            .map(|s| s.iter().collect())
            .unwrap_or_default()
    };
    let mut order: Vec<usize> = (0..mentions.len()).collect();
    order.sort_by_key(|&i| mentions.get(i).map(|m| (m.start, m.end)).unwrap_or((0, 0)));

    let forms: Vec<Form> = mentions
        .iter()
        .map(|m| match form_of(&m.text) {
            Form::Name if Kind::of(m.label) == Kind::Person && is_role_description(&m.text) => {
                Form::Nominal
            }
            f => f,
        })
        .collect();
    let sent: Vec<usize> = mentions
        .iter()
        .map(|m| sentence_of(sentences, m.start))
        .collect();

    // Document-wide: every full person name's parts, so a surname that comes before its
    // full name (rare, but headlines do it) still finds it when it is unique.
    let mut doc_parts: HashMap<String, Vec<String>> = HashMap::new();
    for (i, m) in mentions.iter().enumerate() {
        if forms.get(i) == Some(&Form::Name) && Kind::of(m.label) == Kind::Person {
            let (_, name) = split_title(&clean_name(&m.text));
            let words: Vec<&str> = name.split_whitespace().collect();
            if words.len() >= 2 {
                for w in &words {
                    let names = doc_parts.entry(match_key(Kind::Person, w)).or_default();
                    if !names.contains(&name) {
                        names.push(name.clone());
                    }
                }
            }
        }
    }

    let country_ctx = DocCountryContext::from_mentions(
        mentions
            .iter()
            .enumerate()
            .filter(|(i, _)| forms.get(*i) == Some(&Form::Name))
            .map(|(_, m)| (m.label, m.text.as_str())),
    );
    let aliases = AliasTable::global();

    let mut b = Builder {
        chains: Vec::new(),
        by_key: HashMap::new(),
        acronyms: HashMap::new(),
        person_parts: HashMap::new(),
        name_keys: Vec::new(),
    };
    let mut chain_of: Vec<Option<usize>> = vec![None; mentions.len()];
    let mut sentence_words: HashMap<usize, Vec<String>> = HashMap::new();

    for (pos, &i) in order.iter().enumerate() {
        let Some(m) = mentions.get(i) else { continue };
        let form = forms.get(i).copied().unwrap_or(Form::Name);
        let s_i = sent.get(i).copied().unwrap_or(0);
        // Mentions already placed, nearest first.
        let earlier = || {
            order
                .get(..pos)
                .unwrap_or(&[])
                .iter()
                .rev()
                .filter_map(|&j| Some((j, mentions.get(j)?, chain_of.get(j).copied().flatten()?)))
        };
        match form {
            Form::Pronoun => {
                let kind = pronoun_kind(&m.text);
                let target = match kind {
                    Some(Kind::Person) => {
                        // An object pronoun does not take the subject of its own clause
                        // ("Farouqi denies knowing him"): skip a person in the same
                        // clause (no comma between).
                        let object =
                            matches!(m.text.trim().to_lowercase().as_str(), "him" | "them");
                        let skip = |j: usize, pm: &MentionInput| {
                            object && sent.get(j) == Some(&s_i) && {
                                let gap = slice(pm.end, m.start);
                                !gap.contains(',') && gap.chars().count() < 60
                            }
                        };
                        person_antecedent(
                            &b,
                            earlier().filter(|(j, pm, _)| !skip(*j, pm)),
                            &sent,
                            s_i,
                        )
                    }
                    Some(Kind::Org) => {
                        // "it" may reach back one sentence; "they" is as often people
                        // as a group, so only an organisation in its own sentence.
                        let plural = matches!(
                            m.text.trim().to_lowercase().as_str(),
                            "they" | "them" | "their" | "themselves"
                        );
                        let back = if plural { 0 } else { 1 };
                        earlier()
                            .take_while(|(j, _, _)| sent.get(*j).is_some_and(|&s| s + back >= s_i))
                            .find(|(_, _, c)| b.kind_of(*c) == Some(Kind::Org))
                            .map(|(_, _, c)| c)
                    }
                    _ => None,
                };
                let c = match target {
                    Some(c) => {
                        b.join(c, i, "pronoun: nearest compatible antecedent");
                        c
                    }
                    None => {
                        let label = match kind {
                            Some(Kind::Person) => EntityLabel::Person,
                            Some(Kind::Org) => EntityLabel::Organisation,
                            _ => m.label,
                        };
                        let c = b.new_chain(label, Kind::of(label), false);
                        b.join(c, i, "pronoun without antecedent");
                        c
                    }
                };
                if let Some(slot) = chain_of.get_mut(i) {
                    *slot = Some(c);
                }
            }
            Form::Nominal => {
                let kind = nominal_kind(&m.text).unwrap_or(Kind::of(m.label));
                let lower = m.text.trim().to_lowercase();
                let first = lower.split_whitespace().next().unwrap_or("");
                let role_words: Vec<String> = fold(&m.text)
                    .split(' ')
                    .filter(|w| !DETERMINERS.contains(w) && w.len() > 2)
                    .map(String::from)
                    .collect();
                let head = role_words.last().cloned().unwrap_or_default();
                // Appositive: "NAME, the/a NOMINAL" right after a named mention.
                let appositive = earlier().next().filter(|(_, pm, c)| {
                    let gap = slice(pm.end, m.start);
                    let g = gap.trim();
                    (g == "," || g == "—" || g == "-" || g == "(")
                        && b.kind_of(*c)
                            .is_some_and(|k| k == kind || nominal_kind(&m.text).is_none())
                });
                let target = if let Some((_, _, c)) = appositive {
                    b.add_roles(c, role_words.iter().cloned());
                    Some((c, "nominal: appositive to the name before it"))
                } else if INDEFINITE.contains(&first)
                    || !DETERMINERS.contains(&first)
                    // A head noun we cannot type ("the shares", "the deal") may name
                    // anything: no guess, for precision.
                    || nominal_kind(&m.text).is_none()
                {
                    None
                } else {
                    let in_window = || {
                        earlier().take_while(|(j, _, _)| {
                            sent.get(*j).is_some_and(|&s| s + NOMINAL_SENTENCES >= s_i)
                        })
                    };
                    // An antecedent whose name has the head noun ("the brigade" →
                    // "Northern Crescent Brigade") beats a nearer one without it.
                    let by_head = in_window()
                        .find(|(_, _, c)| {
                            b.chains.get(*c).is_some_and(|ch| {
                                // Org and place blur ("St Agnes Hospital"): the head
                                // noun decides.
                                (ch.kind == kind
                                    || matches!(ch.kind, Kind::Org | Kind::Place)
                                        && matches!(kind, Kind::Org | Kind::Place))
                                    && ch.linkable
                                    && kind != Kind::Person
                                    && ch
                                        .names
                                        .iter()
                                        .any(|n| fold(n).split(' ').any(|w| w == head))
                            })
                        })
                        .map(|(_, _, c)| (c, "nominal: earlier name with its head noun"));
                    by_head.or_else(|| {
                        in_window()
                            .find(|(_, _, c)| {
                                let Some(ch) = b.chains.get(*c) else {
                                    return false;
                                };
                                if ch.kind != kind || !ch.linkable && ch.names.is_empty() {
                                    return false;
                                }
                                match kind {
                                    // People only by a matching role word.
                                    Kind::Person => ch.roles.contains(&head),
                                    Kind::Place => match (head.as_str(), &ch.place) {
                                        ("city" | "town" | "capital" | "village", Some(p)) => {
                                            p.category == "City"
                                        }
                                        ("country" | "nation", Some(p)) => p.category == "Country",
                                        _ => true,
                                    },
                                    _ => true,
                                }
                            })
                            .map(|(_, _, c)| (c, "nominal: nearest earlier entity of its kind"))
                    })
                };
                let c = match target {
                    Some((c, why)) => {
                        b.join(c, i, why);
                        c
                    }
                    None => {
                        let label = match kind {
                            Kind::Person => EntityLabel::Person,
                            Kind::Org => EntityLabel::Organisation,
                            Kind::Place => EntityLabel::Location,
                            _ => m.label,
                        };
                        let c = b.new_chain(label, kind, false);
                        b.join(c, i, "nominal without antecedent");
                        c
                    }
                };
                if let Some(slot) = chain_of.get_mut(i) {
                    *slot = Some(c);
                }
            }
            Form::Name => {
                let kind = Kind::of(m.label);
                let cleaned = clean_name(&m.text);
                let (titles, name) = if kind == Kind::Person {
                    split_title(&cleaned)
                } else {
                    (Vec::new(), cleaned.clone())
                };
                let mut why = "name";
                let mut target: Option<usize> = None;
                let mut canonical = name.clone();
                let mut place: Option<Place> = None;
                match kind {
                    Kind::Person => {
                        let words: Vec<&str> = name.split_whitespace().collect();
                        if words.len() == 1 {
                            let k = match_key(Kind::Person, &name);
                            if let Some(&c) = b.person_parts.get(&k).and_then(|v| v.last()) {
                                target = Some(c);
                                why = "surname or given name: the full name before it";
                            } else if let Some([full]) = doc_parts.get(&k).map(Vec::as_slice) {
                                canonical = full.clone();
                                why = "surname or given name: the only full name containing it";
                            }
                        }
                    }
                    Kind::Place => {
                        let after = slice(m.end, m.end + 40);
                        let qualifier = after
                            .strip_prefix(", ")
                            .map(|q| q.split([',', '.', ';', '\n']).next().unwrap_or("").trim())
                            .filter(|q| q.chars().next().is_some_and(char::is_uppercase));
                        place = resolve_place_qualified(&name, qualifier, &country_ctx);
                    }
                    _ => {}
                }
                // Organisations, other names, and places the gazetteer does not know.
                if kind != Kind::Person && place.is_none() {
                    {
                        // A short form of an earlier name: "Kestrel" after "Kestrel
                        // Dynamics Inc." (its words start the longer name).
                        if !is_acronym(&name) {
                            let short = match_key(kind, &name);
                            target = b
                                .chains
                                .iter()
                                .zip(&b.name_keys)
                                .enumerate()
                                .rev()
                                .find(|(_, (ch, keys))| {
                                    ch.kind == kind
                                        && ch.linkable
                                        && keys.iter().any(|(long, _)| {
                                            long.len() > short.len()
                                                && long.starts_with(&short)
                                                && long.as_bytes().get(short.len()) == Some(&b' ')
                                        })
                                })
                                .map(|(c, _)| c);
                            if target.is_some() {
                                why = "short form of an earlier name";
                            }
                        }
                        if target.is_none() && is_acronym(&name) {
                            let ak = fold(&name);
                            if let Some(&c) = b.acronyms.get(&ak) {
                                target = Some(c);
                                why = "acronym defined in the text";
                            } else if aliases.lookup(kind, &name).is_none() {
                                // Undefined acronym: an earlier organisation with these initials.
                                let letters = ak.replace(' ', "");
                                target = b
                                    .chains
                                    .iter()
                                    .zip(&b.name_keys)
                                    .enumerate()
                                    .rev()
                                    .find(|(_, (ch, keys))| {
                                        ch.kind == kind
                                            && keys
                                                .iter()
                                                .any(|(_, ini)| !ini.is_empty() && *ini == letters)
                                    })
                                    .map(|(c, _)| c);
                                if target.is_some() {
                                    why = "acronym: initials of an earlier name";
                                }
                            }
                        }
                    }
                }
                let key = match &place {
                    Some(p) => format!("place:{}", p.key()),
                    None => {
                        let k = match_key(kind, &canonical);
                        aliases
                            .lookup_key(kind, &k)
                            .map(|e| format!("alias:{}", match_key(kind, &e.canonical)))
                            .unwrap_or(k)
                    }
                };
                if target.is_none() {
                    if let Some(&c) = b.by_key.get(&(kind, key.clone())) {
                        target = Some(c);
                        why = if key.starts_with("alias:") {
                            "known alias of the same entity"
                        } else if key.starts_with("place:") {
                            "same gazetteer place"
                        } else {
                            "same name"
                        };
                    }
                }
                let c = match target {
                    Some(c) => c,
                    None => {
                        let c = b.new_chain(m.label, kind, true);
                        if let Some(ch) = b.chains.get_mut(c) {
                            ch.place = place.clone();
                        }
                        c
                    }
                };
                b.join(c, i, why);
                // "Minister for the Middle East Tobias Ellwood", "the UN High
                // Commissioner, Rupert Colville": a role description right before a
                // person's name, still unbound, is that person's.
                if kind == Kind::Person && pos > 0 {
                    let prev = order.get(pos - 1).copied();
                    let prev_chain = prev.and_then(|j| chain_of.get(j).copied().flatten());
                    if let (Some(j), Some(pc)) = (prev, prev_chain) {
                        let gap = mentions
                            .get(j)
                            .map(|pm| slice(pm.end, m.start))
                            .unwrap_or_default();
                        let bindable = b.chains.get(pc).is_some_and(|ch| {
                            ch.kind == Kind::Person && !ch.linkable && ch.mentions.len() == 1
                        }) && pc != c
                            && matches!(gap.trim(), "" | ",")
                            && gap.chars().count() <= 2
                            && forms.get(j) == Some(&Form::Nominal);
                        if bindable {
                            let (moved, roles) = match b.chains.get_mut(pc) {
                                Some(ch) => (
                                    std::mem::take(&mut ch.mentions),
                                    std::mem::take(&mut ch.roles),
                                ),
                                None => (Vec::new(), Vec::new()),
                            };
                            if let Some(ch) = b.chains.get_mut(pc) {
                                ch.why.clear();
                            }
                            let role_words: Vec<String> = mentions
                                .get(j)
                                .map(|pm| {
                                    fold(&pm.text)
                                        .split(' ')
                                        .filter(|w| !DETERMINERS.contains(w) && w.len() > 2)
                                        .map(String::from)
                                        .collect()
                                })
                                .unwrap_or_default();
                            for mm in moved {
                                b.join(c, mm, "role description bound to the name after it");
                                if let Some(slot) = chain_of.get_mut(mm) {
                                    *slot = Some(c);
                                }
                            }
                            b.add_roles(c, roles.into_iter().chain(role_words));
                        }
                    }
                }
                b.by_key.entry((kind, key)).or_insert(c);
                // A chain reached through a surname keeps the full name it has.
                if !(kind == Kind::Person && why.starts_with("surname or given name: the full")) {
                    b.add_name(c, &canonical);
                }
                b.add_roles(c, titles);
                if kind == Kind::Person {
                    // "Anton Dreyer, Valdoria's interior minister, ...": the lower-case
                    // words of an appositive right after the name are its roles.
                    let after = slice(m.end, m.end + 80);
                    if let Some(rest) = after.strip_prefix(", ") {
                        let clause = rest.split([',', '.', ';', '(', '\n']).next().unwrap_or("");
                        if clause.split_whitespace().count() <= 8 {
                            let roles: Vec<String> = clause
                                .split_whitespace()
                                .filter(|w| w.chars().next().is_some_and(char::is_lowercase))
                                .map(fold)
                                .filter(|w| !DETERMINERS.contains(&w.as_str()) && w != "of")
                                .collect();
                            // Only when it reads as a description, not a clause ("said").
                            if roles.iter().any(|w| PERSON_NOUNS.contains(&w.as_str())) {
                                b.add_roles(c, roles);
                            }
                        }
                    }
                }
                if kind == Kind::Person {
                    let words: Vec<&str> = canonical.split_whitespace().collect();
                    if words.len() >= 2 {
                        for w in words {
                            let parts = b
                                .person_parts
                                .entry(match_key(Kind::Person, w))
                                .or_default();
                            if parts.last() != Some(&c) {
                                parts.push(c);
                            }
                        }
                    }
                }
                // "Long Form (LF)": the parenthesised acronym after this name.
                let after = slice(m.end, m.end + 14);
                if let Some(inner) = after
                    .trim_start()
                    .strip_prefix('(')
                    .and_then(|r| r.split_once(')'))
                    .map(|(a, _)| a.trim())
                {
                    if is_acronym(inner) {
                        let letters: String = fold(inner).replace(' ', "");
                        let ini = initials(&canonical);
                        if ini == letters
                            || ini.starts_with(&letters)
                            || letters.len() >= 2 && ini.contains(&letters)
                        {
                            b.acronyms.insert(letters, c);
                        }
                    }
                }
                if is_acronym(&name) {
                    b.acronyms.entry(fold(&name).replace(' ', "")).or_insert(c);
                }
                // Context words of the sentence.
                if let Some(sp) = sentences.get(s_i) {
                    // Content words of each sentence, computed once per sentence.
                    let words = sentence_words.entry(s_i).or_insert_with(|| {
                        let stop = stopwords();
                        fold(&slice(sp.start, sp.end))
                            .split(' ')
                            .filter(|w| {
                                w.len() >= 4
                                    && !stop.contains(w)
                                    // "Friday's" folds to "fridays".
                                    && !stop.contains(w.strip_suffix('s').unwrap_or(w))
                                    && !w.chars().all(|c| c.is_ascii_digit())
                            })
                            .map(String::from)
                            .collect()
                    });
                    let own = fold(&m.text);
                    if let Some(ch) = b.chains.get_mut(c) {
                        for w in words.iter() {
                            if ch.words.len() >= MAX_WORDS {
                                break;
                            }
                            if !own.split(' ').any(|o| o == w) && !ch.words.contains(w) {
                                ch.words.push(w.clone());
                            }
                        }
                    }
                }
                if let Some(slot) = chain_of.get_mut(i) {
                    *slot = Some(c);
                }
            }
        }
    }
    for ch in &mut b.chains {
        ch.names
            .sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
        // Mentions in document order (the loop visits them so; keep it explicit).
        let mut pairs: Vec<(usize, &'static str)> = ch
            .mentions
            .iter()
            .copied()
            .zip(ch.why.iter().copied())
            .collect();
        pairs.sort_by_key(|(m, _)| mentions.get(*m).map(|x| x.start).unwrap_or(0));
        ch.mentions = pairs.iter().map(|p| p.0).collect();
        ch.why = pairs.iter().map(|p| p.1).collect();
    }
    // Chains emptied by binding role descriptions are dropped; indexes remapped.
    let mut remap: Vec<usize> = Vec::with_capacity(b.chains.len());
    let mut kept: Vec<Chain> = Vec::with_capacity(b.chains.len());
    for ch in b.chains {
        remap.push(kept.len());
        if !ch.mentions.is_empty() {
            kept.push(ch);
        }
    }
    let chain_of = chain_of
        .into_iter()
        .map(|c| c.and_then(|c| remap.get(c).copied()).unwrap_or(0))
        .collect();
    (kept, chain_of)
}

/// A person mention that describes a role rather than naming someone: "U.S. Central
/// Command commander", "Minister for the Middle East", "the Foreign Secretary".
/// (re3d labels these Person.)
pub fn is_role_description(text: &str) -> bool {
    let folded = fold(strip_possessive(text));
    let words: Vec<&str> = folded
        .split(' ')
        .filter(|w| !DETERMINERS.contains(w))
        .collect();
    let (Some(first), Some(last)) = (words.first(), words.last()) else {
        return false;
    };
    let role = |w: &str| TITLES.contains(&w) || PERSON_NOUNS.contains(&w);
    let last_role = role(last) && words.len() >= 2;
    let first_title_of = TITLES.contains(first) && words.iter().any(|w| *w == "of" || *w == "for");
    last_role || first_title_of
}

/// he/she: the nearest person earlier in the same sentence, else the subject (first
/// person mention) of the nearest earlier sentence with a person, a few sentences back.
fn person_antecedent<'a>(
    b: &Builder,
    earlier: impl Iterator<Item = (usize, &'a MentionInput, usize)>,
    sent: &[usize],
    s_i: usize,
) -> Option<usize> {
    let mut best_sentence: Option<usize> = None;
    let mut subject: Option<usize> = None;
    for (j, _, c) in earlier {
        let s_j = sent.get(j).copied().unwrap_or(0);
        if s_j + PRONOUN_SENTENCES < s_i {
            break;
        }
        if b.kind_of(c) != Some(Kind::Person) {
            continue;
        }
        if s_j == s_i {
            return Some(c);
        }
        match best_sentence {
            None => {
                best_sentence = Some(s_j);
                subject = Some(c);
            }
            // Walking backwards: later hits in the same sentence are earlier in it.
            Some(s) if s == s_j => subject = Some(c),
            Some(_) => break,
        }
    }
    subject
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str, spans: &[(&str, EntityLabel)]) -> Vec<MentionInput> {
        // Finds each mention text in order of appearance.
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

    fn groups(text: &str, ms: &[MentionInput]) -> Vec<usize> {
        let (_, of) = chain_document(text, &simple_sentences(text), ms);
        of
    }

    use EntityLabel::{Location as L, Organisation as O, Person as P};

    #[test]
    fn appositive_surname_and_pronoun_join_the_person() {
        let text = "Dick Schoof, the Dutch national counterterrorism coordinator, spoke on Monday. \
                    He said the threat was real. Schoof added that the coordinator's office would publish a report.";
        let ms = doc(
            text,
            &[
                ("Dick Schoof", P),
                ("the Dutch national counterterrorism coordinator", P),
                ("He", P),
                ("Schoof", P),
                ("the coordinator", P),
            ],
        );
        let g = groups(text, &ms);
        assert!(g.iter().all(|&c| c == g[0]), "{g:?}");
    }

    #[test]
    fn acronym_defined_in_parentheses_and_possessive() {
        let text = "The Syrian Democratic Forces (SDF) took the town. The SDF's commanders said ISIS fighters fled. \
                    Islamic State later denied it.";
        let ms = doc(
            text,
            &[
                ("The Syrian Democratic Forces", O),
                ("SDF", O),
                ("The SDF's", O),
                ("ISIS", O),
                ("Islamic State", O),
            ],
        );
        let g = groups(text, &ms);
        assert_eq!(g[0], g[1]);
        assert_eq!(g[0], g[2]);
        assert_eq!(g[3], g[4], "known alias");
        assert_ne!(g[0], g[3]);
    }

    #[test]
    fn two_people_with_one_surname_in_a_document_stay_apart_when_named_fully() {
        let text = "Mark Johnson met Linda Johnson in Eastport. Mark Johnson later left.";
        let ms = doc(
            text,
            &[
                ("Mark Johnson", P),
                ("Linda Johnson", P),
                ("Eastport", L),
                ("Mark Johnson", P),
            ],
        );
        let g = groups(text, &ms);
        assert_ne!(g[0], g[1]);
        assert_eq!(g[0], g[3]);
    }

    #[test]
    fn pronoun_prefers_the_previous_subject_and_company_nominal_links() {
        let text = "Anna Berg met Tom Krantz in Oslo. She told reporters the company would grow. \
                    Berglund Shipping said it had hired staff.";
        let ms = doc(
            text,
            &[
                ("Anna Berg", P),
                ("Tom Krantz", P),
                ("Oslo", L),
                ("She", P),
                ("the company", O),
                ("Berglund Shipping", O),
                ("it", O),
            ],
        );
        let g = groups(text, &ms);
        assert_eq!(g[3], g[0], "she → subject of previous sentence");
        assert_ne!(g[4], g[5], "no organisation before 'the company'");
        assert_eq!(g[6], g[5]);
    }

    #[test]
    fn unresolved_nominals_are_not_linkable() {
        let text = "The company said a spokesman would comment.";
        let ms = doc(text, &[("The company", O), ("a spokesman", P)]);
        let (chains, _) = chain_document(text, &simple_sentences(text), &ms);
        assert!(chains.iter().all(|c| !c.linkable));
    }

    #[test]
    fn role_descriptions_bind_to_the_name_they_introduce() {
        let text = "Minister for the Middle East Tobias Ellwood visited Amman. \
                    Gen. Joseph Votel, U.S. Central Command commander, praised the troops. \
                    Ellwood thanked him.";
        let ms = doc(
            text,
            &[
                ("Minister for the Middle East", P),
                ("Tobias Ellwood", P),
                ("Amman", L),
                ("Gen. Joseph Votel", P),
                ("U.S. Central Command commander", P),
                ("Ellwood", P),
                ("him", P),
            ],
        );
        let g = groups(text, &ms);
        assert_eq!(g[0], g[1], "role before the name");
        assert_eq!(g[3], g[4], "appositive role after the name");
        assert_ne!(g[1], g[3]);
        assert_eq!(g[5], g[1], "surname");
        // "him" is not the subject of its own clause: the previous sentence's subject.
        assert_eq!(g[6], g[3]);
        assert!(is_role_description("the Foreign Secretary"));
        assert!(!is_role_description("President Barack Obama"));
        assert!(!is_role_description("Gen. Joseph Votel"));
    }

    #[test]
    fn forms() {
        assert_eq!(form_of("he"), Form::Pronoun);
        assert_eq!(form_of("the company"), Form::Nominal);
        assert_eq!(form_of("The Islamic State"), Form::Name);
        assert_eq!(form_of("rebels"), Form::Nominal);
        assert_eq!(form_of("its chief executive"), Form::Nominal);
    }
}
