//! The accept loop. warp's own server has no timeouts, so a client that sends its headers
//! a byte at a time, or stops reading a download, would hold a connection (and a file) for
//! ever, and a stop would wait for it. Here each connection is served by hyper's HTTP/1
//! with a header deadline, an I/O inactivity deadline and a cap on how many are served at
//! once; a stop waits `shutdown_grace` for requests in flight, then lets go.

use crate::ServerConfig;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
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
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let permits = Arc::new(tokio::sync::Semaphore::new(config.max_connections));
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
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            tracing::warn!(%peer, "too many connections; closing this one");
            continue;
        };
        let _ = stream.set_nodelay(true);
        let svc = service.clone();
        let hyper_svc = hyper::service::service_fn(move |mut req| {
            req.extensions_mut().insert(PeerAddr(peer));
            // warp's service is always ready and cheap to clone.
            svc.clone().call(req)
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
        tokio::spawn(async move {
            let _permit = permit;
            if let Err(e) = conn.await {
                tracing::debug!(%peer, error = %e, "connection ended");
            }
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
