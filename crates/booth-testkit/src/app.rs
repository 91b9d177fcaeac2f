//! `spawn_app`: the whole shop on a random loopback port with a temporary data dir, the
//! Stripe simulator and a real SMTP server, like Zero To Production's black-box tests.

use crate::smtp::SmtpServer;
use booth_core::outbox::OutboxConfig;
use booth_core::purchases::Purchase;
use booth_core::ProductInput;
use booth_runtime::{RunConfig, Running};
use booth_server::ServerConfig;
use std::time::Duration;

pub const CARD_OK: &str = "4242 4242 4242 4242";
pub const CARD_DECLINED: &str = "4000 0000 0000 0002";
pub const CARD_NO_FUNDS: &str = "4000 0000 0000 9995";
pub const CARD_DISPUTED: &str = "4000 0000 0000 0259";

pub struct TestApp {
    pub running: Running,
    /// http://127.0.0.1:PORT
    pub base: String,
    /// Follows no redirects, so tests see each hop.
    pub http: reqwest::Client,
    pub smtp: SmtpServer,
    pub data_dir: tempfile::TempDir,
    pub stripe: stripe::Client,
}

#[derive(Debug, Clone)]
pub struct AppOptions {
    pub checkout_limit: u32,
    /// Timeouts, connection cap and the rest (checkout_limit above wins).
    pub server: ServerConfig,
    /// How often the shop asks "Stripe" for missed events (the production default unless set).
    pub catch_up_every: Option<Duration>,
}

impl Default for AppOptions {
    fn default() -> Self {
        AppOptions {
            checkout_limit: 1000,
            server: ServerConfig::default(),
            catch_up_every: None,
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(AppOptions::default()).await
}

pub async fn spawn_app_with(opts: AppOptions) -> TestApp {
    let smtp = SmtpServer::start();
    let data_dir = tempfile::tempdir().expect("temp dir");
    start_in(data_dir, smtp, opts).await
}

/// Starts the shop on an existing data dir (to test restarts) with the given SMTP server.
pub async fn start_in(data_dir: tempfile::TempDir, smtp: SmtpServer, opts: AppOptions) -> TestApp {
    let mut config = RunConfig::new(
        data_dir.path().to_path_buf(),
        "127.0.0.1:0".parse().unwrap(),
    );
    config.smtp_url = Some(booth_core::secrets::Secret::new(smtp.url()));
    config.outbox = OutboxConfig {
        retry_base: Duration::from_millis(200),
        max_attempts: 50,
        lease: Duration::from_secs(30),
        poll: Duration::from_millis(200),
        rate_per_sec: None,
    };
    config.server = ServerConfig {
        checkout_limit: opts.checkout_limit,
        checkout_window: Duration::from_secs(60),
        ..opts.server.clone()
    };
    config.sim_webhook_retry_base = Duration::from_millis(200);
    if let Some(every) = opts.catch_up_every {
        config.catch_up_every = every;
    }
    let running = booth_runtime::start(config).await.expect("the shop starts");
    let base = format!("http://{}", running.addr);
    let sim = running.simulator.as_ref().expect("simulated");
    let stripe = stripe::ClientBuilder::new(sim.secret_key())
        .url(sim.base_url())
        .build()
        .unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp {
        running,
        base,
        http,
        smtp,
        data_dir,
        stripe,
    }
}

/// Where a checkout went after the buyer paid.
pub struct Paid {
    pub session_id: String,
    /// Booth's /checkout/success?session_id=… URL the simulator redirected to.
    pub success_url: String,
}

impl TestApp {
    pub fn shop(&self) -> &booth_core::Shop {
        &self.running.shop
    }

    /// Stops the shop and hands back its data dir and SMTP server, for a restart.
    pub async fn stop(self) -> (tempfile::TempDir, SmtpServer) {
        self.running.shutdown().await;
        (self.data_dir, self.smtp)
    }

    /// Adds a product whose files are written from memory.
    pub async fn add_product(
        &self,
        slug: &str,
        price: &str,
        limit: &str,
        files: &[(&str, &[u8])],
    ) -> booth_core::catalog::Product {
        let dir = self.data_dir.path().join("uploads").join(slug);
        std::fs::create_dir_all(&dir).unwrap();
        let paths = files
            .iter()
            .map(|(name, bytes)| {
                let p = dir.join(name);
                std::fs::write(&p, bytes).unwrap();
                p
            })
            .collect();
        self.shop()
            .add_product(ProductInput {
                licenses: None,
                stamp: None,
                min_price: None,
                tax_code: None,
                name: format!("Product {slug}"),
                slug: Some(slug.into()),
                description: format!("All about {slug}."),
                price: price.into(),
                currency: "usd".into(),
                limit: Some(limit.into()),
                active: true,
                files: paths,
            })
            .await
            .expect("product added")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).send().await.expect("GET")
    }

    /// GET `path`: the status and the page's HTML as sent.
    pub async fn get_html(&self, path: &str) -> (u16, String) {
        let res = self.get(path).await;
        let status = res.status().as_u16();
        (status, res.text().await.expect("a body"))
    }

    /// GET an absolute URL (the simulator's hosted page, say): its text, whatever the status.
    pub async fn fetch_text(&self, url: &str) -> String {
        let res = self.http.get(url).send().await.expect("GET");
        res.text().await.expect("a body")
    }

    /// GET `path` with one more request header.
    pub async fn get_with(&self, path: &str, header: &str, value: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .header(header, value)
            .send()
            .await
            .expect("GET")
    }

    /// POSTs a form (pairs, encoded as a browser would) to `path`.
    pub async fn post_form<T: serde::Serialize + ?Sized>(
        &self,
        path: &str,
        form: &T,
    ) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .expect("POST")
    }

    /// POSTs `body` to `path` as it is, labelled as a form.
    pub async fn post_form_bytes(&self, path: &str, body: impl Into<Vec<u8>>) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.into())
            .send()
            .await
            .expect("POST")
    }

    /// GET /buy/{slug}: returns the hosted checkout page URL it redirects to.
    pub async fn buy(&self, slug: &str) -> String {
        let res = self.get(&format!("/buy/{slug}")).await;
        assert_eq!(res.status(), 303, "buy link should redirect to checkout");
        location(&res)
    }

    /// Submits the simulator's hosted page with a card; returns the raw response.
    pub async fn pay_with(&self, hosted_url: &str, email: &str, card: &str) -> reqwest::Response {
        pay_at(&self.http, hosted_url, email, card)
            .await
            .expect("pay")
    }

    /// Buys one product with the good card, up to the redirect back to Booth.
    pub async fn buy_and_pay(&self, slug: &str, email: &str) -> Paid {
        let hosted = self.buy(slug).await;
        self.pay(&hosted, email).await
    }

    pub async fn pay(&self, hosted: &str, email: &str) -> Paid {
        let res = self.pay_with(hosted, email, CARD_OK).await;
        assert_eq!(res.status(), 303, "payment should succeed");
        let success_url = location(&res);
        let session_id = success_url
            .split("session_id=")
            .nth(1)
            .expect("session id in success URL")
            .to_string();
        Paid {
            session_id,
            success_url,
        }
    }

    /// Pays a hosted page that collects an address (Stripe Tax on), as a buyer in `country`
    /// would: the page is first asked for the total with that country's tax (the hosted page
    /// charges only a total it has shown), then paid. `business` is (name, VAT number).
    pub async fn pay_taxed(
        &self,
        hosted: &str,
        email: &str,
        country: &str,
        business: Option<(&str, &str)>,
    ) -> reqwest::Response {
        let mut form = vec![
            ("email", email.to_string()),
            ("card_number", CARD_OK.to_string()),
            ("card_expiry", "12/34".to_string()),
            ("card_cvc", "123".to_string()),
            ("name", "Ada Buyer".to_string()),
            ("country", country.to_string()),
            ("line1", "1 Main Street".to_string()),
            ("city", "Capital".to_string()),
            ("postal_code", "10115".to_string()),
        ];
        if let Some((name, vat)) = business {
            form.push(("business", "on".into()));
            form.push(("business_name", name.into()));
            form.push(("tax_id", vat.into()));
        }
        let mut update = form.clone();
        update.push(("action", "update".into()));
        let page = self
            .http
            .post(hosted)
            .form(&update)
            .send()
            .await
            .expect("update");
        let page = page.text().await.expect("a page");
        let at = page
            .find("name=shown_total value=\"")
            .unwrap_or_else(|| panic!("the page shows no total: {page}"))
            + 24;
        let total: String = page[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        form.push(("shown_total", total));
        self.http
            .post(hosted)
            .form(&form)
            .send()
            .await
            .expect("pay")
    }

    /// Follows the success URL; returns the purchase token it redirects to.
    pub async fn complete(&self, paid: &Paid) -> String {
        let res = self.http.get(&paid.success_url).send().await.unwrap();
        assert_eq!(
            res.status(),
            303,
            "success page redirects to the purchase page"
        );
        let loc = location(&res);
        loc.strip_prefix("/d/").expect("purchase page").to_string()
    }

    /// A complimentary purchase of one product; returns its token.
    pub async fn grant_token(&self, slug: &str) -> String {
        self.shop()
            .grant(slug, "gift@example.com")
            .await
            .expect("grant")
            .token
    }

    /// The purchase behind `token`; panics if there is none.
    pub async fn purchase(&self, token: &str) -> Purchase {
        self.shop()
            .purchase(token)
            .await
            .expect("look up the purchase")
            .unwrap_or_else(|| panic!("no purchase {token}"))
    }

    /// A complimentary purchase of one product (as `grant_token`): the purchase, and the
    /// download path of its first file.
    pub async fn granted_download(&self, slug: &str) -> (Purchase, String) {
        let token = self.grant_token(slug).await;
        let p = self.purchase(&token).await;
        let path = download_path(&p);
        (p, path)
    }

    pub async fn purchases(&self) -> Vec<Purchase> {
        self.shop().list_purchases(None).await.unwrap()
    }

    /// Waits until the purchase for this session is recorded (by the webhook).
    pub async fn wait_for_purchase(&self, session_id: &str) -> Purchase {
        wait_for_session(self.shop(), session_id).await
    }

    /// Counts outbox rows of a kind for a purchase.
    pub async fn outbox_count(&self, kind: &str, purchase_id: i64) -> i64 {
        let kind = kind.to_string();
        self.shop()
            .db()
            .run(move |c| {
                Ok(c.query_row(
                    "SELECT count(*) FROM outbox WHERE kind = ?1 AND purchase_id = ?2",
                    rusqlite::params![kind, purchase_id],
                    |r| r.get(0),
                )?)
            })
            .await
            .unwrap()
    }

    pub fn webhook_secret(&self) -> String {
        self.shop()
            .payments()
            .unwrap()
            .webhook_secret()
            .expect("webhook secret")
            .expose()
            .to_string()
    }

    /// POSTs a webhook body with a Stripe-Signature made with `secret` at `timestamp`.
    pub async fn post_webhook(
        &self,
        payload: &str,
        secret: &str,
        timestamp: i64,
    ) -> reqwest::Response {
        self.http
            .post(self.url("/webhooks/stripe"))
            .header("stripe-signature", sign(payload, secret, timestamp))
            .header("content-type", "application/json")
            .body(payload.to_string())
            .send()
            .await
            .unwrap()
    }

    /// Pauses or resumes the simulator's deliveries to Booth (like disabling the endpoint in
    /// Stripe's dashboard).
    pub async fn set_webhooks_enabled(&self, enabled: bool) {
        use stripe_misc::webhook_endpoint::{ListWebhookEndpoint, UpdateWebhookEndpoint};
        let list = ListWebhookEndpoint::new().send(&self.stripe).await.unwrap();
        assert!(!list.data.is_empty(), "Booth registered its endpoint");
        for ep in list.data {
            UpdateWebhookEndpoint::new(ep.id)
                .disabled(!enabled)
                .send(&self.stripe)
                .await
                .unwrap();
        }
    }

    /// Points the simulator's endpoint for Booth somewhere else (a tunnel gone down, say);
    /// returns the URL it had.
    pub async fn set_webhook_url(&self, url: &str) -> String {
        use stripe_misc::webhook_endpoint::{ListWebhookEndpoint, UpdateWebhookEndpoint};
        let list = ListWebhookEndpoint::new().send(&self.stripe).await.unwrap();
        assert_eq!(list.data.len(), 1, "Booth registered one endpoint");
        let ep = list.data.into_iter().next().unwrap();
        UpdateWebhookEndpoint::new(ep.id)
            .url(url)
            .send(&self.stripe)
            .await
            .unwrap();
        ep.url
    }

    /// Ids of events the simulator has tried and failed to deliver (and still owes).
    pub async fn undelivered_events(&self) -> Vec<String> {
        let res = self.sim_events("delivery_success=false&limit=100").await;
        res["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_string())
            .collect()
    }

    /// The raw JSON of the newest event of a type, as the simulator would deliver it.
    pub async fn latest_event_json(&self, type_: &str) -> String {
        let list = self.sim_events(&format!("type={type_}&limit=1")).await;
        let ev = list["data"][0].clone();
        assert!(ev.is_object(), "no {type_} event in the simulator: {list}");
        ev.to_string()
    }

    /// The simulator's `GET /v1/events?{query}`, as JSON.
    async fn sim_events(&self, query: &str) -> serde_json::Value {
        let sim = self.running.simulator.as_ref().unwrap();
        self.http
            .get(format!("{}v1/events?{query}", sim.base_url()))
            .bearer_auth(sim.secret_key())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

/// Stripe's signature scheme: t=<ts>,v1=<hex HMAC-SHA256(secret, "<ts>.<payload>")>.
pub fn sign(payload: &str, secret: &str, timestamp: i64) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{payload}").as_bytes());
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// Submits a hosted checkout page (the simulator's) as the buyer would, with a card that
/// expires 12/34 and CVC 123.
pub async fn pay_at(
    http: &reqwest::Client,
    hosted_url: &str,
    email: &str,
    card: &str,
) -> reqwest::Result<reqwest::Response> {
    http.post(hosted_url)
        .form(&[
            ("email", email),
            ("card_number", card),
            ("card_expiry", "12/34"),
            ("card_cvc", "123"),
        ])
        .send()
        .await
}

/// Waits (15 s at most) until `shop` has recorded the purchase for this Checkout Session.
pub async fn wait_for_session(shop: &booth_core::Shop, session_id: &str) -> Purchase {
    for _ in 0..150 {
        if let Some(p) = shop
            .list_purchases(None)
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.checkout_session_id.as_deref() == Some(session_id))
        {
            return p;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("purchase for {session_id} was never recorded");
}

/// `/d/{token}/{file}`: where the first file of the purchase's first item downloads.
pub fn download_path(p: &Purchase) -> String {
    format!("/d/{}/{}", p.token, p.items[0].files[0].file.id)
}

/// A page's HTML with minijinja's escaped slashes (`&#x2f;`) turned back, as a browser
/// reads it.
pub fn unescape_slashes(html: &str) -> String {
    html.replace("&#x2f;", "/")
}

/// Polls `f` every 100 ms until it holds; panics after 20 s.
pub async fn wait_until<F, Fut>(mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if f().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("condition never became true");
}

pub fn now() -> i64 {
    booth_core::db::now()
}

pub fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .expect("a Location header")
        .to_str()
        .unwrap()
        .to_string()
}

/// Every object of a list endpoint of the simulator (or Stripe), following `has_more`.
/// `path` is relative to the API base and may carry a query, e.g.
/// `v1/events?type=checkout.session.completed`. `key` is the API key (the simulator's own).
pub async fn list_all(
    http: &reqwest::Client,
    api_base: &str,
    key: &str,
    path: &str,
) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    let sep = if path.contains('?') { '&' } else { '?' };
    loop {
        let mut url = format!("{api_base}{path}{sep}limit=100");
        if let Some(a) = &after {
            url.push_str(&format!("&starting_after={a}"));
        }
        let page: serde_json::Value = http
            .get(&url)
            .bearer_auth(key)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {url}: {e}"))
            .json()
            .await
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        let data = page["data"].as_array().cloned().unwrap_or_default();
        after = data.last().and_then(|o| o["id"].as_str()).map(String::from);
        out.extend(data);
        if page["has_more"] != true || after.is_none() {
            return out;
        }
    }
}
