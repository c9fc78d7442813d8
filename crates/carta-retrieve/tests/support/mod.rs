//! What the recall test and the recall benchmark share: the seed systems and
//! the synthetic schema as Catalogs with their relation graphs, the
//! question -> expected tables pairs of `tests/questions.toml`, scoring, and
//! the table-name keyword baseline.

pub mod synthetic;

use carta_catalog::{Catalog, RelationGraph};
use carta_ingest::{ingest, Source};
use carta_retrieve::{Retrieval, TableRef};
use carta_source::{DdlFile, IngestOptions};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A database users ask questions about.
pub struct System {
    pub name: String,
    pub catalog: Catalog,
    pub graph: RelationGraph,
}

impl System {
    fn new(name: &str, mut catalog: Catalog) -> System {
        let graph = carta_config::Config::default()
            .apply(&mut catalog)
            .expect("the default configuration applies to any Catalog");
        System {
            name: name.to_string(),
            catalog,
            graph,
        }
    }
}

/// The system name a synthetic-schema question names in `questions.toml`.
pub const SYNTHETIC: &str = "synthetic";

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The five seed systems (`examples/seeds/NNN_name.sql`), read as DDL files
/// through carta-ingest, named by their file's name without number.
pub fn seeds() -> Vec<System> {
    let dir = crate_dir().join("../../examples/seeds");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("readable seed folder").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a Tokio runtime");
    files
        .iter()
        .map(|path| {
            let source = Source::parse(path.to_str().expect("UTF-8 path"), None)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let ingested = runtime
                .block_on(ingest(&source, &IngestOptions::default()))
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            System::new(&seed_name(path), ingested.catalog)
        })
        .collect()
}

fn seed_name(path: &Path) -> String {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    stem.split_once('_')
        .map_or(stem, |(_, name)| name)
        .to_string()
}

/// A system read from PostgreSQL DDL text.
pub fn from_ddl(name: &str, text: &str) -> System {
    let file = DdlFile {
        path: PathBuf::from(format!("{name}.sql")),
        text: text.to_string(),
    };
    let ingested = carta_postgres::ingest_ddl(&[file], &IngestOptions::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    System::new(name, ingested.catalog)
}

/// The 1,000-table synthetic schema.
pub fn synthetic() -> System {
    from_ddl(SYNTHETIC, &synthetic::ddl())
}

#[derive(Deserialize)]
struct Questions {
    question: Vec<Case>,
}

/// One question and the tables its SQL needs.
#[derive(Deserialize)]
pub struct Case {
    pub system: String,
    pub question: String,
    /// `schema.table`.
    pub tables: Vec<String>,
    /// Written after the scoring was settled, so recall on these is not tuned.
    #[serde(default)]
    pub held_out: bool,
}

impl Case {
    pub fn expected(&self) -> BTreeSet<TableRef> {
        self.tables
            .iter()
            .map(|t| {
                let (schema, name) = t.split_once('.').expect("tables are schema.table");
                TableRef::new(schema, name)
            })
            .collect()
    }
}

pub fn cases() -> Vec<Case> {
    let path = crate_dir().join("tests/questions.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    toml::from_str::<Questions>(&text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .question
}

/// The expected tables of `case` missing from `found`.
pub fn misses(case: &Case, found: &BTreeSet<TableRef>) -> Vec<TableRef> {
    case.expected().difference(found).cloned().collect()
}

pub fn found(retrieval: &Retrieval) -> BTreeSet<TableRef> {
    retrieval.tables.iter().map(|t| t.table.clone()).collect()
}

/// What simple tools do: a table is picked when a word of its name, with a
/// trailing "s" dropped, is a word of the question, with the same done to it.
pub fn baseline(catalog: &Catalog, question: &str) -> BTreeSet<TableRef> {
    let singular = |w: &str| w.strip_suffix('s').unwrap_or(w).to_string();
    let asked: BTreeSet<String> = question
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| singular(&w.to_lowercase()))
        .collect();
    catalog
        .tables()
        .filter(|(_, t)| {
            t.name
                .split('_')
                .any(|w| asked.contains(&singular(&w.to_lowercase())))
        })
        .map(|(s, t)| TableRef::new(&s.name, &t.name))
        .collect()
}
