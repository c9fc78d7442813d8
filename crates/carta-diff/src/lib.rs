//! Structural diff of two Catalogs.

mod compare;
mod model;

pub use compare::diff;
pub use model::*;
