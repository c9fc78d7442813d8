//! API usage and quotas on both backends: batches written, summaries per
//! day, endpoint, token and workspace that add up, p95 by nearest rank,
//! admitted counts without 429s, quotas set by workspace, all scoped.

#[macro_use]
mod common;

use carta_store::{NewUsage, Quota, StoreError, UserRole, Uuid};
use common::{user, Env};
use time::macros::{date, datetime};

fn call(
    workspace: Option<Uuid>,
    token: Option<Uuid>,
    endpoint: &str,
    status: u16,
    duration_ms: u32,
    at: time::OffsetDateTime,
) -> NewUsage {
    NewUsage {
        workspace_id: workspace,
        token_id: token,
        user_id: token.map(|_| Uuid::nil()),
        endpoint: endpoint.into(),
        method: "GET".into(),
        status,
        duration_ms,
        at,
    }
}

async fn summaries_add_up_and_are_scoped(env: Env) {
    let store = &env.store;
    let owner = user(store, "owner@example.com", UserRole::Developer).await;
    let mine = store.create_workspace("Mine", owner.id).await.unwrap().id;
    let theirs = store.create_workspace("Theirs", owner.id).await.unwrap().id;
    let (token_a, token_b) = (Uuid::new_v4(), Uuid::new_v4());
    let day_one = datetime!(2026-11-30 23:59:59.5 UTC);
    let day_two = datetime!(2026-12-01 00:00:00 UTC);
    let mut batch = Vec::new();
    // Day one: durations 1..=20 by token A, the last two failing.
    for ms in 1..=20 {
        let status = if ms > 18 { 500 } else { 200 };
        batch.push(call(
            Some(mine),
            Some(token_a),
            "/api/v1/workspaces/{id}/jobs",
            status,
            ms,
            day_one,
        ));
    }
    // Day two: 5 by token B on another route, one refused by the quota.
    for ms in [10, 10, 10, 10, 40] {
        let status = if ms == 40 { 429 } else { 200 };
        batch.push(call(
            Some(mine),
            Some(token_b),
            "/api/v1/workspaces/{id}",
            status,
            ms,
            day_two,
        ));
    }
    batch.push(call(
        Some(theirs),
        None,
        "/api/v1/workspaces/{id}",
        200,
        7,
        day_two,
    ));
    batch.push(call(None, None, "/api/v1/auth/login", 401, 3, day_two));
    store.record_usage(batch).await.unwrap();
    store.record_usage(vec![]).await.unwrap();

    let summary = store
        .usage_summary(Some(mine), date!(2026 - 11 - 30), date!(2026 - 12 - 01))
        .await
        .unwrap();
    assert_eq!(
        (summary.from.as_str(), summary.to.as_str()),
        ("2026-11-30", "2026-12-01")
    );
    assert_eq!((summary.total.requests, summary.total.errors), (25, 3));
    let days: Vec<_> = summary
        .days
        .iter()
        .map(|d| {
            (
                d.day.as_str(),
                d.stats.requests,
                d.stats.errors,
                d.stats.p95_ms,
            )
        })
        .collect();
    assert_eq!(days, [("2026-11-30", 20, 2, 19), ("2026-12-01", 5, 1, 40)]);
    assert!((summary.days[0].stats.avg_ms - 10.5).abs() < 1e-9);
    assert_eq!(
        summary.days.iter().map(|d| d.stats.requests).sum::<u64>(),
        summary.total.requests
    );
    let endpoints: Vec<_> = summary
        .endpoints
        .iter()
        .map(|e| (e.method.as_str(), e.endpoint.as_str(), e.stats.requests))
        .collect();
    assert_eq!(
        endpoints,
        [
            ("GET", "/api/v1/workspaces/{id}/jobs", 20),
            ("GET", "/api/v1/workspaces/{id}", 5)
        ]
    );
    let tokens: Vec<_> = summary
        .tokens
        .iter()
        .map(|t| (t.token_id, t.user_id, t.stats.requests))
        .collect();
    assert_eq!(
        tokens,
        [
            (Some(token_a), Some(Uuid::nil()), 20),
            (Some(token_b), Some(Uuid::nil()), 5)
        ]
    );
    assert!(summary.workspaces.is_empty());

    // One day only; a range with nothing in it.
    let second = store
        .usage_summary(Some(mine), date!(2026 - 12 - 01), date!(2026 - 12 - 01))
        .await
        .unwrap();
    assert_eq!(second.total.requests, 5);
    let empty = store
        .usage_summary(Some(mine), date!(2026 - 10 - 01), date!(2026 - 10 - 02))
        .await
        .unwrap();
    assert_eq!(empty.total.requests, 0);
    assert!(empty.days.is_empty() && empty.tokens.is_empty());
    let other = store
        .usage_summary(Some(theirs), date!(2026 - 11 - 30), date!(2026 - 12 - 01))
        .await
        .unwrap();
    assert_eq!(other.total.requests, 1);

    let global = store
        .usage_summary(None, date!(2026 - 11 - 30), date!(2026 - 12 - 01))
        .await
        .unwrap();
    assert_eq!(global.total.requests, 27);
    let mut workspaces: Vec<_> = global
        .workspaces
        .iter()
        .map(|w| (w.workspace_id, w.stats.requests))
        .collect();
    workspaces.sort();
    let mut expected = vec![(None, 1), (Some(mine), 25), (Some(theirs), 1)];
    expected.sort();
    assert_eq!(workspaces, expected);

    // The quota's daily count leaves out what the quota itself refused.
    let mut admitted = store
        .admitted_since(day_one, &[mine, theirs, Uuid::new_v4()])
        .await
        .unwrap();
    admitted.sort();
    let mut expected = vec![(mine, 24), (theirs, 1)];
    expected.sort();
    assert_eq!(admitted, expected);
    assert_eq!(store.admitted_since(day_two, &[]).await.unwrap(), vec![]);

    for (from, to) in [
        (date!(2026 - 12 - 02), date!(2026 - 12 - 01)),
        (date!(2025 - 01 - 01), date!(2026 - 12 - 01)),
    ] {
        let refused = store.usage_summary(Some(mine), from, to).await.unwrap_err();
        assert!(
            matches!(refused, StoreError::InvalidInput(_)),
            "{refused:?}"
        );
    }
    let bad = store
        .record_usage(vec![call(None, None, "/x\0", 200, 1, day_two)])
        .await
        .unwrap_err();
    assert!(matches!(bad, StoreError::InvalidInput(_)), "{bad:?}");
}

async fn quotas_are_set_per_live_workspace(env: Env) {
    let store = &env.store;
    let admin = user(store, "admin@example.com", UserRole::Admin).await;
    let mine = store.create_workspace("Mine", admin.id).await.unwrap().id;
    let gone = store.create_workspace("Gone", admin.id).await.unwrap().id;
    assert_eq!(store.quota(mine).await.unwrap(), None);
    let quota = Quota {
        requests_per_minute: Some(60),
        requests_per_day: None,
    };
    let set = store.set_quota(mine, quota, Some(admin.id)).await.unwrap();
    assert_eq!(
        (set.workspace_id, set.quota, set.updated_by),
        (mine, quota, Some(admin.id))
    );
    assert_eq!(store.quota(mine).await.unwrap(), Some(set.clone()));
    let changed = Quota {
        requests_per_minute: None,
        requests_per_day: Some(10_000),
    };
    let replaced = store.set_quota(mine, changed, None).await.unwrap();
    assert_eq!(replaced.quota, changed);
    store.set_quota(gone, quota, None).await.unwrap();
    assert_eq!(store.quotas().await.unwrap().len(), 2);

    store
        .delete_workspace(gone, carta_store::now())
        .await
        .unwrap();
    assert_eq!(store.quotas().await.unwrap(), vec![replaced]);
    assert_eq!(store.quota(gone).await.unwrap(), None);
    assert_eq!(
        store.set_quota(gone, quota, None).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        store.set_quota(Uuid::new_v4(), quota, None).await,
        Err(StoreError::NotFound)
    );
    let zero = store
        .set_quota(
            mine,
            Quota {
                requests_per_minute: Some(0),
                requests_per_day: None,
            },
            None,
        )
        .await
        .unwrap_err();
    assert!(matches!(zero, StoreError::InvalidInput(_)), "{zero:?}");
}

on_both_backends!(
    summaries_add_up_and_are_scoped,
    quotas_are_set_per_live_workspace
);
