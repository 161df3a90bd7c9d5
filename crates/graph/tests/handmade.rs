//! Hand-made graphs with obvious answers.

use dossier_graph::centrality::{betweenness, degree_centrality, pagerank, top_k, SimpleView};
use dossier_graph::community::{louvain, summarize};
use dossier_graph::export::{to_gexf, to_graphml, to_json, xml_escape};
use dossier_graph::{
    ConnectOptions, Direction, EdgeFilter, EdgeRecord, Graph, GraphBuilder, GraphError, KindId,
    NeighbourQuery, NodeInfo, PathOptions, QueryCtx,
};

fn rec(src: i64, dst: i64, kind: KindId, sentences: u32, docs: u32) -> EdgeRecord {
    EdgeRecord {
        src,
        dst,
        kind,
        directed: false,
        sentences,
        docs,
        first_seen: None,
        last_seen: None,
    }
}

fn node(id: i64, name: &str, label: &str) -> NodeInfo {
    NodeInfo {
        id,
        name: name.to_owned(),
        label: label.to_owned(),
        kind: if label == "EVENT" {
            dossier_graph::NodeKind::Event
        } else {
            dossier_graph::NodeKind::Entity
        },
    }
}

/// Two 5-cliques (1..=5 and 11..=15) joined through a bridge node 100 linked to 1 and 11.
fn bridged_cliques() -> Graph {
    let mut b = GraphBuilder::new();
    let k = b.kind("co_mention").expect("kind");
    for base in [0i64, 10] {
        for i in 1..=5 {
            for j in i + 1..=5 {
                b.add_edge(rec(base + i, base + j, k, 3, 2));
            }
        }
    }
    b.add_edge(rec(1, 100, k, 3, 2));
    b.add_edge(rec(100, 11, k, 3, 2));
    for i in 1..=5 {
        b.add_node(node(i, &format!("Alpha {i}"), "PER"));
        b.add_node(node(10 + i, &format!("Beta {i}"), "ORG"));
    }
    b.add_node(node(100, "Bridge", "PER"));
    b.build().expect("build")
}

#[test]
fn bridge_node_has_top_betweenness() {
    let g = bridged_cliques();
    let sv = SimpleView::new(&g, &EdgeFilter::default());
    let bc = betweenness(&sv, None, 0);
    let top = top_k(&bc.normalized, 3);
    assert_eq!(g.id_of(top[0].0), 100);
    // The two clique gates come next, above every other clique member.
    let next: Vec<i64> = top[1..].iter().map(|x| g.id_of(x.0)).collect();
    assert!(next.contains(&1) && next.contains(&11), "{next:?}");
    // The bridge lies on all 25 shortest paths between the cliques' 10 nodes... plus its own:
    // pairs (a, b) with a in one clique and b in the other: 25 of C(10, 2) = 55 pairs among others.
    let n = g.node_count() as f64;
    let want = 25.0 / ((n - 1.0) * (n - 2.0) / 2.0);
    assert!((bc.normalized[g.index_of(100).expect("bridge") as usize] - want).abs() < 1e-12);
    // Degree centrality puts clique members first: the bridge has only two neighbours.
    let dc = degree_centrality(&sv);
    assert!(
        dc[g.index_of(100).expect("bridge") as usize] < dc[g.index_of(2).expect("node") as usize]
    );
}

#[test]
fn two_cliques_joined_by_one_edge_give_two_labelled_communities() {
    let mut b = GraphBuilder::new();
    let k = b.kind("co_mention").expect("kind");
    for base in [0i64, 10] {
        for i in 1..=6 {
            for j in i + 1..=6 {
                b.add_edge(rec(base + i, base + j, k, 2, 1));
            }
        }
    }
    b.add_edge(rec(1, 11, k, 1, 1));
    for i in 1..=6 {
        b.add_node(node(i, &format!("Alpha {i}"), "PER"));
        b.add_node(node(10 + i, &format!("Beta {i}"), "ORG"));
    }
    let g = b.build().expect("build");
    let sv = SimpleView::new(&g, &EdgeFilter::default());
    for seed in 0..5 {
        let c = louvain(&sv, 1.0, seed);
        assert_eq!(c.count, 2, "seed {seed}");
        assert!(c.modularity > 0.4, "modularity {}", c.modularity);
        let ca = c.membership[g.index_of(1).expect("node") as usize];
        let cb = c.membership[g.index_of(11).expect("node") as usize];
        assert_ne!(ca, cb);
        for i in 1..=6 {
            assert_eq!(c.membership[g.index_of(i).expect("node") as usize], ca);
            assert_eq!(c.membership[g.index_of(10 + i).expect("node") as usize], cb);
        }
        let pr = pagerank(&sv, 0.85, 1e-10, 200);
        let sum = summarize(&g, &c, &pr.scores, 3, 10);
        assert_eq!(sum.len(), 2);
        let alpha = &sum[ca as usize];
        assert_eq!(alpha.size, 6);
        assert_eq!(alpha.dominant_label, "PER");
        assert!(alpha.label.starts_with("Alpha 1"), "{}", alpha.label); // the gate ranks top
        assert!(alpha.label.ends_with("(PER)"));
        assert_eq!(sum[cb as usize].dominant_label, "ORG");
    }
}

/// Four attacks (1..=4); a hub "ISIS" (50) mentioned with every attack and with 40 other
/// entities, more often; a handler (60) linked to three attacks; each attack also has two
/// private neighbours.
fn attacks() -> Graph {
    let mut b = GraphBuilder::new();
    let co = b.kind("co_mention").expect("kind");
    let role = b.kind("role").expect("kind");
    for a in 1..=4 {
        b.add_node(node(a, &format!("Attack {a}"), "EVENT"));
        b.add_edge(rec(a, 50, co, 12, 6));
        b.add_edge(rec(a, 1000 + a * 10, co, 2, 1));
        b.add_edge(rec(a, 1001 + a * 10, co, 2, 1));
    }
    for o in 0..40 {
        b.add_edge(rec(50, 200 + o, co, 5, 3));
        b.add_edge(rec(200 + o, 200 + (o + 1) % 40, co, 1, 1));
    }
    for a in 1..=3 {
        b.add_edge(rec(a, 60, role, 2, 1));
    }
    b.add_node(node(50, "ISIS", "ORG"));
    b.add_node(node(60, "Abu Handler", "PER"));
    b.build().expect("build")
}

#[test]
fn connect_ranks_a_specific_handler_above_a_hub() {
    let g = attacks();
    let mut ctx = QueryCtx::new(&g);
    let c = g
        .connect(&mut ctx, &[1, 2, 3, 4], &ConnectOptions::default())
        .expect("connect");
    assert_eq!(c.shared[0].node.name, "Abu Handler", "{:?}", c.shared);
    assert_eq!(c.shared[0].members, vec![1, 2, 3]);
    assert_eq!(c.shared[0].direct, 3);
    assert!(c.shared[0]
        .links
        .iter()
        .all(|l| l.via.is_none() && l.edges.len() == 1));
    assert_eq!(c.shared[0].links[0].edges[0].kind, "role");
    assert_eq!(c.shared[1].node.name, "ISIS");
    assert_eq!(c.shared[1].members.len(), 4);
    assert!(c.shared[0].score > c.shared[1].score);
    // Only direct neighbours with max_hops = 1: exactly the handler and the hub.
    let direct = ConnectOptions {
        max_hops: 1,
        ..ConnectOptions::default()
    };
    let c1 = g
        .connect(&mut ctx, &[1, 2, 3, 4], &direct)
        .expect("connect");
    let names: Vec<&str> = c1.shared.iter().map(|s| s.node.name.as_str()).collect();
    assert_eq!(names, vec!["Abu Handler", "ISIS"]);
    // The connecting subgraph reaches every attack and its top inner node is the handler.
    assert!(c.unreachable.is_empty());
    assert_eq!(c.paths.len(), 3);
    let inner: Vec<&str> = c
        .nodes
        .iter()
        .filter(|n| !n.terminal)
        .map(|n| n.node.name.as_str())
        .collect();
    assert_eq!(inner.first().copied(), Some("Abu Handler"), "{inner:?}");
    assert!(c.nodes.iter().filter(|n| n.terminal).count() == 4);
    // Hostile arguments are errors, not panics.
    assert_eq!(
        g.connect(&mut ctx, &[1, 999_999], &ConnectOptions::default())
            .err(),
        Some(GraphError::UnknownNode(999_999))
    );
    assert!(g
        .connect(&mut ctx, &[1, 1], &ConnectOptions::default())
        .is_err());
}

/// Four cities (1..=4), each with its own perpetrator (11..=14); a handler (60) linked to the
/// four perpetrators but to no city; "Europe" (50) mentioned with every city and 200 others; a
/// country per city with 30 others of its own.
#[test]
fn connect_finds_a_two_hop_handler_above_a_directly_linked_hub() {
    let mut b = GraphBuilder::new();
    let co = b.kind("co_mention").expect("kind");
    for c in 1..=4 {
        b.add_edge(rec(c, 10 + c, co, 3, 2));
        b.add_edge(rec(10 + c, 60, co, 2, 1));
        b.add_edge(rec(c, 50, co, 5, 3));
        b.add_edge(rec(c, 20 + c, co, 4, 2));
        for o in 0..30 {
            b.add_edge(rec(20 + c, 1000 + c * 100 + o, co, 2, 1));
        }
    }
    for o in 0..200 {
        b.add_edge(rec(50, 5000 + o, co, 2, 1));
        b.add_edge(rec(5000 + o, 5000 + (o + 7) % 200, co, 1, 1));
    }
    b.add_node(node(60, "Karim the Accountant", "PER"));
    b.add_node(node(50, "Europe", "LOC"));
    let g = b.build().expect("build");
    let mut ctx = QueryCtx::new(&g);
    let c = g
        .connect(&mut ctx, &[1, 2, 3, 4], &ConnectOptions::default())
        .expect("connect");
    assert_eq!(
        c.shared[0].node.name, "Karim the Accountant",
        "{:?}",
        c.shared
    );
    assert_eq!(c.shared[0].members.len(), 4);
    assert_eq!(c.shared[0].direct, 0);
    for l in &c.shared[0].links {
        let via = l.via.as_ref().expect("two-hop link");
        assert_eq!(via.id, l.member + 10);
        assert_eq!(l.edges.len(), 2);
    }
    let europe = c
        .shared
        .iter()
        .position(|s| s.node.name == "Europe")
        .expect("hub listed");
    assert!(europe > 0);
    assert_eq!(c.shared[europe].direct, 4);
    // The connecting subgraph contains the handler, ranked first among inner nodes.
    let first_inner = c.nodes.iter().find(|n| !n.terminal).expect("inner node");
    assert_eq!(first_inner.node.name, "Karim the Accountant");
}

#[test]
fn paths_prefer_strong_evidence_and_report_hops() {
    // 1 - 2 - 4 weak, 1 - 3 - 4 strong, 1 - 4 direct but very weak and old.
    let mut b = GraphBuilder::new().as_of(20_000);
    let co = b.kind("co_mention").expect("kind");
    let rel = b.kind("relation").expect("kind");
    b.add_edge(rec(1, 2, co, 1, 1));
    b.add_edge(rec(2, 4, co, 1, 1));
    b.add_edge(rec(1, 3, rel, 30, 10));
    b.add_edge(rec(3, 4, rel, 30, 10));
    b.add_edge(EdgeRecord {
        first_seen: Some(10_000),
        last_seen: Some(10_000),
        ..rec(4, 1, co, 1, 1)
    });
    let g = b.build().expect("build");
    let mut ctx = QueryCtx::new(&g);
    let opts = PathOptions::default();
    let p = g
        .shortest_path(&mut ctx, 1, 4, &opts)
        .expect("ids")
        .expect("path");
    let ids: Vec<i64> = p.nodes.iter().map(|n| n.id).collect();
    assert_eq!(ids, vec![1, 3, 4]);
    assert_eq!(p.hops.len(), 2);
    assert_eq!(p.hops[0].edge.kind, "relation");
    assert_eq!((p.hops[1].from, p.hops[1].to), (3, 4));
    let ks = g.k_shortest_paths(&mut ctx, 1, 4, 10, &opts).expect("k");
    let all: Vec<Vec<i64>> = ks
        .iter()
        .map(|p| p.nodes.iter().map(|n| n.id).collect())
        .collect();
    assert_eq!(all.len(), 3);
    assert_eq!(all[0], vec![1, 3, 4]);
    assert!(ks.windows(2).all(|w| w[0].cost <= w[1].cost));
    // The direct edge is old (strength decayed) and weaker than two strong hops.
    assert_eq!(all[1], vec![1, 4]);
    assert_eq!(all[2], vec![1, 2, 4]);
    // Filter by kind: only co-mentions.
    let co_only = PathOptions {
        filter: EdgeFilter {
            kinds: Some(vec![co]),
            ..EdgeFilter::default()
        },
        ..PathOptions::default()
    };
    let p = g
        .shortest_path(&mut ctx, 1, 4, &co_only)
        .expect("ids")
        .expect("path");
    assert_eq!(p.nodes.len(), 2);
    // Time window excluding the old edge and the undated ones: no path.
    let recent = PathOptions {
        filter: EdgeFilter {
            window: Some((15_000, 20_000)),
            ..EdgeFilter::default()
        },
        ..PathOptions::default()
    };
    assert!(g
        .shortest_path(&mut ctx, 1, 4, &recent)
        .expect("ids")
        .is_none());
    assert!(g.k_shortest_paths(&mut ctx, 1, 4, 0, &opts).is_err());
    assert!(g.k_shortest_paths(&mut ctx, 1, 4, 11, &opts).is_err());
    assert_eq!(
        g.shortest_path(&mut ctx, 1, 77, &opts).err(),
        Some(GraphError::UnknownNode(77))
    );
    let same = g
        .shortest_path(&mut ctx, 3, 3, &opts)
        .expect("ids")
        .expect("trivial");
    assert_eq!(same.hops.len(), 0);
}

#[test]
fn directed_edges_can_be_respected() {
    let mut b = GraphBuilder::new();
    let k = b.kind("funds").expect("kind");
    for (s, d) in [(1, 2), (2, 3)] {
        b.add_edge(EdgeRecord {
            directed: true,
            ..rec(s, d, k, 1, 1)
        });
    }
    let g = b.build().expect("build");
    let mut ctx = QueryCtx::new(&g);
    let dir = PathOptions {
        respect_direction: true,
        ..PathOptions::default()
    };
    assert!(g
        .shortest_path(&mut ctx, 1, 3, &dir)
        .expect("ids")
        .is_some());
    assert!(g
        .shortest_path(&mut ctx, 3, 1, &dir)
        .expect("ids")
        .is_none());
    assert!(g
        .shortest_path(&mut ctx, 3, 1, &PathOptions::default())
        .expect("ids")
        .is_some());
    let out = NeighbourQuery {
        direction: Direction::Out,
        ..NeighbourQuery::default()
    };
    let page = g.neighbours(2, &out).expect("ids");
    assert_eq!(
        page.items.iter().map(|n| n.node.id).collect::<Vec<_>>(),
        vec![3]
    );
}

#[test]
fn duplicate_records_merge_and_self_loops_drop() {
    let mut b = GraphBuilder::new();
    let k = b.kind("co_mention").expect("kind");
    b.add_edge(EdgeRecord {
        first_seen: Some(100),
        last_seen: Some(200),
        ..rec(1, 2, k, 2, 1)
    });
    b.add_edge(EdgeRecord {
        first_seen: Some(50),
        last_seen: Some(150),
        ..rec(2, 1, k, 3, 2)
    });
    b.add_edge(rec(2, 2, k, 3, 2));
    let g = b.build().expect("build");
    assert_eq!(g.edge_count(), 1);
    assert_eq!(g.self_loops_dropped(), 1);
    let e = g.edge_info(0).expect("edge");
    assert_eq!((e.src, e.dst, e.sentences, e.docs), (1, 2, 5, 3));
    assert_eq!((e.first_seen, e.last_seen), (Some(50), Some(200)));
    assert!(g.memory().total > 0);
}

#[test]
fn neighbours_filter_sort_and_paginate() {
    let mut b = GraphBuilder::new();
    let co = b.kind("co_mention").expect("kind");
    let rel = b.kind("relation").expect("kind");
    for i in 2..=11 {
        b.add_edge(EdgeRecord {
            first_seen: Some(1000 + i as i32),
            last_seen: Some(1000 + i as i32),
            ..rec(1, i, if i % 2 == 0 { co } else { rel }, i as u32, 1)
        });
        b.add_node(node(
            i,
            &format!("N{i}"),
            if i <= 6 { "PER" } else { "LOC" },
        ));
    }
    let g = b.build().expect("build");
    let all = g.neighbours(1, &NeighbourQuery::default()).expect("ids");
    assert_eq!(all.total, 10);
    let strengths: Vec<f32> = all.items.iter().map(|n| n.edge.strength).collect();
    assert!(strengths.windows(2).all(|w| w[0] >= w[1]), "{strengths:?}");
    assert_eq!(all.items[0].node.id, 11); // most sentences
    let q = NeighbourQuery {
        filter: EdgeFilter {
            kinds: Some(vec![rel]),
            window: Some((1004, 1009)),
            min_sentences: 6,
            ..EdgeFilter::default()
        },
        labels: Some(vec!["LOC".into()]),
        ..NeighbourQuery::default()
    };
    let page = g.neighbours(1, &q).expect("ids");
    let ids: Vec<i64> = page.items.iter().map(|n| n.node.id).collect();
    assert_eq!(ids, vec![9, 7]);
    let q2 = NeighbourQuery {
        offset: 2,
        limit: 3,
        ..NeighbourQuery::default()
    };
    let p2 = g.neighbours(1, &q2).expect("ids");
    assert_eq!(p2.total, 10);
    let want: Vec<i64> = all.items[2..5].iter().map(|n| n.node.id).collect();
    assert_eq!(p2.items.iter().map(|n| n.node.id).collect::<Vec<_>>(), want);
    let strong = NeighbourQuery {
        filter: EdgeFilter {
            min_strength: all.items[3].edge.strength,
            ..EdgeFilter::default()
        },
        ..NeighbourQuery::default()
    };
    assert_eq!(g.neighbours(1, &strong).expect("ids").total, 4);
    assert!(g.neighbours(12345, &NeighbourQuery::default()).is_err());
}

/// Reads XML with quick-xml, failing on any well-formedness error; returns element names and
/// the decoded attribute values and text.
fn parse_xml(s: &str) -> (Vec<String>, Vec<(String, String)>, String) {
    use quick_xml::events::Event;
    let mut r = quick_xml::Reader::from_str(s);
    let mut names = Vec::new();
    let mut attrs = Vec::new();
    let mut text = String::new();
    loop {
        match r.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) => {
                names.push(e.name().as_ref().to_owned());
                for a in e.attributes() {
                    let a = a.expect("attribute");
                    let v = a
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .expect("attribute value")
                        .into_owned();
                    attrs.push((a.key.as_ref().to_owned(), v));
                }
            }
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let name = r.into_inner();
                let c = match name.as_ref() {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    n => n
                        .strip_prefix('#')
                        .and_then(|d| d.parse::<u32>().ok())
                        .and_then(char::from_u32)
                        .expect("known entity"),
                };
                text.push(c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    (names, attrs, text)
}

const NASTY: &str = "Al-Q & \"Sons\" <ltd> 'x'\u{1}\tline\nbreak";

fn export_graph() -> Graph {
    let mut b = GraphBuilder::new();
    let k = b.kind("quote<&>").expect("kind");
    b.add_edge(EdgeRecord {
        first_seen: Some(19_000),
        last_seen: Some(19_358),
        directed: true,
        ..rec(-7, 8, k, 4, 2)
    });
    b.add_edge(rec(8, 9, k, 1, 1));
    b.add_edge(rec(9, 10, k, 1, 1));
    b.add_node(node(-7, NASTY, "PER"));
    b.add_node(node(8, "Brüssel", "LOC"));
    b.add_node(node(9, "bombing · Malmö", "EVENT"));
    b.build().expect("build")
}

#[test]
fn graphml_is_well_formed_declares_keys_and_escapes() {
    let g = export_graph();
    let sub = g.ego(8, 1, &EdgeFilter::default(), 100).expect("ego");
    assert_eq!(sub.nodes.len(), 3); // 8, -7, 9 but not 10
    let pr = vec![0.25; g.node_count()];
    let sub = sub.with_attr("pagerank", &pr);
    let mut out = Vec::new();
    to_graphml(&g, &sub, &mut out).expect("write");
    // Left for outside checks (e.g. networkx.read_graphml, Gephi).
    let _ = std::fs::write(
        concat!(env!("CARGO_TARGET_TMPDIR"), "/dossier-graph-test.graphml"),
        &out,
    );
    let s = String::from_utf8(out).expect("utf8");
    let (names, attrs, text) = parse_xml(&s);
    assert_eq!(names.iter().filter(|n| *n == "node").count(), 3);
    assert_eq!(names.iter().filter(|n| *n == "edge").count(), 2);
    let declared: Vec<&str> = attrs
        .iter()
        .filter(|(k, _)| k == "id")
        .map(|(_, v)| v.as_str())
        .collect();
    for (k, v) in &attrs {
        if k == "key" {
            assert!(declared.contains(&v.as_str()), "undeclared key {v}");
        }
    }
    let want = NASTY.replace('\u{1}', "\u{FFFD}");
    assert!(text.contains(&want), "name did not round-trip");
    assert!(text.contains("quote<&>"));
    assert!(text.contains("2023-01-01")); // day 19358
    assert!(attrs
        .iter()
        .any(|(k, v)| k == "attr.name" && v == "pagerank"));
}

#[test]
fn gexf_is_well_formed_declares_attributes_and_escapes() {
    let g = export_graph();
    let all: Vec<u32> = (0..g.node_count() as u32).collect();
    let sub = g.induced(&all, &EdgeFilter::default());
    let mut out = Vec::new();
    to_gexf(&g, &sub, &mut out).expect("write");
    let _ = std::fs::write(
        concat!(env!("CARGO_TARGET_TMPDIR"), "/dossier-graph-test.gexf"),
        &out,
    );
    let s = String::from_utf8(out).expect("utf8");
    let (names, attrs, _) = parse_xml(&s);
    assert_eq!(names.iter().filter(|n| *n == "node").count(), 4);
    assert_eq!(names.iter().filter(|n| *n == "edge").count(), 3);
    let want = NASTY.replace('\u{1}', "\u{FFFD}");
    assert!(
        attrs.iter().any(|(k, v)| k == "label" && *v == want),
        "label did not round-trip"
    );
    assert!(attrs.iter().any(|(k, v)| k == "type" && v == "directed"));
    let declared: Vec<&str> = attrs
        .iter()
        .filter(|(k, _)| k == "id")
        .map(|(_, v)| v.as_str())
        .collect();
    for (k, v) in &attrs {
        if k == "for" {
            assert!(declared.contains(&v.as_str()), "undeclared attribute {v}");
        }
    }
}

#[test]
fn json_export_has_nodes_edges_and_attributes() {
    let g = export_graph();
    let sub = g.ego(-7, 2, &EdgeFilter::default(), 100).expect("ego");
    let j = serde_json::to_value(to_json(&g, &sub)).expect("json");
    let nodes = j["nodes"].as_array().expect("nodes");
    assert_eq!(nodes.len(), 3);
    assert_eq!(nodes[0]["id"], -7);
    assert_eq!(nodes[0]["name"], NASTY);
    let edges = j["edges"].as_array().expect("edges");
    assert_eq!(edges.len(), 2);
    assert_eq!(edges[0]["source"], -7);
    assert_eq!(edges[0]["directed"], true);
    assert_eq!(edges[0]["last_seen"], "2023-01-01");
    // Every node says what it stands for.
    let kind_of = |id: i64| {
        nodes
            .iter()
            .find(|n| n["id"] == id)
            .map(|n| n["kind"].clone())
    };
    assert_eq!(kind_of(9), Some(serde_json::json!("event")));
    assert_eq!(kind_of(8), Some(serde_json::json!("entity")));
    let mut xml = Vec::new();
    to_graphml(&g, &sub, &mut xml).expect("graphml");
    let xml = String::from_utf8(xml).expect("utf8");
    assert!(xml.contains(r#"attr.name="kind""#) && xml.contains(">event</data>"));
    let mut gexf = Vec::new();
    to_gexf(&g, &sub, &mut gexf).expect("gexf");
    let gexf = String::from_utf8(gexf).expect("utf8");
    assert!(gexf.contains(r#"<attvalue for="kind" value="event"/>"#));
    assert!(xml_escape("plain").len() == 5);
    // Limits are enforced.
    assert!(g.ego(-7, 9, &EdgeFilter::default(), 100).is_err());
    assert_eq!(
        g.ego(-7, 3, &EdgeFilter::default(), 2)
            .expect("ego")
            .nodes
            .len(),
        2
    );
}

#[test]
fn extreme_and_empty_inputs_do_not_panic() {
    // Empty graph: every whole-graph algorithm returns an empty answer.
    let g = GraphBuilder::new().build().expect("empty");
    assert_eq!((g.node_count(), g.edge_count()), (0, 0));
    let sv = SimpleView::new(&g, &EdgeFilter::default());
    assert!(pagerank(&sv, 0.85, 1e-9, 100).scores.is_empty());
    assert!(betweenness(&sv, Some(5), 1).normalized.is_empty());
    assert_eq!(louvain(&sv, 1.0, 0).count, 0);
    let mut ctx = QueryCtx::new(&g);
    assert!(g
        .shortest_path(&mut ctx, 1, 2, &PathOptions::default())
        .is_err());

    // Extreme ids, counts and dates; a kind id never interned; an isolated node.
    let mut b = GraphBuilder::new();
    let k = b.kind("co_mention").expect("kind");
    let big = EdgeRecord {
        src: i64::MIN,
        dst: i64::MAX,
        kind: k,
        directed: false,
        sentences: u32::MAX,
        docs: u32::MAX,
        first_seen: Some(i32::MAX),
        last_seen: Some(i32::MIN + 1),
    };
    b.add_edge(big.clone());
    b.add_edge(big);
    b.add_edge(rec(0, i64::MAX, KindId(40_000), 0, 0));
    b.add_node(node(42, "", ""));
    let g = b.build().expect("build");
    assert_eq!(g.edge_count(), 2);
    assert_eq!(g.kind_name(KindId(40_000)), "kind40000");
    let e = g.edge_info(0).expect("edge");
    assert_eq!((e.sentences, e.docs), (u32::MAX, u32::MAX)); // saturated, not wrapped
    assert!(e.strength.is_finite() && e.strength > 0.0);
    let mut ctx = QueryCtx::new(&g);
    let p = g
        .shortest_path(&mut ctx, i64::MIN, 0, &PathOptions::default())
        .expect("ids")
        .expect("path");
    assert_eq!(p.hops.len(), 2);
    assert!(g
        .shortest_path(&mut ctx, i64::MIN, 42, &PathOptions::default())
        .expect("ids")
        .is_none());
    assert!(g
        .k_shortest_paths(&mut ctx, 42, 0, 10, &PathOptions::default())
        .expect("ids")
        .is_empty());
    let sv = SimpleView::new(&g, &EdgeFilter::default());
    let pr = pagerank(&sv, 0.85, 1e-12, 1000);
    assert!((pr.scores.iter().sum::<f64>() - 1.0).abs() < 1e-9); // the isolated node is dangling
    let c = louvain(&sv, 1.0, 3);
    assert_eq!(c.membership.len(), 4);
    let sub = g.ego(42, 3, &EdgeFilter::default(), 10).expect("ego");
    assert_eq!(sub.nodes.len(), 1);
    let mut out = Vec::new();
    to_gexf(
        &g,
        &g.induced(&[0, 1, 2, 3, 99], &EdgeFilter::default()),
        &mut out,
    )
    .expect("write");
    assert!(String::from_utf8(out)
        .expect("utf8")
        .contains(&i64::MIN.to_string()));
}

#[test]
fn options_deserialise_with_defaults() {
    let q: NeighbourQuery =
        serde_json::from_str(r#"{"limit": 5, "filter": {"min_docs": 2}}"#).expect("query");
    assert_eq!(q.limit, 5);
    assert_eq!(q.filter.min_docs, 2);
    assert_eq!(q.direction, Direction::Any);
    let c: ConnectOptions = serde_json::from_str(r#"{"max_hops": 1}"#).expect("options");
    assert_eq!(c.max_hops, 1);
    assert_eq!(c.max_shared, ConnectOptions::default().max_shared);
    let p: PathOptions = serde_json::from_str("{}").expect("options");
    assert_eq!(p, PathOptions::default());
}
