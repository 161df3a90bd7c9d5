//! `dossier ingest`: the ingest pipeline with a progress display and a summary.

use crate::output::human_bytes;
use anyhow::Context;
use dossier::{IngestOptions, IngestReport, Input, ProgressEvent, ProgressSink};
use dossier_ingest::{IngestConfig, PdfMode};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct Args {
    /// Files or folders to ingest; `-` reads one document (or JSON Lines) from stdin.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<String>,
    /// Worker threads for parsing and extraction (default: one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    json: bool,
}

pub fn run(db: &str, args: Args) -> anyhow::Result<ExitCode> {
    let inputs = args
        .paths
        .iter()
        .map(|p| {
            if p == "-" {
                Input::Stdin
            } else {
                Input::Path(PathBuf::from(p))
            }
        })
        .collect();
    let opts = IngestOptions {
        threads: args.threads,
        ..options()
    };
    let progress = Progress::new();
    let report = run_inputs(db, inputs, &opts, &progress)?;
    progress.finish();
    print_summary(&report, args.json)?;
    Ok(if report.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Ingest options for the binary: PDFs are parsed by this executable in a child
/// process (`dossier internal-pdf-text FILE`), so a crash in the PDF library
/// costs one file, not the run.
pub fn options() -> IngestOptions {
    let pdf = match std::env::current_exe() {
        Ok(program) => PdfMode::Subprocess {
            program,
            args: vec!["internal-pdf-text".into()],
        },
        Err(_) => PdfMode::InProcess,
    };
    IngestOptions {
        config: IngestConfig {
            pdf,
            ..IngestConfig::default()
        },
        ..IngestOptions::default()
    }
}

pub fn run_inputs(
    db: &str,
    inputs: Vec<Input>,
    opts: &IngestOptions,
    progress: &dyn ProgressSink,
) -> anyhow::Result<IngestReport> {
    let pipeline = dossier::nlp::Pipeline::load_default().context("loading the NLP models")?;
    let open = || dossier::open_store(db, true);
    Ok(dossier::ingest(&open, &pipeline, inputs, opts, progress)?)
}

pub fn print_summary(report: &IngestReport, json: bool) -> anyhow::Result<()> {
    if json {
        let errors: Vec<_> = report
            .errors
            .iter()
            .map(|e| serde_json::json!({"source": e.source_name, "error": e.cause}))
            .collect();
        return crate::output::print_json(&serde_json::json!({
            "files": report.files,
            "bytes": report.bytes,
            "inserted": report.inserted,
            "already_present": report.skipped,
            "near_duplicates": report.near_duplicates,
            "errors": errors,
            "seconds": report.elapsed.as_secs_f64(),
        }));
    }
    let secs = report.elapsed.as_secs_f64().max(1e-9);
    eprintln!(
        "ingested {} new document(s) from {} file(s) ({}) in {:.1}s — {:.0} docs/s; {} already present, {} near-duplicate(s) linked",
        report.inserted,
        report.files,
        human_bytes(report.bytes),
        secs,
        report.inserted as f64 / secs,
        report.skipped,
        report.near_duplicates
    );
    if !report.errors.is_empty() {
        eprintln!(
            "{} file(s) or record(s) could not be ingested:",
            report.errors.len()
        );
        for e in &report.errors {
            eprintln!("  {}: {}", e.source_name, e.cause);
        }
    }
    Ok(())
}

/// A progress bar on a terminal; a plain line every few seconds otherwise.
pub struct Progress {
    bar: Option<ProgressBar>,
    files: AtomicU64,
    bytes: AtomicU64,
    docs: AtomicU64,
    errors: AtomicU64,
    started: Instant,
    last_line: Mutex<Instant>,
}

impl Progress {
    pub fn new() -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr_with_hz(8));
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:30} {pos}/{len} files  {msg}  [{elapsed_precise}]",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        });
        Progress {
            bar,
            files: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            docs: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            started: Instant::now(),
            last_line: Mutex::new(Instant::now()),
        }
    }

    fn status(&self) -> String {
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        let docs = self.docs.load(Ordering::Relaxed);
        let bytes = self.bytes.load(Ordering::Relaxed);
        format!(
            "{docs} docs stored, {:.0} docs/s, {}/s, {} errors",
            docs as f64 / secs,
            human_bytes((bytes as f64 / secs) as u64),
            self.errors.load(Ordering::Relaxed)
        )
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl ProgressSink for Progress {
    fn event(&self, event: ProgressEvent) {
        match event {
            ProgressEvent::Discovered { files } => {
                if let Some(bar) = &self.bar {
                    bar.set_length(files as u64);
                }
            }
            ProgressEvent::FileDone { bytes } => {
                self.files.fetch_add(1, Ordering::Relaxed);
                self.bytes.fetch_add(bytes, Ordering::Relaxed);
                if let Some(bar) = &self.bar {
                    bar.inc(1);
                }
            }
            ProgressEvent::Committed { inserted, .. } => {
                self.docs.fetch_add(inserted as u64, Ordering::Relaxed);
            }
            ProgressEvent::Failed(e) => {
                self.errors.fetch_add(1, Ordering::Relaxed);
                if let Some(bar) = &self.bar {
                    bar.println(format!("error: {}: {}", e.source_name, e.cause));
                }
            }
        }
        if let Some(bar) = &self.bar {
            bar.set_message(self.status());
        } else if let Ok(mut last) = self.last_line.lock() {
            if last.elapsed() >= Duration::from_secs(2) {
                *last = Instant::now();
                eprintln!(
                    "ingest: {} files read, {}",
                    self.files.load(Ordering::Relaxed),
                    self.status()
                );
            }
        }
    }
}
