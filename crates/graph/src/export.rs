//! Subgraph extraction (ego network, induced subgraph) and export to GraphML, GEXF 1.2 (Gephi)
//! and JSON.
//!
//! Both XML formats declare every attribute they use; text is escaped, and characters XML 1.0
//! cannot carry (control characters, U+FFFE/U+FFFF) become U+FFFD, so any entity name exports to a
//! file a strict parser (and Gephi) accepts. GEXF marks each directed edge (`type="directed"`);
//! GraphML uses a directed default only when all edges are directed, otherwise an undirected one,
//! with every edge's direction in its `directed_edge` attribute.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::io::{self, Write};

use crate::build::Graph;
use crate::filter::EdgeFilter;
use crate::{Day, NodeIdx, Result};

/// A set of nodes and edges of a graph, with optional numeric per-node columns (e.g. PageRank,
/// community) aligned with `nodes`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Subgraph {
    pub nodes: Vec<NodeIdx>,
    pub edges: Vec<u32>,
    pub node_attrs: Vec<(String, Vec<f64>)>,
}

impl Subgraph {
    /// Adds a numeric column; `values` is indexed by node index of the whole graph (e.g. the
    /// output of PageRank).
    pub fn with_attr(mut self, name: &str, values: &[f64]) -> Self {
        let col = self
            .nodes
            .iter()
            .map(|&v| values.get(v as usize).copied().unwrap_or(f64::NAN))
            .collect();
        self.node_attrs.push((name.to_owned(), col));
        self
    }
}

/// Most hops accepted for an ego network.
pub const MAX_RADIUS: u32 = 3;

impl Graph {
    /// Ego network: `center` and nodes within `radius` hops (≤ 3) along edges passing `filter`,
    /// strongest links first, at most `max_nodes` nodes; plus every passing edge among them.
    pub fn ego(
        &self,
        center: i64,
        radius: u32,
        filter: &EdgeFilter,
        max_nodes: usize,
    ) -> Result<Subgraph> {
        let c = self.require(center)?;
        if radius > MAX_RADIUS {
            return Err(crate::GraphError::Invalid(format!(
                "radius must be at most {MAX_RADIUS}"
            )));
        }
        let f = filter.compile(self);
        let max_nodes = max_nodes.max(1);
        let mut seen: HashSet<NodeIdx> = HashSet::from([c]);
        let mut nodes = vec![c];
        let mut frontier = vec![c];
        'outer: for _ in 0..radius {
            let mut next = Vec::new();
            for &v in &frontier {
                for a in self.adj(v) {
                    if nodes.len() >= max_nodes {
                        break 'outer;
                    }
                    if f.passes(self, a.edge) && seen.insert(a.nbr) {
                        nodes.push(a.nbr);
                        next.push(a.nbr);
                    }
                }
            }
            frontier = next;
        }
        Ok(self.induced_with(&nodes, &seen, &f))
    }

    /// The given nodes and every edge among them passing `filter`.
    pub fn induced(&self, nodes: &[NodeIdx], filter: &EdgeFilter) -> Subgraph {
        let mut uniq = Vec::with_capacity(nodes.len());
        let mut set = HashSet::new();
        for &v in nodes {
            if (v as usize) < self.node_count() && set.insert(v) {
                uniq.push(v);
            }
        }
        let f = filter.compile(self);
        self.induced_with(&uniq, &set, &f)
    }

    fn induced_with(
        &self,
        nodes: &[NodeIdx],
        set: &HashSet<NodeIdx>,
        f: &crate::filter::Compiled,
    ) -> Subgraph {
        let mut edges = Vec::new();
        for &v in nodes {
            for a in self.adj(v) {
                // Each edge once: from its stored source.
                if self.e_src.get(a.edge as usize) == Some(&v)
                    && set.contains(&a.nbr)
                    && f.passes(self, a.edge)
                {
                    edges.push(a.edge);
                }
            }
        }
        edges.sort_unstable();
        Subgraph {
            nodes: nodes.to_vec(),
            edges,
            node_attrs: Vec::new(),
        }
    }
}

/// Escapes text for XML 1.0 content and attribute values.
pub fn xml_escape(s: &str) -> Cow<'_, str> {
    let needs = s
        .chars()
        .any(|c| matches!(c, '&' | '<' | '>' | '"' | '\'' | '\t' | '\n' | '\r') || !xml_char(c));
    if !needs {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Kept as references so attribute-value normalisation does not turn them into spaces.
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if !xml_char(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `YYYY-MM-DD` of a day number (proleptic Gregorian; Howard Hinnant's civil_from_days).
pub fn day_to_iso(day: Day) -> String {
    let z = i64::from(day) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

fn fmt_f64(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        "0".to_owned()
    }
}

struct EdgeCols {
    src: i64,
    dst: i64,
    kind: String,
    directed: bool,
    sentences: u32,
    docs: u32,
    first: Option<Day>,
    last: Option<Day>,
    strength: f32,
}

fn edge_cols(g: &Graph, e: u32) -> Option<EdgeCols> {
    let i = g.edge_info(e)?;
    Some(EdgeCols {
        src: i.src,
        dst: i.dst,
        kind: i.kind,
        directed: i.directed,
        sentences: i.sentences,
        docs: i.docs,
        first: i.first_seen,
        last: i.last_seen,
        strength: i.strength,
    })
}

/// Writes GraphML (keys declared for every attribute; Gephi reads `label` and `weight`).
pub fn to_graphml(g: &Graph, sub: &Subgraph, w: &mut impl Write) -> io::Result<()> {
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">"#
    )?;
    let node_keys = [
        ("label", "string"),
        ("type", "string"),
        ("entity_id", "long"),
        ("degree", "int"),
        ("kind", "string"),
    ];
    for (i, (name, ty)) in node_keys.iter().enumerate() {
        writeln!(
            w,
            r#"  <key id="n{i}" for="node" attr.name="{name}" attr.type="{ty}"/>"#
        )?;
    }
    for (j, (name, _)) in sub.node_attrs.iter().enumerate() {
        writeln!(
            w,
            r#"  <key id="x{j}" for="node" attr.name="{}" attr.type="double"/>"#,
            xml_escape(name)
        )?;
    }
    let edge_keys = [
        ("kind", "string"),
        ("sentences", "int"),
        ("docs", "int"),
        ("first_seen", "string"),
        ("last_seen", "string"),
        ("weight", "double"),
        ("directed_edge", "boolean"),
    ];
    for (i, (name, ty)) in edge_keys.iter().enumerate() {
        writeln!(
            w,
            r#"  <key id="e{i}" for="edge" attr.name="{name}" attr.type="{ty}"/>"#
        )?;
    }
    // Many GraphML readers (networkx, yEd) reject per-edge `directed` in a mixed graph: use a
    // directed default only when every edge is directed, and keep each edge's direction in the
    // `directed_edge` attribute (source/target keep the stored orientation). GEXF carries mixed
    // graphs natively.
    let all_directed = !sub.edges.is_empty()
        && sub
            .edges
            .iter()
            .all(|&e| g.e_directed.get(e as usize).copied().unwrap_or(false));
    let default = if all_directed {
        "directed"
    } else {
        "undirected"
    };
    writeln!(w, r#"  <graph id="G" edgedefault="{default}">"#)?;
    for (pos, &v) in sub.nodes.iter().enumerate() {
        writeln!(w, r#"    <node id="{}">"#, g.id_of(v))?;
        writeln!(
            w,
            r#"      <data key="n0">{}</data>"#,
            xml_escape(g.name(v))
        )?;
        writeln!(
            w,
            r#"      <data key="n1">{}</data>"#,
            xml_escape(g.label(v))
        )?;
        writeln!(w, r#"      <data key="n2">{}</data>"#, g.id_of(v))?;
        writeln!(w, r#"      <data key="n3">{}</data>"#, g.degree(v))?;
        writeln!(w, r#"      <data key="n4">{}</data>"#, g.kind(v).as_str())?;
        for (j, (_, col)) in sub.node_attrs.iter().enumerate() {
            if let Some(x) = col.get(pos).filter(|x| x.is_finite()) {
                writeln!(w, r#"      <data key="x{j}">{}</data>"#, fmt_f64(*x))?;
            }
        }
        writeln!(w, "    </node>")?;
    }
    for &e in &sub.edges {
        let Some(c) = edge_cols(g, e) else { continue };
        writeln!(
            w,
            r#"    <edge id="e{e}" source="{}" target="{}">"#,
            c.src, c.dst
        )?;
        writeln!(w, r#"      <data key="e0">{}</data>"#, xml_escape(&c.kind))?;
        writeln!(w, r#"      <data key="e1">{}</data>"#, c.sentences)?;
        writeln!(w, r#"      <data key="e2">{}</data>"#, c.docs)?;
        if let Some(d) = c.first {
            writeln!(w, r#"      <data key="e3">{}</data>"#, day_to_iso(d))?;
        }
        if let Some(d) = c.last {
            writeln!(w, r#"      <data key="e4">{}</data>"#, day_to_iso(d))?;
        }
        writeln!(
            w,
            r#"      <data key="e5">{}</data>"#,
            fmt_f64(f64::from(c.strength))
        )?;
        writeln!(w, r#"      <data key="e6">{}</data>"#, c.directed)?;
        writeln!(w, "    </edge>")?;
    }
    writeln!(w, "  </graph>")?;
    writeln!(w, "</graphml>")?;
    Ok(())
}

/// Writes GEXF 1.2 (Gephi's native format): node label = name, edge weight = strength, per-edge
/// `type` for directed edges, declared attribute columns.
pub fn to_gexf(g: &Graph, sub: &Subgraph, w: &mut impl Write) -> io::Result<()> {
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<gexf xmlns="http://www.gexf.net/1.2draft" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd" version="1.2">"#
    )?;
    writeln!(w, "  <meta>")?;
    writeln!(w, "    <creator>dossier</creator>")?;
    writeln!(w, "  </meta>")?;
    let all_directed = !sub.edges.is_empty()
        && sub
            .edges
            .iter()
            .all(|&e| g.e_directed.get(e as usize).copied().unwrap_or(false));
    let default = if all_directed {
        "directed"
    } else {
        "undirected"
    };
    writeln!(w, r#"  <graph mode="static" defaultedgetype="{default}">"#)?;
    writeln!(w, r#"    <attributes class="node">"#)?;
    writeln!(
        w,
        r#"      <attribute id="type" title="type" type="string"/>"#
    )?;
    writeln!(
        w,
        r#"      <attribute id="entity_id" title="entity_id" type="long"/>"#
    )?;
    writeln!(
        w,
        r#"      <attribute id="degree" title="degree" type="integer"/>"#
    )?;
    writeln!(
        w,
        r#"      <attribute id="kind" title="kind" type="string"/>"#
    )?;
    for (j, (name, _)) in sub.node_attrs.iter().enumerate() {
        writeln!(
            w,
            r#"      <attribute id="x{j}" title="{}" type="double"/>"#,
            xml_escape(name)
        )?;
    }
    writeln!(w, "    </attributes>")?;
    writeln!(w, r#"    <attributes class="edge">"#)?;
    for (id, ty) in [
        ("kind", "string"),
        ("sentences", "integer"),
        ("docs", "integer"),
        ("first_seen", "string"),
        ("last_seen", "string"),
    ] {
        writeln!(
            w,
            r#"      <attribute id="{id}" title="{id}" type="{ty}"/>"#
        )?;
    }
    writeln!(w, "    </attributes>")?;
    writeln!(w, "    <nodes>")?;
    for (pos, &v) in sub.nodes.iter().enumerate() {
        let id = g.id_of(v);
        writeln!(
            w,
            r#"      <node id="{id}" label="{}">"#,
            xml_escape(g.name(v))
        )?;
        writeln!(w, "        <attvalues>")?;
        writeln!(
            w,
            r#"          <attvalue for="type" value="{}"/>"#,
            xml_escape(g.label(v))
        )?;
        writeln!(w, r#"          <attvalue for="entity_id" value="{id}"/>"#)?;
        writeln!(
            w,
            r#"          <attvalue for="degree" value="{}"/>"#,
            g.degree(v)
        )?;
        writeln!(
            w,
            r#"          <attvalue for="kind" value="{}"/>"#,
            g.kind(v).as_str()
        )?;
        for (j, (_, col)) in sub.node_attrs.iter().enumerate() {
            if let Some(x) = col.get(pos).filter(|x| x.is_finite()) {
                writeln!(
                    w,
                    r#"          <attvalue for="x{j}" value="{}"/>"#,
                    fmt_f64(*x)
                )?;
            }
        }
        writeln!(w, "        </attvalues>")?;
        writeln!(w, "      </node>")?;
    }
    writeln!(w, "    </nodes>")?;
    writeln!(w, "    <edges>")?;
    for &e in &sub.edges {
        let Some(c) = edge_cols(g, e) else { continue };
        let ty = if c.directed { "directed" } else { "undirected" };
        writeln!(
            w,
            r#"      <edge id="{e}" source="{}" target="{}" type="{ty}" label="{}" weight="{}">"#,
            c.src,
            c.dst,
            xml_escape(&c.kind),
            fmt_f64(f64::from(c.strength))
        )?;
        writeln!(w, "        <attvalues>")?;
        writeln!(
            w,
            r#"          <attvalue for="kind" value="{}"/>"#,
            xml_escape(&c.kind)
        )?;
        writeln!(
            w,
            r#"          <attvalue for="sentences" value="{}"/>"#,
            c.sentences
        )?;
        writeln!(w, r#"          <attvalue for="docs" value="{}"/>"#, c.docs)?;
        if let Some(d) = c.first {
            writeln!(
                w,
                r#"          <attvalue for="first_seen" value="{}"/>"#,
                day_to_iso(d)
            )?;
        }
        if let Some(d) = c.last {
            writeln!(
                w,
                r#"          <attvalue for="last_seen" value="{}"/>"#,
                day_to_iso(d)
            )?;
        }
        writeln!(w, "        </attvalues>")?;
        writeln!(w, "      </edge>")?;
    }
    writeln!(w, "    </edges>")?;
    writeln!(w, "  </graph>")?;
    writeln!(w, "</gexf>")?;
    Ok(())
}

/// JSON node for the UI.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct JsonNode {
    pub id: i64,
    pub name: String,
    pub label: String,
    /// `entity` or `event`.
    pub kind: crate::NodeKind,
    pub degree: u32,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub attrs: BTreeMap<String, f64>,
}

/// JSON edge for the UI (`source`/`target` as stored; `directed` says whether it matters).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct JsonEdge {
    pub id: u32,
    pub source: i64,
    pub target: i64,
    pub kind: String,
    pub directed: bool,
    pub sentences: u32,
    pub docs: u32,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub strength: f32,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct JsonGraph {
    pub nodes: Vec<JsonNode>,
    pub edges: Vec<JsonEdge>,
}

/// The subgraph as a serialisable value for the UI.
pub fn to_json(g: &Graph, sub: &Subgraph) -> JsonGraph {
    let nodes = sub
        .nodes
        .iter()
        .enumerate()
        .map(|(pos, &v)| JsonNode {
            id: g.id_of(v),
            name: g.name(v).to_owned(),
            label: g.label(v).to_owned(),
            kind: g.kind(v),
            degree: g.degree(v),
            attrs: sub
                .node_attrs
                .iter()
                .filter_map(|(k, col)| {
                    col.get(pos)
                        .filter(|x| x.is_finite())
                        .map(|x| (k.clone(), *x))
                })
                .collect(),
        })
        .collect();
    let edges = sub
        .edges
        .iter()
        .filter_map(|&e| {
            let c = edge_cols(g, e)?;
            Some(JsonEdge {
                id: e,
                source: c.src,
                target: c.dst,
                kind: c.kind,
                directed: c.directed,
                sentences: c.sentences,
                docs: c.docs,
                first_seen: c.first.map(day_to_iso),
                last_seen: c.last.map(day_to_iso),
                strength: c.strength,
            })
        })
        .collect();
    JsonGraph { nodes, edges }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert_eq!(day_to_iso(0), "1970-01-01");
        assert_eq!(day_to_iso(19_358), "2023-01-01");
        assert_eq!(day_to_iso(-1), "1969-12-31");
        assert_eq!(day_to_iso(11_016), "2000-02-29");
        // Extreme values format without panicking.
        assert!(!day_to_iso(Day::MAX).is_empty());
        assert!(!day_to_iso(Day::MIN).is_empty());
    }

    #[test]
    fn escaping() {
        assert_eq!(xml_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(xml_escape("x\u{0}y\u{FFFE}"), "x\u{FFFD}y\u{FFFD}");
        assert_eq!(xml_escape("tab\tnl\n"), "tab&#9;nl&#10;");
        assert!(matches!(xml_escape("Brüssel 😀"), Cow::Borrowed(_)));
    }
}
