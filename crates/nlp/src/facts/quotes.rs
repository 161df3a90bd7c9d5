//! Quotes. (Scaffold: being written; returns nothing yet.)

use super::FactInput;
use dossier_core::{Facts, Quote};

/// The quotes stated in one piece of text.
pub fn extract(_input: &FactInput<'_>, _so_far: &Facts) -> Vec<Quote> {
    Vec::new()
}
