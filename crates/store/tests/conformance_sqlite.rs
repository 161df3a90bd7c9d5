//! The backend-agnostic Store contract, on SQLite.

use dossier_store::{SqliteStore, Store};

dossier_store::conformance_suite!(sqlite, {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(&dir.path().join("kb.sqlite")).expect("open store");
    (dir, Box::new(store) as Box<dyn Store>)
});
