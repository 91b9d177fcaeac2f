//! The accept loop. warp's own server has no timeouts, so a client that sends its headers
//! a byte at a time, or stops reading a download, would hold a connection (and a file) for
//! ever, and a stop would wait for it. Here each connection is served by hyper's HTTP/1
//! with a header deadline, a deadline for the whole request (body and answer; a body sent
//! a byte every few seconds never trips an inactivity timer), an I/O inactivity deadline,
//! and a cap on how many are served at once that slow clients can't fill for everyone
//! (slots.rs); a stop waits `shutdown_grace` for requests in flight, then lets go.

use crate::deadline::Deadline;
use crate::slots::{Busy, Slots};
use crate::ServerConfig;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tower_service::Service;

const MAX_HEADER_BYTES: usize = 64 * 1024;

/// The connection's peer, for `client_ip` (warp's own remote-address slot is private).
#[derive(Debug, Clone, Copy)]
pub struct PeerAddr(pub SocketAddr);

/// Serves `service` (warp's filters, as `warp::service` makes them) on `listener`.
pub async fn serve<S, B>(
    service: S,
    listener: tokio::net::TcpListener,
    config: ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) where
    S: Service<hyper::Request<hyper::body::Incoming>, Response = hyper::Response<B>>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: hyper::body::Body + From<&'static str> + Unpin + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let slots = Slots::new(config.max_connections);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors, most likely: wait for some to close.
                    tracing::error!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let Some(slot) = slots.admit() else {
            tracing::warn!(%peer, "every connection is busy answering; closing this one");
            continue;
        };
        let _ = stream.set_nodelay(true);
        let svc = service.clone();
        let (slots_here, slot_here) = (slots.clone(), slot.clone());
        let request_timeout = config.request_timeout;
        let hyper_svc = hyper::service::service_fn(move |mut req| {
            req.extensions_mut().insert(PeerAddr(peer));
            let busy = slots_here.busy(&slot_here);
            let body = has_body(&req);
            // warp's service is always ready and cheap to clone.
            let answer = svc.clone().call(req);
            async move {
                // Only a request with a body gets a timer: a body is what a client can
                // dribble in. (A download's GET doesn't pay for one: a timer per request
                // takes the timer wheel's lock, measured before on small downloads.)
                let res = if body {
                    match tokio::time::timeout(request_timeout, answer).await {
                        Ok(res) => res?,
                        Err(_) => timed_out(),
                    }
                } else {
                    answer.await?
                };
                // The connection counts as busy until the body is sent (or dropped).
                Ok::<_, S::Error>(res.map(|body| Guarded { body, _busy: busy }))
            }
        });
        let io = TokioIo::new(Deadline::new(stream, config.io_timeout));
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(config.header_timeout)
            // hyper would buffer ~400 KB of headers per connection; buyers' browsers send
            // a few KB (nginx allows 32 KB). Beyond this: 431.
            .max_buf_size(MAX_HEADER_BYTES)
            .serve_connection(io, hyper_svc);
        let conn = graceful.watch(conn);
        let slots = slots.clone();
        tokio::spawn(async move {
            tokio::select! {
                r = conn => if let Err(e) = r {
                    tracing::debug!(%peer, error = %e, "connection ended");
                },
                // Dropping the connection closes it.
                _ = slot.taken_over() => {
                    tracing::debug!(%peer, "idle connection closed for a newcomer");
                }
            }
            slots.release(&slot);
        });
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(config.shutdown_grace) => {
            tracing::warn!("connections still open after {:?}; closing them", config.shutdown_grace);
        }
    }
}

/// Does the request come with a body (which the client could send slowly)?
fn has_body<B>(req: &hyper::Request<B>) -> bool {
    let h = req.headers();
    h.contains_key(hyper::header::TRANSFER_ENCODING)
        || h.get(hyper::header::CONTENT_LENGTH)
            .is_some_and(|v| v.as_bytes() != b"0")
}

/// The answer to a request that took longer than `request_timeout` (its body, or the
/// shop's answer to it); the connection is closed after it.
fn timed_out<B: From<&'static str>>() -> hyper::Response<B> {
    let mut res = hyper::Response::new(B::from("The request took too long. Please try again.\n"));
    *res.status_mut() = hyper::StatusCode::REQUEST_TIMEOUT;
    let h = res.headers_mut();
    h.insert(
        hyper::header::CONNECTION,
        hyper::header::HeaderValue::from_static("close"),
    );
    h.insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    res
}

/// A response body that keeps its connection's slot busy until it is sent or dropped.
struct Guarded<B> {
    body: B,
    _busy: Busy,
}

impl<B: hyper::body::Body + Unpin> hyper::body::Body for Guarded<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.body.size_hint()
    }
}
