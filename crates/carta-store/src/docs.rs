//! Living docs: documents generated for the objects of a connection's
//! schema and edited by people, every change kept as an attributed
//! revision; per-workspace templates; ratings of documents (feedback).
//!
//! The store keeps what it is given: how a regeneration merges into a
//! document that people edited is the server's business. It guarantees that
//! a write naming the revision it was based on fails with Conflict when
//! another write came first, so neither a person nor the generator can
//! overwrite a change they have not seen.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::model::{text_enum, Timestamp, UnknownValue};
use crate::{instant, now, storable, Store, StoreError};

text_enum! {
    /// What a document describes.
    DocScope, "doc scope" {
        /// The database at a glance: the docs set's README.
        Overview => "overview",
        Schema => "schema",
        /// A table, view or other relation.
        Table => "table",
        Enum => "enum",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Doc {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub connection_id: Uuid,
    pub scope: DocScope,
    /// `""` for the overview, `schema` for a schema, `schema.name` otherwise.
    pub object_key: String,
    /// The file it is in a downloaded docs set, as `carta doc` writes it.
    pub path: String,
    /// The schema version it was last generated from.
    pub version: u32,
    pub content_md: String,
    /// What the generator last produced, edits aside.
    pub generated_md: String,
    /// Which template produced it, e.g. `builtin:table.md.j2`.
    pub template: String,
    /// The latest revision's number (1, 2, ...).
    pub revision: u32,
    /// Set while the object is missing from the latest generated version.
    #[serde(with = "time::serde::rfc3339::option")]
    pub orphaned_at: Option<Timestamp>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    /// Who wrote the latest revision; `None` for the generator.
    pub updated_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: Timestamp,
}

/// Which documents to list; every field narrows.
#[derive(Debug, Clone)]
pub struct DocFilter {
    pub workspace_id: Uuid,
    pub connection_id: Option<Uuid>,
    pub scope: Option<DocScope>,
    /// `Some(true)`: orphaned only; `Some(false)`: live only.
    pub orphaned: Option<bool>,
}

/// What a generation run writes for one object.
#[derive(Debug, Clone)]
pub struct GeneratedDoc {
    pub workspace_id: Uuid,
    pub connection_id: Uuid,
    pub scope: DocScope,
    pub object_key: String,
    pub path: String,
    pub version: u32,
    /// The document's text after merging the new generated text into it.
    pub content_md: String,
    pub generated_md: String,
    pub template: String,
    /// The revision the merge started from; `None` for a new document.
    pub expected_revision: Option<u32>,
}

/// A person's edit of a document.
#[derive(Debug, Clone)]
pub struct DocEdit {
    pub workspace_id: Uuid,
    pub doc_id: Uuid,
    pub content_md: String,
    pub author_id: Uuid,
    /// When given, the edit is refused (Conflict) unless the document is
    /// still at this revision.
    pub expected_revision: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocRevision {
    pub doc_id: Uuid,
    pub revision: u32,
    pub content_md: String,
    /// `None` for the generator.
    pub author_id: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocTemplate {
    pub workspace_id: Uuid,
    pub scope: DocScope,
    /// A minijinja template.
    pub source: String,
    pub updated_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: Timestamp,
}

/// The highest rating; the lowest is 1.
pub const MAX_RATING: u8 = 5;

#[derive(Debug, Clone)]
pub struct NewDocFeedback {
    pub workspace_id: Uuid,
    pub doc_id: Uuid,
    pub user_id: Uuid,
    /// 1 to [`MAX_RATING`].
    pub rating: u8,
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocFeedback {
    pub id: Uuid,
    pub doc_id: Uuid,
    pub workspace_id: Uuid,
    pub user_id: Uuid,
    pub rating: u8,
    pub comment: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: Timestamp,
}

/// One rated document's ratings, summed up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocRating {
    pub doc_id: Uuid,
    pub connection_id: Uuid,
    pub scope: DocScope,
    pub object_key: String,
    pub count: u64,
    pub average: f64,
}

/// The refusal of a write based on a revision that is no longer the latest.
pub(crate) fn stale_revision(expected: u32, current: u32) -> StoreError {
    StoreError::Conflict(format!(
        "the document is at revision {current}, not {expected}: reload it and apply the change again"
    ))
}

/// The text fields of a document, checked for what no backend can keep.
fn storable_doc(content: &str, generated: Option<&str>) -> Result<(), StoreError> {
    storable("the document", content)?;
    storable("the generated text", generated.unwrap_or_default())
}

impl Store {
    /// The workspace's documents matching `filter`, by connection, scope and
    /// object.
    pub async fn docs(&self, filter: DocFilter) -> Result<Vec<Doc>, StoreError> {
        dispatch!(self.docs(filter))
    }

    /// `None` for an id of another workspace, as for a missing one.
    pub async fn doc(&self, workspace: Uuid, id: Uuid) -> Result<Option<Doc>, StoreError> {
        dispatch!(self.doc(workspace, id))
    }

    /// Creates (when `expected_revision` is `None`) or updates the document
    /// of one object, clearing its orphan mark. A changed text is a new
    /// revision by the generator (no author); an unchanged one only records
    /// the version and generated text. Conflict when the document exists
    /// but is not at `expected_revision` (or exists while `None` was
    /// expected); NotFound for a connection of another workspace.
    pub async fn save_generated_doc(&self, new: GeneratedDoc) -> Result<Doc, StoreError> {
        storable_doc(&new.content_md, Some(&new.generated_md))?;
        storable("the object key", &new.object_key)?;
        storable("the path", &new.path)?;
        storable("the template", &new.template)?;
        dispatch!(self.save_generated_doc(new, Uuid::new_v4(), now()))
    }

    /// A person's edit: a new revision attributed to them, unless the text
    /// is unchanged (then the document is returned as it is). Conflict on a
    /// stale `expected_revision`; NotFound for a document of another workspace.
    pub async fn edit_doc(&self, edit: DocEdit) -> Result<Doc, StoreError> {
        storable_doc(&edit.content_md, None)?;
        dispatch!(self.edit_doc(edit, now()))
    }

    /// Marks the connection's documents not in `live` orphaned at `at`
    /// (those already orphaned keep their time); returns the ones it marked.
    pub async fn orphan_docs(
        &self,
        workspace: Uuid,
        connection: Uuid,
        live: Vec<Uuid>,
        at: Timestamp,
    ) -> Result<Vec<Doc>, StoreError> {
        dispatch!(self.orphan_docs(workspace, connection, live, instant(at)?))
    }

    /// A document's revisions, oldest first (empty for a document of
    /// another workspace).
    pub async fn doc_revisions(
        &self,
        workspace: Uuid,
        doc: Uuid,
    ) -> Result<Vec<DocRevision>, StoreError> {
        dispatch!(self.doc_revisions(workspace, doc))
    }

    pub async fn doc_revision(
        &self,
        workspace: Uuid,
        doc: Uuid,
        revision: u32,
    ) -> Result<Option<DocRevision>, StoreError> {
        dispatch!(self.doc_revision(workspace, doc, revision))
    }

    // templates

    /// The workspace's templates, by scope.
    pub async fn doc_templates(&self, workspace: Uuid) -> Result<Vec<DocTemplate>, StoreError> {
        dispatch!(self.doc_templates(workspace))
    }

    /// Sets (or replaces) the workspace's template for a scope. NotFound
    /// for a missing or deleted workspace.
    pub async fn set_doc_template(
        &self,
        workspace: Uuid,
        scope: DocScope,
        source: &str,
        by: Uuid,
    ) -> Result<DocTemplate, StoreError> {
        storable("the template", source)?;
        dispatch!(self.set_doc_template(workspace, scope, source.to_string(), by, now()))
    }

    /// Back to the built-in template. NotFound when the scope had none.
    pub async fn delete_doc_template(
        &self,
        workspace: Uuid,
        scope: DocScope,
    ) -> Result<(), StoreError> {
        dispatch!(self.delete_doc_template(workspace, scope))
    }

    // feedback

    /// Rates a document: a user's second rating of it replaces the first.
    /// InvalidInput for a rating outside 1 to 5; NotFound for a document of
    /// another workspace.
    pub async fn rate_doc(&self, new: NewDocFeedback) -> Result<DocFeedback, StoreError> {
        if !(1..=MAX_RATING).contains(&new.rating) {
            return Err(StoreError::InvalidInput(format!(
                "a rating is 1 to {MAX_RATING}, not {}",
                new.rating
            )));
        }
        storable("the comment", &new.comment)?;
        dispatch!(self.rate_doc(new, Uuid::new_v4(), now()))
    }

    /// A document's ratings, latest first.
    pub async fn doc_feedback(
        &self,
        workspace: Uuid,
        doc: Uuid,
    ) -> Result<Vec<DocFeedback>, StoreError> {
        dispatch!(self.doc_feedback(workspace, doc))
    }

    /// Every rated document of the workspace with its count and average, by
    /// connection, scope and object.
    pub async fn doc_ratings(&self, workspace: Uuid) -> Result<Vec<DocRating>, StoreError> {
        dispatch!(self.doc_ratings(workspace))
    }
}
