//! ER diagrams from the Catalog.
//!
//! A [`Diagram`] is a selection of tables and the relations between them:
//! the whole database ([`Diagram::whole`]) or one table's neighbourhood
//! ([`Diagram::neighbourhood`]). It renders to Mermaid (split below
//! Mermaid's size limit), Graphviz DOT, and SVG laid out and drawn by Carta
//! itself, so no Graphviz, browser or network is needed. No I/O.

mod layout;
mod mermaid;
mod model;
mod svg;

pub use model::{Diagram, DiagramColumn, DiagramEdge, DiagramTable, ErdOptions};

#[cfg(test)]
mod tests;
