//! Schema retrieval for large databases: for a question in plain words, the
//! tables an LLM needs to write its SQL, as compact schema text that fits a
//! token budget. A full-text index (tantivy, in RAM) over tables, columns,
//! comments, enum labels, docs and saved queries picks the tables that match;
//! the relation graph adds the tables that join them. Pure: works from a
//! `&Catalog` and a `&RelationGraph`, no I/O.
//!
//! ```text
//! let index = SchemaIndex::build(&catalog, &graph, &extras)?;  // once per Catalog
//! let retrieval = index.retrieve("which users rated docs below 3", &RetrieveOptions::default())?;
//! // retrieval.context goes into the prompt; retrieval (JSON) is shown to the user.
//! ```

mod join;
mod render;
mod search;
mod text;

use carta_catalog::{Catalog, QualifiedName, RelationGraph};
use render::Entry;
use search::{Document, TextIndex};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use tantivy::tokenizer::TextAnalyzer;
use text::words;

/// A text beside the schema that names tables: a docs page or a saved
/// question with its SQL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extra {
    pub kind: ExtraKind,
    pub title: String,
    pub text: String,
    /// The tables it is about (a saved query: the tables its SQL reads).
    pub tables: Vec<TableRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExtraKind {
    /// A documentation page: boosts the tables it is about.
    Doc,
    /// A saved question (`title`, `text`) and the SQL that answers it.
    SavedQuery { sql: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TableRef {
    pub schema: String,
    pub name: String,
}

impl TableRef {
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        TableRef {
            schema: schema.into(),
            name: name.into(),
        }
    }
}

impl From<&QualifiedName> for TableRef {
    fn from(name: &QualifiedName) -> Self {
        TableRef::new(&name.schema, &name.name)
    }
}

impl std::fmt::Display for TableRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.schema, self.name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrieveOptions {
    /// The most the context may take, in [`estimate_tokens`] units.
    pub token_budget: usize,
    /// How many tables the text search may pick before join paths are added.
    pub max_seed_tables: usize,
    /// The longest join path (in relations) searched between two picked tables.
    pub join_depth: usize,
}

impl Default for RetrieveOptions {
    fn default() -> Self {
        RetrieveOptions {
            token_budget: 4000,
            max_seed_tables: 8,
            join_depth: 3,
        }
    }
}

/// What was retrieved for one question, shown to the user as it is given to the model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Retrieval {
    /// In the order they appear in `context`.
    pub tables: Vec<RetrievedTable>,
    /// Compact schema text for an LLM prompt.
    pub context: String,
    /// `estimate_tokens(&context)`.
    pub tokens: usize,
    /// Saved queries similar to the question, best first, at most 3.
    pub examples: Vec<Example>,
    /// Relevant tables left out because the budget was spent.
    pub omitted: Vec<TableRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RetrievedTable {
    pub table: TableRef,
    pub score: f32,
    pub reason: Reason,
}

/// Why a table is in the context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// The question's words (stemmed) found in its names, comments or docs.
    Matched { terms: Vec<String> },
    /// It joins two picked tables (`between` them), or a picked table's
    /// foreign key points to it (`between` that table and this one).
    JoinPath { between: (TableRef, TableRef) },
    /// A saved query similar to the question reads it.
    Example,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Example {
    pub question: String,
    pub sql: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RetrieveError {
    #[error("full-text index: {0}")]
    Index(#[from] tantivy::TantivyError),
}

/// The token count of `text` as ceil(characters / 4): the usual rule of
/// thumb for English and SQL with BPE tokenizers, with no tokenizer to load.
pub fn estimate_tokens(text: &str) -> usize {
    tokens_of_chars(text.chars().count())
}

fn tokens_of_chars(chars: usize) -> usize {
    chars.div_ceil(4)
}

/// How much a matching docs page adds to the score of each table it is about.
const DOC_WEIGHT: f32 = 0.5;
/// How much a similar saved query adds to the score of each table it reads.
const EXAMPLE_WEIGHT: f32 = 1.0;
/// A matching table gains this share of the best score among its
/// neighbours: of two tables matching "repair", the one beside the
/// vehicles the question asks about wins.
const NEIGHBOUR_WEIGHT: f32 = 0.3;
/// A table whose matched terms all match a neighbour with a shorter name
/// (or, as long, one it references) keeps this share of its score: the
/// entity explains the match, and its attachments, history, categories and
/// links are a join away.
const SATELLITE_FACTOR: f32 = 0.5;
/// Seeds score at least this share of the best table's score: a table that
/// matches only a common word of a long question is left out.
const SEED_CUTOFF: f32 = 0.2;
/// Saved queries score at least this share of the best one to count as similar.
const EXAMPLE_CUTOFF: f32 = 0.5;
/// The most examples returned.
const MAX_EXAMPLES: usize = 3;

/// The searchable schema of one Catalog, with its docs and saved queries.
pub struct SchemaIndex {
    entries: Vec<Entry>,
    /// Per table, the tables related to it in either direction.
    adjacent: Vec<Vec<usize>>,
    /// Per table, the tables its foreign keys (and virtual relations) point to.
    parents: Vec<Vec<usize>>,
    tables: TextIndex,
    extras: Vec<IndexedExtra>,
    extra_index: TextIndex,
    analyzer: TextAnalyzer,
}

struct IndexedExtra {
    title: String,
    /// `Some` for a saved query.
    sql: Option<String>,
    terms: BTreeSet<String>,
    /// Positions of the tables it names that the Catalog has.
    tables: Vec<usize>,
}

/// The text-search outcome for one question.
struct Scores {
    score: Vec<f32>,
    /// Question terms each table matched, itself or through a docs page about it.
    matched: Vec<BTreeSet<String>>,
    examples: Vec<Example>,
}

/// Why a table is on the candidate list, before the budget is applied.
enum Placement {
    Seed,
    Bridge(usize, usize),
}

impl SchemaIndex {
    pub fn build(
        catalog: &Catalog,
        graph: &RelationGraph,
        extras: &[Extra],
    ) -> Result<SchemaIndex, RetrieveError> {
        let mut analyzer = text::analyzer();
        let mut entries = Vec::new();
        let mut documents = Vec::new();
        for (schema, table) in catalog.tables() {
            let (entry, document) = render::entry(schema, table, graph, &mut analyzer);
            entries.push(entry);
            documents.push(document);
        }
        let mut positions = BTreeMap::new();
        for (i, entry) in entries.iter().enumerate() {
            positions.entry(entry.table.clone()).or_insert(i);
        }
        let tables = TextIndex::build(&documents)?;
        let (adjacent, parents) = join::adjacency(graph, &positions);

        let mut indexed = Vec::new();
        let mut extra_documents = Vec::new();
        for extra in extras {
            let document = Document {
                name: words(&extra.title),
                columns: Vec::new(),
                text: words(&extra.text),
            };
            let mut all = document.name.clone();
            all.extend(document.text.iter().cloned());
            indexed.push(IndexedExtra {
                title: extra.title.clone(),
                sql: match &extra.kind {
                    ExtraKind::Doc => None,
                    ExtraKind::SavedQuery { sql } => Some(sql.clone()),
                },
                terms: text::terms(&mut analyzer, &all).into_iter().collect(),
                tables: extra
                    .tables
                    .iter()
                    .filter_map(|t| positions.get(t).copied())
                    .collect(),
            });
            extra_documents.push(document);
        }
        let extra_index = TextIndex::build(&extra_documents)?;
        Ok(SchemaIndex {
            entries,
            adjacent,
            parents,
            tables,
            extras: indexed,
            extra_index,
            analyzer,
        })
    }

    pub fn retrieve(
        &self,
        question: &str,
        options: &RetrieveOptions,
    ) -> Result<Retrieval, RetrieveError> {
        let mut analyzer = self.analyzer.clone();
        let terms = text::question_terms(&mut analyzer, question);
        let scores = self.score(&terms)?;
        let candidates = self.candidates(&scores, options);

        let wanted: BTreeSet<String> = terms.iter().cloned().collect();
        let mut retrieval = Retrieval {
            tables: Vec::new(),
            context: String::new(),
            tokens: 0,
            examples: scores.examples,
            omitted: Vec::new(),
        };
        let mut chars = 0;
        for (i, placement) in candidates {
            let entry = &self.entries[i];
            let separator = usize::from(chars > 0);
            let fitting = std::iter::once(entry.full())
                .chain(entry.reduced(&wanted))
                .map(|text| {
                    let count = text.chars().count();
                    (text, count)
                })
                .find(|(_, count)| {
                    tokens_of_chars(chars + separator + count) <= options.token_budget
                });
            let Some((text, count)) = fitting else {
                retrieval.omitted.push(entry.table.clone());
                continue;
            };
            if separator == 1 {
                retrieval.context.push('\n');
            }
            chars += separator + count;
            retrieval.context.push_str(&text);
            let reason = match placement {
                Placement::Bridge(a, b) => Reason::JoinPath {
                    between: (self.entries[a].table.clone(), self.entries[b].table.clone()),
                },
                Placement::Seed if scores.matched[i].is_empty() => Reason::Example,
                Placement::Seed => Reason::Matched {
                    terms: terms
                        .iter()
                        .filter(|t| scores.matched[i].contains(*t))
                        .cloned()
                        .collect(),
                },
            };
            retrieval.tables.push(RetrievedTable {
                table: entry.table.clone(),
                score: scores.score[i],
                reason,
            });
        }
        retrieval.tokens = estimate_tokens(&retrieval.context);
        Ok(retrieval)
    }

    /// Per table: BM25 scaled by the share of the question's terms it
    /// matches (a table matching three of four words beats one matching a
    /// single word in its name), plus docs about it and similar saved
    /// queries that read it, halved for satellites, plus a share of its best
    /// neighbour.
    fn score(&self, terms: &[String]) -> Result<Scores, RetrieveError> {
        let wanted: BTreeSet<String> = terms.iter().cloned().collect();
        let n = self.entries.len();
        let mut score = vec![0.0f32; n];
        let mut matched = vec![BTreeSet::new(); n];
        for (i, s) in self.tables.search(terms)? {
            matched[i] = self.entries[i]
                .terms
                .intersection(&wanted)
                .cloned()
                .collect();
            score[i] = s * matched[i].len() as f32 / terms.len() as f32;
        }

        let hits = self.extra_index.search(terms)?;
        let best_saved = hits
            .iter()
            .find(|(i, _)| self.extras[*i].sql.is_some())
            .map_or(0.0, |&(_, s)| s);
        let mut examples = Vec::new();
        for (i, s) in hits {
            let extra = &self.extras[i];
            let shared: BTreeSet<String> = extra.terms.intersection(&wanted).cloned().collect();
            match &extra.sql {
                None => {
                    for &t in &extra.tables {
                        score[t] += DOC_WEIGHT * s;
                        matched[t].extend(shared.iter().cloned());
                    }
                }
                Some(sql) => {
                    let similar = s >= EXAMPLE_CUTOFF * best_saved
                        && shared.len() >= terms.len().min(2)
                        && examples.len() < MAX_EXAMPLES;
                    if similar {
                        examples.push(Example {
                            question: extra.title.clone(),
                            sql: sql.clone(),
                        });
                        for &t in &extra.tables {
                            score[t] += EXAMPLE_WEIGHT * s;
                        }
                    }
                }
            }
        }

        let text_score = score.clone();
        for (i, s) in score.iter_mut().enumerate() {
            let length = self.entries[i].name_words;
            let explained = self.adjacent[i].iter().any(|&j| {
                let general = self.entries[j].name_words < length
                    || (self.entries[j].name_words == length && self.parents[i].contains(&j));
                general && text_score[j] > 0.0 && matched[i].is_subset(&matched[j])
            });
            if explained {
                *s *= SATELLITE_FACTOR;
            }
        }
        let base = score.clone();
        for (i, s) in score.iter_mut().enumerate() {
            if *s > 0.0 {
                let best = self.adjacent[i]
                    .iter()
                    .map(|&j| base[j])
                    .fold(0.0, f32::max);
                *s += NEIGHBOUR_WEIGHT * best;
            }
        }
        Ok(Scores {
            score,
            matched,
            examples,
        })
    }

    /// The tables to render, in priority order: each seed (best first),
    /// then the tables that join it to the seeds before it, then the tables
    /// the seeds' foreign keys point to (where a name for an id lives).
    fn candidates(&self, scores: &Scores, options: &RetrieveOptions) -> Vec<(usize, Placement)> {
        let score = &scores.score;
        let n = self.entries.len();
        let mut ranked: Vec<usize> = (0..n).filter(|&i| score[i] > 0.0).collect();
        ranked.sort_by(|&a, &b| score[b].total_cmp(&score[a]).then(a.cmp(&b)));
        let top = ranked.first().map_or(0.0, |&i| score[i]);
        let seeds: Vec<usize> = ranked
            .into_iter()
            .take_while(|&i| score[i] >= SEED_CUTOFF * top)
            .take(options.max_seed_tables)
            .collect();

        let mut placed = vec![false; n];
        let mut order = Vec::new();
        for &seed in &seeds {
            let path = if order.is_empty() {
                None
            } else {
                join::shortest_path(&self.adjacent, seed, &placed, options.join_depth, score)
            };
            if !placed[seed] {
                placed[seed] = true;
                order.push((seed, Placement::Seed));
            }
            if let Some(path) = path {
                let reached = path[path.len() - 1];
                for &bridge in &path[1..path.len() - 1] {
                    if !placed[bridge] {
                        placed[bridge] = true;
                        order.push((bridge, Placement::Bridge(seed, reached)));
                    }
                }
            }
        }
        for &seed in &seeds {
            for &parent in &self.parents[seed] {
                if !placed[parent] {
                    placed[parent] = true;
                    order.push((parent, Placement::Bridge(seed, parent)));
                }
            }
        }
        order
    }
}
