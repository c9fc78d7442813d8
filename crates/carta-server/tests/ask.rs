//! The ask endpoint end to end over real HTTP: a real PostgreSQL target
//! holding seed 000 filled by a mock job, synced; a local fake
//! OpenAI-compatible provider; the workspace's sealed key. Asking before a
//! provider or a sync is a 409; an answer is validated (EXPLAIN), saved
//! privately, run only when asked, and its tokens recorded; hostile model
//! output is refused and never executed; a well-rated answer becomes an
//! example for the next question; the key never comes back.

mod common;

#[path = "../../carta-ask/tests/support/fake_provider.rs"]
mod fake_provider;

use axum::http::{Method, StatusCode};
use carta_server::AppState;
use carta_store::{MemberRole, UserRole};
use common::{Client, Reply, Running};
use fake_provider::FakeProvider;
use serde_json::{json, Value};

const KEY: &str = "sk-test-Secret-4f7a9";
const QUESTION: &str = "How many orgs are there?";

fn answer(sql: &str, explanation: &str) -> fake_provider::Reply {
    fake_provider::Reply::answer(&format!("```sql\n{sql}\n```\n{explanation}"))
}

/// Every response text seen, to look for the key in.
#[derive(Default)]
struct Seen(Vec<String>);

impl Seen {
    fn keep(&mut self, reply: Reply) -> Reply {
        self.0.push(reply.text.clone());
        reply
    }
}

async fn count_orgs(client: &Client, token: &str, ws: &str, cid: &str) -> Value {
    let reply = client
        .send(
            Method::POST,
            &format!("{ws}/connections/{cid}/query"),
            Some(token),
            Some(json!({ "sql": "SELECT count(*) FROM orko.orgs" })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.json()["rows"][0][0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn questions_become_validated_sql_saved_and_run_on_request() {
    let (store, _dir) = common::sqlite_store().await;
    let owner = common::create_user(&store, "owner", UserRole::Developer).await;
    let viewer = common::create_user(&store, "viewer", UserRole::Analyst).await;
    let outsider = common::create_user(&store, "outsider", UserRole::Developer).await;
    let workspace = store.create_workspace("Orko", owner.id).await.unwrap();
    store
        .add_member(workspace.id, viewer.id, MemberRole::Viewer)
        .await
        .unwrap();
    store
        .create_workspace("Elsewhere", outsider.id)
        .await
        .unwrap();
    let owner_token = common::session(&store, &owner).await;
    let viewer_token = common::session(&store, &viewer).await;
    let outsider_token = common::session(&store, &outsider).await;
    let server =
        Running::start(AppState::new(store.clone(), common::config("unused")).expect("a state"))
            .await;
    let client = Client::new(&server);
    let ws = format!("/api/v1/workspaces/{}", workspace.id);
    let mut seen = Seen::default();

    let target = carta_testkit::PgDatabase::create();
    target.execute(include_str!("../../../examples/seeds/000_orko.sql"));
    let writable = client.create_connection(&owner_token, &ws, json!({ "name": "orko-rw", "db_type": "postgres", "mode": "read-write", "uri": &target.url() })).await;
    let cid = client.create_connection(&owner_token, &ws, json!({ "name": "orko", "db_type": "postgres", "mode": "read-only", "uri": &target.url() })).await;
    let ask_path = format!("{ws}/connections/{cid}/ask");
    let question = json!({ "question": QUESTION, "run": true });

    let unconfigured = client
        .send(
            Method::POST,
            &ask_path,
            Some(&viewer_token),
            Some(question.clone()),
        )
        .await;
    assert_eq!(
        unconfigured.status,
        StatusCode::CONFLICT,
        "{}",
        unconfigured.text
    );
    assert!(
        unconfigured.text.contains("no LLM provider"),
        "{}",
        unconfigured.text
    );

    let provider = FakeProvider::start(vec![
        answer(
            "SELECT count(*) AS orgs FROM orko.orgs",
            "Counts the organisations.",
        ),
        answer("DELETE FROM orko.orgs", "Removes them."),
        answer("SELECT 1; DROP TABLE orko.orgs", "Drops."),
        answer(
            "WITH gone AS (DELETE FROM orko.orgs RETURNING *) SELECT count(*) FROM gone",
            "Sneaky.",
        ),
        answer(
            "SELECT count(*) AS orgs FROM orko.orgs",
            "Counts them again.",
        ),
    ]);
    let settings = json!({
        "provider_url": provider.url, "model": "test-model", "api_key": KEY,
        "prices": { "prompt": 1.0, "completion": 2.0 },
    });
    let refused = client
        .send(
            Method::PUT,
            &format!("{ws}/llm"),
            Some(&viewer_token),
            Some(settings.clone()),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);
    for bad in [
        json!({ "provider_url": "ftp://models.example.com/v1", "model": "m" }),
        json!({ "provider_url": "http://user:pw@localhost:11434/v1", "model": "m" }),
        json!({ "provider_url": provider.url, "model": " " }),
        json!({ "provider_url": provider.url, "model": "m", "prices": { "prompt": -1.0 } }),
    ] {
        let reply = client
            .send(
                Method::PUT,
                &format!("{ws}/llm"),
                Some(&owner_token),
                Some(bad.clone()),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{bad}: {}",
            reply.text
        );
    }
    let set = seen.keep(
        client
            .send(
                Method::PUT,
                &format!("{ws}/llm"),
                Some(&owner_token),
                Some(settings),
            )
            .await,
    );
    assert_eq!(set.status, StatusCode::OK, "{}", set.text);
    assert_eq!(set.json()["has_api_key"], true);
    // Leaving the key out keeps it.
    let kept = seen.keep(
        client
            .send(
                Method::PUT,
                &format!("{ws}/llm"),
                Some(&owner_token),
                Some(json!({ "provider_url": provider.url, "model": "test-model",
                    "prices": { "prompt": 1.0, "completion": 2.0 } })),
            )
            .await,
    );
    assert_eq!(kept.json()["has_api_key"], true, "{}", kept.text);
    let shown = seen.keep(
        client
            .send(Method::GET, &format!("{ws}/llm"), Some(&viewer_token), None)
            .await,
    );
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.text);
    assert_eq!(shown.json()["model"], "test-model");
    let foreign = client
        .send(
            Method::GET,
            &format!("{ws}/llm"),
            Some(&outsider_token),
            None,
        )
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);

    let unsynced = client
        .send(
            Method::POST,
            &ask_path,
            Some(&viewer_token),
            Some(question.clone()),
        )
        .await;
    assert_eq!(unsynced.status, StatusCode::CONFLICT, "{}", unsynced.text);
    assert!(
        unsynced.text.contains("sync the connection first"),
        "{}",
        unsynced.text
    );
    assert!(provider.requests().is_empty());

    // Mock data through the platform's own mock job, then a sync.
    let mocked = client
        .send(
            Method::POST,
            &format!("{ws}/mock-jobs"),
            Some(&owner_token),
            Some(json!({ "connection_id": writable, "target": "database", "rows": 20, "seed": 3 })),
        )
        .await;
    client.completed_job(&owner_token, &ws, mocked).await;
    let orgs = count_orgs(&client, &viewer_token, &ws, &cid).await;
    assert!(orgs.as_i64().is_some_and(|n| n > 0), "{orgs}");
    let synced = client
        .send(
            Method::POST,
            &format!("{ws}/connections/{cid}/sync"),
            Some(&owner_token),
            None,
        )
        .await;
    client.completed_job(&owner_token, &ws, synced).await;

    // The answer: validated, saved privately, run because asked.
    let asked = seen.keep(
        client
            .send(
                Method::POST,
                &ask_path,
                Some(&viewer_token),
                Some(question.clone()),
            )
            .await,
    );
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.text);
    let body = asked.json();
    assert_eq!(body["sql"], "SELECT count(*) AS orgs FROM orko.orgs");
    assert_eq!(body["explanation"], "Counts the organisations.");
    assert_eq!(body["tables_used"], json!(["orko.orgs"]));
    assert_eq!(body["attempts"], 1);
    assert!(
        body["context"]["tables"].as_array().is_some_and(|t| t
            .iter()
            .any(|t| t["table"] == "orko.orgs" && t["reason"]["kind"] == "matched")),
        "{body}"
    );
    assert!(body["context"]["text"]
        .as_str()
        .is_some_and(|t| t.contains("orgs")));
    assert_eq!(
        (
            body["usage"]["prompt_tokens"].clone(),
            body["usage"]["completion_tokens"].clone()
        ),
        (json!(100), json!(20))
    );
    let cost = body["usage"]["cost"].as_f64().expect("a cost");
    assert!((cost - 0.00014).abs() < 1e-12, "{cost}");
    let execution = &body["execution"]["execution"];
    assert_eq!(execution["status"], "success", "{body}");
    assert_eq!(execution["row_count"], 1);
    assert_eq!(execution["query_id"], body["query_id"]);
    assert_eq!(body["execution"]["rows"], json!([[orgs.clone()]]));

    let requests = provider.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].authorization.as_deref(),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(requests[0].body["model"], "test-model");
    assert!(requests[0]
        .contents()
        .iter()
        .any(|c| c.contains("orko.orgs")));
    assert!(requests[0].contents().last().is_some_and(|q| q == QUESTION));

    let qid = body["query_id"].as_str().expect("a query id").to_string();
    let saved = client
        .send(
            Method::GET,
            &format!("{ws}/queries/{qid}"),
            Some(&viewer_token),
            None,
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text);
    let saved = saved.json();
    assert_eq!(
        (
            saved["visibility"].clone(),
            saved["question"].clone(),
            saved["tags"].clone()
        ),
        (json!("private"), json!(QUESTION), json!(["ask"]))
    );
    let hidden = client
        .send(
            Method::GET,
            &format!("{ws}/queries/{qid}"),
            Some(&owner_token),
            None,
        )
        .await;
    assert_eq!(
        hidden.status,
        StatusCode::NOT_FOUND,
        "a private query is its author's"
    );

    // Hostile answers: refused after the repairs, never executed.
    let executions_before = store
        .executions(
            workspace.id,
            carta_store::ExecutionFilter {
                viewer: viewer.id,
                query_id: None,
                status: None,
                limit: 500,
            },
        )
        .await
        .unwrap()
        .len();
    let hostile = seen.keep(
        client
            .send(
                Method::POST,
                &ask_path,
                Some(&viewer_token),
                Some(json!({ "question": "Remove every org", "run": true })),
            )
            .await,
    );
    assert_eq!(hostile.status, StatusCode::BAD_REQUEST, "{}", hostile.text);
    assert!(hostile.text.contains("no valid SQL"), "{}", hostile.text);
    assert_eq!(provider.requests().len(), 4, "one answer and two repairs");
    assert_eq!(count_orgs(&client, &viewer_token, &ws, &cid).await, orgs);
    let executions_after = store
        .executions(
            workspace.id,
            carta_store::ExecutionFilter {
                viewer: viewer.id,
                query_id: None,
                status: None,
                limit: 500,
            },
        )
        .await
        .unwrap()
        .len();
    // Only the count that followed ran.
    assert_eq!(executions_after, executions_before + 1);

    // Rated well, the first answer becomes an example for the next question.
    let rated = client
        .send(
            Method::POST,
            &format!("{ws}/queries/{qid}/feedback"),
            Some(&viewer_token),
            Some(json!({ "rating": "up" })),
        )
        .await;
    assert_eq!(rated.status, StatusCode::CREATED, "{}", rated.text);
    let again = seen.keep(
        client
            .send(
                Method::POST,
                &ask_path,
                Some(&viewer_token),
                Some(json!({ "question": "Count the orgs please" })),
            )
            .await,
    );
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert_eq!(
        again.json()["execution"],
        Value::Null,
        "not run unless asked"
    );
    assert_eq!(
        again.json()["context"]["examples"],
        json!([QUESTION]),
        "{}",
        again.text
    );
    let last = provider.requests().pop().expect("a request");
    assert!(
        last.contents().iter().any(|c| c == QUESTION),
        "{:?}",
        last.contents()
    );

    let usage = store
        .ask_usage(workspace.id, carta_store::now() - time::Duration::hours(1))
        .await
        .unwrap();
    // Two answered asks of one request each, and the refused one's three
    // requests (an answer and two repairs): failed answers cost tokens too.
    assert_eq!(
        (usage.asks, usage.prompt_tokens, usage.completion_tokens),
        (3, 500, 100)
    );
    let shown = seen.keep(
        client
            .send(Method::GET, &format!("{ws}/llm"), Some(&viewer_token), None)
            .await,
    );
    let usage = &shown.json()["usage_30_days"];
    assert_eq!(
        (
            usage["asks"].clone(),
            usage["prompt_tokens"].clone(),
            usage["completion_tokens"].clone()
        ),
        (json!(3), json!(500), json!(100)),
        "{}",
        shown.text
    );
    assert!(
        usage["cost"]
            .as_f64()
            .is_some_and(|c| (c - 0.0007).abs() < 1e-12),
        "{usage}"
    );

    for text in &seen.0 {
        assert!(!text.contains(KEY), "the key came back: {text}");
    }
    let audits = store
        .audits(carta_store::AuditFilter {
            workspace_id: Some(workspace.id),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(audits.iter().any(|a| a.action == "llm.update"));
    assert!(!serde_json::to_string(&audits).unwrap().contains(KEY));
}
