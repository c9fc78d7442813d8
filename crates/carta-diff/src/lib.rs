//! Structural diff of two Catalogs.

mod compare;
mod impact;
mod model;
mod render;

pub use compare::diff;
pub use impact::{Change, Impact};
pub use model::*;
pub use render::{render_json, render_markdown, render_text, JSON_REPORT_VERSION};

#[cfg(test)]
mod tests;
