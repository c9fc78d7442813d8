//! Each constraint kind on small schemas read from PostgreSQL DDL, checked
//! on the generated rows without a database.

mod common;

use carta_mock::{
    fixup_rows, plan, rows, write_fixups_sql, write_table, ColumnOverride, FileFormat, MockError,
    MockOptions, Value,
};
use common::{catalog, index_of, options, planned, table_rows, verify};
use std::collections::{BTreeMap, HashMap, HashSet};

#[test]
fn parents_come_before_children_with_levels() {
    let catalog = catalog(
        "CREATE TABLE a (id int PRIMARY KEY);
         CREATE TABLE b (id int PRIMARY KEY, a_id int NOT NULL REFERENCES a);
         CREATE TABLE c (id int PRIMARY KEY, b_id int NOT NULL REFERENCES b, a_id int REFERENCES a);
         CREATE TABLE d (id int PRIMARY KEY);",
    );
    let plan = planned(&catalog, &options(50));
    let order: Vec<(String, usize)> = plan
        .tables
        .iter()
        .map(|t| (t.table.name.clone(), t.level))
        .collect();
    assert_eq!(
        order,
        [
            ("a".into(), 0),
            ("d".into(), 0),
            ("b".into(), 1),
            ("c".into(), 2)
        ]
    );
    assert!(verify(&catalog, &plan).is_empty());
}

#[test]
fn a_cycle_is_broken_at_the_nullable_edge_with_a_fixup() {
    let catalog = catalog(
        "CREATE TABLE teams (id int PRIMARY KEY, lead_id int);
         CREATE TABLE people (id int PRIMARY KEY, team_id int NOT NULL REFERENCES teams);
         ALTER TABLE teams ADD CONSTRAINT teams_lead_fk FOREIGN KEY (lead_id) REFERENCES people;",
    );
    let plan = planned(&catalog, &options(40));
    assert_eq!(plan.tables[0].table.name, "teams");
    assert_eq!(plan.fixups.len(), 1);
    let fixup = &plan.fixups[0];
    assert_eq!(fixup.table.name, "teams");
    assert_eq!(fixup.key_columns, ["id"]);
    assert_eq!(fixup.set_columns, ["lead_id"]);
    assert_eq!(fixup.constraint.as_deref(), Some("teams_lead_fk"));
    // NULL during the load, set afterwards to real people.
    assert!(table_rows(&plan, &catalog, "public.teams")
        .iter()
        .all(|r| r["lead_id"] == Value::Null));
    let people: HashSet<String> = table_rows(&plan, &catalog, "public.people")
        .iter()
        .map(|r| common::key(&r["id"]))
        .collect();
    let teams: HashSet<String> = table_rows(&plan, &catalog, "public.teams")
        .iter()
        .map(|r| common::key(&r["id"]))
        .collect();
    let updates: Vec<(Vec<Value>, Vec<Value>)> = fixup_rows(&plan, &catalog, 0, 0..40).collect();
    assert_eq!(updates.len(), 40);
    assert!(
        updates
            .iter()
            .filter(|(_, set)| set[0] != Value::Null)
            .count()
            > 30
    );
    for (key, set) in &updates {
        assert!(teams.contains(&common::key(&key[0])));
        assert!(set[0] == Value::Null || people.contains(&common::key(&set[0])));
    }
    let mut sql = Vec::new();
    write_fixups_sql(&catalog, &plan, &mut sql).unwrap();
    let sql = String::from_utf8(sql).unwrap();
    assert!(sql.starts_with("UPDATE \"public\".\"teams\" AS t SET \"lead_id\" = CAST(v.\"lead_id\" AS integer) FROM (VALUES\n"), "{sql}");
}

#[test]
fn a_cycle_of_required_keys_is_an_error() {
    let catalog = catalog(
        "CREATE TABLE x (id int PRIMARY KEY, y_id int NOT NULL);
         CREATE TABLE y (id int PRIMARY KEY, x_id int NOT NULL REFERENCES x);
         ALTER TABLE x ADD FOREIGN KEY (y_id) REFERENCES y;",
    );
    let error = plan(&catalog, &catalog.relations(), &options(10)).unwrap_err();
    assert!(
        matches!(error, MockError::UnbreakableCycle { ref tables } if tables.len() == 2),
        "{error}"
    );
}

#[test]
fn a_deferrable_cycle_is_written_inline() {
    let catalog = catalog(
        "CREATE TABLE x (id int PRIMARY KEY, y_id int NOT NULL);
         CREATE TABLE y (id int PRIMARY KEY, x_id int NOT NULL REFERENCES x);
         ALTER TABLE x ADD FOREIGN KEY (y_id) REFERENCES y DEFERRABLE INITIALLY DEFERRED;",
    );
    let plan = planned(&catalog, &options(10));
    assert!(plan.fixups.is_empty());
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.contains("defers it to commit")),
        "{:?}",
        plan.warnings
    );
    assert!(verify(&catalog, &plan).is_empty());
}

#[test]
fn a_self_reference_is_a_forest_of_earlier_rows() {
    let catalog = catalog("CREATE TABLE nodes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, parent_id bigint REFERENCES nodes);");
    let plan = planned(&catalog, &options(500));
    assert!(plan.fixups.is_empty());
    let rows = table_rows(&plan, &catalog, "public.nodes");
    let mut roots = 0;
    for row in &rows {
        match (&row["id"], &row["parent_id"]) {
            (Value::Int(id), Value::Int(parent)) => assert!(parent < id, "{id} -> {parent}"),
            (_, Value::Null) => roots += 1,
            other => panic!("{other:?}"),
        }
    }
    assert!(roots > 0 && roots < 100, "{roots} roots");
    assert_eq!(plan.tables[0].identity_columns, ["id"]);
    assert_eq!(plan.tables[0].sequences[0].next, 501);
    let mut sql = Vec::new();
    write_table(FileFormat::Sql, &catalog, &plan, 0, &mut sql).unwrap();
    assert!(String::from_utf8(sql).unwrap().starts_with("INSERT INTO \"public\".\"nodes\" (\"id\", \"parent_id\") OVERRIDING SYSTEM VALUE VALUES\n(1, NULL)"));
}

#[test]
fn composite_keys_and_join_tables() {
    let catalog = catalog(
        "CREATE TABLE users (id uuid PRIMARY KEY, email text NOT NULL UNIQUE);
         CREATE TABLE groups (tenant int NOT NULL, code text NOT NULL, PRIMARY KEY (tenant, code));
         CREATE TABLE members (user_id uuid NOT NULL REFERENCES users, tenant int NOT NULL, code text NOT NULL,
             FOREIGN KEY (tenant, code) REFERENCES groups, PRIMARY KEY (user_id, tenant, code));
         CREATE TABLE profiles (user_email text PRIMARY KEY REFERENCES users (email), bio text);",
    );
    let mut options = options(30);
    options
        .rows
        .insert(carta_catalog::QualifiedName::new("public", "members"), 800);
    let plan = planned(&catalog, &options);
    assert!(verify(&catalog, &plan).is_empty());
    // One profile per user at most: a one-to-one reference to a unique non-key column.
    let emails: HashSet<String> = table_rows(&plan, &catalog, "public.profiles")
        .iter()
        .map(|r| common::key(&r["user_email"]))
        .collect();
    assert_eq!(emails.len(), 30);
    // 30 users x 30 groups = 900 pairs >= 800 members.
    options
        .rows
        .insert(carta_catalog::QualifiedName::new("public", "members"), 901);
    let error = plan_error(&catalog, &options);
    assert_eq!(
        error,
        MockError::ValueSpaceTooSmall {
            table: "public.members".into(),
            column: "user_id, tenant, code".into(),
            needed: 901,
            available: 900
        }
    );
}

fn plan_error(catalog: &carta_catalog::Catalog, options: &MockOptions) -> MockError {
    plan(catalog, &catalog.relations(), options).unwrap_err()
}

#[test]
fn partial_and_expression_unique_indexes_are_unique() {
    let catalog = catalog(
        "CREATE TABLE accounts (id uuid PRIMARY KEY, email text NOT NULL, handle varchar(12), deleted_at timestamptz);
         CREATE UNIQUE INDEX accounts_email ON accounts (lower(email));
         CREATE UNIQUE INDEX accounts_handle ON accounts (handle) WHERE deleted_at IS NULL;",
    );
    let plan = planned(&catalog, &options(5000));
    assert!(verify(&catalog, &plan).is_empty());
}

#[test]
fn value_spaces_too_small_are_errors() {
    for (ddl, column, available) in [
        ("CREATE TABLE t (flag boolean UNIQUE);", "flag", 2),
        ("CREATE TABLE t (code varchar(2) UNIQUE);", "code", 1296),
        (
            "CREATE TYPE mood AS ENUM ('a', 'b', 'c'); CREATE TABLE t (m mood PRIMARY KEY);",
            "m",
            3,
        ),
        (
            "CREATE TABLE t (n smallint PRIMARY KEY CHECK (n > 0) DEFAULT 1);",
            "n",
            32767,
        ),
    ] {
        let catalog = catalog(ddl);
        let error = plan_error(&catalog, &options(40_000));
        assert_eq!(
            error,
            MockError::ValueSpaceTooSmall {
                table: "public.t".into(),
                column: column.into(),
                needed: 40_000,
                available
            },
            "{ddl}"
        );
        assert!(error.to_string().contains(&format!("public.t.{column}")));
    }
}

#[test]
fn check_bounds_lists_lengths_and_orderings() {
    let catalog = catalog(
        "CREATE TABLE t (
            id int PRIMARY KEY,
            score int NOT NULL CHECK (score >= 1 AND score <= 5),
            pct numeric(5,2) NOT NULL CHECK (pct BETWEEN 10 AND 20),
            kind text NOT NULL CHECK (kind IN ('x', 'y')),
            tier varchar(10) NOT NULL CHECK (tier = ANY (ARRAY['gold', 'silver'])),
            code text NOT NULL CHECK (length(code) > 3 AND char_length(code) <= 6),
            starts_at timestamptz NOT NULL,
            ends_at timestamptz CHECK (ends_at IS NULL OR ends_at > starts_at),
            price numeric NOT NULL CHECK (price > 0),
            note text, rating int, CHECK (note IS NOT NULL OR rating IS NOT NULL)
        );",
    );
    let plan = planned(&catalog, &options(2000));
    assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
    assert!(verify(&catalog, &plan).is_empty());
    let rows = table_rows(&plan, &catalog, "public.t");
    let distinct = |c: &str| {
        rows.iter()
            .map(|r| common::key(&r[c]))
            .collect::<HashSet<_>>()
            .len()
    };
    assert_eq!(distinct("score"), 5);
    assert_eq!(distinct("kind"), 2);
    assert_eq!(distinct("tier"), 2);
    for row in &rows {
        let Value::Decimal(pct) = &row["pct"] else {
            panic!()
        };
        let pct: f64 = pct.parse().unwrap();
        assert!((10.0..=20.0).contains(&pct) && row["pct"] != Value::Null);
        let Value::Text(code) = &row["code"] else {
            panic!()
        };
        assert!((4..=6).contains(&code.len()), "{code}");
        if let (Value::Timestamp { micros: s, .. }, Value::Timestamp { micros: e, .. }) =
            (&row["starts_at"], &row["ends_at"])
        {
            assert!(e > s);
        }
    }
}

#[test]
fn unmodeled_checks_are_warned_about_by_name() {
    let catalog =
        catalog("CREATE TABLE t (code text CONSTRAINT code_shape CHECK (code ~ '^[A-Z]+$'));");
    let plan = planned(&catalog, &options(10));
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.contains("code_shape") && w.contains("cannot be evaluated")),
        "{:?}",
        plan.warnings
    );
}

#[test]
fn domains_bring_their_base_type_and_checks() {
    let catalog = catalog(
        "CREATE DOMAIN percent AS integer CHECK (VALUE >= 0 AND VALUE <= 100);
         CREATE DOMAIN short_code AS varchar(8) NOT NULL CHECK (length(VALUE) >= 3);
         CREATE TABLE t (p percent NOT NULL, c short_code NOT NULL);",
    );
    let plan = planned(&catalog, &options(1000));
    assert!(verify(&catalog, &plan).is_empty());
    for row in table_rows(&plan, &catalog, "public.t") {
        let Value::Int(p) = row["p"] else { panic!() };
        assert!((0..=100).contains(&p));
        let Value::Text(c) = &row["c"] else { panic!() };
        assert!((3..=8).contains(&c.len()), "{c}");
    }
}

#[test]
fn types_keep_their_sizes() {
    let catalog = catalog(
        "CREATE TABLE t (
            a varchar(5) NOT NULL, b char(3) NOT NULL, c numeric(4,1) NOT NULL, d smallint NOT NULL,
            e integer NOT NULL, f bytea NOT NULL, g inet NOT NULL, h macaddr NOT NULL, i date NOT NULL,
            j time NOT NULL, k interval NOT NULL, l text[] NOT NULL, m jsonb NOT NULL, n double precision NOT NULL,
            o timestamp NOT NULL, p uuid NOT NULL
        );",
    );
    let plan = planned(&catalog, &options(3000));
    assert!(verify(&catalog, &plan).is_empty());
    for row in table_rows(&plan, &catalog, "public.t") {
        let Value::Decimal(c) = &row["c"] else {
            panic!("{:?}", row["c"])
        };
        let (whole, fraction) = c.split_once('.').unwrap();
        assert!(
            whole.trim_start_matches('-').len() <= 3 && fraction.len() == 1,
            "{c}"
        );
        let Value::Int(d) = row["d"] else { panic!() };
        assert!(i64::from(i16::MIN) <= d && d <= i64::from(i16::MAX));
        assert!(matches!(
            row["o"],
            Value::Timestamp {
                with_time_zone: false,
                ..
            }
        ));
        assert!(matches!(&row["l"], Value::Array(_)));
        let Value::Json(m) = &row["m"] else { panic!() };
        serde_json::from_str::<serde_json::Value>(m).unwrap();
    }
}

#[test]
fn unsigned_and_wide_integers_stay_in_range() {
    let mut catalog = catalog("CREATE TABLE t (u integer NOT NULL, s smallint NOT NULL);");
    catalog.schemas[0].tables[0].columns[0].logical_type = carta_catalog::LogicalType::Integer {
        bits: 8,
        unsigned: true,
    };
    let plan = planned(&catalog, &options(2000));
    for row in table_rows(&plan, &catalog, "public.t") {
        let Value::Int(u) = row["u"] else { panic!() };
        assert!((0..=255).contains(&u), "{u}");
    }
}

#[test]
fn generation_is_deterministic_and_independent_per_column() {
    let before =
        catalog("CREATE TABLE t (id uuid PRIMARY KEY, name text NOT NULL, n int NOT NULL);");
    let after = catalog("CREATE TABLE t (id uuid PRIMARY KEY, added text, name text NOT NULL, n int NOT NULL); CREATE TABLE u (x int);");
    let a = table_rows(&planned(&before, &options(200)), &before, "public.t");
    let again = table_rows(&planned(&before, &options(200)), &before, "public.t");
    assert_eq!(a, again);
    let b = table_rows(&planned(&after, &options(200)), &after, "public.t");
    for (x, y) in a.iter().zip(&b) {
        for column in ["id", "name", "n"] {
            assert_eq!(x[column], y[column]);
        }
    }
    let mut other_seed = options(200);
    other_seed.seed = 8;
    let c = table_rows(&planned(&before, &other_seed), &before, "public.t");
    assert!(
        a.iter()
            .zip(&c)
            .filter(|(x, y)| x["name"] != y["name"])
            .count()
            > 100
    );
    // Chunks give the same rows as one pass.
    let plan = planned(&before, &options(200));
    let chunked: Vec<Vec<Value>> = rows(&plan, &before, 0, 100..200)
        .chain(rows(&plan, &before, 0, 0..100))
        .collect();
    let whole: Vec<Vec<Value>> = rows(&plan, &before, 0, 0..200).collect();
    assert_eq!(chunked[..100], whole[100..]);
}

#[test]
fn children_per_parent_are_skewed() {
    let catalog = catalog(
        "CREATE TABLE p (id int PRIMARY KEY);
         CREATE TABLE c (id int PRIMARY KEY, p_id int NOT NULL REFERENCES p);",
    );
    let mut options = options(1000);
    options
        .rows
        .insert(carta_catalog::QualifiedName::new("public", "c"), 20_000);
    let plan = planned(&catalog, &options);
    let mut counts: HashMap<String, usize> = HashMap::new();
    for row in table_rows(&plan, &catalog, "public.c") {
        *counts.entry(common::key(&row["p_id"])).or_default() += 1;
    }
    let mut sorted: Vec<usize> = counts.values().copied().collect();
    sorted.extend(std::iter::repeat_n(0, 1000 - sorted.len()));
    sorted.sort_unstable();
    let (max, median) = (sorted[sorted.len() - 1], sorted[sorted.len() / 2]);
    assert!(max > 10 * median.max(1), "max {max}, median {median}");
}

#[test]
fn realistic_values_by_name_and_comment() {
    let catalog = catalog(
        r#"CREATE TABLE people (id uuid PRIMARY KEY, email varchar(255) NOT NULL UNIQUE, first_name text NOT NULL,
              country char(2) NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL,
              prefs jsonb NOT NULL, status text NOT NULL);
           COMMENT ON COLUMN people.prefs IS 'e.g. {"theme": "dark", "alerts": {"email": true, "count": 3}, "tags": ["a", ...]}';"#,
    );
    let plan = planned(&catalog, &options(300));
    for row in table_rows(&plan, &catalog, "public.people") {
        let Value::Text(email) = &row["email"] else {
            panic!()
        };
        let (local, domain) = email.split_once('@').unwrap();
        assert!(!local.is_empty() && domain.contains('.'), "{email}");
        let Value::Text(first) = &row["first_name"] else {
            panic!()
        };
        assert!(first.chars().next().unwrap().is_uppercase() && first.len() > 1);
        let Value::Text(country) = &row["country"] else {
            panic!()
        };
        assert!(country.len() == 2 && country.chars().all(|c| c.is_ascii_uppercase()));
        let (Value::Timestamp { micros: c, .. }, Value::Timestamp { micros: u, .. }) =
            (&row["created_at"], &row["updated_at"])
        else {
            panic!()
        };
        assert!(u >= c);
        assert!(*c < 1_735_689_600_000_000, "created in the past");
        let Value::Json(prefs) = &row["prefs"] else {
            panic!()
        };
        let prefs: serde_json::Value = serde_json::from_str(prefs).unwrap();
        assert!(
            prefs["theme"].is_string()
                && prefs["alerts"]["email"].is_boolean()
                && prefs["alerts"]["count"].is_i64()
        );
        assert!(prefs["tags"].is_array());
    }
}

#[test]
fn overrides_choose_values_and_reject_unknown_generators() {
    let catalog = catalog("CREATE TABLE t (status text, n int NOT NULL, who text NOT NULL);");
    let column = |c: &str| carta_catalog::ColumnRef {
        table: carta_catalog::QualifiedName::new("public", "t"),
        column: c.into(),
    };
    let mut options = options(200);
    options.columns = BTreeMap::from([
        (
            column("status"),
            ColumnOverride {
                values: Some(vec!["on".into(), "off".into()]),
                null_ratio: Some(0.0),
                ..Default::default()
            },
        ),
        (
            column("n"),
            ColumnOverride {
                min: Some(7.into()),
                max: Some(9.into()),
                ..Default::default()
            },
        ),
        (
            column("who"),
            ColumnOverride {
                generator: Some("email".into()),
                ..Default::default()
            },
        ),
    ]);
    let plan = planned(&catalog, &options);
    for row in table_rows(&plan, &catalog, "public.t") {
        assert!(
            row["status"] == Value::Text("on".into()) || row["status"] == Value::Text("off".into())
        );
        let Value::Int(n) = row["n"] else { panic!() };
        assert!((7..=9).contains(&n));
        let Value::Text(who) = &row["who"] else {
            panic!()
        };
        assert!(who.contains('@'));
    }
    options.columns.insert(
        column("who"),
        ColumnOverride {
            generator: Some("nonsense".into()),
            ..Default::default()
        },
    );
    assert!(
        matches!(plan_error(&catalog, &options), MockError::InvalidOverride { column, .. } if column == "public.t.who")
    );
}

#[test]
fn writers_escape() {
    let catalog = catalog(
        "CREATE TABLE t (id int PRIMARY KEY, s text, b bytea, j jsonb, d date, ts timestamptz);",
    );
    let column = |c: &str| carta_catalog::ColumnRef {
        table: carta_catalog::QualifiedName::new("public", "t"),
        column: c.into(),
    };
    let mut options = options(4);
    options.columns.insert(
        column("s"),
        ColumnOverride {
            values: Some(vec!["it's \"x\", y\nz".into()]),
            null_ratio: Some(0.0),
            ..Default::default()
        },
    );
    options.columns.insert(
        column("b"),
        ColumnOverride {
            null_ratio: Some(1.0),
            ..Default::default()
        },
    );
    let plan = planned(&catalog, &options);
    let write = |format| {
        let mut out = Vec::new();
        write_table(
            format,
            &catalog,
            &plan,
            index_of(&plan, "public.t"),
            &mut out,
        )
        .unwrap();
        String::from_utf8(out).unwrap()
    };
    let csv = write(FileFormat::Csv);
    let mut lines = csv.split("\r\n");
    assert_eq!(lines.next(), Some("id,s,b,j,d,ts"));
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("1,\"it's \"\"x\"\", y\nz\",,"),
        "{csv}"
    );
    let ndjson = write(FileFormat::Ndjson);
    let first: serde_json::Value = serde_json::from_str(ndjson.lines().next().unwrap()).unwrap();
    assert_eq!(first["id"], 1);
    assert_eq!(first["s"], "it's \"x\", y\nz");
    assert!(first["b"].is_null() && first["j"].is_object());
    assert!(first["ts"].as_str().unwrap().ends_with('Z'));
    assert_eq!(first["d"].as_str().unwrap().len(), 10);
    let sql = write(FileFormat::Sql);
    assert!(sql.contains("'it''s \"x\", y\nz', NULL, '{"), "{sql}");
    assert!(sql.trim_end().ends_with(");"));
}

#[test]
fn files_of_many_chunks_keep_row_order_and_whole_statements() {
    // 40,500 rows: more than one chunk per writer thread, and a last INSERT of 500 rows.
    let catalog = catalog("CREATE TABLE t (id int PRIMARY KEY, email text NOT NULL UNIQUE);");
    let rows = 40_500;
    let plan = planned(&catalog, &options(rows));
    let write = |format| {
        let mut out = Vec::new();
        write_table(format, &catalog, &plan, 0, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    let csv = write(FileFormat::Csv);
    let ids: Vec<u64> = csv
        .split("\r\n")
        .skip(1)
        .filter(|line| !line.is_empty())
        .map(|line| line.split(',').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(ids, (1..=rows).collect::<Vec<_>>());
    let sql = write(FileFormat::Sql);
    let statements: Vec<&str> = sql.split_terminator(";\n").collect();
    assert_eq!(statements.len(), 41);
    for statement in &statements {
        assert!(
            statement.starts_with("INSERT INTO \"public\".\"t\""),
            "{statement}"
        );
    }
    let per_statement: Vec<usize> = statements
        .iter()
        .map(|s| s.matches("\n(").count())
        .collect();
    assert!(
        per_statement[..40].iter().all(|&n| n == 1000),
        "{per_statement:?}"
    );
    assert_eq!(per_statement[40], 500);
    assert_eq!(write(FileFormat::Ndjson).lines().count(), rows as usize);
}

#[test]
fn children_are_created_after_their_parents() {
    let catalog = catalog(
        "CREATE TABLE orgs (id uuid PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now());
         CREATE TABLE runs (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs, created_at timestamptz NOT NULL,
             started_at timestamptz, completed_at timestamptz, deleted_at timestamptz);",
    );
    let plan = planned(&catalog, &options(2000));
    let orgs: HashMap<String, Value> = table_rows(&plan, &catalog, "public.orgs")
        .into_iter()
        .map(|r| (common::key(&r["id"]), r["created_at"].clone()))
        .collect();
    let micros = |v: &Value| match v {
        Value::Timestamp { micros, .. } => Some(*micros),
        _ => None,
    };
    let runs = table_rows(&plan, &catalog, "public.runs");
    for run in &runs {
        let created = micros(&run["created_at"]).unwrap();
        assert!(created >= micros(&orgs[&common::key(&run["org_id"])]).unwrap());
        if let (Some(started), Some(completed)) =
            (micros(&run["started_at"]), micros(&run["completed_at"]))
        {
            assert!(started >= created && completed > started);
        }
    }
    let deleted = runs
        .iter()
        .filter(|r| r["deleted_at"] != Value::Null)
        .count();
    assert!(deleted > 100 && deleted < 400, "{deleted} deleted of 2000");
}

#[test]
fn sql_follows_the_catalog_dialect() {
    let mut catalog = catalog("CREATE TABLE t (id int PRIMARY KEY, s text NOT NULL, b bytea NOT NULL, f boolean NOT NULL);");
    let column = |c: &str| carta_catalog::ColumnRef {
        table: carta_catalog::QualifiedName::new("public", "t"),
        column: c.into(),
    };
    let mut options = options(1);
    options.columns.insert(
        column("s"),
        ColumnOverride {
            values: Some(vec!["a'b\\c".into()]),
            ..Default::default()
        },
    );
    options.columns.insert(
        column("f"),
        ColumnOverride {
            values: Some(vec![true.into()]),
            ..Default::default()
        },
    );
    let sql = |catalog: &carta_catalog::Catalog| {
        let plan = planned(catalog, &options);
        let mut out = Vec::new();
        write_table(FileFormat::Sql, catalog, &plan, 0, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    let postgres = sql(&catalog);
    assert!(postgres.starts_with("INSERT INTO \"public\".\"t\" (\"id\", \"s\", \"b\", \"f\") VALUES\n(1, 'a''b\\c', '\\x"), "{postgres}");
    assert!(postgres.contains("::bytea, TRUE);"), "{postgres}");
    catalog.dialect = carta_catalog::Dialect::Mysql;
    let mysql = sql(&catalog);
    assert!(
        mysql.starts_with(
            "INSERT INTO `public`.`t` (`id`, `s`, `b`, `f`) VALUES\n(1, 'a''b\\\\c', X'"
        ),
        "{mysql}"
    );
    assert!(mysql.ends_with(", 1);\n"), "{mysql}");
    catalog.dialect = carta_catalog::Dialect::Sqlite;
    assert!(sql(&catalog).contains("(1, 'a''b\\c', X'"));
}
