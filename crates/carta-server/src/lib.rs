//! `carta serve`: the platform's HTTP JSON API (axum) over a
//! [`carta_store::Store`]: accounts and tokens, workspaces and their
//! members, encrypted database connections, and the audit trail.
//!
//! [`router`] builds the whole application for a shared [`AppState`] (tests
//! drive it in process); [`serve`] runs it on a listener until a shutdown
//! future resolves; [`run`] does both from a [`ServerConfig`]. The OpenAPI
//! document is generated from the handlers ([`openapi`]) and served at
//! `/api/openapi.json`.

pub mod ask;
pub mod auth;
pub mod automations;
pub mod config;
pub mod delivery;
pub mod error;
pub mod events;
pub mod executions;
pub mod extract;
pub mod jobs;
pub mod living_docs;
pub mod mock_jobs;
pub mod model;
pub mod probe;
pub mod ratelimit;
pub mod routes;
pub mod state;
pub mod usage;

pub use config::{LogFormat, ServerConfig, DEFAULT_LISTEN, DEFAULT_STORE_URL};
pub use error::{ApiError, ErrorCode, ServerError};
pub use ratelimit::LoginLimits;
pub use state::AppState;

use axum::extract::{DefaultBodyLimit, Request};
use axum::Json;
use carta_store::Store;
use std::future::Future;
use std::net::SocketAddr;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The prefix of every API route.
pub const API_PREFIX: &str = "/api/v1";

#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "Carta API", description = "carta serve: accounts, workspaces, connections and audit."),
    tags(
        (name = "auth", description = "Login, sessions, the caller's account and API tokens"),
        (name = "users", description = "User administration (global admins)"),
        (name = "workspaces", description = "Workspaces"),
        (name = "members", description = "Workspace memberships and roles"),
        (name = "connections", description = "Encrypted database connections"),
        (name = "schemas", description = "Schema sync, versions, diffs and search"),
        (name = "jobs", description = "The job queue: syncs now, docs and mock data later"),
        (name = "ask", description = "Questions in plain language to validated SQL, and the workspace's LLM provider"),
        (name = "queries", description = "Read-only statements, executions, saved queries and their feedback"),
        (name = "mock", description = "Mock data jobs: rows loaded into a database or written as files"),
        (name = "webhooks", description = "Signed webhooks for workspace events, and their delivery log"),
        (name = "automations", description = "Scheduled and event-triggered syncs, docs, lint and webhook posts"),
        (name = "docs", description = "Living docs: generated, edited, versioned, templated, downloaded and rated"),
        (name = "usage", description = "API usage summaries and workspace quotas"),
        (name = "audit", description = "The append-only audit trail"),
        (name = "health", description = "Liveness and readiness"),
    ),
    components(schemas(error::ErrorBody, error::ErrorCode))
)]
struct ApiDoc;

/// Every route, with its OpenAPI description, before the state is attached.
fn api() -> OpenApiRouter<AppState> {
    use routes::{audit, auth, connections, health, jobs, members, schemas, users, workspaces};
    let v1 = OpenApiRouter::new()
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .routes(routes!(auth::change_password))
        .routes(routes!(auth::list_tokens, auth::create_token))
        .routes(routes!(auth::revoke_token))
        .routes(routes!(users::list_users, users::create_user))
        .routes(routes!(users::update_user))
        .routes(routes!(
            workspaces::list_workspaces,
            workspaces::create_workspace
        ))
        .routes(routes!(
            workspaces::get_workspace,
            workspaces::rename_workspace,
            workspaces::delete_workspace
        ))
        .routes(routes!(workspaces::restore_workspace))
        .routes(routes!(members::list_members, members::add_member))
        .routes(routes!(members::change_member, members::remove_member))
        .routes(routes!(
            connections::list_connections,
            connections::create_connection
        ))
        .routes(routes!(
            connections::get_connection,
            connections::update_connection,
            connections::delete_connection
        ))
        .routes(routes!(connections::test_connection))
        .routes(routes!(schemas::sync_connection))
        .routes(routes!(schemas::list_versions))
        .routes(routes!(schemas::get_version))
        .routes(routes!(schemas::diff_versions))
        .routes(routes!(schemas::search))
        .routes(routes!(jobs::create_job))
        .routes(routes!(jobs::get_job))
        .routes(routes!(jobs::cancel_job))
        .routes(routes!(routes::queries::run_query))
        .routes(routes!(routes::queries::executions))
        .routes(routes!(routes::queries::get_execution))
        .routes(routes!(routes::queries::cancel_execution))
        .routes(routes!(
            routes::queries::list_queries,
            routes::queries::create_query
        ))
        .routes(routes!(
            routes::queries::get_query,
            routes::queries::update_query,
            routes::queries::delete_query
        ))
        .routes(routes!(routes::queries::run_saved_query))
        .routes(routes!(routes::queries::query_executions))
        .routes(routes!(routes::queries::rate_query))
        .routes(routes!(routes::ask::get_llm, routes::ask::set_llm))
        .routes(routes!(routes::ask::ask_question))
        .routes(routes!(
            routes::mock_jobs::list_mock_jobs,
            routes::mock_jobs::create_mock_job
        ))
        .routes(routes!(routes::mock_jobs::get_mock_job))
        .routes(routes!(routes::mock_jobs::download_mock_file))
        .routes(routes!(
            routes::webhooks::list_webhooks,
            routes::webhooks::create_webhook
        ))
        .routes(routes!(
            routes::webhooks::get_webhook,
            routes::webhooks::update_webhook,
            routes::webhooks::delete_webhook
        ))
        .routes(routes!(routes::webhooks::rotate_secret))
        .routes(routes!(routes::webhooks::test_webhook))
        .routes(routes!(routes::webhooks::list_deliveries))
        .routes(routes!(
            routes::automations::list_automations,
            routes::automations::create_automation
        ))
        .routes(routes!(
            routes::automations::get_automation,
            routes::automations::update_automation,
            routes::automations::delete_automation
        ))
        .routes(routes!(routes::automations::run_automation))
        .merge(routes::docs::routes())
        .routes(routes!(routes::usage::get_quota, routes::usage::set_quota))
        .routes(routes!(routes::usage::workspace_usage))
        .routes(routes!(routes::usage::global_usage))
        .routes(routes!(audit::workspace_audit))
        .routes(routes!(audit::global_audit));
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest(API_PREFIX, v1)
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
}

/// The OpenAPI 3 document of the API, as served at `/api/openapi.json`.
pub fn openapi() -> OpenApi {
    with_security(api().split_for_parts().1)
}

fn with_security(mut doc: OpenApi) -> OpenApi {
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some("a session token from /auth/login or an API token"))
                .build(),
        ),
    );
    doc
}

/// The whole application: API routes, the OpenAPI document, JSON errors for
/// unknown routes and methods, the body size limit, request logs.
pub fn router(state: AppState) -> axum::Router {
    let meter = usage::Meter::new(state.store().clone());
    metered_router(state, meter)
}

/// [`router`] with the usage meter that [`serve`] flushes at shutdown.
fn metered_router(state: AppState, meter: usage::Meter) -> axum::Router {
    let (routes, document) = api().split_for_parts();
    let document = with_security(document);
    let body_limit = state.max_body_bytes();
    routes
        // Metered routes only: the OpenAPI document and unknown paths are not.
        .route_layer(axum::middleware::from_fn_with_state(meter, usage::track))
        .route(
            "/api/openapi.json",
            axum::routing::get(move || std::future::ready(Json(document.clone()))),
        )
        .fallback(|| async { ApiError::new(ErrorCode::NotFound, "no such route") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(ErrorCode::MethodNotAllowed, "method not allowed on this route")
        })
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(
            // Logs the path only, never the query string or headers: no
            // token or query value reaches the log.
            TraceLayer::new_for_http().make_span_with(|request: &Request| {
                tracing::info_span!("request", method = %request.method(), path = request.uri().path())
            }),
        )
        .layer(CatchPanicLayer::custom(|_| {
            axum::response::IntoResponse::into_response(ApiError::new(
                ErrorCode::Internal,
                "internal error",
            ))
        }))
        .with_state(state)
}

/// Serves the application on `listener`, with the job worker beside it,
/// until `shutdown` resolves; then lets requests in flight and the job
/// running finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let (stop_worker, worker_stop) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(jobs::run_worker(state.clone(), worker_stop));
    let deliveries = tokio::spawn(delivery::run_worker(state.clone(), stop_worker.subscribe()));
    let scheduler = tokio::spawn(automations::run_scheduler(
        state.clone(),
        stop_worker.subscribe(),
    ));
    let meter = usage::Meter::new(state.store().clone());
    let app =
        metered_router(state, meter.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(ServerError::Serve);
    meter.close().await;
    // An error only means the worker has already stopped.
    let _ = stop_worker.send(true);
    if let Err(error) = worker.await {
        tracing::error!(%error, "the job worker failed");
    }
    if let Err(error) = deliveries.await {
        tracing::error!(%error, "the webhook delivery worker failed");
    }
    if let Err(error) = scheduler.await {
        tracing::error!(%error, "the automation scheduler failed");
    }
    served
}

/// Opens the store (running its migrations), listens, and serves until
/// `shutdown` resolves. Installs the log subscriber unless one is already set.
pub async fn run(
    config: ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    init_logging(config.log_format);
    let store = Store::open(&config.store_url).await?;
    if store.row_security_bypassed().await? {
        tracing::warn!(
            "the store's PostgreSQL role is a superuser or has BYPASSRLS: row-level security \
             is not in force for it, only the server's own checks keep workspaces apart"
        );
    }
    let listen = config.listen;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|source| ServerError::Bind {
            addr: listen,
            source,
        })?;
    let state = AppState::new(store, config)?;
    let local = listener.local_addr().map_err(ServerError::Serve)?;
    tracing::info!(%local, "carta serve listening");
    serve(listener, state, shutdown).await?;
    tracing::info!("carta serve stopped");
    Ok(())
}

/// Logs to stderr as text or JSON lines, filtered by `RUST_LOG` (default
/// `info`). Does nothing when a subscriber is already installed.
pub fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // An error here only means a subscriber is already installed.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM, for [`run`]'s `shutdown`.
pub async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
