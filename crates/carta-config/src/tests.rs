use crate::{Config, ConfigError, DocFormat};
use carta_catalog::{
    Catalog, Column, Dialect, ForeignKey, LogicalType, QualifiedName, RelationKind, Schema, Table,
};
use std::path::{Path, PathBuf};

fn column(name: &str, nullable: bool, comment: Option<&str>) -> Column {
    Column {
        name: name.into(),
        data_type: "integer".into(),
        logical_type: LogicalType::Integer {
            bits: 32,
            unsigned: false,
        },
        nullable,
        default: None,
        identity: None,
        generated: None,
        collation: None,
        comment: comment.map(Into::into),
    }
}

/// public.users, public.posts (FK author_id -> users), public.tags,
/// and audit.users so that a bare `users` is ambiguous.
fn catalog() -> Catalog {
    let users = Table {
        name: "users".into(),
        comment: Some("People".into()),
        columns: vec![
            column("id", false, Some("Key")),
            column("email", false, None),
        ],
        ..Table::default()
    };
    let posts = Table {
        name: "posts".into(),
        columns: vec![
            column("id", false, None),
            column("author_id", false, None),
            column("editor_id", true, None),
            column("tag_id", true, None),
        ],
        foreign_keys: vec![ForeignKey {
            name: Some("posts_author_fk".into()),
            columns: vec!["author_id".into()],
            referenced_table: QualifiedName::new("public", "users"),
            referenced_columns: vec!["id".into()],
            on_update: Default::default(),
            on_delete: Default::default(),
            match_type: Default::default(),
            deferrable: false,
            initially_deferred: false,
            comment: None,
        }],
        ..Table::default()
    };
    let tags = Table {
        name: "tags".into(),
        columns: vec![column("id", false, None)],
        ..Table::default()
    };
    let audit_users = Table {
        name: "users".into(),
        columns: vec![column("id", false, None)],
        ..Table::default()
    };
    let mut c = Catalog::new(Dialect::Postgres);
    c.schemas = vec![
        Schema {
            name: "public".into(),
            tables: vec![users, posts, tags],
            ..Schema::default()
        },
        Schema {
            name: "audit".into(),
            tables: vec![audit_users],
            ..Schema::default()
        },
    ];
    c.finish()
}

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, Path::new("conf/carta.toml"))
}

fn table<'a>(c: &'a Catalog, schema: &str, name: &str) -> &'a Table {
    c.table(&QualifiedName::new(schema, name)).unwrap()
}

#[test]
fn empty_file_is_the_default() {
    assert_eq!(parse("").unwrap(), Config::default());
}

#[test]
fn syntax_error_names_file_line_and_column() {
    let err = parse("include = [\"a\"]\n\n[doc]\nformat = = 1\n").unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, ConfigError::Syntax { .. }), "{text}");
    assert!(text.starts_with("conf/carta.toml:4:"), "{text}");
    assert_eq!(err.exit_code(), 7);
}

#[test]
fn unknown_keys_are_rejected_with_their_position() {
    let err = parse("[doc]\nformat = \"html\"\nsingle_pgae = true\n").unwrap_err();
    assert_eq!(
        err.to_string().split(": ").next(),
        Some("conf/carta.toml:3:1")
    );
    assert!(err.to_string().contains("single_pgae"), "{err}");

    let err = parse("[[comments]]\ntable = \"users\"\ncomment = \"x\"\n").unwrap_err();
    assert!(err.to_string().starts_with("conf/carta.toml:3:1:"), "{err}");

    let err = parse("[lints]\n").unwrap_err();
    assert!(err.to_string().starts_with("conf/carta.toml:1:"), "{err}");
}

#[test]
fn wrong_value_type_is_an_error() {
    let err = parse("[doc]\nerd_distance = \"two\"\n").unwrap_err();
    assert!(
        err.to_string().starts_with("conf/carta.toml:2:16:"),
        "{err}"
    );
    let err = parse("[doc]\nformat = \"pdf\"\n").unwrap_err();
    assert!(err.to_string().contains("pdf"), "{err}");
}

#[test]
fn bad_pattern_is_reported_where_written() {
    let err = parse("exclude = [\"ok\", \"bad[\"]\n").unwrap_err();
    assert!(
        err.to_string().starts_with("conf/carta.toml:1:18:"),
        "{err}"
    );
}

#[test]
fn doc_options_parse_and_templates_resolve_next_to_the_file() {
    let config = parse(
        "[doc]\nformat = \"html\"\nsingle_page = true\ntemplates = \"tpl\"\nerd_distance = 2\nerd_keys_only = true\n",
    )
    .unwrap();
    assert_eq!(config.doc.format, Some(DocFormat::Html));
    assert_eq!(config.doc.single_page, Some(true));
    assert_eq!(config.doc.templates, Some(PathBuf::from("conf/tpl")));
    assert_eq!(config.doc.erd_distance, Some(2));
    assert_eq!(config.doc.erd_keys_only, Some(true));

    let absolute = parse("[doc]\ntemplates = \"/srv/tpl\"\n").unwrap();
    assert_eq!(absolute.doc.templates, Some(PathBuf::from("/srv/tpl")));
}

#[test]
fn comment_overrides_replace_add_and_remove() {
    let config = parse(
        r#"
[[comments]]
table = "public.users"
table_comment = "Accounts that can sign in"
[comments.columns]
email = "Login, unique per organization"
id = ""

[[comments]]
table = "posts"
[comments.columns]
author_id = "Who wrote it"
"#,
    )
    .unwrap();
    let mut c = catalog();
    let before = c.fingerprint.clone();
    config.apply(&mut c).unwrap();
    let users = table(&c, "public", "users");
    assert_eq!(users.comment.as_deref(), Some("Accounts that can sign in"));
    assert_eq!(
        users.column("email").unwrap().comment.as_deref(),
        Some("Login, unique per organization")
    );
    assert_eq!(users.column("id").unwrap().comment, None);
    let posts = table(&c, "public", "posts");
    assert_eq!(posts.comment, None);
    assert_eq!(
        posts.column("author_id").unwrap().comment.as_deref(),
        Some("Who wrote it")
    );
    assert_ne!(c.fingerprint, before);
    assert_eq!(c.fingerprint, c.compute_fingerprint());
}

#[test]
fn comment_on_missing_table_or_column_is_an_error_at_its_line() {
    let config = parse("[[comments]]\ntable = \"public.userz\"\n").unwrap();
    let err = config.apply(&mut catalog()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "conf/carta.toml:2:9: table `public.userz` does not exist"
    );

    let config =
        parse("[[comments]]\ntable = \"posts\"\n[comments.columns]\nbody = \"x\"\n").unwrap();
    let err = config.apply(&mut catalog()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "conf/carta.toml:4:1: table `public.posts` has no column `body`"
    );
}

#[test]
fn bare_name_in_several_schemas_is_ambiguous() {
    let config = parse("[[comments]]\ntable = \"users\"\ntable_comment = \"x\"\n").unwrap();
    let err = config.apply(&mut catalog()).unwrap_err();
    assert!(matches!(err, ConfigError::AmbiguousTable { .. }), "{err}");
    assert!(err.to_string().contains("(audit, public)"), "{err}");
}

const RELATIONS: &str = r#"
[[relations]]
name = "posts_editor"
table = "public.posts"
columns = ["editor_id"]
parent_table = "public.users"
parent_columns = ["id"]

[[relations]]
table = "posts"
columns = ["tag_id"]
parent_table = "tags"
parent_columns = ["id"]
"#;

#[test]
fn virtual_relations_join_the_foreign_keys_in_the_graph() {
    let config = parse(RELATIONS).unwrap();
    let mut c = catalog();
    let graph = config.apply(&mut c).unwrap();
    let posts = QualifiedName::new("public", "posts");
    let out: Vec<_> = graph
        .outgoing(&posts)
        .map(|r| (r.kind, r.name.as_deref(), r.to.to_string(), r.required))
        .collect();
    assert_eq!(
        out,
        [
            (
                RelationKind::ForeignKey,
                Some("posts_author_fk"),
                "public.users".to_string(),
                true
            ),
            (
                RelationKind::Virtual,
                Some("posts_editor"),
                "public.users".to_string(),
                false
            ),
            (
                RelationKind::Virtual,
                None,
                "public.tags".to_string(),
                false
            ),
        ]
    );
    let tags = QualifiedName::new("public", "tags");
    assert_eq!(graph.incoming(&tags).count(), 1);
    // Virtual relations live in the graph only; the Catalog's foreign keys are the database's.
    assert_eq!(table(&c, "public", "posts").foreign_keys.len(), 1);
}

#[test]
fn virtual_relations_are_validated() {
    let cases = [
        (
            "[[relations]]\ntable = \"posts\"\ncolumns = [\"editor\"]\nparent_table = \"public.users\"\nparent_columns = [\"id\"]\n",
            "conf/carta.toml:3:11: table `public.posts` has no column `editor`",
        ),
        (
            "[[relations]]\ntable = \"posts\"\ncolumns = [\"editor_id\"]\nparent_table = \"public.user\"\nparent_columns = [\"id\"]\n",
            "conf/carta.toml:4:16: table `public.user` does not exist",
        ),
        (
            "[[relations]]\ntable = \"posts\"\ncolumns = [\"editor_id\"]\nparent_table = \"tags\"\nparent_columns = [\"uuid\"]\n",
            "conf/carta.toml:5:18: table `public.tags` has no column `uuid`",
        ),
        (
            "[[relations]]\ntable = \"posts\"\ncolumns = [\"editor_id\", \"tag_id\"]\nparent_table = \"tags\"\nparent_columns = [\"id\"]\n",
            "conf/carta.toml:3:11: a relation needs the same number of columns and parent_columns, at least one (found 2 and 1)",
        ),
    ];
    for (text, expected) in cases {
        let err = parse(text).unwrap().apply(&mut catalog()).unwrap_err();
        assert_eq!(err.to_string(), expected);
    }
    let err = parse("[[relations]]\ntable = \"posts\"\ncolumns = [\"editor_id\"]\n").unwrap_err();
    assert!(err.to_string().contains("parent_table"), "{err}");
}

#[test]
fn include_and_exclude_select_tables_and_drop_their_relations() {
    let text = format!("include = [\"public.*\"]\nexclude = [\"tags\"]\n{RELATIONS}");
    let config = parse(&text).unwrap();
    let mut c = catalog();
    let graph = config.apply(&mut c).unwrap();
    let names: Vec<String> = c
        .tables()
        .map(|(s, t)| format!("{}.{}", s.name, t.name))
        .collect();
    assert_eq!(names, ["public.posts", "public.users"]);
    let targets: Vec<String> = graph.all().iter().map(|r| r.to.to_string()).collect();
    assert_eq!(targets, ["public.users", "public.users"]);
}

#[test]
fn names_resolve_before_tables_are_excluded() {
    // A comment on an excluded table is still checked, then the table goes.
    let config = parse(
        "exclude = [\"audit.*\"]\n[[comments]]\ntable = \"audit.users\"\ntable_comment = \"x\"\n",
    )
    .unwrap();
    let mut c = catalog();
    config.apply(&mut c).unwrap();
    assert!(c.schema("audit").unwrap().tables.is_empty());
}

#[test]
fn load_reports_a_missing_file() {
    let err = Config::load(Path::new("/nonexistent/carta.toml")).unwrap_err();
    assert!(matches!(err, ConfigError::Io { .. }));
    assert_eq!(err.exit_code(), 3);
    assert!(
        err.to_string().starts_with("/nonexistent/carta.toml: "),
        "{err}"
    );
}

#[test]
fn lint_section_sets_severities_options_and_excludes() {
    let config = parse(
        "[lint]\nexclude = [\"tmp_*\"]\n\n[lint.rules.column-count]\nseverity = \"error\"\nmax = 30\nexclude = [\"audit.*\"]\n\n[lint.rules.table-comment]\nseverity = \"off\"\n\n[lint.rules.index-comment]\nenabled = true\n",
    )
    .unwrap();
    let lint = &config.lint;
    assert_eq!(lint.exclude, vec!["tmp_*".to_string()]);
    let count = &lint.rules["column-count"];
    assert_eq!(count.severity, Some(carta_lint::Severity::Error));
    assert_eq!(count.options.get("max"), Some(&serde_json::json!(30)));
    assert_eq!(count.exclude, vec!["audit.*".to_string()]);
    assert_eq!(lint.rules["table-comment"].enabled, Some(false));
    assert_eq!(lint.rules["index-comment"].enabled, Some(true));
}

#[test]
fn lint_errors_name_the_line_and_column_of_the_bad_entry() {
    let err = parse("[lint.rules.no-such-rule]\nseverity = \"error\"\n").unwrap_err();
    assert!(err.to_string().starts_with("conf/carta.toml:1:"), "{err}");
    assert!(err.to_string().contains("no-such-rule"), "{err}");

    let err = parse("[lint.rules.column-count]\nmaximum = 3\n").unwrap_err();
    assert!(err.to_string().contains("maximum"), "{err}");

    let err = parse("[lint.rules.column-count]\nmax = \"many\"\n").unwrap_err();
    assert!(err.to_string().contains("max"), "{err}");

    let err = parse("[lint.rules.column-count]\nseverity = \"fatal\"\n").unwrap_err();
    assert!(
        err.to_string().starts_with("conf/carta.toml:2:12:"),
        "{err}"
    );
    assert!(err.to_string().contains("fatal"), "{err}");

    let err = parse("[lint.rules.column-count]\nexclude = [\"bad[\"]\n").unwrap_err();
    assert!(
        err.to_string().starts_with("conf/carta.toml:2:11:"),
        "{err}"
    );

    let err = parse("[lint]\nrule = {}\n").unwrap_err();
    assert!(err.to_string().starts_with("conf/carta.toml:2:1:"), "{err}");
    assert_eq!(err.exit_code(), 7);
}

#[test]
fn mock_section_resolves_tables_and_columns() {
    let config = parse(
        "[mock]\nrows = 50\nseed = 7\n\n[mock.tables]\n\"public.posts\" = 500\ntags = 3\n\n[mock.columns.\"public.users.email\"]\ngenerator = \"email\"\nnull_ratio = 0.0\n\n[mock.columns.\"posts.editor_id\"]\nvalues = [1, 2]\n",
    )
    .unwrap();
    let options = config.mock_options(&catalog()).unwrap();
    assert_eq!(options.default_rows, 50);
    assert_eq!(options.seed, 7);
    assert_eq!(options.rows[&QualifiedName::new("public", "posts")], 500);
    assert_eq!(options.rows[&QualifiedName::new("public", "tags")], 3);
    let email = &options.columns[&carta_catalog::ColumnRef {
        table: QualifiedName::new("public", "users"),
        column: "email".into(),
    }];
    assert_eq!(email.generator.as_deref(), Some("email"));
    assert_eq!(email.null_ratio, Some(0.0));
    let editor = &options.columns[&carta_catalog::ColumnRef {
        table: QualifiedName::new("public", "posts"),
        column: "editor_id".into(),
    }];
    assert_eq!(
        editor.values,
        Some(vec![serde_json::json!(1), serde_json::json!(2)])
    );
}

#[test]
fn mock_defaults_without_a_section() {
    let options = parse("").unwrap().mock_options(&catalog()).unwrap();
    assert_eq!(options.default_rows, crate::DEFAULT_MOCK_ROWS);
    assert_eq!(options.seed, 0);
    assert!(options.rows.is_empty() && options.columns.is_empty());
}

#[test]
fn mock_errors_name_the_line_and_column() {
    let err = parse("[mock.columns.\"public.users.email\"]\ngenerator = \"emial\"\n").unwrap_err();
    assert!(
        err.to_string().starts_with("conf/carta.toml:2:13:"),
        "{err}"
    );
    assert!(err.to_string().contains("emial"), "{err}");

    let err = parse("[mock.columns.\"public.users.email\"]\nnull_ratio = 1.5\n").unwrap_err();
    assert!(
        err.to_string().starts_with("conf/carta.toml:2:14:"),
        "{err}"
    );

    let config = parse("[mock.tables]\nnope = 3\n").unwrap();
    let err = config.mock_options(&catalog()).unwrap_err();
    assert!(err.to_string().starts_with("conf/carta.toml:2:1:"), "{err}");
    assert!(err.to_string().contains("nope"), "{err}");

    let config = parse("[mock.columns.\"public.users.mail\"]\ngenerator = \"email\"\n").unwrap();
    let err = config.mock_options(&catalog()).unwrap_err();
    assert!(err.to_string().contains("no column `mail`"), "{err}");

    let err = parse("[mock]\nrowz = 3\n").unwrap_err();
    assert!(err.to_string().starts_with("conf/carta.toml:2:1:"), "{err}");
}

#[test]
fn serve_section_parses_and_resolves_the_key_file_beside_carta_toml() {
    let config = parse(
        "[serve]\nlisten = \"0.0.0.0:9000\"\nstore_url = \"sqlite://team.db\"\nkey_file = \"keys/carta.key\"\nlog_format = \"json\"\ntrust_proxy = true\nmax_body_bytes = 1024\njob_stale_after_secs = 30\n",
    )
    .unwrap();
    let serve = &config.serve;
    assert_eq!(serve.listen, Some("0.0.0.0:9000".parse().unwrap()));
    assert_eq!(serve.store_url.as_deref(), Some("sqlite://team.db"));
    assert_eq!(serve.key_file, Some(PathBuf::from("conf/keys/carta.key")));
    assert_eq!(serve.log_format, Some(crate::LogFormat::Json));
    assert_eq!(serve.trust_proxy, Some(true));
    assert_eq!(serve.max_body_bytes, Some(1024));
    assert_eq!(serve.job_stale_after_secs.map(|s| s.get()), Some(30));

    let err = parse("[serve]\nlisten = \"not an address\"\n").unwrap_err();
    assert!(err.to_string().starts_with("conf/carta.toml:2:"), "{err}");
    let err = parse("[serve]\njob_stale_after_secs = 0\n").unwrap_err();
    assert!(err.to_string().starts_with("conf/carta.toml:2:"), "{err}");
    let err = parse("[serve]\nmaster_key = \"x\"\n").unwrap_err();
    assert!(err.to_string().contains("master_key"), "{err}");
}
