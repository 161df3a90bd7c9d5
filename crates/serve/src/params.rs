//! Query parameters: declared once per route (the declaration feeds both the
//! OpenAPI document and validation), parsed strictly — unknown or repeated
//! names and out-of-range values are a `bad_parameter` error, never ignored.

use crate::error::ApiError;
use dossier_core::EntityLabel;
use std::collections::BTreeMap;

/// Where a parameter is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum In {
    Path,
    Query,
}

impl In {
    pub fn as_str(self) -> &'static str {
        match self {
            In::Path => "path",
            In::Query => "query",
        }
    }
}

/// What values a parameter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Free text of at most `max_chars` characters.
    Text { max_chars: usize },
    /// An integer in `min..=max`, `default` when absent.
    Int {
        min: usize,
        max: usize,
        default: usize,
    },
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    Date,
    /// An entity type (re3d label; CoNLL PER/ORG/LOC are mapped to re3d).
    EntityType,
    /// An entity id (positive integer).
    Id,
    /// Comma-separated entity ids, `min..=max` of them.
    IdList { min: usize, max: usize },
    /// One of these words; the first is the default.
    Choice(&'static [&'static str]),
    /// Comma-separated edge kinds (`comention`, `role`, `quote`,
    /// `relation:<Type>`, `event:<Type>`; a name without `:` also matches
    /// every kind it prefixes, `relation` → all `relation:*`).
    Kinds,
}

/// One declared parameter.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    pub location: In,
    pub required: bool,
    pub kind: Kind,
    pub description: &'static str,
    /// A valid value (documentation, and the route tests send it).
    pub example: &'static str,
}

/// Page size bound of every list.
pub const MAX_LIMIT: usize = 100;
pub const DEFAULT_LIMIT: usize = 20;
/// Deep offsets cost a scan each; past this, narrow the query instead.
pub const MAX_OFFSET: usize = 100_000;

pub const LIMIT: Param = Param {
    name: "limit",
    location: In::Query,
    required: false,
    kind: Kind::Int {
        min: 1,
        max: MAX_LIMIT,
        default: DEFAULT_LIMIT,
    },
    description: "Page size.",
    example: "5",
};

pub const OFFSET: Param = Param {
    name: "offset",
    location: In::Query,
    required: false,
    kind: Kind::Int {
        min: 0,
        max: MAX_OFFSET,
        default: 0,
    },
    description: "How many items to skip; take it from the previous page's `next_offset`.",
    example: "0",
};

pub const ENTITY_TYPE: Param = Param {
    name: "type",
    location: In::Query,
    required: false,
    kind: Kind::EntityType,
    description: "Only this entity type (Person, Organisation, Location, ...; case-insensitive).",
    example: "Location",
};

/// Parsed query parameters of one request, checked against the route's list.
#[derive(Debug, Default)]
pub struct Params {
    values: BTreeMap<&'static str, String>,
    specs: Vec<Param>,
}

impl Params {
    /// Parses a raw query string against `specs` (query parameters only).
    pub fn parse(raw: Option<&str>, specs: &[Param]) -> Result<Params, ApiError> {
        let specs: Vec<Param> = specs
            .iter()
            .copied()
            .filter(|p| p.location == In::Query)
            .collect();
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
            .map_err(|e| ApiError::bad_parameter(format!("malformed query string: {e}")))?;
        let mut values = BTreeMap::new();
        for (name, value) in pairs {
            let Some(spec) = specs.iter().find(|p| p.name == name) else {
                let known: Vec<&str> = specs.iter().map(|p| p.name).collect();
                return Err(ApiError::bad_parameter(if known.is_empty() {
                    format!("unknown parameter {name:?}: this route takes none")
                } else {
                    format!(
                        "unknown parameter {name:?}; this route takes {}",
                        known.join(", ")
                    )
                }));
            };
            if values.insert(spec.name, value).is_some() {
                return Err(ApiError::bad_parameter(format!(
                    "parameter {name:?} is given more than once"
                )));
            }
        }
        for p in &specs {
            if p.required && !values.contains_key(p.name) {
                return Err(ApiError::bad_parameter(format!(
                    "parameter {:?} is required: {}",
                    p.name, p.description
                )));
            }
        }
        let params = Params { values, specs };
        // Validate everything up front, so handlers see only well-formed values.
        for p in &params.specs {
            match p.kind {
                Kind::Text { .. } => {
                    params.text(p.name)?;
                }
                Kind::Int { .. } => {
                    params.int(p.name)?;
                }
                Kind::Date => {
                    params.date(p.name)?;
                }
                Kind::EntityType => {
                    params.entity_type(p.name)?;
                }
                Kind::Id => {
                    params.id(p.name)?;
                }
                Kind::IdList { .. } => {
                    params.ids(p.name)?;
                }
                Kind::Choice(_) => {
                    params.choice(p.name)?;
                }
                Kind::Kinds => {
                    params.kinds(p.name)?;
                }
            }
        }
        Ok(params)
    }

    fn spec(&self, name: &str) -> Result<&Param, ApiError> {
        self.specs
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| ApiError::internal(format!("route does not declare {name:?}")))
    }

    /// The raw query string pairs in declaration order (for `next` links).
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        self.specs
            .iter()
            .filter_map(|p| self.values.get(p.name).map(|v| (p.name, v.clone())))
            .collect()
    }

    /// A text parameter (blank counts as absent).
    pub fn text(&self, name: &str) -> Result<Option<String>, ApiError> {
        let spec = self.spec(name)?;
        let Some(v) = self.values.get(spec.name) else {
            return Ok(None);
        };
        let max = match spec.kind {
            Kind::Text { max_chars } => max_chars,
            _ => usize::MAX,
        };
        if v.chars().count() > max {
            return Err(ApiError::bad_parameter(format!(
                "parameter {name:?} is longer than {max} characters"
            )));
        }
        let t = v.trim();
        Ok((!t.is_empty()).then(|| t.to_string()))
    }

    pub fn int(&self, name: &str) -> Result<usize, ApiError> {
        let spec = self.spec(name)?;
        let Kind::Int { min, max, default } = spec.kind else {
            return Err(ApiError::internal(format!("{name:?} is not an integer")));
        };
        let Some(v) = self.values.get(spec.name) else {
            return Ok(default);
        };
        match v.trim().parse::<usize>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(ApiError::bad_parameter(format!(
                "parameter {name:?} must be an integer from {min} to {max}, not {v:?}"
            ))),
        }
    }

    pub fn date(&self, name: &str) -> Result<Option<String>, ApiError> {
        let spec = self.spec(name)?;
        let Some(v) = self.values.get(spec.name) else {
            return Ok(None);
        };
        let v = v.trim();
        if valid_date(v) {
            Ok(Some(v.to_string()))
        } else {
            Err(ApiError::bad_parameter(format!(
                "parameter {name:?} must be a date as YYYY, YYYY-MM or YYYY-MM-DD, not {v:?}"
            )))
        }
    }

    pub fn entity_type(&self, name: &str) -> Result<Option<EntityLabel>, ApiError> {
        let spec = self.spec(name)?;
        let Some(v) = self.values.get(spec.name) else {
            return Ok(None);
        };
        v.trim()
            .parse::<EntityLabel>()
            .map(|l| Some(l.to_re3d()))
            .map_err(|_| {
                ApiError::bad_parameter(format!(
                    "parameter {name:?}: unknown entity type {v:?}; use one of {}",
                    ENTITY_TYPES.join(", ")
                ))
            })
    }

    pub fn id(&self, name: &str) -> Result<Option<i64>, ApiError> {
        let spec = self.spec(name)?;
        let Some(v) = self.values.get(spec.name) else {
            return Ok(None);
        };
        parse_id(v).map(Some).ok_or_else(|| {
            ApiError::bad_parameter(format!(
                "parameter {name:?} must be an entity id (a positive integer), not {v:?}"
            ))
        })
    }

    pub fn ids(&self, name: &str) -> Result<Vec<i64>, ApiError> {
        let spec = self.spec(name)?;
        let Kind::IdList { min, max } = spec.kind else {
            return Err(ApiError::internal(format!("{name:?} is not an id list")));
        };
        let v = self.values.get(spec.name).map(String::as_str).unwrap_or("");
        let ids: Option<Vec<i64>> = v
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(parse_id)
            .collect();
        match ids {
            Some(ids) if (min..=max).contains(&ids.len()) => Ok(ids),
            _ => Err(ApiError::bad_parameter(format!(
                "parameter {name:?} must be {min} to {max} comma-separated entity ids, not {v:?}"
            ))),
        }
    }

    /// The chosen word, or the first of the list when absent.
    pub fn choice(&self, name: &str) -> Result<&'static str, ApiError> {
        let spec = self.spec(name)?;
        let Kind::Choice(words) = spec.kind else {
            return Err(ApiError::internal(format!("{name:?} is not a choice")));
        };
        let Some(v) = self.values.get(spec.name) else {
            return words
                .first()
                .copied()
                .ok_or_else(|| ApiError::internal("empty choice"));
        };
        words
            .iter()
            .find(|w| w.eq_ignore_ascii_case(v.trim()))
            .copied()
            .ok_or_else(|| {
                ApiError::bad_parameter(format!(
                    "parameter {name:?} must be one of {}, not {v:?}",
                    words.join(", ")
                ))
            })
    }

    /// Edge kind names (empty = all kinds).
    pub fn kinds(&self, name: &str) -> Result<Vec<String>, ApiError> {
        let spec = self.spec(name)?;
        let Some(v) = self.values.get(spec.name) else {
            return Ok(Vec::new());
        };
        let kinds: Vec<String> = v
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::to_string)
            .collect();
        if kinds.len() > 64
            || kinds.iter().any(|k| {
                k.len() > 64
                    || !k
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == ':' || c == '_')
            })
        {
            return Err(ApiError::bad_parameter(format!(
                "parameter {name:?} must be comma-separated edge kinds such as comention,relation:MemberOf, not {v:?}"
            )));
        }
        Ok(kinds)
    }

    /// `limit` and `offset` of a list route.
    pub fn page(&self) -> Result<(usize, usize), ApiError> {
        Ok((self.int("limit")?, self.int("offset")?))
    }
}

/// A positive entity id.
pub fn parse_id(s: &str) -> Option<i64> {
    s.trim().parse::<i64>().ok().filter(|&n| n > 0)
}

/// The entity types accepted by `type` (re3d labels).
pub const ENTITY_TYPES: [&str; 14] = [
    "Person",
    "Organisation",
    "Location",
    "Nationality",
    "Temporal",
    "Money",
    "Quantity",
    "Weapon",
    "MilitaryPlatform",
    "Vehicle",
    "CommsIdentifier",
    "DocumentReference",
    "Url",
    "Frequency",
];

/// `YYYY`, `YYYY-MM` (month 1–12) or `YYYY-MM-DD` (day 1–31).
pub fn valid_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let num = |p: &str, len: usize, lo: u32, hi: u32| {
        p.len() == len
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|n| (lo..=hi).contains(&n))
    };
    match parts.as_slice() {
        [y] => num(y, 4, 0, 9999),
        [y, m] => num(y, 4, 0, 9999) && num(m, 2, 1, 12),
        [y, m, d] => num(y, 4, 0, 9999) && num(m, 2, 1, 12) && num(d, 2, 1, 31),
        _ => false,
    }
}

/// The first day a date bound can mean (`2017` → `2017-01-01`).
pub fn date_floor(s: &str) -> String {
    match s.len() {
        4 => format!("{s}-01-01"),
        7 => format!("{s}-01"),
        _ => s.to_string(),
    }
}

/// The last day a date bound can mean (`2017` → `2017-12-31`).
pub fn date_ceiling(s: &str) -> String {
    match s.len() {
        4 => format!("{s}-12-31"),
        7 => format!("{s}-31"),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        for ok in ["2017", "2017-02", "2017-02-28", "0001-01-01"] {
            assert!(valid_date(ok), "{ok}");
        }
        for bad in [
            "17",
            "2017-13",
            "2017-1-1",
            "2017-02-32",
            "2017-02-28x",
            "",
            "２０１７",
        ] {
            assert!(!valid_date(bad), "{bad}");
        }
        assert_eq!(date_floor("2017"), "2017-01-01");
        assert_eq!(date_ceiling("2017-02"), "2017-02-31");
        assert!(date_floor("2018") > date_ceiling("2017-12"));
    }

    #[test]
    fn strict_parsing() {
        let specs = [LIMIT, OFFSET, ENTITY_TYPE];
        let p = Params::parse(Some("limit=7&type=per"), &specs).unwrap();
        assert_eq!(p.page().unwrap(), (7, 0));
        assert_eq!(p.entity_type("type").unwrap(), Some(EntityLabel::Person));
        let err = |q| Params::parse(Some(q), &specs).unwrap_err().message;
        assert!(err("limit=0").contains("from 1 to 100"));
        assert!(err("limit=101").contains("from 1 to 100"));
        assert!(err("limit=-1").contains("integer"));
        assert!(err("offset=1&offset=2").contains("more than once"));
        assert!(err("colour=red").contains("unknown parameter"));
        assert!(err("type=Dragon").contains("unknown entity type"));
        assert!(
            err("limit=%ZZ").contains("must be an integer")
                || err("limit=%ZZ").contains("malformed")
        );
    }
}
