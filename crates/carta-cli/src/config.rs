//! Finding `carta.toml` and applying it: `--config FILE` when given, else
//! `./carta.toml` when the current folder has one, else the defaults.
//! Every command that reads a schema for documentation calls [`load`] once
//! and [`prepare`] on the Catalog it read.

use carta_catalog::{Catalog, RelationGraph};
use carta_config::Config;
use std::path::{Path, PathBuf};

/// The `--config FILE` flag, shared by the commands that read `carta.toml`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ConfigArg {
    /// Read this file instead of ./carta.toml.
    #[arg(long = "config", value_name = "FILE")]
    pub path: Option<PathBuf>,
}

impl ConfigArg {
    pub fn load(&self) -> anyhow::Result<Config> {
        load(self.path.as_deref())
    }
}

/// The configuration in force: the explicit file (which must exist), else
/// `./carta.toml` if there is one, else [`Config::default`].
pub fn load(explicit: Option<&Path>) -> anyhow::Result<Config> {
    let implicit = Path::new(carta_config::FILE_NAME);
    let path = match explicit {
        Some(path) => path,
        None if implicit.is_file() => implicit,
        None => return Ok(Config::default()),
    };
    Ok(Config::load(path)?)
}

/// Applies comment overrides and include/exclude to `catalog`, and returns
/// the relation graph (foreign keys plus virtual relations) to document.
pub fn prepare(catalog: &mut Catalog, config: &Config) -> anyhow::Result<RelationGraph> {
    Ok(config.apply(catalog)?)
}
