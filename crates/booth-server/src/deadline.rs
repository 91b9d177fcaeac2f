//! The I/O inactivity deadline of a shop connection (conn.rs): a client that stops
//! reading a download, or leaves a keep-alive connection idle, is let go after
//! `io_timeout` with nothing moving on it.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};

/// A TCP stream that fails once the connection has made no progress, in either
/// direction, for `limit`. Either direction counts: while a long download is being sent,
/// the read side waits for a next request the whole time, and must not time out.
pub struct Deadline {
    stream: TcpStream,
    limit: Duration,
    /// When a read or write last got anywhere.
    last: Instant,
    read: Option<Pin<Box<Sleep>>>,
    write: Option<Pin<Box<Sleep>>>,
}

impl Deadline {
    pub fn new(stream: TcpStream, limit: Duration) -> Deadline {
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

    /// Not watched: a flush moves no bytes (a TCP stream's is always ready at once), and
    /// hyper flushes each time the connection's task wakes. Counted as progress, every
    /// wake moved the deadline on, and an idle keep-alive connection outlived it.
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    async fn connected(limit: Duration) -> (Deadline, TcpStream) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap());
        let (client, accepted) = tokio::join!(client, listener.accept());
        (Deadline::new(accepted.unwrap().0, limit), client.unwrap())
    }

    /// What hyper does each time a connection's task is woken: read, then flush (with
    /// nothing to send). Its task is also woken every 50 ms by something else, as a
    /// connection's is by the timers and channels it shares its task with.
    async fn wait_for_a_request(d: &mut Deadline) -> io::Result<usize> {
        let mut woken = tokio::time::interval(Duration::from_millis(50));
        std::future::poll_fn(|cx| {
            let mut buf = [0u8; 64];
            let mut buf = ReadBuf::new(&mut buf);
            let read = Pin::new(&mut *d).poll_read(cx, &mut buf);
            let _ = Pin::new(&mut *d).poll_flush(cx);
            while woken.poll_tick(cx).is_ready() {}
            read.map_ok(|()| buf.filled().len())
        })
        .await
    }

    #[tokio::test]
    async fn an_idle_connection_times_out_however_often_its_task_wakes() {
        let (mut d, mut client) = connected(Duration::from_millis(300)).await;
        client.write_all(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();
        assert_eq!(wait_for_a_request(&mut d).await.unwrap(), 18);
        // Then nothing more comes. A flush with nothing to send is no progress: when it
        // counted as some, every wake moved the deadline on, and an idle connection
        // outlived it to hyper's 10-s header timer (seen in loaded test runs).
        let idle = tokio::time::timeout(Duration::from_secs(5), wait_for_a_request(&mut d))
            .await
            .expect("the idle connection outlived its deadline");
        assert_eq!(idle.unwrap_err().kind(), io::ErrorKind::TimedOut);
    }

    #[tokio::test]
    async fn bytes_trickling_in_keep_a_connection_alive() {
        let (mut d, mut client) = connected(Duration::from_millis(300)).await;
        // A request trickling in, a byte every 100 ms for 600 ms, is never cut off.
        let trickle = async {
            for b in b"GET /" {
                tokio::time::sleep(Duration::from_millis(100)).await;
                client.write_all(&[*b]).await.unwrap();
            }
        };
        let read_all = async {
            let mut got = 0;
            while got < 5 {
                got += wait_for_a_request(&mut d).await.unwrap();
            }
            got
        };
        assert_eq!(tokio::join!(trickle, read_all).1, 5);
    }
}
