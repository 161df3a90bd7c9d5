//! SQLite backend.

use crate::*;

pub struct SqliteStore {
    conn: rusqlite::Connection,
}

impl SqliteStore {
    pub fn open(path: &std::path::Path) -> Result<SqliteStore> {
        let conn = rusqlite::Connection::open(path)
            .map_err(|e| StoreError::Open { path: path.display().to_string(), message: e.to_string() })?;
        Ok(SqliteStore { conn })
    }
}
