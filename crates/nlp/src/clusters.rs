//! Word clusters: word → cluster ids at three granularities (coarse to fine).
//!
//! Derived offline from word vectors (see MODEL.md) and stored as a [`Table`]
//! keyed by the hash of the exact word form.

use crate::table::{hash_bytes, Table};
use std::borrow::Cow;

const SEED: u64 = 0x636c_7573_7431; // "clust1"

/// The key of a word in the cluster table.
pub fn word_key(w: &str) -> u64 {
    hash_bytes(SEED, w.as_bytes())
}

#[derive(Debug, Clone)]
pub struct Clusters {
    table: Table,
}

impl Clusters {
    pub fn from_bytes(bytes: Cow<'static, [u8]>) -> Result<Clusters, String> {
        let table = Table::from_bytes(bytes)?;
        if table.ncols() != 3 {
            return Err("cluster table must have 3 columns".into());
        }
        Ok(Clusters { table })
    }

    /// Builds the on-disk form from (word, [coarse, mid, fine]) entries.
    pub fn build(entries: &[(String, [u16; 3])]) -> Vec<u8> {
        let rows: Vec<(u64, Vec<i16>)> = entries
            .iter()
            .map(|(w, ids)| (word_key(w), ids.iter().map(|&x| x as i16).collect()))
            .collect();
        Table::build(&rows, 3, 1.0)
    }

    #[inline]
    pub fn lookup(&self, w: &str) -> Option<[u16; 3]> {
        let raw = self.table.get_raw(word_key(w))?;
        let g = |k: usize| u16::from_le_bytes([raw[2 * k], raw[2 * k + 1]]);
        Some([g(0), g(1), g(2)])
    }

    pub fn byte_len(&self) -> usize {
        self.table.byte_len()
    }
}
