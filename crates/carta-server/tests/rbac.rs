//! The authorization matrix: every endpoint × every kind of caller, with the
//! exact status, on a fresh world per cell (so mutations do not interfere).
//! Non-members and members of other workspaces must get 404s that carry
//! nothing of the workspace, and no 2xx of theirs may mention it either.

mod common;

use axum::http::{Method, StatusCode};
use carta_server::AppState;
use carta_store::{
    ConnectionMode, DbType, MemberRole, NewConnection, Scope, Store, TokenKind, User, UserRole,
};
use common::{App, TempDir};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    GlobalAdmin,
    Owner,
    WorkspaceAdmin,
    Editor,
    Viewer,
    NonMember,
    OtherMember,
    Anonymous,
    ReadToken,
}

const CALLERS: [Caller; 9] = [
    Caller::GlobalAdmin,
    Caller::Owner,
    Caller::WorkspaceAdmin,
    Caller::Editor,
    Caller::Viewer,
    Caller::NonMember,
    Caller::OtherMember,
    Caller::Anonymous,
    Caller::ReadToken,
];

/// One workspace with a member of each role, a connection, a viewer to act
/// on, a user who is not a member yet, and tokens for every caller.
struct World {
    workspace: Uuid,
    workspace_name: String,
    connection: Uuid,
    connection_name: String,
    target: User,
    outsider: User,
    /// An API token of the owner's, for the revocation endpoint.
    owner_api_token: Uuid,
    tokens: Vec<(Caller, Option<String>)>,
}

impl World {
    async fn build(store: &Store, dir: &TempDir) -> World {
        let make = |name: &'static str, role| common::create_user(store, name, role);
        let global_admin = make("root", UserRole::Admin).await;
        let owner = make("owner", UserRole::Developer).await;
        let ws_admin = make("wsadmin", UserRole::Developer).await;
        let editor = make("editor", UserRole::Developer).await;
        let viewer = make("viewer", UserRole::Analyst).await;
        let non_member = make("stranger", UserRole::Developer).await;
        let other_member = make("neighbour", UserRole::Developer).await;
        let target = make("target", UserRole::Analyst).await;
        let outsider = make("outsider", UserRole::Analyst).await;

        let workspace_name = common::unique("secret-project-");
        let workspace = store
            .create_workspace(&workspace_name, owner.id)
            .await
            .expect("a workspace");
        for (user, role) in [
            (&ws_admin, MemberRole::Admin),
            (&editor, MemberRole::Editor),
            (&viewer, MemberRole::Viewer),
            (&target, MemberRole::Viewer),
        ] {
            store
                .add_member(workspace.id, user.id, role)
                .await
                .expect("a member");
        }
        store
            .create_workspace(&common::unique("next-door-"), other_member.id)
            .await
            .expect("another workspace");

        let keyring = carta_store::secrets::Keyring::from_env_or_file(Some(&common::key()), None)
            .expect("a keyring");
        let uri = format!("sqlite://{}", dir.0.join("missing.db").display());
        let connection_name = common::unique("warehouse-");
        let connection = store
            .create_connection(NewConnection {
                workspace_id: workspace.id,
                name: connection_name.clone(),
                db_type: DbType::Sqlite,
                mode: ConnectionMode::ReadOnly,
                uri: keyring.seal(&uri),
                redacted_uri: uri.clone(),
                created_by: Some(owner.id),
            })
            .await
            .expect("a connection");

        let owner_api =
            common::token(store, &owner, TokenKind::Api, &[Scope::Read, Scope::Write]).await;
        let owner_api_token = store
            .token_by_hash(&carta_store::secrets::token_hash(&owner_api))
            .await
            .expect("a lookup")
            .expect("the token")
            .id;
        let read_token = common::token(store, &owner, TokenKind::Api, &[Scope::Read]).await;
        let mut tokens = Vec::new();
        for (caller, user) in [
            (Caller::GlobalAdmin, &global_admin),
            (Caller::Owner, &owner),
            (Caller::WorkspaceAdmin, &ws_admin),
            (Caller::Editor, &editor),
            (Caller::Viewer, &viewer),
            (Caller::NonMember, &non_member),
            (Caller::OtherMember, &other_member),
        ] {
            tokens.push((caller, Some(common::session(store, user).await)));
        }
        tokens.push((Caller::Anonymous, None));
        tokens.push((Caller::ReadToken, Some(read_token)));
        World {
            workspace: workspace.id,
            workspace_name,
            connection: connection.id,
            connection_name,
            target,
            outsider,
            owner_api_token,
            tokens,
        }
    }

    fn token(&self, caller: Caller) -> Option<&str> {
        self.tokens
            .iter()
            .find(|(c, _)| *c == caller)
            .and_then(|(_, token)| token.as_deref())
    }

    fn fill(&self, template: &str) -> String {
        template
            .replace("{ws}", &self.workspace.to_string())
            .replace("{conn}", &self.connection.to_string())
            .replace("{target}", &self.target.id.to_string())
            .replace("{outsider_email}", &self.outsider.email)
            .replace("{owner_api_token}", &self.owner_api_token.to_string())
            .replace(
                "{fresh_email}",
                &format!("{}@example.com", common::unique("new")),
            )
    }

    /// What a caller outside the workspace must never see.
    fn secrets(&self) -> [String; 5] {
        [
            self.workspace.to_string(),
            self.workspace_name.clone(),
            self.connection_name.clone(),
            self.connection.to_string(),
            self.target.email.clone(),
        ]
    }
}

struct Case {
    method: Method,
    path: &'static str,
    body: Option<&'static str>,
    /// Soft-delete the workspace first (for restore).
    deleted: bool,
    /// In [`CALLERS`] order: admin, owner, ws admin, editor, viewer,
    /// non-member, other member, anonymous, read-only token.
    expected: [u16; 9],
}

const fn case(
    method: Method,
    path: &'static str,
    body: Option<&'static str>,
    expected: [u16; 9],
) -> Case {
    Case {
        method,
        path,
        body,
        deleted: false,
        expected,
    }
}

fn cases() -> Vec<Case> {
    vec![
        // Workspaces.
        case(
            Method::GET,
            "/api/v1/workspaces",
            None,
            [200, 200, 200, 200, 200, 200, 200, 401, 200],
        ),
        case(
            Method::GET,
            "/api/v1/workspaces?all=true&deleted=true",
            None,
            [200, 403, 403, 403, 403, 403, 403, 401, 403],
        ),
        case(
            Method::POST,
            "/api/v1/workspaces",
            Some(r#"{"name":"fresh"}"#),
            [201, 201, 201, 201, 403, 201, 201, 401, 403],
        ),
        case(
            Method::GET,
            "/api/v1/workspaces/{ws}",
            None,
            [200, 200, 200, 200, 200, 404, 404, 401, 200],
        ),
        case(
            Method::PATCH,
            "/api/v1/workspaces/{ws}",
            Some(r#"{"name":"renamed"}"#),
            [200, 200, 403, 403, 403, 404, 404, 401, 403],
        ),
        case(
            Method::DELETE,
            "/api/v1/workspaces/{ws}",
            None,
            [204, 204, 403, 403, 403, 404, 404, 401, 403],
        ),
        Case {
            deleted: true,
            ..case(
                Method::POST,
                "/api/v1/workspaces/{ws}/restore",
                None,
                [200, 403, 403, 403, 403, 403, 403, 401, 403],
            )
        },
        Case {
            deleted: true,
            ..case(
                Method::GET,
                "/api/v1/workspaces/{ws}",
                None,
                [404, 404, 404, 404, 404, 404, 404, 401, 404],
            )
        },
        // Members.
        case(
            Method::GET,
            "/api/v1/workspaces/{ws}/members",
            None,
            [200, 200, 200, 200, 200, 404, 404, 401, 200],
        ),
        case(
            Method::POST,
            "/api/v1/workspaces/{ws}/members",
            Some(r#"{"email":"{outsider_email}","role":"viewer"}"#),
            [201, 201, 201, 403, 403, 404, 404, 401, 403],
        ),
        case(
            Method::POST,
            "/api/v1/workspaces/{ws}/members",
            Some(r#"{"email":"{outsider_email}","role":"owner"}"#),
            [201, 201, 403, 403, 403, 404, 404, 401, 403],
        ),
        case(
            Method::PATCH,
            "/api/v1/workspaces/{ws}/members/{target}",
            Some(r#"{"role":"editor"}"#),
            [200, 200, 200, 403, 403, 404, 404, 401, 403],
        ),
        case(
            Method::PATCH,
            "/api/v1/workspaces/{ws}/members/{target}",
            Some(r#"{"role":"owner"}"#),
            [200, 200, 403, 403, 403, 404, 404, 401, 403],
        ),
        case(
            Method::DELETE,
            "/api/v1/workspaces/{ws}/members/{target}",
            None,
            [204, 204, 204, 403, 403, 404, 404, 401, 403],
        ),
        // Connections.
        case(
            Method::GET,
            "/api/v1/workspaces/{ws}/connections",
            None,
            [200, 200, 200, 200, 200, 404, 404, 401, 200],
        ),
        case(
            Method::POST,
            "/api/v1/workspaces/{ws}/connections",
            Some(r#"{"name":"new","db_type":"postgres","uri":"postgres://u:pw@db/app"}"#),
            [201, 201, 201, 403, 403, 404, 404, 401, 403],
        ),
        case(
            Method::GET,
            "/api/v1/workspaces/{ws}/connections/{conn}",
            None,
            [200, 200, 200, 200, 200, 404, 404, 401, 200],
        ),
        case(
            Method::PATCH,
            "/api/v1/workspaces/{ws}/connections/{conn}",
            Some(r#"{"mode":"read-write"}"#),
            [200, 200, 200, 403, 403, 404, 404, 401, 403],
        ),
        case(
            Method::DELETE,
            "/api/v1/workspaces/{ws}/connections/{conn}",
            None,
            [204, 204, 204, 403, 403, 404, 404, 401, 403],
        ),
        case(
            Method::POST,
            "/api/v1/workspaces/{ws}/connections/{conn}/test",
            None,
            [200, 200, 200, 200, 403, 404, 404, 401, 403],
        ),
        // Schema history and jobs.
        case(
            Method::POST,
            "/api/v1/workspaces/{ws}/connections/{conn}/sync",
            None,
            [202, 202, 202, 202, 403, 404, 404, 401, 403],
        ),
        case(
            Method::POST,
            "/api/v1/workspaces/{ws}/jobs",
            Some(r#"{"kind":"sync","connection_id":"{conn}"}"#),
            [202, 202, 202, 202, 403, 404, 404, 401, 403],
        ),
        case(
            Method::POST,
            "/api/v1/workspaces/{ws}/jobs",
            Some(r#"{"kind":"mock","connection_id":"{conn}"}"#),
            [400, 400, 400, 400, 403, 404, 404, 401, 403],
        ),
        // Living docs.
        case(
            Method::POST,
            "/api/v1/workspaces/{ws}/connections/{conn}/docs/generate",
            None,
            [202, 202, 202, 202, 403, 404, 404, 401, 403],
        ),
        case(
            Method::POST,
            "/api/v1/workspaces/{ws}/jobs",
            Some(r#"{"kind":"docs","connection_id":"{conn}"}"#),
            [202, 202, 202, 202, 403, 404, 404, 401, 403],
        ),
        case(
            Method::GET,
            "/api/v1/workspaces/{ws}/docs",
            None,
            [200, 200, 200, 200, 200, 404, 404, 401, 200],
        ),
        case(
            Method::GET,
            "/api/v1/workspaces/{ws}/doc-templates/table",
            None,
            [200, 200, 200, 200, 403, 404, 404, 401, 200],
        ),
        case(
            Method::PUT,
            "/api/v1/workspaces/{ws}/doc-templates/enum",
            Some(r#"{"source":"Enum {{ enum.name.name }}"}"#),
            [200, 200, 200, 200, 403, 404, 404, 401, 403],
        ),
        case(
            Method::GET,
            "/api/v1/workspaces/{ws}/feedback",
            None,
            [200, 200, 200, 200, 200, 404, 404, 401, 200],
        ),
        case(
            Method::GET,
            "/api/v1/workspaces/{ws}/connections/{conn}/versions",
            None,
            [200, 200, 200, 200, 200, 404, 404, 401, 200],
        ),
        case(
            Method::GET,
            "/api/v1/workspaces/{ws}/search?q=orders",
            None,
            [200, 200, 200, 200, 200, 404, 404, 401, 200],
        ),
        // Audit.
        case(
            Method::GET,
            "/api/v1/workspaces/{ws}/audit",
            None,
            [200, 200, 200, 403, 403, 404, 404, 401, 200],
        ),
        case(
            Method::GET,
            "/api/v1/audit",
            None,
            [200, 403, 403, 403, 403, 403, 403, 401, 403],
        ),
        // Users.
        case(
            Method::GET,
            "/api/v1/users",
            None,
            [200, 403, 403, 403, 403, 403, 403, 401, 403],
        ),
        case(
            Method::POST,
            "/api/v1/users",
            Some(
                r#"{"email":"{fresh_email}","full_name":"New","password":"long enough password","role":"analyst"}"#,
            ),
            [201, 403, 403, 403, 403, 403, 403, 401, 403],
        ),
        case(
            Method::PATCH,
            "/api/v1/users/{target}",
            Some(r#"{"role":"developer"}"#),
            [200, 403, 403, 403, 403, 403, 403, 401, 403],
        ),
        // The caller's own account.
        case(
            Method::GET,
            "/api/v1/me",
            None,
            [200, 200, 200, 200, 200, 200, 200, 401, 200],
        ),
        case(
            Method::GET,
            "/api/v1/me/tokens",
            None,
            [200, 200, 200, 200, 200, 200, 200, 401, 200],
        ),
        case(
            Method::POST,
            "/api/v1/me/tokens",
            Some(r#"{"name":"ci","scopes":["read"]}"#),
            [201, 201, 201, 201, 201, 201, 201, 401, 403],
        ),
        case(
            Method::DELETE,
            "/api/v1/me/tokens/{owner_api_token}",
            None,
            [404, 204, 404, 404, 404, 404, 404, 401, 403],
        ),
        case(
            Method::POST,
            "/api/v1/me/password",
            Some(r#"{"current_password":"not the password","new_password":"another long one"}"#),
            [403, 403, 403, 403, 403, 403, 403, 401, 403],
        ),
        case(
            Method::POST,
            "/api/v1/auth/logout",
            None,
            [204, 204, 204, 204, 204, 204, 204, 401, 403],
        ),
    ]
}

#[tokio::test]
async fn every_endpoint_for_every_caller() {
    let (store, dir) = common::sqlite_store().await;
    let app = App::new(AppState::new(store.clone(), common::config("unused")).expect("a state"));
    let mut failures = Vec::new();
    for case in cases() {
        for (column, caller) in CALLERS.into_iter().enumerate() {
            let world = World::build(&store, &dir).await;
            if case.deleted {
                store
                    .delete_workspace(world.workspace, time::OffsetDateTime::now_utc())
                    .await
                    .expect("deleted");
            }
            let path = world.fill(case.path);
            let body = case
                .body
                .map(|body| serde_json::from_str(&world.fill(body)).expect("a JSON body"));
            let reply = app
                .call(case.method.clone(), &path, world.token(caller), body)
                .await;
            let expected = StatusCode::from_u16(case.expected[column]).expect("a status");
            let label = format!("{} {} as {caller:?}", case.method, case.path);
            if reply.status != expected {
                failures.push(format!(
                    "{label}: {} (expected {expected}): {}",
                    reply.status, reply.text
                ));
                continue;
            }
            if !reply.status.is_success() {
                // Errors are the JSON error shape, nothing else.
                let body = reply.json();
                let error = body["error"].as_object().expect("an error object");
                assert_eq!(body.as_object().map(|b| b.len()), Some(1), "{label}");
                assert_eq!(error.len(), 2, "{label}: {}", reply.text);
            }
            if matches!(caller, Caller::NonMember | Caller::OtherMember) {
                for secret in world.secrets() {
                    if reply.text.contains(&secret) {
                        failures.push(format!("{label} leaks {secret}: {}", reply.text));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} cells differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A member of workspace A naming, under A's own path, a connection of B or
/// a user who is only in B gets 404 with nothing of B, and B is unchanged.
#[tokio::test]
async fn resources_of_another_workspace_are_not_found_under_ones_own() {
    let (store, dir) = common::sqlite_store().await;
    let app = App::new(AppState::new(store.clone(), common::config("unused")).expect("a state"));
    let owner_a = common::create_user(&store, "owner-a", UserRole::Developer).await;
    let owner_b = common::create_user(&store, "owner-b", UserRole::Developer).await;
    let only_b = common::create_user(&store, "only-b", UserRole::Analyst).await;
    let root = common::create_user(&store, "root", UserRole::Admin).await;
    let a = store
        .create_workspace(&common::unique("alpha-"), owner_a.id)
        .await
        .expect("workspace A");
    let b_name = common::unique("bravo-");
    let b = store
        .create_workspace(&b_name, owner_b.id)
        .await
        .expect("workspace B");
    store
        .add_member(b.id, only_b.id, MemberRole::Viewer)
        .await
        .expect("a member of B");
    let keyring = carta_store::secrets::Keyring::from_env_or_file(Some(&common::key()), None)
        .expect("a keyring");
    let uri = format!("sqlite://{}", dir.0.join("b.db").display());
    let connection_name = common::unique("bravo-warehouse-");
    let connection_b = store
        .create_connection(NewConnection {
            workspace_id: b.id,
            name: connection_name.clone(),
            db_type: DbType::Sqlite,
            mode: ConnectionMode::ReadOnly,
            uri: keyring.seal(&uri),
            redacted_uri: uri.clone(),
            created_by: Some(owner_b.id),
        })
        .await
        .expect("a connection of B");
    let connection = format!(
        "/api/v1/workspaces/{}/connections/{}",
        a.id, connection_b.id
    );
    let member = format!("/api/v1/workspaces/{}/members/{}", a.id, only_b.id);
    let requests = [
        (Method::GET, connection.clone(), None),
        (
            Method::PATCH,
            connection.clone(),
            Some(serde_json::json!({ "name": "taken" })),
        ),
        (Method::DELETE, connection.clone(), None),
        (Method::POST, format!("{connection}/test"), None),
        (
            Method::PATCH,
            member.clone(),
            Some(serde_json::json!({ "role": "owner" })),
        ),
        (Method::DELETE, member, None),
    ];
    let secrets = [
        b.id.to_string(),
        b_name,
        connection_name.clone(),
        uri,
        only_b.email.clone(),
        only_b.full_name.clone(),
    ];
    for user in [&owner_a, &root] {
        let token = common::session(&store, user).await;
        for (method, path, body) in &requests {
            let reply = app
                .call(method.clone(), path, Some(&token), body.clone())
                .await;
            let label = format!("{method} {path} as {}", user.full_name);
            assert_eq!(
                reply.status,
                StatusCode::NOT_FOUND,
                "{label}: {}",
                reply.text
            );
            assert_eq!(reply.error_code(), "not_found", "{label}");
            for secret in &secrets {
                assert!(
                    !reply.text.contains(secret.as_str()),
                    "{label} leaks {secret}: {}",
                    reply.text
                );
            }
        }
    }
    let unchanged = store
        .connection(b.id, connection_b.id)
        .await
        .expect("a lookup")
        .expect("B's connection is still there");
    assert_eq!(unchanged.name, connection_name);
    assert_eq!(unchanged.last_tested_at, None);
    let membership = store
        .membership(b.id, only_b.id)
        .await
        .expect("a lookup")
        .expect("still a member of B");
    assert_eq!(membership.role, MemberRole::Viewer);
    assert!(store
        .membership(a.id, only_b.id)
        .await
        .expect("a lookup")
        .is_none());
}
