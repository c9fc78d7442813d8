//! Documentation from the Catalog.
//!
//! Rendering is pure: every output format produces a [`DocSet`], a map of
//! relative paths to file contents. [`DocSet::write_to`] is the only code
//! that touches the disk: it rewrites only changed files and removes pages
//! it wrote earlier that are no longer produced, so documenting an
//! unchanged schema twice changes nothing and the output is safe to commit.

mod docset;
mod error;
mod filters;
pub mod html;
pub mod markdown;
mod parallel;
mod paths;
pub mod templates;
mod values;

pub use docset::{DocSet, WriteError, WriteReport, MANIFEST};
pub use error::DocError;
