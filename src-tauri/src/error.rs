//! Errors as the window sees them: `{code, message, field?}`, with the core's stable codes.
//! A form's `validate_…` command answers its mistakes as a list of these.

use booth_core::error::Problems;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct CmdError {
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
}

impl CmdError {
    pub fn new(code: &'static str, message: impl Into<String>) -> CmdError {
        CmdError {
            code,
            message: message.into(),
            field: None,
        }
    }

    pub fn invalid(field: &'static str, message: impl Into<String>) -> CmdError {
        CmdError {
            code: "invalid_input",
            message: message.into(),
            field: Some(field),
        }
    }
}

impl From<booth_core::Error> for CmdError {
    fn from(e: booth_core::Error) -> CmdError {
        match e {
            // The field goes separately, so the message reads well next to it.
            booth_core::Error::Invalid { field, message } => CmdError::invalid(field, message),
            other => CmdError::new(other.code(), other.to_string()),
        }
    }
}

impl From<std::io::Error> for CmdError {
    fn from(e: std::io::Error) -> CmdError {
        CmdError::new("file", e.to_string())
    }
}

impl From<tauri::Error> for CmdError {
    fn from(e: tauri::Error) -> CmdError {
        CmdError::new("internal", e.to_string())
    }
}

pub type CmdResult<T> = Result<T, CmdError>;

/// A form's mistakes, each beside its field; empty when the form is fine.
pub type Mistakes = Vec<CmdError>;

/// Every mistake a form's `check` found (nothing when it passed).
pub fn mistakes<T>(checked: Result<T, Problems>) -> Mistakes {
    checked.err().map(all).unwrap_or_default()
}

/// The mistakes a form's checks kept.
pub fn all(problems: Problems) -> Mistakes {
    problems
        .into_vec()
        .into_iter()
        .map(CmdError::from)
        .collect()
}

/// The mistake of a one-field form (nothing when it passed).
pub fn mistake<T>(checked: booth_core::Result<T>) -> Mistakes {
    checked.err().map(CmdError::from).into_iter().collect()
}
