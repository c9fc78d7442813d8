//! `carta doc`: read a schema, apply `carta.toml`, render Markdown or HTML,
//! and write only what changed into the output folder.

use anyhow::Context as _;
use carta_config::{Config, DocFormat};
use carta_doc::templates::Overrides;
use carta_doc::{html, markdown, DocSet};
use carta_erd::ErdOptions;
use clap::ValueEnum;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// postgres://..., mysql://..., sqlite://FILE, a .db file, a .sql file or folder, or a Catalog .json.
    source: String,
    /// Output folder; created if missing. Files Carta did not write there are left alone.
    #[arg(short, long, value_name = "DIR")]
    output: PathBuf,
    /// Output format [default: markdown, or `[doc] format` in carta.toml].
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Markdown: one document for the whole database instead of a page per object.
    #[arg(long)]
    single_page: bool,
    /// Folder of templates replacing built-in ones with the same file name.
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    #[command(flatten)]
    config: crate::config::ConfigArg,
    #[command(flatten)]
    read: crate::source::ReadArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    Markdown,
    Html,
}

/// Markdown template names end with this; other files in a template
/// folder belong to the HTML site.
const MARKDOWN_TEMPLATE_SUFFIX: &str = markdown::TEMPLATE_SUFFIX;

pub async fn run(args: Args) -> anyhow::Result<()> {
    let config = args.config.load()?;
    let mut ingested = args.read.read(&args.source).await?;
    let relations = crate::config::prepare(&mut ingested.catalog, &config)?;
    let docs = render(&args, &config, &ingested.catalog, &relations)?;
    let report = docs
        .write_to(&args.output)
        .with_context(|| format!("writing documentation to {}", args.output.display()))?;
    eprintln!(
        "{}: {} files written, {} unchanged, {} removed",
        args.output.display(),
        report.written.len(),
        report.unchanged.len(),
        report.removed.len()
    );
    Ok(())
}

/// Renders in the chosen format; a flag wins over `[doc]` in carta.toml.
fn render(
    args: &Args,
    config: &Config,
    catalog: &carta_catalog::Catalog,
    relations: &carta_catalog::RelationGraph,
) -> anyhow::Result<DocSet> {
    let doc = &config.doc;
    let format = args.format.unwrap_or(match doc.format {
        Some(DocFormat::Html) => FormatArg::Html,
        Some(DocFormat::Markdown) | None => FormatArg::Markdown,
    });
    let single_page = args.single_page || doc.single_page.unwrap_or(false);
    let templates = match args.templates.as_deref().or(doc.templates.as_deref()) {
        Some(dir) => read_templates(dir)?,
        None => Overrides::default(),
    };
    let keys_only = doc.erd_keys_only.unwrap_or(false);
    let distance = doc.erd_distance.unwrap_or(1);
    let docs = match format {
        FormatArg::Markdown => markdown::render(
            catalog,
            relations,
            &markdown::MarkdownOptions {
                single_page,
                neighbourhood_distance: distance,
                keys_only,
                templates,
                ..markdown::MarkdownOptions::default()
            },
        )?,
        FormatArg::Html => {
            if args.single_page {
                anyhow::bail!("--single-page applies to Markdown only; the HTML site is always a folder of pages");
            }
            let templates = templates
                .iter()
                .filter(|(name, _)| !name.ends_with(MARKDOWN_TEMPLATE_SUFFIX))
                .map(|(name, file)| (name.to_string(), file.source.clone()))
                .collect();
            html::render(
                catalog,
                relations,
                &html::HtmlOptions {
                    neighbourhood_distance: distance,
                    erd: ErdOptions { keys_only },
                    templates,
                    ..html::HtmlOptions::default()
                },
            )?
        }
    };
    Ok(docs)
}

fn read_templates(dir: &Path) -> anyhow::Result<Overrides> {
    Overrides::read_dir(dir).with_context(|| format!("reading templates from {}", dir.display()))
}
