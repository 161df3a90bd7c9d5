//! The ingest job: files → documents → extraction → resolution → store.
//!
//! Shape: `threads` workers parse files and run the NLP stage in parallel, each
//! with its own read handle on the store; the calling thread holds the only write
//! handle. Workers check which documents are already stored (and look up
//! near-duplicate candidates) themselves, so the writer never answers questions
//! while it commits, and re-ingesting a corpus costs little more than hashing it.
//! A shared set of "claimed" ids keeps two workers from analysing the same
//! content twice in one run. Channels are bounded, so memory is bounded by the
//! batch and the number of workers, never by the corpus.
//!
//! Crash safety comes from the store: each batch is one transaction, and
//! documents already stored are skipped, so re-running an interrupted ingest
//! completes it without duplicates.

use crossbeam_channel::{bounded, Receiver, RecvTimeoutError, Sender};
use dossier_core::{DocId, Document};
use dossier_ingest::{IngestConfig, IngestError, Parsed};
use dossier_nlp::{DocContext, Pipeline};
use dossier_store::{AnalysedDocument, ResolvedMention, Store, StoreError};
use std::collections::{HashSet, VecDeque};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::Mutex;
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
    Write(Box<AnalysedDocument>),
    /// Documents of a file that were already stored or claimed.
    Skipped(usize),
    FileDone {
        bytes: u64,
    },
    Failed(IngestError),
    /// A worker's store handle failed: the job stops.
    Fatal(StoreError),
}

/// Opens a handle on the knowledge base; called once for the writer and once
/// per worker.
pub type OpenStore<'a> = dyn Fn() -> Result<Box<dyn Store>, StoreError> + Sync + 'a;

/// Runs the ingest job to completion. Per-file problems are collected in the
/// report; only a store failure (disk full, database locked for too long) ends
/// the job early with an error — what was committed before stays committed.
pub fn ingest(
    open: &OpenStore<'_>,
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
    // The writer's handle first: it creates or migrates the schema.
    let mut store = open()?;
    let readers = (0..threads)
        .map(|_| open())
        .collect::<Result<Vec<_>, _>>()?;
    let claimed: Mutex<HashSet<DocId>> = Mutex::new(HashSet::new());
    let (work_tx, work_rx) = bounded::<Input>(threads * 2);
    let (to_writer, writer_rx) = bounded::<ToWriter>(opts.batch_size.max(16) * 2);

    std::thread::scope(|scope| {
        for reader in readers {
            let work_rx = work_rx.clone();
            let to_writer = to_writer.clone();
            let claimed = &claimed;
            scope.spawn(move || {
                let w = Worker {
                    reader,
                    to_writer,
                    pipeline,
                    opts,
                    claimed,
                };
                w.run(work_rx)
            });
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
        writer(
            store.as_mut(),
            writer_rx,
            opts,
            progress,
            &mut report,
            &claimed,
        )
    })?;
    // Large loads leave the full-text index in many small segments; merging them
    // once here is cheaper than slower searches forever after.
    if report.inserted >= OPTIMIZE_AFTER {
        store.optimize()?;
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

struct Worker<'a> {
    reader: Box<dyn Store>,
    to_writer: Sender<ToWriter>,
    pipeline: &'a Pipeline,
    opts: &'a IngestOptions,
    claimed: &'a Mutex<HashSet<DocId>>,
}

impl Worker<'_> {
    fn run(&self, work: Receiver<Input>) {
        for input in work {
            if self.file(input).is_err() {
                return; // the writer is gone
            }
        }
    }

    fn send(&self, msg: ToWriter) -> Result<(), ()> {
        self.to_writer.send(msg).map_err(|_| ())
    }

    fn file(&self, input: Input) -> Result<(), ()> {
        let (parsed, bytes) = read_input(input, &self.opts.config);
        for e in parsed.errors {
            self.send(ToWriter::Failed(e))?;
        }
        let new = match self.claim_new(parsed.documents) {
            Ok((new, skipped)) => {
                if skipped > 0 {
                    self.send(ToWriter::Skipped(skipped))?;
                }
                new
            }
            Err(e) => return self.send(ToWriter::Fatal(e)),
        };
        for doc in new {
            let msg = match analyse(doc, self.pipeline) {
                Ok(mut a) => match self.nearest_stored(&a) {
                    Ok(dup) => {
                        a.near_duplicate_of = dup;
                        ToWriter::Write(Box::new(a))
                    }
                    Err(e) => ToWriter::Fatal(e),
                },
                Err(e) => ToWriter::Failed(e),
            };
            self.send(msg)?;
        }
        self.send(ToWriter::FileDone { bytes })
    }

    /// Keeps the documents that are neither stored nor being analysed by another
    /// worker, and claims them. Returns them with the number skipped.
    fn claim_new(&self, docs: Vec<Document>) -> Result<(Vec<Document>, usize), StoreError> {
        let total = docs.len();
        let mut mine: Vec<Document> = {
            let mut claimed = self.claimed.lock().unwrap_or_else(|e| e.into_inner());
            docs.into_iter()
                .filter(|d| claimed.insert(d.id.clone()))
                .collect()
        };
        let ids: Vec<DocId> = mine.iter().map(|d| d.id.clone()).collect();
        let stored: HashSet<DocId> = self.reader.existing(&ids)?.into_iter().collect();
        if !stored.is_empty() {
            let mut claimed = self.claimed.lock().unwrap_or_else(|e| e.into_inner());
            for id in &stored {
                claimed.remove(id);
            }
            mine.retain(|d| !stored.contains(&d.id));
        }
        let skipped = total - mine.len();
        Ok((mine, skipped))
    }

    /// The most similar committed document above the threshold.
    fn nearest_stored(&self, doc: &AnalysedDocument) -> Result<Option<(DocId, f32)>, StoreError> {
        if doc.minhash.is_empty() {
            return Ok(None);
        }
        let candidates = self.reader.dup_candidates(&doc.minhash)?;
        let mut best = None;
        for c in &candidates {
            consider(
                &mut best,
                doc,
                &c.id,
                &c.minhash,
                self.opts.near_duplicate_threshold,
            );
        }
        Ok(best)
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
        let extraction = pipeline.extract_knowledge(&doc.text, &ctx);
        let mut extraction = extraction;
        place_on_map(&mut extraction.entities);
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
            facts: extraction.facts,
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

/// Committed documents kept in memory for near-duplicate checks: a worker's
/// store lookup can miss a document committed just after it looked.
const RECENT_FOR_DUPLICATES: usize = 1024;

fn writer(
    store: &mut dyn Store,
    rx: Receiver<ToWriter>,
    opts: &IngestOptions,
    progress: &dyn ProgressSink,
    report: &mut IngestReport,
    claimed: &Mutex<HashSet<DocId>>,
) -> Result<(), StoreError> {
    let mut pending: Vec<AnalysedDocument> = Vec::with_capacity(opts.batch_size);
    let mut names = crate::unify::NameUnifier::load(store)?;
    let mut recent: VecDeque<(DocId, Vec<u32>)> = VecDeque::with_capacity(RECENT_FOR_DUPLICATES);
    let flush_every = Duration::from_millis(500);
    let mut last_flush = Instant::now();
    loop {
        let msg = match rx.recv_timeout(flush_every) {
            Ok(m) => Some(m),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        match msg {
            Some(ToWriter::Write(doc)) => {
                let mut doc = *doc;
                // The worker compared with what was committed when it looked;
                // documents pending or committed since are compared here.
                let mut best = doc.near_duplicate_of.take();
                let t = opts.near_duplicate_threshold;
                for p in &pending {
                    consider(&mut best, &doc, &p.document.id, &p.minhash, t);
                }
                for (id, sig) in &recent {
                    consider(&mut best, &doc, id, sig, t);
                }
                doc.near_duplicate_of = best;
                names.unify(&mut doc, &*store)?;
                if doc.near_duplicate_of.is_some() {
                    report.near_duplicates += 1;
                }
                pending.push(doc);
            }
            Some(ToWriter::Skipped(n)) => report.skipped += n,
            Some(ToWriter::FileDone { bytes }) => {
                report.bytes += bytes;
                progress.event(ProgressEvent::FileDone { bytes });
            }
            Some(ToWriter::Failed(e)) => {
                progress.event(ProgressEvent::Failed(e.clone()));
                report.errors.push(e);
            }
            Some(ToWriter::Fatal(e)) => {
                flush(
                    store,
                    &mut names,
                    &mut pending,
                    &mut recent,
                    claimed,
                    progress,
                    report,
                )?;
                return Err(e);
            }
            None => {}
        }
        if pending.len() >= opts.batch_size
            || (!pending.is_empty() && last_flush.elapsed() >= flush_every)
        {
            flush(
                store,
                &mut names,
                &mut pending,
                &mut recent,
                claimed,
                progress,
                report,
            )?;
            last_flush = Instant::now();
        }
    }
    flush(
        store,
        &mut names,
        &mut pending,
        &mut recent,
        claimed,
        progress,
        report,
    )
}

fn flush(
    store: &mut dyn Store,
    names: &mut crate::unify::NameUnifier,
    pending: &mut Vec<AnalysedDocument>,
    recent: &mut VecDeque<(DocId, Vec<u32>)>,
    claimed: &Mutex<HashSet<DocId>>,
    progress: &dyn ProgressSink,
    report: &mut IngestReport,
) -> Result<(), StoreError> {
    if pending.is_empty() {
        return Ok(());
    }
    // The resolver's index rows go first: a crash in between leaves rows naming
    // entities not stored yet, which lookups skip.
    names.persist(store)?;
    let outcome = store.put_batch(pending)?;
    // Committed: the store now answers for these ids, so they need no claim.
    let mut claims = claimed.lock().unwrap_or_else(|e| e.into_inner());
    for d in pending.drain(..) {
        claims.remove(&d.document.id);
        if recent.len() == RECENT_FOR_DUPLICATES {
            recent.pop_front();
        }
        recent.push_back((d.document.id, d.minhash));
    }
    drop(claims);
    report.inserted += outcome.inserted;
    report.skipped += outcome.skipped;
    progress.event(ProgressEvent::Committed {
        inserted: outcome.inserted,
        skipped: outcome.skipped,
    });
    Ok(())
}

/// Replaces `best` with `(id, similarity)` when `id` is a closer near-duplicate
/// of `doc` above `threshold`. A document is not compared with itself or with
/// the e-mail it is attached to.
fn consider(
    best: &mut Option<(DocId, f32)>,
    doc: &AnalysedDocument,
    id: &DocId,
    sig: &[u32],
    threshold: f32,
) {
    if *id == doc.document.id || Some(id) == doc.document.parent.as_ref() || doc.minhash.is_empty()
    {
        return;
    }
    let sim = dossier_ingest::jaccard_estimate(&doc.minhash, sig);
    if sim >= threshold && best.as_ref().is_none_or(|(_, s)| sim > *s) {
        *best = Some((id.clone(), sim));
    }
}

/// Gives every place mention its gazetteer entry: `kind` `place:CC` (ISO
/// country, or `place` for seas and continents) and `normalized` the RFC 5870
/// `geo:LAT,LON` URI, so documents and events can be put on a map. Ambiguous
/// names (Paris, Texas vs Paris, France) are decided by the document's own
/// country mix.
fn place_on_map(entities: &mut [dossier_core::EntityMention]) {
    let ctx = dossier_resolve::DocCountryContext::from_mentions(
        entities.iter().map(|m| (m.label, m.text.as_str())),
    );
    for m in entities.iter_mut() {
        if m.label != dossier_core::EntityLabel::Location || m.normalized.is_some() {
            continue;
        }
        let Some(place) = dossier_resolve::resolve_place(&m.text, &ctx) else {
            continue;
        };
        m.kind = Some(if place.country.is_empty() {
            "place".to_string()
        } else {
            format!("place:{}", place.country)
        });
        if let (Some(lat), Some(lon)) = (place.lat, place.lon) {
            m.normalized = Some(format!("geo:{lat:.4},{lon:.4}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::place_on_map;
    use dossier_core::{EntityLabel, EntityMention};

    fn m(text: &str, label: EntityLabel) -> EntityMention {
        EntityMention {
            start: 0,
            end: text.chars().count(),
            label,
            text: text.into(),
            confidence: 0.9,
            kind: None,
            normalized: None,
            extractor: "test".into(),
        }
    }

    #[test]
    fn places_get_country_and_coordinates_from_the_document_context() {
        let mut french = vec![
            m("Paris", EntityLabel::Location),
            m("French", EntityLabel::Nationality),
            m("Lyon", EntityLabel::Location),
        ];
        place_on_map(&mut french);
        assert_eq!(french[0].kind.as_deref(), Some("place:FR"));
        let geo = french[0].normalized.clone().unwrap_or_default();
        assert!(geo.starts_with("geo:48."), "{geo}");
        assert_eq!(french[1].kind, None, "only Location mentions are placed");

        let mut texan = vec![
            m("Paris", EntityLabel::Location),
            m("Texas", EntityLabel::Location),
            m("Dallas", EntityLabel::Location),
        ];
        place_on_map(&mut texan);
        // Decided by the document's country mix, whichever way the gazetteer
        // resolves small towns: never a French Paris among Texan places.
        assert_ne!(texan[0].kind.as_deref(), Some("place:FR"), "{:?}", texan[0]);
    }
}
