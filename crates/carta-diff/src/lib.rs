//! Structural diff of two Catalogs.
//!
//! [`diff`] compares two [`carta_catalog::Catalog`]s from any sources (live,
//! DDL, snapshot) and returns a [`SchemaDiff`]: every added, removed,
//! changed or likely renamed object, with the whole object on both sides so
//! that a migration generator has its context. No I/O.
//!
//! Matching: objects are matched by name (functions by name and argument
//! list; constraints without a name, as SQLite keeps them, by content).
//! With [`DiffOptions::detect_renames`] (the default), a removed and an
//! added table with the same columns (names and types, in order), a removed
//! and an added column with the same type, nullability and default, and an
//! index, constraint, trigger or policy with a new name and an identical
//! definition are paired as one rename, but only when the pairing is
//! unambiguous; otherwise they stay a drop and an add. Volatile facts
//! (source, fingerprint, row estimates, extension versions) are ignored.
//!
//! Reports: [`SchemaDiff::changes`] turns the diff into report lines
//! ([`Change`]), each with an [`Impact`]:
//!
//! - **breaking**: can break existing readers or writers or lose data:
//!   anything removed; a possible table or column rename (the old name is
//!   gone for clients); a type change that is not a widening; `NOT NULL`
//!   added; a `NOT NULL` column added without a default; a default removed;
//!   a key, foreign key, unique, check or exclusion constraint (or unique
//!   index) added or changed; enum values removed or reordered; row-level
//!   security, policies, triggers, view queries and functions changed.
//! - **additive**: compatible: new objects; nullable (or defaulted) new
//!   columns; widening type changes (`varchar(n)` to a longer `varchar` or
//!   `text`, `integer` to `bigint`, more `numeric` digits, `real` to
//!   `double precision`); `NULL` allowed; defaults added or changed;
//!   constraints dropped; indexes added or dropped; enum values (or values
//!   of a CHECK's `IN (...)` list) added.
//! - **cosmetic**: comments, and renames of indexes and constraints.
//!
//! [`render_text`], [`render_markdown`] and [`render_json`] print them; the
//! full rules and the JSON shape are in `docs/diff.md`.

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
