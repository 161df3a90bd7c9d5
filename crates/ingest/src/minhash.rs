//! MinHash signatures over word shingles, for near-duplicate detection.

/// Number of values in a signature (dossier-store bands them 16 × 4).
pub const MINHASH_SIZE: usize = 64;
const SHINGLE: usize = 5;

/// 64 MinHash values over word 5-shingles of the lower-cased alphanumeric words.
/// Deterministic (fixed seeds): the same text gives the same signature on every
/// machine and run. Text with no words gives all `u32::MAX`.
pub fn minhash(text: &str) -> Vec<u32> {
    let words: Vec<u64> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(hash_word)
        .collect();
    let mut sig = vec![u32::MAX; MINHASH_SIZE];
    let mut add = |shingle: u64| {
        for (i, slot) in sig.iter_mut().enumerate() {
            let h = (mix(shingle ^ SEEDS.wrapping_mul(i as u64 + 1)) >> 32) as u32;
            if h < *slot {
                *slot = h;
            }
        }
    };
    if words.len() < SHINGLE {
        if !words.is_empty() {
            add(words.iter().fold(0u64, |acc, &w| mix(acc ^ w)));
        }
    } else {
        for win in words.windows(SHINGLE) {
            add(win.iter().fold(0u64, |acc, &w| mix(acc ^ w)));
        }
    }
    sig
}

/// Estimated Jaccard similarity of the shingle sets behind two signatures: the
/// share of equal positions. Empty signatures (no words) match nothing.
pub fn jaccard_estimate(a: &[u32], b: &[u32]) -> f32 {
    let n = a.len().min(b.len());
    if n == 0 || a.iter().all(|&x| x == u32::MAX) || b.iter().all(|&x| x == u32::MAX) {
        return 0.0;
    }
    let equal = a.iter().zip(b).filter(|(x, y)| x == y).count();
    equal as f32 / n as f32
}

const SEEDS: u64 = 0x9E37_79B9_7F4A_7C15;

/// splitmix64 finaliser: cheap, well mixed, stable.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a over the lower-cased word, then mixed.
fn hash_word(w: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for c in w.chars().flat_map(char::to_lowercase) {
        let mut buf = [0u8; 4];
        for &b in c.encode_utf8(&mut buf).as_bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    mix(h)
}
