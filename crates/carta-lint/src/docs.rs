//! `docs/lint-rules.md`, generated from [`rules()`] so it never goes stale
//! (a test compares the committed file).

use crate::rules::{rules, RuleInfo};
use crate::Category;

/// The hand-written part: silencing, configuration, output shapes.
const INTRO: &str = include_str!("lint_rules_intro.md");

/// The whole of `docs/lint-rules.md`.
pub fn rules_markdown() -> String {
    let mut text = String::from(INTRO);
    text.push_str("\n## Rules\n\n| id | category | default | summary |\n|---|---|---|---|\n");
    for rule in rules() {
        text.push_str(&format!(
            "| [`{id}`](#{id}) | {} | {} | {} |\n",
            rule.category,
            default_setting(rule),
            rule.summary,
            id = rule.id,
        ));
    }
    for category in [
        Category::Documentation,
        Category::Design,
        Category::Security,
    ] {
        let title = match category {
            Category::Documentation => "Documentation rules",
            Category::Design => "Design rules",
            Category::Security => "Security and tenancy rules",
        };
        text.push_str(&format!("\n## {title}\n"));
        for rule in rules().iter().filter(|r| r.category == category) {
            text.push_str(&rule_section(rule));
        }
    }
    text
}

fn default_setting(rule: &RuleInfo) -> String {
    if rule.enabled_by_default {
        rule.default_severity.to_string()
    } else {
        format!("off ({})", rule.default_severity)
    }
}

fn rule_section(rule: &RuleInfo) -> String {
    let mut text = format!("\n### {}\n\n{}\n\n", rule.id, rule.summary);
    text.push_str(&format!(
        "- Category: {}\n- Default: {}\n- Dialects: {}\n",
        rule.category,
        default_setting(rule),
        if rule.postgres_only {
            "PostgreSQL"
        } else {
            "all"
        }
    ));
    text.push_str(&format!(
        "\n**Why.** {}\n\n**Fix.** {}\n",
        rule.rationale, rule.fix
    ));
    if !rule.options.is_empty() {
        text.push_str("\n| option | accepts | default | meaning |\n|---|---|---|---|\n");
        for option in rule.options {
            text.push_str(&format!(
                "| `{}` | {} | `{}` | {} |\n",
                option.name, option.kind, option.default, option.doc
            ));
        }
    }
    text.push_str(&format!(
        "\nReported:\n\n```sql\n{}\n```\n\nFixed:\n\n```sql\n{}\n```\n",
        rule.example_bad, rule.example_good
    ));
    text
}
