//! `dossier`: the command-line tool. Each sub-command lives in its own module;
//! this file holds the argument grammar and turns errors into one-line messages.

mod bench;
mod curate;
mod demo;
mod events;
mod extract;
mod facts_view;
mod graph;
mod ingest;
mod model;
mod output;
mod query;
mod resolve;
mod serve;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// dossier turns a pile of reports into a sourced knowledge base — entities,
/// mentions and documents, searchable, with the source span for every fact.
///
/// Start with `dossier demo` to build a knowledge base from the bundled sample
/// corpus, or `dossier ingest FOLDER` on your own files.
#[derive(Parser)]
#[command(name = "dossier", version, about, long_about, max_term_width = 100)]
struct Cli {
    /// Knowledge base: a SQLite file (created by `ingest`/`demo` if missing) or a
    /// postgres://user@host/dbname URL (an existing database).
    #[arg(
        long,
        global = true,
        env = "DOSSIER_DB",
        default_value = "dossier.db",
        value_name = "PATH"
    )]
    db: String,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build a knowledge base from the bundled sample corpus and show what it found.
    Demo(demo::Args),
    /// Add files, folders (recursively) or standard input (`-`) to the knowledge base.
    ///
    /// Formats: .txt .md .html/.htm .pdf .docx .eml .mbox .json .jsonl. Files already
    /// ingested (same content) are skipped; near-duplicates are linked. Exits with
    /// status 1 if any file could not be ingested (the others are kept).
    Ingest(ingest::Args),
    /// Full-text search with BM25 ranking and highlighted snippets.
    ///
    /// Query syntax: words (all must match), "exact phrase", OR, NOT or -word,
    /// prefix*, and (parentheses). Example: "northern crescent" (van OR truck) -drill
    Search(query::SearchArgs),
    /// List documents, newest publication date first.
    Docs(query::PageArgs),
    /// Show one document (by id or id prefix) with its entities marked.
    Show(query::ShowArgs),
    /// List the most-mentioned entities.
    Entities(query::EntitiesArgs),
    /// Counts of documents, mentions, entities, formats and languages.
    Stats(query::JsonArgs),
    /// An entity's profile: names, roles, quotes by and about it, relations, events
    /// (as a timeline), claims and documents.
    Entity(graph::EntityArgs),
    /// Events resolved across documents (one node per real-world event), most
    /// reported first, filtered by type, date, place or participant.
    Events(events::EventsArgs),
    /// One event: type, date, place, participants with their roles, and every
    /// report joined into it with the reason and the sentence.
    Event(events::EventArgs),
    /// The entities linked to one entity, strongest evidence first, with the sentences.
    Neighbours(graph::NeighboursArgs),
    /// The best paths between two entities (k-shortest by evidence), a sentence per hop.
    Path(graph::PathArgs),
    /// What connects two or more entities or events: shared neighbours ranked by how
    /// specific the link is (hubs rank low), with evidence. Example: what connects
    /// the attacks in four cities? `dossier connect --events-of-type attack --place
    /// Malmö --place Rotterdam --place Lyon --place Graz --type Person`
    Connect(graph::ConnectArgs),
    /// Who sits in the middle: PageRank, betweenness or degree over the evidence graph.
    Centrality(graph::CentralityArgs),
    /// Communities of the evidence graph (Louvain), each labelled by its top members.
    Communities(graph::CommunitiesArgs),
    /// Export the evidence graph (or an entity's ego network) as GraphML, GEXF or JSON.
    Export(graph::ExportArgs),
    /// Numeric claims ("approximately 300 foreign fighters"), with subject, source and sentence.
    Claims(curate::ClaimsArgs),
    /// Record that two entities are the same: the second is merged into the first.
    /// Decisions are kept and replayed after every re-ingest.
    Merge(curate::MergeArgs),
    /// Move mentions wrongly attached to an entity out into a new entity.
    Split(curate::SplitArgs),
    /// Give an entity a new display name.
    Rename(curate::RenameArgs),
    /// Record that two entities are different and must never be merged.
    #[command(name = "not-same")]
    NotSame(curate::NotSameArgs),
    /// List the analyst decisions (merge, split, rename, not-same) in the order made.
    Decisions(curate::ListArgs),
    /// Run the extractor on JSON Lines from stdin (the extraction contract).
    ///
    /// Input lines: {"id": "...", "text": "...", "published": "2017-10-25"}.
    /// Output: one line per input line, in order, {"id", "entities": [{"start", "end",
    /// "label", "text", "confidence"}]} with code point offsets. A malformed line gives
    /// {"id": ..., "error": "..."} and processing goes on.
    Extract(extract::Args),
    /// Resolve mentions to entities across a JSON Lines stream (the resolution contract).
    Resolve(resolve::Args),
    /// Train the entity tagger (CoNLL and/or re3d models) from annotated data.
    ///
    /// Rebuilds the shipped models from ../shared/data, or trains on any CoNLL
    /// 4-column or JSONL corpus with --train-file. Deterministic given --seed.
    Train(model::TrainArgs),
    /// Score the entity tagger against gold JSON Lines (exact span and label, micro F1, per label).
    ///
    /// Prints the same figures as ../shared/eval/score_ner.py.
    Eval(model::EvalArgs),
    /// Measure ingest throughput and search latency on synthetic documents.
    Bench(bench::Args),
    /// Serve the knowledge base as an HTTP JSON API (OpenAPI document at /openapi.json).
    Serve(serve::Args),
    /// Internal: extract a PDF's text layer in an isolated child process.
    #[command(hide = true, name = "internal-pdf-text")]
    InternalPdfText { file: PathBuf },
}

fn main() -> ExitCode {
    // `dossier ... | head` must end quietly when the reader goes away, as other
    // Unix tools do, instead of panicking on a failed print.
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(args) => demo::run(&cli.db, args),
        Command::Ingest(args) => ingest::run(&cli.db, args),
        Command::Search(args) => query::search(&cli.db, args),
        Command::Docs(args) => query::docs(&cli.db, args),
        Command::Show(args) => query::show(&cli.db, args),
        Command::Entities(args) => query::entities(&cli.db, args),
        Command::Stats(args) => query::stats(&cli.db, args),
        Command::Entity(args) => graph::entity(&cli.db, args),
        Command::Events(args) => events::events(&cli.db, args),
        Command::Event(args) => events::event(&cli.db, args),
        Command::Neighbours(args) => graph::neighbours(&cli.db, args),
        Command::Path(args) => graph::path(&cli.db, args),
        Command::Connect(args) => graph::connect(&cli.db, args),
        Command::Centrality(args) => graph::centrality(&cli.db, args),
        Command::Communities(args) => graph::communities(&cli.db, args),
        Command::Export(args) => graph::export(&cli.db, args),
        Command::Claims(args) => curate::claims(&cli.db, args),
        Command::Merge(args) => curate::merge(&cli.db, args),
        Command::Split(args) => curate::split(&cli.db, args),
        Command::Rename(args) => curate::rename(&cli.db, args),
        Command::NotSame(args) => curate::not_same(&cli.db, args),
        Command::Decisions(args) => curate::decisions(&cli.db, args),
        Command::Extract(args) => extract::run(args),
        Command::Resolve(args) => resolve::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Train(args) => model::train(args),
        Command::Eval(args) => model::eval(args),
        Command::Serve(args) => serve::run(&cli.db, args),
        Command::InternalPdfText { file } => {
            return ExitCode::from(dossier_ingest::pdf_text_child_main(&file).clamp(0, 255) as u8)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            // One line, the whole cause chain, no backtrace.
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    /// clap checks every command's definition (unique names, valid defaults) here
    /// rather than at run time in a user's hands.
    #[test]
    fn command_line_definition_is_valid() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
