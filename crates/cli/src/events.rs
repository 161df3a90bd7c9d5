//! Event nodes: `dossier events` lists them, `dossier event ID` shows one with
//! its participants (by role) and the reports joined into it, each with why.

use crate::graph::evidence_line;
use crate::output::{one_line, print_json, short_id, truncate};
use crate::query::{open, parse_date};
use dossier::analysis;
use dossier_store::{EventFilter, EventNode, Page, Store};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct EventsArgs {
    /// Only events of this type (repeatable): attack (with bombings, shootings
    /// and killings), bombing, shooting, killing, kidnapping, arrest, meeting,
    /// travel, capture, liberation.
    #[arg(long = "type", value_name = "TYPE")]
    types: Vec<String>,
    /// Only events dated on or after this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    from: Option<String>,
    /// Only events dated on or before this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    to: Option<String>,
    /// Only events at this place (name or id; repeatable: any of them).
    #[arg(long, value_name = "PLACE")]
    place: Vec<String>,
    /// Only events this entity takes part in (name or id).
    #[arg(long, value_name = "ENTITY")]
    participant: Option<String>,
    /// How many to show.
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// How many to skip (for paging).
    #[arg(long, default_value_t = 0)]
    offset: usize,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
pub struct EventArgs {
    /// Event id (`12` or `event:12`, as `dossier events` lists them).
    event: String,
    /// How many reports (mentions) to list.
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// How many reports to skip (for paging).
    #[arg(long, default_value_t = 0)]
    offset: usize,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

fn place_ids(store: &dyn Store, places: &[String]) -> anyhow::Result<Vec<i64>> {
    let mut ids = Vec::new();
    for p in places {
        if let Ok(id) = p.trim().trim_start_matches('#').parse::<i64>() {
            ids.push(id);
            continue;
        }
        let found = store.find_entities(p, None)?;
        if found.is_empty() {
            anyhow::bail!("no place named {p:?} (try `dossier entities --type Location`)");
        }
        ids.extend(found.into_iter().map(|e| e.id));
    }
    Ok(ids)
}

pub(crate) fn node_line(e: &EventNode) -> String {
    let seen = match (&e.first_seen, &e.last_seen) {
        (Some(f), Some(l)) if f != l => format!(", reported {f} – {l}"),
        (Some(f), _) => format!(", reported {f}"),
        _ => String::new(),
    };
    format!(
        "event:{:<5} {}  ({} mention(s) in {} document(s){seen})",
        e.id, e.name, e.mentions, e.documents
    )
}

pub fn events(db: &str, args: EventsArgs) -> anyhow::Result<ExitCode> {
    let store = open(db)?;
    let participant = match &args.participant {
        Some(p) => Some(analysis::find_entity(store.as_ref(), p, None)?.id),
        None => None,
    };
    let filter = EventFilter {
        types: args.types.clone(),
        from: args.from.clone(),
        to: args.to.clone(),
        places: place_ids(store.as_ref(), &args.place)?,
        participant,
        page: Page {
            limit: args.limit,
            offset: args.offset,
        },
    };
    let list = store.events(&filter)?;
    if args.json {
        print_json(&list)?;
        return Ok(ExitCode::SUCCESS);
    }
    if list.is_empty() {
        println!("no events");
    }
    for e in &list {
        println!("{}", node_line(e));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn event(db: &str, args: EventArgs) -> anyhow::Result<ExitCode> {
    let store = open(db)?;
    let arg = args.event.trim();
    let id: i64 = arg
        .strip_prefix("event:")
        .unwrap_or(arg)
        .trim()
        .parse()
        .map_err(|_| anyhow::anyhow!("{arg:?} is not an event id (`12` or `event:12`)"))?;
    let p = store.event(
        id,
        Page {
            limit: args.limit,
            offset: args.offset,
        },
    )?;
    if args.json {
        print_json(&p)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("{}", node_line(&p.node));
    println!(
        "  type {}  date {}  countries {}",
        p.node.kind,
        p.node.date.as_deref().unwrap_or("unknown"),
        if p.node.countries.is_empty() {
            "unknown".to_string()
        } else {
            p.node.countries.join(", ")
        }
    );
    println!("\nParticipants:");
    for x in &p.participants {
        println!(
            "  {:<12} #{:<6} {} ({})  {} sentence(s) in {} doc(s)",
            x.role, x.entity.id, x.entity.name, x.entity.label, x.sentences, x.documents
        );
    }
    println!("\nReports (newest first):");
    for m in &p.mentions {
        println!(
            "  {} {}  “{}” — {}",
            m.published.as_deref().unwrap_or("undated"),
            m.title.clone().unwrap_or_else(|| short_id(&m.doc)),
            m.event.trigger.text,
            m.reason
        );
        if let Some(s) = &m.sentence {
            println!("      “{}”", truncate(&one_line(&s.text), 200));
        }
    }
    // The strongest participant's evidence, as a sample of what backs the edges.
    if let Some(x) = p.participants.first() {
        let ev = store.event_evidence(x.entity.id, id, Some(&x.role), 1)?;
        if let Some(e) = ev.first() {
            println!("\nEvidence for {} as {}:", x.entity.name, x.role);
            println!("{}", evidence_line(e));
        }
    }
    Ok(ExitCode::SUCCESS)
}
