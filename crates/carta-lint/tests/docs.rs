//! docs/lint-rules.md is generated from the rules' descriptions; this test
//! fails when they drift apart. Regenerate with
//! `CARTA_BLESS=1 cargo test -p carta-lint --test docs`.

use std::path::Path;

#[test]
fn committed_rule_reference_matches_the_rules() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/lint-rules.md");
    let generated = carta_lint::rules_markdown();
    if std::env::var_os("CARTA_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is out of date: run CARTA_BLESS=1 cargo test -p carta-lint --test docs",
        path.display()
    );
}

#[test]
fn the_reference_covers_every_rule() {
    let text = carta_lint::rules_markdown();
    for rule in carta_lint::rules() {
        assert!(
            text.contains(&format!("\n### {}\n", rule.id)),
            "{}",
            rule.id
        );
        for option in rule.options {
            assert!(
                text.contains(&format!("| `{}` |", option.name)),
                "{}",
                option.name
            );
        }
    }
    assert!(text.contains("carta:ignore rule-a, rule-b"));
    assert!(text.contains("\"version\": 1"));
}
