//! `dossier`: the command-line tool. Each sub-command lives in its own module;
//! this file holds the argument grammar and turns errors into one-line messages.

mod bench;
mod demo;
mod extract;
mod ingest;
mod model;
mod output;
mod query;
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
    /// Run the extractor on JSON Lines from stdin (the extraction contract).
    ///
    /// Input lines: {"id": "...", "text": "...", "published": "2017-10-25"}.
    /// Output: one line per input line, in order, {"id", "entities": [{"start", "end",
    /// "label", "text", "confidence"}]} with code point offsets. A malformed line gives
    /// {"id": ..., "error": "..."} and processing goes on.
    Extract(extract::Args),
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
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(args) => demo::run(&cli.db, args),
        Command::Ingest(args) => ingest::run(&cli.db, args),
        Command::Search(args) => query::search(&cli.db, args),
        Command::Docs(args) => query::docs(&cli.db, args),
        Command::Show(args) => query::show(&cli.db, args),
        Command::Entities(args) => query::entities(&cli.db, args),
        Command::Stats(args) => query::stats(&cli.db, args),
        Command::Extract(args) => extract::run(args),
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
