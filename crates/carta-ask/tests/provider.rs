//! The real HTTP client and the ask loop against a fake OpenAI-compatible
//! server (scripted per test), and validation with EXPLAIN on a real
//! PostgreSQL for the repair loop and hostile answers.

#[path = "support/fake_provider.rs"]
mod fake_provider;

use std::time::Duration;

use carta_ask::{
    ask, AskContext, AskError, ChatClient, LiveValidator, Message, ProviderConfig, Role,
    StaticValidator,
};
use carta_catalog::{Dialect, QualifiedName};
use carta_query::{CancelToken, Column, Limits, RowSink, Status, Value};
use carta_testkit::PgDatabase;
use fake_provider::{FakeProvider, Reply};

const KEY: &str = "sk-test-0123456789-secret";

fn config(server: &FakeProvider) -> ProviderConfig {
    let mut config = ProviderConfig::new(&server.url, "test-model");
    config.api_key = Some(KEY.to_string());
    config.timeout = Duration::from_secs(5);
    config
}

fn client(config: ProviderConfig) -> ChatClient {
    ChatClient::new(config).expect("a client")
}

fn context() -> AskContext {
    AskContext {
        dialect: Dialect::Postgres,
        schema_text: "TABLE shop.customers (id bigint PK, name text NOT NULL, country text)\n\
                      TABLE shop.orders (id bigint PK, customer_id bigint FK -> shop.customers.id, total numeric)"
            .into(),
        tables: vec!["shop.customers".into(), "shop.orders".into()],
        examples: vec![(
            "how many customers are there?".into(),
            "SELECT count(*) FROM shop.customers".into(),
        )],
        notes: Vec::new(),
    }
}

fn statics() -> StaticValidator {
    StaticValidator::new(
        Dialect::Postgres,
        [
            QualifiedName::new("shop", "customers"),
            QualifiedName::new("shop", "orders"),
        ],
    )
}

const GOOD: &str = "```sql\nSELECT c.name, sum(o.total) AS spent\nFROM shop.customers c\nJOIN shop.orders o ON o.customer_id = c.id\nGROUP BY c.name\nORDER BY spent DESC;\n```\nTotal spent per customer, biggest first.";

fn assert_no_key(text: &str) {
    assert!(!text.contains(KEY), "the key leaked: {text}");
}

#[tokio::test]
async fn an_answer_is_parsed_validated_and_costed() {
    let server = FakeProvider::start(vec![Reply::answer(GOOD)]);
    let mut config = config(&server);
    config.price_per_million_prompt = Some(1.0);
    config.price_per_million_completion = Some(2.0);
    let answer = ask(&client(config), &context(), "who spent most?", &statics())
        .await
        .unwrap();
    assert!(
        answer.sql.starts_with("SELECT c.name, sum(o.total)"),
        "{}",
        answer.sql
    );
    assert!(
        answer.sql.ends_with("ORDER BY spent DESC"),
        "{}",
        answer.sql
    );
    assert_eq!(
        answer.explanation,
        "Total spent per customer, biggest first."
    );
    assert_eq!(answer.tables_used, ["shop.customers", "shop.orders"]);
    assert_eq!(answer.context_tables, ["shop.customers", "shop.orders"]);
    assert_eq!(answer.attempts, 1);
    assert_eq!(answer.usage.prompt_tokens, 100);
    assert_eq!(answer.usage.completion_tokens, 20);
    assert!(!answer.usage.estimated);
    let cost = answer.usage.cost.unwrap();
    assert!((cost - 0.00014).abs() < 1e-12, "{cost}");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(
        request.authorization.as_deref(),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(request.body["model"], "test-model");
    assert_eq!(request.body["temperature"], 0.0);
    let roles: Vec<&str> = request.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["system", "user", "assistant", "user"]);
    let contents = request.contents();
    assert!(contents[0].contains("TABLE shop.orders"), "{}", contents[0]);
    assert!(contents[0].contains("PostgreSQL"), "{}", contents[0]);
    assert_eq!(contents[3], "who spent most?");
}

#[tokio::test]
async fn without_a_key_no_authorization_is_sent_and_missing_usage_is_estimated() {
    let server = FakeProvider::start(vec![Reply::json(serde_json::json!({
        "choices": [{"message": {"role": "assistant", "content": "```sql\nSELECT 1\n```"}}]
    }))]);
    let mut config = config(&server);
    config.api_key = None;
    let completion = client(config)
        .complete(&[Message::new(Role::User, "x".repeat(40))])
        .await
        .unwrap();
    assert_eq!(server.requests()[0].authorization, None);
    assert!(completion.usage.estimated);
    assert_eq!(completion.usage.prompt_tokens, 10);
    assert_eq!(completion.usage.completion_tokens, 5);
}

#[tokio::test]
async fn malformed_answers_are_typed_errors() {
    let cases = [
        (Reply::raw(200, "<html>gateway</html>"), "not JSON"),
        (
            Reply::json(serde_json::json!({"choices": []})),
            "no choices",
        ),
        (
            Reply::json(serde_json::json!({"object": "error"})),
            "no choices",
        ),
        (
            Reply::json(serde_json::json!({"choices": [{"message": {"content": null}}]})),
            "no message content",
        ),
    ];
    for (reply, expected) in cases {
        let server = FakeProvider::start(vec![reply]);
        let error = ask(&client(config(&server)), &context(), "q", &statics())
            .await
            .unwrap_err();
        let text = error.to_string();
        assert!(matches!(error, AskError::Malformed { .. }), "{text}");
        assert!(text.contains(expected), "{expected}: {text}");
        assert_eq!(error.exit_code(), carta_ask::PROVIDER_EXIT);
        assert_no_key(&text);
    }
}

#[tokio::test]
async fn prose_without_sql_gets_a_repair_turn() {
    let server = FakeProvider::start(vec![
        Reply::answer("Customers who spent the most are found by summing their orders."),
        Reply::answer(GOOD),
    ]);
    let answer = ask(
        &client(config(&server)),
        &context(),
        "who spent most?",
        &statics(),
    )
    .await
    .unwrap();
    assert_eq!(answer.attempts, 2);
    assert_eq!(answer.usage.prompt_tokens, 200);
    let second = server.requests()[1].contents();
    assert_eq!(second.len(), 6, "{second:?}");
    assert!(second[4].starts_with("Customers who spent"), "{second:?}");
    assert!(second[5].contains("holds no SQL"), "{second:?}");
}

#[tokio::test]
async fn answers_that_never_hold_sql_end_after_the_repairs() {
    let server = FakeProvider::start(vec![
        Reply::answer("I am not sure."),
        Reply::answer("```sql\n```"),
    ]);
    let mut config = config(&server);
    config.max_repairs = 1;
    let error = ask(&client(config), &context(), "q", &statics())
        .await
        .unwrap_err();
    match &error {
        AskError::NoValidSql {
            last_sql,
            last_error,
            attempts,
            usage,
        } => {
            assert_eq!(*attempts, 2);
            assert_eq!(usage.prompt_tokens, 200);
            assert_eq!(usage.completion_tokens, 40);
            assert_eq!(last_sql, "");
            assert!(last_error.contains("no SQL"), "{last_error}");
        }
        other => panic!("expected NoValidSql, got {other}"),
    }
    assert_eq!(error.exit_code(), carta_ask::NO_VALID_SQL_EXIT);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_provider_slower_than_the_timeout_is_a_timeout() {
    let server = FakeProvider::start(vec![Reply::answer(GOOD).after(Duration::from_secs(5))]);
    let mut config = config(&server);
    config.timeout = Duration::from_millis(300);
    let error = ask(&client(config), &context(), "q", &statics())
        .await
        .unwrap_err();
    assert!(matches!(error, AskError::Timeout { .. }), "{error}");
    assert!(
        error.to_string().contains("did not answer within 0.3 s"),
        "{error}"
    );
    assert_eq!(server.requests().len(), 1, "a timeout is not retried");
}

#[tokio::test]
async fn rate_limits_are_retried_after_the_wait_asked_for() {
    let server = FakeProvider::start(vec![
        Reply::raw(429, r#"{"error": "slow down"}"#).header("retry-after", "1"),
        Reply::answer(GOOD),
    ]);
    let answer = ask(&client(config(&server)), &context(), "q", &statics())
        .await
        .unwrap();
    assert_eq!(answer.attempts, 1);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn rate_limits_beyond_the_retries_are_reported() {
    let limited = || Reply::raw(429, r#"{"error": "slow down"}"#).header("retry-after", "0");
    let server = FakeProvider::start(vec![limited(), limited()]);
    let mut config = config(&server);
    config.max_retries = 1;
    let error = ask(&client(config), &context(), "q", &statics())
        .await
        .unwrap_err();
    match &error {
        AskError::RateLimited {
            retries,
            retry_after,
            ..
        } => {
            assert_eq!(*retries, 1);
            assert_eq!(*retry_after, Some(Duration::ZERO));
        }
        other => panic!("expected RateLimited, got {other}"),
    }
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn server_errors_are_retried_then_reported_without_the_key() {
    let server = FakeProvider::start(vec![
        Reply::raw(500, "upstream hiccup"),
        Reply::answer(GOOD),
    ]);
    let answer = ask(&client(config(&server)), &context(), "q", &statics())
        .await
        .unwrap();
    assert_eq!(answer.tables_used, ["shop.customers", "shop.orders"]);
    assert_eq!(server.requests().len(), 2);

    // A provider that echoes the key in its error body.
    let echo = format!(r#"{{"error": "invalid api key {KEY}"}}"#);
    let server = FakeProvider::start(vec![Reply::raw(401, &echo)]);
    let error = ask(&client(config(&server)), &context(), "q", &statics())
        .await
        .unwrap_err();
    let text = error.to_string();
    assert!(
        matches!(error, AskError::Http { status: 401, .. }),
        "{text}"
    );
    assert!(text.contains("invalid api key [redacted]"), "{text}");
    assert_no_key(&text);
    assert_no_key(&format!("{error:?}"));

    let server = FakeProvider::start(vec![Reply::raw(503, "busy"), Reply::raw(503, "busy")]);
    let mut config = config(&server);
    config.max_retries = 1;
    let error = ask(&client(config), &context(), "q", &statics())
        .await
        .unwrap_err();
    assert!(
        matches!(error, AskError::Http { status: 503, .. }),
        "{error}"
    );
}

#[tokio::test]
async fn an_unreachable_provider_is_a_connect_error() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut config = ProviderConfig::new(format!("http://127.0.0.1:{port}/v1"), "m");
    config.api_key = Some(KEY.into());
    let error = client(config)
        .complete(&[Message::new(Role::User, "q")])
        .await
        .unwrap_err();
    assert!(
        matches!(error, AskError::Connect { .. } | AskError::Timeout { .. }),
        "{error}"
    );
    assert_no_key(&error.to_string());
}

/// A PostgreSQL database with the `shop` schema of [`context`] and a few rows.
fn shop() -> PgDatabase {
    let db = PgDatabase::create();
    db.execute(
        "CREATE SCHEMA shop;
         CREATE TABLE shop.customers (id bigint PRIMARY KEY, name text NOT NULL, country text);
         CREATE TABLE shop.orders (id bigint PRIMARY KEY,
             customer_id bigint NOT NULL REFERENCES shop.customers, total numeric NOT NULL);
         INSERT INTO shop.customers VALUES (1, 'Ada', 'UK'), (2, 'Grace', 'US');
         INSERT INTO shop.orders VALUES (1, 1, 10), (2, 2, 25), (3, 2, 5);",
    );
    db
}

#[derive(Default)]
struct Rows(Vec<Vec<Value>>);

impl RowSink for Rows {
    fn columns(&mut self, _columns: &[Column]) -> std::io::Result<()> {
        Ok(())
    }
    fn row(&mut self, row: &[Value]) -> std::io::Result<()> {
        self.0.push(row.to_vec());
        Ok(())
    }
    fn finish(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn count(db: &PgDatabase, table: &str) -> i64 {
    let mut rows = Rows::default();
    let sql = format!("SELECT count(*) FROM {table}");
    let execution = carta_query::run(
        &db.url(),
        &sql,
        &Limits::default(),
        &CancelToken::new(),
        &mut rows,
    )
    .await
    .unwrap();
    assert_eq!(execution.status, Status::Success, "{:?}", execution.error);
    match rows.0.as_slice() {
        [row] => match row.as_slice() {
            [Value::Integer(n)] => *n,
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_explain_error_is_fed_back_and_the_fixed_sql_accepted() {
    let db = shop();
    let server = FakeProvider::start(vec![
        Reply::answer("```sql\nSELECT c.full_name FROM shop.customers c\n```"),
        Reply::answer("```sql\nSELECT c.name FROM shop.customers c\n```\nEvery customer's name."),
    ]);
    let validator = LiveValidator::new(statics(), db.url(), Duration::from_secs(5));
    let answer = ask(
        &client(config(&server)),
        &context(),
        "customer names",
        &validator,
    )
    .await
    .unwrap();
    assert_eq!(answer.sql, "SELECT c.name FROM shop.customers c");
    assert_eq!(answer.attempts, 2);
    assert_eq!(answer.tables_used, ["shop.customers"]);
    let second = server.requests()[1].contents();
    let repair = second.last().unwrap();
    assert!(repair.contains("EXPLAIN failed"), "{repair}");
    assert!(
        repair.contains("column c.full_name does not exist"),
        "{repair}"
    );
    assert!(repair.contains("SQLSTATE 42703"), "{repair}");
}

#[tokio::test]
async fn hostile_answers_are_rejected_and_never_executed() {
    let db = shop();
    let server = FakeProvider::start(vec![
        Reply::answer("```sql\nDELETE FROM shop.orders\n```"),
        Reply::answer("```sql\nSELECT 1; DROP TABLE shop.orders\n```"),
        Reply::answer(
            "```sql\nWITH gone AS (DELETE FROM shop.customers RETURNING *) SELECT * FROM gone\n```",
        ),
    ]);
    let validator = LiveValidator::new(statics(), db.url(), Duration::from_secs(5));
    let error = ask(&client(config(&server)), &context(), "tidy up", &validator)
        .await
        .unwrap_err();
    match &error {
        AskError::NoValidSql {
            last_sql,
            last_error,
            attempts,
            ..
        } => {
            assert_eq!(*attempts, 3);
            assert!(last_sql.starts_with("WITH gone AS (DELETE"), "{last_sql}");
            assert!(last_error.contains("data-modifying"), "{last_error}");
        }
        other => panic!("expected NoValidSql, got {other}"),
    }
    let requests = server.requests();
    let first_repair = requests[1].contents().last().cloned().unwrap();
    assert!(first_repair.contains("only SELECT"), "{first_repair}");
    let second_repair = requests[2].contents().last().cloned().unwrap();
    assert!(
        second_repair.contains("exactly one statement"),
        "{second_repair}"
    );
    assert_eq!(count(&db, "shop.orders").await, 3);
    assert_eq!(count(&db, "shop.customers").await, 2);
}

#[tokio::test]
async fn an_unreachable_database_stops_validation_without_repairs() {
    let server = FakeProvider::start(vec![Reply::answer(GOOD)]);
    let validator = LiveValidator::new(
        statics(),
        "postgres://postgres@127.0.0.1:1/nothing",
        Duration::from_secs(5),
    );
    let error = ask(&client(config(&server)), &context(), "q", &validator)
        .await
        .unwrap_err();
    assert!(matches!(error, AskError::Validator(_)), "{error}");
    assert_eq!(server.requests().len(), 1);
}
