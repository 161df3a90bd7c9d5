#![no_main]
//! PDF in-process (the mode behind catch_unwind). pdf-extract panics on malformed
//! input by design; those panics are caught by our wrapper and become errors, so
//! the libfuzzer abort-on-panic hook is replaced by a silent one. A panic that
//! escapes our catch_unwind still aborts (libfuzzer-sys checks), as do real
//! aborts, stack overflows and OOMs: those are the findings.

use libfuzzer_sys::fuzz_target;
use std::sync::Once;

static QUIET: Once = Once::new();

fuzz_target!(|data: &[u8]| {
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let cfg = dossier_ingest::IngestConfig::default();
    let _ = dossier_ingest::parse_bytes("doc.pdf", data, &cfg);
});
