//! Saved queries, executions, feedback, LLM settings and asks in the store,
//! on both backends: visibility, tags, the workspace boundary, executions
//! ended once, cancel flags, one rating per user, sealed keys, usage sums.

#[macro_use]
mod common;

use common::{new_connection, sealed, user, Env};

use carta_store::{
    now, ExecutionEnd, ExecutionFilter, ExecutionStatus, LlmSettings, NewAsk, NewExecution,
    NewFeedback, NewQuery, QueryChange, QueryFilter, Store, StoreError, UserRole, Uuid, Visibility,
};

/// A workspace owned by a new user, with one connection: (workspace, connection, owner).
async fn setup(store: &Store, email: &str) -> (Uuid, Uuid, Uuid) {
    let owner = user(store, email, UserRole::Developer).await;
    let workspace = store.create_workspace("Queries", owner.id).await.unwrap();
    let connection = store
        .create_connection(new_connection(workspace.id, "app", owner.id))
        .await
        .unwrap();
    (workspace.id, connection.id, owner.id)
}

fn new_query(workspace: Uuid, by: Uuid, title: &str, visibility: Visibility) -> NewQuery {
    NewQuery {
        workspace_id: workspace,
        connection_id: None,
        title: title.into(),
        description: Some("what it answers".into()),
        sql_text: "SELECT id\nFROM orders\tWHERE total > 10".into(),
        is_write: false,
        tags: vec!["sales".into(), "daily".into()],
        visibility,
        question: None,
        created_by: by,
    }
}

fn filter(viewer: Uuid) -> QueryFilter {
    QueryFilter {
        viewer,
        tag: None,
        connection_id: None,
    }
}

fn titles(queries: &[carta_store::SavedQuery]) -> Vec<&str> {
    queries.iter().map(|q| q.title.as_str()).collect()
}

async fn private_queries_are_seen_by_their_author_only(env: Env) {
    let store = &env.store;
    let (ws, conn, ada) = setup(store, "ada@example.com").await;
    let bob = user(store, "bob@example.com", UserRole::Analyst).await;
    store
        .add_member(ws, bob.id, carta_store::MemberRole::Editor)
        .await
        .unwrap();
    let shared = store
        .create_query(NewQuery {
            connection_id: Some(conn),
            ..new_query(ws, ada, "shared", Visibility::Workspace)
        })
        .await
        .unwrap();
    assert_eq!(shared.sql_text, "SELECT id\nFROM orders\tWHERE total > 10");
    assert_eq!(shared.tags, ["sales", "daily"]);
    assert_eq!((shared.rating, shared.ratings), (None, 0));
    let private = store
        .create_query(NewQuery {
            tags: vec!["finance".into()],
            ..new_query(ws, ada, "private", Visibility::Private)
        })
        .await
        .unwrap();

    assert_eq!(
        titles(&store.queries(ws, filter(ada)).await.unwrap()),
        ["private", "shared"]
    );
    assert_eq!(
        titles(&store.queries(ws, filter(bob.id)).await.unwrap()),
        ["shared"]
    );
    assert!(store.query(ws, private.id, bob.id).await.unwrap().is_none());
    assert_eq!(
        store.query(ws, private.id, ada).await.unwrap().as_ref(),
        Some(&private)
    );
    let tagged = store
        .queries(
            ws,
            QueryFilter {
                tag: Some("finance".into()),
                ..filter(ada)
            },
        )
        .await
        .unwrap();
    assert_eq!(titles(&tagged), ["private"]);
    let by_connection = store
        .queries(
            ws,
            QueryFilter {
                connection_id: Some(conn),
                ..filter(ada)
            },
        )
        .await
        .unwrap();
    assert_eq!(titles(&by_connection), ["shared"]);

    // Another workspace sees none of them and cannot point at their connection.
    let (other, _, carol) = setup(store, "carol@example.com").await;
    assert!(store
        .queries(other, filter(carol))
        .await
        .unwrap()
        .is_empty());
    assert!(store.query(other, shared.id, ada).await.unwrap().is_none());
    let foreign = store
        .create_query(NewQuery {
            connection_id: Some(conn),
            ..new_query(other, carol, "foreign", Visibility::Workspace)
        })
        .await;
    assert_eq!(foreign, Err(StoreError::NotFound));
    let nul = store
        .create_query(NewQuery {
            sql_text: "SELECT 1\0".into(),
            ..new_query(ws, ada, "nul", Visibility::Private)
        })
        .await;
    assert!(matches!(nul, Err(StoreError::InvalidInput(_))), "{nul:?}");
}

async fn updates_change_only_what_they_name(env: Env) {
    let store = &env.store;
    let (ws, conn, ada) = setup(store, "ada@example.com").await;
    let query = store
        .create_query(new_query(ws, ada, "first", Visibility::Private))
        .await
        .unwrap();
    let changed = store
        .update_query(
            ws,
            query.id,
            QueryChange {
                title: Some("second".into()),
                sql: Some(("DELETE FROM orders".into(), true)),
                visibility: Some(Visibility::Workspace),
                connection_id: Some(Some(conn)),
                ..QueryChange::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(changed.title, "second");
    assert_eq!(changed.description, query.description);
    assert_eq!(changed.tags, query.tags);
    assert_eq!(
        (changed.sql_text.as_str(), changed.is_write),
        ("DELETE FROM orders", true)
    );
    assert_eq!(changed.visibility, Visibility::Workspace);
    assert_eq!(changed.connection_id, Some(conn));
    assert!(changed.updated_at >= query.updated_at);
    assert_eq!(changed.created_at, query.created_at);

    let (other, other_conn, _) = setup(store, "carol@example.com").await;
    let elsewhere = store
        .update_query(
            ws,
            query.id,
            QueryChange {
                connection_id: Some(Some(other_conn)),
                ..QueryChange::default()
            },
        )
        .await;
    assert_eq!(elsewhere, Err(StoreError::NotFound));
    let missing = store
        .update_query(other, query.id, QueryChange::default())
        .await;
    assert_eq!(missing, Err(StoreError::NotFound));
    assert_eq!(
        store.delete_query(other, query.id).await,
        Err(StoreError::NotFound)
    );
    store.delete_query(ws, query.id).await.unwrap();
    assert!(store.query(ws, query.id, ada).await.unwrap().is_none());
    assert_eq!(
        store.delete_query(ws, query.id).await,
        Err(StoreError::NotFound)
    );
}

fn end(status: ExecutionStatus, rows: u64, error: Option<&str>) -> ExecutionEnd {
    ExecutionEnd {
        status,
        duration_ms: 12,
        row_count: rows,
        truncated: rows > 2,
        error: error.map(str::to_owned),
    }
}

fn executions_of(viewer: Uuid) -> ExecutionFilter {
    ExecutionFilter {
        viewer,
        query_id: None,
        status: None,
        limit: 100,
    }
}

async fn executions_end_once_and_list_newest_first(env: Env) {
    let store = &env.store;
    let (ws, conn, ada) = setup(store, "ada@example.com").await;
    let query = store
        .create_query(new_query(ws, ada, "q", Visibility::Workspace))
        .await
        .unwrap();
    let start = |query_id: Option<Uuid>, sql: &str| NewExecution {
        workspace_id: ws,
        connection_id: conn,
        query_id,
        sql_text: sql.into(),
        executed_by: ada,
    };
    let adhoc = store
        .start_execution(start(None, "SELECT 1"))
        .await
        .unwrap();
    assert_eq!(adhoc.status, ExecutionStatus::Running);
    assert_eq!((adhoc.finished_at, adhoc.row_count), (None, None));
    let saved = store
        .start_execution(start(Some(query.id), &query.sql_text))
        .await
        .unwrap();

    let done = store
        .finish_execution(ws, adhoc.id, end(ExecutionStatus::Success, 3, None))
        .await
        .unwrap();
    assert_eq!(done.status, ExecutionStatus::Success);
    assert_eq!(
        (done.row_count, done.duration_ms, done.truncated),
        (Some(3), Some(12), true)
    );
    assert!(done.finished_at.is_some());
    let again = store
        .finish_execution(ws, adhoc.id, end(ExecutionStatus::Failed, 0, Some("late")))
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let running = store
        .finish_execution(ws, saved.id, end(ExecutionStatus::Running, 0, None))
        .await;
    assert!(
        matches!(running, Err(StoreError::InvalidInput(_))),
        "{running:?}"
    );

    // A cancel request is a flag on a running execution, refused once it ended.
    let flagged = store.request_execution_cancel(ws, saved.id).await.unwrap();
    assert!(flagged.cancel_requested);
    assert_eq!(flagged.status, ExecutionStatus::Running);
    let refused = store.request_execution_cancel(ws, adhoc.id).await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    store
        .finish_execution(ws, saved.id, end(ExecutionStatus::Cancelled, 0, None))
        .await
        .unwrap();

    let all = store.executions(ws, executions_of(ada)).await.unwrap();
    assert_eq!(
        all.iter().map(|e| e.id).collect::<Vec<_>>(),
        [saved.id, adhoc.id]
    );
    let of_query = store
        .executions(
            ws,
            ExecutionFilter {
                query_id: Some(query.id),
                ..executions_of(ada)
            },
        )
        .await
        .unwrap();
    assert_eq!(of_query.len(), 1);
    assert_eq!(of_query[0].status, ExecutionStatus::Cancelled);
    let succeeded = store
        .executions(
            ws,
            ExecutionFilter {
                status: Some(ExecutionStatus::Success),
                ..executions_of(ada)
            },
        )
        .await
        .unwrap();
    assert_eq!(
        succeeded.iter().map(|e| e.id).collect::<Vec<_>>(),
        [adhoc.id]
    );
    let one = store
        .executions(
            ws,
            ExecutionFilter {
                limit: 1,
                ..executions_of(ada)
            },
        )
        .await
        .unwrap();
    assert_eq!(one.len(), 1);

    // The workspace boundary.
    let (other, other_conn, carol) = setup(store, "carol@example.com").await;
    assert!(store.execution(other, adhoc.id).await.unwrap().is_none());
    assert!(store
        .executions(other, executions_of(carol))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store.request_execution_cancel(other, saved.id).await,
        Err(StoreError::NotFound)
    );
    let foreign_connection = store
        .start_execution(NewExecution {
            connection_id: other_conn,
            ..start(None, "SELECT 1")
        })
        .await;
    assert_eq!(foreign_connection, Err(StoreError::NotFound));
    let foreign_query = store
        .start_execution(NewExecution {
            workspace_id: other,
            connection_id: other_conn,
            query_id: Some(query.id),
            sql_text: "SELECT 1".into(),
            executed_by: carol,
        })
        .await;
    assert_eq!(foreign_query, Err(StoreError::NotFound));
}

async fn executions_of_private_queries_stay_private(env: Env) {
    let store = &env.store;
    let (ws, conn, ada) = setup(store, "ada@example.com").await;
    let bob = user(store, "bob@example.com", UserRole::Analyst).await;
    store
        .add_member(ws, bob.id, carta_store::MemberRole::Viewer)
        .await
        .unwrap();
    let private = store
        .create_query(new_query(ws, ada, "mine", Visibility::Private))
        .await
        .unwrap();
    store
        .start_execution(NewExecution {
            workspace_id: ws,
            connection_id: conn,
            query_id: Some(private.id),
            sql_text: private.sql_text.clone(),
            executed_by: ada,
        })
        .await
        .unwrap();
    assert_eq!(
        store
            .executions(ws, executions_of(ada))
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(store
        .executions(ws, executions_of(bob.id))
        .await
        .unwrap()
        .is_empty());
}

async fn feedback_is_one_rating_per_user_and_makes_examples(env: Env) {
    let store = &env.store;
    let (ws, _, ada) = setup(store, "ada@example.com").await;
    let bob = user(store, "bob@example.com", UserRole::Analyst).await;
    let generated = |title: &str| NewQuery {
        question: Some(format!("{title}?")),
        ..new_query(ws, ada, title, Visibility::Workspace)
    };
    let good = store.create_query(generated("good")).await.unwrap();
    let poor = store.create_query(generated("poor")).await.unwrap();
    store.create_query(generated("unrated")).await.unwrap();
    store
        .create_query(new_query(ws, ada, "written", Visibility::Workspace))
        .await
        .unwrap();
    store
        .create_query(NewQuery {
            is_write: true,
            ..new_query(ws, ada, "a write", Visibility::Workspace)
        })
        .await
        .unwrap();
    let rate = |query: Uuid, user: Uuid, rating: u8| NewFeedback {
        workspace_id: ws,
        query_id: query,
        user_id: user,
        rating,
        comment: Some(format!("rated {rating}")),
    };
    store.rate_query(rate(good.id, ada, 2)).await.unwrap();
    // The second rating of a user replaces the first.
    let replaced = store.rate_query(rate(good.id, ada, 5)).await.unwrap();
    assert_eq!(replaced.rating, 5);
    store.rate_query(rate(good.id, bob.id, 4)).await.unwrap();
    store.rate_query(rate(poor.id, ada, 2)).await.unwrap();

    let feedback = store.query_feedback(ws, good.id).await.unwrap();
    assert_eq!(feedback.len(), 2);
    let mut ratings: Vec<u8> = feedback.iter().map(|f| f.rating).collect();
    ratings.sort_unstable();
    assert_eq!(ratings, [4, 5]);
    let good = store.query(ws, good.id, ada).await.unwrap().unwrap();
    assert_eq!((good.rating, good.ratings), (Some(4.5), 2));

    let mut examples: Vec<String> = store
        .example_queries(ws, ada)
        .await
        .unwrap()
        .into_iter()
        .map(|q| q.title)
        .collect();
    examples.sort();
    assert_eq!(examples, ["good", "written"]);

    for bad in [0, 6] {
        let refused = store.rate_query(rate(poor.id, ada, bad)).await;
        assert!(
            matches!(refused, Err(StoreError::InvalidInput(_))),
            "{refused:?}"
        );
    }
    let (other, _, carol) = setup(store, "carol@example.com").await;
    let foreign = store
        .rate_query(NewFeedback {
            workspace_id: other,
            ..rate(poor.id, carol, 3)
        })
        .await;
    assert_eq!(foreign, Err(StoreError::NotFound));
    assert!(store
        .query_feedback(other, poor.id)
        .await
        .unwrap()
        .is_empty());
}

async fn llm_settings_and_usage_stay_in_their_workspace(env: Env) {
    let store = &env.store;
    let (ws, conn, ada) = setup(store, "ada@example.com").await;
    assert!(store.llm_settings(ws).await.unwrap().is_none());
    let settings = LlmSettings {
        workspace_id: ws,
        provider_url: "http://localhost:11434/v1".into(),
        model: "qwen2.5-coder".into(),
        api_key: Some(sealed("sealed key", "k1")),
        price_per_million_prompt: Some(0.5),
        price_per_million_completion: Some(1.5),
        updated_by: Some(ada),
        updated_at: now(),
    };
    store.set_llm_settings(settings.clone()).await.unwrap();
    assert_eq!(
        store.llm_settings(ws).await.unwrap(),
        Some(settings.clone())
    );
    let without_key = LlmSettings {
        api_key: None,
        price_per_million_prompt: None,
        model: "llama3".into(),
        ..settings.clone()
    };
    store.set_llm_settings(without_key.clone()).await.unwrap();
    assert_eq!(store.llm_settings(ws).await.unwrap(), Some(without_key));

    let (other, other_conn, carol) = setup(store, "carol@example.com").await;
    assert!(store.llm_settings(other).await.unwrap().is_none());
    assert_eq!(
        store
            .set_llm_settings(LlmSettings {
                workspace_id: Uuid::new_v4(),
                ..settings.clone()
            })
            .await,
        Err(StoreError::NotFound)
    );

    let since = now();
    let ask = |workspace: Uuid, connection: Uuid, by: Uuid, prompt: u64| NewAsk {
        workspace_id: workspace,
        connection_id: connection,
        query_id: None,
        asked_by: by,
        question: "how many orders?".into(),
        model: "llama3".into(),
        prompt_tokens: prompt,
        completion_tokens: 20,
        cost: Some(0.25),
        error: None,
    };
    store.record_ask(ask(ws, conn, ada, 100)).await.unwrap();
    store.record_ask(ask(ws, conn, ada, 50)).await.unwrap();
    store
        .record_ask(ask(other, other_conn, carol, 7))
        .await
        .unwrap();
    assert_eq!(
        store.record_ask(ask(ws, other_conn, ada, 1)).await,
        Err(StoreError::NotFound)
    );
    let usage = store.ask_usage(ws, since).await.unwrap();
    assert_eq!(
        (usage.asks, usage.prompt_tokens, usage.completion_tokens),
        (2, 150, 40)
    );
    assert!((usage.cost - 0.5).abs() < 1e-9, "{usage:?}");
    let later = store
        .ask_usage(ws, now() + time::Duration::hours(1))
        .await
        .unwrap();
    assert_eq!((later.asks, later.prompt_tokens, later.cost), (0, 0, 0.0));
}

on_both_backends!(
    private_queries_are_seen_by_their_author_only,
    updates_change_only_what_they_name,
    executions_end_once_and_list_newest_first,
    executions_of_private_queries_stay_private,
    feedback_is_one_rating_per_user_and_makes_examples,
    llm_settings_and_usage_stay_in_their_workspace,
);
