//! Webhook endpoints: retries that give up, no backfill for new endpoints, and their API.

use super::*;
use stripe_core::event::{ListEvent, RetrieveEvent};

#[tokio::test]
async fn webhook_retries_give_up_and_no_backfill() {
    // 600 ms base: attempts at ~0 s, 0.6 s, 1.8 s, so the signatures' timestamps must differ.
    let (sim, client) = start_with(SimConfig {
        webhook_retry_base: Duration::from_millis(600),
        webhook_max_attempts: 3,
        ..SimConfig::default()
    })
    .await;
    let mut flaky = receiver(2, 500).await;
    let mut dead = receiver(u32::MAX, 302).await;
    let flaky_ep = register(&sim, &flaky.url, &["checkout.session.completed"]).await;
    let dead_ep = register(&sim, &dead.url, &["checkout.session.*"]).await;
    let s = create(&client).await;
    assert_eq!(pay(&s, "4242424242424242").await.status(), 303);

    let got = flaky
        .verified(3, flaky_ep["secret"].as_str().unwrap())
        .await;
    let ids: Vec<_> = got.iter().map(|(_, e)| e.id.clone()).collect();
    assert!(ids.iter().all(|i| *i == ids[0]), "same event retried");
    assert_ne!(got[0].0, got[2].0, "each attempt is signed anew");
    let dead_got = dead.verified(3, dead_ep["secret"].as_str().unwrap()).await;
    assert!(dead_got.iter().all(|(_, e)| e.id == ids[0]));
    // Max attempts reached: no fourth delivery (3xx counted as failure).
    assert!(
        tokio::time::timeout(Duration::from_millis(2600), dead.rx.recv())
            .await
            .is_err()
    );

    let ev = RetrieveEvent::new(ids[0].clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(ev.pending_webhooks, 1, "the dead endpoint is still owed");
    let failed = ListEvent::new()
        .delivery_success(false)
        .send(&client)
        .await
        .unwrap();
    assert_eq!(
        failed.data.iter().map(|e| e.id.clone()).collect::<Vec<_>>(),
        vec![ids[0].clone()]
    );
    let delivered = ListEvent::new()
        .delivery_success(true)
        .send(&client)
        .await
        .unwrap();
    assert_eq!(
        delivered.data.len(),
        2,
        "charge/payment_intent events had no endpoint"
    );

    // An endpoint created after the fact doesn't get old events.
    let mut late = receiver(0, 200).await;
    register(&sim, &late.url, &["*"]).await;
    assert!(
        tokio::time::timeout(Duration::from_millis(500), late.rx.recv())
            .await
            .is_err()
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn webhook_endpoint_crud() {
    let (sim, _client) = start().await;
    let ep = register(
        &sim,
        "http://127.0.0.1:9/hook",
        &["checkout.session.completed"],
    )
    .await;
    let id = ep["id"].as_str().unwrap();
    let base = format!("{}v1/webhook_endpoints", sim.base_url());
    let get = |u: String| http().get(u).bearer_auth(sim.secret_key()).send();
    let list: Value = get(base.clone()).await.unwrap().json().await.unwrap();
    assert_eq!(list["data"][0]["id"], id);
    assert!(
        list["data"][0].get("secret").is_none(),
        "secret only at creation"
    );
    let one: Value = get(format!("{base}/{id}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(one["enabled_events"][0], "checkout.session.completed");
    let upd: Value = http()
        .post(format!("{base}/{id}"))
        .bearer_auth(sim.secret_key())
        .form(&[("disabled", "true"), ("enabled_events[0]", "*")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (upd["status"].as_str(), upd["enabled_events"][0].as_str()),
        (Some("disabled"), Some("*"))
    );
    let bad = http()
        .post(&base)
        .bearer_auth(sim.secret_key())
        .form(&[("url", "not a url"), ("enabled_events[]", "*")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let del: Value = http()
        .delete(format!("{base}/{id}"))
        .bearer_auth(sim.secret_key())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(del["deleted"], true);
    assert_eq!(get(format!("{base}/{id}")).await.unwrap().status(), 404);
    sim.shutdown().await;
}
