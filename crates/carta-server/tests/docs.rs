//! Living docs over real HTTP, with the job worker of a running server and
//! a real PostgreSQL target holding seed 000, on both stores: sync,
//! generate, edit a table's document, change the target's schema, sync and
//! regenerate; the hand edits stay, the untouched generated parts refresh,
//! the dropped table's document is orphaned; revisions, templates,
//! downloads, feedback, roles.

mod common;

use axum::http::{Method, StatusCode};
use carta_server::AppState;
use carta_store::{MemberRole, Store, UserRole};
use common::{Client, Running};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Read;

const HUMAN: &str = "Every paying customer is an org; see the billing runbook.";
const REWRITTEN: &str = "# Orgs\n\nOur customers, in our own words.\n";

/// The documents of the workspace by object key.
async fn docs(client: &Client, token: &str, ws: &str, query: &str) -> BTreeMap<String, Value> {
    let reply = client
        .send(Method::GET, &format!("{ws}/docs{query}"), Some(token), None)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply
        .json()
        .as_array()
        .expect("a list")
        .iter()
        .map(|d| {
            (
                d["object_key"].as_str().expect("a key").to_string(),
                d.clone(),
            )
        })
        .collect()
}

async fn doc(client: &Client, token: &str, ws: &str, id: &str) -> Value {
    let reply = client
        .send(Method::GET, &format!("{ws}/docs/{id}"), Some(token), None)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.json()
}

/// The body of one marked section of a document.
fn section<'a>(content: &'a str, name: &str) -> &'a str {
    let begin = format!("<!-- carta:begin {name} -->\n");
    let end = format!("<!-- carta:end {name} -->");
    let start = content
        .find(&begin)
        .unwrap_or_else(|| panic!("no section {name} in {content}"))
        + begin.len();
    let stop = content[start..].find(&end).expect("its end") + start;
    &content[start..stop]
}

/// The files of a zip download, checking its headers.
async fn download(client: &Client, token: &str, url: &str, name: &str) -> BTreeMap<String, String> {
    let response = client
        .http
        .get(format!("{}{url}", client.base))
        .bearer_auth(token)
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "application/zip");
    assert_eq!(
        headers["content-disposition"],
        format!("attachment; filename=\"{name}\"").as_str()
    );
    let bytes = response.bytes().await.expect("a body");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a valid zip");
    let mut files = BTreeMap::new();
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).expect("an entry");
        let mut text = String::new();
        file.read_to_string(&mut text).expect("UTF-8 text");
        files.insert(file.name().expect("a UTF-8 name").to_string(), text);
    }
    files
}

async fn living_docs(store: Store) {
    let owner = common::create_user(&store, "owner", UserRole::Developer).await;
    let editor = common::create_user(&store, "editor", UserRole::Developer).await;
    let viewer = common::create_user(&store, "viewer", UserRole::Analyst).await;
    let outsider = common::create_user(&store, "outsider", UserRole::Developer).await;
    let workspace = store.create_workspace("Orko", owner.id).await.unwrap();
    for (user, role) in [(&editor, MemberRole::Editor), (&viewer, MemberRole::Viewer)] {
        store.add_member(workspace.id, user.id, role).await.unwrap();
    }
    store
        .create_workspace("Elsewhere", outsider.id)
        .await
        .unwrap();
    let owner_token = common::session(&store, &owner).await;
    let editor_token = common::session(&store, &editor).await;
    let viewer_token = common::session(&store, &viewer).await;
    let outsider_token = common::session(&store, &outsider).await;
    let audit_store = store.clone();

    let server =
        Running::start(AppState::new(store, common::config("unused")).expect("a state")).await;
    let client = Client::new(&server);
    let ws = format!("/api/v1/workspaces/{}", workspace.id);

    let target = carta_testkit::PgDatabase::create();
    target.execute(include_str!("../../../examples/seeds/000_orko.sql"));
    let cid = client
        .create_connection(
            &owner_token,
            &ws,
            json!({ "name": "orko", "db_type": "postgres", "uri": target.url() }),
        )
        .await;

    // Generating before any sync fails the job, saying why.
    let early = client
        .send(
            Method::POST,
            &format!("{ws}/connections/{cid}/docs/generate"),
            Some(&editor_token),
            None,
        )
        .await;
    assert_eq!(early.status, StatusCode::ACCEPTED, "{}", early.text);
    let early = client
        .finished_job(&editor_token, &ws, early.json()["id"].as_str().unwrap())
        .await;
    assert_eq!(early["status"], "failed");
    assert!(
        early["error"].as_str().unwrap().contains("sync it first"),
        "{early}"
    );

    client.synced(&owner_token, &ws, &cid).await;
    let refused = client
        .send(
            Method::POST,
            &format!("{ws}/connections/{cid}/docs/generate"),
            Some(&viewer_token),
            None,
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);
    let first = client
        .send(
            Method::POST,
            &format!("{ws}/jobs"),
            Some(&editor_token),
            Some(json!({ "kind": "docs", "connection_id": cid })),
        )
        .await;
    let first = client.completed_job(&editor_token, &ws, first).await;
    assert_eq!(first["kind"], "docs");
    assert_eq!(first["progress"], 100);
    let created = first["result"]["created"].as_u64().unwrap();
    assert_eq!(first["result"]["documents"].as_u64(), Some(created));
    assert_eq!(first["result"]["orphaned"], json!([]));

    let listed = docs(
        &client,
        &viewer_token,
        &ws,
        &format!("?connection_id={cid}"),
    )
    .await;
    assert_eq!(listed.len() as u64, created);
    for (key, scope) in [
        ("", "overview"),
        ("orko", "schema"),
        ("orko.orgs", "table"),
        ("orko.feedback", "table"),
        ("orko.status", "enum"),
    ] {
        assert_eq!(listed[key]["scope"], scope, "{key}: {:?}", listed.get(key));
    }
    assert_eq!(listed["orko.orgs"]["path"], "tables/orko.orgs.md");
    let tables = docs(&client, &viewer_token, &ws, "?scope=table").await;
    assert!(tables.values().all(|d| d["scope"] == "table"));
    assert!(tables.contains_key("orko.orgs") && !tables.contains_key("orko"));
    let bad_scope = client
        .send(
            Method::GET,
            &format!("{ws}/docs?scope=column"),
            Some(&viewer_token),
            None,
        )
        .await;
    assert_eq!(
        bad_scope.status,
        StatusCode::BAD_REQUEST,
        "{}",
        bad_scope.text
    );

    let orgs_id = listed["orko.orgs"]["id"].as_str().unwrap().to_string();
    let feedback_id = listed["orko.feedback"]["id"].as_str().unwrap().to_string();
    let orgs = doc(&client, &viewer_token, &ws, &orgs_id).await;
    assert_eq!(orgs["revision"], 1);
    assert_eq!(orgs["updated_by"], Value::Null);
    assert_eq!(orgs["template"], "builtin:table.md.j2");
    let original = orgs["content_md"].as_str().unwrap().to_string();
    assert!(
        section(&original, "columns").contains("`domain`"),
        "{original}"
    );
    assert!(!original.contains("churn_risk"));

    // A person rewrites the summary and adds a paragraph of their own.
    let summary = section(&original, "summary").to_string();
    let edited = original.replacen(&summary, REWRITTEN, 1).replacen(
        "<!-- carta:end summary -->\n",
        &format!("<!-- carta:end summary -->\n\n{HUMAN}\n"),
        1,
    );
    let path = format!("{ws}/docs/{orgs_id}");
    let put = |token: &str, body: Value| {
        let token = token.to_string();
        let (client, path) = (&client, &path);
        async move {
            client
                .send(Method::PUT, path, Some(&token), Some(body))
                .await
        }
    };
    let (editor_token, viewer_token) = (editor_token.as_str(), viewer_token.as_str());
    let saved = put(
        editor_token,
        json!({ "content_md": edited, "expected_revision": 1 }),
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text);
    assert_eq!(saved.json()["revision"], 2);
    assert_eq!(saved.json()["updated_by"], json!(editor.id));
    let stale = put(
        editor_token,
        json!({ "content_md": "lost update", "expected_revision": 1 }),
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.text);
    let viewer_edit = put(viewer_token, json!({ "content_md": "vandalism" })).await;
    assert_eq!(
        viewer_edit.status,
        StatusCode::FORBIDDEN,
        "{}",
        viewer_edit.text
    );
    let nul = put(editor_token, json!({ "content_md": "a\u{0}b" })).await;
    assert_eq!(nul.status, StatusCode::BAD_REQUEST, "{}", nul.text);
    let huge = put(
        editor_token,
        json!({ "content_md": "x".repeat(1024 * 1024 + 1) }),
    )
    .await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", huge.text);
    for (method, path) in [
        (Method::GET, format!("{ws}/docs/{orgs_id}")),
        (Method::GET, format!("{ws}/docs")),
        (Method::GET, format!("{ws}/docs/{orgs_id}/revisions")),
        (Method::GET, format!("{ws}/connections/{cid}/docs/download")),
        (Method::PUT, format!("{ws}/doc-templates/table")),
    ] {
        let body = (method == Method::PUT).then(|| json!({ "source": "x" }));
        let hidden = client
            .send(method, &path, Some(&outsider_token), body)
            .await;
        assert_eq!(
            hidden.status,
            StatusCode::NOT_FOUND,
            "{path}: {}",
            hidden.text
        );
    }

    // A workspace template for tables: invalid ones are refused with their line.
    let broken = client
        .send(
            Method::PUT,
            &format!("{ws}/doc-templates/table"),
            Some(editor_token),
            Some(json!({ "source": "# {{ table.name.name }}\n{% for c in table.columns %}\n" })),
        )
        .await;
    assert_eq!(broken.status, StatusCode::BAD_REQUEST, "{}", broken.text);
    assert!(
        broken.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("line"),
        "{}",
        broken.text
    );
    let viewer_template = client
        .send(
            Method::GET,
            &format!("{ws}/doc-templates/table"),
            Some(viewer_token),
            None,
        )
        .await;
    assert_eq!(viewer_template.status, StatusCode::FORBIDDEN);
    let builtin = client
        .send(
            Method::GET,
            &format!("{ws}/doc-templates/table"),
            Some(editor_token),
            None,
        )
        .await
        .json();
    assert_eq!(builtin["custom"], false);
    let custom = format!(
        "{}\n## Ownership\n\nOwned by the data team.\n",
        builtin["source"].as_str().unwrap()
    );
    let set = client
        .send(
            Method::PUT,
            &format!("{ws}/doc-templates/table"),
            Some(editor_token),
            Some(json!({ "source": custom })),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text);
    assert_eq!(set.json()["custom"], true);

    // The target changes: a column added, a table dropped.
    target.execute(
        "ALTER TABLE orko.orgs ADD COLUMN churn_risk numeric;
         COMMENT ON COLUMN orko.orgs.churn_risk IS 'Likelihood the org leaves';
         DROP TABLE orko.feedback;",
    );
    assert_eq!(
        client.synced(&owner_token, &ws, &cid).await["result"]["version"],
        2
    );
    let again = client
        .send(
            Method::POST,
            &format!("{ws}/connections/{cid}/docs/generate"),
            Some(editor_token),
            None,
        )
        .await;
    let again = client.completed_job(editor_token, &ws, again).await;
    let result = &again["result"];
    assert_eq!(result["version"], 2);
    assert_eq!(result["orphaned"], json!(["orko.feedback"]));
    assert_eq!(
        result["kept_edits"],
        json!([{ "doc_id": orgs_id, "scope": "table", "object_key": "orko.orgs", "sections": ["summary"] }])
    );

    let orgs = doc(&client, viewer_token, &ws, &orgs_id).await;
    let content = orgs["content_md"].as_str().unwrap();
    assert_eq!(section(content, "summary"), REWRITTEN);
    assert!(
        content.contains(&format!("<!-- carta:end summary -->\n\n{HUMAN}\n")),
        "{content}"
    );
    assert!(
        section(content, "columns").contains("`churn_risk`"),
        "{content}"
    );
    assert!(section(content, "columns").contains("Likelihood the org leaves"));
    assert!(
        section(content, "ownership").contains("Owned by the data team."),
        "{content}"
    );
    assert_eq!(orgs["version"], 2);
    assert_eq!(orgs["revision"], 3);
    assert_eq!(orgs["template"], "workspace:table.md.j2");
    // Untouched documents became the new generated text, template included.
    let users = docs(&client, viewer_token, &ws, "?scope=table").await["orko.users"].clone();
    let users = doc(&client, viewer_token, &ws, users["id"].as_str().unwrap()).await;
    assert!(users["content_md"]
        .as_str()
        .unwrap()
        .contains("Owned by the data team."));

    let feedback = doc(&client, viewer_token, &ws, &feedback_id).await;
    assert!(feedback["orphaned_at"].is_string(), "{feedback}");
    assert!(feedback["content_md"]
        .as_str()
        .unwrap()
        .contains("`rating`"));
    let orphans = docs(&client, viewer_token, &ws, "?orphaned=true").await;
    assert_eq!(orphans.keys().collect::<Vec<_>>(), ["orko.feedback"]);
    let live = docs(&client, viewer_token, &ws, "?orphaned=false").await;
    assert!(live.contains_key("orko.orgs") && !live.contains_key("orko.feedback"));

    // Revisions: the generator, the editor, the generator again.
    let revisions = client
        .send(
            Method::GET,
            &format!("{ws}/docs/{orgs_id}/revisions"),
            Some(viewer_token),
            None,
        )
        .await;
    assert_eq!(revisions.status, StatusCode::OK, "{}", revisions.text);
    let authors: Vec<(u64, Value)> = revisions
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["revision"].as_u64().unwrap(), r["author_id"].clone()))
        .collect();
    assert_eq!(
        authors,
        [(1, Value::Null), (2, json!(editor.id)), (3, Value::Null)]
    );
    let second = client
        .send(
            Method::GET,
            &format!("{ws}/docs/{orgs_id}/revisions/2"),
            Some(viewer_token),
            None,
        )
        .await
        .json();
    assert!(second["content_md"].as_str().unwrap().contains(HUMAN));
    assert!(!second["content_md"]
        .as_str()
        .unwrap()
        .contains("churn_risk"));
    let missing = client
        .send(
            Method::GET,
            &format!("{ws}/docs/{orgs_id}/revisions/9"),
            Some(viewer_token),
            None,
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    // Downloads: the Markdown set and the HTML site, with the human text.
    let markdown = download(
        &client,
        viewer_token,
        &format!("{ws}/connections/{cid}/docs/download?format=zip"),
        "carta-docs-orko-v2-markdown.zip",
    )
    .await;
    let page = &markdown["tables/orko.orgs.md"];
    assert!(
        page.contains(HUMAN) && page.contains("churn_risk"),
        "{page}"
    );
    assert!(!page.contains("carta:begin"), "{page}");
    for file in [
        "README.md",
        "schemas/orko.md",
        "schema.json",
        "tables/orko.feedback.md",
    ] {
        assert!(markdown.contains_key(file), "{file}: {:?}", markdown.keys());
    }
    let html = download(
        &client,
        viewer_token,
        &format!("{ws}/connections/{cid}/docs/download?format=html"),
        "carta-docs-orko-v2-html.zip",
    )
    .await;
    let page = &html["tables/orko.orgs.html"];
    assert!(page.contains(&format!("<p>{HUMAN}</p>")), "{page}");
    assert!(page.contains("Our customers, in our own words."));
    assert!(html.contains_key("index.html") && html.contains_key("assets/carta.css"));

    // Feedback: any member rates, a second rating replaces the first.
    let path = format!("{ws}/docs/{orgs_id}/feedback");
    let rate = |token: &str, rating: i64, comment: &str| {
        let body = json!({ "rating": rating, "comment": comment });
        let token = token.to_string();
        let (client, path) = (&client, &path);
        async move {
            client
                .send(Method::POST, path, Some(&token), Some(body))
                .await
        }
    };
    assert_eq!(
        rate(viewer_token, 4, "clear").await.status,
        StatusCode::CREATED
    );
    assert_eq!(rate(editor_token, 5, "").await.status, StatusCode::CREATED);
    assert_eq!(
        rate(viewer_token, 2, "outdated now").await.status,
        StatusCode::CREATED
    );
    for bad in [0, 6, -1] {
        let refused = rate(viewer_token, bad, "").await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text);
    }
    let listed = client
        .send(
            Method::GET,
            &format!("{ws}/docs/{orgs_id}/feedback"),
            Some(viewer_token),
            None,
        )
        .await
        .json();
    assert_eq!(listed["count"], 2);
    assert_eq!(listed["average"], 3.5);
    assert_eq!(listed["feedback"][0]["comment"], "outdated now");
    let summary = client
        .send(
            Method::GET,
            &format!("{ws}/feedback"),
            Some(viewer_token),
            None,
        )
        .await
        .json();
    assert_eq!(
        (summary["count"].clone(), summary["average"].clone()),
        (json!(2), json!(3.5))
    );
    assert_eq!(summary["documents"][0]["object_key"], "orko.orgs");
    let foreign = client
        .send(
            Method::POST,
            &format!("{ws}/docs/{orgs_id}/feedback"),
            Some(&outsider_token),
            Some(json!({ "rating": 1 })),
        )
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);

    let audits = audit_store
        .audits(carta_store::AuditFilter {
            workspace_id: Some(workspace.id),
            ..Default::default()
        })
        .await
        .unwrap();
    for action in [
        "doc.generate",
        "doc.edit",
        "doc_template.set",
        "feedback.create",
    ] {
        assert!(
            audits.iter().any(|a| a.action == action),
            "{action} not audited"
        );
    }
    assert_eq!(audits.iter().filter(|a| a.action == "doc.edit").count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn living_docs_on_sqlite() {
    let (store, _dir) = common::sqlite_store().await;
    living_docs(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn living_docs_on_postgres() {
    let database = carta_testkit::PgDatabase::create();
    let store = Store::open(&database.url())
        .await
        .expect("a PostgreSQL store");
    living_docs(store).await;
}
