//! The license API (`/v1/licenses/activate|validate|deactivate`), in the request and answer
//! shape of Lemon Squeezy's License API so its client libraries work by changing the base
//! URL: form fields `license_key`, `instance_name`, `instance_id`; JSON answers with
//! `activated`/`valid`/`deactivated`, `error`, `license_key`, `instance` and `meta`; 404 for
//! an unknown key or instance, 400 for a refusal, 422 for a malformed field, 60 requests a
//! minute per client. Booth adds `license_file`, the signed offline license. Also the
//! buyer's "free this computer" on the purchase page. Rules: booth-core's licenses/.

use crate::app::Ctx;
use crate::client::Client;
use crate::http::{internal_error, message, redirect};
use crate::pages::Message;
use booth_core::licenses::{Answer, Instance, License, Refusal};
use booth_core::shop::format_iso;
use booth_core::Error;
use bytes::Bytes;
use serde_json::{json, Value};
use warp::http::{header, HeaderValue, StatusCode};
use warp::reply::Response;

/// Requests a client may make a minute, as the established API allows.
pub(crate) const LICENSE_PER_MINUTE: u32 = 60;

#[derive(Clone, Copy)]
enum Call {
    Activate,
    Validate,
    Deactivate,
}

impl Call {
    /// The answer's yes-or-no field.
    fn flag(self) -> &'static str {
        match self {
            Call::Activate => "activated",
            Call::Validate => "valid",
            Call::Deactivate => "deactivated",
        }
    }
}

/// `POST /v1/licenses/{activate|validate|deactivate}`.
pub(crate) async fn license_call(
    path: String,
    content_type: Option<String>,
    body: Bytes,
    app: Ctx,
    who: Client,
) -> Response {
    let call = match path.as_str() {
        "activate" => Call::Activate,
        "validate" => Call::Validate,
        "deactivate" => Call::Deactivate,
        _ => {
            return answer(
                StatusCode::NOT_FOUND,
                json!({ "error": "The license API has activate, validate and deactivate." }),
            )
        }
    };
    if !app.license_limiter.allow(who) {
        let mut res = answer(
            StatusCode::TOO_MANY_REQUESTS,
            json!({ call.flag(): false, "error": "Too many requests: at most 60 a minute." }),
        );
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        return res;
    }
    let field = fields(content_type.as_deref(), &body);
    let field = |name: &str| {
        field
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let key = field("license_key").unwrap_or("");
    let shop = &app.shop;
    let done = match call {
        Call::Activate => shop
            .activate_license(key, field("instance_name").unwrap_or(""))
            .await
            .map(|a| (a.answer, a.license_file)),
        Call::Validate => shop
            .validate_license(key, field("instance_id"))
            .await
            .map(|a| (a.answer, a.license_file)),
        Call::Deactivate => shop
            .deactivate_license(key, field("instance_id").unwrap_or(""))
            .await
            .map(|a| (a, None)),
    };
    match done {
        Ok((a, file)) => reply(call, &a, file),
        Err(Error::Invalid { field, message }) => answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({ call.flag(): false, "error": format!("{field}: {message}"), "license_key": null, "meta": null }),
        ),
        Err(e) => {
            tracing::error!(error = %e, "a license request failed");
            answer(
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({ call.flag(): false, "error": "The shop could not answer; try again shortly." }),
            )
        }
    }
}

/// The request's fields: a form (as the established API takes) or a JSON object of strings.
fn fields(content_type: Option<&str>, body: &[u8]) -> Vec<(String, String)> {
    let json = content_type.is_some_and(|t| t.starts_with("application/json"));
    if json {
        let map: serde_json::Map<String, Value> = serde_json::from_slice(body).unwrap_or_default();
        map.into_iter()
            .filter_map(|(k, v)| v.as_str().map(|v| (k, v.to_string())))
            .collect()
    } else {
        serde_urlencoded::from_bytes(body).unwrap_or_default()
    }
}

fn reply(call: Call, a: &Answer, license_file: Option<String>) -> Response {
    let status = match a.refused {
        None => StatusCode::OK,
        Some(Refusal::UnknownKey | Refusal::UnknownInstance) => StatusCode::NOT_FOUND,
        Some(_) => StatusCode::BAD_REQUEST,
    };
    let mut body = json!({
        call.flag(): a.refused.is_none(),
        "error": a.refused.map(Refusal::message),
        "license_key": a.license.as_ref().map(license_json),
        "meta": a.license.as_ref().map(meta_json),
    });
    if !matches!(call, Call::Deactivate) {
        body["instance"] = a.instance.as_ref().map(instance_json).into();
    }
    if let Some(file) = license_file {
        body["license_file"] = file.into();
    }
    answer(status, body)
}

fn license_json(l: &License) -> Value {
    json!({
        "id": l.id,
        "status": l.status(),
        "key": l.key,
        "activation_limit": l.activation_limit,
        "activation_usage": l.instances.len(),
        "created_at": format_iso(l.created_at),
        "expires_at": null,
        "test_mode": l.test,
    })
}

fn instance_json(i: &Instance) -> Value {
    json!({ "id": i.id, "name": i.name, "created_at": format_iso(i.created_at) })
}

/// The established API's `meta`: a Booth shop is one store (id 1) and its purchases are
/// that API's orders, so `order_id` is the purchase's id.
fn meta_json(l: &License) -> Value {
    json!({
        "store_id": 1,
        "order_id": l.purchase_id,
        "order_item_id": l.purchase_item_id,
        "product_id": l.product_id,
        "product_name": l.product_name,
        "product_slug": l.product_slug,
        "variant_id": null,
        "variant_name": "Default",
        "customer_id": null,
        "customer_name": "",
        "customer_email": l.email,
    })
}

fn answer(status: StatusCode, body: Value) -> Response {
    use warp::Reply;
    let mut res = warp::reply::with_status(warp::reply::json(&body), status).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// `GET /v1/licenses/public-key`: the key license files are signed with.
pub(crate) async fn public_key(app: Ctx) -> Response {
    match app.shop.license_public_key().await {
        Ok(k) => answer(
            StatusCode::OK,
            json!({ "algorithm": "Ed25519", "public_key": k.public_key, "key_id": k.key_id }),
        ),
        Err(e) => internal_error(&app, e).await,
    }
}

/// `POST /d/{token}/free-activation` (field `instance_id`): the buyer frees a computer
/// from their purchase page and is sent back to it.
pub(crate) async fn free_activation(token: String, body: Bytes, app: Ctx, who: Client) -> Response {
    if !app.license_limiter.allow(who) {
        let m = Message::new(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many requests",
            "Please wait a minute and try again.",
        );
        return message(&app, m).await;
    }
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let instance = form
        .iter()
        .find(|(k, _)| k == "instance_id")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    match app.shop.free_activation(&token, instance).await {
        Ok(_) => redirect(&format!("/d/{token}?freed=1#licenses")),
        Err(e @ (Error::Invalid { .. } | Error::NotFound(_))) => {
            let m = Message::new(
                StatusCode::NOT_FOUND,
                "Nothing to free",
                "That computer isn't activated with this purchase's license key any more.",
            )
            .detail(e.to_string())
            .action("Back to your purchase", format!("/d/{token}"));
            message(&app, m).await
        }
        Err(e) => internal_error(&app, e).await,
    }
}
