//! Mock job outputs on both backends: kept on their job, replaced by a
//! retry, bounded in size, scoped by workspace, files read back intact.

#[macro_use]
mod common;

use carta_store::{
    JobKind, MockTableRows, NewJob, NewMockFile, NewMockOutput, StoreError, UserRole, Uuid,
    MAX_MOCK_OUTPUT_BYTES,
};
use common::{user, Env};

fn file(name: &str, content: &[u8]) -> NewMockFile {
    NewMockFile {
        name: name.into(),
        media_type: "text/csv".into(),
        content: content.to_vec(),
    }
}

fn output(workspace: Uuid, job: Uuid, files: Vec<NewMockFile>) -> NewMockOutput {
    NewMockOutput {
        workspace_id: workspace,
        job_id: job,
        schema_version: Some(1),
        tables: vec![
            MockTableRows {
                table: "public.users".into(),
                rows: 10,
            },
            MockTableRows {
                table: "public.posts".into(),
                rows: 25,
            },
        ],
        files,
    }
}

async fn outputs_are_kept_replaced_bounded_and_scoped(env: Env) {
    let store = &env.store;
    let owner = user(store, "owner@example.com", UserRole::Developer).await;
    let mine = store.create_workspace("Mine", owner.id).await.unwrap();
    let theirs = store.create_workspace("Theirs", owner.id).await.unwrap();
    let enqueue = |kind| NewJob {
        workspace_id: mine.id,
        kind,
        payload: serde_json::json!({ "target": "files", "rows": 10 }),
        created_by: Some(owner.id),
    };
    let job = store.enqueue_job(enqueue(JobKind::Mock)).await.unwrap();
    let sync = store.enqueue_job(enqueue(JobKind::Sync)).await.unwrap();

    let pending = store.mock_job(mine.id, job.id).await.unwrap().unwrap();
    assert_eq!(pending.job, job);
    assert_eq!(pending.output, None);
    assert_eq!(store.mock_job(theirs.id, job.id).await.unwrap(), None);
    assert_eq!(store.mock_job(mine.id, sync.id).await.unwrap(), None);
    assert_eq!(store.mock_jobs(theirs.id, 10).await.unwrap(), vec![]);

    let first = store
        .record_mock_output(output(
            mine.id,
            job.id,
            vec![
                file("000_public.users.csv", b"id\n1\n"),
                file("old.csv", b"x"),
            ],
        ))
        .await
        .unwrap();
    assert_eq!(first.total_rows, 35);
    assert_eq!(first.files.len(), 2);
    assert_eq!(
        first.files[0].sha256, "7cde7fb64fd82bd152710cf238e017b9ab46c0592483edc067ba4f6c75fac108",
        "sha256sum of the content"
    );

    // A retry replaces the earlier attempt's output, files included.
    let retried = store
        .record_mock_output(output(
            mine.id,
            job.id,
            vec![file("000_public.users.csv", b"id\n1\n2\n")],
        ))
        .await
        .unwrap();
    let listed = store.mock_jobs(mine.id, 10).await.unwrap();
    assert_eq!(listed.len(), 1, "only mock jobs are listed");
    assert_eq!(listed[0].output.as_ref(), Some(&retried));
    assert_eq!(
        store
            .mock_job_file(mine.id, job.id, "old.csv")
            .await
            .unwrap(),
        None
    );
    let (meta, content) = store
        .mock_job_file(mine.id, job.id, "000_public.users.csv")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(content, b"id\n1\n2\n");
    assert_eq!(meta.size, 7);
    assert_eq!(meta, retried.files[0]);
    assert_eq!(
        store
            .mock_job_file(theirs.id, job.id, "000_public.users.csv")
            .await
            .unwrap(),
        None
    );

    // Another workspace's job, a sync job, and a job that does not exist.
    for (workspace, id) in [
        (theirs.id, job.id),
        (mine.id, sync.id),
        (mine.id, Uuid::new_v4()),
    ] {
        assert_eq!(
            store
                .record_mock_output(output(workspace, id, vec![]))
                .await,
            Err(StoreError::NotFound)
        );
    }
    let too_big = vec![0u8; usize::try_from(MAX_MOCK_OUTPUT_BYTES).unwrap() / 2 + 1];
    let refused = store
        .record_mock_output(output(
            mine.id,
            job.id,
            vec![file("a.csv", &too_big), file("b.csv", &too_big)],
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(refused, StoreError::InvalidInput(_)),
        "{refused:?}"
    );
    let twice = store
        .record_mock_output(output(
            mine.id,
            job.id,
            vec![file("a.csv", b"1"), file("a.csv", b"2")],
        ))
        .await
        .unwrap_err();
    assert!(matches!(twice, StoreError::InvalidInput(_)), "{twice:?}");
    // Refusals changed nothing.
    assert_eq!(
        store
            .mock_job(mine.id, job.id)
            .await
            .unwrap()
            .unwrap()
            .output,
        Some(retried)
    );
    assert_eq!(
        store.mock_job_file(mine.id, job.id, "a.csv").await.unwrap(),
        None
    );
}

on_both_backends!(outputs_are_kept_replaced_bounded_and_scoped);
