//! One error type for the core. Every variant has a stable `code` so adapters (HTTP, CLI,
//! the desktop UI) can show it in words without parsing messages.

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("payment provider: {0}")]
    Payment(String),
    #[error("mail: {0}")]
    Mail(String),
    #[error("database: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("file: {0}")]
    Io(#[from] std::io::Error),
    /// The seller's bucket (object storage) refused or couldn't be reached.
    #[error("storage: {0}")]
    Storage(String),
    #[error("{0}")]
    Internal(String),
}

impl Error {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Error::Invalid {
            field,
            message: message.into(),
        }
    }

    /// A stable, machine-readable code, e.g. for `{code, message}` in the UI.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Invalid { .. } => "invalid_input",
            Error::NotFound(_) => "not_found",
            Error::Conflict(_) => "conflict",
            Error::Payment(_) => "payment_provider",
            Error::Mail(_) => "mail",
            Error::Db(_) => "database",
            Error::Io(_) => "file",
            Error::Storage(_) => "storage",
            Error::Internal(_) => "internal",
        }
    }
}

impl From<rusqlite_migration::Error> for Error {
    fn from(e: rusqlite_migration::Error) -> Self {
        Error::Internal(format!("database migration failed: {e}"))
    }
}

impl From<minijinja::Error> for Error {
    fn from(e: minijinja::Error) -> Self {
        Error::Internal(format!("template: {e:#}"))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every mistake in one form, each naming its field, so a window can show them all beside
/// their fields at once. A form's `check` collects them; its `parse` reports the first.
#[derive(Debug, Default)]
pub struct Problems(Vec<Error>);

impl Problems {
    /// The checked value, or None with its mistake kept.
    pub fn take<T>(&mut self, checked: Result<T>) -> Option<T> {
        checked.map_err(|e| self.0.push(e)).ok()
    }

    /// The form's value when nothing was wrong. `build` gets every field's value with `?`:
    /// with no mistake kept, each one is there.
    pub fn finish<T>(self, build: impl FnOnce() -> Option<T>) -> Result<T, Problems> {
        match self.0.is_empty() {
            true => Ok(build().expect("every field checked without a mistake has a value")),
            false => Err(self),
        }
    }

    /// The first mistake, what `parse` reports.
    pub fn first(self) -> Error {
        self.0
            .into_iter()
            .next()
            .expect("a form refused without a mistake")
    }

    pub fn into_vec(self) -> Vec<Error> {
        self.0
    }
}
