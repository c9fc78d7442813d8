//! Living docs, templates and feedback on SQLite.

use rusqlite::{params, Connection as Conn, Row};
use uuid::Uuid;

use super::{
    collect, conversion_error, execute, execute_one, one, optional_time_at, optional_uuid_at,
    parsed_at, require_live_workspace, time_at, time_text, LIVE_WORKSPACE,
};
use crate::docs::{
    stale_revision, Doc, DocEdit, DocFeedback, DocFilter, DocRating, DocRevision, DocScope,
    DocTemplate, GeneratedDoc, NewDocFeedback,
};
use crate::model::Timestamp;
use crate::StoreError;

const DOC_COLUMNS: &str =
    "id, workspace_id, connection_id, scope, object_key, path, version, content_md,
    generated_md, template, revision, orphaned_at, created_at, updated_by, updated_at";

fn doc_from(row: &Row) -> rusqlite::Result<Doc> {
    Ok(Doc {
        id: parsed_at(row, 0)?,
        workspace_id: parsed_at(row, 1)?,
        connection_id: parsed_at(row, 2)?,
        scope: parsed_at(row, 3)?,
        object_key: row.get(4)?,
        path: row.get(5)?,
        version: row.get(6)?,
        content_md: row.get(7)?,
        generated_md: row.get(8)?,
        template: row.get(9)?,
        revision: row.get(10)?,
        orphaned_at: optional_time_at(row, 11)?,
        created_at: time_at(row, 12)?,
        updated_by: optional_uuid_at(row, 13)?,
        updated_at: time_at(row, 14)?,
    })
}

const REVISION_COLUMNS: &str = "doc_id, revision, content_md, author_id, created_at";

fn revision_from(row: &Row) -> rusqlite::Result<DocRevision> {
    Ok(DocRevision {
        doc_id: parsed_at(row, 0)?,
        revision: row.get(1)?,
        content_md: row.get(2)?,
        author_id: optional_uuid_at(row, 3)?,
        created_at: time_at(row, 4)?,
    })
}

const TEMPLATE_COLUMNS: &str = "workspace_id, scope, source, updated_by, updated_at";

fn template_from(row: &Row) -> rusqlite::Result<DocTemplate> {
    Ok(DocTemplate {
        workspace_id: parsed_at(row, 0)?,
        scope: parsed_at(row, 1)?,
        source: row.get(2)?,
        updated_by: optional_uuid_at(row, 3)?,
        updated_at: time_at(row, 4)?,
    })
}

const FEEDBACK_COLUMNS: &str =
    "id, doc_id, workspace_id, user_id, rating, comment, created_at, updated_at";

fn feedback_from(row: &Row) -> rusqlite::Result<DocFeedback> {
    Ok(DocFeedback {
        id: parsed_at(row, 0)?,
        doc_id: parsed_at(row, 1)?,
        workspace_id: parsed_at(row, 2)?,
        user_id: parsed_at(row, 3)?,
        rating: row.get(4)?,
        comment: row.get(5)?,
        created_at: time_at(row, 6)?,
        updated_at: time_at(row, 7)?,
    })
}

fn rating_from(row: &Row) -> rusqlite::Result<DocRating> {
    Ok(DocRating {
        doc_id: parsed_at(row, 0)?,
        connection_id: parsed_at(row, 1)?,
        scope: parsed_at(row, 2)?,
        object_key: row.get(3)?,
        count: u64::try_from(row.get::<_, i64>(4)?).map_err(|e| conversion_error(4, e))?,
        average: row.get(5)?,
    })
}

/// Appends the document's current text as its revision `doc.revision`.
fn add_revision(conn: &Conn, doc: &Doc, author: Option<Uuid>) -> Result<(), StoreError> {
    execute(
        conn,
        "INSERT INTO doc_revisions (doc_id, workspace_id, revision, content_md, author_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            doc.id.to_string(),
            doc.workspace_id.to_string(),
            doc.revision,
            doc.content_md,
            author.map(|a| a.to_string()),
            time_text(doc.updated_at)
        ],
    )
    .map(drop)
}

fn updated_doc(conn: &Conn, sql: &str, params: impl rusqlite::Params) -> Result<Doc, StoreError> {
    one(conn, sql, params, doc_from)?.ok_or(StoreError::NotFound)
}

impl super::SqliteStore {
    pub(crate) async fn docs(&self, filter: DocFilter) -> Result<Vec<Doc>, StoreError> {
        self.read(move |conn| {
            collect(
                conn,
                &format!(
                    "SELECT {DOC_COLUMNS} FROM docs
                     WHERE workspace_id = ?1 AND {LIVE_WORKSPACE}
                       AND (?2 IS NULL OR connection_id = ?2)
                       AND (?3 IS NULL OR scope = ?3)
                       AND (?4 IS NULL OR (orphaned_at IS NOT NULL) = ?4)
                     ORDER BY connection_id, scope, object_key"
                ),
                params![
                    filter.workspace_id.to_string(),
                    filter.connection_id.map(|c| c.to_string()),
                    filter.scope.map(DocScope::as_str),
                    filter.orphaned
                ],
                doc_from,
            )
        })
        .await
    }

    pub(crate) async fn doc(&self, workspace: Uuid, id: Uuid) -> Result<Option<Doc>, StoreError> {
        self.read(move |conn| {
            one(
                conn,
                &format!(
                    "SELECT {DOC_COLUMNS} FROM docs WHERE workspace_id = ?1 AND id = ?2 AND {LIVE_WORKSPACE}"
                ),
                [workspace.to_string(), id.to_string()],
                doc_from,
            )
        })
        .await
    }

    pub(crate) async fn save_generated_doc(
        &self,
        new: GeneratedDoc,
        id: Uuid,
        now: Timestamp,
    ) -> Result<Doc, StoreError> {
        self.write(move |conn| {
            let workspace = new.workspace_id.to_string();
            let connection = new.connection_id.to_string();
            one(
                conn,
                &format!("SELECT 1 FROM connections WHERE workspace_id = ?1 AND id = ?2 AND {LIVE_WORKSPACE}"),
                [&workspace, &connection],
                |_| Ok(()),
            )?
            .ok_or(StoreError::NotFound)?;
            let scope = new.scope.as_str();
            let current = one(
                conn,
                &format!(
                    "SELECT {DOC_COLUMNS} FROM docs WHERE connection_id = ?1 AND scope = ?2 AND object_key = ?3"
                ),
                params![connection, scope, new.object_key],
                doc_from,
            )?;
            match (current, new.expected_revision) {
                (None, None) => {
                    let doc = updated_doc(
                        conn,
                        &format!(
                            "INSERT INTO docs (id, workspace_id, connection_id, scope, object_key, path, version,
                                 content_md, generated_md, template, revision, created_at, updated_at)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 1, ?11, ?11)
                             RETURNING {DOC_COLUMNS}"
                        ),
                        params![
                            id.to_string(),
                            workspace,
                            connection,
                            scope,
                            new.object_key,
                            new.path,
                            new.version,
                            new.content_md,
                            new.generated_md,
                            new.template,
                            time_text(now)
                        ],
                    )?;
                    add_revision(conn, &doc, None)?;
                    Ok(doc)
                }
                (None, Some(_)) => Err(StoreError::NotFound),
                (Some(_), None) => Err(StoreError::conflict("docs_object_key")),
                (Some(current), Some(expected)) if current.revision != expected => {
                    Err(stale_revision(expected, current.revision))
                }
                (Some(current), Some(_)) => {
                    let changed = current.content_md != new.content_md;
                    let doc = updated_doc(
                        conn,
                        &format!(
                            "UPDATE docs SET path = ?2, version = ?3, content_md = ?4, generated_md = ?5,
                                 template = ?6, orphaned_at = NULL,
                                 revision = revision + CASE WHEN ?7 THEN 1 ELSE 0 END,
                                 updated_by = CASE WHEN ?7 THEN NULL ELSE updated_by END,
                                 updated_at = CASE WHEN ?7 THEN ?8 ELSE updated_at END
                             WHERE id = ?1
                             RETURNING {DOC_COLUMNS}"
                        ),
                        params![
                            current.id.to_string(),
                            new.path,
                            new.version,
                            new.content_md,
                            new.generated_md,
                            new.template,
                            changed,
                            time_text(now)
                        ],
                    )?;
                    if changed {
                        add_revision(conn, &doc, None)?;
                    }
                    Ok(doc)
                }
            }
        })
        .await
    }

    pub(crate) async fn edit_doc(&self, edit: DocEdit, now: Timestamp) -> Result<Doc, StoreError> {
        self.write(move |conn| {
            let current = one(
                conn,
                &format!(
                    "SELECT {DOC_COLUMNS} FROM docs WHERE workspace_id = ?1 AND id = ?2 AND {LIVE_WORKSPACE}"
                ),
                [edit.workspace_id.to_string(), edit.doc_id.to_string()],
                doc_from,
            )?
            .ok_or(StoreError::NotFound)?;
            if let Some(expected) = edit.expected_revision.filter(|e| *e != current.revision) {
                return Err(stale_revision(expected, current.revision));
            }
            if current.content_md == edit.content_md {
                return Ok(current);
            }
            let doc = updated_doc(
                conn,
                &format!(
                    "UPDATE docs SET content_md = ?2, revision = revision + 1, updated_by = ?3, updated_at = ?4
                     WHERE id = ?1
                     RETURNING {DOC_COLUMNS}"
                ),
                params![
                    current.id.to_string(),
                    edit.content_md,
                    edit.author_id.to_string(),
                    time_text(now)
                ],
            )?;
            add_revision(conn, &doc, Some(edit.author_id))?;
            Ok(doc)
        })
        .await
    }

    pub(crate) async fn orphan_docs(
        &self,
        workspace: Uuid,
        connection: Uuid,
        live: Vec<Uuid>,
        at: Timestamp,
    ) -> Result<Vec<Doc>, StoreError> {
        let live = serde_json::to_string(&live)
            .map_err(|e| StoreError::Backend(format!("cannot encode document ids: {e}")))?;
        self.write(move |conn| {
            let mut marked = collect(
                conn,
                &format!(
                    "UPDATE docs SET orphaned_at = ?3
                     WHERE workspace_id = ?1 AND connection_id = ?2 AND orphaned_at IS NULL
                       AND id NOT IN (SELECT value FROM json_each(?4)) AND {LIVE_WORKSPACE}
                     RETURNING {DOC_COLUMNS}"
                ),
                params![
                    workspace.to_string(),
                    connection.to_string(),
                    time_text(at),
                    live
                ],
                doc_from,
            )?;
            marked.sort_by(|a, b| {
                (a.scope.as_str(), &a.object_key).cmp(&(b.scope.as_str(), &b.object_key))
            });
            Ok(marked)
        })
        .await
    }

    pub(crate) async fn doc_revisions(
        &self,
        workspace: Uuid,
        doc: Uuid,
    ) -> Result<Vec<DocRevision>, StoreError> {
        self.read(move |conn| {
            collect(
                conn,
                &format!(
                    "SELECT {REVISION_COLUMNS} FROM doc_revisions
                     WHERE workspace_id = ?1 AND doc_id = ?2 AND {LIVE_WORKSPACE}
                     ORDER BY revision"
                ),
                [workspace.to_string(), doc.to_string()],
                revision_from,
            )
        })
        .await
    }

    pub(crate) async fn doc_revision(
        &self,
        workspace: Uuid,
        doc: Uuid,
        revision: u32,
    ) -> Result<Option<DocRevision>, StoreError> {
        self.read(move |conn| {
            one(
                conn,
                &format!(
                    "SELECT {REVISION_COLUMNS} FROM doc_revisions
                     WHERE workspace_id = ?1 AND doc_id = ?2 AND revision = ?3 AND {LIVE_WORKSPACE}"
                ),
                params![workspace.to_string(), doc.to_string(), revision],
                revision_from,
            )
        })
        .await
    }

    pub(crate) async fn doc_templates(
        &self,
        workspace: Uuid,
    ) -> Result<Vec<DocTemplate>, StoreError> {
        self.read(move |conn| {
            collect(
                conn,
                &format!(
                    "SELECT {TEMPLATE_COLUMNS} FROM doc_templates
                     WHERE workspace_id = ?1 AND {LIVE_WORKSPACE} ORDER BY scope"
                ),
                [workspace.to_string()],
                template_from,
            )
        })
        .await
    }

    pub(crate) async fn set_doc_template(
        &self,
        workspace: Uuid,
        scope: DocScope,
        source: String,
        by: Uuid,
        now: Timestamp,
    ) -> Result<DocTemplate, StoreError> {
        self.write(move |conn| {
            require_live_workspace(conn, workspace)?;
            one(
                conn,
                &format!(
                    "INSERT INTO doc_templates (workspace_id, scope, source, updated_by, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (workspace_id, scope) DO UPDATE
                         SET source = excluded.source, updated_by = excluded.updated_by, updated_at = excluded.updated_at
                     RETURNING {TEMPLATE_COLUMNS}"
                ),
                params![
                    workspace.to_string(),
                    scope.as_str(),
                    source,
                    by.to_string(),
                    time_text(now)
                ],
                template_from,
            )?
            .ok_or(StoreError::NotFound)
        })
        .await
    }

    pub(crate) async fn delete_doc_template(
        &self,
        workspace: Uuid,
        scope: DocScope,
    ) -> Result<(), StoreError> {
        self.write(move |conn| {
            execute_one(
                conn,
                &format!("DELETE FROM doc_templates WHERE workspace_id = ?1 AND scope = ?2 AND {LIVE_WORKSPACE}"),
                params![workspace.to_string(), scope.as_str()],
            )
        })
        .await
    }

    pub(crate) async fn rate_doc(
        &self,
        new: NewDocFeedback,
        id: Uuid,
        now: Timestamp,
    ) -> Result<DocFeedback, StoreError> {
        self.write(move |conn| {
            one(
                conn,
                &format!(
                    "INSERT INTO doc_feedback (id, doc_id, workspace_id, user_id, rating, comment, created_at, updated_at)
                     SELECT ?2, d.id, d.workspace_id, ?4, ?5, ?6, ?7, ?7
                     FROM docs d WHERE d.workspace_id = ?1 AND d.id = ?3 AND {LIVE_WORKSPACE}
                     ON CONFLICT (doc_id, user_id) DO UPDATE
                         SET rating = excluded.rating, comment = excluded.comment, updated_at = excluded.updated_at
                     RETURNING {FEEDBACK_COLUMNS}"
                ),
                params![
                    new.workspace_id.to_string(),
                    id.to_string(),
                    new.doc_id.to_string(),
                    new.user_id.to_string(),
                    new.rating,
                    new.comment,
                    time_text(now)
                ],
                feedback_from,
            )?
            .ok_or(StoreError::NotFound)
        })
        .await
    }

    pub(crate) async fn doc_feedback(
        &self,
        workspace: Uuid,
        doc: Uuid,
    ) -> Result<Vec<DocFeedback>, StoreError> {
        self.read(move |conn| {
            collect(
                conn,
                &format!(
                    "SELECT {FEEDBACK_COLUMNS} FROM doc_feedback
                     WHERE workspace_id = ?1 AND doc_id = ?2 AND {LIVE_WORKSPACE}
                     ORDER BY updated_at DESC, id"
                ),
                [workspace.to_string(), doc.to_string()],
                feedback_from,
            )
        })
        .await
    }

    pub(crate) async fn doc_ratings(&self, workspace: Uuid) -> Result<Vec<DocRating>, StoreError> {
        self.read(move |conn| {
            collect(
                conn,
                &format!(
                    "SELECT d.id, d.connection_id, d.scope, d.object_key, count(*), avg(f.rating)
                     FROM docs d JOIN doc_feedback f ON f.doc_id = d.id
                     WHERE d.workspace_id = ?1 AND {LIVE_WORKSPACE}
                     GROUP BY d.id
                     ORDER BY d.connection_id, d.scope, d.object_key"
                ),
                [workspace.to_string()],
                rating_from,
            )
        })
        .await
    }
}
