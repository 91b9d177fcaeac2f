//! The seller's settings, email templates, a test mail, and the dashboard.

use super::{Shop, EMAIL_TEMPLATES};
use crate::db::now;
use crate::domain::{escape_html, Email, PublicUrl};
use crate::error::{Error, Result};
use crate::mail::{Envelope, Mailer};
use crate::secrets::Secret;
use crate::settings::{self, StoreInfo};
use crate::templates;
use crate::{secrets, stats};
use serde::Deserialize;
use std::path::PathBuf;

/// What the seller changed in Settings; None leaves a value alone, and for a secret ""
/// removes it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SettingsInput {
    pub store_name: Option<String>,
    pub from_address: Option<String>,
    pub support_email: Option<String>,
    pub public_url: Option<String>,
    pub listen: Option<String>,
    pub payments: Option<String>,
    pub stripe_test_key: Option<String>,
    pub stripe_live_key: Option<String>,
    pub webhook_secret: Option<String>,
    pub smtp_url: Option<String>,
    pub smtp_password: Option<String>,
}

impl Shop {
    pub async fn store_info(&self) -> Result<StoreInfo> {
        self.db().run(|c| settings::store_info(c)).await
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        let (key, value) = (key.to_string(), value.to_string());
        if key == settings::PUBLIC_URL {
            return self.set_public_url(&value).await;
        }
        self.db()
            .write(move |tx| settings::set(tx, &key, &value))
            .await
    }

    /// A setting's stored value, if any.
    pub async fn setting(&self, key: &'static str) -> Result<Option<String>> {
        self.db().run(move |c| settings::get(c, key)).await
    }

    /// Saves what the seller changed in Settings: every field is checked before anything
    /// is stored, settings go to the database in one transaction, secrets to their file.
    pub async fn save_settings(&self, input: SettingsInput) -> Result<()> {
        let mut secrets = secrets::load(self.data_dir())?;
        // None leaves a secret alone, "" removes it, anything else is checked.
        let secret = |v: &Option<String>,
                      check: &dyn Fn(&str) -> Result<Secret>|
         -> Result<Option<Option<Secret>>> {
            v.as_deref()
                .map(|v| match v {
                    "" => Ok(None),
                    v => check(v).map(Some),
                })
                .transpose()
        };
        let test_key = secret(&input.stripe_test_key, &|v| {
            secrets::check_stripe_key(false, v)
        })?;
        let live_key = secret(&input.stripe_live_key, &|v| {
            secrets::check_stripe_key(true, v)
        })?;
        let webhook = secret(&input.webhook_secret, &|v| {
            secrets::check("webhook_secret", v, &["whsec_"])
        })?;
        let smtp_password = secret(&input.smtp_password, &|v| {
            secrets::check_password("smtp_password", v)
        })?;

        let pairs: Vec<(&'static str, String)> = [
            (settings::STORE_NAME, &input.store_name),
            (settings::FROM_ADDRESS, &input.from_address),
            (settings::SUPPORT_EMAIL, &input.support_email),
            (settings::PUBLIC_URL, &input.public_url),
            (settings::LISTEN, &input.listen),
            (settings::PAYMENTS, &input.payments),
            (settings::SMTP_URL, &input.smtp_url),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (k, v.trim().to_string())))
        .collect();
        let public_url = pairs
            .iter()
            .find(|(k, _)| *k == settings::PUBLIC_URL)
            .map(|(_, v)| match v.as_str() {
                "" => Ok(None),
                v => PublicUrl::parse(v).map(|u| Some(u.into_string())),
            })
            .transpose()?;
        self.db()
            .write(move |tx| {
                for (k, v) in &pairs {
                    settings::set(tx, k, v)?;
                }
                Ok(())
            })
            .await?;
        if let Some(url) = public_url {
            self.inner.urls.write().expect("lock").configured = url;
        }
        let before = secrets.clone();
        for (slot, new) in [
            (&mut secrets.stripe_test_key, test_key),
            (&mut secrets.stripe_live_key, live_key),
            (&mut secrets.webhook_secret, webhook),
            (&mut secrets.smtp_password, smtp_password),
        ] {
            if let Some(v) = new {
                *slot = v;
            }
        }
        if secrets != before {
            secrets::save(self.data_dir(), &secrets)?;
        }
        Ok(())
    }

    /// Sends a short message straight through `mailer` (not the outbox), so the seller
    /// sees at once whether their mail settings work.
    pub async fn send_test_mail(&self, mailer: &Mailer, to: &str) -> Result<String> {
        let to = Email::parse(to)?;
        let store = self.store_info().await?;
        let from = self.db().run(|c| settings::sender(c)).await?;
        let text = format!(
            "This is a test message from {}.\n\nIf you can read it, Booth can deliver receipts and updates to your buyers.\n",
            store.store_name
        );
        let subject = format!("Test message from {}", store.store_name);
        let html = format!(
            "<p>{}</p>",
            escape_html(text.trim()).replace("\n\n", "</p><p>")
        );
        let message_id = format!("<test-{}@booth>", uuid::Uuid::new_v4());
        let envelope = Envelope {
            kind: "test",
            recipient: to.as_str(),
            subject: &subject,
            body_text: &text,
            body_html: &html,
            unsubscribe_url: None,
            message_id: &message_id,
        };
        mailer
            .send(&from, &envelope)
            .await
            .map_err(|e| Error::Mail(e.message))?;
        Ok(format!(
            "Sent to {} through {}",
            to.as_str(),
            mailer.describe()
        ))
    }

    /// The email templates, and whether the seller has overridden each.
    pub fn email_templates(&self) -> Vec<(String, bool)> {
        templates::list(EMAIL_TEMPLATES, &self.email_templates_dir())
    }

    /// Copies a built-in email template into the overrides folder for the seller to edit.
    pub fn customize_email_template(&self, name: &str) -> Result<PathBuf> {
        templates::customize(EMAIL_TEMPLATES, &self.email_templates_dir(), name)
    }

    pub fn templates_dir(&self) -> PathBuf {
        self.inner.dir.templates()
    }

    pub(super) fn email_templates_dir(&self) -> PathBuf {
        self.inner.dir.email_templates()
    }

    /// A buyer opened a product's page (for the dashboard's funnel).
    pub async fn record_visit(&self, product_id: i64) -> Result<()> {
        self.db()
            .write(move |tx| stats::count(tx, product_id, stats::Step::Visit, now()))
            .await
    }

    /// Revenue, purchases and the funnel over the last `days` days. A shop taking test
    /// payments (or simulated ones) looks at its test purchases, a live shop at live ones.
    pub async fn dashboard(&self, days: u32) -> Result<stats::Dashboard> {
        let test = self.payments().map(|p| p.test_mode()).unwrap_or(true);
        self.db()
            .run(move |c| stats::dashboard(c, days, test, now()))
            .await
    }
}
