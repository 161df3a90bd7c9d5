//! Builds `models/clusters.bin` from `word<TAB>coarse<TAB>mid<TAB>fine` lines on stdin
//! (the output of `models/tools/derive_clusters.py`).
//!
//! usage: cargo run --release -p dossier-nlp --example build_clusters -- OUT.bin < clusters.tsv

use std::io::{BufRead, Write};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .ok_or("usage: build_clusters OUT.bin < clusters.tsv")?;
    let mut entries = Vec::new();
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 4 {
            continue;
        }
        let ids = [
            f[1].parse::<u16>()?,
            f[2].parse::<u16>()?,
            f[3].parse::<u16>()?,
        ];
        entries.push((f[0].to_string(), ids));
    }
    let bytes = dossier_nlp::clusters::Clusters::build(&entries);
    std::fs::File::create(&out)?.write_all(&bytes)?;
    eprintln!("{} words, {} bytes -> {out}", entries.len(), bytes.len());
    Ok(())
}
