//! Relations. (Scaffold: being written; returns nothing yet.)

use super::FactInput;
use dossier_core::{Facts, Relation};

/// The relations stated in one piece of text.
pub fn extract(_input: &FactInput<'_>, _so_far: &Facts) -> Vec<Relation> {
    Vec::new()
}
