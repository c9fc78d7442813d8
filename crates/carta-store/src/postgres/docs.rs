//! Living docs, templates and feedback on PostgreSQL.

use deadpool_postgres::Transaction;
use tokio_postgres::Row;
use uuid::Uuid;

use super::{all, execute, execute_one, one, out_of_range, parsed, rows, Rls, LIVE_WORKSPACE};
use crate::docs::{
    stale_revision, Doc, DocEdit, DocFeedback, DocFilter, DocRating, DocRevision, DocScope,
    DocTemplate, GeneratedDoc, NewDocFeedback,
};
use crate::model::Timestamp;
use crate::StoreError;

const DOC_COLUMNS: &str =
    "id, workspace_id, connection_id, scope, object_key, path, version, content_md,
    generated_md, template, revision, orphaned_at, created_at, updated_by, updated_at";

fn number_at(row: &Row, index: usize, what: &str) -> Result<u32, StoreError> {
    u32::try_from(row.try_get::<_, i32>(index)?).map_err(|_| out_of_range(what))
}

/// A count or a version as PostgreSQL's `integer`.
fn as_integer(value: u32, what: &str) -> Result<i32, StoreError> {
    i32::try_from(value)
        .map_err(|_| StoreError::InvalidInput(format!("{what} {value} is too large")))
}

fn doc_from(row: &Row) -> Result<Doc, StoreError> {
    Ok(Doc {
        id: row.try_get(0)?,
        workspace_id: row.try_get(1)?,
        connection_id: row.try_get(2)?,
        scope: parsed(row, 3)?,
        object_key: row.try_get(4)?,
        path: row.try_get(5)?,
        version: number_at(row, 6, "version")?,
        content_md: row.try_get(7)?,
        generated_md: row.try_get(8)?,
        template: row.try_get(9)?,
        revision: number_at(row, 10, "revision")?,
        orphaned_at: row.try_get(11)?,
        created_at: row.try_get(12)?,
        updated_by: row.try_get(13)?,
        updated_at: row.try_get(14)?,
    })
}

const REVISION_COLUMNS: &str = "doc_id, revision, content_md, author_id, created_at";

fn revision_from(row: &Row) -> Result<DocRevision, StoreError> {
    Ok(DocRevision {
        doc_id: row.try_get(0)?,
        revision: number_at(row, 1, "revision")?,
        content_md: row.try_get(2)?,
        author_id: row.try_get(3)?,
        created_at: row.try_get(4)?,
    })
}

const TEMPLATE_COLUMNS: &str = "workspace_id, scope, source, updated_by, updated_at";

fn template_from(row: &Row) -> Result<DocTemplate, StoreError> {
    Ok(DocTemplate {
        workspace_id: row.try_get(0)?,
        scope: parsed(row, 1)?,
        source: row.try_get(2)?,
        updated_by: row.try_get(3)?,
        updated_at: row.try_get(4)?,
    })
}

const FEEDBACK_COLUMNS: &str =
    "id, doc_id, workspace_id, user_id, rating, comment, created_at, updated_at";

fn feedback_from(row: &Row) -> Result<DocFeedback, StoreError> {
    Ok(DocFeedback {
        id: row.try_get(0)?,
        doc_id: row.try_get(1)?,
        workspace_id: row.try_get(2)?,
        user_id: row.try_get(3)?,
        rating: u8::try_from(row.try_get::<_, i16>(4)?).map_err(|_| out_of_range("rating"))?,
        comment: row.try_get(5)?,
        created_at: row.try_get(6)?,
        updated_at: row.try_get(7)?,
    })
}

fn rating_from(row: &Row) -> Result<DocRating, StoreError> {
    Ok(DocRating {
        doc_id: row.try_get(0)?,
        connection_id: row.try_get(1)?,
        scope: parsed(row, 2)?,
        object_key: row.try_get(3)?,
        count: u64::try_from(row.try_get::<_, i64>(4)?).map_err(|_| out_of_range("count"))?,
        average: row.try_get(5)?,
    })
}

/// Appends revision `revision` of a document.
async fn add_revision(
    tx: &Transaction<'_>,
    doc: &Doc,
    author: Option<Uuid>,
) -> Result<(), StoreError> {
    execute(
        tx,
        "INSERT INTO carta.doc_revisions (doc_id, workspace_id, revision, content_md, author_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &doc.id,
            &doc.workspace_id,
            &as_integer(doc.revision, "revision")?,
            &doc.content_md,
            &author,
            &doc.updated_at,
        ],
    )
    .await
    .map(drop)
}

/// The document, locked for the rest of the transaction.
async fn locked_doc(
    tx: &Transaction<'_>,
    condition: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Option<Doc>, StoreError> {
    one(
        tx,
        &format!("SELECT {DOC_COLUMNS} FROM carta.docs WHERE {condition} FOR UPDATE"),
        params,
    )
    .await?
    .as_ref()
    .map(doc_from)
    .transpose()
}

impl super::PgStore {
    pub(crate) async fn docs(&self, filter: DocFilter) -> Result<Vec<Doc>, StoreError> {
        let scope = filter.scope.map(DocScope::as_str);
        self.transact(Rls::Workspace(filter.workspace_id), async |tx| {
            let found = rows(
                tx,
                &format!(
                    "SELECT {DOC_COLUMNS} FROM carta.docs
                     WHERE workspace_id = $1 AND {LIVE_WORKSPACE}
                       AND ($2::uuid IS NULL OR connection_id = $2)
                       AND ($3::text IS NULL OR scope = $3)
                       AND ($4::boolean IS NULL OR (orphaned_at IS NOT NULL) = $4)
                     ORDER BY connection_id, scope, object_key COLLATE \"C\""
                ),
                &[
                    &filter.workspace_id,
                    &filter.connection_id,
                    &scope,
                    &filter.orphaned,
                ],
            )
            .await?;
            all(found, doc_from)
        })
        .await
    }

    pub(crate) async fn doc(&self, workspace: Uuid, id: Uuid) -> Result<Option<Doc>, StoreError> {
        self.transact(Rls::Workspace(workspace), async |tx| {
            one(
                tx,
                &format!(
                    "SELECT {DOC_COLUMNS} FROM carta.docs WHERE workspace_id = $1 AND id = $2 AND {LIVE_WORKSPACE}"
                ),
                &[&workspace, &id],
            )
            .await?
            .as_ref()
            .map(doc_from)
            .transpose()
        })
        .await
    }

    pub(crate) async fn save_generated_doc(
        &self,
        new: GeneratedDoc,
        id: Uuid,
        now: Timestamp,
    ) -> Result<Doc, StoreError> {
        let workspace = new.workspace_id;
        let version = as_integer(new.version, "version")?;
        self.transact(Rls::Workspace(workspace), async |tx| {
            one(
                tx,
                &format!(
                    "SELECT 1 FROM carta.connections WHERE workspace_id = $1 AND id = $2 AND {LIVE_WORKSPACE}"
                ),
                &[&workspace, &new.connection_id],
            )
            .await?
            .ok_or(StoreError::NotFound)?;
            let scope = new.scope.as_str();
            let current = locked_doc(
                tx,
                "connection_id = $1 AND scope = $2 AND object_key = $3",
                &[&new.connection_id, &scope, &new.object_key],
            )
            .await?;
            let saved = match (current, new.expected_revision) {
                (None, None) => {
                    let row = one(
                        tx,
                        &format!(
                            "INSERT INTO carta.docs (id, workspace_id, connection_id, scope, object_key, path, version,
                                 content_md, generated_md, template, revision, created_at, updated_at)
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11)
                             RETURNING {DOC_COLUMNS}"
                        ),
                        &[
                            &id,
                            &workspace,
                            &new.connection_id,
                            &scope,
                            &new.object_key,
                            &new.path,
                            &version,
                            &new.content_md,
                            &new.generated_md,
                            &new.template,
                            &now,
                        ],
                    )
                    .await?
                    .ok_or(StoreError::NotFound)?;
                    let doc = doc_from(&row)?;
                    add_revision(tx, &doc, None).await?;
                    doc
                }
                (None, Some(_)) => return Err(StoreError::NotFound),
                (Some(_), None) => return Err(StoreError::conflict("docs_object_key")),
                (Some(current), Some(expected)) if current.revision != expected => {
                    return Err(stale_revision(expected, current.revision))
                }
                (Some(current), Some(_)) => {
                    let changed = current.content_md != new.content_md;
                    let row = one(
                        tx,
                        &format!(
                            "UPDATE carta.docs SET path = $2, version = $3, content_md = $4, generated_md = $5,
                                 template = $6, orphaned_at = NULL,
                                 revision = revision + CASE WHEN $7 THEN 1 ELSE 0 END,
                                 updated_by = CASE WHEN $7 THEN NULL ELSE updated_by END,
                                 updated_at = CASE WHEN $7 THEN $8 ELSE updated_at END
                             WHERE id = $1
                             RETURNING {DOC_COLUMNS}"
                        ),
                        &[
                            &current.id,
                            &new.path,
                            &version,
                            &new.content_md,
                            &new.generated_md,
                            &new.template,
                            &changed,
                            &now,
                        ],
                    )
                    .await?
                    .ok_or(StoreError::NotFound)?;
                    let doc = doc_from(&row)?;
                    if changed {
                        add_revision(tx, &doc, None).await?;
                    }
                    doc
                }
            };
            Ok(saved)
        })
        .await
    }

    pub(crate) async fn edit_doc(&self, edit: DocEdit, now: Timestamp) -> Result<Doc, StoreError> {
        let workspace = edit.workspace_id;
        self.transact(Rls::Workspace(workspace), async |tx| {
            let current = locked_doc(
                tx,
                &format!("workspace_id = $1 AND id = $2 AND {LIVE_WORKSPACE}"),
                &[&workspace, &edit.doc_id],
            )
            .await?
            .ok_or(StoreError::NotFound)?;
            if let Some(expected) = edit.expected_revision.filter(|e| *e != current.revision) {
                return Err(stale_revision(expected, current.revision));
            }
            if current.content_md == edit.content_md {
                return Ok(current);
            }
            let row = one(
                tx,
                &format!(
                    "UPDATE carta.docs SET content_md = $2, revision = revision + 1, updated_by = $3, updated_at = $4
                     WHERE id = $1
                     RETURNING {DOC_COLUMNS}"
                ),
                &[&current.id, &edit.content_md, &edit.author_id, &now],
            )
            .await?
            .ok_or(StoreError::NotFound)?;
            let doc = doc_from(&row)?;
            add_revision(tx, &doc, Some(edit.author_id)).await?;
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
        self.transact(Rls::Workspace(workspace), async |tx| {
            let marked = rows(
                tx,
                &format!(
                    "UPDATE carta.docs SET orphaned_at = $3
                     WHERE workspace_id = $1 AND connection_id = $2 AND orphaned_at IS NULL
                       AND NOT (id = ANY ($4)) AND {LIVE_WORKSPACE}
                     RETURNING {DOC_COLUMNS}"
                ),
                &[&workspace, &connection, &at, &live],
            )
            .await?;
            let mut marked = all(marked, doc_from)?;
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
        self.transact(Rls::Workspace(workspace), async |tx| {
            let found = rows(
                tx,
                &format!(
                    "SELECT {REVISION_COLUMNS} FROM carta.doc_revisions
                     WHERE workspace_id = $1 AND doc_id = $2 AND {LIVE_WORKSPACE}
                     ORDER BY revision"
                ),
                &[&workspace, &doc],
            )
            .await?;
            all(found, revision_from)
        })
        .await
    }

    pub(crate) async fn doc_revision(
        &self,
        workspace: Uuid,
        doc: Uuid,
        revision: u32,
    ) -> Result<Option<DocRevision>, StoreError> {
        let Ok(revision) = i32::try_from(revision) else {
            return Ok(None);
        };
        self.transact(Rls::Workspace(workspace), async |tx| {
            one(
                tx,
                &format!(
                    "SELECT {REVISION_COLUMNS} FROM carta.doc_revisions
                     WHERE workspace_id = $1 AND doc_id = $2 AND revision = $3 AND {LIVE_WORKSPACE}"
                ),
                &[&workspace, &doc, &revision],
            )
            .await?
            .as_ref()
            .map(revision_from)
            .transpose()
        })
        .await
    }

    pub(crate) async fn doc_templates(
        &self,
        workspace: Uuid,
    ) -> Result<Vec<DocTemplate>, StoreError> {
        self.transact(Rls::Workspace(workspace), async |tx| {
            let found = rows(
                tx,
                &format!(
                    "SELECT {TEMPLATE_COLUMNS} FROM carta.doc_templates
                     WHERE workspace_id = $1 AND {LIVE_WORKSPACE} ORDER BY scope"
                ),
                &[&workspace],
            )
            .await?;
            all(found, template_from)
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
        self.transact(Rls::Workspace(workspace), async |tx| {
            let row = one(
                tx,
                &format!(
                    "INSERT INTO carta.doc_templates (workspace_id, scope, source, updated_by, updated_at)
                     SELECT $1::uuid, $2::text, $3::text, $4::uuid, $5::timestamptz WHERE {LIVE_WORKSPACE}
                     ON CONFLICT (workspace_id, scope) DO UPDATE
                         SET source = excluded.source, updated_by = excluded.updated_by, updated_at = excluded.updated_at
                     RETURNING {TEMPLATE_COLUMNS}"
                ),
                &[&workspace, &scope.as_str(), &source, &by, &now],
            )
            .await?
            .ok_or(StoreError::NotFound)?;
            template_from(&row)
        })
        .await
    }

    pub(crate) async fn delete_doc_template(
        &self,
        workspace: Uuid,
        scope: DocScope,
    ) -> Result<(), StoreError> {
        self.transact(Rls::Workspace(workspace), async |tx| {
            execute_one(
                tx,
                &format!(
                    "DELETE FROM carta.doc_templates WHERE workspace_id = $1 AND scope = $2 AND {LIVE_WORKSPACE}"
                ),
                &[&workspace, &scope.as_str()],
            )
            .await
        })
        .await
    }

    pub(crate) async fn rate_doc(
        &self,
        new: NewDocFeedback,
        id: Uuid,
        now: Timestamp,
    ) -> Result<DocFeedback, StoreError> {
        let workspace = new.workspace_id;
        let rating = i16::from(new.rating);
        self.transact(Rls::Workspace(workspace), async |tx| {
            let row = one(
                tx,
                &format!(
                    "INSERT INTO carta.doc_feedback (id, doc_id, workspace_id, user_id, rating, comment, created_at, updated_at)
                     SELECT $2::uuid, d.id, d.workspace_id, $4::uuid, $5::smallint, $6::text, $7::timestamptz, $7::timestamptz
                     FROM carta.docs d WHERE d.workspace_id = $1 AND d.id = $3 AND {LIVE_WORKSPACE}
                     ON CONFLICT (doc_id, user_id) DO UPDATE
                         SET rating = excluded.rating, comment = excluded.comment, updated_at = excluded.updated_at
                     RETURNING {FEEDBACK_COLUMNS}"
                ),
                &[&workspace, &id, &new.doc_id, &new.user_id, &rating, &new.comment, &now],
            )
            .await?
            .ok_or(StoreError::NotFound)?;
            feedback_from(&row)
        })
        .await
    }

    pub(crate) async fn doc_feedback(
        &self,
        workspace: Uuid,
        doc: Uuid,
    ) -> Result<Vec<DocFeedback>, StoreError> {
        self.transact(Rls::Workspace(workspace), async |tx| {
            let found = rows(
                tx,
                &format!(
                    "SELECT {FEEDBACK_COLUMNS} FROM carta.doc_feedback
                     WHERE workspace_id = $1 AND doc_id = $2 AND {LIVE_WORKSPACE}
                     ORDER BY updated_at DESC, id"
                ),
                &[&workspace, &doc],
            )
            .await?;
            all(found, feedback_from)
        })
        .await
    }

    pub(crate) async fn doc_ratings(&self, workspace: Uuid) -> Result<Vec<DocRating>, StoreError> {
        self.transact(Rls::Workspace(workspace), async |tx| {
            let found = rows(
                tx,
                &format!(
                    "SELECT d.id, d.connection_id, d.scope, d.object_key, count(*), avg(f.rating)::float8
                     FROM carta.docs d JOIN carta.doc_feedback f ON f.doc_id = d.id
                     WHERE d.workspace_id = $1 AND {LIVE_WORKSPACE}
                     GROUP BY d.id
                     ORDER BY d.connection_id, d.scope, d.object_key COLLATE \"C\""
                ),
                &[&workspace],
            )
            .await?;
            all(found, rating_from)
        })
        .await
    }
}
