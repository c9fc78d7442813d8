//! Living docs in the store, on both backends: revisions ordered and
//! attributed, optimistic concurrency, orphan marking, templates, feedback.

#[macro_use]
mod common;

use common::{new_connection, user, Env};

use carta_store::{
    now, DocEdit, DocFilter, DocScope, GeneratedDoc, NewDocFeedback, Store, StoreError, UserRole,
    Uuid,
};

/// A workspace owned by a new user, with one connection.
async fn setup(store: &Store, email: &str) -> (Uuid, Uuid, Uuid) {
    let owner = user(store, email, UserRole::Analyst).await;
    let workspace = store.create_workspace("Docs", owner.id).await.unwrap();
    let connection = store
        .create_connection(new_connection(workspace.id, "app", owner.id))
        .await
        .unwrap();
    (workspace.id, connection.id, owner.id)
}

fn generated(
    workspace: Uuid,
    connection: Uuid,
    key: &str,
    text: &str,
    expected_revision: Option<u32>,
) -> GeneratedDoc {
    GeneratedDoc {
        workspace_id: workspace,
        connection_id: connection,
        scope: DocScope::Table,
        object_key: key.into(),
        path: format!("tables/{key}.md"),
        version: 1,
        content_md: text.into(),
        generated_md: text.into(),
        template: "builtin:table.md.j2".into(),
        expected_revision,
    }
}

fn edit(workspace: Uuid, doc: Uuid, author: Uuid, text: &str, expected: Option<u32>) -> DocEdit {
    DocEdit {
        workspace_id: workspace,
        doc_id: doc,
        content_md: text.into(),
        author_id: author,
        expected_revision: expected,
    }
}

async fn revisions_are_ordered_and_attributed(env: Env) {
    let store = &env.store;
    let (ws, conn, ada) = setup(store, "ada@example.com").await;
    let doc = store
        .save_generated_doc(generated(ws, conn, "public.orders", "# orders\n", None))
        .await
        .unwrap();
    assert_eq!((doc.revision, doc.updated_by), (1, None));

    let edited = store
        .edit_doc(edit(ws, doc.id, ada, "# orders\n\nMine.\n", Some(1)))
        .await
        .unwrap();
    assert_eq!((edited.revision, edited.updated_by), (2, Some(ada)));
    // The same text again is no change and no revision.
    let same = store
        .edit_doc(edit(ws, doc.id, ada, "# orders\n\nMine.\n", None))
        .await
        .unwrap();
    assert_eq!(same, edited);

    let mut regenerated = generated(ws, conn, "public.orders", "# orders v2\n\nMine.\n", Some(2));
    regenerated.generated_md = "# orders v2\n".into();
    regenerated.version = 2;
    let after = store.save_generated_doc(regenerated.clone()).await.unwrap();
    assert_eq!(after.revision, 3);
    assert_eq!(after.updated_by, None);
    assert_eq!(after.version, 2);
    assert_eq!(after.generated_md, "# orders v2\n");
    // Regenerating the same text records the version but adds no revision.
    regenerated.expected_revision = Some(3);
    regenerated.version = 3;
    let unchanged = store.save_generated_doc(regenerated).await.unwrap();
    assert_eq!((unchanged.revision, unchanged.version), (3, 3));

    let revisions = store.doc_revisions(ws, doc.id).await.unwrap();
    let summary: Vec<(u32, Option<Uuid>, &str)> = revisions
        .iter()
        .map(|r| (r.revision, r.author_id, r.content_md.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            (1, None, "# orders\n"),
            (2, Some(ada), "# orders\n\nMine.\n"),
            (3, None, "# orders v2\n\nMine.\n"),
        ]
    );
    assert!(revisions
        .windows(2)
        .all(|w| w[0].created_at <= w[1].created_at));
    assert_eq!(
        store.doc_revision(ws, doc.id, 2).await.unwrap(),
        Some(revisions[1].clone())
    );
    assert_eq!(store.doc_revision(ws, doc.id, 9).await.unwrap(), None);
    assert_eq!(store.doc(ws, doc.id).await.unwrap(), Some(unchanged));

    // Another workspace sees none of it.
    let (other, _, bob) = setup(store, "bob@example.com").await;
    assert_eq!(store.doc(other, doc.id).await.unwrap(), None);
    assert!(store.doc_revisions(other, doc.id).await.unwrap().is_empty());
    let foreign = store
        .edit_doc(edit(other, doc.id, bob, "taken over", None))
        .await
        .unwrap_err();
    assert_eq!(foreign, StoreError::NotFound);
    let foreign = store
        .save_generated_doc(generated(other, conn, "public.x", "x", None))
        .await
        .unwrap_err();
    assert_eq!(foreign, StoreError::NotFound);
}

async fn stale_revisions_are_refused(env: Env) {
    let store = &env.store;
    let (ws, conn, ada) = setup(store, "ada@example.com").await;
    let doc = store
        .save_generated_doc(generated(ws, conn, "public.orders", "v1\n", None))
        .await
        .unwrap();
    store
        .edit_doc(edit(ws, doc.id, ada, "ada's\n", Some(1)))
        .await
        .unwrap();
    // A second editor who loaded revision 1 is told, not overwriting Ada.
    let stale = store
        .edit_doc(edit(ws, doc.id, ada, "lost update\n", Some(1)))
        .await
        .unwrap_err();
    assert!(
        matches!(&stale, StoreError::Conflict(m) if m.contains("revision 2")),
        "{stale:?}"
    );
    let stale = store
        .save_generated_doc(generated(ws, conn, "public.orders", "v2\n", Some(1)))
        .await
        .unwrap_err();
    assert!(matches!(stale, StoreError::Conflict(_)), "{stale:?}");
    let twice = store
        .save_generated_doc(generated(ws, conn, "public.orders", "v2\n", None))
        .await
        .unwrap_err();
    assert!(matches!(twice, StoreError::Conflict(_)), "{twice:?}");
    assert_eq!(
        store.doc(ws, doc.id).await.unwrap().unwrap().content_md,
        "ada's\n"
    );
    assert_eq!(store.doc_revisions(ws, doc.id).await.unwrap().len(), 2);

    let nul = store
        .edit_doc(edit(ws, doc.id, ada, "a\0b", None))
        .await
        .unwrap_err();
    assert!(matches!(nul, StoreError::InvalidInput(_)), "{nul:?}");
    // Markdown's own control characters are kept.
    let tabs = store
        .edit_doc(edit(ws, doc.id, ada, "a\tb\r\nc\n", None))
        .await
        .unwrap();
    assert_eq!(tabs.content_md, "a\tb\r\nc\n");
}

async fn missing_objects_are_orphaned_and_come_back(env: Env) {
    let store = &env.store;
    let (ws, conn, _) = setup(store, "ada@example.com").await;
    let mut ids = Vec::new();
    for key in ["public.a", "public.b", "public.c"] {
        let doc = store
            .save_generated_doc(generated(ws, conn, key, key, None))
            .await
            .unwrap();
        ids.push(doc.id);
    }
    let at = now();
    let marked = store
        .orphan_docs(ws, conn, ids[..2].to_vec(), at)
        .await
        .unwrap();
    assert_eq!(marked.len(), 1);
    assert_eq!(marked[0].object_key, "public.c");
    assert_eq!(marked[0].orphaned_at, Some(at));
    // Marking again keeps the first time and reports nothing new.
    assert!(store
        .orphan_docs(ws, conn, ids[..2].to_vec(), now())
        .await
        .unwrap()
        .is_empty());

    let filter = |orphaned| DocFilter {
        workspace_id: ws,
        connection_id: Some(conn),
        scope: Some(DocScope::Table),
        orphaned,
    };
    let keys = |docs: Vec<carta_store::Doc>| -> Vec<String> {
        docs.into_iter().map(|d| d.object_key).collect()
    };
    assert_eq!(
        keys(store.docs(filter(Some(true))).await.unwrap()),
        ["public.c"]
    );
    assert_eq!(
        keys(store.docs(filter(Some(false))).await.unwrap()),
        ["public.a", "public.b"]
    );
    assert_eq!(store.docs(filter(None)).await.unwrap().len(), 3);
    let overview_only = DocFilter {
        scope: Some(DocScope::Overview),
        ..filter(None)
    };
    assert!(store.docs(overview_only).await.unwrap().is_empty());

    // The object is back: generating its document again clears the mark.
    let back = store
        .save_generated_doc(generated(ws, conn, "public.c", "public.c", Some(1)))
        .await
        .unwrap();
    assert_eq!((back.orphaned_at, back.revision), (None, 1));
}

async fn templates_are_set_replaced_and_deleted(env: Env) {
    let store = &env.store;
    let (ws, _, ada) = setup(store, "ada@example.com").await;
    store
        .set_doc_template(ws, DocScope::Table, "# {{ table.name.name }}", ada)
        .await
        .unwrap();
    let replaced = store
        .set_doc_template(ws, DocScope::Table, "## {{ table.name.name }}", ada)
        .await
        .unwrap();
    store
        .set_doc_template(ws, DocScope::Overview, "# overview", ada)
        .await
        .unwrap();
    let listed = store.doc_templates(ws).await.unwrap();
    let scopes: Vec<DocScope> = listed.iter().map(|t| t.scope).collect();
    assert_eq!(scopes, [DocScope::Overview, DocScope::Table]);
    assert_eq!(listed[1], replaced);
    assert_eq!(replaced.source, "## {{ table.name.name }}");
    assert_eq!(replaced.updated_by, Some(ada));

    store
        .delete_doc_template(ws, DocScope::Table)
        .await
        .unwrap();
    assert_eq!(
        store.delete_doc_template(ws, DocScope::Table).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(store.doc_templates(ws).await.unwrap().len(), 1);
    assert_eq!(
        store
            .set_doc_template(Uuid::new_v4(), DocScope::Table, "x", ada)
            .await,
        Err(StoreError::NotFound)
    );
}

async fn feedback_is_one_rating_per_user(env: Env) {
    let store = &env.store;
    let (ws, conn, ada) = setup(store, "ada@example.com").await;
    let bob = user(store, "bob@example.com", UserRole::Analyst).await.id;
    let doc = store
        .save_generated_doc(generated(ws, conn, "public.orders", "x", None))
        .await
        .unwrap();
    let rate = |user: Uuid, rating: u8, comment: &str| NewDocFeedback {
        workspace_id: ws,
        doc_id: doc.id,
        user_id: user,
        rating,
        comment: comment.into(),
    };
    let first = store.rate_doc(rate(ada, 4, "good")).await.unwrap();
    let again = store.rate_doc(rate(ada, 2, "stale now")).await.unwrap();
    assert_eq!(again.id, first.id, "a re-rating replaces the rating");
    assert_eq!((again.rating, again.comment.as_str()), (2, "stale now"));
    assert_eq!(again.created_at, first.created_at);
    store.rate_doc(rate(bob, 5, "")).await.unwrap();

    let listed = store.doc_feedback(ws, doc.id).await.unwrap();
    let ratings: Vec<(Uuid, u8)> = listed.iter().map(|f| (f.user_id, f.rating)).collect();
    assert_eq!(ratings, [(bob, 5), (ada, 2)]);
    let summary = store.doc_ratings(ws).await.unwrap();
    assert_eq!(summary.len(), 1);
    assert_eq!((summary[0].doc_id, summary[0].count), (doc.id, 2));
    assert!((summary[0].average - 3.5).abs() < 1e-9);

    for bad in [0, 6] {
        let refused = store.rate_doc(rate(ada, bad, "")).await.unwrap_err();
        assert!(
            matches!(refused, StoreError::InvalidInput(_)),
            "{refused:?}"
        );
    }
    let (other, _, _) = setup(store, "carol@example.com").await;
    let foreign = NewDocFeedback {
        workspace_id: other,
        ..rate(ada, 3, "")
    };
    assert_eq!(store.rate_doc(foreign).await, Err(StoreError::NotFound));
    assert!(store.doc_ratings(other).await.unwrap().is_empty());
}

on_both_backends!(
    revisions_are_ordered_and_attributed,
    stale_revisions_are_refused,
    missing_objects_are_orphaned_and_come_back,
    templates_are_set_replaced_and_deleted,
    feedback_is_one_rating_per_user,
);
