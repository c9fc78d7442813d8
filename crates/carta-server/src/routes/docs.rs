//! Living docs over HTTP: generate a connection's documents (a `docs` job),
//! list, read and edit them (optimistic concurrency on the revision), their
//! revisions, the workspace's templates, downloads (Markdown or HTML site,
//! zipped), and feedback on documents.

use crate::auth::{workspace_access, Caller};
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::extract::{ApiJson, ApiPath, ApiQuery, ClientMeta};
use crate::living_docs::{
    check_template, docs_payload, human_text, render_pages, template_name, without_markers,
    MAX_DOC_BYTES,
};
use crate::model::{text_enum, JobBody};
use crate::routes::schemas::version_catalog;
use crate::state::{AppState, AuditEvent};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use carta_doc::DocSet;
use carta_store::{
    Doc, DocFeedback, DocFilter, DocRating, DocRevision, DocScope, DocTemplate, JobKind,
    MemberRole, NewDocFeedback, NewJob,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::io::Write;
use time::OffsetDateTime;
use utoipa::openapi::schema::Object;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// Request bodies of these routes may carry a whole document: JSON escaping
/// can make 1 MiB of Markdown several times larger.
const BODY_LIMIT: usize = 6 * MAX_DOC_BYTES;
/// The longest feedback comment, in characters.
const MAX_COMMENT_CHARS: usize = 4000;

/// The living docs routes, with the larger body limit they need.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(generate_docs))
        .routes(routes!(list_docs))
        .routes(routes!(get_doc, edit_doc))
        .routes(routes!(list_revisions))
        .routes(routes!(get_revision))
        .routes(routes!(list_templates))
        .routes(routes!(get_template, set_template, delete_template))
        .routes(routes!(download_docs))
        .routes(routes!(list_feedback, rate_doc))
        .routes(routes!(workspace_feedback))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}

fn scope_schema() -> Object {
    text_enum(DocScope::ALL.iter().map(|v| v.as_str()))
}

/// A document, without its text (listings).
#[derive(Debug, Serialize, ToSchema)]
pub struct DocSummaryBody {
    pub id: Uuid,
    pub connection_id: Uuid,
    #[schema(schema_with = scope_schema)]
    pub scope: DocScope,
    /// `""` for the overview, `schema` or `schema.name` otherwise.
    pub object_key: String,
    /// The file it is in a download.
    pub path: String,
    /// The schema version it was last generated from.
    pub version: u32,
    /// The template that generated it: `builtin:NAME` or `workspace:NAME`.
    pub template: String,
    /// The latest revision; send it back as `expected_revision` when editing.
    pub revision: u32,
    /// Set while its object is missing from the latest generated version.
    #[serde(with = "time::serde::rfc3339::option")]
    pub orphaned_at: Option<OffsetDateTime>,
    /// The latest revision's author; `null` for the generator.
    pub updated_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<&Doc> for DocSummaryBody {
    fn from(doc: &Doc) -> Self {
        DocSummaryBody {
            id: doc.id,
            connection_id: doc.connection_id,
            scope: doc.scope,
            object_key: doc.object_key.clone(),
            path: doc.path.clone(),
            version: doc.version,
            template: doc.template.clone(),
            revision: doc.revision,
            orphaned_at: doc.orphaned_at,
            updated_by: doc.updated_by,
            updated_at: doc.updated_at,
        }
    }
}

/// A document with its Markdown.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocBody {
    #[serde(flatten)]
    pub doc: DocSummaryBody,
    /// Generated sections sit between `<!-- carta:begin NAME -->` and
    /// `<!-- carta:end NAME -->`; a regeneration refreshes only the sections
    /// nobody changed, and never touches text outside them.
    pub content_md: String,
}

impl From<Doc> for DocBody {
    fn from(doc: Doc) -> Self {
        DocBody {
            doc: DocSummaryBody::from(&doc),
            content_md: doc.content_md,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditDoc {
    /// The whole new Markdown (at most 1 MiB; no NUL characters).
    pub content_md: String,
    /// The revision the edit was made on; a newer one makes it a 409.
    pub expected_revision: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionSummaryBody {
    pub revision: u32,
    /// `null` for the generator.
    pub author_id: Option<Uuid>,
    pub bytes: usize,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionBody {
    pub doc_id: Uuid,
    pub revision: u32,
    pub author_id: Option<Uuid>,
    pub content_md: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<DocRevision> for RevisionBody {
    fn from(revision: DocRevision) -> Self {
        RevisionBody {
            doc_id: revision.doc_id,
            revision: revision.revision,
            author_id: revision.author_id,
            content_md: revision.content_md,
            created_at: revision.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateBody {
    #[schema(schema_with = scope_schema)]
    pub scope: DocScope,
    /// The minijinja source; carta-doc's filters and context (docs/templates.md).
    pub source: String,
    /// False: the built-in template, in use because the workspace has none.
    pub custom: bool,
    pub updated_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub updated_at: Option<OffsetDateTime>,
}

impl From<DocTemplate> for TemplateBody {
    fn from(template: DocTemplate) -> Self {
        TemplateBody {
            scope: template.scope,
            source: template.source,
            custom: true,
            updated_by: template.updated_by,
            updated_at: Some(template.updated_at),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetTemplate {
    pub source: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RateDoc {
    /// 1 (poor) to 5 (excellent).
    pub rating: i64,
    #[serde(default)]
    pub comment: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackBody {
    pub id: Uuid,
    pub doc_id: Uuid,
    pub user_id: Uuid,
    pub rating: u8,
    pub comment: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<DocFeedback> for FeedbackBody {
    fn from(feedback: DocFeedback) -> Self {
        FeedbackBody {
            id: feedback.id,
            doc_id: feedback.doc_id,
            user_id: feedback.user_id,
            rating: feedback.rating,
            comment: feedback.comment,
            created_at: feedback.created_at,
            updated_at: feedback.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DocFeedbackList {
    pub count: usize,
    /// `null` while nobody rated the document.
    pub average: Option<f64>,
    /// Latest first.
    pub feedback: Vec<FeedbackBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DocRatingBody {
    pub doc_id: Uuid,
    pub connection_id: Uuid,
    #[schema(schema_with = scope_schema)]
    pub scope: DocScope,
    pub object_key: String,
    pub count: u64,
    pub average: f64,
}

impl From<DocRating> for DocRatingBody {
    fn from(rating: DocRating) -> Self {
        DocRatingBody {
            doc_id: rating.doc_id,
            connection_id: rating.connection_id,
            scope: rating.scope,
            object_key: rating.object_key,
            count: rating.count,
            average: rating.average,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkspaceFeedback {
    /// Ratings in the workspace.
    pub count: u64,
    /// Over every rating; `null` when there is none.
    pub average: Option<f64>,
    /// Each rated document, by connection, scope and object.
    pub documents: Vec<DocRatingBody>,
}

/// Queues a `docs` job for one of the workspace's connections and audits it.
pub(crate) async fn enqueue_docs(
    state: &AppState,
    caller: &Caller,
    client: &ClientMeta,
    workspace: Uuid,
    connection: Uuid,
    version: Option<u32>,
) -> Result<JobBody, ApiError> {
    state
        .store()
        .connection(workspace, connection)
        .await?
        .ok_or_else(|| ApiError::not_found("connection"))?;
    let job = state
        .store()
        .enqueue_job(NewJob {
            workspace_id: workspace,
            kind: JobKind::Docs,
            payload: docs_payload(connection, version),
            created_by: Some(caller.user.id),
        })
        .await?;
    state
        .audit(
            Some(caller.user.id),
            client,
            AuditEvent {
                action: "doc.generate",
                workspace_id: Some(workspace),
                resource_type: "job",
                resource_id: Some(job.id.to_string()),
                details: json!({ "connection_id": connection, "version": version }),
            },
        )
        .await?;
    Ok(job.into())
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct GenerateQuery {
    /// The schema version to document; the latest by default.
    version: Option<u32>,
}

/// Queues the generation of the connection's documents (workspace editors):
/// new objects get documents, existing ones are merged (hand edits kept),
/// documents of missing objects are marked orphaned. The job's result
/// counts them and lists the sections kept because people edited them.
#[utoipa::path(post, path = "/workspaces/{id}/connections/{cid}/docs/generate", tag = "docs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("cid" = Uuid, Path, description = "connection id"), GenerateQuery),
    responses((status = 202, description = "queued; follow it at /jobs/{job_id}", body = JobBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn generate_docs(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath((id, cid)): ApiPath<(Uuid, Uuid)>,
    ApiQuery(query): ApiQuery<GenerateQuery>,
) -> Result<(StatusCode, Json<JobBody>), ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Editor).await?;
    let job = enqueue_docs(&state, &caller, &client, id, cid, query.version).await?;
    Ok((StatusCode::ACCEPTED, Json(job)))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DocsQuery {
    /// Only this connection's documents.
    connection_id: Option<Uuid>,
    /// Only this scope: overview, schema, table or enum.
    #[param(value_type = Option<String>)]
    scope: Option<DocScope>,
    /// true: orphaned only; false: live only.
    orphaned: Option<bool>,
}

/// The workspace's documents, without their text (any member).
#[utoipa::path(get, path = "/workspaces/{id}/docs", tag = "docs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"), DocsQuery),
    responses((status = 200, body = [DocSummaryBody]), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn list_docs(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<DocsQuery>,
) -> Result<Json<Vec<DocSummaryBody>>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Viewer).await?;
    let docs = state
        .store()
        .docs(DocFilter {
            workspace_id: id,
            connection_id: query.connection_id,
            scope: query.scope,
            orphaned: query.orphaned,
        })
        .await?;
    Ok(Json(docs.iter().map(DocSummaryBody::from).collect()))
}

async fn require_doc(state: &AppState, workspace: Uuid, id: Uuid) -> Result<Doc, ApiError> {
    state
        .store()
        .doc(workspace, id)
        .await?
        .ok_or_else(|| ApiError::not_found("document"))
}

/// One document with its Markdown (any member).
#[utoipa::path(get, path = "/workspaces/{id}/docs/{doc_id}", tag = "docs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("doc_id" = Uuid, Path, description = "document id")),
    responses((status = 200, body = DocBody), (status = 404, body = ErrorBody)))]
pub async fn get_doc(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, doc_id)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<DocBody>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Viewer).await?;
    Ok(Json(require_doc(&state, id, doc_id).await?.into()))
}

/// Replaces a document's Markdown (workspace editors): a new revision by
/// the caller. With `expected_revision`, 409 when someone saved first.
#[utoipa::path(put, path = "/workspaces/{id}/docs/{doc_id}", tag = "docs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("doc_id" = Uuid, Path, description = "document id")),
    request_body = EditDoc,
    responses((status = 200, body = DocBody), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "a newer revision exists", body = ErrorBody),
        (status = 413, body = ErrorBody)))]
pub async fn edit_doc(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath((id, doc_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<EditDoc>,
) -> Result<Json<DocBody>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Editor).await?;
    bounded("a document", &body.content_md)?;
    let doc = state
        .store()
        .edit_doc(carta_store::DocEdit {
            workspace_id: id,
            doc_id,
            content_md: body.content_md,
            author_id: caller.user.id,
            expected_revision: body.expected_revision,
        })
        .await?;
    state
        .audit(
            Some(caller.user.id),
            &client,
            AuditEvent {
                action: "doc.edit",
                workspace_id: Some(id),
                resource_type: "doc",
                resource_id: Some(doc_id.to_string()),
                details: json!({ "revision": doc.revision, "object_key": doc.object_key }),
            },
        )
        .await?;
    Ok(Json(doc.into()))
}

/// 413 past [`MAX_DOC_BYTES`]. Markdown may hold any control character but
/// NUL, which the store refuses (400).
fn bounded(what: &str, text: &str) -> Result<(), ApiError> {
    if text.len() > MAX_DOC_BYTES {
        Err(ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("{what} may have at most {MAX_DOC_BYTES} bytes"),
        ))
    } else {
        Ok(())
    }
}

/// A document's revisions, oldest first (any member).
#[utoipa::path(get, path = "/workspaces/{id}/docs/{doc_id}/revisions", tag = "docs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("doc_id" = Uuid, Path, description = "document id")),
    responses((status = 200, body = [RevisionSummaryBody]), (status = 404, body = ErrorBody)))]
pub async fn list_revisions(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, doc_id)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<Vec<RevisionSummaryBody>>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Viewer).await?;
    require_doc(&state, id, doc_id).await?;
    let revisions = state.store().doc_revisions(id, doc_id).await?;
    Ok(Json(
        revisions
            .into_iter()
            .map(|r| RevisionSummaryBody {
                revision: r.revision,
                author_id: r.author_id,
                bytes: r.content_md.len(),
                created_at: r.created_at,
            })
            .collect(),
    ))
}

/// One revision with its Markdown (any member).
#[utoipa::path(get, path = "/workspaces/{id}/docs/{doc_id}/revisions/{revision}", tag = "docs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("doc_id" = Uuid, Path, description = "document id"),
        ("revision" = u32, Path, description = "revision number")),
    responses((status = 200, body = RevisionBody), (status = 404, body = ErrorBody)))]
pub async fn get_revision(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, doc_id, revision)): ApiPath<(Uuid, Uuid, u32)>,
) -> Result<Json<RevisionBody>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Viewer).await?;
    let revision = state
        .store()
        .doc_revision(id, doc_id, revision)
        .await?
        .ok_or_else(|| ApiError::not_found("revision"))?;
    Ok(Json(revision.into()))
}

/// The built-in source of a scope's template.
fn builtin_template(scope: DocScope) -> TemplateBody {
    let name = template_name(scope);
    let source = carta_doc::markdown::TEMPLATES
        .iter()
        .find(|(builtin, _)| *builtin == name)
        .map_or(crate::living_docs::SCHEMA_TEMPLATE, |(_, source)| *source);
    TemplateBody {
        scope,
        source: source.to_string(),
        custom: false,
        updated_by: None,
        updated_at: None,
    }
}

/// The template of every scope: the workspace's, or the built-in one
/// (workspace editors).
#[utoipa::path(get, path = "/workspaces/{id}/doc-templates", tag = "docs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id")),
    responses((status = 200, body = [TemplateBody]), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn list_templates(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Vec<TemplateBody>>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Editor).await?;
    let mut custom = state.store().doc_templates(id).await?;
    let templates = DocScope::ALL
        .iter()
        .map(
            |scope| match custom.iter().position(|t| t.scope == *scope) {
                Some(at) => custom.swap_remove(at).into(),
                None => builtin_template(*scope),
            },
        )
        .collect();
    Ok(Json(templates))
}

fn parse_scope(scope: &str) -> Result<DocScope, ApiError> {
    scope.parse().map_err(|_| {
        ApiError::bad_request(format!(
            "unknown scope `{}`: one of overview, schema, table, enum",
            scope.escape_debug()
        ))
    })
}

/// A scope's template: the workspace's, or the built-in one (workspace editors).
#[utoipa::path(get, path = "/workspaces/{id}/doc-templates/{scope}", tag = "docs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("scope" = String, Path, description = "overview, schema, table or enum")),
    responses((status = 200, body = TemplateBody), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_template(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, scope)): ApiPath<(Uuid, String)>,
) -> Result<Json<TemplateBody>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Editor).await?;
    let scope = parse_scope(&scope)?;
    let custom = state.store().doc_templates(id).await?;
    Ok(Json(
        custom
            .into_iter()
            .find(|t| t.scope == scope)
            .map_or_else(|| builtin_template(scope), Into::into),
    ))
}

/// Sets the workspace's template for a scope (workspace editors), used by
/// the next generation. It must compile and render a small sample schema:
/// 400 with the template's line otherwise.
#[utoipa::path(put, path = "/workspaces/{id}/doc-templates/{scope}", tag = "docs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("scope" = String, Path, description = "overview, schema, table or enum")),
    request_body = SetTemplate,
    responses((status = 200, body = TemplateBody), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody)))]
pub async fn set_template(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath((id, scope)): ApiPath<(Uuid, String)>,
    ApiJson(body): ApiJson<SetTemplate>,
) -> Result<Json<TemplateBody>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Editor).await?;
    let scope = parse_scope(&scope)?;
    bounded("a template", &body.source)?;
    let source = body.source;
    let checked =
        tokio::task::spawn_blocking(move || check_template(scope, &source).map(|()| source))
            .await
            .map_err(|e| ApiError::internal(&e))?;
    let source =
        checked.map_err(|error| ApiError::bad_request(format!("invalid template: {error}")))?;
    let template = state
        .store()
        .set_doc_template(id, scope, &source, caller.user.id)
        .await?;
    state
        .audit(
            Some(caller.user.id),
            &client,
            AuditEvent {
                action: "doc_template.set",
                workspace_id: Some(id),
                resource_type: "doc_template",
                resource_id: Some(scope.to_string()),
                details: json!({ "bytes": template.source.len() }),
            },
        )
        .await?;
    Ok(Json(template.into()))
}

/// Goes back to the built-in template (workspace editors); 404 when the
/// workspace had none for the scope.
#[utoipa::path(delete, path = "/workspaces/{id}/doc-templates/{scope}", tag = "docs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("scope" = String, Path, description = "overview, schema, table or enum")),
    responses((status = 204, description = "deleted"), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_template(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath((id, scope)): ApiPath<(Uuid, String)>,
) -> Result<StatusCode, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Editor).await?;
    let scope = parse_scope(&scope)?;
    state.store().delete_doc_template(id, scope).await?;
    state
        .audit(
            Some(caller.user.id),
            &client,
            AuditEvent {
                action: "doc_template.delete",
                workspace_id: Some(id),
                resource_type: "doc_template",
                resource_id: Some(scope.to_string()),
                details: json!({}),
            },
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DownloadFormat {
    /// The Markdown docs set, as `carta doc` writes it, with people's text.
    #[default]
    Zip,
    /// The static HTML site, with people's text on each page.
    Html,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DownloadQuery {
    /// `zip` (Markdown, default) or `html`.
    #[param(inline)]
    format: Option<DownloadFormat>,
}

/// The connection's docs as a zip (any member): the Markdown files with
/// the documents' text as people left it (markers removed), diagrams and
/// `schema.json`; or the static HTML site with people's text added to each
/// table's page (and the overview's). Orphaned documents are included.
#[utoipa::path(get, path = "/workspaces/{id}/connections/{cid}/docs/download", tag = "docs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("cid" = Uuid, Path, description = "connection id"), DownloadQuery),
    responses((status = 200, description = "a zip file", content_type = "application/zip"),
        (status = 404, description = "no documents generated yet", body = ErrorBody)))]
pub async fn download_docs(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, cid)): ApiPath<(Uuid, Uuid)>,
    ApiQuery(query): ApiQuery<DownloadQuery>,
) -> Result<Response, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Viewer).await?;
    let connection = state
        .store()
        .connection(id, cid)
        .await?
        .ok_or_else(|| ApiError::not_found("connection"))?;
    let docs = state
        .store()
        .docs(DocFilter {
            workspace_id: id,
            connection_id: Some(cid),
            scope: None,
            orphaned: None,
        })
        .await?;
    let version = docs
        .iter()
        .filter(|d| d.orphaned_at.is_none())
        .map(|d| d.version)
        .max()
        .ok_or_else(|| ApiError::not_found("documents of this connection (generate them first)"))?;
    let (_, catalog) = version_catalog(&state, id, cid, version).await?;
    let templates = state.store().doc_templates(id).await?;
    let format = query.format.unwrap_or_default();
    let zipped = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, String> {
        let files = match format {
            DownloadFormat::Zip => {
                let (_, mut files) =
                    render_pages(&catalog, &templates).map_err(|e| e.to_string())?;
                for doc in &docs {
                    files.insert(doc.path.clone(), without_markers(&doc.content_md));
                }
                files
            }
            DownloadFormat::Html => html_site(&catalog, &docs)?,
        };
        zip(&files)
    })
    .await
    .map_err(|e| ApiError::internal(&e))?
    .map_err(|e| ApiError::internal(&e))?;
    let suffix = match format {
        DownloadFormat::Zip => "markdown",
        DownloadFormat::Html => "html",
    };
    let file_name = format!(
        "carta-docs-{}-v{version}-{suffix}.zip",
        safe_file_stem(&connection.name)
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        zipped,
    )
        .into_response())
}

/// ASCII letters, digits, `-` and `_`, at most 60: safe in a header and on
/// every file system.
fn safe_file_stem(name: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(60)
        .collect();
    if stem.trim_matches('-').is_empty() {
        "connection".to_string()
    } else {
        stem
    }
}

/// carta-doc's HTML site, with each document's human text (rendered from
/// Markdown, raw HTML escaped) on its table's page, or on the overview for
/// the other documents.
fn html_site(catalog: &carta_catalog::Catalog, docs: &[Doc]) -> Result<DocSet, String> {
    let relations = catalog.relations();
    let mut site = carta_doc::html::render(catalog, &relations, &Default::default())
        .map_err(|e| e.to_string())?;
    let mut overview = String::new();
    for doc in docs {
        let human = human_text(&doc.content_md, &doc.generated_md);
        if human.is_empty() {
            continue;
        }
        let notes = markdown_html(&human);
        let page = doc
            .path
            .strip_suffix(".md")
            .filter(|_| doc.scope == DocScope::Table && doc.orphaned_at.is_none())
            .map(|stem| format!("{stem}.html"))
            .filter(|page| site.get(page).is_some());
        match page {
            Some(page) => insert_notes(&mut site, &page, &format!("<h2>Team notes</h2>\n{notes}")),
            None => {
                let title = if doc.object_key.is_empty() {
                    "Overview".to_string()
                } else {
                    format!("{} {}", doc.scope, doc.object_key)
                };
                let orphaned = if doc.orphaned_at.is_some() {
                    " (orphaned)"
                } else {
                    ""
                };
                overview.push_str(&format!(
                    "<h3>{}{orphaned}</h3>\n{notes}",
                    escape_html(&title)
                ));
            }
        }
    }
    if !overview.is_empty() {
        insert_notes(
            &mut site,
            "index.html",
            &format!("<h2>Team notes</h2>\n{overview}"),
        );
    }
    Ok(site)
}

/// Adds a section at the end of a page's `<main>`.
fn insert_notes(site: &mut DocSet, page: &str, html: &str) {
    let Some(text) = site
        .get(page)
        .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
    else {
        return;
    };
    let section = format!("<section class=\"team-notes\">\n{html}</section>\n");
    let updated = match text.rfind("</main>") {
        Some(at) => format!("{}{section}{}", &text[..at], &text[at..]),
        None => text + &section,
    };
    site.insert(page, updated);
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Markdown to HTML; raw HTML in it is shown as text, and links keep only
/// web, mail and relative targets, so a document cannot script the site.
fn markdown_html(markdown: &str) -> String {
    use pulldown_cmark::{CowStr, Event, Parser, Tag};
    let safe = |url: &CowStr<'_>| {
        let lower = url.trim().to_ascii_lowercase();
        !lower.contains(':')
            || ["http:", "https:", "mailto:"]
                .iter()
                .any(|scheme| lower.starts_with(scheme))
    };
    let events = Parser::new(markdown).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) if !safe(&dest_url) => Event::Start(Tag::Link {
            link_type,
            dest_url: CowStr::Borrowed("#"),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) if !safe(&dest_url) => Event::Start(Tag::Image {
            link_type,
            dest_url: CowStr::Borrowed("#"),
            title,
            id,
        }),
        other => other,
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

/// The files as a zip archive (deflate), in path order.
fn zip(files: &DocSet) -> Result<Vec<u8>, String> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for path in files.paths() {
        let bytes = files.get(path).unwrap_or_default();
        writer
            .start_file(path, options)
            .map_err(|e| format!("cannot add {path} to the zip: {e}"))?;
        writer
            .write_all(bytes)
            .map_err(|e| format!("cannot add {path} to the zip: {e}"))?;
    }
    let cursor = writer
        .finish()
        .map_err(|e| format!("cannot finish the zip: {e}"))?;
    Ok(cursor.into_inner())
}

/// Rates a document (any member); a second rating by the same user
/// replaces the first. 400 for a rating outside 1 to 5.
#[utoipa::path(post, path = "/workspaces/{id}/docs/{doc_id}/feedback", tag = "docs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("doc_id" = Uuid, Path, description = "document id")),
    request_body = RateDoc,
    responses((status = 201, body = FeedbackBody), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn rate_doc(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath((id, doc_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<RateDoc>,
) -> Result<(StatusCode, Json<FeedbackBody>), ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Viewer).await?;
    let rating = u8::try_from(body.rating)
        .ok()
        .filter(|r| (1..=carta_store::MAX_RATING).contains(r))
        .ok_or_else(|| ApiError::bad_request("rating must be 1 to 5"))?;
    if body.comment.chars().count() > MAX_COMMENT_CHARS {
        return Err(ApiError::bad_request(format!(
            "a comment may have at most {MAX_COMMENT_CHARS} characters"
        )));
    }
    let feedback = state
        .store()
        .rate_doc(NewDocFeedback {
            workspace_id: id,
            doc_id,
            user_id: caller.user.id,
            rating,
            comment: body.comment,
        })
        .await
        .map_err(|e| match e {
            carta_store::StoreError::NotFound => ApiError::not_found("document"),
            other => other.into(),
        })?;
    state
        .audit(
            Some(caller.user.id),
            &client,
            AuditEvent {
                action: "feedback.create",
                workspace_id: Some(id),
                resource_type: "doc",
                resource_id: Some(doc_id.to_string()),
                details: json!({ "rating": rating }),
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(feedback.into())))
}

fn average(ratings: impl Iterator<Item = (f64, u64)>) -> (u64, Option<f64>) {
    let (sum, count) = ratings.fold((0.0, 0), |(sum, count), (value, n)| {
        (sum + value * n as f64, count + n)
    });
    (count, (count > 0).then(|| sum / count as f64))
}

/// A document's ratings with their count and average (any member).
#[utoipa::path(get, path = "/workspaces/{id}/docs/{doc_id}/feedback", tag = "docs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("doc_id" = Uuid, Path, description = "document id")),
    responses((status = 200, body = DocFeedbackList), (status = 404, body = ErrorBody)))]
pub async fn list_feedback(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, doc_id)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<DocFeedbackList>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Viewer).await?;
    require_doc(&state, id, doc_id).await?;
    let feedback = state.store().doc_feedback(id, doc_id).await?;
    let (count, average) = average(feedback.iter().map(|f| (f64::from(f.rating), 1)));
    Ok(Json(DocFeedbackList {
        count: usize::try_from(count).unwrap_or(usize::MAX),
        average,
        feedback: feedback.into_iter().map(Into::into).collect(),
    }))
}

/// Every rated document of the workspace with its count and average, and
/// the workspace's overall average (any member).
#[utoipa::path(get, path = "/workspaces/{id}/feedback", tag = "docs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id")),
    responses((status = 200, body = WorkspaceFeedback), (status = 404, body = ErrorBody)))]
pub async fn workspace_feedback(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<WorkspaceFeedback>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Viewer).await?;
    let ratings = state.store().doc_ratings(id).await?;
    let (count, average) = average(ratings.iter().map(|r| (r.average, r.count)));
    Ok(Json(WorkspaceFeedback {
        count,
        average,
        documents: ratings.into_iter().map(Into::into).collect(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_html_escapes_raw_html_and_unsafe_links() {
        let html = markdown_html(
            "Hi <script>alert(1)</script> [x](javascript:alert(1)) [ok](https://carta.dev) [rel](../a.md)",
        );
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("href=\"https://carta.dev\""), "{html}");
        assert!(html.contains("href=\"../a.md\""), "{html}");
    }

    #[test]
    fn file_stems_are_safe() {
        assert_eq!(safe_file_stem("app db/\"prod\""), "app-db--prod-");
        assert_eq!(safe_file_stem("\"\""), "connection");
    }

    #[test]
    fn averages_weigh_counts() {
        assert_eq!(average([(4.0, 1), (1.0, 3)].into_iter()), (4, Some(1.75)));
        assert_eq!(average(std::iter::empty()), (0, None));
    }
}
