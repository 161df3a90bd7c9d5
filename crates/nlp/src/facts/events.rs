//! Events: attacks, bombings, shootings, kidnappings, arrests, killings,
//! meetings, travel, capture and liberation of places, statements.
//!
//! Rules, no model: a trigger lexicon (one hash lookup per token) finds verbal
//! and nominal triggers, trap rules drop false ones ("attack helicopters",
//! "shot glass", "arrested development"), and syntax-light rules over bounded
//! token windows bind the arguments: the subject before an active verb, "by X"
//! after a passive, the object, "on X" / "of X" after a nominal trigger,
//! "in X" for the place, "from X to Y" for travel, the time expression of the
//! clause. Everything is linear in the number of tokens.

use super::FactInput;
use dossier_core::{EntityLabel, Event, EventArgument, EventRole, EventType, Facts};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

const EXTRACTOR: &str = "events-rules/1";

/// How far (tokens) argument searches look from a trigger.
const WINDOW: usize = 14;

/// Events kept per sentence: the binding steps compare events of a sentence pairwise, so
/// this bounds the work on hostile input (a "sentence" of ten thousand "attacks").
const MAX_EVENTS_PER_SENTENCE: usize = 64;

// ---------------------------------------------------------------------------
// Token view shared with the claims extractor.

/// A token with what the rules need to know about it.
pub(crate) struct Tok<'t> {
    /// Byte range in the text.
    pub start: usize,
    pub end: usize,
    pub text: &'t str,
    /// Lower-cased text (borrowed when already lower case).
    pub low: Cow<'t, str>,
    /// First character is upper case.
    pub cap: bool,
    /// Index into `input.entities` of the mention covering this token.
    pub ent: Option<usize>,
    /// Index into `input.times` of the time expression overlapping this token.
    pub time: Option<usize>,
}

/// Tokens of the whole piece plus the token range of each sentence.
pub(crate) struct View<'t> {
    pub toks: Vec<Tok<'t>>,
    pub sents: Vec<(usize, usize)>,
}

pub(crate) fn view<'t>(input: &FactInput<'t>) -> View<'t> {
    let text = input.text;
    let ent_bytes: Vec<(usize, usize)> = input
        .entities
        .iter()
        .map(|e| (input.map.to_byte(e.start), input.map.to_byte(e.end)))
        .collect();
    let time_bytes: Vec<(usize, usize)> = input
        .times
        .iter()
        .map(|t| (input.map.to_byte(t.start), input.map.to_byte(t.end)))
        .collect();
    let mut toks = Vec::with_capacity(input.doc.tokens.len());
    let (mut ei, mut ti) = (0usize, 0usize);
    for t in &input.doc.tokens {
        let s = text.get(t.start..t.end).unwrap_or("");
        let low = if s.chars().any(|c| c.is_uppercase()) {
            Cow::Owned(s.to_lowercase())
        } else {
            Cow::Borrowed(s)
        };
        let cap = s.chars().next().is_some_and(|c| c.is_uppercase()) || arabic_name(s);
        while ent_bytes.get(ei).is_some_and(|&(_, e)| e <= t.start) {
            ei += 1;
        }
        let ent = ent_bytes
            .get(ei)
            .filter(|&&(a, b)| a <= t.start && t.end <= b)
            .map(|_| ei);
        while time_bytes.get(ti).is_some_and(|&(_, e)| e <= t.start) {
            ti += 1;
        }
        let time = time_bytes
            .get(ti)
            .filter(|&&(a, b)| a < t.end && t.start < b)
            .map(|_| ti);
        // The tagger's spans are noisy ("Rebels shelled government positions", "Germany last
        // year"): a token keeps its entity only when it is a name word, not a time, a number
        // or a verb the rules know.
        let ent = ent.filter(|&k| {
            let label_ok = input.entities.get(k).is_some_and(|e| {
                !matches!(
                    e.label,
                    EntityLabel::Temporal
                        | EntityLabel::Quantity
                        | EntityLabel::Money
                        | EntityLabel::Frequency
                )
            });
            let verb = !cap
                && (is(&low, AUX)
                    || lexicon()
                        .get(low.as_ref())
                        .is_some_and(|e| e.verb.is_some() && !e.noun));
            label_ok && time.is_none() && !verb
        });
        toks.push(Tok {
            start: t.start,
            end: t.end,
            text: s,
            low,
            cap,
            ent,
            time,
        });
    }
    let mut sents = Vec::with_capacity(input.doc.sentences.len());
    let mut k = 0usize;
    for &(_, se) in &input.doc.sentences {
        let a = k;
        while toks.get(k).is_some_and(|t| t.end <= se) {
            k += 1;
        }
        if k > a {
            sents.push((a, k));
        }
    }
    if k < toks.len() {
        sents.push((k, toks.len()));
    }
    View { toks, sents }
}

/// "al-Hilla", "el-Arish": a name behind a lower-case article.
fn arabic_name(s: &str) -> bool {
    [
        "al-", "el-", "ad-", "an-", "ar-", "as-", "ash-", "at-", "az-",
    ]
    .iter()
    .any(|p| {
        s.strip_prefix(p)
            .and_then(|r| r.chars().next())
            .is_some_and(char::is_uppercase)
    })
}

pub(crate) const DETS: &[&str] = &[
    "the", "a", "an", "this", "that", "these", "those", "its", "their", "his", "her", "our", "my",
    "your", "both", "each", "every", "any", "no", "another",
];
pub(crate) const PREPS: &[&str] = &[
    "in", "on", "at", "by", "for", "from", "to", "with", "of", "near", "outside", "inside", "into",
    "onto", "around", "during", "after", "before", "between", "over", "under", "across", "against",
    "through", "towards", "toward", "since", "until", "while", "within", "without", "along",
    "behind", "beyond", "amid", "among", "as", "about", "via", "despite", "than", "like", "upon",
    "off", "out", "up", "down",
];
pub(crate) const AUX: &[&str] = &[
    "is", "was", "were", "are", "be", "been", "being", "am", "has", "have", "had", "having",
    "will", "would", "could", "should", "may", "might", "can", "must", "did", "does", "do",
    "shall", "'s", "'ve", "'d", "'ll", "got", "get", "gets",
];
const BE: &[&str] = &[
    "is", "was", "were", "are", "be", "been", "being", "am", "got", "get", "gets", "'s",
];
const CONJ: &[&str] = &[
    "and",
    "or",
    "but",
    "that",
    "which",
    "who",
    "whom",
    "whose",
    "when",
    "where",
    "if",
    "because",
    "although",
    "though",
    "whether",
    "so",
    "then",
    "not",
    "never",
    "n't",
    "also",
    "there",
    "here",
    "what",
    "how",
    "why",
    "said",
    "says",
    "say",
    "told",
    "according",
    "yet",
    "nor",
];
pub(crate) const PRONOUNS: &[&str] = &[
    "he",
    "she",
    "they",
    "it",
    "we",
    "i",
    "you",
    "him",
    "them",
    "us",
    "me",
    "himself",
    "herself",
    "themselves",
    "itself",
];
/// Words that end a noun phrase though they look like nouns.
const NP_STOP: &[&str] = &[
    "twice",
    "once",
    "dead",
    "unharmed",
    "alive",
    "later",
    "earlier",
    "ago",
    "again",
    "overnight",
    "yesterday",
    "today",
    "tonight",
    "tomorrow",
    "now",
    "last",
    "next",
    "home",
    "abroad",
    "responsibility",
    "control",
    "some",
    "many",
    "more",
    "most",
    "several",
    "few",
    "all",
    "such",
    "loyal",
    "suspected",
    "accused",
    "believed",
    "thought",
    "alleged",
    "reportedly",
    "allegedly",
    "began",
    "begun",
    "took",
    "taken",
    "made",
    "came",
    "went",
    "gave",
    "found",
    "saw",
    "kept",
    "held",
    "brought",
    "sent",
    "left",
    "became",
    "remain",
    "remains",
    "remained",
    "continues",
    "began",
    "seems",
    "appears",
    "including",
];
/// Quantity qualifiers skipped at the start of an object ("at least 14 people").
pub(crate) const QUALIFIER_WORDS: &[&str] = &[
    "at",
    "least",
    "more",
    "than",
    "some",
    "about",
    "nearly",
    "almost",
    "over",
    "up",
    "to",
    "around",
    "roughly",
    "approximately",
    "many",
    "several",
    "dozens",
    "hundreds",
    "thousands",
];
const PLACE_NOUNS: &[&str] = &[
    "town",
    "city",
    "village",
    "capital",
    "port",
    "stronghold",
    "district",
    "province",
    "region",
    "neighbourhood",
    "neighborhood",
    "area",
    "suburb",
    "enclave",
    "outskirts",
];
const PERSON_NOUNS: &[&str] = &[
    "journalist",
    "journalists",
    "hostage",
    "hostages",
    "ambassador",
    "engineer",
    "engineers",
    "tourist",
    "tourists",
    "worker",
    "workers",
    "man",
    "men",
    "woman",
    "women",
    "priest",
    "nun",
    "child",
    "children",
    "girl",
    "girls",
    "boy",
    "boys",
    "soldier",
    "soldiers",
    "businessman",
    "diplomat",
    "diplomats",
    "reporter",
    "reporters",
    "doctor",
    "doctors",
    "nurse",
    "student",
    "students",
    "pilgrims",
    "civilians",
    "officer",
    "officers",
    "people",
    "photographer",
    "missionary",
    "missionaries",
    "teacher",
    "teachers",
    "villagers",
];
/// Titles dropped from the front of a named argument ("Prime Minister Ines Moreau").
const TITLES: &[&str] = &[
    "president",
    "prime",
    "minister",
    "general",
    "gen.",
    "colonel",
    "col.",
    "mr",
    "mr.",
    "mrs",
    "mrs.",
    "ms",
    "ms.",
    "dr",
    "dr.",
    "sheikh",
    "imam",
    "judge",
    "king",
    "queen",
    "prince",
    "senator",
    "sen.",
    "commander",
    "chancellor",
    "governor",
    "mayor",
    "captain",
    "capt.",
    "lieutenant",
    "lt.",
    "sergeant",
    "sgt.",
    "major",
    "maj.",
    "secretary",
    "chief",
];
const PLACE_PREPS: &[&str] = &[
    "in",
    "at",
    "near",
    "outside",
    "inside",
    "around",
    "across",
    "throughout",
];

pub(crate) fn is(w: &str, set: &[&str]) -> bool {
    set.contains(&w)
}

pub(crate) fn is_punct(s: &str) -> bool {
    !s.chars().any(|c| c.is_alphanumeric())
}

pub(crate) fn is_number(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_digit())
}

// ---------------------------------------------------------------------------
// Trigger lexicon.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Form {
    Base,
    S,
    Past,
    /// Past and past participle spelled alike.
    PastPart,
    Part,
    Ing,
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    kind: EventType,
    lemma: &'static str,
    verb: Option<Form>,
    noun: bool,
}

/// Verbs: type, base, 3rd person, past, past participle, -ing.
const VERBS: &[(EventType, [&str; 5])] = {
    use EventType::*;
    &[
        (
            Attack,
            ["attack", "attacks", "attacked", "attacked", "attacking"],
        ),
        (
            Attack,
            [
                "assault",
                "assaults",
                "assaulted",
                "assaulted",
                "assaulting",
            ],
        ),
        (
            Attack,
            ["ambush", "ambushes", "ambushed", "ambushed", "ambushing"],
        ),
        (
            Attack,
            ["storm", "storms", "stormed", "stormed", "storming"],
        ),
        (
            Attack,
            ["shell", "shells", "shelled", "shelled", "shelling"],
        ),
        (Attack, ["stab", "stabs", "stabbed", "stabbed", "stabbing"]),
        (
            Attack,
            [
                "bombard",
                "bombards",
                "bombarded",
                "bombarded",
                "bombarding",
            ],
        ),
        (Bombing, ["bomb", "bombs", "bombed", "bombed", "bombing"]),
        (Bombing, ["blow", "blows", "blew", "blown", "blowing"]),
        (Shooting, ["shoot", "shoots", "shot", "shot", "shooting"]),
        (Shooting, ["fire", "fires", "fired", "fired", "firing"]),
        (Shooting, ["gun", "guns", "gunned", "gunned", "gunning"]),
        (
            Kidnapping,
            ["kidnap", "kidnaps", "kidnapped", "kidnapped", "kidnapping"],
        ),
        (
            Kidnapping,
            ["abduct", "abducts", "abducted", "abducted", "abducting"],
        ),
        (Capture, ["seize", "seizes", "seized", "seized", "seizing"]),
        (
            Arrest,
            ["arrest", "arrests", "arrested", "arrested", "arresting"],
        ),
        (
            Arrest,
            ["detain", "detains", "detained", "detained", "detaining"],
        ),
        (
            Arrest,
            [
                "apprehend",
                "apprehends",
                "apprehended",
                "apprehended",
                "apprehending",
            ],
        ),
        (Killing, ["kill", "kills", "killed", "killed", "killing"]),
        (
            Killing,
            ["murder", "murders", "murdered", "murdered", "murdering"],
        ),
        (
            Killing,
            ["execute", "executes", "executed", "executed", "executing"],
        ),
        (
            Killing,
            [
                "assassinate",
                "assassinates",
                "assassinated",
                "assassinated",
                "assassinating",
            ],
        ),
        (
            Killing,
            ["behead", "beheads", "beheaded", "beheaded", "beheading"],
        ),
        (Meeting, ["meet", "meets", "met", "met", "meeting"]),
        (
            Travel,
            ["travel", "travels", "travelled", "travelled", "travelling"],
        ),
        (
            Travel,
            ["travel", "travels", "traveled", "traveled", "traveling"],
        ),
        (Travel, ["move", "moves", "moved", "moved", "moving"]),
        (
            Travel,
            [
                "relocate",
                "relocates",
                "relocated",
                "relocated",
                "relocating",
            ],
        ),
        (Travel, ["fly", "flies", "flew", "flown", "flying"]),
        (
            Travel,
            ["return", "returns", "returned", "returned", "returning"],
        ),
        (
            Travel,
            ["visit", "visits", "visited", "visited", "visiting"],
        ),
        (
            Travel,
            ["cross", "crosses", "crossed", "crossed", "crossing"],
        ),
        (Travel, ["flee", "flees", "fled", "fled", "fleeing"]),
        (
            Travel,
            ["arrive", "arrives", "arrived", "arrived", "arriving"],
        ),
        (
            Travel,
            ["smuggle", "smuggles", "smuggled", "smuggled", "smuggling"],
        ),
        (
            Capture,
            ["capture", "captures", "captured", "captured", "capturing"],
        ),
        (
            Capture,
            ["overrun", "overruns", "overran", "overrun", "overrunning"],
        ),
        (Capture, ["fall", "falls", "fell", "fallen", "falling"]),
        (Capture, ["lose", "loses", "lost", "lost", "losing"]),
        (
            Liberation,
            [
                "liberate",
                "liberates",
                "liberated",
                "liberated",
                "liberating",
            ],
        ),
        (
            Liberation,
            [
                "recapture",
                "recaptures",
                "recaptured",
                "recaptured",
                "recapturing",
            ],
        ),
        (
            Liberation,
            ["retake", "retakes", "retook", "retaken", "retaking"],
        ),
        (
            Liberation,
            ["regain", "regains", "regained", "regained", "regaining"],
        ),
        (Liberation, ["free", "frees", "freed", "freed", "freeing"]),
        (Statement, ["say", "says", "said", "said", "saying"]),
        (Statement, ["tell", "tells", "told", "told", "telling"]),
        (
            Statement,
            [
                "announce",
                "announces",
                "announced",
                "announced",
                "announcing",
            ],
        ),
        (
            Statement,
            ["state", "states", "stated", "stated", "stating"],
        ),
        (
            Statement,
            ["declare", "declares", "declared", "declared", "declaring"],
        ),
        (Statement, ["deny", "denies", "denied", "denied", "denying"]),
        (
            Statement,
            ["claim", "claims", "claimed", "claimed", "claiming"],
        ),
        (
            Statement,
            ["allege", "alleges", "alleged", "alleged", "alleging"],
        ),
        (
            Statement,
            [
                "confirm",
                "confirms",
                "confirmed",
                "confirmed",
                "confirming",
            ],
        ),
        (
            Statement,
            ["insist", "insists", "insisted", "insisted", "insisting"],
        ),
        (Statement, ["warn", "warns", "warned", "warned", "warning"]),
        (
            Statement,
            ["admit", "admits", "admitted", "admitted", "admitting"],
        ),
        (
            Statement,
            [
                "testify",
                "testifies",
                "testified",
                "testified",
                "testifying",
            ],
        ),
        (
            Statement,
            [
                "acknowledge",
                "acknowledges",
                "acknowledged",
                "acknowledged",
                "acknowledging",
            ],
        ),
        (
            Statement,
            ["report", "reports", "reported", "reported", "reporting"],
        ),
    ]
};

/// Nominal triggers: type, singular, plural.
const NOUNS: &[(EventType, &str, &str)] = {
    use EventType::*;
    &[
        (Attack, "attack", "attacks"),
        (Attack, "assault", "assaults"),
        (Attack, "ambush", "ambushes"),
        (Attack, "airstrike", "airstrikes"),
        (Attack, "air-strike", "air-strikes"),
        (Attack, "strike", "strikes"),
        (Attack, "shelling", "shellings"),
        (Attack, "stabbing", "stabbings"),
        (Attack, "massacre", "massacres"),
        (Attack, "raid", "raids"),
        (Bombing, "bombing", "bombings"),
        (Bombing, "bomb", "bombs"),
        (Bombing, "explosion", "explosions"),
        (Bombing, "blast", "blasts"),
        (Bombing, "car-bomb", "car-bombs"),
        (Shooting, "shooting", "shootings"),
        (Shooting, "shootout", "shootouts"),
        (Shooting, "gunfire", "gunfire"),
        (Shooting, "fire", "fire"),
        (Kidnapping, "kidnapping", "kidnappings"),
        (Kidnapping, "abduction", "abductions"),
        (Arrest, "arrest", "arrests"),
        (Arrest, "detention", "detentions"),
        (Killing, "killing", "killings"),
        (Killing, "murder", "murders"),
        (Killing, "assassination", "assassinations"),
        (Killing, "execution", "executions"),
        (Killing, "beheading", "beheadings"),
        (Meeting, "meeting", "meetings"),
        (Meeting, "talks", "talks"),
        (Meeting, "summit", "summits"),
        (Travel, "relocation", "relocations"),
        (Travel, "trip", "trips"),
        (Travel, "journey", "journeys"),
        (Capture, "fall", "fall"),
        (Capture, "capture", "captures"),
        (Capture, "seizure", "seizures"),
        (Capture, "takeover", "takeovers"),
        (Liberation, "liberation", "liberations"),
        (Liberation, "recapture", "recaptures"),
    ]
};

fn lexicon() -> &'static HashMap<&'static str, Entry> {
    static LEX: OnceLock<HashMap<&'static str, Entry>> = OnceLock::new();
    LEX.get_or_init(|| {
        let mut m: HashMap<&'static str, Entry> = HashMap::new();
        for (kind, forms) in VERBS {
            let [base, s, past, part, ing] = *forms;
            let fs = [
                (base, Form::Base),
                (s, Form::S),
                (
                    past,
                    if past == part {
                        Form::PastPart
                    } else {
                        Form::Past
                    },
                ),
                (
                    part,
                    if past == part {
                        Form::PastPart
                    } else {
                        Form::Part
                    },
                ),
                (ing, Form::Ing),
            ];
            for (w, f) in fs {
                m.entry(w).or_insert(Entry {
                    kind: *kind,
                    lemma: base,
                    verb: Some(f),
                    noun: false,
                });
            }
        }
        for (kind, sg, pl) in NOUNS {
            for w in [*sg, *pl] {
                m.entry(w)
                    .and_modify(|e| {
                        e.noun = true;
                        if e.kind != *kind {
                            // The nominal reading decides the type where they differ
                            // ("fire": shooting either way; "strike" only nominal).
                            e.kind = *kind;
                        }
                    })
                    .or_insert(Entry {
                        kind: *kind,
                        lemma: sg,
                        verb: None,
                        noun: true,
                    });
            }
        }
        m
    })
}

// ---------------------------------------------------------------------------
// Extraction.

#[derive(Debug)]
struct Found {
    kind: EventType,
    /// Trigger token range.
    a: usize,
    b: usize,
    lemma: &'static str,
    verbal: bool,
    passive: bool,
    args: Vec<(EventRole, usize, usize)>,
    modality: Option<&'static str>,
}

/// The events stated in one piece of text.
pub fn extract(input: &FactInput<'_>, _so_far: &Facts) -> Vec<Event> {
    let v = view(input);
    let mut out = Vec::new();
    for &(sa, sb) in &v.sents {
        sentence(input, &v.toks, sa, sb, &mut out);
    }
    out
}

/// One sentence under analysis (shared with the claims extractor).
pub(crate) struct Ctx<'a, 't> {
    pub input: &'a FactInput<'t>,
    pub t: &'a [Tok<'t>],
    /// Sentence token range.
    pub sa: usize,
    pub sb: usize,
}

impl<'a, 't> Ctx<'a, 't> {
    pub(crate) fn low(&self, i: usize) -> &str {
        self.t.get(i).map_or("", |t| t.low.as_ref())
    }
    pub(crate) fn prev(&self, i: usize) -> &str {
        if i > self.sa {
            self.low(i - 1)
        } else {
            ""
        }
    }
    pub(crate) fn next(&self, i: usize) -> &str {
        if i + 1 < self.sb {
            self.low(i + 1)
        } else {
            ""
        }
    }
    pub(crate) fn cap(&self, i: usize) -> bool {
        self.t.get(i).is_some_and(|t| t.cap)
    }
    pub(crate) fn ent_label(&self, i: usize) -> Option<EntityLabel> {
        let e = self.t.get(i)?.ent?;
        self.input.entities.get(e).map(|e| e.label)
    }
    pub(crate) fn is_location(&self, i: usize) -> bool {
        self.cap(i)
            && matches!(
                self.ent_label(i),
                Some(EntityLabel::Location | EntityLabel::Loc)
            )
    }
    pub(crate) fn is_person(&self, i: usize) -> bool {
        matches!(
            self.ent_label(i),
            Some(EntityLabel::Person | EntityLabel::Per)
        ) || is(self.low(i), PERSON_NOUNS)
    }
    /// A word that can sit inside a noun phrase.
    pub(crate) fn np_word(&self, i: usize) -> bool {
        let Some(t) = self.t.get(i) else {
            return false;
        };
        let w = t.low.as_ref();
        if t.time.is_some() {
            return false;
        }
        if w == "'s" || w == "'" {
            return true;
        }
        if is_punct(w) {
            return false;
        }
        if t.cap && i > self.sa {
            return true;
        }
        let closed = is(w, DETS)
            || is(w, PREPS)
            || is(w, AUX)
            || is(w, CONJ)
            || is(w, PRONOUNS)
            || is(w, NP_STOP);
        if closed {
            return false;
        }
        t.cap
            || !(w.ends_with("ly")
                || lexicon()
                    .get(w)
                    .is_some_and(|e| e.verb.is_some() && !e.noun))
    }
}

/// Finds triggers, binds arguments, sets modality for one sentence.
fn sentence(input: &FactInput<'_>, t: &[Tok<'_>], sa: usize, sb: usize, out: &mut Vec<Event>) {
    let c = Ctx { input, t, sa, sb };
    let lex = lexicon();
    let mut found: Vec<Found> = Vec::new();
    let mut i = sa;
    while i < sb && found.len() < MAX_EVENTS_PER_SENTENCE {
        let Some(tok) = t.get(i) else { break };
        let Some(&entry) = lex.get(tok.low.as_ref()) else {
            i += 1;
            continue;
        };
        if let Some(f) = trigger(&c, i, entry) {
            let b = f.b;
            found.push(f);
            i = b;
        } else {
            i += 1;
        }
    }
    if found.is_empty() {
        return;
    }
    for k in 0..found.len() {
        bind(&c, &mut found, k);
    }
    attach_places_times(&c, &mut found);
    link(&c, &mut found);
    for k in 0..found.len() {
        let m = modality(&c, &found, k);
        if let Some(f) = found.get_mut(k) {
            f.modality = m;
        }
    }
    for f in found {
        if f.kind == EventType::Statement && !f.args.iter().any(|a| a.0 == EventRole::Agent) {
            continue;
        }
        if let Some(e) = to_event(&c, f) {
            out.push(e);
        }
    }
}

fn to_event(c: &Ctx<'_, '_>, f: Found) -> Option<Event> {
    let span = |a: usize, b: usize| -> Option<(usize, usize, String)> {
        let s = c.t.get(a)?.start;
        let e = c.t.get(b.checked_sub(1)?)?.end;
        let text = c.input.text.get(s..e)?.to_string();
        Some((c.input.map.to_char(s), c.input.map.to_char(e), text))
    };
    let (ts, te, tt) = span(f.a, f.b)?;
    let mut arguments: Vec<EventArgument> = Vec::new();
    for (role, a, b) in f.args {
        let Some((s, e, text)) = span(a, b) else {
            continue;
        };
        if arguments
            .iter()
            .any(|x| x.role == role && x.start == s && x.end == e)
        {
            continue;
        }
        let value = if role == EventRole::Time {
            c.t.get(a)
                .and_then(|t| t.time)
                .and_then(|k| c.input.times.get(k))
                .map(|tm| tm.value.clone())
        } else {
            None
        };
        arguments.push(EventArgument {
            role,
            start: s,
            end: e,
            text,
            value,
        });
    }
    let confidence = 0.5 + 0.08 * arguments.len().min(5) as f32;
    Some(Event {
        kind: f.kind,
        trigger: dossier_core::Arg {
            start: ts,
            end: te,
            text: tt,
        },
        arguments,
        modality: f.modality.map(str::to_string),
        confidence,
        extractor: EXTRACTOR.to_string(),
    })
}

/// Decides whether token `i` is a trigger, and of what.
// One arm per lemma with its own tests reads better than match guards.
#[allow(clippy::collapsible_match)]
fn trigger(c: &Ctx<'_, '_>, i: usize, e: Entry) -> Option<Found> {
    let w = c.low(i);
    let prev = c.prev(i);
    let next = c.next(i);
    let prev_det = is(prev, DETS) || prev == "'s";
    let mut kind = e.kind;
    let mut b = i + 1;
    // Nominal or verbal reading.
    let verbal = match e.verb {
        None => false,
        // A verb-only word after a determiner is an adjective or a noun ("the alleged plot",
        // "the board's report").
        Some(_) if !e.noun => {
            !(is(
                prev,
                &[
                    "the", "a", "an", "its", "their", "his", "her", "our", "my", "your",
                ],
            ) || prev == "'s")
        }
        Some(Form::Ing) => {
            !prev_det
                && (is(prev, BE)
                    || prev == ","
                    || is(next, DETS)
                    || is_number(next)
                    || next == "dead"
                    || c.cap(i + 1))
        }
        Some(Form::Base) => {
            is(
                prev,
                &[
                    "to", "will", "would", "could", "can", "may", "might", "should", "did",
                ],
            ) || is(prev, &["not", "n't", "never"])
                || is(prev, PRONOUNS)
                || (is(next, DETS) && !prev_det)
        }
        Some(Form::S) => {
            !prev_det
                && !is_number(prev)
                && is(next, DETS)
                && !is(next, &["this", "that", "these", "those"])
        }
        Some(_) => !prev_det,
    };
    if !verbal && !e.noun {
        return None;
    }
    // Capitalised triggers inside names ("Attack Squadron", "Operation Return") are not events,
    // except at the start of a sentence.
    if c.cap(i) && i > c.sa && c.t.get(i).is_some_and(|t| t.ent.is_some()) {
        return None;
    }
    let participle = verbal && matches!(e.verb, Some(Form::PastPart | Form::Part));
    // "ten people killed in the blast": a bare participle after a noun with no object.
    let reduced = participle
        && !matches!(
            e.kind,
            EventType::Travel | EventType::Meeting | EventType::Statement
        )
        && i > c.sa
        && c.np_word(i - 1)
        && !c.cap(i - 1)
        && !is(prev, PRONOUNS)
        && (i + 1 >= c.sb || is(next, PREPS) || is_punct(next))
        && !(next == "at" && c.low(i + 2) == "least")
        && !is(next, &["up", "down", "off", "out"]);
    let passive = participle && (be_before(c, i) || reduced);
    match e.lemma {
        "attack" | "strike" | "assault" if !verbal => {
            // "attack helicopters", "heart attack", "strike price", "hunger strike".
            if is(
                next,
                &[
                    "helicopter",
                    "helicopters",
                    "aircraft",
                    "jet",
                    "jets",
                    "dog",
                    "dogs",
                    "submarine",
                    "submarines",
                    "ad",
                    "ads",
                    "rate",
                    "rates",
                    "surface",
                    "vector",
                    "vectors",
                    "boat",
                    "boats",
                    "price",
                    "force",
                    "rifle",
                    "rifles",
                    "weapon",
                ],
            ) || is(
                prev,
                &[
                    "heart", "panic", "asthma", "anxiety", "hunger", "general", "lucky", "first",
                ],
            ) {
                return None;
            }
            if e.lemma == "strike" {
                // Only military strikes: "air strike", "drone strike", "missile strike".
                if !is(
                    prev,
                    &["air", "drone", "missile", "rocket", "artillery", "military"],
                ) {
                    return None;
                }
            }
        }
        "raid" => return None,
        "bomb" if !verbal && matches!(w, "bomb" | "bombs") => {
            if is(
                next,
                &[
                    "attack",
                    "attacks",
                    "blast",
                    "blasts",
                    "explosion",
                    "explosions",
                ],
            ) {
                // "car bomb attacks": one bombing.
                b = i + 2;
            } else if !went_off(c, i) {
                return None;
            }
            if is(
                next,
                &[
                    "squad",
                    "squads",
                    "disposal",
                    "shelter",
                    "shelters",
                    "maker",
                    "makers",
                    "factory",
                    "expert",
                    "experts",
                    "detector",
                    "detectors",
                    "threat",
                    "threats",
                    "scare",
                    "hoax",
                ],
            ) {
                return None;
            }
        }
        "blow" => {
            // "blew himself up", "blew up the bridge"; not "a blow to".
            if !verbal || !(next == "up" || c.low(i + 2) == "up" || is(next, PRONOUNS)) {
                return None;
            }
        }
        "shoot" => {
            if !verbal && !matches!(w, "shooting" | "shootings") {
                return None;
            }
            if is(next, &["glass", "glasses", "film", "video"])
                || is(
                    prev,
                    &[
                        "photo", "fashion", "video", "film", "flu", "big", "long", "parting",
                        "penalty",
                    ],
                )
            {
                return None;
            }
            if w == "shot" && prev_det {
                return None;
            }
            if w == "shoot" && !verbal {
                return None;
            }
        }
        "fire" => {
            // "opened fire", "fired on/at"; not "fire crews", "was fired from his job".
            let opened = is(prev, &["open", "opened", "opens", "opening"]);
            let fired_on = matches!(w, "fired" | "fires" | "firing")
                && is(next, &["on", "at", "upon", "into", "shots"]);
            if !(opened || fired_on) {
                return None;
            }
        }
        "gun" => {
            if !(verbal && next == "down") {
                return None;
            }
        }
        "seize" => {
            if !verbal {
                return None;
            }
            // People seized are kidnapped; places or control seized are captured.
            if person_around(c, i, passive) {
                kind = EventType::Kidnapping;
            }
        }
        "capture" if verbal && person_around(c, i, passive) => {
            // A person captured is arrested (or taken); only places are captured.
            kind = EventType::Arrest;
        }
        "storm" => {
            // "stormed the embassy"; not "stormed into the lead", "storm through the course".
            if !verbal || !(is(next, DETS) || c.cap(i + 1)) {
                return None;
            }
        }
        "execute" => {
            // "executed four hostages", "was executed"; not "an operation executed by".
            let person = if passive {
                subject(c, i).is_some_and(|(a, b)| (a..b).any(|k| c.is_person(k)))
            } else {
                object(c, i + 1).is_some_and(|(a, b)| (a..b).any(|k| c.is_person(k) || c.cap(k)))
            };
            if verbal && !person {
                return None;
            }
        }
        "arrest" => {
            if is(
                next,
                &["development", "warrant", "warrants", "record", "records"],
            ) || is(prev, &["cardiac", "house", "heart"])
                || is(next, &["the", "a", "an"])
                    && is(
                        c.low(i + 2),
                        &[
                            "spread",
                            "decline",
                            "growth",
                            "slide",
                            "rise",
                            "fall",
                            "progress",
                            "development",
                            "trend",
                        ],
                    )
                || (w == "arrested" && is(prev, &["of", "an", "a", "the"]))
            {
                return None;
            }
        }
        "meet" => {
            if w == "meeting"
                && is(
                    next,
                    &["room", "rooms", "point", "place", "minutes", "hall"],
                )
            {
                return None;
            }
            if !verbal && w != "meeting" && w != "meetings" {
                return None;
            }
            // Sports fixtures: "athletics meeting", "in 12 meetings".
            if !verbal
                && (is(
                    prev,
                    &[
                        "athletics",
                        "prix",
                        "race",
                        "track",
                        "swimming",
                        "racing",
                        "season",
                        "league",
                    ],
                ) || is_number(prev)
                    || is(
                        prev,
                        &["two", "three", "four", "five", "previous", "last", "recent"],
                    ))
            {
                return None;
            }
            if is(
                next,
                &[
                    "expectations",
                    "demand",
                    "needs",
                    "requirements",
                    "target",
                    "targets",
                    "deadline",
                    "criteria",
                    "standards",
                    "costs",
                ],
            ) {
                return None;
            }
        }
        "talks" => {
            if prev == "peace"
                || !prev_det
                    && !is(
                        prev,
                        &[
                            "held", "hold", "holds", "holding", "peace", "direct", "secret",
                            "fresh", "new",
                        ],
                    )
                    && !is(next, &["with", "between", "in", "on"])
            {
                return None;
            }
        }
        "summit" | "trip" | "journey" | "execution" | "detention" | "takeover" | "seizure" => {
            if !prev_det {
                return None;
            }
        }
        "fire_" => {}
        "travel" | "relocate" | "flee" | "arrive" | "smuggle" | "relocation" => {
            if !verbal && e.lemma != "relocation" {
                return None;
            }
        }
        "move" | "return" | "fly" | "cross" => {
            if !verbal || !travel_pp(c, i) {
                return None;
            }
        }
        "visit" => {
            if !verbal || !(c.is_location(i + 1) || c.cap(i + 1)) {
                return None;
            }
        }
        "fall" => {
            if verbal {
                // "Mosul fell to IS"; not "fell 4 percent", "fell to 80 dollars".
                if !(next == "to"
                    && !is_number(c.low(i + 2))
                    && (c.cap(i + 2) || c.ent_label(i + 2).is_some() || is(c.low(i + 2), DETS)))
                {
                    return None;
                }
            } else if !(next == "of"
                && prev_det
                && !is_number(c.low(i + 2))
                && c.t.get(i + 2).is_none_or(|t| t.time.is_none()))
            {
                return None;
            }
        }
        "lose" => {
            // "lost the town of X to Y".
            if !verbal || !lost_to(c, i) {
                return None;
            }
        }
        "capture" | "recapture" | "liberation" | "liberate" | "retake" | "overrun" => {
            if !verbal && next != "of" {
                return None;
            }
            if !verbal && is(next, &["rate", "card", "device"]) {
                return None;
            }
        }
        "regain" => {
            if !(next == "control" || c.is_location(i + 1) || c.cap(i + 1)) {
                return None;
            }
        }
        "free" => {
            // Only places: "freed the city of X"; freed hostages are not a liberation.
            if !verbal || !(place_object(c, i)) {
                return None;
            }
        }
        "report" => {
            // "officials reported that ..." only; "the report", "reported cases" are not statements.
            if !verbal || !is(next, &["that", ","]) {
                return None;
            }
        }
        "claim" => {
            if !verbal || is(prev, DETS) {
                return None;
            }
        }
        "state" => {
            if c.cap(i) || !verbal || is(w, &["state", "states"]) && !is(next, &["that"]) {
                return None;
            }
        }
        "allege" => {
            if !verbal || passive || is(prev, DETS) || w == "alleged" && !is(next, &["that", ","]) {
                return None;
            }
        }
        "warn" => {
            if !verbal || w == "warning" {
                return None;
            }
        }
        "say" | "tell" | "announce" | "declare" | "deny" | "confirm" | "insist" | "admit"
        | "testify" | "acknowledge" => {
            if !verbal || passive && e.lemma != "tell" {
                return None;
            }
            if w.ends_with("ing") && !is(prev, BE) {
                return None;
            }
        }
        _ => {}
    }
    // Multi-word triggers keep one token; "opened fire" keeps "fire", "blew up" keeps "blew".
    if e.lemma == "strike" {
        b = i + 1;
    }
    if kind == EventType::Statement && passive {
        return None;
    }
    Some(Found {
        kind,
        a: i,
        b,
        lemma: e.lemma,
        verbal,
        passive,
        args: Vec::new(),
        modality: None,
    })
}

/// Whether the bomb at `i` goes off in its clause ("A car bomb exploded", "a bomb planted
/// under a seat went off"); bombs found, defused or destroyed are weapons, not events.
fn went_off(c: &Ctx<'_, '_>, i: usize) -> bool {
    let end = (i + 8).min(c.sb);
    for j in i + 1..end {
        let w = c.low(j);
        if is(
            w,
            &[
                "exploded",
                "explodes",
                "explode",
                "exploding",
                "detonated",
                "detonates",
                "went",
                "goes",
                "go",
                "killed",
                "kills",
                "kill",
                "wounded",
                "injured",
                "ripped",
                "rips",
                "tore",
                "blew",
                "hit",
                "struck",
                "destroyed",
                "damaged",
                "shook",
            ],
        ) {
            return true;
        }
        if is(w, &[",", ".", ";", "and", "that", "which"]) && j > i + 1 && w != "," {
            return false;
        }
    }
    false
}

/// A form of "be" (or "get") before token `i`, adverbs and negation allowed between.
fn be_before(c: &Ctx<'_, '_>, i: usize) -> bool {
    let mut j = i;
    let mut steps = 0;
    while j > c.sa && steps < 4 {
        j -= 1;
        steps += 1;
        let w = c.low(j);
        if is(w, BE) {
            return true;
        }
        if is(
            w,
            &[
                "not",
                "never",
                "n't",
                "also",
                "reportedly",
                "allegedly",
                "later",
                "then",
                "all",
                "both",
                "and",
            ],
        ) || w.ends_with("ly")
            || lexicon()
                .get(w)
                .is_some_and(|e| e.verb == Some(Form::PastPart))
        {
            continue;
        }
        return false;
    }
    false
}

/// Travel verbs need a destination or origin phrase: "moved its headquarters from Syria to
/// Libya", "returned to Germany"; not "moved the motion to adjourn".
fn travel_pp(c: &Ctx<'_, '_>, i: usize) -> bool {
    let end = (i + 8).min(c.sb);
    for j in i + 1..end {
        let w = c.low(j);
        if is(w, &["to", "from", "into", "for", "home", "back"]) {
            let n = c.low(j + 1);
            if w == "home" || w == "back" {
                return true;
            }
            if c.is_location(j + 1) || c.cap(j + 1) {
                return true;
            }
            if is(n, DETS)
                && (j + 2..(j + 5).min(c.sb)).any(|k| {
                    c.is_location(k)
                        || is(c.low(k), PLACE_NOUNS)
                        || is(c.low(k), &["country", "border", "headquarters", "base"])
                })
            {
                return true;
            }
        }
        if c.low(j) == "." || c.low(j) == ";" {
            break;
        }
    }
    false
}

fn lost_to(c: &Ctx<'_, '_>, i: usize) -> bool {
    let end = (i + 10).min(c.sb);
    let mut place = false;
    for j in i + 1..end {
        if c.is_location(j) || is(c.low(j), PLACE_NOUNS) {
            place = true;
        }
        if c.low(j) == "to" && place {
            return true;
        }
    }
    false
}

fn place_object(c: &Ctx<'_, '_>, i: usize) -> bool {
    let end = (i + 4).min(c.sb);
    (i + 1..end).any(|j| c.is_location(j) || is(c.low(j), PLACE_NOUNS))
}

/// Whether the thing seized at `i` is a person (then it is a kidnapping).
fn person_around(c: &Ctx<'_, '_>, i: usize, passive: bool) -> bool {
    if passive {
        if let Some((a, b)) = subject(c, i) {
            return (a..b).any(|k| c.is_person(k));
        }
        return false;
    }
    if c.next(i) == "control" {
        return false;
    }
    object(c, i + 1).is_some_and(|(a, b)| (a..b).any(|k| c.is_person(k)))
}

// ---------------------------------------------------------------------------
// Noun phrases.

/// Verbs that hand their subject to a following "to" infinitive or object noun.
const CONTROL: &[&str] = &[
    "planning",
    "planned",
    "plans",
    "plan",
    "tried",
    "trying",
    "tries",
    "try",
    "attempted",
    "attempting",
    "sought",
    "seeking",
    "wanted",
    "wants",
    "intended",
    "intends",
    "preparing",
    "prepared",
    "going",
    "set",
    "due",
    "able",
    "hoping",
    "hoped",
    "expected",
    "threatened",
    "threatening",
    "vowed",
    "vows",
    "decided",
    "agreed",
    "continued",
    "began",
    "started",
    "refused",
    "failed",
    "managed",
    "used",
    "went",
    "came",
    "flew",
    "travelled",
    "traveled",
];

/// Strips determiners, quantity qualifiers and titles from a phrase given as tokens.
pub(crate) fn trim_np(c: &Ctx<'_, '_>, mut a: usize, b: usize) -> Option<(usize, usize)> {
    while a < b {
        let w = c.low(a);
        // A capitalised "The" inside a sentence belongs to the name ("The Hague").
        let name_the = w == "the" && c.cap(a) && a > c.sa && c.cap(a + 1);
        let qual = is(w, QUALIFIER_WORDS) && (!c.cap(a) || a == c.sa) && a + 1 < b;
        if (is(w, DETS) && !name_the) || qual {
            a += 1;
        } else {
            break;
        }
    }
    // Titles before a capitalised name.
    let mut k = a;
    while k + 1 < b && is(c.low(k), TITLES) && c.cap(k) {
        k += 1;
    }
    if k > a && k < b && c.cap(k) && !is(c.low(k), TITLES) {
        a = k;
    }
    (a < b).then_some((a, b))
}

/// The range of the (usable) entity covering token `i`: a name, i.e. its first word after
/// determiners is capitalised. Common-noun entities of the tagger are not trusted.
pub(crate) fn ent_range(c: &Ctx<'_, '_>, i: usize) -> Option<(usize, usize)> {
    let e = c.t.get(i)?.ent?;
    let mut a = i;
    while a > c.sa && c.t.get(a - 1).is_some_and(|t| t.ent == Some(e)) {
        a -= 1;
    }
    let mut b = i + 1;
    while b < c.sb && c.t.get(b).is_some_and(|t| t.ent == Some(e)) {
        b += 1;
    }
    let mut f = a;
    while f < b && is(c.low(f), DETS) {
        f += 1;
    }
    (f < b && c.cap(f)).then_some((a, b))
}

/// A time word that modifies a following noun ("a Christmas market").
fn time_modifier(c: &Ctx<'_, '_>, i: usize) -> bool {
    c.t.get(i).is_some_and(|t| t.time.is_some())
        && c.t.get(i + 1).is_some_and(|t| t.time.is_none() && !t.cap)
        && c.np_word(i + 1)
        && !is(c.low(i + 1), &["ago", "later", "earlier"])
}

/// The noun phrase starting at or after `i` (determiners and quantity qualifiers skipped).
pub(crate) fn object(c: &Ctx<'_, '_>, i: usize) -> Option<(usize, usize)> {
    let mut a = i;
    let lim = (i + 5).min(c.sb);
    while a < lim {
        let w = c.low(a);
        let qual = is(w, QUALIFIER_WORDS)
            && !c.cap(a)
            && (is_number(c.low(a + 1))
                || is(c.low(a + 1), QUALIFIER_WORDS)
                || is(
                    w,
                    &["some", "many", "several", "dozens", "hundreds", "thousands"],
                ));
        if is(w, DETS) && w != "no" || qual || (w == "of" && a > i) {
            a += 1;
        } else {
            break;
        }
    }
    if a >= c.sb {
        return None;
    }
    if is(c.low(a), PRONOUNS) {
        return Some((a, a + 1));
    }
    let mut b = a;
    while b < c.sb && b < a + 10 {
        if let Some((_, eb)) = ent_range(c, b) {
            b = eb;
            continue;
        }
        if !(c.np_word(b) || (b == a && time_modifier(c, b))) {
            break;
        }
        let w = c.low(b);
        if b > a && !c.cap(b) && (w.ends_with("ing") || (w.ends_with("ed") && !c.np_word(b + 1))) {
            break;
        }
        b += 1;
    }
    if b == a {
        return None;
    }
    // "the town of Tal Afar" → "Tal Afar".
    if is(c.low(b - 1), PLACE_NOUNS) && c.low(b) == "of" && c.cap(b + 1) {
        return name_at(c, b + 1);
    }
    trim_np(c, a, b)
}

/// A name (entity or run of capitalised words) starting at `i`.
pub(crate) fn name_at(c: &Ctx<'_, '_>, i: usize) -> Option<(usize, usize)> {
    if let Some((ea, eb)) = ent_range(c, i) {
        let mut b = eb;
        while b < c.sb && c.cap(b) && c.np_word(b) {
            b += 1;
        }
        return trim_np(c, ea.max(i), b);
    }
    let mut b = i;
    while b < c.sb
        && c.t.get(b).is_some_and(|t| t.time.is_none())
        && (c.cap(b)
            || (b > i
                && is(c.low(b), &["al", "el", "de", "van", "der", "bin", "von"])
                && c.cap(b + 1)))
    {
        b += 1;
    }
    (b > i).then_some((i, b))
}

/// The noun phrase ending just before `j` (exclusive end), walking left.
pub(crate) fn np_left(c: &Ctx<'_, '_>, j: usize) -> Option<(usize, usize)> {
    if j <= c.sa {
        return None;
    }
    let last = j - 1;
    if is(c.low(last), PRONOUNS) {
        return Some((last, j));
    }
    if !c.cap(last) && c.low(last).ends_with("ed") {
        return None;
    }
    let mut a = j;
    while a > c.sa && a + 10 > j {
        if let Some((ea, _)) = ent_range(c, a - 1) {
            a = ea;
            continue;
        }
        if !c.np_word(a - 1) {
            break;
        }
        a -= 1;
    }
    if a == j {
        return None;
    }
    trim_np(c, a, j)
}

/// The subject of the verb at `i`: skips auxiliaries, negation and adverbs leftwards,
/// jumps over relative pronouns and appositions between commas.
pub(crate) fn subject(c: &Ctx<'_, '_>, i: usize) -> Option<(usize, usize)> {
    let mut j = i;
    let mut steps = 0;
    while j > c.sa && steps < 7 {
        let w = c.low(j - 1);
        if is(w, &["who", "which"]) {
            j -= 1;
            if j > c.sa && c.low(j - 1) == "," {
                j -= 1;
            }
            return np_left(c, j);
        }
        if is(w, &["and", "that", "than"]) {
            return None;
        }
        if is(w, AUX)
            || is(w, CONTROL)
            || is(
                w,
                &[
                    "not",
                    "never",
                    "n't",
                    "also",
                    "reportedly",
                    "allegedly",
                    "later",
                    "then",
                    "first",
                    "to",
                    "still",
                    "already",
                    "once",
                    "now",
                    "jointly",
                ],
            )
            || (w.ends_with("ly") && !c.cap(j - 1))
        {
            j -= 1;
            steps += 1;
            continue;
        }
        break;
    }
    if j <= c.sa {
        return None;
    }
    if is(c.low(j - 1), &["--", "—", "–"]) {
        // "The Commission -- which has led the opposition -- said": the phrase before the dashes.
        let lo = j.saturating_sub(30).max(c.sa);
        let mut k = j - 1;
        while k > lo {
            k -= 1;
            if is(c.low(k), &["--", "—", "–"]) {
                return np_left(c, k);
            }
        }
        return None;
    }
    if c.low(j - 1) == "," {
        // "Amira Haddad, a spokeswoman for the ministry, said" and "The group's leader, Abu
        // Khalid al-Masri, was killed": of the phrase and its apposition, the name.
        let inner = np_left(c, j - 1);
        let lo = j.saturating_sub(16).max(c.sa);
        let mut k = j - 1;
        while k > lo {
            k -= 1;
            if c.low(k) == "," {
                let outer = np_left(c, k);
                let person = |np: Option<(usize, usize)>| {
                    np.filter(|&(a, b)| {
                        (a..b).any(|x| {
                            matches!(c.ent_label(x), Some(EntityLabel::Person | EntityLabel::Per))
                        })
                    })
                };
                let named = |np: Option<(usize, usize)>| {
                    np.filter(|&(a, b)| {
                        (a..b).any(|x| c.cap(x) && x > c.sa || ent_range(c, x).is_some())
                    })
                };
                return person(outer)
                    .or(person(inner))
                    .or(named(outer))
                    .or(named(inner))
                    .or(outer);
            }
        }
        return None;
    }
    np_left(c, j).map(|np| np_of(c, np))
}

/// "The leader of the cell" → "leader": a phrase after "of", "from" or "in" hands over to
/// the one before it.
fn np_of(c: &Ctx<'_, '_>, np: (usize, usize)) -> (usize, usize) {
    let (a, _) = np;
    let mut k = a;
    while k > c.sa && is(c.low(k - 1), DETS) {
        k -= 1;
    }
    // "fighters from Belgium have travelled", "officials in Paris said", "a group of farmers
    // in Huize county were arrested": hop back over a few prepositional phrases.
    let mut np = np;
    for _ in 0..4 {
        if k <= c.sa || !is(c.low(k - 1), &["of", "from", "in"]) {
            break;
        }
        let Some(head) = np_left(c, k - 1) else {
            break;
        };
        // "thousands of people": the people are the phrase, not the number.
        if is(
            c.low(head.1 - 1),
            &[
                "tens",
                "hundreds",
                "thousands",
                "millions",
                "dozens",
                "scores",
                "number",
                "lot",
                "lots",
            ],
        ) {
            break;
        }
        np = head;
        k = head.0;
        while k > c.sa && is(c.low(k - 1), DETS) {
            k -= 1;
        }
    }
    np
}

// ---------------------------------------------------------------------------
// Arguments.

fn bind(c: &Ctx<'_, '_>, found: &mut [Found], k: usize) {
    let Some(f) = found.get(k) else { return };
    let (i, kind, verbal, passive, lemma) = (f.a, f.kind, f.verbal, f.passive, f.lemma);
    let mut args: Vec<(EventRole, usize, usize)> = Vec::new();
    let after = f.b;
    use EventRole::*;
    let subj_role = |kind: EventType| match kind {
        EventType::Meeting => Participant,
        _ => Agent,
    };
    if kind == EventType::Statement {
        if let Some(s) = subject(c, i) {
            args.push((Agent, s.0, s.1));
        } else if is(c.prev(i), &[",", "\"", "”", "''"]) || i == c.sa {
            // Inverted: '"...," said the minister'.
            if let Some(o) = object(c, after) {
                args.push((Agent, o.0, o.1));
            }
        }
        if let Some(f) = found.get_mut(k) {
            f.args = args;
        }
        return;
    }
    if verbal {
        let w = c.low(i);
        let participle = w.ends_with("ing") && c.prev(i) == ",";
        let to_inf = c.prev(i) == "to";
        // "a plot to bomb": the plotter is not named here.
        let bare_inf = to_inf
            && is(
                c.low(i.saturating_sub(2)),
                &[
                    "plot",
                    "plots",
                    "plan",
                    "plans",
                    "attempt",
                    "attempts",
                    "bid",
                    "conspiracy",
                    "scheme",
                    "order",
                    "orders",
                    "call",
                    "calls",
                    "threat",
                    "threats",
                    "plotting",
                ],
            );
        if participle || to_inf {
            // Subject of the main clause: the agent of an earlier event, else the first NP.
            let earlier = found
                .get(..k)
                .and_then(|fs| {
                    fs.iter()
                        .rev()
                        .filter(|f| f.kind != EventType::Statement)
                        .find_map(|f| {
                            f.args
                                .iter()
                                .find(|a| matches!(a.0, Agent | Participant))
                                .copied()
                        })
                })
                .map(|a| (a.1, a.2));
            let s = earlier.or_else(|| {
                if to_inf {
                    subject(c, i)
                } else {
                    clause_subject(c, i)
                }
            });
            if let Some(s) = s.filter(|_| !bare_inf) {
                if !event_noun(c, s) {
                    args.push((subj_role(kind), s.0, s.1));
                }
            }
        } else if passive {
            if let Some(s) = subject(c, i) {
                let role = if kind == EventType::Meeting {
                    Participant
                } else {
                    Target
                };
                args.push((role, s.0, s.1));
            }
            // "by X" within a few tokens.
            let end = (after + 4).min(c.sb);
            for j in after..end {
                if c.low(j) == "by" {
                    if let Some(o) = object(c, j + 1) {
                        args.push((subj_role(kind), o.0, o.1));
                    }
                    break;
                }
            }
        } else if let Some(s) = subject(c, i) {
            if kind == EventType::Capture && lemma == "fall" {
                args.push((Target, s.0, s.1));
            } else if !event_noun(c, s) {
                args.push((subj_role(kind), s.0, s.1));
                // "Hassan Qadri and Farid Nasser met".
                if kind == EventType::Meeting && s.0 > c.sa + 1 && c.low(s.0 - 1) == "and" {
                    if let Some(s2) = np_left(c, s.0 - 1) {
                        args.push((Participant, s2.0, s2.1));
                    }
                }
            }
        }
        // Objects.
        if !passive {
            let mut j = after;
            // "blew himself up", "gunned down", "shot dead", "opened fire on".
            while j < c.sb
                && is(
                    c.low(j),
                    &[
                        "up",
                        "down",
                        "dead",
                        "himself",
                        "herself",
                        "themselves",
                        "and",
                        "wounded",
                        "injured",
                        "or",
                        "maimed",
                    ],
                )
            {
                j += 1;
            }
            match kind {
                EventType::Meeting => {
                    if c.low(j) == "with" {
                        j += 1;
                    }
                    if let Some(o) = object(c, j) {
                        if !is(c.low(o.0), &["in", "at"]) {
                            args.push((Participant, o.0, o.1));
                        }
                    }
                }
                EventType::Travel => {
                    if lemma == "visit" {
                        if let Some(o) = object(c, j) {
                            args.push((Destination, o.0, o.1));
                        }
                    }
                }
                EventType::Shooting if lemma == "fire" => {
                    if is(c.low(j), &["on", "at", "upon", "into"]) {
                        if let Some(o) = object(c, j + 1) {
                            args.push((Target, o.0, o.1));
                        }
                    }
                }
                EventType::Capture if lemma == "fall" => {
                    if c.low(j) == "to" {
                        if let Some(o) = object(c, j + 1) {
                            args.push((Agent, o.0, o.1));
                        }
                    }
                }
                EventType::Capture if lemma == "lose" => {
                    // "X lost the town of Y to Z": Z captured Y.
                    args.retain(|a| a.0 != Agent);
                    if let Some(o) = object(c, j) {
                        args.push((Target, o.0, o.1));
                        let end = (o.1 + 4).min(c.sb);
                        for m in o.1..end {
                            if c.low(m) == "to" {
                                if let Some(z) = object(c, m + 1) {
                                    args.push((Agent, z.0, z.1));
                                }
                                break;
                            }
                        }
                    }
                }
                _ => {
                    if c.low(j) == "control" && c.low(j + 1) == "of" {
                        j += 2;
                    }
                    let objectless = (is(c.low(j), PREPS)
                        && !(c.low(j) == "at" && c.low(j + 1) == "least"))
                        || c.t.get(j).is_some_and(|t| t.time.is_some());
                    if !objectless {
                        if let Some(o) = object(c, j) {
                            args.push((Target, o.0, o.1));
                        }
                    }
                }
            }
        }
    } else {
        // Nominal trigger: "the attack on X", "the fall of X", "talks with X",
        // "X claimed responsibility for the bombing", "planning an attack".
        let n = c.low(after);
        match kind {
            EventType::Meeting => {
                if is(n, &["with", "between"]) {
                    if let Some(o) = object(c, after + 1) {
                        args.push((Participant, o.0, o.1));
                    }
                }
            }
            _ => {
                if is(n, &["on", "of", "against"]) {
                    if let Some(o) = object(c, after + 1) {
                        if c.t.get(o.0).is_none_or(|t| t.time.is_none()) {
                            args.push((Target, o.0, o.1));
                        }
                    }
                }
            }
        }
        if let Some((role, s)) = governing_subject(c, i, kind) {
            args.push((role, s.0, s.1));
        }
        // "... was carried out by X", "... was claimed by X".
        let end = (after + WINDOW).min(c.sb);
        for j in after..end {
            if c.low(j) == "by"
                && is(
                    c.prev(j),
                    &[
                        "out",
                        "claimed",
                        "committed",
                        "perpetrated",
                        "staged",
                        "conducted",
                    ],
                )
            {
                if let Some(o) = object(c, j + 1) {
                    args.push((Agent, o.0, o.1));
                }
                break;
            }
        }
    }
    // Travel: "from X to Y".
    if kind == EventType::Travel {
        let end = (after + 10).min(c.sb);
        let mut j = after;
        while j < end {
            let w = c.low(j);
            let role = match w {
                "from" => Some(Origin),
                "to" | "into" | "for" => Some(Destination),
                _ => None,
            };
            if let Some(role) = role {
                if let Some(o) = place_np(c, j + 1) {
                    if !args.iter().any(|a| a.0 == role) {
                        args.push((role, o.0, o.1));
                    }
                    j = o.1;
                    continue;
                }
            }
            if w == "," || w == "." {
                break;
            }
            j += 1;
        }
    }
    if let Some(f) = found.get_mut(k) {
        f.args = args;
    }
}

/// A named place after a preposition: "Paris", "the village of Kafr Nabl", "northern Niger".
fn place_np(c: &Ctx<'_, '_>, i: usize) -> Option<(usize, usize)> {
    let mut a = i;
    let lim = (i + 5).min(c.sb);
    while a < lim && !c.cap(a) {
        let w = c.low(a);
        if is(w, DETS)
            || is(w, PLACE_NOUNS)
            || w == "of"
            || is(
                w,
                &[
                    "northern",
                    "southern",
                    "eastern",
                    "western",
                    "central",
                    "north",
                    "south",
                    "east",
                    "west",
                    "rural",
                    "strategic",
                ],
            )
        {
            a += 1;
        } else {
            return None;
        }
    }
    if a >= lim {
        return None;
    }
    if c.is_location(a) {
        return name_at(c, a);
    }
    match c.ent_label(a) {
        Some(
            EntityLabel::Person
            | EntityLabel::Per
            | EntityLabel::Temporal
            | EntityLabel::Nationality
            | EntityLabel::Quantity
            | EntityLabel::Money,
        ) => None,
        _ if c.cap(a) => name_at(c, a),
        _ => None,
    }
}

/// An event noun as subject ("the bombing ... killed") is a cause, not an agent.
fn event_noun(c: &Ctx<'_, '_>, np: (usize, usize)) -> bool {
    let head = c.low(np.1.saturating_sub(1));
    head.ends_with("ing")
        || is(
            head,
            &[
                "attack",
                "attacks",
                "explosion",
                "blast",
                "assault",
                "raid",
                "violence",
                "fighting",
                "clashes",
            ],
        )
}

/// The first noun phrase of the clause holding `i` (for participles: ", killing 30").
fn clause_subject(c: &Ctx<'_, '_>, i: usize) -> Option<(usize, usize)> {
    // Walk back to the main verb before the comma and take its subject.
    let mut j = i;
    while j > c.sa {
        j -= 1;
        let w = c.low(j);
        let verbish = (!c.cap(j) && lexicon().get(w).is_some_and(|e| e.verb.is_some()))
            || (w.ends_with("ed") && !c.cap(j))
            || is(w, &["went", "ripped", "blew", "exploded", "tore", "opened"]);
        if verbish && j > c.sa && !is(c.prev(j), DETS) {
            return subject(c, j);
        }
    }
    None
}

/// Agent of a nominal trigger that is the object of "plan", "launch", "carry out", "claim
/// responsibility for": the subject of that verb.
fn governing_subject(
    c: &Ctx<'_, '_>,
    i: usize,
    kind: EventType,
) -> Option<(EventRole, (usize, usize))> {
    let mut j = i;
    let lo = i.saturating_sub(6).max(c.sa);
    while j > lo {
        j -= 1;
        let w = c.low(j);
        if is(w, DETS)
            || c.t.get(j).is_some_and(|t| t.time.is_some())
            || is(
                w,
                &[
                    "new",
                    "major",
                    "fresh",
                    "second",
                    "deadly",
                    "further",
                    "suicide",
                    "coordinated",
                ],
            )
        {
            continue;
        }
        if is(w, &["for"]) && c.prev(j) == "responsibility" {
            j -= 1;
            continue;
        }
        let gov = is(
            w,
            &[
                "planning",
                "planned",
                "plan",
                "plans",
                "preparing",
                "prepared",
                "prepare",
                "launch",
                "launched",
                "launching",
                "launches",
                "carried",
                "carry",
                "carrying",
                "staged",
                "stage",
                "committed",
                "commit",
                "conducted",
                "claimed",
                "claim",
                "claims",
                "plotted",
                "plotting",
                "held",
                "hold",
                "holds",
                "attended",
                "attend",
                "mounted",
                "mount",
                "opened",
                "open",
                "opens",
            ],
        );
        if !gov {
            return None;
        }
        let mut v = j;
        // "suspected of preparing an attack": the people suspected.
        if c.prev(v) == "of"
            && is(
                c.low(v.saturating_sub(2)),
                &["suspected", "accused", "convicted"],
            )
        {
            v -= 2;
            let s = np_left(c, v)?;
            return Some((EventRole::Agent, s));
        }
        let s = subject(c, v)?;
        if event_noun(c, s) {
            return None;
        }
        let role = if kind == EventType::Meeting {
            EventRole::Participant
        } else {
            EventRole::Agent
        };
        return Some((role, s));
    }
    None
}

/// Places ("in X" after a trigger) and times go to the nearest trigger before them; a time
/// before a nominal trigger in the same phrase ("the November 2015 attacks") or opening the
/// sentence ("In 2016, ...") goes to the trigger after it.
fn attach_places_times(c: &Ctx<'_, '_>, found: &mut [Found]) {
    let owner_before =
        |found: &[Found], j: usize| -> Option<usize> { found.iter().rposition(|f| f.b <= j) };
    let mut j = c.sa;
    let mut seen_times: Vec<usize> = Vec::new();
    while j < c.sb {
        // Places.
        if is(c.low(j), PLACE_PREPS) {
            if let Some(p) = place_np(c, j + 1) {
                if let Some(k) = owner_before(found, j) {
                    if let Some(f) = found.get_mut(k) {
                        let within = j - f.b <= WINDOW && !relative_between(c, f.b, j);
                        let taken = f.args.iter().any(|a| a.1 < p.1 && p.0 < a.2);
                        if within
                            && !taken
                            && f.kind != EventType::Statement
                            && !f.args.iter().any(|a| a.0 == EventRole::Place)
                        {
                            f.args.push((EventRole::Place, p.0, p.1));
                        }
                    }
                }
                j = p.1;
                continue;
            }
        }
        // Times.
        if let Some(tk) = c.t.get(j).and_then(|t| t.time) {
            let mut e = j;
            while e < c.sb && c.t.get(e).is_some_and(|t| t.time == Some(tk)) {
                e += 1;
            }
            let overlaps_trigger = found
                .iter()
                .any(|f| (f.a < e && j < f.b) || f.args.iter().any(|x| x.1 < e && j < x.2));
            let kind_ok = c.input.times.get(tk).is_some_and(|t| {
                !matches!(
                    t.kind,
                    dossier_core::TimeType::Duration | dossier_core::TimeType::Set
                )
            });
            if !overlaps_trigger && kind_ok && !seen_times.contains(&tk) {
                seen_times.push(tk);
                let (a, b) = trim_time(c, j, e);
                // A time right before a nominal trigger, or opening the sentence, looks forward.
                let fwd = found
                    .iter()
                    .position(|f| f.a >= e && f.a <= e + 1 && !f.verbal)
                    .or_else(|| {
                        let opening = j <= c.sa + 1 && c.low(e) == ",";
                        if opening {
                            found
                                .iter()
                                .position(|f| f.a > e && f.kind != EventType::Statement)
                        } else {
                            None
                        }
                    });
                let target = fwd.or_else(|| {
                    let k = owner_before(found, j)?;
                    let f = found.get(k)?;
                    if f.kind == EventType::Statement {
                        // "said on Friday": only right after the verb.
                        (j <= f.b + 1).then_some(k)
                    } else {
                        (j - f.b <= WINDOW && !relative_between(c, f.b, j)).then_some(k)
                    }
                });
                if let Some(k) = target {
                    if let Some(f) = found.get_mut(k) {
                        if !f.args.iter().any(|x| x.0 == EventRole::Time) {
                            f.args.push((EventRole::Time, a, b));
                        }
                    }
                }
            }
            j = e;
            continue;
        }
        j += 1;
    }
}

/// A relative clause starts between `a` and `b` ("overran Arbil, which has been held since
/// 1994"): what follows it belongs to that clause, not to the trigger.
fn relative_between(c: &Ctx<'_, '_>, a: usize, b: usize) -> bool {
    (a..b).any(|k| is(c.low(k), &["which", "who", "whom", "whose", "where"]))
}

/// Trims a leading preposition a time expression may have swallowed.
fn trim_time(c: &Ctx<'_, '_>, mut a: usize, b: usize) -> (usize, usize) {
    while a + 1 < b && is(c.low(a), &["on", "in", "at", "during", "the", "since"]) {
        a += 1;
    }
    (a, b)
}

/// Events joined by "and", "when" or a participle (", killing 30"), or an event noun that is
/// the subject of the next event ("the shelling of X on Sunday killed"), share place and time.
fn link(c: &Ctx<'_, '_>, found: &mut [Found]) {
    for k in 1..found.len() {
        let (Some(p), Some(q)) = (found.get(k - 1), found.get(k)) else {
            continue;
        };
        if p.kind == EventType::Statement || q.kind == EventType::Statement {
            continue;
        }
        let between: Vec<&str> = (p.b..q.a).map(|j| c.low(j)).collect();
        let participle = c.low(q.a).ends_with("ing") && c.prev(q.a) == "," && q.verbal;
        // Coordinated clauses ("were arrested and a third was shot"), not lists of nouns.
        // "and" (or "when", "as") joining the two clauses close to the second verb, with no
        // "before"/"after" or comma after it.
        let joined = p.verbal
            && q.verbal
            && between
                .iter()
                .rposition(|w| matches!(*w, "and" | "when" | "as"))
                .is_some_and(|k| {
                    between.len() - k <= 4
                        && !between[k..]
                            .iter()
                            .any(|w| is(w, &["before", "after", ",", "then", "until"]))
                });
        let subject_of = !p.verbal
            && q.verbal
            && !between.iter().any(|w| {
                is(
                    w,
                    &[",", "before", "after", "that", "who", "which", "while"],
                ) || lexicon()
                    .get(*w)
                    .is_some_and(|e| e.verb.is_some() && !e.noun)
            });
        let cause = c.low(q.a) == "killed" && !p.verbal && p.kind != EventType::Meeting;
        // "killed in an air strike", "died in the attack".
        let by_means = p.verbal
            && !q.verbal
            && between.len() <= 4
            && between
                .first()
                .is_some_and(|w| is(w, &["in", "during", "by"]));
        if !(participle || joined || subject_of || cause || by_means) {
            continue;
        }
        let pairs: Vec<_> = [EventRole::Place, EventRole::Time]
            .iter()
            .map(|&role| {
                (
                    p.args.iter().find(|a| a.0 == role).copied(),
                    q.args.iter().find(|a| a.0 == role).copied(),
                )
            })
            .collect();
        for (pa, qa) in pairs {
            match (pa, qa) {
                (Some(x), None) => {
                    if let Some(q) = found.get_mut(k) {
                        q.args.push(x);
                    }
                }
                (None, Some(x)) => {
                    if let Some(p) = found.get_mut(k - 1) {
                        p.args.push(x);
                    }
                }
                _ => {}
            }
        }
    }
}

/// Modality from cues before the trigger in its clause.
fn modality(c: &Ctx<'_, '_>, found: &[Found], k: usize) -> Option<&'static str> {
    let f = found.get(k)?;
    if f.kind == EventType::Statement {
        let lo = f.a.saturating_sub(3).max(c.sa);
        return (lo..f.a)
            .any(|j| is(c.low(j), &["not", "never", "n't"]))
            .then_some("negated");
    }
    // A denial earlier in the sentence covers what follows it.
    if found
        .get(..k)?
        .iter()
        .any(|p| p.kind == EventType::Statement && p.lemma == "deny")
    {
        return Some("denied");
    }
    let lo = f.a.saturating_sub(7).max(c.sa);
    let mut best: Option<&'static str> = None;
    for j in (lo..f.a).rev() {
        let w = c.low(j);
        if is(w, &[",", ";", "who", "which", "when", "after", "before"])
            || found
                .iter()
                .any(|o| o.a == j && o.kind != EventType::Statement)
        {
            break;
        }
        let m = match w {
            "foiled" | "thwarted" | "prevented" | "disrupted" | "averted" | "foil" | "thwart" => {
                Some("foiled")
            }
            "planning" | "planned" | "plans" | "plan" | "plot" | "plotting" | "plotted"
            | "preparing" | "prepared" | "intended" | "intends" | "will" | "'ll" | "threatened"
            | "threatening" => Some("planned"),
            "alleged" | "allegedly" | "suspected" | "reportedly" | "thought" | "believed"
            | "accused" | "purported" | "purportedly" => Some("alleged"),
            "not" | "never" | "n't" | "no" => Some("negated"),
            "could" | "might" | "would" | "if" | "unless" => Some("hypothetical"),
            _ => None,
        };
        if let Some(m) = m {
            // Foiling outranks the planning it stops ("foiled a plot to bomb").
            if best.is_none() || m == "foiled" {
                best = Some(m);
            }
        }
    }
    if best.is_none() {
        if let Some(first) = c.t.get(c.sa) {
            if first.low == "if" || first.low == "unless" {
                return Some("hypothetical");
            }
        }
    }
    best
}
