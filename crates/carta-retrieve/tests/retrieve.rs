//! Retrieval over real Catalogs: recall on the question set of the seed
//! systems and the 1,000-table schema, and the behaviour the `carta ask`
//! prompt relies on (join paths, budget, examples, determinism, odd names).

mod support;

use carta_retrieve::{
    estimate_tokens, Extra, ExtraKind, Reason, RetrieveOptions, SchemaIndex, TableRef,
};
use support::System;

fn index(system: &System, extras: &[Extra]) -> SchemaIndex {
    SchemaIndex::build(&system.catalog, &system.graph, extras)
        .unwrap_or_else(|e| panic!("{}: {e}", system.name))
}

fn names(tables: &[carta_retrieve::RetrievedTable]) -> Vec<String> {
    tables.iter().map(|t| t.table.to_string()).collect()
}

#[test]
fn recall_of_needed_tables_at_the_default_budget() {
    let mut systems = support::seeds();
    systems.push(support::synthetic());
    assert_eq!(systems.len(), 6, "five seeds and the synthetic schema");
    let indexes: Vec<(&System, SchemaIndex)> = systems.iter().map(|s| (s, index(s, &[]))).collect();
    let cases = support::cases();
    let synthetic = cases
        .iter()
        .filter(|c| c.system == support::SYNTHETIC)
        .count();
    assert!(cases.len() >= 50 && synthetic >= 10 && cases.len() - synthetic >= 40);

    let options = RetrieveOptions::default();
    let (mut expected, mut hit, mut baseline_hit) = (0, 0, 0);
    let (mut held_out_expected, mut held_out_hit) = (0, 0);
    let mut report = Vec::new();
    for case in &cases {
        let (system, index) = indexes
            .iter()
            .find(|(s, _)| s.name == case.system)
            .unwrap_or_else(|| panic!("no system {}", case.system));
        for table in case.expected() {
            let name = carta_catalog::QualifiedName::new(&table.schema, &table.name);
            assert!(
                system.catalog.table(&name).is_some(),
                "{}: no table {table}",
                case.question
            );
        }
        let retrieval = index.retrieve(&case.question, &options).unwrap();
        assert!(
            retrieval.tokens <= options.token_budget,
            "{}",
            case.question
        );
        let found = support::found(&retrieval);
        let misses = support::misses(case, &found);
        expected += case.tables.len();
        hit += case.tables.len() - misses.len();
        if case.held_out {
            held_out_expected += case.tables.len();
            held_out_hit += case.tables.len() - misses.len();
        }
        baseline_hit += case.tables.len()
            - support::misses(case, &support::baseline(&system.catalog, &case.question)).len();
        if !misses.is_empty() {
            report.push(format!(
                "{}: {:?}\n    missed {:?}\n    got {:?}",
                case.system,
                case.question,
                misses.iter().map(TableRef::to_string).collect::<Vec<_>>(),
                names(&retrieval.tables)
            ));
        }
    }
    let recall = hit as f64 / expected as f64;
    let baseline = baseline_hit as f64 / expected as f64;
    println!(
        "recall {recall:.3} ({hit}/{expected}; held-out questions {held_out_hit}/{held_out_expected}), \
         table-name baseline {baseline:.3}; misses:\n  {}",
        report.join("\n  ")
    );
    assert!(
        recall >= 0.95,
        "recall {recall:.3} below 0.95:\n  {}",
        report.join("\n  ")
    );
    assert!(recall > baseline, "no better than matching table names");
}

const SCHOOL: &str = "
CREATE TABLE students (id bigint PRIMARY KEY, full_name text NOT NULL);
COMMENT ON TABLE students IS 'Learners enrolled at the school.';
CREATE TABLE courses (id bigint PRIMARY KEY, title text NOT NULL, credits integer);
COMMENT ON TABLE courses IS 'Classes on offer.';
CREATE TABLE enrollments (
    student_id bigint NOT NULL REFERENCES students (id),
    course_id bigint NOT NULL REFERENCES courses (id),
    PRIMARY KEY (student_id, course_id)
);
CREATE TYPE grade_letter AS ENUM ('A', 'B', 'C', 'F');
CREATE TABLE exams (
    id bigint PRIMARY KEY,
    course_id bigint NOT NULL REFERENCES courses (id),
    grade grade_letter,
    notes text
);
";

#[test]
fn link_tables_join_many_to_many_pairs() {
    let school = support::from_ddl("school", SCHOOL);
    let retrieval = index(&school, &[])
        .retrieve(
            "Which classes does each learner attend?",
            &RetrieveOptions::default(),
        )
        .unwrap();
    let link = retrieval
        .tables
        .iter()
        .find(|t| t.table.name == "enrollments")
        .unwrap_or_else(|| panic!("no link table in {:?}", names(&retrieval.tables)));
    let Reason::JoinPath { between } = &link.reason else {
        panic!("enrollments is there as {:?}", link.reason);
    };
    let pair = [between.0.name.as_str(), between.1.name.as_str()];
    assert!(
        pair.contains(&"students") && pair.contains(&"courses"),
        "{pair:?}"
    );
    assert!(retrieval.context.contains("TABLE public.enrollments"));
    assert!(retrieval
        .context
        .contains("  student_id bigint PK -> public.students.id\n"));
}

#[test]
fn the_context_renders_keys_targets_and_values() {
    let school = support::from_ddl("school", SCHOOL);
    let retrieval = index(&school, &[])
        .retrieve("exam grades per course", &RetrieveOptions::default())
        .unwrap();
    assert_eq!(
        names(&retrieval.tables)[..2],
        ["public.exams", "public.courses"]
    );
    assert!(retrieval.context.starts_with(
        "TABLE public.exams\n  id bigint PK\n  course_id bigint NOT NULL -> public.courses.id\n  \
         grade grade_letter {A,B,C,F}\n  notes text\n\nTABLE public.courses -- Classes on offer\n"
    ));
    assert_eq!(retrieval.tokens, estimate_tokens(&retrieval.context));
    let Reason::Matched { terms } = &retrieval.tables[0].reason else {
        panic!("{:?}", retrieval.tables[0].reason);
    };
    assert_eq!(terms, &["exam", "grade", "cours"]);
}

#[test]
fn the_budget_is_kept_by_reducing_then_omitting_tables() {
    let columns: Vec<String> = (0..60).map(|i| format!("extra_{i} text")).collect();
    let wide = format!(
        "{SCHOOL}CREATE TABLE course_reviews (id bigint PRIMARY KEY, \
         course_id bigint NOT NULL REFERENCES courses (id), stars integer, {});",
        columns.join(", ")
    );
    let school = support::from_ddl("school", &wide);
    let index = index(&school, &[]);
    let question = "course reviews stars";
    let roomy = index
        .retrieve(question, &RetrieveOptions::default())
        .unwrap();
    assert!(roomy.omitted.is_empty());
    assert!(roomy.context.contains("extra_59 text"));

    let tight = RetrieveOptions {
        token_budget: 40,
        ..RetrieveOptions::default()
    };
    let cut = index.retrieve(question, &tight).unwrap();
    assert!(cut.tokens <= 40, "{} tokens", cut.tokens);
    assert!(cut
        .context
        .starts_with("TABLE public.course_reviews\n  id bigint PK\n  course_id bigint NOT NULL"));
    assert!(cut
        .context
        .contains("  stars integer\n  ... 60 more columns\n"));
    assert_eq!(
        cut.omitted,
        [TableRef::new("public", "courses")],
        "{}",
        cut.context
    );
    let mut all: Vec<TableRef> = cut.tables.iter().map(|t| t.table.clone()).collect();
    all.extend(cut.omitted.iter().cloned());
    let mut roomy_all: Vec<TableRef> = roomy.tables.iter().map(|t| t.table.clone()).collect();
    all.sort();
    roomy_all.sort();
    assert_eq!(all, roomy_all, "every candidate is either shown or omitted");

    let none = RetrieveOptions {
        token_budget: 0,
        ..RetrieveOptions::default()
    };
    let empty = index.retrieve(question, &none).unwrap();
    assert!(empty.tables.is_empty() && empty.context.is_empty() && empty.tokens == 0);
    assert_eq!(empty.omitted.len(), roomy.tables.len());
}

#[test]
fn docs_boost_their_tables_and_similar_saved_queries_become_examples() {
    let school = support::from_ddl("school", SCHOOL);
    let extras = [
        Extra {
            kind: ExtraKind::Doc,
            title: "Dropout analysis".into(),
            text: "How we measure churn of learners between terms.".into(),
            tables: vec![TableRef::new("public", "enrollments")],
        },
        Extra {
            kind: ExtraKind::SavedQuery {
                sql: "SELECT c.title, count(*) FROM enrollments e JOIN courses c ON c.id = e.course_id GROUP BY 1".into(),
            },
            title: "Most popular classes by enrollment".into(),
            text: String::new(),
            tables: vec![TableRef::new("public", "enrollments"), TableRef::new("public", "courses")],
        },
        Extra {
            kind: ExtraKind::SavedQuery {
                sql: "SELECT avg(credits) FROM courses".into(),
            },
            title: "Average credits".into(),
            text: String::new(),
            tables: vec![TableRef::new("public", "courses"), TableRef::new("public", "gone")],
        },
    ];
    let index = index(&school, &extras);
    let churn = index
        .retrieve("monthly churn", &RetrieveOptions::default())
        .unwrap();
    assert_eq!(names(&churn.tables)[0], "public.enrollments");
    assert_eq!(
        churn.tables[0].reason,
        Reason::Matched {
            terms: vec!["churn".into()]
        }
    );
    assert!(churn.examples.is_empty());

    let popular = index
        .retrieve(
            "which classes are most popular?",
            &RetrieveOptions::default(),
        )
        .unwrap();
    assert_eq!(popular.examples.len(), 1, "{:?}", popular.examples);
    assert_eq!(
        popular.examples[0].question,
        "Most popular classes by enrollment"
    );
    assert!(popular.examples[0].sql.starts_with("SELECT c.title"));
    let found = support::found(&popular);
    assert!(found.contains(&TableRef::new("public", "enrollments")));
}

#[test]
fn the_same_input_gives_the_same_retrieval() {
    let synthetic = support::synthetic();
    let question = "Which trucks and vans are waiting for repairs?";
    let first = index(&synthetic, &[])
        .retrieve(question, &RetrieveOptions::default())
        .unwrap();
    let again = index(&synthetic, &[])
        .retrieve(question, &RetrieveOptions::default())
        .unwrap();
    assert!(!first.tables.is_empty());
    assert_eq!(
        serde_json::to_string(&first).unwrap(),
        serde_json::to_string(&again).unwrap()
    );
}

#[test]
fn odd_names_and_questions_do_not_break_retrieval() {
    let odd = support::from_ddl(
        "odd",
        r#"
CREATE SCHEMA "Ünïcødé";
CREATE TABLE "Ünïcødé"."Straße ""quoted"" table" ("naïve Column" text, "'" text);
CREATE TABLE "Ünïcødé"."日本語" (id bigint PRIMARY KEY);
"#,
    );
    let mut catalog = odd.catalog.clone();
    // Names no SQL text can spell, as a snapshot or a live catalog may hold them.
    catalog.schemas[0].tables.push(carta_catalog::Table {
        name: String::new(),
        columns: vec![carta_catalog::Column {
            name: String::new(),
            data_type: String::new(),
            logical_type: carta_catalog::LogicalType::Other,
            nullable: true,
            default: None,
            identity: None,
            generated: None,
            collation: None,
            comment: Some(String::new()),
        }],
        ..Default::default()
    });
    let index = SchemaIndex::build(&catalog, &odd.graph, &[]).unwrap();
    for question in [
        "",
        "   ",
        "???",
        "\"'; DROP TABLE x; --",
        "straße",
        "日本語",
        "naïve column",
    ] {
        let retrieval = index
            .retrieve(question, &RetrieveOptions::default())
            .unwrap();
        assert!(retrieval.tokens <= RetrieveOptions::default().token_budget);
        assert_eq!(retrieval.tokens, estimate_tokens(&retrieval.context));
    }
    assert_eq!(odd.catalog.tables().count(), 2, "{:?}", odd.catalog);
    let found = index
        .retrieve("naïve column", &RetrieveOptions::default())
        .unwrap();
    assert_eq!(names(&found.tables), ["Ünïcødé.Straße \"quoted\" table"]);
    let japanese = index
        .retrieve("日本語", &RetrieveOptions::default())
        .unwrap();
    assert_eq!(names(&japanese.tables), ["Ünïcødé.日本語"]);
    assert!(index
        .retrieve("", &RetrieveOptions::default())
        .unwrap()
        .tables
        .is_empty());
    assert!(SchemaIndex::build(
        &carta_catalog::Catalog::new(carta_catalog::Dialect::Postgres),
        &Default::default(),
        &[]
    )
    .unwrap()
    .retrieve("anything", &RetrieveOptions::default())
    .unwrap()
    .tables
    .is_empty());
}

#[test]
fn retrievals_serialize_for_the_user_to_see() {
    let school = support::from_ddl("school", SCHOOL);
    let retrieval = index(&school, &[])
        .retrieve(
            "Which classes does each learner attend?",
            &RetrieveOptions::default(),
        )
        .unwrap();
    let json = serde_json::to_value(&retrieval).unwrap();
    let reasons: Vec<&str> = json["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["reason"]["kind"].as_str().unwrap())
        .collect();
    assert!(
        reasons.contains(&"matched") && reasons.contains(&"join_path"),
        "{json}"
    );
    assert_eq!(json["tables"][0]["table"]["schema"], "public");
    assert_eq!(json["tokens"], retrieval.tokens);
}

#[test]
fn an_index_can_be_shared_between_request_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<SchemaIndex>();
}

#[test]
fn tokens_are_estimated_as_a_quarter_of_the_characters() {
    assert_eq!(estimate_tokens(""), 0);
    assert_eq!(estimate_tokens("abcd"), 1);
    assert_eq!(estimate_tokens("abcde"), 2);
    assert_eq!(estimate_tokens("ßßßß"), 1);
}
