//! Link-analysis commands: entity profile, neighbours, paths, connect,
//! centrality, communities, export. Answers come from `dossier::analysis`
//! (shared with the HTTP server), every link with its evidence sentences.

use crate::output::{one_line, print_json, truncate};
use crate::query::{open, parse_date, parse_label};
use anyhow::Context;
use dossier::analysis::{self, EvidencedPath};
use dossier::graph::{
    centrality, community, export, ConnectOptions, EdgeFilter as GraphFilter, Graph, PathOptions,
};
use dossier_core::EntityLabel;
use dossier_store::{EdgeFilter, Evidence, Page, Store};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct EntityArgs {
    /// Entity id (`12` or `#12`) or a name or alias ("Karim Velasco-Oduya", "NCB").
    entity: String,
    /// Disambiguate a name by type (Person, Organisation, Location, ...).
    #[arg(long = "type", value_name = "TYPE", value_parser = parse_label)]
    entity_type: Option<EntityLabel>,
    /// How many documents to list.
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Which edges to follow (shared by neighbours, path, connect, export).
#[derive(clap::Args, Clone)]
pub struct EdgeArgs {
    /// Follow only these edge kinds (repeatable): comention, role, quote,
    /// relation (all relation types) or relation:BelongsTo, event or event:Attack.
    #[arg(long = "kind", value_name = "KIND")]
    kinds: Vec<String>,
    /// Only edges seen in documents published on or after this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    from: Option<String>,
    /// Only edges seen in documents published on or before this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    to: Option<String>,
    /// Only edges with at least this many evidence sentences.
    #[arg(long, default_value_t = 1)]
    min_evidence: usize,
}

impl EdgeArgs {
    fn store_filter(&self, label: Option<EntityLabel>) -> EdgeFilter {
        EdgeFilter {
            kinds: self.kinds.clone(),
            label,
            from: self.from.clone(),
            to: self.to.clone(),
            min_evidence: self.min_evidence,
        }
    }

    /// The same filter for the in-memory graph: kind names (and prefixes such
    /// as `relation`) become the graph's kind ids.
    fn graph_filter(&self, g: &Graph) -> GraphFilter {
        let kinds = (!self.kinds.is_empty()).then(|| {
            (0..g.kind_count())
                .filter_map(|k| {
                    let id = dossier::graph::KindId(u16::try_from(k).ok()?);
                    let name = g.kind_name(id);
                    self.kinds
                        .iter()
                        .any(|want| {
                            name == want
                                || (!want.contains(':')
                                    && name.split(':').next() == Some(want.as_str()))
                        })
                        .then_some(id)
                })
                .collect()
        });
        let window = match (&self.from, &self.to) {
            (None, None) => None,
            (f, t) => Some((
                f.as_deref()
                    .and_then(analysis::iso_to_day)
                    .unwrap_or(i32::MIN),
                t.as_deref()
                    .and_then(analysis::iso_to_day)
                    .unwrap_or(i32::MAX),
            )),
        };
        GraphFilter {
            kinds,
            window,
            include_undated: false,
            min_sentences: u32::try_from(self.min_evidence).unwrap_or(u32::MAX),
            ..Default::default()
        }
    }
}

#[derive(clap::Args)]
pub struct NeighboursArgs {
    /// Entity id or name.
    entity: String,
    /// Only neighbours of this type.
    #[arg(long = "type", value_name = "TYPE", value_parser = parse_label)]
    entity_type: Option<EntityLabel>,
    #[command(flatten)]
    edges: EdgeArgs,
    /// Show this many evidence sentences per neighbour.
    #[arg(long, default_value_t = 1)]
    evidence: usize,
    #[arg(long, default_value_t = 20)]
    limit: usize,
    #[arg(long, default_value_t = 0)]
    offset: usize,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
pub struct PathArgs {
    /// From this entity (id or name) or event (`event:12`).
    #[arg(value_name = "FROM")]
    source: String,
    /// To this entity (id or name) or event (`event:12`).
    #[arg(value_name = "TO")]
    target: String,
    /// How many paths (1 = the shortest; up to 10, by Yen's algorithm).
    #[arg(long, short = 'k', default_value_t = 3)]
    k: usize,
    #[command(flatten)]
    edges: EdgeArgs,
    /// Evidence sentences per hop.
    #[arg(long, default_value_t = 1)]
    evidence: usize,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
pub struct ConnectArgs {
    /// Entities (ids or names) and events (`event:12`); two or more members in
    /// all, counting the events selected below.
    #[arg(num_args = 0..)]
    entities: Vec<String>,
    /// Add events of this type as members (attack also takes bombings,
    /// shootings, killings): the most reported one at each --place, or every
    /// such event (at most 32) without --place.
    #[arg(long = "events-of-type", value_name = "TYPE")]
    events_of_type: Vec<String>,
    /// With --events-of-type: a place (name or id) whose event to take (repeatable).
    #[arg(long = "place", value_name = "PLACE")]
    places: Vec<String>,
    /// Only connecting entities of this type ("which person links them?").
    #[arg(long = "type", value_name = "TYPE", value_parser = parse_label)]
    entity_type: Option<EntityLabel>,
    #[command(flatten)]
    edges: EdgeArgs,
    /// How many connecting entities to list.
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Evidence sentences per link.
    #[arg(long, default_value_t = 1)]
    evidence: usize,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Measure {
    Degree,
    Betweenness,
    Pagerank,
}

#[derive(clap::Args)]
pub struct CentralityArgs {
    #[arg(long, value_enum, default_value = "pagerank")]
    measure: Measure,
    /// Only list entities of this type.
    #[arg(long = "type", value_name = "TYPE", value_parser = parse_label)]
    entity_type: Option<EntityLabel>,
    #[arg(long, default_value_t = 20)]
    limit: usize,
    #[command(flatten)]
    edges: EdgeArgs,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
pub struct CommunitiesArgs {
    /// How many communities to list (largest first).
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Members named per community.
    #[arg(long, default_value_t = 5)]
    top: usize,
    #[command(flatten)]
    edges: EdgeArgs,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Graphml,
    Gexf,
    Json,
}

#[derive(clap::Args)]
pub struct ExportArgs {
    /// graphml or gexf (open in Gephi), or json (nodes and edges, for a UI).
    #[arg(long, value_enum)]
    format: Format,
    /// Export the ego network of this entity (id or name) or event (`event:12`)
    /// instead of the whole graph.
    #[arg(long, value_name = "ENTITY")]
    ego: Option<String>,
    /// Hops around the ego entity (1 to 3).
    #[arg(long, default_value_t = 2)]
    radius: u32,
    /// At most this many nodes.
    #[arg(long, default_value_t = 500)]
    max_nodes: usize,
    #[command(flatten)]
    edges: EdgeArgs,
    /// Write to this file instead of standard output.
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
}

pub(crate) fn evidence_line(e: &Evidence) -> String {
    format!(
        "      “{}” — {} {}",
        truncate(&one_line(&e.sentence), 200),
        e.title
            .clone()
            .unwrap_or_else(|| crate::output::short_id(&e.doc)),
        e.published.as_deref().unwrap_or("")
    )
}

pub fn entity(db: &str, args: EntityArgs) -> anyhow::Result<ExitCode> {
    let store = open(db)?;
    let e = analysis::find_entity(store.as_ref(), &args.entity, args.entity_type)?;
    let p = store.entity(
        e.id,
        Page {
            limit: args.limit,
            offset: 0,
        },
    )?;
    if args.json {
        print_json(&p)?;
        return Ok(ExitCode::SUCCESS);
    }
    let s = &p.summary;
    println!("#{} {} ({})", s.id, s.name, s.label);
    println!(
        "{} mentions in {} documents; first seen {}, last seen {}",
        s.mentions,
        s.documents,
        p.first_seen.as_deref().unwrap_or("?"),
        p.last_seen.as_deref().unwrap_or("?")
    );
    if !p.aliases.is_empty() {
        let names: Vec<String> = p
            .aliases
            .iter()
            .map(|a| format!("{} ({})", a.text, a.count))
            .collect();
        println!("names: {}", names.join(", "));
    }
    let section = |title: &str, n: usize| {
        if n > 0 {
            println!("\n{title} ({n}):");
        }
    };
    section("roles", p.roles.len());
    for r in &p.roles {
        let mut s = r.fact.title.text.clone();
        if let Some(o) = &r.fact.organisation {
            s.push_str(&format!(", {}", o.text));
        }
        if let Some(c) = &r.fact.country {
            s.push_str(&format!(", {}", c.text));
        }
        println!("  {s}  [{}]", r.published.as_deref().unwrap_or(""));
    }
    section("quotes by", p.quotes_by.len());
    for q in &p.quotes_by {
        println!(
            "  “{}” [{}]",
            truncate(&one_line(&q.fact.text), 160),
            q.published.as_deref().unwrap_or("")
        );
    }
    section("quotes about", p.quotes_about.len());
    for q in &p.quotes_about {
        let who = q
            .fact
            .speaker_entity
            .as_ref()
            .or(q.fact.speaker.as_ref())
            .map_or("?", |a| a.text.as_str());
        println!("  {who}: “{}”", truncate(&one_line(&q.fact.text), 150));
    }
    section("relations", p.relations.len());
    for r in &p.relations {
        println!(
            "  {} —{}→ {}",
            r.fact.source.text, r.fact.kind, r.fact.target.text
        );
    }
    section("events (timeline)", p.events.len());
    let mut events: Vec<_> = p.events.iter().collect();
    events.sort_by_key(|e| {
        e.fact
            .arguments
            .iter()
            .find_map(|a| a.value.clone())
            .or_else(|| e.published.clone())
    });
    for e in events {
        let when = e
            .fact
            .arguments
            .iter()
            .find_map(|a| a.value.clone())
            .or_else(|| e.published.clone())
            .unwrap_or_default();
        let sentence = e.sentence.as_ref().map_or(String::new(), |s| {
            format!(" — “{}”", truncate(&one_line(&s.text), 120))
        });
        println!(
            "  {when:<10} {} {}{sentence}",
            e.fact.kind.as_str(),
            e.fact.trigger.text
        );
    }
    section("claims", p.claims.len());
    for c in &p.claims {
        println!(
            "  {} = {}{}",
            c.fact.attribute,
            c.fact
                .qualifier
                .as_ref()
                .map_or(String::new(), |q| format!("{q} ")),
            c.fact.value
        );
    }
    section("documents", p.documents.len());
    for d in &p.documents {
        println!(
            "  {}  {}  {}",
            crate::output::short_id(&d.id),
            d.published.as_deref().unwrap_or("          "),
            d.title.as_deref().unwrap_or(&d.source)
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn neighbours(db: &str, args: NeighboursArgs) -> anyhow::Result<ExitCode> {
    let store = open(db)?;
    let e = analysis::find_entity(store.as_ref(), &args.entity, None)?;
    let list = store.neighbours(
        e.id,
        &args.edges.store_filter(args.entity_type),
        Page {
            limit: args.limit,
            offset: args.offset,
        },
    )?;
    let mut rows = Vec::with_capacity(list.len());
    for n in list {
        let ev = if args.evidence > 0 {
            store.evidence(e.id, n.entity.id, Some(&n.kind), args.evidence)?
        } else {
            Vec::new()
        };
        rows.push((n, ev));
    }
    if args.json {
        let v: Vec<serde_json::Value> = rows
            .iter()
            .map(|(n, ev)| serde_json::json!({"neighbour": n, "evidence": ev}))
            .collect();
        print_json(&serde_json::json!({"entity": e, "neighbours": v}))?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "#{} {} ({}): {} neighbour(s)",
        e.id,
        e.name,
        e.label,
        rows.len()
    );
    for (n, ev) in &rows {
        println!(
            "  {:<14} #{:<6} {} ({})  {} sentence(s) in {} doc(s)",
            n.kind, n.entity.id, n.entity.name, n.entity.label, n.sentences, n.documents
        );
        for x in ev {
            println!("{}", evidence_line(x));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn load(store: &dyn Store) -> anyhow::Result<Graph> {
    analysis::load_graph(store).context("building the evidence graph")
}

fn print_path(i: usize, p: &EvidencedPath) {
    let names: Vec<&str> = p.nodes.iter().map(|n| n.name.as_str()).collect();
    println!(
        "{}. {}  (cost {:.2}, weakest link {:.2})",
        i + 1,
        names.join(" → "),
        p.cost,
        p.min_strength
    );
    for h in &p.hops {
        let from = p.nodes.iter().find(|n| n.id == h.hop.from);
        let to = p.nodes.iter().find(|n| n.id == h.hop.to);
        println!(
            "   {} —{}→ {}",
            from.map_or("?", |n| n.name.as_str()),
            h.hop.edge.kind,
            to.map_or("?", |n| n.name.as_str())
        );
        for e in &h.evidence {
            println!("{}", evidence_line(e));
        }
    }
}

pub fn path(db: &str, args: PathArgs) -> anyhow::Result<ExitCode> {
    let store = open(db)?;
    let a = analysis::find_node(store.as_ref(), &args.source)?;
    let b = analysis::find_node(store.as_ref(), &args.target)?;
    let g = load(store.as_ref())?;
    let node = |id: i64| {
        g.index_of(id)
            .map(|v| g.node_ref(v))
            .ok_or_else(|| anyhow::anyhow!("{id} has no link in the evidence graph"))
    };
    let (a, b) = (node(a)?, node(b)?);
    let opts = PathOptions {
        filter: args.edges.graph_filter(&g),
        ..Default::default()
    };
    let found = analysis::paths(store.as_ref(), &g, a.id, b.id, args.k, &opts, args.evidence)?;
    if args.json {
        print_json(&serde_json::json!({"from": a, "to": b, "paths": found}))?;
        return Ok(ExitCode::SUCCESS);
    }
    if found.is_empty() {
        println!("{} and {} are not connected.", a.name, b.name);
        return Ok(ExitCode::from(1));
    }
    for (i, p) in found.iter().enumerate() {
        print_path(i, p);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn connect(db: &str, args: ConnectArgs) -> anyhow::Result<ExitCode> {
    let store = open(db)?;
    let mut ids = args
        .entities
        .iter()
        .map(|n| analysis::find_node(store.as_ref(), n))
        .collect::<Result<Vec<_>, _>>()?;
    if !args.events_of_type.is_empty() {
        let sel = analysis::EventSelection {
            filter: dossier_store::EventFilter {
                types: args.events_of_type.clone(),
                page: Page {
                    limit: dossier::graph::CONNECT_MAX_MEMBERS,
                    offset: 0,
                },
                ..Default::default()
            },
            places: args.places.clone(),
        };
        for e in analysis::select_events(store.as_ref(), &sel)? {
            ids.push(analysis::event_node_id(e.id));
        }
    } else if !args.places.is_empty() {
        anyhow::bail!("--place selects events: give --events-of-type too");
    }
    ids.dedup();
    if ids.len() < 2 {
        anyhow::bail!("connect needs two or more members (entities or events)");
    }
    let g = load(store.as_ref())?;
    let members: Vec<dossier::graph::NodeRef> = ids
        .iter()
        .map(|&id| {
            g.index_of(id)
                .map(|v| g.node_ref(v))
                .ok_or_else(|| anyhow::anyhow!("{id} has no link in the evidence graph"))
        })
        .collect::<anyhow::Result<_>>()?;
    let opts = ConnectOptions {
        filter: args.edges.graph_filter(&g),
        // With a type filter, rank more candidates so enough of that type remain.
        max_shared: if args.entity_type.is_some() {
            args.limit.saturating_mul(20)
        } else {
            args.limit
        },
        ..Default::default()
    };
    let mut answer = analysis::connect(
        store.as_ref(),
        &g,
        &ids,
        &opts,
        opts.max_shared,
        args.evidence,
    )?;
    if let Some(l) = args.entity_type {
        answer
            .connection
            .shared
            .retain(|s| s.node.label == l.as_str());
    }
    answer.connection.shared.truncate(args.limit);
    if args.json {
        print_json(&serde_json::json!({"members": members, "answer": answer}))?;
        return Ok(ExitCode::SUCCESS);
    }
    let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
    println!("What connects {}:", names.join(", "));
    if answer.connection.shared.is_empty() {
        println!("  no shared neighbour");
    }
    for (i, s) in answer.connection.shared.iter().enumerate() {
        println!(
            "{:>3}. {} ({}), linked to {} of {} (score {:.2})",
            i + 1,
            s.node.name,
            s.node.label,
            s.members.len(),
            members.len(),
            s.score
        );
        for link in &s.links {
            if let Some(via) = &link.via {
                println!("      (via {})", via.name);
            }
            for e in &link.edges {
                if let Some(ev) = answer
                    .evidence
                    .iter()
                    .find(|x| x.src == e.src && x.dst == e.dst && x.kind == e.kind)
                {
                    for x in &ev.evidence {
                        println!("{}", evidence_line(x));
                    }
                }
            }
        }
    }
    if !answer.connection.unreachable.is_empty() {
        println!(
            "not connected to the others: {:?}",
            answer.connection.unreachable
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn centrality(db: &str, args: CentralityArgs) -> anyhow::Result<ExitCode> {
    let store = open(db)?;
    let g = load(store.as_ref())?;
    let view = centrality::SimpleView::new(&g, &args.edges.graph_filter(&g));
    let scores: Vec<f64> = match args.measure {
        Measure::Degree => centrality::degree_centrality(&view),
        Measure::Betweenness => {
            // Exact up to a few thousand nodes; sampled (with its error stated) beyond.
            let pivots = (g.node_count() > 5_000).then_some(1_000);
            centrality::betweenness(&view, pivots, 7).normalized
        }
        Measure::Pagerank => centrality::pagerank(&view, 0.85, 1e-9, 200).scores,
    };
    let want = args.entity_type.map(|l| l.as_str().to_string());
    let ranked: Vec<_> = centrality::top_k(&scores, g.node_count())
        .into_iter()
        .filter(|(v, _)| want.as_deref().is_none_or(|l| g.label(*v) == l))
        .take(args.limit)
        .map(|(v, s)| (g.node_ref(v), s))
        .collect();
    if args.json {
        let v: Vec<_> = ranked
            .iter()
            .map(|(n, s)| serde_json::json!({"entity": n, "score": s}))
            .collect();
        print_json(&v)?;
        return Ok(ExitCode::SUCCESS);
    }
    for (i, (n, s)) in ranked.iter().enumerate() {
        println!(
            "{:>3}. {:<10.6} #{:<6} {} ({})",
            i + 1,
            s,
            n.id,
            n.name,
            n.label
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn communities(db: &str, args: CommunitiesArgs) -> anyhow::Result<ExitCode> {
    let store = open(db)?;
    let g = load(store.as_ref())?;
    let view = centrality::SimpleView::new(&g, &args.edges.graph_filter(&g));
    let c = community::louvain(&view, 1.0, 7);
    let rank = centrality::pagerank(&view, 0.85, 1e-9, 200).scores;
    let list = community::summarize(&g, &c, &rank, args.top, args.limit);
    if args.json {
        print_json(
            &serde_json::json!({"count": c.count, "modularity": c.modularity, "communities": list}),
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("{} communities, modularity {:.3}", c.count, c.modularity);
    for s in &list {
        println!("  {:>4} members  {}", s.size, s.label);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn export(db: &str, args: ExportArgs) -> anyhow::Result<ExitCode> {
    let store = open(db)?;
    let g = load(store.as_ref())?;
    let filter = args.edges.graph_filter(&g);
    let sub = match &args.ego {
        Some(name) => {
            let id = analysis::find_node(store.as_ref(), name)?;
            g.ego(id, args.radius, &filter, args.max_nodes)?
        }
        None => {
            let nodes: Vec<u32> = (0..g.node_count())
                .filter_map(|v| u32::try_from(v).ok())
                .take(args.max_nodes.max(1))
                .collect();
            g.induced(&nodes, &filter)
        }
    };
    let view = centrality::SimpleView::new(&g, &filter);
    let sub = sub.with_attr(
        "pagerank",
        &centrality::pagerank(&view, 0.85, 1e-9, 200).scores,
    );
    let mut out: Box<dyn Write> = match &args.output {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("cannot write {}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    match args.format {
        Format::Graphml => export::to_graphml(&g, &sub, &mut out)?,
        Format::Gexf => export::to_gexf(&g, &sub, &mut out)?,
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &export::to_json(&g, &sub))?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
