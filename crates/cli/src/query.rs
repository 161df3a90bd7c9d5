//! Read commands: search, docs, show, entities, stats.

use crate::output::{one_line, print_json, truncate};
use anyhow::{bail, Context};
use dossier_core::{EntityLabel, Query, SearchFilters, SearchRequest};
use dossier_store::{Page, Store};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct JsonArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
pub struct PageArgs {
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

impl PageArgs {
    fn page(&self) -> Page {
        Page {
            limit: self.limit,
            offset: self.offset,
        }
    }
}

#[derive(clap::Args)]
pub struct SearchArgs {
    /// The query, e.g. `"islamic state" raqqa OR mosul -drill`.
    #[arg(required = true, num_args = 1.., value_name = "QUERY")]
    query: Vec<String>,
    /// Only documents whose source (path, URL or outlet) contains this text.
    #[arg(long)]
    source: Option<String>,
    /// Only documents published on or after this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    from: Option<String>,
    /// Only documents published on or before this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    to: Option<String>,
    /// Only documents that mention this entity (name, case-insensitive).
    #[arg(long, value_name = "NAME")]
    entity: Option<String>,
    /// Only documents that mention an entity of this type (Person, Organisation, Location, ...).
    #[arg(long = "type", value_name = "TYPE", value_parser = parse_label)]
    entity_type: Option<EntityLabel>,
    #[command(flatten)]
    page: PageArgs,
}

#[derive(clap::Args)]
pub struct ShowArgs {
    /// Document id, or a unique prefix of it (at least 4 characters).
    id: String,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
pub struct EntitiesArgs {
    /// Only entities of this type (Person, Organisation, Location, ...).
    #[arg(long = "type", value_name = "TYPE", value_parser = parse_label)]
    entity_type: Option<EntityLabel>,
    #[command(flatten)]
    page: PageArgs,
}

pub(crate) fn parse_date(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    let month: u32 = s.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(0);
    let day: u32 = s.get(8..10).and_then(|d| d.parse().ok()).unwrap_or(0);
    if ok && (1..=12).contains(&month) && (1..=31).contains(&day) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "{s:?} is not a date: use YYYY-MM-DD, e.g. 2025-03-01"
        ))
    }
}

pub(crate) fn parse_label(s: &str) -> Result<EntityLabel, String> {
    s.parse::<EntityLabel>().map(|l| l.to_re3d()).map_err(|e| {
        let all: Vec<&str> = EntityLabel::RE3D.iter().map(|l| l.as_str()).collect();
        format!("{e}; use one of {}", all.join(", "))
    })
}

pub(crate) fn open(db: &str) -> anyhow::Result<Box<dyn Store>> {
    Ok(dossier::open_store(db, false)?)
}

pub fn search(db: &str, args: SearchArgs) -> anyhow::Result<ExitCode> {
    let text = args.query.join(" ");
    let query = Query::parse(&text).map_err(|e| anyhow::anyhow!("bad query {text:?}: {e}"))?;
    if let (Some(f), Some(t)) = (&args.from, &args.to) {
        if f > t {
            bail!("--from {f} is after --to {t}");
        }
    }
    let store = open(db)?;
    let req = SearchRequest {
        query,
        filters: SearchFilters {
            source: args.source,
            from: args.from,
            to: args.to,
            entity: args.entity,
            entity_type: args.entity_type,
        },
        limit: args.page.limit,
        offset: args.page.offset,
    };
    let results = store.search(&req)?;
    if args.page.json {
        print_json(&results)?;
        return Ok(ExitCode::SUCCESS);
    }
    if results.hits.is_empty() {
        println!("no documents match {text:?}");
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} document(s) match; showing {}–{}",
        results.total,
        args.page.offset + 1,
        args.page.offset + results.hits.len()
    );
    for hit in &results.hits {
        let title = hit.title.as_deref().unwrap_or("(untitled)");
        let date = hit
            .published
            .as_deref()
            .map(|d| d.get(..10).unwrap_or(d))
            .unwrap_or("");
        println!(
            "\n{}  {:.2}  {}  {}",
            &hit.id.0[..12.min(hit.id.0.len())],
            hit.score,
            date,
            truncate(title, 70)
        );
        println!("  {}", hit.source);
        println!(
            "  {}",
            one_line(&mark_highlights(&hit.snippet, &hit.highlights))
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Wraps highlighted ranges of `snippet` in [brackets] (bold on a terminal would
/// not survive pipes; brackets do).
fn mark_highlights(snippet: &str, highlights: &[dossier_core::CharSpan]) -> String {
    let mut out = String::with_capacity(snippet.len() + highlights.len() * 2);
    let mut hl = highlights.iter().peekable();
    let mut open_end: Option<usize> = None;
    for (i, c) in snippet.chars().enumerate() {
        if open_end == Some(i) {
            out.push(']');
            open_end = None;
        }
        if open_end.is_none() {
            if let Some(h) = hl.peek() {
                if h.start == i {
                    out.push('[');
                    open_end = Some(h.end);
                    hl.next();
                }
            }
        }
        out.push(c);
    }
    if open_end.is_some() {
        out.push(']');
    }
    out
}

pub fn docs(db: &str, args: PageArgs) -> anyhow::Result<ExitCode> {
    let store = open(db)?;
    let docs = store.documents(args.page())?;
    if args.json {
        print_json(&docs)?;
        return Ok(ExitCode::SUCCESS);
    }
    if docs.is_empty() {
        println!("no documents (yet): add some with `dossier ingest PATH`");
    }
    for d in docs {
        let date = d
            .published
            .as_deref()
            .map(|p| p.get(..10).unwrap_or(p))
            .unwrap_or("----------");
        let title = d.title.clone().unwrap_or_else(|| d.source.clone());
        let mut flags = String::new();
        if d.parent.is_some() {
            flags.push_str(" [attachment]");
        }
        if let Some(dup) = &d.near_duplicate_of {
            flags.push_str(&format!(
                " [near-duplicate of {}]",
                &dup.0[..12.min(dup.0.len())]
            ));
        }
        println!(
            "{}  {}  {:<5} {:>4} mentions  {}{}",
            &d.id.0[..12.min(d.id.0.len())],
            date,
            d.format,
            d.mentions,
            truncate(&one_line(&title), 60),
            flags
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn show(db: &str, args: ShowArgs) -> anyhow::Result<ExitCode> {
    let store = open(db)?;
    let doc = store.document(&args.id)?;
    if args.json {
        let mut v = serde_json::to_value(&doc)?;
        if let Some(o) = v.as_object_mut() {
            o.insert(
                "facts".into(),
                serde_json::to_value(store.facts(&doc.document.id.to_string())?)?,
            );
        }
        print_json(&v)?;
        return Ok(ExitCode::SUCCESS);
    }
    let d = &doc.document;
    println!("id:        {}", d.id);
    println!("source:    {}", d.source);
    println!("format:    {}", d.format.as_str());
    for (k, v) in [
        ("title", &d.title),
        ("author", &d.author),
        ("outlet", &d.outlet),
        ("url", &d.url),
        ("published", &d.published),
        ("language", &d.language),
    ] {
        if let Some(v) = v {
            println!("{:<10} {}", format!("{k}:"), v);
        }
    }
    if let Some(p) = &d.parent {
        println!("parent:    {p}");
    }
    for c in &doc.children {
        println!("attachment: {c}");
    }
    for (other, sim) in &doc.near_duplicates {
        println!("near-duplicate: {other} (similarity {sim:.2})");
    }
    for (k, v) in &d.metadata {
        println!("meta {k}: {}", truncate(&one_line(v), 100));
    }
    println!();
    let mentions: Vec<_> = doc.mentions.iter().map(|m| &m.mention).collect();
    println!("{}", mark_entities(&d.text, &mentions));
    println!();
    if !doc.mentions.is_empty() {
        println!("{} entity mention(s):", doc.mentions.len());
        for m in &doc.mentions {
            let e = &m.mention;
            let canon = if m.canonical != e.text {
                format!(" → {}", m.canonical)
            } else {
                String::new()
            };
            println!(
                "  {:>6}–{:<6} {:<18} {}{}  ({:.2}, {})",
                e.start,
                e.end,
                e.label.as_str(),
                e.text,
                canon,
                e.confidence,
                e.extractor
            );
        }
    }
    let facts = store.facts(&doc.document.id.to_string())?;
    let rendered = crate::facts_view::render(&facts);
    if !rendered.is_empty() {
        println!();
        print!("{rendered}");
    }
    Ok(ExitCode::SUCCESS)
}

/// The text with each mention written as `[text]{Label}`.
fn mark_entities(text: &str, mentions: &[&dossier_core::EntityMention]) -> String {
    let mut sorted: Vec<_> = mentions.to_vec();
    sorted.sort_by_key(|m| (m.start, std::cmp::Reverse(m.end)));
    let mut out = String::with_capacity(text.len() + mentions.len() * 16);
    let mut next = sorted.iter().peekable();
    let mut close: Option<(usize, &str)> = None;
    for (pos, c) in text.chars().enumerate() {
        if let Some((end, label)) = close {
            if end == pos {
                out.push_str("]{");
                out.push_str(label);
                out.push('}');
                close = None;
            }
        }
        while next.peek().is_some_and(|m| m.start < pos) {
            next.next(); // overlapping mention: skip rather than garble the text
        }
        if close.is_none() {
            if let Some(m) = next.peek() {
                if m.start == pos && m.end > m.start {
                    out.push('[');
                    close = Some((m.end, m.label.as_str()));
                    next.next();
                }
            }
        }
        out.push(c);
    }
    if let Some((_, label)) = close {
        out.push_str("]{");
        out.push_str(label);
        out.push('}');
    }
    out
}

pub fn entities(db: &str, args: EntitiesArgs) -> anyhow::Result<ExitCode> {
    let store = open(db)?;
    let list = store.entities(args.entity_type, args.page.page())?;
    if args.page.json {
        print_json(&list)?;
        return Ok(ExitCode::SUCCESS);
    }
    if list.is_empty() {
        println!("no entities found");
    }
    for e in list {
        println!(
            "{:>6} mentions {:>5} docs  {:<18} {}",
            e.mentions,
            e.documents,
            e.label.as_str(),
            e.name
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn stats(db: &str, args: JsonArgs) -> anyhow::Result<ExitCode> {
    let store = open(db)?;
    let s = store.stats().context("reading statistics")?;
    if args.json {
        print_json(&s)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("knowledge base: {db} (schema version {})", s.schema_version);
    println!("documents:      {}", s.documents);
    println!("characters:     {}", s.characters);
    println!("mentions:       {}", s.mentions);
    println!("entities:       {}", s.entities);
    println!("near-duplicate links: {}", s.near_duplicate_links);
    let list = |name: &str, v: &[(String, usize)]| {
        if !v.is_empty() {
            let parts: Vec<String> = v.iter().map(|(k, n)| format!("{k} {n}")).collect();
            println!("{name:<15} {}", parts.join(", "));
        }
    };
    list("by format:", &s.by_format);
    list("by language:", &s.by_language);
    list("by type:", &s.by_label);
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use dossier_core::{CharSpan, EntityMention};

    #[test]
    fn highlights_are_bracketed_on_char_offsets() {
        let s = "the “Daesh” cell in Raqqa";
        let h = [CharSpan::new(5, 10), CharSpan::new(20, 25)];
        assert_eq!(mark_highlights(s, &h), "the “[Daesh]” cell in [Raqqa]");
    }

    #[test]
    fn entities_are_marked_with_labels() {
        let m = |start, end, label| EntityMention {
            start,
            end,
            label,
            text: String::new(),
            confidence: 1.0,
            kind: None,
            normalized: None,
            extractor: "t".into(),
        };
        let a = m(0, 11, EntityLabel::Person);
        let b = m(15, 23, EntityLabel::Location);
        assert_eq!(
            mark_entities("Dick Schoof in Den Haag", &[&a, &b]),
            "[Dick Schoof]{Person} in [Den Haag]{Location}"
        );
    }

    #[test]
    fn dates_are_checked() {
        assert!(parse_date("2025-03-01").is_ok());
        assert!(parse_date("2025-13-01").is_err());
        assert!(parse_date("March 2025").is_err());
    }
}
