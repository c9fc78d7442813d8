//! Rendered reports of a small schema: text, JSON and SARIF snapshots, and
//! the SARIF fields GitHub code scanning needs.

use carta_lint::{
    lint, render_json, render_sarif, render_text, LintConfig, ObjectRef, Report, SourceSpot,
};
use carta_source::{DdlFile, IngestOptions};
use serde_json::Value;

const SHOP: &str = "\
CREATE SCHEMA shop;
CREATE TABLE shop.customers (id bigint PRIMARY KEY, email text NOT NULL, api_token text);
COMMENT ON TABLE shop.customers IS 'People who buy.';
COMMENT ON COLUMN shop.customers.id IS 'Customer number.';
COMMENT ON COLUMN shop.customers.email IS 'Login name.';
COMMENT ON COLUMN shop.customers.api_token IS 'Key for the public API.';
CREATE TABLE shop.orders (
    id bigint PRIMARY KEY,
    customer_id integer NOT NULL REFERENCES shop.customers (id),
    status text NOT NULL
);
CREATE TABLE shop.scratch (note text);
COMMENT ON TABLE shop.scratch IS 'Scratch space for imports. carta:ignore';
";

fn report() -> Report {
    let ingested = carta_postgres::ingest_ddl(
        &[DdlFile {
            path: "schema/shop.sql".into(),
            text: SHOP.to_string(),
        }],
        &IngestOptions::default(),
    )
    .unwrap();
    let catalog = ingested.catalog;
    lint(&catalog, &catalog.relations(), &LintConfig::default()).unwrap()
}

/// The line of the table's CREATE TABLE statement, as a DDL source would tell.
fn locate(object: &ObjectRef) -> Option<SourceSpot> {
    let create = format!("CREATE TABLE {}.{} ", object.schema, object.table.as_ref()?);
    let line = SHOP.lines().position(|l| l.starts_with(&create))?;
    Some(SourceSpot {
        uri: "schema/shop.sql".into(),
        line: line as u32 + 1,
    })
}

#[test]
fn text_report() {
    let report = report();
    assert_eq!(report.suppressed, 3);
    insta::assert_snapshot!(render_text(&report));
}

#[test]
fn json_report() {
    let json = render_json(&report());
    assert!(json.ends_with("}\n"));
    let parsed: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed["version"], 1);
    insta::assert_snapshot!(json);
}

#[test]
fn sarif_report() {
    insta::assert_snapshot!(render_sarif(&report(), &locate));
}

#[test]
fn sarif_has_what_code_scanning_needs() {
    let report = report();
    let sarif: Value = serde_json::from_str(&render_sarif(&report, &locate)).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let runs = sarif["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "carta");
    assert!(driver["informationUri"]
        .as_str()
        .unwrap()
        .starts_with("https://"));
    let rules = driver["rules"].as_array().unwrap();
    let rule_ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(rule_ids, report.rules_run);
    for rule in rules {
        for field in ["shortDescription", "fullDescription", "help"] {
            assert!(!rule[field]["text"].as_str().unwrap().is_empty(), "{field}");
        }
        assert!(["error", "warning", "note"]
            .contains(&rule["defaultConfiguration"]["level"].as_str().unwrap()));
    }
    let results = runs[0]["results"].as_array().unwrap();
    assert_eq!(results.len(), report.findings.len());
    let mut fingerprints = Vec::new();
    for (result, finding) in results.iter().zip(&report.findings) {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(result["ruleId"], rules[index]["id"]);
        assert_eq!(result["ruleId"], finding.rule);
        let level = result["level"].as_str().unwrap();
        assert!(["error", "warning", "note"].contains(&level));
        assert!(result["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with(&finding.message));
        let location = &result["locations"][0];
        assert_eq!(
            location["logicalLocations"][0]["fullyQualifiedName"],
            finding.object.to_string()
        );
        assert_eq!(
            location["logicalLocations"][0]["kind"],
            finding.object.kind.as_str()
        );
        let spot = locate(&finding.object).unwrap();
        assert_eq!(
            location["physicalLocation"]["artifactLocation"]["uri"],
            spot.uri
        );
        assert_eq!(
            location["physicalLocation"]["region"]["startLine"],
            spot.line
        );
        fingerprints.push(
            result["partialFingerprints"]["cartaObject/v1"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    // One finding per rule and object, so the fingerprints tell them apart.
    let mut distinct = fingerprints.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), fingerprints.len());
    // Without a location the result keeps its logical location only.
    let unlocated: Value = serde_json::from_str(&render_sarif(&report, &|_| None)).unwrap();
    let first = &unlocated["runs"][0]["results"][0]["locations"][0];
    assert!(first.get("physicalLocation").is_none());
    assert!(first["logicalLocations"].is_array());
    assert_eq!(
        unlocated["runs"][0]["results"][0]["partialFingerprints"],
        sarif["runs"][0]["results"][0]["partialFingerprints"]
    );
}

#[test]
fn an_empty_report_says_so() {
    let report = Report {
        rules_run: vec!["table-comment"],
        ..Report::default()
    };
    assert_eq!(render_text(&report), "no findings (0 suppressed, 1 rule)\n");
}
