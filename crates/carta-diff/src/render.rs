//! The reports: plain text, Markdown for a pull-request comment, and JSON.

use crate::impact::{Change, Group, Impact};
use crate::model::SchemaDiff;
use serde_json::json;

const IMPACTS: [Impact; 3] = [Impact::Breaking, Impact::Additive, Impact::Cosmetic];

/// Version of the JSON report's shape. Bump on any incompatible change.
pub const JSON_REPORT_VERSION: u32 = 1;

fn count(changes: &[&Change], impact: Impact) -> usize {
    changes.iter().filter(|c| c.impact == impact).count()
}

fn summary(changes: &[&Change]) -> String {
    let counts = IMPACTS
        .iter()
        .map(|&impact| format!("{} {}", count(changes, impact), impact.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let noun = if changes.len() == 1 {
        "change"
    } else {
        "changes"
    };
    format!("{} {noun}: {counts}", changes.len())
}

/// The action as a report says it: a rename is only ever a likely one.
fn action_words(change: &Change) -> &'static str {
    match change.action {
        "renamed" => "possibly renamed",
        other => other,
    }
}

fn all_changes(groups: &[Group]) -> Vec<&Change> {
    groups
        .iter()
        .flat_map(|g| g.entries.iter().map(|e| &e.change))
        .collect()
}

/// Plain text grouped by table (and by schema for types and functions),
/// each line marked with its impact, with a summary line first.
pub fn render_text(diff: &SchemaDiff) -> String {
    let groups = diff.groups();
    let changes = all_changes(&groups);
    if changes.is_empty() {
        return "No schema changes.\n".into();
    }
    let mut out = format!("{}\n", summary(&changes));
    for group in &groups {
        out.push_str(&format!("\n{}\n", group.title));
        for entry in &group.entries {
            let change = &entry.change;
            let mut line = format!("  [{}] {}", change.impact.as_str(), change.kind);
            if entry.label.contains(' ') {
                line.push_str(&format!(" \"{}\"", entry.label));
            } else if !entry.label.is_empty() {
                line.push_str(&format!(" {}", entry.label));
            }
            line.push_str(&format!(" {}", action_words(change)));
            if !change.detail.is_empty() {
                line.push_str(&format!(": {}", change.detail));
            }
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// Text for a Markdown table cell: no line breaks, pipes escaped, HTML inert.
fn cell(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

/// A code span that survives any backticks in the text.
fn code(text: &str) -> String {
    let text = text.replace('|', "\\|").replace(['\n', '\r'], " ");
    let fence = if text.contains('`') { "`` " } else { "`" };
    let closing = if text.contains('`') { " ``" } else { "`" };
    format!("{fence}{text}{closing}")
}

fn markdown_line(change: &Change) -> String {
    let mut text = format!("{} {}", change.kind.replace('_', " "), action_words(change));
    if !change.detail.is_empty() {
        text.push_str(&format!(": {}", change.detail));
    }
    cell(&text)
}

/// Markdown for a pull-request comment: counts by impact, the breaking
/// changes listed first, then one collapsible section per table.
pub fn render_markdown(diff: &SchemaDiff) -> String {
    let groups = diff.groups();
    let changes = all_changes(&groups);
    let mut out = String::from("## Schema changes\n\n");
    if changes.is_empty() {
        out.push_str("No schema changes.\n");
        return out;
    }
    out.push_str("| Impact | Changes |\n|---|---:|\n");
    for impact in IMPACTS {
        out.push_str(&format!(
            "| {} | {} |\n",
            impact.as_str(),
            count(&changes, impact)
        ));
    }
    let breaking: Vec<&&Change> = changes
        .iter()
        .filter(|c| c.impact == Impact::Breaking)
        .collect();
    if !breaking.is_empty() {
        out.push_str("\n### Breaking changes\n\n");
        for change in breaking {
            out.push_str(&format!(
                "- {}: {}\n",
                code(&change.object),
                markdown_line(change)
            ));
        }
    }
    out.push_str("\n### By object\n");
    for group in &groups {
        let group_changes: Vec<&Change> = group.entries.iter().map(|e| &e.change).collect();
        let breaking = count(&group_changes, Impact::Breaking);
        let noun = if group_changes.len() == 1 {
            "change"
        } else {
            "changes"
        };
        let mut heading = format!("{} {noun}", group_changes.len());
        if breaking > 0 {
            heading.push_str(&format!(", {breaking} breaking"));
        }
        out.push_str(&format!(
            "\n<details><summary><code>{}</code>: {heading}</summary>\n\n",
            cell(&group.title)
        ));
        out.push_str("| Impact | Object | Change |\n|---|---|---|\n");
        for entry in &group.entries {
            let object = if entry.label.is_empty() {
                "".to_string()
            } else {
                code(&entry.label)
            };
            out.push_str(&format!(
                "| {} | {object} | {} |\n",
                entry.change.impact.as_str(),
                markdown_line(&entry.change)
            ));
        }
        out.push_str("\n</details>\n");
    }
    out
}

/// The JSON report, version [`JSON_REPORT_VERSION`]:
/// `{"version":1,"equal":bool,"summary":{"breaking":n,"additive":n,"cosmetic":n},
/// "changes":[{"impact","object","kind","action","detail"}]}`, pretty-printed
/// with a trailing newline. `action` is `renamed` for a likely rename.
pub fn render_json(diff: &SchemaDiff) -> String {
    let changes = diff.changes();
    let refs: Vec<&Change> = changes.iter().collect();
    let report = json!({
        "version": JSON_REPORT_VERSION,
        "equal": changes.is_empty(),
        "summary": {
            "breaking": count(&refs, Impact::Breaking),
            "additive": count(&refs, Impact::Additive),
            "cosmetic": count(&refs, Impact::Cosmetic),
        },
        "changes": changes,
    });
    format!("{report:#}\n")
}
