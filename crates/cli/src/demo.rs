//! `dossier demo`: ingest the bundled sample corpus and show what was found.

use crate::output::{one_line, truncate};
use dossier::Input;
use dossier_core::{Query, SearchFilters, SearchRequest};
use dossier_store::Page;
use rust_embed::RustEmbed;
use std::process::ExitCode;

/// The sample corpus: fictional reports, e-mails and articles about a fictional
/// network (see corpus/demo/README.md). Compiled into the binary.
#[derive(RustEmbed)]
#[folder = "../../corpus/demo/docs/"]
pub struct DemoCorpus;

/// The corpus' answer key, for the default question.
const EXPECTED: &str = include_str!("../../../corpus/demo/expected.json");

#[derive(clap::Args)]
pub struct Args {
    /// Search the demo knowledge base for this instead of the default question.
    #[arg(long, value_name = "QUERY")]
    search: Option<String>,
}

/// Every file of the corpus, in name order.
pub fn corpus_inputs() -> Vec<Input> {
    let mut names: Vec<String> = DemoCorpus::iter().map(|n| n.into_owned()).collect();
    names.sort();
    names
        .into_iter()
        .filter_map(|n| {
            DemoCorpus::get(&n).map(|f| Input::Bytes {
                name: format!("demo/{n}"),
                bytes: f.data.into_owned(),
            })
        })
        .collect()
}

/// The corpus' own first example question, from its expectations file.
fn default_query() -> String {
    serde_json::from_str::<serde_json::Value>(EXPECTED)
        .ok()
        .and_then(|v| {
            v.pointer("/searches/0/query")
                .and_then(|q| q.as_str())
                .map(String::from)
        })
        .unwrap_or_else(|| "attack".to_string())
}

pub fn run(db: &str, args: Args) -> anyhow::Result<ExitCode> {
    let inputs = corpus_inputs();
    println!(
        "dossier demo: ingesting {} sample files into {db}",
        inputs.len()
    );
    let progress = crate::ingest::Progress::new();
    let report = crate::ingest::run_inputs(db, inputs, &crate::ingest::options(), &progress)?;
    progress.finish();
    crate::ingest::print_summary(&report, false)?;

    let store = dossier::open_store(db, false)?;
    let stats = store.stats()?;
    println!(
        "\n== knowledge base: {} documents, {} entity mentions, {} distinct entities, {} near-duplicate link(s)",
        stats.documents, stats.mentions, stats.entities, stats.near_duplicate_links
    );

    println!("\n== documents");
    for d in store.documents(Page {
        limit: 100,
        offset: 0,
    })? {
        let date = d
            .published
            .as_deref()
            .and_then(|p| p.get(..10))
            .unwrap_or("----------");
        let title = d.title.clone().unwrap_or_else(|| d.source.clone());
        let dup = if d.near_duplicate_of.is_some() {
            "  [near-duplicate]"
        } else {
            ""
        };
        println!(
            "  {}  {date}  {:<5} {}{dup}",
            &d.id.0[..12],
            d.format,
            truncate(&one_line(&title), 64)
        );
    }

    println!("\n== most mentioned entities");
    for e in store.entities(
        None,
        Page {
            limit: 15,
            offset: 0,
        },
    )? {
        println!(
            "  {:>4} mentions in {:>2} docs  {:<14} {}",
            e.mentions,
            e.documents,
            e.label.as_str(),
            e.name
        );
    }

    let q = args.search.unwrap_or_else(default_query);
    println!("\n== search: {q}");
    let query = Query::parse(&q).map_err(|e| anyhow::anyhow!("bad query {q:?}: {e}"))?;
    let results = store.search(&SearchRequest {
        query,
        filters: SearchFilters::default(),
        limit: 5,
        offset: 0,
    })?;
    for hit in &results.hits {
        println!(
            "  {}  {}",
            &hit.id.0[..12],
            hit.title.as_deref().unwrap_or(&hit.source)
        );
        println!("      {}", truncate(&one_line(&hit.snippet), 160));
    }
    what_connects_the_attacks(store.as_ref())?;
    println!(
        "\nNext: `dossier search QUERY`, `dossier show ID`, `dossier entities --type Person`, \
         `dossier entity NAME`, `dossier connect A B ...`, `dossier path A B`, `dossier claims --conflicts` \
         (all with --db {db})."
    );
    Ok(if report.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The corpus' link-analysis question: which person connects the attackers of
/// its four attacks? (The attackers are named in the expectations file; the
/// answer comes from the graph, with the sentences behind each link.)
fn what_connects_the_attacks(store: &dyn dossier_store::Store) -> anyhow::Result<()> {
    let expected: serde_json::Value = serde_json::from_str(EXPECTED)?;
    let names: Vec<String> = expected["attacks"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x["perpetrators"][0].as_str())
                // "Rachid Ferhat (killed)": the name without the note.
                .map(|n| n.split(" (").next().unwrap_or(n).trim().to_string())
                .collect()
        })
        .unwrap_or_default();
    let mut members = Vec::new();
    for n in &names {
        match dossier::analysis::find_entity(store, n, None) {
            Ok(e) => members.push(e),
            Err(e) => println!("\n(skipping {n}: {e})"),
        }
    }
    if members.len() < 2 {
        return Ok(());
    }
    println!("\n== who connects the attackers ({})?", names.join(", "));
    let g = dossier::analysis::load_graph(store)?;
    let opts = dossier::graph::ConnectOptions {
        max_shared: 200,
        ..Default::default()
    };
    let ids: Vec<i64> = members.iter().map(|m| m.id).collect();
    let mut answer = dossier::analysis::connect(store, &g, &ids, &opts, 0, 0)?;
    answer
        .connection
        .shared
        .retain(|s| s.node.label == dossier_core::EntityLabel::Person.as_str());
    for s in answer.connection.shared.iter().take(3) {
        println!(
            "  {} — linked to {} of {} attackers",
            s.node.name,
            s.members.len(),
            members.len()
        );
        // One sentence per link, for the first answer only (the rest: `dossier connect`).
        if std::ptr::eq(s, &answer.connection.shared[0]) {
            for link in &s.links {
                let via = link
                    .via
                    .as_ref()
                    .map_or(String::new(), |v| format!(" via {}", v.name));
                println!("    link{via}:");
                for e in &link.edges {
                    if let Some(ev) = store.evidence(e.src, e.dst, Some(&e.kind), 1)?.first() {
                        println!("      “{}”", truncate(&one_line(&ev.sentence), 150));
                    }
                }
            }
        }
    }
    Ok(())
}
