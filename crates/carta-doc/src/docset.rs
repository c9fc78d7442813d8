use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

/// Name of the file, kept in the output folder, that lists what Carta wrote
/// there, so later runs remove stale pages and never touch other files.
pub const MANIFEST: &str = ".carta-manifest";

/// Generated files: relative path (with `/`) to contents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocSet {
    files: BTreeMap<String, Vec<u8>>,
}

/// What [`DocSet::write_to`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteReport {
    pub written: Vec<String>,
    pub unchanged: Vec<String>,
    pub removed: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("refusing to write `{0}`: generated paths must be relative and stay inside the output folder")]
    UnsafePath(String),
}

impl DocSet {
    pub fn new() -> Self {
        DocSet::default()
    }

    /// Adds or replaces a file. `path` is relative, with `/` separators.
    pub fn insert(&mut self, path: impl Into<String>, contents: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), contents.into());
    }

    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Writes into `dir` (created if missing): files whose bytes differ are
    /// rewritten, equal ones are left alone (their modification time too),
    /// and files listed in the previous manifest but not produced now are
    /// removed. Files Carta did not write are never touched.
    pub fn write_to(&self, dir: &Path) -> Result<WriteReport, WriteError> {
        for path in self.files.keys() {
            check_relative(path)?;
        }
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| WriteError::Io { path, source }
        };
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let manifest_path = dir.join(MANIFEST);
        let previous = match std::fs::read_to_string(&manifest_path) {
            Ok(text) => text.lines().map(str::to_string).collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(io(&manifest_path)(e)),
        };
        // Each folder once, before the files, rather than once per file.
        let folders: BTreeSet<&str> = self
            .files
            .keys()
            .filter_map(|relative| relative.rsplit_once('/').map(|(folder, _)| folder))
            .collect();
        for folder in folders {
            let path = dir.join(folder);
            std::fs::create_dir_all(&path).map_err(io(&path))?;
        }
        let files: Vec<(&String, &Vec<u8>)> = self.files.iter().collect();
        let outcomes =
            crate::parallel::map(&files, |(relative, contents)| -> Result<bool, WriteError> {
                let path = dir.join(relative);
                if std::fs::read(&path).is_ok_and(|existing| &existing == *contents) {
                    return Ok(false);
                }
                std::fs::write(&path, contents).map_err(io(&path))?;
                Ok(true)
            });
        let mut report = WriteReport::default();
        for ((relative, _), outcome) in files.into_iter().zip(outcomes) {
            if outcome? {
                report.written.push(relative.clone());
            } else {
                report.unchanged.push(relative.clone());
            }
        }
        for stale in previous.iter().filter(|p| !self.files.contains_key(*p)) {
            if check_relative(stale).is_err() {
                continue;
            }
            let path = dir.join(stale);
            match std::fs::remove_file(&path) {
                Ok(()) => report.removed.push(stale.clone()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io(&path)(e)),
            }
        }
        let manifest: String = self.files.keys().map(|p| format!("{p}\n")).collect();
        if std::fs::read_to_string(&manifest_path).ok().as_deref() != Some(manifest.as_str()) {
            std::fs::write(&manifest_path, manifest).map_err(io(&manifest_path))?;
        }
        Ok(report)
    }
}

/// Generated names come from schema objects; a table called `../x` must not escape the folder.
fn check_relative(path: &str) -> Result<(), WriteError> {
    let ok = !path.is_empty()
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
    if ok {
        Ok(())
    } else {
        Err(WriteError::UnsafePath(path.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("carta-docset-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn unchanged_files_are_not_rewritten_and_stale_ones_are_removed() {
        let dir = temp_dir("write");
        let mut docs = DocSet::new();
        docs.insert("README.md", "# db\n");
        docs.insert("tables/a.md", "a\n");
        docs.insert("tables/b.md", "b\n");
        let first = docs.write_to(&dir).unwrap();
        assert_eq!(first.written.len(), 3);
        std::fs::write(dir.join("notes.txt"), "mine").unwrap();

        let mut next = DocSet::new();
        next.insert("README.md", "# db\n");
        next.insert("tables/a.md", "a, changed\n");
        let second = next.write_to(&dir).unwrap();
        assert_eq!(second.unchanged, ["README.md"]);
        assert_eq!(second.written, ["tables/a.md"]);
        assert_eq!(second.removed, ["tables/b.md"]);
        assert!(!dir.join("tables/b.md").exists());
        assert_eq!(
            std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
            "mine"
        );

        let third = next.write_to(&dir).unwrap();
        assert!(third.written.is_empty() && third.removed.is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn paths_that_escape_the_folder_are_refused_before_anything_is_written() {
        let dir = temp_dir("escape");
        let mut docs = DocSet::new();
        docs.insert("ok.md", "x");
        docs.insert("../evil.md", "x");
        assert!(matches!(
            docs.write_to(&dir),
            Err(WriteError::UnsafePath(_))
        ));
        assert!(!dir.join("ok.md").exists());
    }
}
