//! Temporal expressions: recognition and TIMEX3 normalisation (TimeML / TempEval-3
//! conventions), resolved against the document creation time (the publication date)
//! and the narrative (the last quarter or absolute date mentioned).
//!
//! Rule-based, in the spirit of HeidelTime: a cheap tokenizer, a trigger check per
//! token (numbers, month and day names, a small set of temporal words), then
//! hand-written token patterns; the longest match at a position wins. Rules were
//! tuned on the TempEval-3 training split (TimeBank + AQUAINT); see `tests/time_dev.rs`
//! for the dev figures.

mod cal;
mod lex;
mod rules;

pub use cal::Day;

use dossier_core::{OffsetMap, TimeMention, TimeType};

/// Extractor name recorded on every mention.
pub const EXTRACTOR: &str = "time-rules";

/// Find and normalise the temporal expressions of `text`.
///
/// `published` is the document creation time, `YYYY-MM-DD` or `YYYY-MM-DDThh:mm`
/// (anything unparsable counts as absent). Without it, relative expressions get
/// underspecified values (`XXXX-XX-XX`, `PRESENT_REF`, ...). Offsets are code points.
pub fn extract_times(text: &str, published: Option<&str>) -> Vec<TimeMention> {
    let dct = published.and_then(cal::parse_dct);
    let found = rules::Scanner::new(text, dct.map(|d| d.0)).run();
    if found.is_empty() {
        return Vec::new();
    }
    let map = OffsetMap::new(text);
    found
        .into_iter()
        .filter_map(|f| {
            let t = text.get(f.s..f.e)?;
            Some(TimeMention {
                start: map.to_char(f.s),
                end: map.to_char(f.e),
                text: t.to_string(),
                kind: f.kind,
                value: f.value,
                confidence: f.confidence,
                extractor: EXTRACTOR.to_string(),
            })
        })
        .collect()
}

/// The TIMEX3 type name as used in TimeML and the extraction output.
pub fn type_name(t: TimeType) -> &'static str {
    match t {
        TimeType::Date => "DATE",
        TimeType::Time => "TIME",
        TimeType::Duration => "DURATION",
        TimeType::Set => "SET",
    }
}
