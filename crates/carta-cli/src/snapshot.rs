//! `carta snapshot`: save a source's Catalog as JSON, the file a project
//! commits so that `carta diff schema.json postgres://...` can detect drift.
//! The file is replaced atomically: a failed run never leaves half a snapshot.

use anyhow::Context as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// postgres://..., mysql://..., sqlite://FILE, a .db file, a .sql file or folder, or a Catalog .json.
    source: String,
    /// Write the Catalog to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    read: crate::source::ReadArgs,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let ingested = args.read.read(&args.source).await?;
    let json = ingested.catalog.to_json();
    match &args.output {
        None => print!("{json}"),
        Some(path) => {
            write_atomically(path, json.as_bytes())
                .with_context(|| format!("writing {}", path.display()))?;
            eprintln!(
                "{}: {} ({} tables)",
                path.display(),
                ingested.catalog.fingerprint,
                ingested.catalog.tables().count()
            );
        }
    }
    Ok(())
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over
/// `path`, so readers see the old file or the new one, never a torn one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "snapshot".into(), |n| n.to_string_lossy().into_owned());
    let temporary = dir.join(format!(".{name}.carta-{}.tmp", std::process::id()));
    let written = std::fs::File::create(&temporary).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    match written.and_then(|()| std::fs::rename(&temporary, path)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&temporary);
            Err(e)
        }
    }
}
