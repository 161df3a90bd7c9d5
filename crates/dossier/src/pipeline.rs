//! The ingest job: files → documents → extraction → resolution → store.
//!
//! Shape: `threads` workers parse files and run the NLP stage in parallel; the
//! calling thread owns the store and is the only writer. Workers ask the writer
//! which documents are new before spending NLP on them, so re-ingesting a corpus
//! costs little more than hashing it. Channels are bounded, so memory is bounded
//! by the batch and the number of workers, never by the corpus.
//!
//! Crash safety comes from the store: each batch is one transaction, and
//! documents already stored are skipped, so re-running an interrupted ingest
//! completes it without duplicates.

use crossbeam_channel::{bounded, Receiver, RecvTimeoutError, Sender};
use dossier_core::{DocId, Document, Schema};
use dossier_ingest::{IngestConfig, IngestError, Parsed};
use dossier_nlp::{DocContext, Pipeline};
use dossier_store::{AnalysedDocument, ResolvedMention, Store, StoreError};
use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// One thing to ingest.
#[derive(Debug, Clone)]
pub enum Input {
    /// A file or a folder (walked recursively).
    Path(PathBuf),
    /// Standard input, read to the end.
    Stdin,
    /// Bytes already in memory, with the name to record as their source.
    Bytes { name: String, bytes: Vec<u8> },
}

#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Parse/NLP worker threads (0 = one per core).
    pub threads: usize,
    /// Documents per write transaction.
    pub batch_size: usize,
    pub config: IngestConfig,
    /// Estimated Jaccard similarity of word shingles above which two documents are
    /// linked as near-duplicates.
    pub near_duplicate_threshold: f32,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            threads: 0,
            batch_size: 128,
            config: IngestConfig::default(),
            near_duplicate_threshold: 0.5,
        }
    }
}

/// What happened, for progress display.
#[derive(Debug, Clone)]
pub enum ProgressEvent {
    /// Inputs expanded: this many files to read.
    Discovered {
        files: usize,
    },
    /// One file read and parsed (successfully or not).
    FileDone {
        bytes: u64,
    },
    /// A batch committed.
    Committed {
        inserted: usize,
        skipped: usize,
    },
    Failed(IngestError),
}

pub trait ProgressSink: Sync {
    fn event(&self, event: ProgressEvent);
}

/// Ignores progress.
pub struct NoProgress;
impl ProgressSink for NoProgress {
    fn event(&self, _: ProgressEvent) {}
}

#[derive(Debug, Clone, Default)]
pub struct IngestReport {
    pub files: usize,
    pub bytes: u64,
    /// Documents stored by this run.
    pub inserted: usize,
    /// Documents that were already in the knowledge base.
    pub skipped: usize,
    pub near_duplicates: usize,
    /// One entry per file (or record) that could not be ingested.
    pub errors: Vec<IngestError>,
    pub elapsed: Duration,
}

/// New documents in one run above which the store is optimised at the end.
const OPTIMIZE_AFTER: usize = 1000;

enum ToWriter {
    /// Which of these ids are new? Reply with one bool each.
    Check {
        ids: Vec<DocId>,
        reply: Sender<Vec<bool>>,
    },
    Write(Box<AnalysedDocument>),
    FileDone {
        bytes: u64,
    },
    Failed(IngestError),
}

/// Runs the ingest job to completion. Per-file problems are collected in the
/// report; only a store failure (disk full, database locked for too long) ends
/// the job early with an error — what was committed before stays committed.
pub fn ingest(
    store: &mut dyn Store,
    pipeline: &Pipeline,
    inputs: Vec<Input>,
    opts: &IngestOptions,
    progress: &dyn ProgressSink,
) -> Result<IngestReport, StoreError> {
    let started = Instant::now();
    let mut report = IngestReport::default();

    let mut work: Vec<Input> = Vec::new();
    let mut paths = Vec::new();
    for input in inputs {
        match input {
            Input::Path(p) => paths.push(p),
            other => work.push(other),
        }
    }
    let (files, errors) = dossier_ingest::discover(&paths);
    for e in errors {
        progress.event(ProgressEvent::Failed(e.clone()));
        report.errors.push(e);
    }
    work.extend(files.into_iter().map(Input::Path));
    report.files = work.len();
    progress.event(ProgressEvent::Discovered { files: work.len() });

    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        opts.threads
    };
    let (work_tx, work_rx) = bounded::<Input>(threads * 2);
    let (to_writer, writer_rx) = bounded::<ToWriter>(opts.batch_size.max(16) * 2);

    std::thread::scope(|scope| {
        for _ in 0..threads {
            let work_rx = work_rx.clone();
            let to_writer = to_writer.clone();
            let config = &opts.config;
            scope.spawn(move || worker(work_rx, to_writer, pipeline, config));
        }
        drop(to_writer);
        drop(work_rx);
        // Feed the workers from a thread of its own so the writer never blocks on them.
        scope.spawn(move || {
            for item in work {
                if work_tx.send(item).is_err() {
                    break; // writer gave up: stop feeding
                }
            }
        });
        writer(store, writer_rx, opts, progress, &mut report)
    })?;
    // Large loads leave the full-text index in many small segments; merging them
    // once here is cheaper than slower searches forever after.
    if report.inserted >= OPTIMIZE_AFTER {
        store.optimize()?;
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

fn worker(
    work: Receiver<Input>,
    to_writer: Sender<ToWriter>,
    pipeline: &Pipeline,
    config: &IngestConfig,
) {
    for input in work {
        let (parsed, bytes) = read_input(input, config);
        for e in parsed.errors {
            if to_writer.send(ToWriter::Failed(e)).is_err() {
                return;
            }
        }
        let ids: Vec<DocId> = parsed.documents.iter().map(|d| d.id.clone()).collect();
        let (reply_tx, reply_rx) = bounded(1);
        if to_writer
            .send(ToWriter::Check {
                ids,
                reply: reply_tx,
            })
            .is_err()
        {
            return;
        }
        let Ok(is_new) = reply_rx.recv() else { return };
        for (doc, new) in parsed.documents.into_iter().zip(is_new) {
            if !new {
                continue;
            }
            let msg = match analyse(doc, pipeline) {
                Ok(a) => ToWriter::Write(Box::new(a)),
                Err(e) => ToWriter::Failed(e),
            };
            if to_writer.send(msg).is_err() {
                return;
            }
        }
        if to_writer.send(ToWriter::FileDone { bytes }).is_err() {
            return;
        }
    }
}

fn read_input(input: Input, config: &IngestConfig) -> (Parsed, u64) {
    match input {
        Input::Path(p) => {
            let bytes = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0);
            (dossier_ingest::parse_file(&p, config), bytes)
        }
        Input::Stdin => {
            use std::io::Read;
            let mut buf = Vec::new();
            let limit = config.limits.max_file_bytes;
            let read = std::io::stdin()
                .lock()
                .take(limit + 1)
                .read_to_end(&mut buf);
            match read {
                Err(e) => (
                    Parsed {
                        documents: vec![],
                        errors: vec![IngestError::new("stdin", e.to_string())],
                    },
                    0,
                ),
                Ok(n) if n as u64 > limit => (
                    Parsed {
                        documents: vec![],
                        errors: vec![IngestError::new(
                            "stdin",
                            format!("input larger than the {limit}-byte limit"),
                        )],
                    },
                    n as u64,
                ),
                Ok(n) => (dossier_ingest::parse_bytes("stdin", &buf, config), n as u64),
            }
        }
        Input::Bytes { name, bytes } => {
            let n = bytes.len() as u64;
            (dossier_ingest::parse_bytes(&name, &bytes, config), n)
        }
    }
}

/// NLP + in-document resolution for one new document. A panic in an extractor
/// is a bug, but it must cost one document, not the batch.
fn analyse(doc: Document, pipeline: &Pipeline) -> Result<AnalysedDocument, IngestError> {
    let source = doc.source.clone();
    catch_unwind(AssertUnwindSafe(move || {
        let ctx = DocContext {
            published: doc.published_date(),
        };
        let extraction = pipeline.extract(&doc.text, &ctx, Schema::Re3d);
        let canonical = dossier_resolve::canonical_names(&extraction.entities);
        // Mentions that name no entity (unresolved pronouns, generic nouns) stay in
        // `dossier extract` output but not in the knowledge base's entity index.
        let mentions = extraction
            .entities
            .into_iter()
            .zip(canonical)
            .filter_map(|(mention, canonical)| {
                canonical.map(|canonical| ResolvedMention { mention, canonical })
            })
            .collect();
        let minhash = dossier_ingest::minhash(&doc.text);
        AnalysedDocument {
            document: doc,
            mentions,
            sentences: extraction.sentences,
            minhash,
            near_duplicate_of: None,
            extractor: pipeline.version().to_string(),
        }
    }))
    .map_err(|_| {
        IngestError::new(
            source,
            "internal error in the extractor (please report this file)",
        )
    })
}

fn writer(
    store: &mut dyn Store,
    rx: Receiver<ToWriter>,
    opts: &IngestOptions,
    progress: &dyn ProgressSink,
    report: &mut IngestReport,
) -> Result<(), StoreError> {
    let mut pending: Vec<AnalysedDocument> = Vec::with_capacity(opts.batch_size);
    // Ids approved for NLP but not yet committed: guards against the same content
    // arriving twice in one run (two copies of a file, a repeated JSONL record).
    let mut in_flight: HashSet<DocId> = HashSet::new();
    let flush_every = Duration::from_millis(500);
    let mut last_flush = Instant::now();
    loop {
        let msg = match rx.recv_timeout(flush_every) {
            Ok(m) => Some(m),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        match msg {
            Some(ToWriter::Check { ids, reply }) => {
                let stored: HashSet<DocId> = store.existing(&ids)?.into_iter().collect();
                let answer = ids
                    .into_iter()
                    .map(|id| {
                        if stored.contains(&id) || in_flight.contains(&id) {
                            report.skipped += 1;
                            false
                        } else {
                            in_flight.insert(id);
                            true
                        }
                    })
                    .collect();
                let _ = reply.send(answer);
            }
            Some(ToWriter::Write(doc)) => {
                let mut doc = *doc;
                doc.near_duplicate_of =
                    find_near_duplicate(store, &doc, &pending, opts.near_duplicate_threshold)?;
                if doc.near_duplicate_of.is_some() {
                    report.near_duplicates += 1;
                }
                pending.push(doc);
            }
            Some(ToWriter::FileDone { bytes }) => {
                report.bytes += bytes;
                progress.event(ProgressEvent::FileDone { bytes });
            }
            Some(ToWriter::Failed(e)) => {
                progress.event(ProgressEvent::Failed(e.clone()));
                report.errors.push(e);
            }
            None => {}
        }
        if pending.len() >= opts.batch_size
            || (!pending.is_empty() && last_flush.elapsed() >= flush_every)
        {
            flush(store, &mut pending, &mut in_flight, progress, report)?;
            last_flush = Instant::now();
        }
    }
    flush(store, &mut pending, &mut in_flight, progress, report)
}

fn flush(
    store: &mut dyn Store,
    pending: &mut Vec<AnalysedDocument>,
    in_flight: &mut HashSet<DocId>,
    progress: &dyn ProgressSink,
    report: &mut IngestReport,
) -> Result<(), StoreError> {
    if pending.is_empty() {
        return Ok(());
    }
    let outcome = store.put_batch(pending)?;
    for d in pending.drain(..) {
        in_flight.remove(&d.document.id);
    }
    report.inserted += outcome.inserted;
    report.skipped += outcome.skipped;
    progress.event(ProgressEvent::Committed {
        inserted: outcome.inserted,
        skipped: outcome.skipped,
    });
    Ok(())
}

/// The most similar earlier document (stored, or pending in this batch) above
/// the threshold. Attachments are not compared with their own parent.
fn find_near_duplicate(
    store: &dyn Store,
    doc: &AnalysedDocument,
    pending: &[AnalysedDocument],
    threshold: f32,
) -> Result<Option<(DocId, f32)>, StoreError> {
    if doc.minhash.is_empty() {
        return Ok(None);
    }
    let mut best: Option<(DocId, f32)> = None;
    let mut consider = |id: &DocId, sig: &[u32]| {
        if *id == doc.document.id || Some(id) == doc.document.parent.as_ref() {
            return;
        }
        let sim = dossier_ingest::jaccard_estimate(&doc.minhash, sig);
        if sim >= threshold && best.as_ref().is_none_or(|(_, s)| sim > *s) {
            best = Some((id.clone(), sim));
        }
    };
    for c in store.dup_candidates(&doc.minhash)? {
        consider(&c.id, &c.minhash);
    }
    for p in pending {
        consider(&p.document.id, &p.minhash);
    }
    Ok(best)
}
