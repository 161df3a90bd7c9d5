//! The statements that connect entities: quotes, roles, relations, events and
//! numeric claims. Each carries code point spans for every part, the extractor
//! and a confidence (the provenance invariant), and is found in one sentence or
//! a few adjacent ones.

use crate::extraction::TimeMention;
use serde::{Deserialize, Serialize};

/// A part of a fact: a span of the document text (code points) and that text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Arg {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// Direct quotation (between quote marks) or reported speech ("officials say that ...").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuoteKind {
    Direct,
    Reported,
}

/// Something a speaker said, with who said it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    /// The quoted words: inside the quote marks for direct quotes (the span runs
    /// over several sentences or paragraphs when the quote does), the reported
    /// clause for reported speech.
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub kind: QuoteKind,
    /// The speaker as written at the attribution: "Schoof", "the official", "he".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<Arg>,
    /// The named mention the speaker resolves to, when the text allows
    /// ("the official" → "Dick Schoof" introduced earlier). Equal to `speaker`
    /// when the speaker is already a name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker_entity: Option<Arg>,
    /// The speaker's role stated at the attribution ("the Dutch national
    /// counterterrorism coordinator").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker_role: Option<Arg>,
    /// The cue verb: said, told, warned, according to...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cue: Option<Arg>,
    pub confidence: f32,
    pub extractor: String,
}

/// A role or title held by a person: "Dick Schoof, the Dutch national
/// counterterrorism coordinator"; "U.S. President Donald Trump".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Role {
    /// The whole phrase that states the role.
    pub start: usize,
    pub end: usize,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<Arg>,
    /// The title itself: "President", "national counterterrorism coordinator", "head".
    pub title: Arg,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<Arg>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<Arg>,
    /// late, former, acting, deputy, ...
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub qualifiers: Vec<String>,
    pub confidence: f32,
    pub extractor: String,
}

/// A typed, directed relation between two spans. `kind` is a re3d relation type
/// spelled as in the data (CoLocated, FightingAgainst, BelongsTo, HasAttrOf,
/// InChargeOf, CommWith, IsSynonymOf, AlliesOf, Likes, Dislikes, Apart) or one of
/// dossier's own: MemberOf, RoleAt, LocatedIn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Relation {
    #[serde(rename = "type")]
    pub kind: String,
    pub source: Arg,
    pub target: Arg,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<Arg>,
    pub confidence: f32,
    pub extractor: String,
}

/// Relation types whose arguments may be swapped without changing the meaning.
pub const SYMMETRIC_RELATIONS: [&str; 6] = [
    "CoLocated",
    "Apart",
    "FightingAgainst",
    "AlliesOf",
    "CommWith",
    "IsSynonymOf",
];

/// What kind of thing happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EventType {
    Attack,
    Bombing,
    Shooting,
    Kidnapping,
    Arrest,
    Killing,
    Meeting,
    /// Travel or relocation of people or of an organisation's base.
    Travel,
    /// Capture of a place (or its fall).
    Capture,
    /// Liberation or recapture of a place.
    Liberation,
    Statement,
}

impl EventType {
    pub const ALL: [EventType; 11] = [
        EventType::Attack,
        EventType::Bombing,
        EventType::Shooting,
        EventType::Kidnapping,
        EventType::Arrest,
        EventType::Killing,
        EventType::Meeting,
        EventType::Travel,
        EventType::Capture,
        EventType::Liberation,
        EventType::Statement,
    ];
    pub fn as_str(&self) -> &'static str {
        match self {
            EventType::Attack => "Attack",
            EventType::Bombing => "Bombing",
            EventType::Shooting => "Shooting",
            EventType::Kidnapping => "Kidnapping",
            EventType::Arrest => "Arrest",
            EventType::Killing => "Killing",
            EventType::Meeting => "Meeting",
            EventType::Travel => "Travel",
            EventType::Capture => "Capture",
            EventType::Liberation => "Liberation",
            EventType::Statement => "Statement",
        }
    }
}

impl std::str::FromStr for EventType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        EventType::ALL
            .iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s))
            .copied()
            .ok_or_else(|| format!("unknown event type {s:?}"))
    }
}

/// The part an argument plays in an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventRole {
    /// Who did it (attacker, arresting force, speaker of a statement).
    Agent,
    /// Who or what it was done to (victim, arrested person, captured place).
    Target,
    /// Who took part without a direction (people meeting).
    Participant,
    /// Where it happened.
    Place,
    /// When it happened (`value` holds the normalised TIMEX3 value).
    Time,
    /// Travel: where from.
    Origin,
    /// Travel: where to.
    Destination,
}

/// One argument of an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventArgument {
    pub role: EventRole,
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// Normalised value: the TIMEX3 value for `time`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// Something that happened (or was planned, foiled, alleged, denied).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    #[serde(rename = "type")]
    pub kind: EventType,
    /// The word or phrase that names the event: "attacks", "fall", "moved", "met".
    pub trigger: Arg,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub arguments: Vec<EventArgument>,
    /// planned, foiled, alleged, denied, negated, hypothetical; absent = asserted as happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modality: Option<String>,
    pub confidence: f32,
    pub extractor: String,
}

/// A quantity stated about a subject: "of the Netherlands' approximately 300
/// foreign fighters, slightly more than 50 have returned" gives two claims
/// (subject Netherlands, attribute "foreign fighters", value 300, qualifier
/// "approximately"; attribute "foreign fighters returned", value 50, qualifier
/// "slightly more than").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    /// The clause that states the claim.
    pub start: usize,
    pub end: usize,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Arg>,
    /// What is counted or measured, normalised to lower case: "foreign fighters".
    pub attribute: String,
    /// The number as written, with its unit and qualifier.
    pub quantity: Arg,
    pub value: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// approximately, about, more than, at least, up to, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualifier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<TimeMention>,
    /// Who says so: the speaker when the claim sits in a quote or after a cue verb;
    /// absent = the document itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Arg>,
    pub confidence: f32,
    pub extractor: String,
}

/// Every kind of statement extracted from a document besides entity mentions.
/// Each list is skipped in JSON when empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    /// Temporal expressions, normalised.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub times: Vec<TimeMention>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quotes: Vec<Quote>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<Role>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<Relation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub claims: Vec<Claim>,
}

impl Facts {
    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
            && self.quotes.is_empty()
            && self.roles.is_empty()
            && self.relations.is_empty()
            && self.events.is_empty()
            && self.claims.is_empty()
    }

    /// Moves every span by `by` code points (used when a long text is processed in pieces).
    pub fn shift(&mut self, by: usize) {
        fn arg(a: &mut Arg, by: usize) {
            a.start += by;
            a.end += by;
        }
        fn opt(a: &mut Option<Arg>, by: usize) {
            if let Some(a) = a {
                arg(a, by);
            }
        }
        for t in &mut self.times {
            t.start += by;
            t.end += by;
        }
        for q in &mut self.quotes {
            q.start += by;
            q.end += by;
            opt(&mut q.speaker, by);
            opt(&mut q.speaker_entity, by);
            opt(&mut q.speaker_role, by);
            opt(&mut q.cue, by);
        }
        for r in &mut self.roles {
            r.start += by;
            r.end += by;
            opt(&mut r.person, by);
            arg(&mut r.title, by);
            opt(&mut r.organisation, by);
            opt(&mut r.country, by);
        }
        for r in &mut self.relations {
            arg(&mut r.source, by);
            arg(&mut r.target, by);
            opt(&mut r.trigger, by);
        }
        for e in &mut self.events {
            arg(&mut e.trigger, by);
            for a in &mut e.arguments {
                a.start += by;
                a.end += by;
            }
        }
        for c in &mut self.claims {
            c.start += by;
            c.end += by;
            opt(&mut c.subject, by);
            arg(&mut c.quantity, by);
            opt(&mut c.source, by);
            if let Some(t) = &mut c.time {
                t.start += by;
                t.end += by;
            }
        }
    }

    /// Appends another piece's facts.
    pub fn append(&mut self, mut other: Facts) {
        self.times.append(&mut other.times);
        self.quotes.append(&mut other.quotes);
        self.roles.append(&mut other.roles);
        self.relations.append(&mut other.relations);
        self.events.append(&mut other.events);
        self.claims.append(&mut other.claims);
    }
}
