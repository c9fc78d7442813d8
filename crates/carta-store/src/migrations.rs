//! Versioned schema migrations, one list per backend, applied in order at
//! open and recorded in `schema_migrations`.

pub(crate) struct Migration {
    pub version: u32,
    pub name: &'static str,
    pub sql: &'static str,
}

pub(crate) const SQLITE: &[Migration] = &[
    Migration {
        version: 1,
        name: "core",
        sql: include_str!("../migrations/sqlite/0001_core.sql"),
    },
    Migration {
        version: 2,
        name: "jobs",
        sql: include_str!("../migrations/sqlite/0002_jobs.sql"),
    },
    Migration {
        version: 3,
        name: "schemas",
        sql: include_str!("../migrations/sqlite/0003_schemas.sql"),
    },
    Migration {
        version: 4,
        name: "webhooks",
        sql: include_str!("../migrations/sqlite/0004_webhooks.sql"),
    },
    Migration {
        version: 5,
        name: "docs",
        sql: include_str!("../migrations/sqlite/0005_docs.sql"),
    },
    Migration {
        version: 6,
        name: "mock",
        sql: include_str!("../migrations/sqlite/0006_mock.sql"),
    },
    Migration {
        version: 7,
        name: "usage",
        sql: include_str!("../migrations/sqlite/0007_usage.sql"),
    },
    Migration {
        version: 8,
        name: "queries",
        sql: include_str!("../migrations/sqlite/0008_queries.sql"),
    },
];

pub(crate) const POSTGRES: &[Migration] = &[
    Migration {
        version: 1,
        name: "core",
        sql: include_str!("../migrations/postgres/0001_core.sql"),
    },
    Migration {
        version: 2,
        name: "jobs",
        sql: include_str!("../migrations/postgres/0002_jobs.sql"),
    },
    Migration {
        version: 3,
        name: "schemas",
        sql: include_str!("../migrations/postgres/0003_schemas.sql"),
    },
    Migration {
        version: 4,
        name: "webhooks",
        sql: include_str!("../migrations/postgres/0004_webhooks.sql"),
    },
    Migration {
        version: 5,
        name: "docs",
        sql: include_str!("../migrations/postgres/0005_docs.sql"),
    },
    Migration {
        version: 6,
        name: "mock",
        sql: include_str!("../migrations/postgres/0006_mock.sql"),
    },
    Migration {
        version: 7,
        name: "usage",
        sql: include_str!("../migrations/postgres/0007_usage.sql"),
    },
    Migration {
        version: 8,
        name: "queries",
        sql: include_str!("../migrations/postgres/0008_queries.sql"),
    },
];
