//! What the NLP stage extracts from a document, with provenance on every item.

use crate::facts::Facts;
use crate::span::CharSpan;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Which label set entity mentions are reported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Schema {
    /// The defence-analysis schema of Dstl's re3d dataset (the default).
    #[default]
    Re3d,
    /// The CoNLL-2003 news schema: PER, ORG, LOC, MISC.
    Conll,
}

impl FromStr for Schema {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "re3d" => Ok(Schema::Re3d),
            "conll" => Ok(Schema::Conll),
            other => Err(format!("unknown schema {other:?}: use re3d or conll")),
        }
    }
}

/// Entity labels of both schemas. re3d labels are spelled as in the re3d data,
/// CoNLL ones as in CoNLL-2003.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum EntityLabel {
    Person,
    Organisation,
    Location,
    Nationality,
    Temporal,
    Money,
    Quantity,
    Weapon,
    MilitaryPlatform,
    Vehicle,
    CommsIdentifier,
    DocumentReference,
    Url,
    Frequency,
    #[serde(rename = "PER")]
    Per,
    #[serde(rename = "ORG")]
    Org,
    #[serde(rename = "LOC")]
    Loc,
    #[serde(rename = "MISC")]
    Misc,
}

impl EntityLabel {
    pub const RE3D: [EntityLabel; 14] = [
        EntityLabel::Person,
        EntityLabel::Organisation,
        EntityLabel::Location,
        EntityLabel::Nationality,
        EntityLabel::Temporal,
        EntityLabel::Money,
        EntityLabel::Quantity,
        EntityLabel::Weapon,
        EntityLabel::MilitaryPlatform,
        EntityLabel::Vehicle,
        EntityLabel::CommsIdentifier,
        EntityLabel::DocumentReference,
        EntityLabel::Url,
        EntityLabel::Frequency,
    ];
    pub const CONLL: [EntityLabel; 4] = [
        EntityLabel::Per,
        EntityLabel::Org,
        EntityLabel::Loc,
        EntityLabel::Misc,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            EntityLabel::Person => "Person",
            EntityLabel::Organisation => "Organisation",
            EntityLabel::Location => "Location",
            EntityLabel::Nationality => "Nationality",
            EntityLabel::Temporal => "Temporal",
            EntityLabel::Money => "Money",
            EntityLabel::Quantity => "Quantity",
            EntityLabel::Weapon => "Weapon",
            EntityLabel::MilitaryPlatform => "MilitaryPlatform",
            EntityLabel::Vehicle => "Vehicle",
            EntityLabel::CommsIdentifier => "CommsIdentifier",
            EntityLabel::DocumentReference => "DocumentReference",
            EntityLabel::Url => "Url",
            EntityLabel::Frequency => "Frequency",
            EntityLabel::Per => "PER",
            EntityLabel::Org => "ORG",
            EntityLabel::Loc => "LOC",
            EntityLabel::Misc => "MISC",
        }
    }

    pub fn schema(&self) -> Schema {
        if EntityLabel::CONLL.contains(self) {
            Schema::Conll
        } else {
            Schema::Re3d
        }
    }

    /// The nearest label of the CoNLL schema, if any (Temporal, Money... have none).
    pub fn to_conll(&self) -> Option<EntityLabel> {
        Some(match self {
            EntityLabel::Person | EntityLabel::Per => EntityLabel::Per,
            EntityLabel::Organisation | EntityLabel::Org => EntityLabel::Org,
            EntityLabel::Location | EntityLabel::Loc => EntityLabel::Loc,
            EntityLabel::Nationality | EntityLabel::Misc => EntityLabel::Misc,
            _ => return None,
        })
    }

    /// The nearest label of the re3d schema.
    pub fn to_re3d(&self) -> EntityLabel {
        match self {
            EntityLabel::Per => EntityLabel::Person,
            EntityLabel::Org => EntityLabel::Organisation,
            EntityLabel::Loc => EntityLabel::Location,
            EntityLabel::Misc => EntityLabel::Nationality,
            other => *other,
        }
    }
}

impl fmt::Display for EntityLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EntityLabel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let all = EntityLabel::RE3D.iter().chain(EntityLabel::CONLL.iter());
        for l in all {
            if l.as_str().eq_ignore_ascii_case(s) {
                return Ok(*l);
            }
        }
        match s.to_ascii_lowercase().as_str() {
            "organization" => Ok(EntityLabel::Organisation),
            _ => Err(format!("unknown entity type {s:?}")),
        }
    }
}

/// Who produced a fact and how sure it is. Stored beside every fact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// Extractor name and version, e.g. `tagger/re3d-1` or `pattern/email-1`.
    pub extractor: String,
    pub confidence: f32,
}

/// One mention of a named entity (or pattern entity) in a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntityMention {
    pub start: usize,
    pub end: usize,
    pub label: EntityLabel,
    pub text: String,
    pub confidence: f32,
    /// Finer kind for pattern entities: `email`, `phone`, `url`, `handle`, `ip`,
    /// `coordinate`, `mgrs`, `percent`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Canonical value where one exists (lower-cased e-mail, decimal coordinates, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub normalized: Option<String>,
    /// Extractor name and version.
    pub extractor: String,
}

impl EntityMention {
    pub fn span(&self) -> CharSpan {
        CharSpan::new(self.start, self.end)
    }
}

/// TIMEX3 types of temporal expressions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum TimeType {
    Date,
    Time,
    Duration,
    Set,
}

/// A temporal expression with its normalised ISO 8601 / TIMEX3 value
/// (`2016-03`, `2015-W45`, `P2W`, `PRESENT_REF`, ...), resolved against the
/// document's publication date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeMention {
    pub start: usize,
    pub end: usize,
    pub text: String,
    #[serde(rename = "type")]
    pub kind: TimeType,
    pub value: String,
    pub confidence: f32,
    pub extractor: String,
}

/// Everything extracted from one document. Spans are code point offsets.
///
/// In JSON the fact lists (`times`, `quotes`, `roles`, `relations`, `events`,
/// `claims`) sit beside `entities`, each skipped when empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Extraction {
    pub entities: Vec<EntityMention>,
    #[serde(flatten)]
    pub facts: Facts,
    /// Sentence boundaries, so every fact can cite its source sentence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sentences: Vec<CharSpan>,
}

impl Extraction {
    /// The sentence containing code point `pos`, if sentences were split.
    pub fn sentence_at(&self, pos: usize) -> Option<CharSpan> {
        let i = self.sentences.partition_point(|s| s.end <= pos);
        self.sentences.get(i).copied().filter(|s| s.start <= pos)
    }
}
