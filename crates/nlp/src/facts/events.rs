//! Events. (Scaffold: being written; returns nothing yet.)

use super::FactInput;
use dossier_core::{Event, Facts};

/// The events stated in one piece of text.
pub fn extract(_input: &FactInput<'_>, _so_far: &Facts) -> Vec<Event> {
    Vec::new()
}
