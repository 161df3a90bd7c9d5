//! Evidence strength of an edge.
//!
//! `strength = (ln(1 + sentences) + 2 ln(1 + docs)) × recency`
//!
//! - Sentences and documents both count with diminishing returns (log): the tenth sentence adds
//!   less than the second. Documents weigh twice as much as sentences because independent sources
//!   corroborate, while repeated sentences in one article do not. Counts below 1 are taken as 1
//!   (an edge exists because something was seen).
//! - `recency = floor + (1 − floor) · 0.5^(age / half_life)` where `age` is the number of days
//!   between the edge's `last_seen` and the graph's reference date (`as_of`: given to the builder
//!   or, by default, the latest `last_seen` in the graph). Defaults: `floor = 0.5` (old evidence
//!   keeps half its weight: an old link is still a link), `half_life = 365` days. Edges without a
//!   date get `undated_factor` (default 0.75, i.e. neither fresh nor stale).
//!
//! The smallest possible strength (1 sentence, 1 document, very old) is `3 ln 2 × 0.5 ≈ 1.04`, so
//! path costs `1 / strength` stay in `(0, ~0.96]`: a path of strong hops is cheaper than one of weak
//! hops, and every extra hop costs something.

use crate::Day;

/// Parameters of the evidence-strength function (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StrengthModel {
    pub half_life_days: f64,
    pub floor: f64,
    pub undated_factor: f64,
    /// Weight of a document relative to a sentence.
    pub doc_weight: f64,
}

impl Default for StrengthModel {
    fn default() -> Self {
        StrengthModel {
            half_life_days: 365.0,
            floor: 0.5,
            undated_factor: 0.75,
            doc_weight: 2.0,
        }
    }
}

impl StrengthModel {
    /// Strength of one edge; `as_of` is the graph's reference date.
    pub fn strength(
        &self,
        sentences: u32,
        docs: u32,
        last_seen: Option<Day>,
        as_of: Option<Day>,
    ) -> f64 {
        let s = f64::from(sentences.max(1));
        let d = f64::from(docs.max(1));
        let base = (1.0 + s).ln() + self.doc_weight * (1.0 + d).ln();
        let recency = match (last_seen, as_of) {
            (Some(last), Some(now)) => {
                let age = f64::from(now.saturating_sub(last).max(0));
                let hl = if self.half_life_days > 0.0 {
                    self.half_life_days
                } else {
                    365.0
                };
                self.floor + (1.0 - self.floor) * 0.5f64.powf(age / hl)
            }
            _ => self.undated_factor,
        };
        let v = base * recency;
        if v.is_finite() && v > 0.0 {
            v
        } else {
            f64::MIN_POSITIVE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_evidence_and_recency_mean_more_strength() {
        let m = StrengthModel::default();
        let now = Some(20_000);
        let base = m.strength(1, 1, Some(20_000), now);
        assert!(m.strength(5, 1, Some(20_000), now) > base);
        assert!(m.strength(5, 3, Some(20_000), now) > m.strength(5, 1, Some(20_000), now));
        // A document adds more than a sentence.
        assert!(m.strength(2, 2, Some(20_000), now) > m.strength(3, 1, Some(20_000), now));
        // One half-life halves the decaying part; old evidence keeps the floor.
        let year_old = m.strength(1, 1, Some(20_000 - 365), now);
        assert!((year_old / base - 0.75).abs() < 1e-12);
        let ancient = m.strength(1, 1, Some(0), now);
        assert!((ancient / base - 0.5).abs() < 1e-6);
        assert!((m.strength(1, 1, None, now) / base - 0.75).abs() < 1e-12);
        // Zero counts count as one; future dates are not rewarded.
        assert_eq!(m.strength(0, 0, Some(20_000), now), base);
        assert_eq!(m.strength(1, 1, Some(30_000), now), base);
        assert!((base - 3.0 * 2f64.ln()).abs() < 1e-12);
    }
}
