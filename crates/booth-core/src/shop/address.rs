//! Where buyers reach the shop: the stable address, the running tunnel's, the listen
//! address; the tunnel's settings and incident log; Booth's webhook endpoint.

use super::Shop;
use crate::domain::PublicUrl;
use crate::error::{Error, Result};
use crate::payments::WebhookWiring;
use crate::secrets;
use crate::secrets::Secret;
use crate::settings::{self};
use crate::tunnel::{self, TunnelInput, TunnelSpec};

impl Shop {
    /// The base of links that must keep working (emails, purchase pages): the seller's
    /// stable address if set, else the running tunnel's, else the local address.
    pub fn public_url(&self) -> String {
        let u = self.inner.urls.read().expect("lock");
        u.configured
            .clone()
            .or_else(|| u.tunnel.clone())
            .unwrap_or_else(|| u.local.clone())
    }

    /// Where Checkout sends the buyer back: the tunnel they came through when it runs
    /// (it answers right now), else the same base as `public_url`.
    pub fn checkout_base_url(&self) -> String {
        let u = self.inner.urls.read().expect("lock");
        u.tunnel
            .clone()
            .or_else(|| u.configured.clone())
            .unwrap_or_else(|| u.local.clone())
    }

    /// The stable address the seller set, if any.
    pub fn configured_url(&self) -> Option<String> {
        self.inner.urls.read().expect("lock").configured.clone()
    }

    pub fn tunnel_url(&self) -> Option<String> {
        self.inner.urls.read().expect("lock").tunnel.clone()
    }

    /// Sets (or with "" clears) the stable URL buyers reach the shop at.
    pub async fn set_public_url(&self, url: &str) -> Result<()> {
        let url = match url.trim() {
            "" => None,
            u => Some(PublicUrl::parse(u)?.into_string()),
        };
        let stored = url.clone().unwrap_or_default();
        self.db()
            .write(move |tx| settings::set(tx, settings::PUBLIC_URL, &stored))
            .await?;
        self.inner.urls.write().expect("lock").configured = url;
        Ok(())
    }

    /// The address the server listens at, for when there is nothing better.
    pub fn set_local_url(&self, url: String) {
        self.inner.urls.write().expect("lock").local = url;
    }

    /// The running tunnel's public address (None when it stops).
    pub fn set_tunnel_url(&self, url: Option<String>) {
        self.inner.urls.write().expect("lock").tunnel = url;
    }

    pub fn purchase_url(&self, token: &str) -> String {
        format!("{}/d/{token}", self.public_url())
    }

    /// This shop's random id (made on first use), to tell its webhook endpoint from others
    /// on the same Stripe account.
    pub async fn shop_id(&self) -> Result<String> {
        self.db()
            .write(|tx| {
                if let Some(id) = settings::get(tx, settings::SHOP_ID)? {
                    return Ok(id);
                }
                let id = uuid::Uuid::new_v4().simple().to_string();
                tx.execute(
                    "INSERT INTO settings (key, value) VALUES (?1, ?2)",
                    rusqlite::params![settings::SHOP_ID, id],
                )?;
                Ok(id)
            })
            .await
    }

    pub async fn tunnel_spec(&self) -> Result<Option<TunnelSpec>> {
        let Some(json) = self.setting(settings::TUNNEL).await? else {
            return Ok(None);
        };
        serde_json::from_str(&json)
            .map(Some)
            .map_err(|e| Error::Internal(format!("the saved tunnel setting is damaged: {e}")))
    }

    /// Whether the tunnel starts with the shop (the seller last pressed Start, not Stop).
    pub async fn tunnel_on(&self) -> Result<bool> {
        Ok(self.setting(settings::TUNNEL_ON).await?.as_deref() == Some("yes"))
    }

    pub async fn set_tunnel_on(&self, on: bool) -> Result<()> {
        let value = if on { "yes" } else { "no" };
        self.db()
            .write(move |tx| settings::set(tx, settings::TUNNEL_ON, value))
            .await
    }

    pub fn tunnel_token(&self) -> Result<Option<Secret>> {
        Ok(secrets::load(self.data_dir())?.tunnel_token)
    }

    /// Saves the tunnel the seller picked. `token`: None leaves the saved one, "" removes it.
    pub async fn save_tunnel(
        &self,
        input: &TunnelInput,
        token: Option<&str>,
    ) -> Result<TunnelSpec> {
        let spec = TunnelSpec::parse(input)?;
        let token = tunnel::parse_token(token)?;
        let saved = token.is_none() && self.tunnel_token()?.is_some();
        spec.provider.check_token(&token, saved)?;
        let json = serde_json::to_string(&spec).expect("json");
        self.db()
            .write(move |tx| settings::set(tx, settings::TUNNEL, &json))
            .await?;
        if let Some(token) = token {
            let mut s = secrets::load(self.data_dir())?;
            if s.tunnel_token != token {
                s.tunnel_token = token;
                secrets::save(self.data_dir(), &s)?;
            }
        }
        Ok(spec)
    }

    /// Notes what happened to the tunnel. A log that can't be written must not stop it.
    pub async fn log_tunnel(&self, kind: &'static str, message: String) {
        tracing::info!(kind, message, "tunnel");
        let r = self
            .db()
            .write(move |tx| tunnel::log(tx, kind, &message))
            .await;
        if let Err(e) = r {
            tracing::warn!(error = %e, "couldn't write the tunnel log");
        }
    }

    pub async fn tunnel_log(&self, limit: usize) -> Result<Vec<tunnel::LogEntry>> {
        self.db().run(move |c| tunnel::recent_log(c, limit)).await
    }

    /// Points the webhook endpoint Booth manages at `<public URL>/webhooks/stripe`, creating
    /// it if needed, and keeps its secret: in memory for the simulator, with the other
    /// secrets for Stripe. Says in words where events now go.
    pub async fn connect_webhook(&self) -> Result<String> {
        let payments = self.payments()?;
        let url = format!("{}/webhooks/stripe", self.public_url());
        if payments.manual_webhook() {
            return Ok(format!(
                "You manage the webhook endpoint yourself (its signing secret is saved); Booth's address for it is {url}"
            ));
        }
        // Only the listen address is out of Stripe's reach; a tunnel's or the seller's
        // address is taken as public (a tunnel's is checked through it every minute).
        let only_local = self.configured_url().is_none() && self.tunnel_url().is_none();
        if !payments.simulated() && only_local {
            return Err(Error::Payment(format!(
                "Stripe can't reach {url}: start a tunnel, or set the shop's public address, so Stripe can send payment events"
            )));
        }
        if !payments.test_mode() && url.starts_with("http://") {
            return Err(Error::Payment(format!(
                "Stripe sends live events only to https addresses, and {url} is plain http: use an https tunnel (Cloudflare, ngrok) or address"
            )));
        }
        let shop_id = self.shop_id().await?;
        let wiring = payments
            .ensure_webhook_endpoint(&url, &shop_id, payments.endpoint_id().as_deref())
            .await?;
        payments.set_endpoint_id(wiring.id());
        if let WebhookWiring::Created { id, secret } = &wiring {
            payments.set_webhook_secret(Secret::new(secret.as_str()));
            if !payments.simulated() {
                let mut s = secrets::load(self.data_dir())?;
                s.managed_webhook = Some(secrets::ManagedWebhook {
                    endpoint_id: id.clone(),
                    secret: Secret::new(secret.as_str()),
                    livemode: !payments.test_mode(),
                });
                secrets::save(self.data_dir(), &s)?;
            }
        }
        let (who, what) = if payments.simulated() {
            ("The simulator", "its endpoint")
        } else {
            ("Stripe", "Booth's endpoint")
        };
        Ok(match wiring {
            WebhookWiring::Unchanged { .. } => format!("{who} sends payment events to {url}"),
            WebhookWiring::Updated { .. } => {
                format!("{who} now sends payment events to {url} ({what} was updated)")
            }
            WebhookWiring::Created { .. } => {
                format!("{who} sends payment events to {url} ({what} was created)")
            }
        })
    }
}
