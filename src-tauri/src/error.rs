//! Errors as the window sees them: `{code, message, field?}`, with the core's stable codes.

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
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
