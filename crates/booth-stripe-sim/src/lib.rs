//! A Stripe-compatible simulator for Booth: Checkout Sessions with a hosted
//! payment page (with Stripe Tax, tax ID collection and post-payment invoices),
//! PaymentIntents/Charges/Refunds/Disputes, coupons, tax codes, Events and signed
//! webhooks — close enough to Stripe's wire format that the unmodified
//! async-stripe client works against it.

// The Checkout Session literal has more fields than json!'s default recursion allows.
#![recursion_limit = "256"]

mod api;
mod auth;
mod card;
mod discount;
mod form;
mod host;
mod invoice;
mod invoice_doc;
mod objects;
mod page;
mod page_buyer;
mod page_view;
mod payment;
mod session_tax;
mod state;
mod tax;
mod tax_id;
mod webhooks;
mod wire;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::{Buf, BufMut};
use futures_util::{Stream, StreamExt};
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;
use warp::http::{HeaderMap, Method, Response};
use warp::Filter;

pub use state::API_VERSION;

/// Request bodies above this are refused with 413.
const BODY_LIMIT: usize = 64 * 1024;

#[derive(Clone, Debug)]
pub struct SimConfig {
    /// `127.0.0.1:0` picks any free port.
    pub listen: SocketAddr,
    /// JSON snapshot of all state, rewritten after each mutation and loaded on start.
    pub state_path: Option<PathBuf>,
    /// First webhook retry delay; doubles on each further attempt.
    pub webhook_retry_base: Duration,
    pub webhook_max_attempts: u32,
    /// Base for hosted checkout URLs (`session.url`); defaults to the listen address.
    /// Requests addressed to its host:port are accepted besides loopback ones.
    pub public_url: Option<String>,
    /// The one API key accepted (`sk_test_` + at least 16 letters, digits or _). None: a
    /// fresh random one each start; `Simulator::secret_key` tells it.
    pub secret_key: Option<String>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            state_path: None,
            webhook_retry_base: Duration::from_secs(1),
            webhook_max_attempts: 8,
            public_url: None,
            secret_key: None,
        }
    }
}

/// What the HTTP handlers and the webhook worker share.
pub(crate) struct Shared {
    state: Mutex<state::State>,
    state_path: Option<PathBuf>,
    pub public_url: String,
    /// The only key the API accepts.
    pub secret_key: String,
    /// Which Host headers are ours.
    hosts: host::Hosts,
    pub retry_base: Duration,
    pub max_attempts: u32,
    pub notify: Notify,
}

impl Shared {
    pub fn lock(&self) -> MutexGuard<'_, state::State> {
        // A panic elsewhere must not wedge the simulator; the state stays usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Persists the snapshot and wakes the webhook worker after a mutation.
    pub fn commit(&self, st: &state::State) {
        if let Some(p) = &self.state_path {
            st.save(p);
        }
        self.notify.notify_one();
    }
}

pub struct Simulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    server: JoinHandle<()>,
    worker: JoinHandle<()>,
}

impl Simulator {
    /// Binds, loads any saved state, and spawns the HTTP server and webhook worker.
    pub async fn start(config: SimConfig) -> anyhow::Result<Simulator> {
        let secret_key = match config.secret_key.clone() {
            Some(k) => {
                auth::validate_key(&k).map_err(anyhow::Error::msg)?;
                k
            }
            None => auth::generate_key(),
        };
        let listener = tokio::net::TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let st = match &config.state_path {
            Some(p) => state::State::load(p)?,
            None => state::State::default(),
        };
        let public_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{addr}"))
            .trim_end_matches('/')
            .to_string();
        let shared = Arc::new(Shared {
            state: Mutex::new(st),
            state_path: config.state_path.clone(),
            hosts: host::Hosts::new(addr.port(), &public_url),
            public_url,
            secret_key,
            retry_base: config.webhook_retry_base,
            max_attempts: config.webhook_max_attempts,
            notify: Notify::new(),
        });
        let (stop, stop_rx) = watch::channel(false);

        let s = shared.clone();
        let filter = warp::method()
            // None when missing, unparsable, or in conflict with the URI's authority.
            .and(warp::host::optional().or(warp::any().map(|| None)).unify())
            .and(warp::path::full())
            .and(warp::query::raw().or(warp::any().map(String::new)).unify())
            .and(warp::header::headers_cloned())
            .and(warp::body::stream())
            .then(
                move |method: Method,
                      host: Option<warp::host::Authority>,
                      path: warp::path::FullPath,
                      query: String,
                      headers: HeaderMap,
                      body| {
                    let s = s.clone();
                    async move {
                        if !s.hosts.allows(host.as_ref()) {
                            return to_http(misdirected(&s, path.as_str()));
                        }
                        serve(s, method, path.as_str().to_string(), query, headers, body).await
                    }
                },
            );
        let mut srv_stop = stop_rx.clone();
        let server = tokio::spawn(
            warp::serve(filter)
                .incoming(listener)
                .graceful(async move {
                    let _ = srv_stop.changed().await;
                })
                .run(),
        );
        let worker = tokio::spawn(webhooks::run(shared.clone(), stop_rx));
        tracing::info!("stripe simulator listening on http://{addr}");
        Ok(Simulator {
            addr,
            shared,
            stop,
            server,
            worker,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT/` — the value for `stripe::ClientBuilder::url`.
    pub fn base_url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The one API key this simulator accepts (given in `SimConfig`, or generated).
    pub fn secret_key(&self) -> &str {
        &self.shared.secret_key
    }

    /// Stops serving and delivering; the state file (if any) is already up to date.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let Simulator {
            mut server,
            mut worker,
            shared,
            ..
        } = self;
        if tokio::time::timeout(Duration::from_secs(2), &mut server)
            .await
            .is_err()
        {
            server.abort();
        }
        if tokio::time::timeout(Duration::from_secs(2), &mut worker)
            .await
            .is_err()
        {
            worker.abort();
        }
        let st = shared.lock();
        if let Some(p) = &shared.state_path {
            st.save(p);
        }
    }
}

async fn read_body<S, B>(headers: &HeaderMap, body: S) -> Result<bytes::Bytes, u16>
where
    S: Stream<Item = Result<B, warp::Error>>,
    B: Buf,
{
    let declared = headers
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT) {
        return Err(413);
    }
    let mut buf = Vec::new();
    let mut body = std::pin::pin!(body);
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|_| 400u16)?;
        if buf.len() + chunk.remaining() > BODY_LIMIT {
            return Err(413);
        }
        buf.put(chunk);
    }
    Ok(buf.into())
}

async fn serve<S, B>(
    shared: Arc<Shared>,
    method: Method,
    path: String,
    query: String,
    headers: HeaderMap,
    body: S,
) -> Response<String>
where
    S: Stream<Item = Result<B, warp::Error>>,
    B: Buf,
{
    let is_api = path == "/v1" || path.starts_with("/v1/");
    let body = match read_body(&headers, body).await {
        Ok(b) => b,
        Err(status) => {
            let msg = if status == 413 {
                "Request body too large: the maximum is 64 KiB."
            } else {
                "Invalid request: the request body could not be read."
            };
            let resp = if is_api {
                api::ApiError {
                    status,
                    ..api::ApiError::invalid(msg, None)
                }
                .resp()
            } else {
                api::Resp::html(status, page::esc(msg))
            };
            return to_http(resp);
        }
    };
    let resp = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
        if is_api {
            return api::handle(
                &shared,
                api::Req {
                    method: method.clone(),
                    path: path.clone(),
                    query: query.clone(),
                    headers: headers.clone(),
                    body: body.clone(),
                },
            );
        }
        match (&method, segs.as_slice()) {
            (&Method::GET, ["c", "pay", id]) => page::get_pay(&shared, id, &query),
            (&Method::POST, ["c", "pay", id]) => page::post_pay(&shared, id, &body),
            (&Method::GET, ["i", token]) => invoice_doc::page(&shared, token),
            (&Method::GET, ["i", token, "pdf"]) => invoice_doc::pdf(&shared, token),
            (&Method::GET, [""]) => page::index(&shared),
            _ => api::Resp::html(
                404,
                "<!doctype html><title>Not found</title><h1>Not found</h1>".into(),
            ),
        }
    }));
    let resp = resp.unwrap_or_else(|_| {
        let err = serde_json::json!({ "error": { "type": "api_error", "message": "An unexpected error occurred in the simulator." } });
        api::Resp::json(500, &err)
    });
    to_http(resp)
}

/// The answer to a request whose Host isn't ours: 421 Misdirected Request, in Stripe's
/// error shape on the API and as a short page elsewhere.
fn misdirected(shared: &Shared, path: &str) -> api::Resp {
    let msg = format!(
        "Misdirected request: this Stripe simulator answers only requests addressed to {}.",
        shared.hosts.describe()
    );
    if path == "/v1" || path.starts_with("/v1/") {
        api::ApiError {
            status: 421,
            ..api::ApiError::invalid(msg, None)
        }
        .resp()
    } else {
        let body = format!(
            "<!doctype html><title>Misdirected request</title><h1>Misdirected request</h1><p>{}</p>",
            page::esc(&msg)
        );
        api::Resp::html(421, body)
    }
}

fn to_http(resp: api::Resp) -> Response<String> {
    let mut b = Response::builder().status(resp.status);
    for (k, v) in resp.headers {
        b = b.header(k, v);
    }
    b.body(resp.body).unwrap_or_else(|_| {
        let mut r = Response::new(String::from(
            "{\"error\":{\"type\":\"api_error\",\"message\":\"invalid response header\"}}",
        ));
        *r.status_mut() = warp::http::StatusCode::INTERNAL_SERVER_ERROR;
        r
    })
}
