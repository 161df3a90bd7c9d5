//! Language identification (whatlang), on a bounded prefix of the text.

use crate::floor_char_boundary;

/// Detection looks at this much text: enough for a confident guess, and keeps a
/// 50 MB document from costing seconds.
const SAMPLE_BYTES: usize = 16 * 1024;

/// ISO 639-3 code of the text's language, when whatlang is confident.
pub fn detect(text: &str) -> Option<String> {
    let sample = &text[..floor_char_boundary(text, SAMPLE_BYTES)];
    let info = whatlang::detect(sample)?;
    info.is_reliable().then(|| info.lang().code().to_string())
}
