//! License keys through the license API, called as an app's client library calls Lemon
//! Squeezy's (license_client.py, written from that API's documentation, checks the offline
//! license file with Python's `cryptography`), the buyer's purchase page, and the seller.

use booth_core::catalog::ProductEditInput;
use booth_core::licenses::file;
use booth_testkit::app::*;
use serde_json::Value;
use std::process::Stdio;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

/// One call of the Python client: (HTTP status, JSON answer).
async fn client(app: &TestApp, args: &[&str]) -> (u16, Value) {
    let out = python(app, args, None).await;
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|_| panic!("not JSON: {out}"));
    (v["status"].as_u64().unwrap() as u16, v["body"].clone())
}

/// Runs license_client.py (without blocking the shop, which runs on this test's thread);
/// its stdout, or Err with its stderr when it failed.
async fn python_result(
    app: &TestApp,
    args: &[&str],
    stdin: Option<&str>,
) -> Result<String, String> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/license_client.py");
    let mut child = Command::new("python3")
        .arg(script)
        .arg(&app.base)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.unwrap_or("").as_bytes())
        .await
        .unwrap();
    let out = child.wait_with_output().await.unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).trim().to_string();
    if out.status.success() {
        Ok(text(&out.stdout))
    } else {
        Err(text(&out.stderr))
    }
}

/// Runs one of docs/examples' license checks (`program script public_key < file`): the
/// license it printed, or Err with why it refused.
async fn doc_example(
    program: &str,
    script: &str,
    public_key: &str,
    file: &str,
) -> Result<Value, String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/examples/").to_string() + script;
    let mut child = Command::new(program)
        .arg(path)
        .arg(public_key)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(file.as_bytes())
        .await
        .unwrap();
    let out = child.wait_with_output().await.unwrap();
    if out.status.success() {
        Ok(serde_json::from_slice(&out.stdout).expect("the example prints JSON"))
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

async fn python(app: &TestApp, args: &[&str], stdin: Option<&str>) -> String {
    python_result(app, args, stdin)
        .await
        .unwrap_or_else(|e| panic!("license_client.py {args:?}: {e}"))
}

/// A product whose purchases get a key for `activations` computers, bought by a buyer:
/// the purchase's token and its key.
async fn bought_with_key(app: &TestApp, activations: &str, email: &str) -> (String, String) {
    if app.shop().product("app").await.unwrap().is_none() {
        app.add_product("app", "29.00", "5", &[("app.zip", b"PK app")])
            .await;
        let edit = ProductEditInput {
            licenses: Some(activations.into()),
            ..Default::default()
        };
        app.shop().edit_product_input("app", edit).await.unwrap();
    }
    let paid = app.buy_and_pay("app", email).await;
    let token = app.complete(&paid).await;
    let p = app.purchase(&token).await;
    let key = p.items[0].license.as_ref().expect("a key").key.clone();
    (token, key)
}

async fn public_key(app: &TestApp) -> String {
    let v: Value = app
        .get("/v1/licenses/public-key")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["algorithm"], "Ed25519");
    v["public_key"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn two_computers_a_third_refused_the_buyer_frees_one_and_a_refund_ends_it() {
    let app = spawn_app().await;
    let (token, key) = bought_with_key(&app, "2", "dev@example.com").await;
    let purchase = app.purchase(&token).await;

    // The receipt carries the key, in both parts.
    wait_until(|| async { !app.smtp.messages().is_empty() }).await;
    let receipt = app.smtp.messages().remove(0);
    assert!(receipt.text.as_deref().unwrap().contains(&key));
    assert!(receipt.html.as_deref().unwrap().contains(&key));

    let (status, laptop) = client(&app, &["activate", &key, "Ana's Laptop"]).await;
    assert_eq!(status, 200, "{laptop}");
    assert_eq!(laptop["activated"], true);
    assert_eq!(laptop["error"], Value::Null);
    assert_eq!(laptop["license_key"]["key"], key.as_str());
    assert_eq!(laptop["license_key"]["status"], "active");
    assert_eq!(laptop["license_key"]["activation_limit"], 2);
    assert_eq!(laptop["license_key"]["activation_usage"], 1);
    assert_eq!(laptop["instance"]["name"], "Ana's Laptop");
    assert_eq!(laptop["meta"]["order_id"], purchase.id);
    assert_eq!(laptop["meta"]["product_id"], purchase.items[0].product_id);
    assert_eq!(laptop["meta"]["customer_email"], "dev@example.com");
    let laptop_id = laptop["instance"]["id"].as_str().unwrap().to_string();

    // The offline file, checked by Python's cryptography against the published key.
    let pk = public_key(&app).await;
    let file_text = laptop["license_file"].as_str().unwrap();
    let checked: Value =
        serde_json::from_str(&python(&app, &["verify", &pk], Some(file_text)).await).unwrap();
    assert_eq!(checked["license_key"], key.as_str());
    assert_eq!(checked["instance_id"], laptop_id.as_str());
    assert_eq!(checked["product"], "app");
    assert_eq!(checked["activation_limit"], 2);
    // The examples docs/licenses.md publishes agree: Node's crypto and Python's.
    for (program, script) in [
        ("node", "verify-license.mjs"),
        ("python3", "verify_license.py"),
    ] {
        let v = doc_example(program, script, &pk, file_text).await.unwrap();
        assert_eq!(v["instance_id"], laptop_id.as_str(), "{script}");
    }

    let (status, desktop) = client(&app, &["activate", &key, "Desktop"]).await;
    assert_eq!(status, 200, "{desktop}");
    let desktop_id = desktop["instance"]["id"].as_str().unwrap().to_string();
    let (status, third) = client(&app, &["activate", &key, "Tablet"]).await;
    assert_eq!(status, 400);
    assert_eq!(third["activated"], false);
    assert_eq!(
        third["error"],
        "This license key has reached the activation limit."
    );
    assert_eq!(third["license_key"]["activation_usage"], 2);

    // The buyer sees both on the purchase page and frees the laptop there.
    let (_, page) = app.get_html(&format!("/d/{token}")).await;
    for text in [key.as_str(), "Ana&#x27;s Laptop", "Desktop", "2 of 2"] {
        assert!(page.contains(text), "the page shows {text}");
    }
    let res = app
        .post_form(
            &format!("/d/{token}/free-activation"),
            &[("instance_id", &laptop_id)],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert!(location(&res).starts_with(&format!("/d/{token}")));
    let (status, gone) = client(&app, &["validate", &key, &laptop_id]).await;
    assert_eq!((status, &gone["valid"]), (404, &Value::Bool(false)));
    let (status, tablet) = client(&app, &["activate", &key, "Tablet"]).await;
    assert_eq!(status, 200, "the freed place is the tablet's: {tablet}");
    let tablet_id = tablet["instance"]["id"].as_str().unwrap().to_string();

    // The app deactivates itself; validate of a live activation comes with a fresh file.
    let (status, off) = client(&app, &["deactivate", &key, &desktop_id]).await;
    assert_eq!(status, 200, "{off}");
    assert_eq!(off["deactivated"], true);
    assert_eq!(off["license_key"]["activation_usage"], 1);
    let (status, valid) = client(&app, &["validate", &key, &tablet_id]).await;
    assert_eq!(status, 200);
    assert_eq!(valid["valid"], true);
    assert_eq!(valid["instance"]["id"], tablet_id.as_str());
    assert!(valid["license_file"].is_string());
    let (status, bare) = client(&app, &["validate", &key]).await;
    assert_eq!((status, &bare["valid"]), (200, &Value::Bool(true)));

    // A refund: validation fails from then on, and no new activation is made.
    app.shop().refund(&token, None).await.unwrap();
    let (status, refunded) = client(&app, &["validate", &key, &tablet_id]).await;
    assert_eq!(status, 400);
    assert_eq!(refunded["valid"], false);
    assert_eq!(
        refunded["error"],
        "This license key's purchase was refunded."
    );
    assert_eq!(refunded["license_key"]["status"], "disabled");
    assert!(refunded.get("license_file").is_none());
    let (status, _) = client(&app, &["activate", &key, "Another"]).await;
    assert_eq!(status, 400);
    let l = app.shop().license(&key).await.unwrap();
    assert_eq!(l.instances.len(), 1);
    assert_eq!(l.freed, 2);
}

#[tokio::test]
async fn hostile_requests_get_clear_errors_and_record_nothing() {
    let app = spawn_app().await;
    let (token, key) = bought_with_key(&app, "3", "a@example.com").await;
    let (other_token, other_key) = bought_with_key(&app, "3", "b@example.com").await;
    let post = |path: &'static str, form: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let res = app.post_form(&format!("/v1/licenses/{path}"), &form).await;
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.unwrap())
        }
    };
    let forged = uuid::Uuid::new_v4().to_string();
    let (s, v) = post(
        "activate",
        vec![("license_key", forged), ("instance_name", "x".into())],
    )
    .await;
    assert_eq!(
        (s, v["error"].as_str().unwrap()),
        (404, "license_key not found.")
    );
    for (field, form) in [
        (
            "license_key",
            vec![
                ("license_key", key[..30].to_string()),
                ("instance_name", "x".into()),
            ],
        ),
        ("license_key", vec![("instance_name", "x".to_string())]),
        (
            "license_key",
            vec![
                ("license_key", "K".repeat(10_000)),
                ("instance_name", "x".into()),
            ],
        ),
        (
            "instance_name",
            vec![
                ("license_key", key.clone()),
                ("instance_name", "n".repeat(101)),
            ],
        ),
        (
            "instance_name",
            vec![
                ("license_key", key.clone()),
                ("instance_name", "a\u{0}b".into()),
            ],
        ),
        ("instance_name", vec![("license_key", key.clone())]),
    ] {
        let (s, v) = post("activate", form).await;
        assert_eq!(s, 422, "{v}");
        assert_eq!(v["activated"], false);
        assert!(v["error"].as_str().unwrap().starts_with(field), "{v}");
    }
    let (s, v) = post("upgrade", vec![("license_key", key.clone())]).await;
    assert_eq!(s, 404, "{v}");
    // A body too big for any form, and JSON that is not an object of strings.
    let res = app
        .post_form_bytes("/v1/licenses/activate", vec![b'a'; 1 << 20])
        .await;
    assert_eq!(res.status(), 413);
    let res = app
        .http
        .post(app.url("/v1/licenses/validate"))
        .header("content-type", "application/json")
        .body("{\"license_key\": [1, 2]}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    // Another purchase's activation can't be freed from this page, nor checked with this key.
    let (_, theirs) = client(&app, &["activate", &other_key, "Theirs"]).await;
    let theirs_id = theirs["instance"]["id"].as_str().unwrap().to_string();
    let res = app
        .post_form(
            &format!("/d/{token}/free-activation"),
            &[("instance_id", &theirs_id)],
        )
        .await;
    assert_eq!(res.status(), 404);
    let res = app
        .post_form(
            "/d/not-a-token/free-activation",
            &[("instance_id", &theirs_id)],
        )
        .await;
    assert_eq!(res.status(), 404);
    let (s, _) = client(&app, &["validate", &key, &theirs_id]).await;
    assert_eq!(s, 404);
    assert_eq!(app.shop().license(&key).await.unwrap().instances.len(), 0);
    assert_eq!(
        app.shop()
            .license(&other_key)
            .await
            .unwrap()
            .instances
            .len(),
        1
    );
    let _ = other_token;

    // Twenty activations at once against a limit of 3: exactly 3 are made. A replayed
    // activation is a new one, counted like any other: it never gets past the limit.
    let calls = (0..20).map(|i| {
        let form = vec![
            ("license_key", key.clone()),
            ("instance_name", format!("Box {i}")),
        ];
        post("activate", form)
    });
    let answers = futures_util::future::join_all(calls).await;
    let made = answers.iter().filter(|(s, _)| *s == 200).count();
    assert_eq!(made, 3, "{answers:?}");
    assert!(answers.iter().all(|(s, _)| *s == 200 || *s == 400));
    assert_eq!(app.shop().license(&key).await.unwrap().instances.len(), 3);

    // License files: changed, cut short, another shop's, or huge are each refused.
    let pk = public_key(&app).await;
    let good = answers.iter().find(|(s, _)| *s == 200).unwrap().1["license_file"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(file::verify(&pk, &good).is_ok());
    let signed: Value = serde_json::from_str(&good).unwrap();
    let payload = String::from_utf8(base64_decode(signed["payload"].as_str().unwrap())).unwrap();
    let more = payload.replace("\"activation_limit\":3", "\"activation_limit\":300");
    assert_ne!(more, payload);
    let tampered = good.replace(
        signed["payload"].as_str().unwrap(),
        &base64_encode(more.as_bytes()),
    );
    let e = file::verify(&pk, &tampered).unwrap_err();
    assert!(e.to_string().contains("signature does not match"), "{e}");
    let py = python_result(&app, &["verify", &pk], Some(&tampered))
        .await
        .unwrap_err();
    assert!(py.contains("bad signature"), "Python agrees: {py}");
    for (program, script) in [
        ("node", "verify-license.mjs"),
        ("python3", "verify_license.py"),
    ] {
        let e = doc_example(program, script, &pk, &tampered)
            .await
            .unwrap_err();
        assert!(e.contains("bad signature"), "{script}: {e}");
    }
    assert!(file::verify(&pk, &good[..good.len() / 2]).is_err());
    let elsewhere = spawn_app().await;
    let other_pk = public_key(&elsewhere).await;
    assert_ne!(other_pk, pk);
    assert!(file::verify(&other_pk, &good).is_err());
    assert!(
        python_result(&elsewhere, &["verify", &other_pk], Some(&good))
            .await
            .is_err()
    );
    let huge = format!("{{\"payload\": \"{}\"}}", "A".repeat(1 << 20));
    assert!(file::verify(&pk, &huge)
        .unwrap_err()
        .to_string()
        .contains("too big"));

    // The seller's switches.
    let shop = app.shop();
    shop.set_license_disabled(&key, true).await.unwrap();
    let (s, v) = client(&app, &["validate", &key]).await;
    assert_eq!(
        (s, v["error"].as_str().unwrap()),
        (400, "This license key has been disabled by the seller.")
    );
    shop.set_license_disabled(&key, false).await.unwrap();
    assert_eq!(client(&app, &["validate", &key]).await.0, 200);
    for bad in ["0", "1001", "many", ""] {
        assert!(shop.set_license_limit(&key, bad).await.is_err(), "{bad}");
    }
    let l = shop.set_license_limit(&key, "4").await.unwrap();
    assert_eq!(l.activation_limit, 4);
    let instance = l.instances[0].id.clone();
    let l = shop.free_license_instance(&instance).await.unwrap();
    assert_eq!((l.instances.len(), l.freed), (2, 1));
    assert_eq!(
        shop.free_license_instance(&instance)
            .await
            .unwrap_err()
            .code(),
        "conflict"
    );
}

#[tokio::test]
async fn a_client_over_sixty_requests_a_minute_waits() {
    let app = spawn_app().await;
    let (_, key) = bought_with_key(&app, "1", "c@example.com").await;
    // Loopback with no tunnel vouching for the address: every caller is "unknown", and
    // shares six clients' allowance (ratelimit.rs), 360 a minute.
    let mut answered = 0;
    let refused = loop {
        let res = app
            .post_form("/v1/licenses/validate", &[("license_key", &key)])
            .await;
        if res.status() != 200 || answered > 400 {
            break res;
        }
        answered += 1;
    };
    assert_eq!(answered, 360);
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.headers()["retry-after"], "60");
    let v: Value = refused.json().await.unwrap();
    assert_eq!(v["valid"], false);
    // The shop's pages are not held up by it.
    assert_eq!(app.get("/").await.status(), 200);
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

fn base64_encode(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(b)
}
