//! The backend-agnostic Store contract on a real PostgreSQL server, plus what
//! only a shared server can show: several writers at once.

mod pg_server;

use dossier_store::{PostgresStore, Store};

dossier_store::conformance_suite!(postgres, {
    let Some(db) = pg_server::fresh_db() else {
        return;
    };
    let store = PostgresStore::connect(&db.url).expect("connect");
    (db, Box::new(store) as Box<dyn Store>)
});
