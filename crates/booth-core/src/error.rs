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
