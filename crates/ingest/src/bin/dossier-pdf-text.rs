//! Stand-alone PDF text extractor: the child side of `PdfMode::Subprocess`, for
//! tests and for deployments that want the extractor as its own program.
//! `dossier` itself uses its hidden `internal-pdf-text` sub-command instead.

fn main() {
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: dossier-pdf-text FILE.pdf|-");
        std::process::exit(2);
    };
    std::process::exit(dossier_ingest::pdf_text_child_main(std::path::Path::new(
        &path,
    )));
}
