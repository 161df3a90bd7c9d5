//! Neighbour queries and the owned, serialisable result types shared by all queries.

use crate::build::Graph;
use crate::filter::{Direction, EdgeFilter};
use crate::{Day, GraphError, NodeIdx, Result};

/// A node as returned to callers.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct NodeRef {
    pub id: i64,
    pub name: String,
    pub label: String,
    pub kind: crate::NodeKind,
    pub degree: u32,
}

/// One stored edge as returned to callers. `src`/`dst` are as stored (for undirected edges the
/// smaller id first), so `(src, dst, kind)` finds the evidence in the store.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct EdgeInfo {
    /// Index of the edge in this graph (stable for the graph's lifetime only).
    pub edge: u32,
    pub src: i64,
    pub dst: i64,
    pub kind: String,
    pub directed: bool,
    pub sentences: u32,
    pub docs: u32,
    pub first_seen: Option<Day>,
    pub last_seen: Option<Day>,
    pub strength: f32,
}

/// Neighbour query parameters. `limit == 0` means "no limit".
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct NeighbourQuery {
    pub filter: EdgeFilter,
    /// Only neighbours with one of these labels (None = all).
    pub labels: Option<Vec<String>>,
    pub direction: Direction,
    pub offset: usize,
    pub limit: usize,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Neighbour {
    pub node: NodeRef,
    pub edge: EdgeInfo,
}

/// One page of neighbours, strongest edge first; `total` counts all matches.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct NeighbourPage {
    pub total: usize,
    pub items: Vec<Neighbour>,
}

impl Graph {
    pub fn node_ref(&self, v: NodeIdx) -> NodeRef {
        NodeRef {
            id: self.id_of(v),
            name: self.name(v).to_owned(),
            label: self.label(v).to_owned(),
            kind: self.kind(v),
            degree: self.degree(v),
        }
    }

    /// Describes edge `e`; `None` for an index not in this graph.
    pub fn edge_info(&self, e: u32) -> Option<EdgeInfo> {
        let i = e as usize;
        let (first_seen, last_seen) = self.edge_dates(i);
        Some(EdgeInfo {
            edge: e,
            src: self.id_of(*self.e_src.get(i)?),
            dst: self.id_of(*self.e_dst.get(i)?),
            kind: self.kind_name(*self.e_kind.get(i)?).to_owned(),
            directed: *self.e_directed.get(i)?,
            sentences: *self.e_sentences.get(i)?,
            docs: *self.e_docs.get(i)?,
            first_seen,
            last_seen,
            strength: *self.e_strength.get(i)?,
        })
    }

    /// Edges of a node passing the query, as `(neighbour, edge)` index pairs, strongest first.
    /// One entry per edge: a neighbour linked by two kinds appears twice.
    pub fn neighbour_indices(&self, node: NodeIdx, q: &NeighbourQuery) -> Vec<(NodeIdx, u32)> {
        let f = q.filter.compile(self);
        let label_mask = self.label_mask(q.labels.as_deref());
        let min_s = q.filter.min_strength;
        let mut out = Vec::new();
        for a in self.adj(node) {
            // Entries are sorted by strength: nothing after a weak one can pass.
            if self.strength_of(a.edge) < min_s {
                break;
            }
            if !self.follows(a.edge, node, q.direction) || !f.passes(self, a.edge) {
                continue;
            }
            if let Some(mask) = &label_mask {
                if !mask
                    .get(usize::from(self.label_id(a.nbr)))
                    .copied()
                    .unwrap_or(false)
                {
                    continue;
                }
            }
            out.push((a.nbr, a.edge));
        }
        out
    }

    /// Neighbours of `id`, filtered and paginated, strongest edge first.
    pub fn neighbours(&self, id: i64, q: &NeighbourQuery) -> Result<NeighbourPage> {
        let v = self.require(id)?;
        let all = self.neighbour_indices(v, q);
        let total = all.len();
        let limit = if q.limit == 0 { usize::MAX } else { q.limit };
        let items = all
            .into_iter()
            .skip(q.offset)
            .take(limit)
            .filter_map(|(n, e)| {
                Some(Neighbour {
                    node: self.node_ref(n),
                    edge: self.edge_info(e)?,
                })
            })
            .collect();
        Ok(NeighbourPage { total, items })
    }

    fn label_mask(&self, labels: Option<&[String]>) -> Option<Vec<bool>> {
        labels.map(|ls| {
            self.label_names
                .iter()
                .map(|name| ls.iter().any(|l| l == name))
                .collect()
        })
    }

    /// Looks up many ids at once; the first unknown one is an error.
    pub fn indices_of(&self, ids: &[i64]) -> Result<Vec<NodeIdx>> {
        ids.iter()
            .map(|&id| self.index_of(id).ok_or(GraphError::UnknownNode(id)))
            .collect()
    }
}
