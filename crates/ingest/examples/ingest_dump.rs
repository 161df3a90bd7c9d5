//! Discovers and parses the given paths, printing one line per document (or
//! error) and a throughput summary on stderr. For eyeballing parser output:
//! `cargo run -p dossier-ingest --example ingest_dump -- corpus/demo/docs`.

use dossier_ingest::{discover, parse_file, IngestConfig};
use std::time::Instant;

fn main() {
    let paths: Vec<std::path::PathBuf> = std::env::args_os().skip(1).map(Into::into).collect();
    let verbose = std::env::var_os("DUMP_TEXT").is_some();
    let cfg = IngestConfig::default();
    let started = Instant::now();
    let (files, errors) = discover(&paths);
    for e in &errors {
        println!("ERROR {e}");
    }
    let (mut docs, mut bytes, mut errs) = (0usize, 0usize, errors.len());
    for f in &files {
        let p = parse_file(f, &cfg);
        for d in &p.documents {
            docs += 1;
            bytes += d.text.len();
            println!(
                "{} {:?} {} chars lang={:?} title={:?} author={:?} outlet={:?} published={:?} parent={:?}",
                d.source,
                d.format,
                d.text.chars().count(),
                d.language,
                d.title,
                d.author,
                d.outlet,
                d.published,
                d.parent.as_ref().map(|p| p.as_str())
            );
            if verbose {
                println!("---\n{}\n---", d.text);
            }
        }
        for e in &p.errors {
            errs += 1;
            println!("ERROR {e}");
        }
    }
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "{} files, {docs} documents, {errs} errors, {:.1} MB text in {secs:.2}s ({:.0} docs/s)",
        files.len(),
        bytes as f64 / 1e6,
        docs as f64 / secs.max(1e-9)
    );
}
