//! dossier as a library.
//!
//! ```no_run
//! use dossier::{open_store, ingest, Input, IngestOptions, NoProgress};
//! let pipeline = dossier::nlp::Pipeline::load_default().unwrap();
//! let open = || open_store("dossier.db", true);
//! let report = ingest(&open, &pipeline, vec![Input::Path("reports/".into())],
//!                     &IngestOptions::default(), &NoProgress).unwrap();
//! println!("{} new documents", report.inserted);
//! ```

pub mod analysis;
pub mod pipeline;

pub use dossier_core as core;
pub use dossier_graph as graph;
pub use dossier_ingest as ingest_formats;
pub use dossier_nlp as nlp;
pub use dossier_resolve as resolve;
pub use dossier_store as store;

pub use pipeline::{
    ingest, IngestOptions, IngestReport, Input, NoProgress, OpenStore, ProgressEvent, ProgressSink,
};

use dossier_store::{SqliteStore, Store, StoreError};
use std::path::Path;

/// Opens the knowledge base named by `db`: a SQLite file path (the default
/// backend) or a `postgres://` URL. With `create` false a missing
/// database is an error instead of a new empty file.
pub fn open_store(db: &str, create: bool) -> Result<Box<dyn Store>, StoreError> {
    if db.starts_with("postgres://") || db.starts_with("postgresql://") {
        // The database must exist; its dossier schema is created on `create`.
        let store = if create {
            dossier_store::PostgresStore::connect(db)?
        } else {
            dossier_store::PostgresStore::connect_existing(db)?
        };
        return Ok(Box::new(store));
    }
    let path = Path::new(db);
    let store = if create {
        SqliteStore::open(path)?
    } else {
        SqliteStore::open_existing(path)?
    };
    Ok(Box::new(store))
}
