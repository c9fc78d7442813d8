//! Draws the whole-database diagram of PostgreSQL DDL files as SVG, and
//! says how long selection, layout and drawing took.
//!
//!     cargo run -p carta-erd --example render -- OUT_DIR [--keys-only] FILE.sql...
//!
//! Each file gives `OUT_DIR/erd-NAME.svg`, NAME being the file name without
//! its numeric prefix (`000_orko.sql` gives `erd-orko.svg`).

use carta_erd::{Diagram, ErdOptions};
use carta_source::{DdlFile, IngestOptions};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(
        args.next()
            .ok_or("usage: render OUT_DIR [--keys-only] FILE.sql...")?,
    );
    let mut options = ErdOptions::default();
    for arg in args {
        if arg == "--keys-only" {
            options.keys_only = true;
            continue;
        }
        let path = PathBuf::from(&arg);
        let text = std::fs::read_to_string(&path)?;
        let ingested = carta_postgres::ingest_ddl(
            &[DdlFile {
                path: path.clone(),
                text,
            }],
            &IngestOptions::default(),
        )?;
        let catalog = ingested.catalog;
        let relations = catalog.relations();
        let started = Instant::now();
        let diagram = Diagram::whole(&catalog, &relations, &options);
        let selected = started.elapsed();
        let svg = diagram.to_svg(&|_| None);
        let total = started.elapsed();
        let target = out.join(format!("erd-{}.svg", name(&path)));
        std::fs::write(&target, &svg)?;
        println!(
            "{}: {} tables, {} relations; selection {:.1} ms, layout and SVG {:.1} ms, {} bytes",
            target.display(),
            diagram.tables.len(),
            diagram.edges.len(),
            selected.as_secs_f64() * 1e3,
            (total - selected).as_secs_f64() * 1e3,
            svg.len()
        );
    }
    Ok(())
}

fn name(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    stem.trim_start_matches(|c: char| c.is_ascii_digit() || c == '_')
        .to_string()
}
