//! Claims. (Scaffold: being written; returns nothing yet.)

use super::FactInput;
use dossier_core::{Claim, Facts};

/// The claims stated in one piece of text.
pub fn extract(_input: &FactInput<'_>, _so_far: &Facts) -> Vec<Claim> {
    Vec::new()
}
