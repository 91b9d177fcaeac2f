//! Server-rendered pages. Templates ship embedded; a seller overrides any of them by
//! putting a file of the same name in `<data dir>/templates/`.

use booth_core::catalog::Product;
use booth_core::domain::format_size;
use booth_core::purchases::Purchase;
use booth_core::settings::StoreInfo;
use booth_core::templates::Templates;
use serde_json::{json, Value};
use std::path::Path;
use warp::http::{header, HeaderValue, StatusCode};
use warp::reply::Response;

pub const PAGE_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    (
        "storefront.html",
        include_str!("../templates/storefront.html"),
    ),
    ("product.html", include_str!("../templates/product.html")),
    ("purchase.html", include_str!("../templates/purchase.html")),
    ("message.html", include_str!("../templates/message.html")),
    (
        "unsubscribe.html",
        include_str!("../templates/unsubscribe.html"),
    ),
    ("library.html", include_str!("../templates/library.html")),
];

pub struct Pages {
    templates: Templates,
}

/// A dead end or notice, shown with message.html.
pub struct Message {
    pub status: StatusCode,
    pub title: String,
    pub message: String,
    pub detail: Option<String>,
    pub action: Option<(String, String)>,
    pub tone: &'static str,
}

impl Message {
    pub fn new(status: StatusCode, title: &str, message: &str) -> Message {
        let tone = if status.is_success() {
            "info"
        } else if status.is_server_error() || status == StatusCode::FORBIDDEN {
            "error"
        } else {
            "warning"
        };
        Message {
            status,
            title: title.into(),
            message: message.into(),
            detail: None,
            action: None,
            tone,
        }
    }

    pub fn detail(mut self, d: impl Into<String>) -> Message {
        self.detail = Some(d.into());
        self
    }

    pub fn action(mut self, label: &str, url: impl Into<String>) -> Message {
        self.action = Some((label.into(), url.into()));
        self
    }

    pub fn tone(mut self, tone: &'static str) -> Message {
        self.tone = tone;
        self
    }
}

impl Pages {
    pub fn new(data_dir: &Path) -> Pages {
        Pages {
            templates: Templates::new(
                PAGE_TEMPLATES,
                Some(booth_core::DataDir::new(data_dir).templates()),
            ),
        }
    }

    fn render(
        &self,
        name: &str,
        status: StatusCode,
        store: &StoreInfo,
        mut ctx: Value,
    ) -> Response {
        ctx["store_name"] = json!(store.store_name);
        ctx["support_email"] = json!(store.support_email);
        match self.templates.render(name, &ctx) {
            Ok(body) => html(status, body),
            Err(e) => {
                tracing::error!(template = name, error = %e, "page failed to render");
                html(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "<!doctype html><title>Error</title><h1>Something went wrong</h1><p>This page could not be shown. Please try again in a moment.</p>".into(),
                )
            }
        }
    }

    pub fn message(&self, store: &StoreInfo, m: Message) -> Response {
        let ctx = json!({
            "status": m.status.as_u16(),
            "title": m.title,
            "message": m.message,
            "detail": m.detail,
            "action": m.action.map(|(label, url)| json!({"label": label, "url": url})),
            "tone": m.tone,
        });
        self.render("message.html", m.status, store, ctx)
    }

    pub fn storefront(&self, store: &StoreInfo, products: &[Product]) -> Response {
        let list: Vec<Value> = products
            .iter()
            .filter(|p| !p.files.is_empty())
            .map(|p| {
                json!({
                    "name": p.name, "slug": p.slug, "description": p.description,
                    "price": p.price().format(), "url": format!("/p/{}", p.slug), "buy_url": format!("/buy/{}", p.slug),
                })
            })
            .collect();
        self.render(
            "storefront.html",
            StatusCode::OK,
            store,
            json!({ "products": list }),
        )
    }

    /// A product page; `offer` is what storefront.rs worked out (price, form, problem).
    pub fn product(
        &self,
        store: &StoreInfo,
        p: &Product,
        status: StatusCode,
        offer: Value,
    ) -> Response {
        let files: Vec<Value> = p
            .files
            .iter()
            .map(|f| json!({"name": f.display_name, "size": format_size(f.size)}))
            .collect();
        let mut ctx = json!({ "product": {
            "name": p.name, "slug": p.slug, "description": p.description, "price": p.price().format(),
            "buy_url": format!("/buy/{}", p.slug), "claim_url": format!("/claim/{}", p.slug),
            "files": files, "download_limit": p.download_limit.unwrap_or(0),
        }});
        if let (Value::Object(c), Value::Object(o)) = (&mut ctx, offer) {
            c.extend(o);
        }
        let mut res = self.render("product.html", status, store, ctx);
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        res
    }

    pub fn unsubscribe(
        &self,
        store: &StoreInfo,
        email: &str,
        unsubscribed: bool,
        post_url: &str,
    ) -> Response {
        let ctx = json!({ "email": email, "unsubscribed": unsubscribed, "post_url": post_url });
        let mut res = self.render("unsubscribe.html", StatusCode::OK, store, ctx);
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        res
    }

    /// "Lost your link?": the form (with the problem, if the address isn't one), or `sent`.
    pub fn library(
        &self,
        store: &StoreInfo,
        status: StatusCode,
        email: &str,
        sent: bool,
        error: Option<&str>,
    ) -> Response {
        let ctx = json!({ "email": email, "sent": sent, "error": error });
        let mut res = self.render("library.html", status, store, ctx);
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        res
    }

    pub fn purchase(&self, store: &StoreInfo, p: &Purchase) -> Response {
        let items: Vec<Value> = p
            .items
            .iter()
            .map(|i| {
                let files: Vec<Value> = i
                    .files
                    .iter()
                    .map(|f| {
                        json!({
                            "name": f.file.display_name,
                            "size": format_size(f.file.size),
                            "version": f.file.version,
                            "url": format!("/d/{}/{}", p.token, f.file.id),
                            "downloads_used": f.downloads_used,
                            "downloads_left": f.downloads_left,
                            "limit": i.download_limit.unwrap_or(0),
                            "exhausted": f.downloads_left == Some(0),
                        })
                    })
                    .collect();
                let license = i.license.as_ref().map(|l| {
                    json!({
                        "key": l.key, "limit": l.activation_limit, "used": l.instances.len(),
                        "usable": l.refusal.is_none(),
                        "instances": l.instances.iter().map(|a| json!({
                            "id": a.id, "name": a.name,
                            "created": booth_core::shop::format_time(a.created_at),
                        })).collect::<Vec<_>>(),
                    })
                });
                json!({ "product_name": i.product_name, "revoked": i.revoked, "files": files, "license": license })
            })
            .collect();
        let ctx = json!({
            "purchase": {
                "token": p.token, "email": p.email, "created": booth_core::shop::format_time(p.created_at),
                "total": p.total().format(), "is_test": p.test, "is_grant": p.source == "grant", "status": p.status,
                "is_free": p.is_free(),
                "invoice_url": p.invoice_url,
                "consent": p.consent.as_ref().map(|c| json!({
                    "text": c.text, "lang": c.lang, "at": booth_core::shop::format_time(c.at),
                })),
                "breakdown": p.breakdown().iter().map(|(l, a)| json!({"label": l, "amount": a})).collect::<Vec<_>>(),
            },
            "items": items,
        });
        let mut res = self.render("purchase.html", StatusCode::OK, store, ctx);
        // The page is personal: keep it out of caches and search engines.
        let h = res.headers_mut();
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        h.insert(
            "x-robots-tag",
            HeaderValue::from_static("noindex, nofollow"),
        );
        res
    }
}

pub fn html(status: StatusCode, body: String) -> Response {
    let mut res = Response::new(body.into());
    *res.status_mut() = status;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    security_headers(h);
    res
}

/// Headers every page gets. no-referrer matters most: purchase URLs carry the secret token.
pub fn security_headers(h: &mut warp::http::HeaderMap) {
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert(
        "content-security-policy",
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'"),
    );
}
