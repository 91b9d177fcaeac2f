//! Templates (minijinja) that ship embedded in the binary and that a seller can override by
//! putting a file of the same name in `<data dir>/templates/`.

use crate::error::Result;
use minijinja::Environment;
use serde::Serialize;
use std::path::{Path, PathBuf};

pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// `embedded` pairs a template name with its built-in source.
    pub fn new(
        embedded: &'static [(&'static str, &'static str)],
        override_dir: Option<PathBuf>,
    ) -> Templates {
        let mut env = Environment::new();
        env.set_loader(move |name: &str| {
            // Names come from our own code, but never let one climb out of the folder.
            if name.contains("..") || name.starts_with('/') || name.contains('\\') {
                return Ok(None);
            }
            if let Some(dir) = &override_dir {
                match std::fs::read_to_string(dir.join(name)) {
                    Ok(src) => return Ok(Some(src)),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => {
                        return Err(minijinja::Error::new(
                            minijinja::ErrorKind::InvalidOperation,
                            format!("can't read template override {name}: {e}"),
                        ))
                    }
                }
            }
            Ok(embedded
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, src)| src.to_string()))
        });
        Templates { env }
    }

    pub fn render(&self, name: &str, ctx: impl Serialize) -> Result<String> {
        Ok(self.env.get_template(name)?.render(ctx)?)
    }
}

/// Each built-in template's name, and whether `dir` overrides it.
pub fn list(embedded: &[(&str, &str)], dir: &Path) -> Vec<(String, bool)> {
    embedded
        .iter()
        .map(|(name, _)| (name.to_string(), dir.join(name).is_file()))
        .collect()
}

/// Writes the built-in `name` into `dir` for the seller to edit (an existing override is
/// left as it is) and returns its path.
pub fn customize(embedded: &[(&str, &str)], dir: &Path, name: &str) -> crate::Result<PathBuf> {
    let (_, src) = embedded.iter().find(|(n, _)| *n == name).ok_or_else(|| {
        crate::Error::NotFound(format!("there is no built-in template called '{name}'"))
    })?;
    crate::owner_only::create_dir(dir)?;
    let path = dir.join(name);
    if !path.exists() {
        crate::owner_only::write(&path, src.as_bytes())?;
    }
    Ok(path)
}
