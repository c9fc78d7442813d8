//! One suite, run against both backends: an SQLite file in a temporary
//! folder, and a fresh PostgreSQL database owned by a fresh role that is not
//! a superuser (superusers bypass row-level security). Raw SQL on the same
//! database checks what the store enforces below its API.

#[macro_use]
mod common;

use common::{audit, new_connection, pg_connect, sealed, user, Database, Env};

use carta_store::{
    now, AuditFilter, ColumnRow, ConnectionChange, ConnectionMode, DbType, JobKind, JobOutcome,
    JobStatus, MemberRole, NewConnection, NewJob, NewSchemaVersion, NewToken, NewUser,
    SchemaRecord, Scope, Store, StoreError, TableRow, TokenKind, UriChange, UserChange, UserRole,
    Uuid, MAX_JOB_ATTEMPTS,
};
use time::Duration;

async fn users_and_unique_emails(env: Env) {
    let store = &env.store;
    assert_eq!(store.count_users().await.unwrap(), 0);
    let ada = user(store, " Ada@Example.com ", UserRole::Admin).await;
    assert_eq!(ada.email, "ada@example.com");
    assert_eq!(store.user(ada.id).await.unwrap(), Some(ada.clone()));
    assert_eq!(store.user(Uuid::new_v4()).await.unwrap(), None);

    let with_hash = store
        .user_by_email("ADA@example.COM")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(with_hash.user, ada);
    assert!(with_hash.password_hash.starts_with("$argon2id$"));
    assert!(store
        .user_by_email("nobody@example.com")
        .await
        .unwrap()
        .is_none());

    let duplicate = store
        .create_user(NewUser {
            email: "ADA@EXAMPLE.COM".into(),
            full_name: "Impostor".into(),
            password_hash: "x".into(),
            role: UserRole::Analyst,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(duplicate, StoreError::Conflict(_)),
        "{duplicate:?}"
    );
    assert!(!duplicate.to_string().contains("ada@example.com"));

    let bob = user(store, "bob@example.com", UserRole::Analyst).await;
    assert_eq!(store.count_users().await.unwrap(), 2);
    let listed: Vec<Uuid> = store
        .list_users()
        .await
        .unwrap()
        .iter()
        .map(|u| u.id)
        .collect();
    assert_eq!(listed, [ada.id, bob.id]);

    let changed = store
        .update_user(
            bob.id,
            UserChange {
                full_name: Some("Robert".into()),
                role: Some(UserRole::Developer),
                password_hash: Some("new-hash".into()),
                disabled: Some(true),
            },
        )
        .await
        .unwrap();
    assert_eq!(changed.full_name, "Robert");
    assert_eq!(changed.role, UserRole::Developer);
    let disabled_at = changed.disabled_at.expect("disabled");
    assert_eq!(store.user(bob.id).await.unwrap(), Some(changed.clone()));
    let hash = store
        .user_by_email("bob@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(hash.password_hash, "new-hash");

    let again = store
        .update_user(
            bob.id,
            UserChange {
                disabled: Some(true),
                ..UserChange::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        again.disabled_at,
        Some(disabled_at),
        "the first disable time is kept"
    );
    assert_eq!(again.full_name, "Robert", "fields not named stay");
    let enabled = store
        .update_user(
            bob.id,
            UserChange {
                disabled: Some(false),
                ..UserChange::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(enabled.disabled_at, None);

    assert_eq!(
        store
            .update_user(Uuid::new_v4(), UserChange::default())
            .await,
        Err(StoreError::NotFound)
    );
    let json = serde_json::to_string(&ada).unwrap();
    assert!(!json.contains("argon2"), "{json}");
}

async fn tokens(env: Env) {
    let store = &env.store;
    let ada = user(store, "ada@example.com", UserRole::Admin).await;
    let start = now();
    let session = store
        .create_token(NewToken {
            user_id: ada.id,
            kind: TokenKind::Session,
            name: None,
            token_hash: "hash-session".into(),
            scopes: vec![Scope::Write, Scope::Read, Scope::Write],
            expires_at: Some(start + Duration::hours(12)),
        })
        .await
        .unwrap();
    assert_eq!(session.scopes, [Scope::Read, Scope::Write]);
    assert!(session.is_active(start));
    assert!(session.allows(Scope::Write));
    assert_eq!(
        store.token_by_hash("hash-session").await.unwrap(),
        Some(session.clone())
    );
    assert_eq!(store.token_by_hash("hash-unknown").await.unwrap(), None);

    let api = store
        .create_token(NewToken {
            user_id: ada.id,
            kind: TokenKind::Api,
            name: Some("ci".into()),
            token_hash: "hash-api".into(),
            scopes: vec![Scope::Read],
            expires_at: None,
        })
        .await
        .unwrap();
    assert!(!api.allows(Scope::Write));
    let expired = store
        .create_token(NewToken {
            user_id: ada.id,
            kind: TokenKind::Api,
            name: Some("old".into()),
            token_hash: "hash-expired".into(),
            scopes: vec![Scope::Read],
            expires_at: Some(start - Duration::minutes(1)),
        })
        .await
        .unwrap();
    let found = store.token_by_hash("hash-expired").await.unwrap().unwrap();
    assert_eq!(
        found.expires_at, expired.expires_at,
        "expired tokens are kept for the caller"
    );
    assert!(!found.is_active(start));

    let duplicate = store
        .create_token(NewToken {
            user_id: ada.id,
            kind: TokenKind::Api,
            name: None,
            token_hash: "hash-api".into(),
            scopes: vec![],
            expires_at: None,
        })
        .await;
    assert!(
        matches!(duplicate, Err(StoreError::Conflict(_))),
        "{duplicate:?}"
    );

    store.touch_token(api.id, start).await.unwrap();
    let touched = store.token_by_hash("hash-api").await.unwrap().unwrap();
    assert_eq!(touched.last_used_at, Some(start));
    store
        .touch_token(api.id, start + Duration::seconds(30))
        .await
        .unwrap();
    let within_a_minute = store.token_by_hash("hash-api").await.unwrap().unwrap();
    assert_eq!(
        within_a_minute.last_used_at,
        Some(start),
        "no write within a minute"
    );
    store
        .touch_token(api.id, start + Duration::seconds(61))
        .await
        .unwrap();
    let later = store.token_by_hash("hash-api").await.unwrap().unwrap();
    assert_eq!(later.last_used_at, Some(start + Duration::seconds(61)));

    store.revoke_token(api.id, start).await.unwrap();
    let revoked = store.token_by_hash("hash-api").await.unwrap().unwrap();
    assert_eq!(revoked.revoked_at, Some(start));
    assert!(!revoked.is_active(start));
    store
        .revoke_token(api.id, start + Duration::hours(1))
        .await
        .unwrap();
    let still = store.token_by_hash("hash-api").await.unwrap().unwrap();
    assert_eq!(
        still.revoked_at,
        Some(start),
        "the first revocation time is kept"
    );
    assert_eq!(
        store.revoke_token(Uuid::new_v4(), start).await,
        Err(StoreError::NotFound)
    );

    let second_session = store
        .create_token(NewToken {
            user_id: ada.id,
            kind: TokenKind::Session,
            name: None,
            token_hash: "hash-session-2".into(),
            scopes: vec![Scope::Read, Scope::Write],
            expires_at: None,
        })
        .await
        .unwrap();
    // Live: session, second_session, expired (not revoked). Keep the session.
    let count = store
        .revoke_user_tokens(ada.id, Some(session.id), start)
        .await
        .unwrap();
    assert_eq!(count, 2);
    let kept = store.token_by_hash("hash-session").await.unwrap().unwrap();
    assert_eq!(kept.revoked_at, None);
    let gone = store
        .token_by_hash("hash-session-2")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(gone.id, second_session.id);
    assert_eq!(gone.revoked_at, Some(start));
    assert_eq!(
        store.revoke_user_tokens(ada.id, None, start).await.unwrap(),
        1
    );

    let listed = store.list_tokens(ada.id).await.unwrap();
    assert_eq!(listed.len(), 4);
    assert!(listed.iter().all(|token| token.revoked_at.is_some()));
    let json = serde_json::to_string(&listed).unwrap();
    assert!(!json.contains("hash-"), "{json}");
}

async fn workspaces(env: Env) {
    let store = &env.store;
    let ada = user(store, "ada@example.com", UserRole::Developer).await;
    let bob = user(store, "bob@example.com", UserRole::Developer).await;
    let alpha = store.create_workspace("Alpha", ada.id).await.unwrap();
    let beta = store.create_workspace("Beta", bob.id).await.unwrap();
    assert_eq!(alpha.owner_id, ada.id);
    assert_eq!(
        store.workspace(alpha.id, false).await.unwrap(),
        Some(alpha.clone())
    );

    let owner = store
        .membership(alpha.id, ada.id)
        .await
        .unwrap()
        .expect("owner membership");
    assert_eq!(owner.role, MemberRole::Owner);
    assert_eq!(owner.user_email, "ada@example.com");
    assert_eq!(store.membership(beta.id, ada.id).await.unwrap(), None);
    assert_eq!(
        store.workspaces_of(ada.id).await.unwrap(),
        [(alpha.clone(), MemberRole::Owner)]
    );
    assert!(matches!(
        store.create_workspace("Orphan", Uuid::new_v4()).await,
        Err(StoreError::NotFound)
    ));

    let renamed = store
        .rename_workspace(alpha.id, "Alpha team")
        .await
        .unwrap();
    assert_eq!(renamed.name, "Alpha team");
    assert_eq!(
        store.workspace(alpha.id, false).await.unwrap(),
        Some(renamed.clone())
    );

    store.delete_workspace(alpha.id, now()).await.unwrap();
    assert_eq!(store.workspaces_of(ada.id).await.unwrap(), []);
    assert_eq!(store.workspace(alpha.id, false).await.unwrap(), None);
    let deleted = store
        .workspace(alpha.id, true)
        .await
        .unwrap()
        .expect("kept");
    assert!(deleted.deleted_at.is_some());
    assert_eq!(store.membership(alpha.id, ada.id).await.unwrap(), None);
    assert_eq!(store.members(alpha.id).await.unwrap(), []);
    assert_eq!(
        store.delete_workspace(alpha.id, now()).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        store.rename_workspace(alpha.id, "x").await,
        Err(StoreError::NotFound)
    );
    let live: Vec<Uuid> = store
        .all_workspaces(false)
        .await
        .unwrap()
        .iter()
        .map(|w| w.id)
        .collect();
    assert_eq!(live, [beta.id]);
    let every: Vec<Uuid> = store
        .all_workspaces(true)
        .await
        .unwrap()
        .iter()
        .map(|w| w.id)
        .collect();
    assert_eq!(every, [alpha.id, beta.id]);

    let restored = store.restore_workspace(alpha.id).await.unwrap();
    assert_eq!(restored.deleted_at, None);
    assert_eq!(restored.name, "Alpha team");
    assert_eq!(store.workspaces_of(ada.id).await.unwrap().len(), 1);
    assert!(store.membership(alpha.id, ada.id).await.unwrap().is_some());
    assert_eq!(
        store.restore_workspace(Uuid::new_v4()).await,
        Err(StoreError::NotFound)
    );
}

async fn memberships(env: Env) {
    let store = &env.store;
    let ada = user(store, "ada@example.com", UserRole::Developer).await;
    let bob = user(store, "bob@example.com", UserRole::Analyst).await;
    let cyd = user(store, "cyd@example.com", UserRole::Analyst).await;
    let space = store.create_workspace("Space", ada.id).await.unwrap();

    let added = store
        .add_member(space.id, bob.id, MemberRole::Viewer)
        .await
        .unwrap();
    assert_eq!(added.role, MemberRole::Viewer);
    assert_eq!(added.user_full_name, "User bob@example.com");
    assert_eq!(
        store.membership(space.id, bob.id).await.unwrap(),
        Some(added.clone())
    );
    assert!(matches!(
        store.add_member(space.id, bob.id, MemberRole::Editor).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store
            .add_member(space.id, Uuid::new_v4(), MemberRole::Viewer)
            .await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        store
            .add_member(Uuid::new_v4(), cyd.id, MemberRole::Viewer)
            .await,
        Err(StoreError::NotFound)
    );

    let editor = store
        .set_member_role(space.id, bob.id, MemberRole::Editor)
        .await
        .unwrap();
    assert_eq!(editor.role, MemberRole::Editor);
    assert_eq!(
        store
            .membership(space.id, bob.id)
            .await
            .unwrap()
            .unwrap()
            .role,
        MemberRole::Editor
    );
    assert_eq!(
        store
            .set_member_role(space.id, cyd.id, MemberRole::Editor)
            .await,
        Err(StoreError::NotFound)
    );

    assert_eq!(
        store
            .set_member_role(space.id, ada.id, MemberRole::Admin)
            .await,
        Err(StoreError::LastOwner)
    );
    assert_eq!(
        store.remove_member(space.id, ada.id).await,
        Err(StoreError::LastOwner)
    );
    assert_eq!(
        store
            .membership(space.id, ada.id)
            .await
            .unwrap()
            .unwrap()
            .role,
        MemberRole::Owner
    );

    store
        .set_member_role(space.id, bob.id, MemberRole::Owner)
        .await
        .unwrap();
    let demoted = store
        .set_member_role(space.id, ada.id, MemberRole::Viewer)
        .await
        .unwrap();
    assert_eq!(demoted.role, MemberRole::Viewer);
    assert_eq!(
        store.remove_member(space.id, bob.id).await,
        Err(StoreError::LastOwner)
    );
    store.remove_member(space.id, ada.id).await.unwrap();
    assert_eq!(
        store.remove_member(space.id, ada.id).await,
        Err(StoreError::NotFound)
    );

    store
        .add_member(space.id, cyd.id, MemberRole::Admin)
        .await
        .unwrap();
    let members: Vec<(Uuid, MemberRole)> = store
        .members(space.id)
        .await
        .unwrap()
        .iter()
        .map(|m| (m.user_id, m.role))
        .collect();
    assert_eq!(
        members,
        [(bob.id, MemberRole::Owner), (cyd.id, MemberRole::Admin)]
    );

    assert!(MemberRole::Viewer < MemberRole::Editor);
    assert!(MemberRole::Editor < MemberRole::Admin);
    assert!(MemberRole::Admin < MemberRole::Owner);
}

/// Two owners demoting each other at once: the store serializes the two
/// changes, so exactly one succeeds and the workspace keeps an owner.
async fn concurrent_demotions_keep_an_owner(env: Env) {
    let store = &env.store;
    let ada = user(store, "ada@example.com", UserRole::Developer).await;
    let bob = user(store, "bob@example.com", UserRole::Developer).await;
    for round in 0..40 {
        let space = store
            .create_workspace(&format!("Space {round}"), ada.id)
            .await
            .unwrap();
        store
            .add_member(space.id, bob.id, MemberRole::Owner)
            .await
            .unwrap();
        let (first, second) = tokio::join!(
            store.set_member_role(space.id, ada.id, MemberRole::Editor),
            store.set_member_role(space.id, bob.id, MemberRole::Editor),
        );
        let outcomes = [first.is_ok(), second.is_ok()];
        assert_eq!(
            outcomes.iter().filter(|ok| **ok).count(),
            1,
            "{first:?} {second:?}"
        );
        assert!(
            matches!(first, Err(StoreError::LastOwner))
                || matches!(second, Err(StoreError::LastOwner))
        );
        let owners = store
            .members(space.id)
            .await
            .unwrap()
            .iter()
            .filter(|m| m.role == MemberRole::Owner)
            .count();
        assert_eq!(owners, 1);
    }
}

async fn connections_are_scoped_by_workspace(env: Env) {
    let store = &env.store;
    let ada = user(store, "ada@example.com", UserRole::Developer).await;
    let mine = store.create_workspace("Mine", ada.id).await.unwrap();
    let theirs = store.create_workspace("Theirs", ada.id).await.unwrap();

    let prod = store
        .create_connection(new_connection(mine.id, "prod", ada.id))
        .await
        .unwrap();
    let other = store
        .create_connection(new_connection(theirs.id, "other", ada.id))
        .await
        .unwrap();
    assert_eq!(prod.mode, ConnectionMode::ReadOnly);
    assert_eq!(
        store.connection(mine.id, prod.id).await.unwrap(),
        Some(prod.clone())
    );
    assert_eq!(store.connection(theirs.id, prod.id).await.unwrap(), None);
    assert_eq!(store.connection(mine.id, other.id).await.unwrap(), None);
    let listed: Vec<Uuid> = store
        .connections(mine.id)
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(listed, [prod.id]);
    assert!(matches!(
        store
            .create_connection(new_connection(mine.id, "prod", ada.id))
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store
            .create_connection(new_connection(Uuid::new_v4(), "x", ada.id))
            .await,
        Err(StoreError::NotFound)
    );

    let json = serde_json::to_value(&prod).unwrap();
    assert_eq!(json["redacted_uri"], "postgres://app:***@db/prod");
    assert_eq!(json["mode"], "read-only");
    assert!(
        json.get("uri").is_none() && json.get("connection_uri").is_none(),
        "{json}"
    );

    let foreign = ConnectionChange {
        name: Some("stolen".into()),
        ..ConnectionChange::default()
    };
    assert_eq!(
        store.update_connection(theirs.id, prod.id, foreign).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        store.delete_connection(theirs.id, prod.id).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        store
            .record_connection_test(theirs.id, prod.id, now(), true, "x")
            .await,
        Err(StoreError::NotFound)
    );

    let tested_at = now();
    store
        .record_connection_test(mine.id, prod.id, tested_at, true, "PostgreSQL 15.4")
        .await
        .unwrap();
    let tested = store.connection(mine.id, prod.id).await.unwrap().unwrap();
    assert_eq!(tested.last_tested_at, Some(tested_at));
    assert_eq!(tested.last_test_ok, Some(true));
    assert_eq!(tested.last_test_detail.as_deref(), Some("PostgreSQL 15.4"));

    let renamed = store
        .update_connection(
            mine.id,
            prod.id,
            ConnectionChange {
                name: Some("production".into()),
                mode: Some(ConnectionMode::ReadWrite),
                ..ConnectionChange::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.name, "production");
    assert_eq!(renamed.mode, ConnectionMode::ReadWrite);
    assert_eq!(renamed.db_type, DbType::Postgres);
    assert_eq!(
        renamed.last_test_ok,
        Some(true),
        "a rename keeps the test result"
    );

    let moved = store
        .update_connection(
            mine.id,
            prod.id,
            ConnectionChange {
                db_type: Some(DbType::Mysql),
                uri: Some(UriChange {
                    sealed: sealed("sealed new", "aaaaaaaa"),
                    redacted: "mysql://app:***@db2/prod".into(),
                }),
                ..ConnectionChange::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(moved.uri, sealed("sealed new", "aaaaaaaa"));
    assert_eq!(moved.redacted_uri, "mysql://app:***@db2/prod");
    assert_eq!(moved.db_type, DbType::Mysql);
    assert_eq!(moved.last_tested_at, None, "a new URI clears the old test");
    assert_eq!(moved.last_test_ok, None);
    assert_eq!(
        store.connection(mine.id, prod.id).await.unwrap(),
        Some(moved)
    );

    store.delete_workspace(mine.id, now()).await.unwrap();
    assert_eq!(store.connections(mine.id).await.unwrap(), []);
    assert_eq!(store.connection(mine.id, prod.id).await.unwrap(), None);
    store.restore_workspace(mine.id).await.unwrap();

    store.delete_connection(mine.id, prod.id).await.unwrap();
    assert_eq!(store.connection(mine.id, prod.id).await.unwrap(), None);
    assert_eq!(
        store.delete_connection(mine.id, prod.id).await,
        Err(StoreError::NotFound)
    );
}

async fn reseal_is_compare_and_set(env: Env) {
    let store = &env.store;
    let ada = user(store, "ada@example.com", UserRole::Developer).await;
    let space = store.create_workspace("Space", ada.id).await.unwrap();
    let gone = store.create_workspace("Gone", ada.id).await.unwrap();
    let a = store
        .create_connection(new_connection(space.id, "a", ada.id))
        .await
        .unwrap();
    let b = store
        .create_connection(new_connection(gone.id, "b", ada.id))
        .await
        .unwrap();
    store.delete_workspace(gone.id, now()).await.unwrap();

    let mut sealed_uris = store.sealed_uris().await.unwrap();
    sealed_uris.sort_by_key(|(id, _)| *id);
    let mut expected = vec![(a.id, a.uri.clone()), (b.id, b.uri.clone())];
    expected.sort_by_key(|(id, _)| *id);
    assert_eq!(sealed_uris, expected, "deleted workspaces are rotated too");

    assert!(store
        .reseal_uri(a.id, "aaaaaaaa", sealed("resealed", "bbbbbbbb"))
        .await
        .unwrap());
    let resealed = store.connection(space.id, a.id).await.unwrap().unwrap();
    assert_eq!(resealed.uri, sealed("resealed", "bbbbbbbb"));
    assert_eq!(
        resealed.updated_at, a.updated_at,
        "a reseal is not a user's change"
    );

    assert!(
        !store
            .reseal_uri(a.id, "aaaaaaaa", sealed("stale", "cccccccc"))
            .await
            .unwrap(),
        "a URI no longer under the old key is left alone"
    );
    assert_eq!(
        store.connection(space.id, a.id).await.unwrap().unwrap().uri,
        sealed("resealed", "bbbbbbbb")
    );
    assert!(!store
        .reseal_uri(Uuid::new_v4(), "aaaaaaaa", sealed("x", "y"))
        .await
        .unwrap());
}

async fn audits_filter_page_and_refuse_changes(env: Env) {
    let store = &env.store;
    let ada = user(store, "ada@example.com", UserRole::Admin).await;
    let bob = user(store, "bob@example.com", UserRole::Analyst).await;
    let one = store.create_workspace("One", ada.id).await.unwrap();
    let two = store.create_workspace("Two", bob.id).await.unwrap();

    let before = now();
    store
        .append_audit(audit(None, None, "auth.login_failed"))
        .await
        .unwrap();
    store
        .append_audit(audit(None, Some(ada.id), "auth.login"))
        .await
        .unwrap();
    for index in 0..5 {
        store
            .append_audit(audit(
                Some(one.id),
                Some(ada.id),
                &format!("connection.create.{index}"),
            ))
            .await
            .unwrap();
    }
    store
        .append_audit(audit(Some(two.id), Some(bob.id), "connection.delete"))
        .await
        .unwrap();
    store
        .append_audit(audit(Some(one.id), Some(bob.id), "member.add"))
        .await
        .unwrap();

    let every = store.audits(AuditFilter::default()).await.unwrap();
    assert_eq!(every.len(), 9);
    assert_eq!(every[0].action, "member.add", "newest first");
    assert_eq!(every[8].action, "auth.login_failed");
    assert_eq!(every[8].actor_id, None);
    assert_eq!(
        every[0].details,
        serde_json::json!({ "action": "member.add" })
    );
    assert_eq!(every[0].ip.as_deref(), Some("127.0.0.1"));
    assert!(every[0].created_at >= before);

    let in_one = store
        .audits(AuditFilter {
            workspace_id: Some(one.id),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(in_one.len(), 6);
    assert!(in_one.iter().all(|a| a.workspace_id == Some(one.id)));

    let by_bob = store
        .audits(AuditFilter {
            actor_id: Some(bob.id),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    let actions: Vec<&str> = by_bob.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(actions, ["member.add", "connection.delete"]);

    let connection_events = store
        .audits(AuditFilter {
            action: Some("connection.".into()),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(connection_events.len(), 6);
    let logins = store
        .audits(AuditFilter {
            action: Some("auth.login".into()),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(logins.len(), 2, "prefix match");
    let literal = store
        .audits(AuditFilter {
            action: Some("auth%".into()),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(literal, [], "the prefix is not a pattern");

    let future = store
        .audits(AuditFilter {
            since: Some(now() + Duration::hours(1)),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(future, []);
    let until = store
        .audits(AuditFilter {
            until: Some(before),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(until, []);
    let window = store
        .audits(AuditFilter {
            since: Some(before),
            until: Some(now() + Duration::seconds(1)),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(window.len(), 9);

    let mut pages = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .audits(AuditFilter {
                workspace_id: Some(one.id),
                limit: Some(4),
                before_id: cursor,
                ..AuditFilter::default()
            })
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 4);
        cursor = page.last().map(|a| a.id);
        pages.push(page);
    }
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [4, 2]);
    assert_eq!(
        pages.concat(),
        in_one,
        "pages add up to the whole, in order"
    );
    let unknown_cursor = store
        .audits(AuditFilter {
            before_id: Some(Uuid::new_v4()),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(unknown_cursor, []);

    let audits = env.table("audits");
    let update = env
        .raw(&format!("UPDATE {audits} SET action = 'forged'"))
        .await;
    assert!(
        update.as_ref().is_err_and(|e| e.contains("append-only")),
        "{update:?}"
    );
    let delete = env.raw(&format!("DELETE FROM {audits}")).await;
    assert!(
        delete.as_ref().is_err_and(|e| e.contains("append-only")),
        "{delete:?}"
    );
    if let Database::Postgres(_) = env.database {
        let truncate = env.raw("TRUNCATE carta.audits").await;
        assert!(
            truncate.as_ref().is_err_and(|e| e.contains("append-only")),
            "{truncate:?}"
        );
    }
    assert_eq!(store.audits(AuditFilter::default()).await.unwrap(), every);
}

async fn migrations_are_idempotent(env: Env) {
    let ada = user(&env.store, "ada@example.com", UserRole::Admin).await;
    let reopened = Store::open(&env.url).await.expect("reopen");
    let again = Store::open(&env.url).await.expect("reopen twice");
    reopened.ping().await.unwrap();
    assert_eq!(again.user(ada.id).await.unwrap(), Some(ada));
    let migrations = env.table("schema_migrations");
    // One row per migration file of the backend (both have the same list).
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
        .expect("the migrations folder")
        .count();
    assert_eq!(
        env.raw_count(&format!("SELECT count(*) FROM {migrations}"))
            .await,
        i64::try_from(files).expect("a count"),
        "every migration applied once"
    );
}

/// Input that would make one backend fail (PostgreSQL refuses NUL in text)
/// or overflow a conversion is refused the same way on both.
async fn bad_input_is_invalid_not_a_backend_error(env: Env) {
    let store = &env.store;
    let ada = user(store, "ada@example.com", UserRole::Admin).await;
    let invalid = |result: Result<(), StoreError>| {
        assert!(
            matches!(result, Err(StoreError::InvalidInput(_))),
            "{result:?}"
        );
    };
    invalid(store.create_workspace("a\0b", ada.id).await.map(drop));
    invalid(store.user_by_email("ada\0@example.com").await.map(drop));
    let workspace = store
        .create_workspace("w", ada.id)
        .await
        .expect("a workspace");
    invalid(store.rename_workspace(workspace.id, "\0").await.map(drop));
    invalid(
        store
            .create_connection(NewConnection {
                name: "c\0".into(),
                ..new_connection(workspace.id, "c", ada.id)
            })
            .await
            .map(drop),
    );
    // 9999-12-31T23:59:59-23:59 is in year 10000 in UTC.
    let last = time::macros::datetime!(9999-12-31 23:59:59 -23:59);
    for filter in [
        AuditFilter {
            since: Some(last),
            ..AuditFilter::default()
        },
        AuditFilter {
            until: Some(last),
            ..AuditFilter::default()
        },
        AuditFilter {
            action: Some("auth.\0".into()),
            ..AuditFilter::default()
        },
    ] {
        invalid(store.audits(filter).await.map(drop));
    }
    invalid(store.revoke_token(Uuid::new_v4(), last).await);
}

fn sync_job(workspace: Uuid, by: Uuid) -> NewJob {
    NewJob {
        workspace_id: workspace,
        kind: JobKind::Sync,
        payload: serde_json::json!({ "connection_id": Uuid::new_v4() }),
        created_by: Some(by),
    }
}

async fn jobs_run_once_and_are_scoped_by_workspace(env: Env) {
    let store = &env.store;
    let ada = user(store, "ada@example.com", UserRole::Developer).await;
    let mine = store.create_workspace("Mine", ada.id).await.unwrap();
    let theirs = store.create_workspace("Theirs", ada.id).await.unwrap();

    let job = store.enqueue_job(sync_job(mine.id, ada.id)).await.unwrap();
    assert_eq!(job.status, JobStatus::Pending);
    assert_eq!((job.progress, job.attempts), (0, 0));
    assert_eq!(store.job(mine.id, job.id).await.unwrap(), Some(job.clone()));
    assert_eq!(store.job(theirs.id, job.id).await.unwrap(), None);
    assert_eq!(
        store.enqueue_job(sync_job(Uuid::new_v4(), ada.id)).await,
        Err(StoreError::NotFound)
    );

    let claimed = store.claim_job("server-1").await.unwrap().unwrap();
    assert_eq!(claimed.id, job.id);
    assert_eq!(claimed.status, JobStatus::Running);
    assert_eq!(claimed.attempts, 1);
    assert_eq!(claimed.claimed_by.as_deref(), Some("server-1"));
    assert!(claimed.started_at.is_some() && claimed.heartbeat_at.is_some());
    assert_eq!(store.claim_job("server-2").await.unwrap(), None);

    // Only the claim holder reports on a job.
    assert_eq!(
        store.heartbeat_job(job.id, "server-2").await,
        Err(StoreError::NotFound)
    );
    let halfway = store.job_progress(job.id, "server-1", 50).await.unwrap();
    assert_eq!(halfway.progress, 50);
    assert!(matches!(
        store.job_progress(job.id, "server-1", 101).await,
        Err(StoreError::InvalidInput(_))
    ));
    let done = store
        .finish_job(
            job.id,
            "server-1",
            JobOutcome::Completed(serde_json::json!({ "version": 1 })),
        )
        .await
        .unwrap();
    assert_eq!(done.status, JobStatus::Completed);
    assert_eq!(done.progress, 100);
    assert_eq!(done.result, Some(serde_json::json!({ "version": 1 })));
    assert!(done.finished_at.is_some());
    assert_eq!(
        store
            .finish_job(job.id, "server-1", JobOutcome::Failed("late".into()))
            .await,
        Err(StoreError::NotFound)
    );
    assert!(matches!(
        store.cancel_job(mine.id, job.id).await,
        Err(StoreError::Conflict(_))
    ));

    let failing = store.enqueue_job(sync_job(mine.id, ada.id)).await.unwrap();
    store.claim_job("server-1").await.unwrap().unwrap();
    let failed = store
        .finish_job(
            failing.id,
            "server-1",
            JobOutcome::Failed("no route".into()),
        )
        .await
        .unwrap();
    assert_eq!(failed.status, JobStatus::Failed);
    assert_eq!(failed.error.as_deref(), Some("no route"));
    assert_eq!(failed.result, None);

    // A deleted workspace's jobs wait for its restore.
    let parked = store
        .enqueue_job(sync_job(theirs.id, ada.id))
        .await
        .unwrap();
    store.delete_workspace(theirs.id, now()).await.unwrap();
    assert_eq!(store.claim_job("server-1").await.unwrap(), None);
    store.restore_workspace(theirs.id).await.unwrap();
    assert_eq!(
        store.claim_job("server-1").await.unwrap().map(|j| j.id),
        Some(parked.id)
    );
}

async fn cancel_stops_pending_and_asks_running(env: Env) {
    let store = &env.store;
    let ada = user(store, "ada@example.com", UserRole::Developer).await;
    let mine = store.create_workspace("Mine", ada.id).await.unwrap();
    let theirs = store.create_workspace("Theirs", ada.id).await.unwrap();

    let running = store.enqueue_job(sync_job(mine.id, ada.id)).await.unwrap();
    let pending = store.enqueue_job(sync_job(mine.id, ada.id)).await.unwrap();
    assert_eq!(
        store.claim_job("server-1").await.unwrap().map(|j| j.id),
        Some(running.id)
    );

    assert_eq!(
        store.cancel_job(theirs.id, pending.id).await,
        Err(StoreError::NotFound)
    );
    let cancelled = store.cancel_job(mine.id, pending.id).await.unwrap();
    assert_eq!(cancelled.status, JobStatus::Cancelled);
    assert!(cancelled.finished_at.is_some());
    assert_eq!(store.claim_job("server-1").await.unwrap(), None);

    let asked = store.cancel_job(mine.id, running.id).await.unwrap();
    assert_eq!(asked.status, JobStatus::Running);
    assert!(asked.cancel_requested);
    let seen = store.heartbeat_job(running.id, "server-1").await.unwrap();
    assert!(seen.cancel_requested);
    let stopped = store
        .finish_job(running.id, "server-1", JobOutcome::Cancelled)
        .await
        .unwrap();
    assert_eq!(stopped.status, JobStatus::Cancelled);
    assert!(matches!(
        store.cancel_job(mine.id, running.id).await,
        Err(StoreError::Conflict(_))
    ));
}

/// Makes every running job look abandoned by its server.
async fn stop_heartbeats(env: &Env) {
    let jobs = env.table("jobs");
    env.raw(&format!(
        "UPDATE {jobs} SET heartbeat_at = '2000-01-01T00:00:00.000000Z' WHERE status = 'running'"
    ))
    .await
    .unwrap();
}

async fn stale_jobs_are_requeued_then_failed(env: Env) {
    let store = &env.store;
    let ada = user(store, "ada@example.com", UserRole::Developer).await;
    let mine = store.create_workspace("Mine", ada.id).await.unwrap();
    let stale_before = now() - Duration::minutes(1);

    let job = store.enqueue_job(sync_job(mine.id, ada.id)).await.unwrap();
    store.claim_job("dead").await.unwrap().unwrap();
    // A live heartbeat keeps the job with its server.
    assert_eq!(store.recover_stale_jobs(stale_before).await.unwrap(), []);
    stop_heartbeats(&env).await;
    let recovered = store.recover_stale_jobs(stale_before).await.unwrap();
    assert_eq!(recovered.len(), 1);
    assert_eq!(recovered[0].id, job.id);
    assert_eq!(recovered[0].status, JobStatus::Pending);
    assert_eq!(recovered[0].claimed_by, None);

    let retried = store.claim_job("alive").await.unwrap().unwrap();
    assert_eq!((retried.id, retried.attempts), (job.id, 2));
    // The dead server, were it to come back, no longer holds the job.
    assert_eq!(
        store.heartbeat_job(job.id, "dead").await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        store
            .finish_job(job.id, "dead", JobOutcome::Completed(serde_json::json!({})))
            .await,
        Err(StoreError::NotFound)
    );
    let done = store
        .finish_job(
            job.id,
            "alive",
            JobOutcome::Completed(serde_json::json!({})),
        )
        .await
        .unwrap();
    assert_eq!(done.status, JobStatus::Completed);
    assert_eq!(done.claimed_by.as_deref(), Some("alive"));

    // A job that kills its server every time fails after the last attempt.
    let doomed = store.enqueue_job(sync_job(mine.id, ada.id)).await.unwrap();
    for attempt in 1..=MAX_JOB_ATTEMPTS {
        let claimed = store.claim_job("dying").await.unwrap().unwrap();
        assert_eq!((claimed.id, claimed.attempts), (doomed.id, attempt));
        stop_heartbeats(&env).await;
        let recovered = store.recover_stale_jobs(stale_before).await.unwrap();
        let expected = if attempt < MAX_JOB_ATTEMPTS {
            JobStatus::Pending
        } else {
            JobStatus::Failed
        };
        assert_eq!(recovered[0].status, expected);
    }
    let failed = store.job(mine.id, doomed.id).await.unwrap().unwrap();
    assert!(failed
        .error
        .is_some_and(|e| e.contains("stopped responding")));
    assert!(failed.finished_at.is_some());
    assert_eq!(store.claim_job("dying").await.unwrap(), None);

    // A cancel asked of a job whose server died ends it as cancelled.
    let abandoned = store.enqueue_job(sync_job(mine.id, ada.id)).await.unwrap();
    store.claim_job("dead").await.unwrap().unwrap();
    store.cancel_job(mine.id, abandoned.id).await.unwrap();
    stop_heartbeats(&env).await;
    let recovered = store.recover_stale_jobs(stale_before).await.unwrap();
    assert_eq!(recovered[0].status, JobStatus::Cancelled);
}

/// Several claimers on two stores over one database (as two servers would
/// be) take every job exactly once.
async fn concurrent_claimers_take_each_job_once(env: Env) {
    const JOBS: usize = 60;
    const CLAIMERS: usize = 8;
    let store = &env.store;
    let ada = user(store, "ada@example.com", UserRole::Developer).await;
    let mine = store.create_workspace("Mine", ada.id).await.unwrap();
    let mut enqueued = Vec::new();
    for _ in 0..JOBS {
        enqueued.push(
            store
                .enqueue_job(sync_job(mine.id, ada.id))
                .await
                .unwrap()
                .id,
        );
    }
    let second = Store::open(&env.url).await.expect("a second store");

    let claimers: Vec<_> = (0..CLAIMERS)
        .map(|n| {
            let store = if n % 2 == 0 {
                store.clone()
            } else {
                second.clone()
            };
            tokio::spawn(async move {
                let instance = format!("server-{n}");
                let mut claimed = Vec::new();
                while let Some(job) = store.claim_job(&instance).await.unwrap() {
                    assert_eq!(job.claimed_by.as_deref(), Some(instance.as_str()));
                    store
                        .finish_job(
                            job.id,
                            &instance,
                            JobOutcome::Completed(serde_json::json!({})),
                        )
                        .await
                        .unwrap();
                    claimed.push(job.id);
                }
                claimed
            })
        })
        .collect();
    let mut claimed = Vec::new();
    for claimer in claimers {
        claimed.extend(claimer.await.unwrap());
    }
    claimed.sort();
    enqueued.sort();
    assert_eq!(claimed, enqueued, "each job claimed exactly once");
    for id in enqueued {
        let job = store.job(mine.id, id).await.unwrap().unwrap();
        assert_eq!((job.status, job.attempts), (JobStatus::Completed, 1));
    }
}

fn column(name: &str, comment: Option<&str>) -> ColumnRow {
    ColumnRow {
        name: name.into(),
        data_type: "text".into(),
        nullable: true,
        is_pk: false,
        is_fk: false,
        comment: comment.map(Into::into),
    }
}

fn synced(
    workspace: Uuid,
    connection: Uuid,
    fingerprint: &str,
    columns: Vec<ColumnRow>,
) -> NewSchemaVersion {
    NewSchemaVersion {
        workspace_id: workspace,
        connection_id: connection,
        fingerprint: fingerprint.into(),
        schema_json: serde_json::json!({ "fingerprint": fingerprint }),
        summary: serde_json::json!({ "columns": columns.len() }),
        tables: vec![TableRow {
            namespace: "public".into(),
            name: "Customers".into(),
            kind: "table".into(),
            comment: Some("People who buy".into()),
            columns,
        }],
    }
}

async fn schema_versions_change_with_the_fingerprint(env: Env) {
    let store = &env.store;
    let ada = user(store, "ada@example.com", UserRole::Developer).await;
    let mine = store.create_workspace("Mine", ada.id).await.unwrap();
    let theirs = store.create_workspace("Theirs", ada.id).await.unwrap();
    let prod = store
        .create_connection(new_connection(mine.id, "prod", ada.id))
        .await
        .unwrap();

    let first = store
        .record_schema_version(synced(
            mine.id,
            prod.id,
            "sha256:1",
            vec![column("id", None)],
        ))
        .await
        .unwrap();
    let SchemaRecord::Created(v1) = first else {
        panic!("a first sync creates version 1: {first:?}")
    };
    assert_eq!(v1.version, 1);
    assert_eq!(v1.summary, serde_json::json!({ "columns": 1 }));
    let again = store
        .record_schema_version(synced(
            mine.id,
            prod.id,
            "sha256:1",
            vec![column("id", None)],
        ))
        .await
        .unwrap();
    assert_eq!(again, SchemaRecord::Unchanged(v1.clone()));
    let changed = store
        .record_schema_version(synced(
            mine.id,
            prod.id,
            "sha256:2",
            vec![
                column("id", None),
                column("vip_since", Some("When they became VIP")),
            ],
        ))
        .await
        .unwrap();
    let SchemaRecord::Created(v2) = changed else {
        panic!("a changed fingerprint creates version 2: {changed:?}")
    };
    assert_eq!(v2.version, 2);

    let listed: Vec<u32> = store
        .schema_versions(mine.id, prod.id)
        .await
        .unwrap()
        .iter()
        .map(|v| v.version)
        .collect();
    assert_eq!(listed, [2, 1]);
    let (found, json) = store
        .schema_version(mine.id, prod.id, 1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found, v1);
    assert_eq!(json, serde_json::json!({ "fingerprint": "sha256:1" }));
    assert_eq!(
        store.schema_version(mine.id, prod.id, 3).await.unwrap(),
        None
    );

    // Search reads the latest version only, ignoring case, names and comments.
    let vip = store.search_schemas(mine.id, "VIP", 50).await.unwrap();
    assert_eq!(vip.len(), 1, "{vip:?}");
    assert_eq!(vip[0].column.as_deref(), Some("vip_since"));
    assert_eq!((vip[0].version, vip[0].table.as_str()), (2, "Customers"));
    let buyers = store.search_schemas(mine.id, "buy", 50).await.unwrap();
    assert_eq!(buyers.len(), 1);
    assert_eq!(buyers[0].column, None);
    assert_eq!(buyers[0].comment.as_deref(), Some("People who buy"));
    assert_eq!(store.search_schemas(mine.id, "%", 50).await.unwrap(), []);
    assert_eq!(store.search_schemas(mine.id, "", 2).await.unwrap().len(), 2);

    // Another workspace sees none of it.
    assert_eq!(store.schema_versions(theirs.id, prod.id).await.unwrap(), []);
    assert_eq!(
        store.schema_version(theirs.id, prod.id, 1).await.unwrap(),
        None
    );
    assert_eq!(
        store.search_schemas(theirs.id, "vip", 50).await.unwrap(),
        []
    );
    assert_eq!(
        store
            .record_schema_version(synced(theirs.id, prod.id, "sha256:3", vec![]))
            .await,
        Err(StoreError::NotFound)
    );
}

on_both_backends!(
    users_and_unique_emails,
    tokens,
    workspaces,
    memberships,
    concurrent_demotions_keep_an_owner,
    connections_are_scoped_by_workspace,
    reseal_is_compare_and_set,
    audits_filter_page_and_refuse_changes,
    migrations_are_idempotent,
    bad_input_is_invalid_not_a_backend_error,
    jobs_run_once_and_are_scoped_by_workspace,
    cancel_stops_pending_and_asks_running,
    stale_jobs_are_requeued_then_failed,
    concurrent_claimers_take_each_job_once,
    schema_versions_change_with_the_fingerprint,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn superuser_stores_report_that_row_security_is_bypassed() {
    // The suite's own role is neither a superuser nor BYPASSRLS.
    assert!(!Env::postgres()
        .await
        .store
        .row_security_bypassed()
        .await
        .expect("an answer"));
    assert!(!Env::sqlite()
        .await
        .store
        .row_security_bypassed()
        .await
        .expect("an answer"));
    let as_postgres = carta_testkit::PgDatabase::create();
    let store = Store::open(&as_postgres.url()).await.expect("a store");
    assert!(store.row_security_bypassed().await.expect("an answer"));
}

/// Row-level security holds even for the role that owns the tables: a
/// transaction that does not name a workspace, or names another one, sees nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_row_level_security_hides_other_workspaces() {
    let env = Env::postgres().await;
    let store = &env.store;
    let ada = user(store, "ada@example.com", UserRole::Admin).await;
    let mine = store.create_workspace("Mine", ada.id).await.unwrap();
    let other = store.create_workspace("Other", ada.id).await.unwrap();
    store
        .create_connection(new_connection(mine.id, "prod", ada.id))
        .await
        .unwrap();
    store
        .append_audit(audit(Some(mine.id), Some(ada.id), "connection.create"))
        .await
        .unwrap();

    let Database::Postgres(database) = &env.database else {
        unreachable!("a PostgreSQL environment")
    };
    let mut client = pg_connect(&database.url).await;
    let is_superuser: bool = client
        .query_one(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(!is_superuser);

    for table in ["connections", "memberships", "audits", "workspaces"] {
        let sql = format!("SELECT count(*) FROM carta.{table}");
        let unscoped: i64 = client.query_one(&sql, &[]).await.unwrap().get(0);
        assert_eq!(unscoped, 0, "{table} without carta.workspace_id");

        // The other workspace has its own row and its owner's membership, but
        // no connection or audit.
        let in_other = i64::from(table == "workspaces" || table == "memberships");
        for (workspace, expected) in [(other.id, in_other), (mine.id, 1)] {
            let tx = client.transaction().await.unwrap();
            tx.execute(
                "SELECT set_config('carta.workspace_id', $1, true)",
                &[&workspace.to_string()],
            )
            .await
            .unwrap();
            let seen: i64 = tx.query_one(&sql, &[]).await.unwrap().get(0);
            assert_eq!(seen, expected, "{table} under workspace {workspace}");
            tx.commit().await.unwrap();
        }
    }

    let forged = client
        .batch_execute(&format!(
            "INSERT INTO carta.connections (id, workspace_id, name, db_type, connection_uri,
                 connection_uri_key_id, redacted_uri, created_at, updated_at)
             VALUES (gen_random_uuid(), '{}', 'forged', 'postgres', '\\x00', 'k', 'r', now(), now())",
            mine.id
        ))
        .await;
    assert!(forged.is_err(), "an insert outside the scope is refused");
}

#[tokio::test]
async fn sqlite_store_file_is_private_and_in_a_created_folder() {
    let env = Env::sqlite().await;
    let path = env.url.strip_prefix("sqlite://").unwrap();
    assert!(std::path::Path::new(path).exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
