//! Coupons through async-stripe's own requests and types: create, retrieve, update, list,
//! delete, their events, and the parameters Stripe refuses.

use super::*;
use serde_json::json;
use stripe::ApiErrorsCode;
use stripe_core::event::ListEvent;
use stripe_product::coupon::{
    CreateCoupon, CreateCouponAppliesTo, DeleteCoupon, ListCoupon, RetrieveCoupon, UpdateCoupon,
};
use stripe_shared::{Coupon, CouponDuration};

pub(crate) async fn percent_coupon(client: &Client, id: &str, pct: f64) -> Coupon {
    CreateCoupon::new()
        .id(id)
        .percent_off(pct)
        .send(client)
        .await
        .unwrap()
}

/// POSTs a raw form, as a client other than async-stripe might; returns status and body.
pub(crate) async fn post_form(sim: &Simulator, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let r = http()
        .post(format!("{}v1/{path}", sim.base_url()))
        .bearer_auth(sim.secret_key())
        .form(form)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    // async-stripe reads error bodies with miniserde into `stripe_shared::Error`.
    if status != 200 {
        let parsed: Result<stripe_shared::Error, _> = miniserde::json::from_str(&text);
        assert!(parsed.is_ok(), "not a Stripe error body: {text}");
    }
    (status, serde_json::from_str(&text).unwrap())
}

pub(crate) async fn get_json(sim: &Simulator, path: &str) -> Value {
    http()
        .get(format!("{}v1/{path}", sim.base_url()))
        .bearer_auth(sim.secret_key())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn coupons_are_created_retrieved_updated_listed_and_deleted() {
    let (sim, client) = start().await;
    let spring = CreateCoupon::new()
        .percent_off(25.5)
        .duration(CouponDuration::Forever)
        .name("Spring sale")
        .metadata(HashMap::from([(
            "campaign".to_string(),
            "spring".to_string(),
        )]))
        .send(&client)
        .await
        .unwrap();
    // A generated id is 8 letters and digits, like Stripe's.
    assert!(
        spring.id.as_str().len() == 8
            && spring
                .id
                .as_str()
                .chars()
                .all(|c| c.is_ascii_alphanumeric())
    );
    assert_eq!(spring.percent_off, Some(25.5));
    assert_eq!((spring.amount_off, spring.currency), (None, None));
    assert_eq!(spring.duration, CouponDuration::Forever);
    assert_eq!(spring.duration_in_months, None);
    assert_eq!(spring.name.as_deref(), Some("Spring sale"));
    assert_eq!(spring.metadata.as_ref().unwrap()["campaign"], "spring");
    assert!(spring.valid && spring.times_redeemed == 0 && !spring.livemode);
    assert!(spring.applies_to.is_none() && spring.currency_options.is_none());

    let redeem_by = spring.created + 3600;
    let five = CreateCoupon::new()
        .id("FIVE-OFF")
        .amount_off(500)
        .currency(stripe_types::Currency::USD)
        .duration(CouponDuration::Repeating)
        .duration_in_months(3)
        .max_redemptions(10)
        .redeem_by(redeem_by)
        .send(&client)
        .await
        .unwrap();
    assert_eq!(five.id.as_str(), "FIVE-OFF");
    assert_eq!(five.amount_off, Some(500));
    assert_eq!(five.currency, Some(stripe_types::Currency::USD));
    assert_eq!(five.duration_in_months, Some(3));
    assert_eq!(five.max_redemptions, Some(10));
    assert_eq!(five.redeem_by, Some(redeem_by));
    let got = RetrieveCoupon::new("FIVE-OFF").send(&client).await.unwrap();
    assert_eq!(got.id, five.id);

    // A custom id may hold what a URL must escape (async-stripe can't send those).
    let (status, _) = post_form(
        &sim,
        "coupons",
        &[("id", "BLACK FRIDAY"), ("percent_off", "5")],
    )
    .await;
    assert_eq!(status, 200);
    let raw = get_json(&sim, "coupons/BLACK%20FRIDAY").await;
    assert_eq!(
        (&raw["id"], &raw["object"]),
        (&json!("BLACK FRIDAY"), &json!("coupon"))
    );
    // Every field Stripe's Coupon has in this API version, and not the includable ones.
    let mut keys: Vec<&str> = raw
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys.join(" "),
        "amount_off created currency duration duration_in_months id livemode max_redemptions \
         metadata name object percent_off redeem_by times_redeemed valid"
    );
    let (err, status) = stripe_err(
        CreateCoupon::new()
            .id("FIVE-OFF")
            .percent_off(10.0)
            .send(&client)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (status, err.code),
        (400, Some(ApiErrorsCode::ResourceAlreadyExists))
    );
    assert_eq!(err.param.as_deref(), Some("id"));

    let third = percent_coupon(&client, "TENOFF", 10.0).await;
    let all = ListCoupon::new().send(&client).await.unwrap();
    let ids: Vec<&str> = all.data.iter().map(|c| c.id.as_str()).collect();
    let newest_first = ["TENOFF", "BLACK FRIDAY", "FIVE-OFF", spring.id.as_str()];
    assert_eq!(ids, newest_first);
    let page = ListCoupon::new().limit(1).starting_after("TENOFF");
    let page = page.send(&client).await.unwrap();
    assert_eq!(page.data[0].id.as_str(), "BLACK FRIDAY");
    assert!(page.has_more);

    let renamed = UpdateCoupon::new(third.id.clone())
        .name("Ten percent")
        .metadata(HashMap::from([("k".to_string(), "v".to_string())]))
        .send(&client)
        .await
        .unwrap();
    assert_eq!(renamed.name.as_deref(), Some("Ten percent"));
    assert_eq!(renamed.percent_off, Some(10.0));
    let (status, body) = post_form(&sim, "coupons/TENOFF", &[("percent_off", "50")]).await;
    assert_eq!(
        (status, &body["error"]["param"]),
        (400, &json!("percent_off"))
    );

    let gone = DeleteCoupon::new(third.id.clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(gone.id, third.id);
    let raw: Value = http()
        .delete(format!("{}v1/coupons/BLACK%20FRIDAY", sim.base_url()))
        .bearer_auth(sim.secret_key())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        raw,
        json!({ "id": "BLACK FRIDAY", "object": "coupon", "deleted": true })
    );
    for id in ["TENOFF", "NEVER"] {
        let (err, status) = stripe_err(RetrieveCoupon::new(id).send(&client).await.unwrap_err());
        assert_eq!(
            (status, err.code),
            (404, Some(ApiErrorsCode::ResourceMissing))
        );
        let message = format!("No such coupon: '{id}'");
        assert_eq!(err.message, Some(message));
    }
    let (err, status) = stripe_err(DeleteCoupon::new("TENOFF").send(&client).await.unwrap_err());
    assert_eq!(
        (status, err.code),
        (404, Some(ApiErrorsCode::ResourceMissing))
    );
    assert_eq!(ListCoupon::new().send(&client).await.unwrap().data.len(), 2);

    let kinds: Vec<String> = ListEvent::new()
        .send(&client)
        .await
        .unwrap()
        .data
        .iter()
        .rev()
        .map(|e| e.type_.to_string())
        .collect();
    let created = vec!["coupon.created"; 4];
    assert_eq!(
        kinds,
        [
            created,
            vec!["coupon.updated", "coupon.deleted", "coupon.deleted"]
        ]
        .concat()
    );
    sim.shutdown().await;
}

/// Extra form fields, the parameter Stripe's error names, and its code if it has one.
type Case<'a> = (Vec<(&'a str, &'a str)>, &'a str, Option<&'a str>);

/// A form that creates a valid coupon, plus `extra`.
fn coupon_form<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![("duration", "once")];
    f.extend_from_slice(extra);
    f
}

#[tokio::test]
async fn hostile_coupon_parameters_get_stripes_errors_and_create_nothing() {
    let (sim, client) = start().await;
    let past = (now() - 60).to_string();
    let long_name = "A coupon name that runs past forty characters";
    let huge = "99999999999999999999";
    let cases: Vec<Case> = vec![
        (
            vec![
                ("amount_off", "500"),
                ("currency", "usd"),
                ("percent_off", "10"),
            ],
            "amount_off",
            None,
        ),
        (vec![], "amount_off", Some("parameter_missing")),
        (vec![("percent_off", "0")], "percent_off", None),
        (vec![("percent_off", "101")], "percent_off", None),
        (vec![("percent_off", "abc")], "percent_off", None),
        (vec![("percent_off", "1e2")], "percent_off", None),
        (
            vec![("amount_off", "-5"), ("currency", "usd")],
            "amount_off",
            None,
        ),
        (
            vec![("amount_off", "0"), ("currency", "usd")],
            "amount_off",
            None,
        ),
        (
            vec![("amount_off", "100000000"), ("currency", "usd")],
            "amount_off",
            Some("amount_too_large"),
        ),
        (
            vec![("amount_off", huge), ("currency", "usd")],
            "amount_off",
            None,
        ),
        (
            vec![("amount_off", "500")],
            "currency",
            Some("parameter_missing"),
        ),
        (
            vec![("amount_off", "500"), ("currency", "dollars")],
            "currency",
            None,
        ),
        (
            vec![("percent_off", "10"), ("duration_in_months", "3")],
            "duration_in_months",
            None,
        ),
        (
            vec![("percent_off", "10"), ("duration", "repeating")],
            "duration_in_months",
            Some("parameter_missing"),
        ),
        (
            vec![("percent_off", "10"), ("duration", "weekly")],
            "duration",
            None,
        ),
        (
            vec![("percent_off", "10"), ("max_redemptions", "0")],
            "max_redemptions",
            None,
        ),
        (
            vec![("percent_off", "10"), ("redeem_by", &past)],
            "redeem_by",
            None,
        ),
        (
            vec![("percent_off", "10"), ("name", long_name)],
            "name",
            None,
        ),
        (
            vec![("percent_off", "10"), ("applies_to[products][0]", "prod_x")],
            "applies_to[products][0]",
            Some("resource_missing"),
        ),
    ];
    for (extra, param, code) in cases {
        let (status, body) = post_form(&sim, "coupons", &coupon_form(&extra)).await;
        let e = &body["error"];
        assert_eq!(status, 400, "{extra:?}: {body}");
        assert_eq!(e["type"], "invalid_request_error", "{extra:?}");
        assert_eq!(e["param"], param, "{extra:?}: {body}");
        if let Some(code) = code {
            assert_eq!(e["code"], code, "{extra:?}");
        }
    }
    let (_, body) = post_form(
        &sim,
        "coupons",
        &[("percent_off", "10"), ("name", long_name)],
    )
    .await;
    assert_eq!(
        body["error"]["message"],
        "Invalid string: A coupon n...characters; must be at most 40 characters"
    );

    // The typed client gets the same answers.
    for bad in [0.0, 101.0, -3.0] {
        let (err, status) = stripe_err(
            CreateCoupon::new()
                .percent_off(bad)
                .send(&client)
                .await
                .unwrap_err(),
        );
        assert_eq!(
            (status, err.param.as_deref()),
            (400, Some("percent_off")),
            "{bad}"
        );
    }
    let (err, _) = stripe_err(
        CreateCoupon::new()
            .percent_off(10.0)
            .applies_to(CreateCouponAppliesTo {
                products: Some(vec!["prod_123".into()]),
            })
            .send(&client)
            .await
            .unwrap_err(),
    );
    assert_eq!(err.code, Some(ApiErrorsCode::ResourceMissing));
    assert_eq!(err.message.as_deref(), Some("No such product: 'prod_123'"));

    // Nothing was created, and nothing happened.
    assert!(ListCoupon::new()
        .send(&client)
        .await
        .unwrap()
        .data
        .is_empty());
    assert!(ListEvent::new()
        .send(&client)
        .await
        .unwrap()
        .data
        .is_empty());
    sim.shutdown().await;
}

pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}
