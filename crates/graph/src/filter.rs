//! Edge filters shared by all queries.

use crate::build::Graph;
use crate::{Day, KindId};

/// Which edges a query may use. The default lets every edge through.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct EdgeFilter {
    /// Only these kinds (None = all).
    pub kinds: Option<Vec<KindId>>,
    /// Inclusive day window; an edge passes if its `[first_seen, last_seen]` overlaps it.
    pub window: Option<(Day, Day)>,
    /// Whether undated edges pass when a window is set.
    pub include_undated: bool,
    pub min_strength: f32,
    pub min_sentences: u32,
    pub min_docs: u32,
}

/// Which way a directed edge may be followed from the node being expanded. Undirected edges go
/// both ways.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    #[default]
    Any,
    Out,
    In,
}

/// A filter compiled against one graph (kind mask instead of a list).
pub(crate) struct Compiled {
    kind_mask: Option<Vec<bool>>,
    window: Option<(Day, Day)>,
    include_undated: bool,
    min_strength: f32,
    min_sentences: u32,
    min_docs: u32,
    pub(crate) trivial: bool,
}

impl EdgeFilter {
    pub(crate) fn compile(&self, g: &Graph) -> Compiled {
        let kind_mask = self.kinds.as_ref().map(|ks| {
            let mut m = vec![false; g.kind_count()];
            for k in ks {
                if let Some(slot) = m.get_mut(usize::from(k.0)) {
                    *slot = true;
                }
            }
            m
        });
        let trivial = kind_mask.is_none()
            && self.window.is_none()
            && self.min_strength <= 0.0
            && self.min_sentences <= 1
            && self.min_docs <= 1;
        Compiled {
            kind_mask,
            window: self.window,
            include_undated: self.include_undated,
            min_strength: self.min_strength,
            min_sentences: self.min_sentences,
            min_docs: self.min_docs,
            trivial,
        }
    }
}

impl Compiled {
    #[inline]
    pub(crate) fn passes(&self, g: &Graph, e: u32) -> bool {
        if self.trivial {
            return true;
        }
        let e = e as usize;
        if let Some(mask) = &self.kind_mask {
            let k = g.e_kind.get(e).map_or(usize::MAX, |k| usize::from(k.0));
            if !mask.get(k).copied().unwrap_or(false) {
                return false;
            }
        }
        if g.e_strength.get(e).copied().unwrap_or(0.0) < self.min_strength {
            return false;
        }
        if self.min_sentences > 1 && g.e_sentences.get(e).copied().unwrap_or(0) < self.min_sentences
        {
            return false;
        }
        if self.min_docs > 1 && g.e_docs.get(e).copied().unwrap_or(0) < self.min_docs {
            return false;
        }
        if let Some((from, to)) = self.window {
            match g.edge_dates(e) {
                (None, None) => return self.include_undated,
                (first, last) => {
                    let first = first.or(last).unwrap_or(Day::MIN);
                    let last = last.or(Some(first)).unwrap_or(Day::MAX);
                    if last < from || first > to {
                        return false;
                    }
                }
            }
        }
        true
    }
}
