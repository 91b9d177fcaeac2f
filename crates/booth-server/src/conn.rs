//! The accept loop. warp's own server has no timeouts, so a client that sends its headers
//! a byte at a time, or stops reading a download, would hold a connection (and a file) for
//! ever, and a stop would wait for it. Here each connection is served by hyper's HTTP/1
//! with a header deadline, a deadline for the whole request (body and answer; a body sent
//! a byte every few seconds never trips an inactivity timer), an I/O inactivity deadline,
//! and a cap on how many are served at once that slow clients can't fill for everyone
//! (slots.rs); a stop waits `shutdown_grace` for requests in flight, then lets go.

use crate::slots::{Busy, Slots};
use crate::ServerConfig;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};
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
            // Also how long an idle keep-alive connection waits for its next request, so
            // it is never longer than the I/O deadline: in a loaded test run an idle
            // connection once outlived `Deadline` (io_timeout 1 s) to this timer's 10 s.
            .header_read_timeout(config.header_timeout.min(config.io_timeout))
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

/// A TCP stream that fails once the connection has made no progress, in either
/// direction, for `limit`. Either direction counts: while a long download is being sent,
/// the read side waits for a next request the whole time, and must not time out.
struct Deadline {
    stream: TcpStream,
    limit: Duration,
    /// When a read or write last got anywhere.
    last: Instant,
    read: Option<Pin<Box<Sleep>>>,
    write: Option<Pin<Box<Sleep>>>,
}

impl Deadline {
    fn new(stream: TcpStream, limit: Duration) -> Deadline {
        Deadline {
            stream,
            limit,
            last: Instant::now(),
            read: None,
            write: None,
        }
    }
}

/// Passes `poll` through, noting progress; a pending one fails once nothing at all has
/// moved on the connection for `limit`.
fn watch<T>(
    timer: &mut Option<Pin<Box<Sleep>>>,
    last: &mut Instant,
    limit: Duration,
    cx: &mut Context<'_>,
    poll: Poll<io::Result<T>>,
) -> Poll<io::Result<T>> {
    if poll.is_ready() {
        // The timer is kept: moving a registered tokio timer later is a store, where
        // dropping it and making a new one took the timer wheel's lock each request.
        *last = Instant::now();
        return poll;
    }
    let deadline = *last + limit;
    let sleep = timer.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
    if sleep.deadline() != deadline {
        // The other direction moved since this wait began: wait from then.
        sleep.as_mut().reset(deadline);
    }
    match sleep.as_mut().poll(cx) {
        Poll::Ready(()) => {
            *timer = None;
            Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "no progress on the connection",
            )))
        }
        Poll::Pending => Poll::Pending,
    }
}

impl AsyncRead for Deadline {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let poll = Pin::new(&mut this.stream).poll_read(cx, buf);
        watch(&mut this.read, &mut this.last, this.limit, cx, poll)
    }
}

impl AsyncWrite for Deadline {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let poll = Pin::new(&mut this.stream).poll_write(cx, buf);
        watch(&mut this.write, &mut this.last, this.limit, cx, poll)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let poll = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        watch(&mut this.write, &mut this.last, this.limit, cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let poll = Pin::new(&mut this.stream).poll_flush(cx);
        watch(&mut this.write, &mut this.last, this.limit, cx, poll)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
