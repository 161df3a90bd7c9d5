//! Analyst curation: identity decisions (merge, split, rename, not-same) that
//! the store records and replays after every re-ingest, and the claims list.

use crate::output::{one_line, print_json, truncate};
use crate::query::open;
use anyhow::{bail, Context};
use dossier::analysis;
use dossier_core::{CharSpan, DocId};
use dossier_store::{ClaimFilter, Decision, Page, StoredDecision};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct MergeArgs {
    /// The entity that stays (id or name).
    keep: String,
    /// The entity merged into it (id or name): its mentions, names and links move.
    merged: String,
}

#[derive(clap::Args)]
pub struct SplitArgs {
    /// The entity some mentions are wrongly attached to (id or name).
    entity: String,
    /// A mention to move out, as DOC_ID:START-END (code points, as `dossier show` prints them);
    /// repeatable.
    #[arg(long = "mention", required = true, value_name = "DOC:START-END", value_parser = parse_mention)]
    mentions: Vec<(String, CharSpan)>,
    /// Name of the new entity the mentions form.
    #[arg(long)]
    name: String,
}

#[derive(clap::Args)]
pub struct RenameArgs {
    /// The entity (id or name).
    entity: String,
    /// Its new display name.
    name: String,
}

#[derive(clap::Args)]
pub struct NotSameArgs {
    /// One entity (id or name).
    a: String,
    /// Another entity (id or name) that must never be merged with the first.
    b: String,
}

#[derive(clap::Args)]
pub struct ListArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
pub struct ClaimsArgs {
    /// Only claims about this entity (id or name).
    #[arg(long)]
    subject: Option<String>,
    /// Only claims with this attribute ("foreign fighters").
    #[arg(long)]
    attribute: Option<String>,
    /// Show only contradictions: claims about the same subject and attribute from
    /// different documents whose values disagree beyond their qualifiers.
    #[arg(long)]
    conflicts: bool,
    #[arg(long, default_value_t = 50)]
    limit: usize,
    #[arg(long, default_value_t = 0)]
    offset: usize,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

fn parse_mention(s: &str) -> Result<(String, CharSpan), String> {
    let bad = || format!("{s:?}: expected DOC_ID:START-END, e.g. 3fa2…:120-134");
    let (doc, span) = s.rsplit_once(':').ok_or_else(bad)?;
    let (a, b) = span.split_once('-').ok_or_else(bad)?;
    let (a, b): (usize, usize) = (
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    );
    if a >= b {
        return Err(format!("{s:?}: the span must end after it starts"));
    }
    Ok((doc.trim().to_string(), CharSpan::new(a, b)))
}

fn record(db: &str, decision: Decision) -> anyhow::Result<ExitCode> {
    let mut store = open(db)?;
    let d = store.add_decision(&decision)?;
    println!("decision {} recorded: {}", d.id, describe(&d));
    Ok(ExitCode::SUCCESS)
}

fn describe(d: &StoredDecision) -> String {
    let what = match &d.decision {
        Decision::Merge { from, into } => format!("merge #{from} into #{into}"),
        Decision::Split {
            entity,
            mentions,
            name,
        } => format!(
            "split {} mention(s) of #{entity} into {name:?}",
            mentions.len()
        ),
        Decision::Rename { entity, name } => format!("rename #{entity} to {name:?}"),
        Decision::NotSame { a, b } => format!("#{a} and #{b} are different"),
    };
    if d.note.is_empty() {
        what
    } else {
        format!("{what} ({})", d.note)
    }
}

fn id_of(db: &str, name: &str) -> anyhow::Result<i64> {
    let store = open(db)?;
    Ok(analysis::find_entity(store.as_ref(), name, None)?.id)
}

pub fn merge(db: &str, args: MergeArgs) -> anyhow::Result<ExitCode> {
    let into = id_of(db, &args.keep)?;
    let from = id_of(db, &args.merged)?;
    if into == from {
        bail!(
            "{:?} and {:?} are already the same entity (#{into})",
            args.keep,
            args.merged
        );
    }
    record(db, Decision::Merge { from, into })
}

pub fn split(db: &str, args: SplitArgs) -> anyhow::Result<ExitCode> {
    let entity = id_of(db, &args.entity)?;
    // Document ids may be given as the prefixes `dossier docs` prints.
    let store = open(db)?;
    let mut mentions: Vec<(DocId, CharSpan)> = Vec::with_capacity(args.mentions.len());
    for (doc, span) in args.mentions {
        let id = store
            .document(&doc)
            .with_context(|| format!("--mention {doc}:{}-{}", span.start, span.end))?
            .document
            .id;
        mentions.push((id, span));
    }
    drop(store);
    record(
        db,
        Decision::Split {
            entity,
            mentions,
            name: args.name,
        },
    )
}

pub fn rename(db: &str, args: RenameArgs) -> anyhow::Result<ExitCode> {
    let entity = id_of(db, &args.entity)?;
    if args.name.trim().is_empty() {
        bail!("the new name is empty");
    }
    record(
        db,
        Decision::Rename {
            entity,
            name: args.name.trim().to_string(),
        },
    )
}

pub fn not_same(db: &str, args: NotSameArgs) -> anyhow::Result<ExitCode> {
    let a = id_of(db, &args.a)?;
    let b = id_of(db, &args.b)?;
    if a == b {
        bail!(
            "{:?} and {:?} are one entity (#{a}); split it first (`dossier split`)",
            args.a,
            args.b
        );
    }
    record(db, Decision::NotSame { a, b })
}

pub fn decisions(db: &str, args: ListArgs) -> anyhow::Result<ExitCode> {
    let store = open(db)?;
    let list = store.decisions()?;
    if args.json {
        print_json(&list)?;
        return Ok(ExitCode::SUCCESS);
    }
    if list.is_empty() {
        println!("no decisions recorded");
    }
    for d in &list {
        println!("{:>4}  {}", d.id, describe(d));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn claims(db: &str, args: ClaimsArgs) -> anyhow::Result<ExitCode> {
    let store = open(db)?;
    let subject = match &args.subject {
        Some(s) => Some(
            analysis::find_entity(store.as_ref(), s, None)
                .with_context(|| format!("--subject {s:?}"))?
                .id,
        ),
        None => None,
    };
    let filter = ClaimFilter {
        subject,
        attribute: args.attribute.clone(),
        doc: None,
        page: Page {
            limit: args.limit,
            offset: args.offset,
        },
    };
    if args.conflicts {
        let found = analysis::claim_conflicts(store.as_ref(), &filter)?;
        let disputes = analysis::claim_disputes(&found);
        if args.json {
            print_json(&serde_json::json!({ "disputes": disputes, "conflicts": found }))?;
            return Ok(ExitCode::SUCCESS);
        }
        if disputes.is_empty() {
            println!("no conflicting claims");
        }
        for d in &disputes {
            println!(
                "{} — {} ({} claims, {} conflicting pairs)",
                d.subject_name,
                d.attribute,
                d.claims.len(),
                d.pairs.len()
            );
            for (k, x) in d.claims.iter().enumerate() {
                let against: Vec<String> = d
                    .pairs
                    .iter()
                    .filter_map(|&(a, b)| match (a == k, b == k) {
                        (true, _) => Some(b + 1),
                        (_, true) => Some(a + 1),
                        _ => None,
                    })
                    .map(|n| n.to_string())
                    .collect();
                dispute_line(k + 1, x, &against);
            }
            println!();
        }
        return Ok(ExitCode::SUCCESS);
    }
    let list = store.claims(&filter)?;
    if args.json {
        print_json(&list)?;
        return Ok(ExitCode::SUCCESS);
    }
    for c in &list {
        claim_line(c);
    }
    Ok(ExitCode::SUCCESS)
}

/// One side of a dispute: value with qualifier, source, document, sentence.
fn dispute_line(n: usize, x: &analysis::DisputedClaim, against: &[String]) {
    let c = &x.claim;
    let f = &c.fact;
    println!(
        "  [{n}] {}{}{} — {}  (conflicts with {})",
        f.qualifier
            .as_ref()
            .map_or(String::new(), |q| format!("{q} ")),
        f.value,
        f.unit.as_ref().map_or(String::new(), |u| format!(" {u}")),
        x.source,
        against.join(", ")
    );
    println!(
        "      {} {} [{}]  subject as written: {:?}, attribute: {}",
        c.title
            .clone()
            .unwrap_or_else(|| crate::output::short_id(&c.doc)),
        c.published.as_deref().unwrap_or(""),
        crate::output::short_id(&c.doc),
        f.subject.as_ref().map_or("", |s| s.text.as_str()),
        f.attribute
    );
    if let Some(s) = &c.sentence {
        println!("      “{}”", truncate(&one_line(&s.text), 240));
    }
}

fn claim_line(c: &dossier_store::StoredClaim) {
    {
        let f = &c.fact;
        println!(
            "{}: {} = {}{}{}  — {} {}",
            f.subject.as_ref().map_or("?", |s| s.text.as_str()),
            f.attribute,
            f.qualifier
                .as_ref()
                .map_or(String::new(), |q| format!("{q} ")),
            f.value,
            f.source
                .as_ref()
                .map_or(String::new(), |s| format!(" (according to {})", s.text)),
            c.title
                .clone()
                .unwrap_or_else(|| crate::output::short_id(&c.doc)),
            c.published.as_deref().unwrap_or("")
        );
        if let Some(s) = &c.sentence {
            println!("    “{}”", truncate(&one_line(&s.text), 200));
        }
    }
}
