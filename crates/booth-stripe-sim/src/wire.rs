//! Stripe's wire shapes as the simulator speaks them: a request, a response, and Stripe's
//! error body (`{"error": {"type", "message", "param", "code", "doc_url"}}`).

use serde_json::{json, Map, Value};
use warp::http::{HeaderMap, Method};

pub struct Req {
    pub method: Method,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    pub body: bytes::Bytes,
}

pub struct Resp {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl Resp {
    pub fn json(status: u16, v: &Value) -> Resp {
        let body = serde_json::to_string_pretty(v).unwrap_or_default();
        Resp {
            status,
            headers: vec![("content-type", "application/json".into())],
            body,
        }
    }
    pub fn html(status: u16, body: String) -> Resp {
        Resp {
            status,
            headers: vec![("content-type", "text/html; charset=utf-8".into())],
            body,
        }
    }
}

#[derive(Debug)]
pub struct ApiError {
    pub status: u16,
    pub kind: &'static str,
    pub message: String,
    pub param: Option<String>,
    pub code: Option<&'static str>,
}

impl ApiError {
    pub fn invalid(message: impl Into<String>, param: Option<&str>) -> ApiError {
        ApiError {
            status: 400,
            kind: "invalid_request_error",
            message: message.into(),
            param: param.map(String::from),
            code: None,
        }
    }
    pub(crate) fn code(mut self, code: &'static str) -> ApiError {
        self.code = Some(code);
        self
    }
    pub(crate) fn missing(param: &str) -> ApiError {
        ApiError::invalid(format!("Missing required param: {param}."), Some(param))
            .code("parameter_missing")
    }
    /// Missing object named in the URL → 404; named in a parameter → 400 (as Stripe does).
    pub(crate) fn no_such(kind: &str, id: &str, param: &str, status: u16) -> ApiError {
        ApiError {
            status,
            ..ApiError::invalid(format!("No such {kind}: '{id}'"), Some(param))
                .code("resource_missing")
        }
    }
    pub fn body(&self) -> Value {
        let mut e = Map::new();
        if let Some(c) = self.code {
            e.insert("code".into(), json!(c));
            e.insert(
                "doc_url".into(),
                json!(format!(
                    "https://stripe.com/docs/error-codes/{}",
                    c.replace('_', "-")
                )),
            );
        }
        e.insert("message".into(), json!(self.message));
        if let Some(p) = &self.param {
            e.insert("param".into(), json!(p));
        }
        e.insert("type".into(), json!(self.kind));
        json!({ "error": e })
    }
    pub fn resp(&self) -> Resp {
        Resp::json(self.status, &self.body())
    }
}
