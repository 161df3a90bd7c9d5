//! A pool of store handles for concurrent requests.
//!
//! A [`Store`] is `Send` but not `Sync`: one handle serves one query at a time.
//! Instead of one handle behind a mutex (every request in single file), the pool
//! keeps up to `size` handles, each opened with the same opener (SQLite: one
//! connection per handle, readers run in parallel under WAL; PostgreSQL: one
//! connection each). Queries run on tokio's blocking threads, a semaphore caps
//! them at `size`, and the mutex guards only the push/pop of idle handles.

use crate::error::ApiError;
use dossier_store::{Store, StoreError};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::Semaphore;

/// Opens one store handle.
pub type Opener = Arc<dyn Fn() -> Result<Box<dyn Store>, StoreError> + Send + Sync>;

pub struct StorePool {
    open: Opener,
    idle: Mutex<Vec<Box<dyn Store>>>,
    permits: Arc<Semaphore>,
    size: usize,
}

impl StorePool {
    /// A pool of at most `size` (at least 1) handles, opened on demand.
    pub fn new(open: Opener, size: usize) -> StorePool {
        let size = size.max(1);
        StorePool {
            open,
            idle: Mutex::new(Vec::with_capacity(size)),
            permits: Arc::new(Semaphore::new(size)),
            size,
        }
    }

    pub fn size(&self) -> usize {
        self.size
    }

    /// Opens one handle now and keeps it, so a bad `--db` fails at start-up
    /// rather than on the first request.
    pub fn warm_up(&self) -> Result<(), StoreError> {
        let store = (self.open)()?;
        self.put_back(store);
        Ok(())
    }

    fn take(&self) -> Option<Box<dyn Store>> {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
    }

    fn put_back(&self, store: Box<dyn Store>) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < self.size {
            idle.push(store);
        }
    }

    /// Runs `f` with a handle on a blocking thread. Waits for a free handle when
    /// all `size` are busy (callers bound the wait with the request timeout).
    pub async fn run<T, F>(self: &Arc<Self>, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Store) -> Result<T, StoreError> + Send + 'static,
    {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| ApiError::internal("the store pool is shut down"))?;
        let pool = Arc::clone(self);
        let joined = tokio::task::spawn_blocking(move || {
            // Held until the handle is back in the pool, so at most `size` exist.
            let _permit = permit;
            let store = match pool.take() {
                Some(s) => s,
                None => (pool.open)()?,
            };
            let out = f(&*store);
            // A backend error may mean a broken connection: drop that handle
            // and let the next request open a fresh one.
            if !matches!(out, Err(StoreError::Backend(_))) {
                pool.put_back(store);
            }
            out
        })
        .await;
        match joined {
            Ok(result) => result.map_err(ApiError::from),
            Err(e) => {
                eprintln!("dossier serve: a store query failed: {e}");
                Err(ApiError::internal(
                    "the knowledge base could not answer; see the server log",
                ))
            }
        }
    }
}
