//! Reports as text for people, JSON for scripts, SARIF for code scanning.

use crate::rules::{rule, RuleInfo};
use crate::{Finding, ObjectRef, Report, Severity};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// Where an object is declared: a file path (relative to the repository
/// root, as SARIF consumers expect) and a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSpot {
    pub uri: String,
    pub line: u32,
}

/// One line per finding (`error[rule] object: message`), its hint below,
/// and a summary line.
pub fn render_text(report: &Report) -> String {
    let mut text = String::new();
    for finding in &report.findings {
        text.push_str(&format!(
            "{}[{}] {}: {}\n  hint: {}\n",
            finding.severity, finding.rule, finding.object, finding.message, finding.hint
        ));
    }
    if !report.findings.is_empty() {
        text.push('\n');
    }
    let counts = [Severity::Error, Severity::Warning, Severity::Info]
        .map(|s| counted(report.count(s), s.as_str()))
        .join(", ");
    let tail = format!(
        "{} suppressed, {}",
        report.suppressed,
        counted(report.rules_run.len(), "rule")
    );
    if report.findings.is_empty() {
        text.push_str(&format!("no findings ({tail})\n"));
    } else {
        text.push_str(&format!(
            "{}: {counts} ({tail})\n",
            counted(report.findings.len(), "finding")
        ));
    }
    text
}

fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Pretty JSON of the shape documented in the crate docs, with a trailing newline.
pub fn render_json(report: &Report) -> String {
    let findings: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            json!({
                "rule": f.rule,
                "severity": f.severity,
                "category": f.category,
                "object": object_json(&f.object),
                "message": f.message,
                "hint": f.hint,
            })
        })
        .collect();
    let document = json!({
        "version": 1,
        "findings": findings,
        "summary": {
            "errors": report.count(Severity::Error),
            "warnings": report.count(Severity::Warning),
            "infos": report.count(Severity::Info),
            "suppressed": report.suppressed,
            "rules_run": report.rules_run,
        },
    });
    pretty(&document)
}

fn object_json(object: &ObjectRef) -> Value {
    let mut value = json!({ "kind": object.kind, "schema": object.schema });
    if let Some(table) = &object.table {
        value["table"] = json!(table);
    }
    if let Some(name) = &object.name {
        value["name"] = json!(name);
    }
    value["path"] = json!(object.to_string());
    value
}

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// SARIF 2.1.0 for GitHub code scanning: one run, every rule that ran in
/// `tool.driver.rules`, and each finding with its logical location, its
/// file and line when `locate` knows them, and a fingerprint of rule and
/// object so findings are tracked across runs.
pub fn render_sarif(report: &Report, locate: &dyn Fn(&ObjectRef) -> Option<SourceSpot>) -> String {
    let rules_run: Vec<&'static RuleInfo> =
        report.rules_run.iter().filter_map(|id| rule(id)).collect();
    let rules: Vec<Value> = rules_run.iter().map(|r| sarif_rule(r)).collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let rule_index = rules_run.iter().position(|r| r.id == f.rule);
            sarif_result(f, rule_index, locate(&f.object))
        })
        .collect();
    let document = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "carta",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": env!("CARGO_PKG_REPOSITORY"),
                    "rules": rules,
                }
            },
            "results": results,
        }],
    });
    pretty(&document)
}

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn sarif_rule(rule: &RuleInfo) -> Value {
    let name: String = rule
        .id
        .split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    json!({
        "id": rule.id,
        "name": name,
        "shortDescription": { "text": rule.summary },
        "fullDescription": { "text": rule.rationale },
        "help": { "text": rule.fix },
        "defaultConfiguration": { "level": sarif_level(rule.default_severity) },
        "properties": { "tags": [rule.category.as_str()] },
    })
}

fn sarif_result(finding: &Finding, rule_index: Option<usize>, spot: Option<SourceSpot>) -> Value {
    let mut location = json!({
        "logicalLocations": [{
            "fullyQualifiedName": finding.object.to_string(),
            "kind": finding.object.kind.as_str(),
        }]
    });
    if let Some(spot) = spot {
        location["physicalLocation"] = json!({
            "artifactLocation": { "uri": spot.uri },
            "region": { "startLine": spot.line },
        });
    }
    let fingerprint = Sha256::digest(
        format!(
            "{}\0{}\0{}",
            finding.rule, finding.object.kind, finding.object
        )
        .as_bytes(),
    );
    let mut result = serde_json::Map::new();
    result.insert("ruleId".into(), json!(finding.rule));
    if let Some(index) = rule_index {
        result.insert("ruleIndex".into(), json!(index));
    }
    result.insert("level".into(), json!(sarif_level(finding.severity)));
    result.insert(
        "message".into(),
        json!({ "text": format!("{}\nFix: {}", finding.message, finding.hint) }),
    );
    result.insert("locations".into(), json!([location]));
    result.insert(
        "partialFingerprints".into(),
        json!({ "cartaObject/v1": hex::encode(fingerprint) }),
    );
    Value::Object(result)
}
