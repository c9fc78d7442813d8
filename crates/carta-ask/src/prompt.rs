//! The prompt (rules, schema context, few-shot examples, the question) and
//! reading SQL back out of the model's answer.

use carta_catalog::Dialect;
use serde::Serialize;

use crate::client::{Message, Role};

/// What the model is told about the database, built by the caller from
/// schema retrieval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AskContext {
    pub dialect: Dialect,
    /// Compact schema text: the tables, their columns, keys and comments.
    pub schema_text: String,
    /// `schema.table` of each table in `schema_text`.
    pub tables: Vec<String>,
    /// Earlier questions with the SQL that answered them, best first.
    pub examples: Vec<(String, String)>,
    /// Anything else worth saying (the database is read from DDL only, ...).
    pub notes: Vec<String>,
}

/// At most this many left-out tables are named in the prompt's notes.
const OMITTED_NAMED: usize = 30;

impl AskContext {
    /// The context of a schema retrieval: its rendered tables, its example
    /// question/SQL pairs, and a note naming relevant tables the budget left
    /// out (so the model can say it needs them), plus the caller's `notes`.
    pub fn from_retrieval(
        dialect: Dialect,
        retrieval: &carta_retrieve::Retrieval,
        notes: Vec<String>,
    ) -> AskContext {
        let mut all_notes = Vec::new();
        if !retrieval.omitted.is_empty() {
            let names: Vec<String> = retrieval
                .omitted
                .iter()
                .take(OMITTED_NAMED)
                .map(ToString::to_string)
                .collect();
            all_notes.push(format!(
                "Other relevant tables were left out for space: {}",
                names.join(", ")
            ));
        }
        all_notes.extend(notes);
        AskContext {
            dialect,
            schema_text: retrieval.context.clone(),
            tables: retrieval
                .tables
                .iter()
                .map(|t| t.table.to_string())
                .collect(),
            examples: retrieval
                .examples
                .iter()
                .map(|e| (e.question.clone(), e.sql.clone()))
                .collect(),
            notes: all_notes,
        }
    }
}

/// The answer format asked for in the rules and again in each repair turn.
const FORMAT: &str = "one ```sql fenced block holding the statement, then a short explanation";

pub fn dialect_name(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgres => "PostgreSQL",
        Dialect::Mysql => "MySQL/MariaDB",
        Dialect::Sqlite => "SQLite",
    }
}

/// The conversation that asks `question` about `context`.
pub fn messages(context: &AskContext, question: &str) -> Vec<Message> {
    let mut system = format!(
        "You write SQL for a {dialect} database.\n\
         Rules:\n\
         - Write exactly one read-only statement: SELECT or WITH ... SELECT. Never write \
         INSERT, UPDATE, DELETE, MERGE, DDL, or anything that changes data, locks rows or \
         changes settings.\n\
         - Use only the tables and columns listed in the schema below, with their schema \
         names. If the schema cannot answer the question, say so in the explanation and \
         still write the closest query.\n\
         - Answer with {FORMAT} (one to three sentences) of what the query returns.\n\n\
         Schema:\n{schema}",
        dialect = dialect_name(context.dialect),
        schema = context.schema_text.trim_end(),
    );
    if !context.notes.is_empty() {
        system.push_str("\n\nNotes:");
        for note in &context.notes {
            system.push_str("\n- ");
            system.push_str(note);
        }
    }
    let mut messages = vec![Message::new(Role::System, system)];
    for (example_question, sql) in &context.examples {
        messages.push(Message::new(Role::User, example_question.clone()));
        messages.push(Message::new(
            Role::Assistant,
            format!("```sql\n{}\n```", sql.trim()),
        ));
    }
    messages.push(Message::new(Role::User, question));
    messages
}

/// The turn that asks again after an answer without SQL.
pub fn no_sql_repair() -> String {
    format!("Your answer holds no SQL. Answer with {FORMAT}.")
}

/// The turn that feeds a validation error back.
pub fn invalid_sql_repair(error: &str) -> String {
    format!(
        "That SQL cannot be used: {error}\nFix it. Answer with {FORMAT}, using only the \
         tables and columns of the schema."
    )
}

/// SQL and the words around it, read from one answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    pub sql: String,
    pub explanation: String,
}

/// The SQL of an answer: the first ```sql block (or, failing that, the
/// first ``` block), else the whole text when it parses as SQL. Trailing
/// semicolons are dropped. `None` when there is no SQL.
pub fn extract_sql(content: &str, dialect: Dialect) -> Option<Extracted> {
    let content = strip_reasoning(content);
    if let Some(found) = fenced(&content, true).or_else(|| fenced(&content, false)) {
        return Some(found);
    }
    let sql = trim_sql(&content);
    // Text that parses is SQL even when it may not run: it is extracted and
    // then refused with its own reason, which the repair turn feeds back.
    let parses = !matches!(
        carta_query::check(dialect, sql),
        Err(carta_query::Rejection::Syntax { .. } | carta_query::Rejection::Empty)
    );
    parses.then(|| Extracted {
        sql: sql.to_string(),
        explanation: String::new(),
    })
}

/// Reasoning models (DeepSeek-R1, Qwen3 served locally) think aloud inside
/// `<think>` tags before answering; their drafts are not the answer.
fn strip_reasoning(content: &str) -> String {
    let mut rest = content;
    let mut kept = String::new();
    while let Some(start) = rest.find("<think>") {
        kept.push_str(&rest[..start]);
        match rest[start..].find("</think>") {
            Some(end) => rest = &rest[start + end + "</think>".len()..],
            None => return kept,
        }
    }
    kept.push_str(rest);
    kept
}

fn fenced(content: &str, sql_tagged: bool) -> Option<Extracted> {
    let mut offset = 0;
    while let Some(found) = content[offset..].find("```") {
        let open = offset + found;
        let after = &content[open + 3..];
        let line_end = after.find('\n').unwrap_or(after.len());
        let tag = after[..line_end].trim();
        let body_start = open + 3 + (line_end + 1).min(after.len());
        let close = content[body_start..].find("```").map(|i| body_start + i);
        let wanted = if sql_tagged {
            tag.eq_ignore_ascii_case("sql")
        } else {
            tag.is_empty()
        };
        if wanted {
            let body_end = close.unwrap_or(content.len());
            let sql = trim_sql(&content[body_start..body_end]);
            if sql.is_empty() {
                return None;
            }
            let after_close = close.map_or("", |c| &content[c + 3..]);
            let explanation = format!("{} {}", content[..open].trim(), after_close.trim());
            return Some(Extracted {
                sql: sql.to_string(),
                explanation: explanation.trim().to_string(),
            });
        }
        match close {
            Some(c) => offset = c + 3,
            None => return None,
        }
    }
    None
}

fn trim_sql(text: &str) -> &str {
    text.trim()
        .trim_end_matches(|c: char| c == ';' || c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sql(content: &str) -> Option<String> {
        extract_sql(content, Dialect::Postgres).map(|e| e.sql)
    }

    #[test]
    fn the_sql_block_wins_and_the_rest_is_the_explanation() {
        let answer =
            "Here it is:\n```sql\nSELECT count(*) FROM orko.users;\n```\nThis counts users.";
        let found = extract_sql(answer, Dialect::Postgres).unwrap();
        assert_eq!(found.sql, "SELECT count(*) FROM orko.users");
        assert_eq!(found.explanation, "Here it is: This counts users.");
        let two = "```\nnot this\n```\n```SQL\nSELECT 2\n```";
        assert_eq!(sql(two).as_deref(), Some("SELECT 2"));
    }

    #[test]
    fn an_untagged_block_or_bare_sql_is_accepted() {
        assert_eq!(sql("```\nSELECT 1;;\n```").as_deref(), Some("SELECT 1"));
        assert_eq!(
            sql("  SELECT id FROM t ; ").as_deref(),
            Some("SELECT id FROM t")
        );
        // Bare text that is SQL but not allowed is still extracted, to be refused with its reason.
        assert_eq!(sql("DELETE FROM t").as_deref(), Some("DELETE FROM t"));
    }

    #[test]
    fn prose_or_an_empty_block_is_no_sql() {
        assert_eq!(sql("I cannot answer that from this schema."), None);
        assert_eq!(sql("```sql\n\n```"), None);
        assert_eq!(sql(""), None);
        assert_eq!(sql("```python\nprint(1)\n```"), None);
    }

    #[test]
    fn an_unclosed_block_runs_to_the_end() {
        assert_eq!(sql("```sql\nSELECT 3\n").as_deref(), Some("SELECT 3"));
    }

    #[test]
    fn reasoning_is_not_the_answer() {
        let answer = "<think>maybe ```sql\nSELECT wrong\n```</think>\n```sql\nSELECT right\n```";
        assert_eq!(sql(answer).as_deref(), Some("SELECT right"));
        assert_eq!(sql("<think>never finished"), None);
    }

    #[test]
    fn the_prompt_has_rules_schema_examples_and_question() {
        let context = AskContext {
            dialect: Dialect::Sqlite,
            schema_text: "TABLE main.t (id integer)".into(),
            tables: vec!["main.t".into()],
            examples: vec![("how many?".into(), "SELECT count(*) FROM t;".into())],
            notes: vec!["read from DDL files".into()],
        };
        let messages = messages(&context, "which ids?");
        assert_eq!(messages.len(), 4);
        assert_eq!(messages[0].role, Role::System);
        for needle in [
            "SQLite",
            "read-only",
            "exactly one",
            "```sql",
            "TABLE main.t",
            "- read from DDL files",
        ] {
            assert!(
                messages[0].content.contains(needle),
                "{needle}: {}",
                messages[0].content
            );
        }
        assert_eq!(messages[1], Message::new(Role::User, "how many?"));
        assert_eq!(
            messages[2],
            Message::new(Role::Assistant, "```sql\nSELECT count(*) FROM t;\n```")
        );
        assert_eq!(messages[3], Message::new(Role::User, "which ids?"));
    }
}
