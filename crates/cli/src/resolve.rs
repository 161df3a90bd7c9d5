//! `dossier resolve`: the resolution contract (JSON Lines in, JSON Lines out); the
//! work is in `dossier_resolve::contract`.

use dossier::resolve::contract::StreamResolver;
use dossier_nlp::Pipeline;
use std::io::{BufRead, BufWriter, Write};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Do not run dossier's extraction: given mentions are labelled from their form and
    /// the gazetteer only, and documents without mentions get none (faster).
    #[arg(long)]
    no_extract: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let pipeline = if args.no_extract {
        None
    } else {
        Some(Pipeline::load_default()?)
    };
    let mut stream = StreamResolver::new(pipeline.as_ref());
    let stdin = std::io::stdin().lock();
    let mut out = BufWriter::new(std::io::stdout().lock());
    for line in stdin.split(b'\n') {
        let line = line?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let reply = stream.process_line(&line);
        serde_json::to_writer(&mut out, &reply)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
