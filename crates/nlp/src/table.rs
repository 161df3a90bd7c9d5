//! A compact, read-in-place hash table from 64-bit feature keys to rows of `i16`.
//!
//! Used for the tagger's weights and for the word-cluster map. The table is laid
//! out on disk exactly as it is probed, so a model embedded with `include_bytes!`
//! needs no parsing or allocation at start-up: loading is a header check.
//!
//! Layout (little-endian): `b"DTB2"`, `u32 ncols`, `u32 log2cap`, `f32 scale`,
//! then `cap` slots of `u32` fingerprint (0 = empty) followed by `ncols` × `i16`:
//! a key's fingerprint and its row share a cache line, so a probe costs one miss.

use std::borrow::Cow;

const MAGIC: &[u8; 4] = b"DTB2";
const HEADER: usize = 16;

/// A hasher for keys that already are good hashes: passes them through.
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ b as u64;
        }
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = i;
    }
}

/// `BuildHasher` for [`IdHasher`].
pub type IdBuild = std::hash::BuildHasherDefault<IdHasher>;

/// Mixes a 64-bit value (splitmix64 finaliser): good avalanche, cheap.
#[inline]
pub fn fmix(mut h: u64) -> u64 {
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// Hashes bytes with a seed; stable across platforms and releases (models depend on it).
#[inline]
pub fn hash_bytes(seed: u64, b: &[u8]) -> u64 {
    let mut h = seed ^ (b.len() as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let mut buf = [0u8; 8];
        buf.copy_from_slice(c);
        h = (h ^ u64::from_le_bytes(buf))
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(29);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut buf = [0u8; 8];
        buf[..rest.len()].copy_from_slice(rest);
        h = (h ^ u64::from_le_bytes(buf))
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(29);
    }
    fmix(h)
}

/// Combines two hashes into a new one (order matters).
#[inline]
pub fn combine(a: u64, b: u64) -> u64 {
    fmix(a.rotate_left(17) ^ b.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

#[inline]
fn slot_and_fp(key: u64, mask: usize) -> (usize, u32) {
    let k = fmix(key);
    ((k as usize) & mask, ((k >> 32) as u32) | 1)
}

/// A read-only table over bytes (embedded or loaded).
#[derive(Debug, Clone)]
pub struct Table {
    bytes: Cow<'static, [u8]>,
    ncols: usize,
    mask: usize,
    scale: f32,
    stride: usize,
}

impl Table {
    /// Checks the header and sizes; no copy for borrowed bytes.
    pub fn from_bytes(bytes: Cow<'static, [u8]>) -> Result<Table, String> {
        if bytes.len() < HEADER || &bytes[..4] != MAGIC {
            return Err("not a DTB2 table".into());
        }
        let rd =
            |o: usize| u32::from_le_bytes([bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]]);
        let ncols = rd(4) as usize;
        let log2 = rd(8);
        let scale = f32::from_bits(rd(12));
        if log2 > 30 || ncols == 0 || ncols > 4096 {
            return Err(format!("bad table header (ncols {ncols}, log2cap {log2})"));
        }
        let cap = 1usize << log2;
        let stride = 4 + ncols * 2;
        let need = HEADER + cap * stride;
        if bytes.len() != need {
            return Err(format!("table size {} != expected {need}", bytes.len()));
        }
        Ok(Table {
            ncols,
            mask: cap - 1,
            scale,
            stride,
            bytes,
        })
    }

    /// Builds a table from (key, row) pairs; rows must have `ncols` values.
    pub fn build(rows: &[(u64, Vec<i16>)], ncols: usize, scale: f32) -> Vec<u8> {
        let mut cap = 16usize;
        // Load factor <= 0.7 keeps linear probes short.
        while cap * 7 < rows.len() * 10 {
            cap *= 2;
        }
        let log2 = cap.trailing_zeros();
        let mask = cap - 1;
        let mut fps = vec![0u32; cap];
        let mut vals = vec![0i16; cap * ncols];
        for (key, row) in rows {
            let (mut s, fp) = slot_and_fp(*key, mask);
            loop {
                if fps[s] == 0 {
                    fps[s] = fp;
                    for (c, v) in row.iter().take(ncols).enumerate() {
                        vals[s * ncols + c] = *v;
                    }
                    break;
                }
                if fps[s] == fp {
                    // A duplicate key (or a 1-in-2^31 fingerprint clash): keep the first.
                    break;
                }
                s = (s + 1) & mask;
            }
        }
        let mut out = Vec::with_capacity(HEADER + cap * (4 + ncols * 2));
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(ncols as u32).to_le_bytes());
        out.extend_from_slice(&log2.to_le_bytes());
        out.extend_from_slice(&scale.to_bits().to_le_bytes());
        for (slot, f) in fps.iter().enumerate() {
            out.extend_from_slice(&f.to_le_bytes());
            for v in &vals[slot * ncols..(slot + 1) * ncols] {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        out
    }

    pub fn ncols(&self) -> usize {
        self.ncols
    }

    /// The factor that turns stored integers back into weights.
    pub fn scale(&self) -> f32 {
        self.scale
    }

    /// The raw little-endian row of `key`, if present.
    #[inline]
    pub fn get_raw(&self, key: u64) -> Option<&[u8]> {
        let (mut s, fp) = slot_and_fp(key, self.mask);
        let b = &self.bytes[HEADER..];
        loop {
            let o = s * self.stride;
            let slot = b.get(o..o + self.stride)?;
            let f = u32::from_le_bytes([slot[0], slot[1], slot[2], slot[3]]);
            if f == 0 {
                return None;
            }
            if f == fp {
                return Some(&slot[4..]);
            }
            s = (s + 1) & self.mask;
        }
    }

    /// Hints the CPU to fetch the slot of `key` (lookups are memory-bound; issuing
    /// the loads of the next keys early overlaps their cache misses).
    #[inline]
    pub fn prefetch(&self, key: u64) {
        #[cfg(target_arch = "x86_64")]
        {
            let (s, _) = slot_and_fp(key, self.mask);
            if let Some(p) = self.bytes.get(HEADER + s * self.stride) {
                // SAFETY: prefetching is a hint with no architectural effect; the
                // pointer is in bounds of the table's bytes.
                unsafe {
                    std::arch::x86_64::_mm_prefetch(
                        p as *const u8 as *const i8,
                        std::arch::x86_64::_MM_HINT_T0,
                    )
                }
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = key;
    }

    /// Adds the row of `key` (if any) into `acc`.
    #[inline]
    pub fn add_row(&self, key: u64, acc: &mut [i32]) -> bool {
        match self.get_raw(key) {
            Some(raw) => {
                for (a, c) in acc.iter_mut().zip(raw.chunks_exact(2)) {
                    *a += i16::from_le_bytes([c[0], c[1]]) as i32;
                }
                true
            }
            None => false,
        }
    }

    /// Column `c` of the row of `key`.
    pub fn get(&self, key: u64, c: usize) -> Option<i16> {
        let raw = self.get_raw(key)?;
        let o = c * 2;
        raw.get(o..o + 2).map(|x| i16::from_le_bytes([x[0], x[1]]))
    }

    /// Size in bytes.
    pub fn byte_len(&self) -> usize {
        self.bytes.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_and_probe() {
        let rows: Vec<(u64, Vec<i16>)> = (0..1000u64)
            .map(|k| (k * 7919, vec![k as i16, -(k as i16)]))
            .collect();
        let bytes = Table::build(&rows, 2, 0.5);
        let t = Table::from_bytes(Cow::Owned(bytes)).unwrap();
        for k in 0..1000u64 {
            assert_eq!(t.get(k * 7919, 0), Some(k as i16));
            assert_eq!(t.get(k * 7919, 1), Some(-(k as i16)));
        }
        assert_eq!(t.get(3, 0), None);
        assert_eq!(t.scale(), 0.5);
        let mut acc = vec![1, 1];
        assert!(t.add_row(5 * 7919, &mut acc));
        assert_eq!(acc, vec![6, -4]);
    }

    #[test]
    fn rejects_garbage() {
        assert!(Table::from_bytes(Cow::Borrowed(b"nope")).is_err());
        let mut b = Table::build(&[(1, vec![1])], 1, 1.0);
        b.pop();
        assert!(Table::from_bytes(Cow::Owned(b)).is_err());
    }
}
