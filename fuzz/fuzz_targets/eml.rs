#![no_main]
//! Any bytes named `mail.eml`: parse_bytes must return documents or errors, never
//! panic, hang or blow the stack.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let cfg = dossier_ingest::IngestConfig::default();
    let parsed = dossier_ingest::parse_bytes("mail.eml", data, &cfg);
    for doc in &parsed.documents {
        let _ = dossier_ingest::minhash(&doc.text);
    }
});
