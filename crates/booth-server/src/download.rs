//! The buyer's purchase page and the downloads: authorized and counted by the shop, served
//! from memory (small files) or streamed from disk, whole or a Range.

use crate::app::Ctx;
use crate::client::Client;
use crate::conn;
use crate::filecache;
use crate::http::{header_value, internal_error, message, revoked_page, store, unknown_link};
use crate::pages::Message;
use crate::range::parse_range;
use booth_core::downloads::{content_disposition, content_type, Denied, Download, DownloadRequest};
use booth_core::resume;
use booth_core::Error;
use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use warp::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use warp::reply::Response;

const CHUNK: usize = 256 * 1024;

pub(crate) async fn purchase_page(token: String, app: Ctx) -> Response {
    match app.shop.purchase(&token).await {
        Ok(Some(p)) if p.status == "paid" => app.pages.purchase(&store(&app).await, &p),
        Ok(Some(p)) => revoked_page(&app, p.status == "refunded").await,
        Ok(None) => unknown_link(&app).await,
        Err(e) => internal_error(&app, e).await,
    }
}

pub(crate) async fn download(
    token: String,
    file: String,
    method: Method,
    headers: HeaderMap,
    app: Ctx,
    peer: Option<conn::PeerAddr>,
) -> Response {
    // From the headers this route has anyway (the busiest route: no second copy of them).
    let who = Client::of(peer.map(|p| p.0.ip()), &headers, app.vouching.get());
    let (Ok(token), Ok(file_id)) = (
        booth_core::domain::PurchaseToken::parse(&token),
        file.parse::<i64>(),
    ) else {
        return unknown_link(&app).await;
    };
    let range_header = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let req = DownloadRequest {
        token: token.clone(),
        file_id,
        range: parse_range(range_header.as_deref()),
        head: method == Method::HEAD,
        ip: who.log_address(),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string(),
        range_header,
    };
    let Download {
        file: serve,
        resume,
        bucket_url,
    } = match app.shop.authorize_download(req).await {
        Ok(Ok(d)) => d,
        Ok(Err(Denied::UnknownLink)) | Ok(Err(Denied::UnknownFile)) => {
            return unknown_link(&app).await
        }
        Ok(Err(Denied::Refunded)) => return revoked_page(&app, true).await,
        Ok(Err(Denied::Revoked)) => return revoked_page(&app, false).await,
        Ok(Err(Denied::BadRange { size })) => return range_not_satisfiable(size),
        Ok(Err(Denied::LimitReached { limit })) => {
            let info = store(&app).await;
            let mut m = Message::new(
                StatusCode::GONE,
                "Download limit reached",
                &format!("This file has already been downloaded {limit} times, the most this purchase allows."),
            )
            .action("Back to your purchase", format!("/d/{token}"));
            m = m.detail(if info.support_email.is_empty() {
                "Contact the seller and ask them to reset your downloads.".to_string()
            } else {
                format!(
                    "Write to {} and ask the seller to reset your downloads.",
                    info.support_email
                )
            });
            return message(&app, m).await;
        }
        Ok(Err(Denied::StorageDown)) => return storage_down(&app, &token).await,
        Err(e) => return internal_error(&app, e).await,
    };
    if let Some(url) = bucket_url {
        return to_bucket(&url);
    }
    let path = match booth_core::catalog::resolve_stored(app.shop.files_dir(), &serve.stored_path) {
        Ok(p) => p,
        Err(e) => return internal_error(&app, e).await,
    };
    let size = serve.size;
    let len = serve.len();
    let (status, start) = match serve.part {
        None => (StatusCode::OK, 0),
        Some((start, _)) => (StatusCode::PARTIAL_CONTENT, start),
    };
    let res = if method == Method::HEAD {
        Ok(Response::new(Default::default()))
    } else if size <= filecache::MAX_FILE {
        // Taken from a free resume's meter in one piece (its first charge covers it).
        if let Some(mut grant) = resume {
            if !grant.take(len) {
                return internal_error(&app, Error::Internal("resume charge".into())).await;
            }
        }
        let (start, end) = (start as usize, (start + len) as usize);
        match app.files.get(&serve.sha256, &path).await {
            Ok(all) if all.len() as u64 == size => Ok(Response::new(all.slice(start..end).into())),
            Ok(_) => Err(std::io::Error::other(format!(
                "{} isn't the size it was stored with",
                path.display()
            ))),
            Err(e) => Err(e),
        }
    } else {
        stream_range(&path, start, len, resume).await
    };
    let mut res = match res {
        Ok(res) => res,
        Err(e) => return internal_error(&app, Error::Io(e)).await,
    };
    *res.status_mut() = status;
    let h = res.headers_mut();
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(&serve.display_name)),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        header_value(content_disposition(&serve.display_name)),
    );
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert(header::ETAG, header_value(format!("\"{}\"", serve.sha256)));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if status == StatusCode::PARTIAL_CONTENT {
        h.insert(
            header::CONTENT_RANGE,
            header_value(format!("bytes {start}-{}/{size}", start + len - 1)),
        );
    }
    res
}

/// The bytes come from the seller's bucket: a presigned URL, good for minutes, that the
/// browser follows (with its Range, if any). Nothing caches or leaks it.
fn to_bucket(url: &str) -> Response {
    let mut res = Response::new(Default::default());
    *res.status_mut() = StatusCode::FOUND;
    let h = res.headers_mut();
    h.insert(header::LOCATION, header_value(url.to_string()));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    res
}

/// The file is only in the bucket, and it isn't answering: nothing was counted.
async fn storage_down(app: &Ctx, token: &booth_core::domain::PurchaseToken) -> Response {
    let m = Message::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "Try again shortly",
        "The place this file is kept isn't answering just now. Nothing was used up: your download will work when you try again in a few minutes.",
    )
    .action("Back to your purchase", format!("/d/{token}"));
    let mut res = message(app, m).await;
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    res
}

/// Streams `len` bytes from `start`. A free resume's bytes are taken from its meter
/// chunk by chunk as they go; once its budget is spent the response stops short (the
/// client sees a cut connection, and its next try counts as a new download).
async fn stream_range(
    path: &std::path::Path,
    start: u64,
    len: u64,
    mut resume: Option<resume::Grant>,
) -> std::io::Result<Response> {
    let mut file = tokio::fs::File::open(path).await?;
    if start > 0 {
        file.seek(std::io::SeekFrom::Start(start)).await?;
    }
    let stream =
        tokio_util::io::ReaderStream::with_capacity(file.take(len), CHUNK).map(move |chunk| {
            let chunk = chunk?;
            let allowed = resume
                .as_mut()
                .is_none_or(|grant| grant.take(chunk.len() as u64));
            if allowed {
                Ok(chunk)
            } else {
                Err(std::io::Error::other(
                    "this resume used up what resuming may cost",
                ))
            }
        });
    Ok(warp::reply::Reply::into_response(warp::reply::stream(
        stream,
    )))
}

fn range_not_satisfiable(size: u64) -> Response {
    let mut res = Response::new(Default::default());
    *res.status_mut() = StatusCode::RANGE_NOT_SATISFIABLE;
    res.headers_mut().insert(
        header::CONTENT_RANGE,
        header_value(format!("bytes */{size}")),
    );
    res
}
