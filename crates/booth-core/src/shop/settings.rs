//! The seller's settings, email templates, a test mail, and the dashboard.

use super::{Shop, EMAIL_TEMPLATES};
use crate::db::now;
use crate::domain::{escape_html, Email, Referral};
use crate::error::{Error, Problems, Result};
use crate::mail::{Envelope, Mailer};
use crate::settings::{self, SettingsInput, StoreInfo};
use crate::templates;
use crate::{secrets, stats};
use std::path::PathBuf;

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
        let change = input.check().map_err(Problems::first)?;
        let mut secrets = secrets::load(self.data_dir())?;
        let public_url = change
            .settings
            .iter()
            .find(|(k, _)| *k == settings::PUBLIC_URL)
            .map(|(_, v)| Some(v.clone()).filter(|v| !v.is_empty()));
        let pairs = change.settings;
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
            (&mut secrets.stripe_test_key, change.stripe_test_key),
            (&mut secrets.stripe_live_key, change.stripe_live_key),
            (&mut secrets.webhook_secret, change.webhook_secret),
            (&mut secrets.smtp_password, change.smtp_password),
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

    /// The consent wording to show a buyer before paying, in their language; None when the
    /// shop doesn't ask.
    pub async fn consent_for(
        &self,
        accept_language: &str,
    ) -> Result<Option<crate::consent::Wording>> {
        let lang = accept_language.chars().take(200).collect::<String>();
        self.db()
            .run(
                move |c| match settings::get(c, settings::CONSENT)?.as_deref() {
                    Some("yes") => crate::consent::for_buyer(c, &lang).map(Some),
                    _ => Ok(None),
                },
            )
            .await
    }

    pub async fn tax_settings(&self) -> Result<crate::tax::TaxSettings> {
        self.db().run(|c| crate::tax::TaxSettings::read(c)).await
    }

    /// Stores the tax and consent settings, all or none.
    pub async fn save_tax_settings(
        &self,
        s: &crate::tax::TaxSettings,
    ) -> Result<crate::tax::TaxSettings> {
        let pairs = s.check().map_err(Problems::first)?;
        self.db()
            .write(move |tx| {
                for (k, v) in &pairs {
                    settings::set(tx, k, v)?;
                }
                crate::tax::TaxSettings::read(tx)
            })
            .await
    }

    /// Are sales paused? (Product pages and Buy links then say "back soon".)
    pub async fn sales_paused(&self) -> Result<bool> {
        self.db()
            .run(|c| Ok(settings::get(c, settings::SALES_PAUSED)?.as_deref() == Some("yes")))
            .await
    }

    /// Pauses or resumes sales; a running shop sees it at its next request.
    pub async fn set_sales_paused(&self, paused: bool) -> Result<()> {
        self.set_setting(settings::SALES_PAUSED, if paused { "yes" } else { "no" })
            .await
    }

    /// The seller's choices for Booth around the shop (stay awake, notifications).
    pub async fn app_prefs(&self) -> Result<crate::app_prefs::AppPrefs> {
        self.db().run(|c| crate::app_prefs::AppPrefs::read(c)).await
    }

    pub async fn set_app_pref(&self, pref: crate::app_prefs::AppPref, on: bool) -> Result<()> {
        self.set_setting(pref.key(), if on { "yes" } else { "no" })
            .await
    }

    /// Sales after purchase `after`, oldest first, at most 20, as notifications word them.
    pub async fn sales_after(&self, after: i64) -> Result<Vec<crate::app_prefs::SaleNotice>> {
        self.db()
            .run(move |c| crate::app_prefs::sales_after(c, after, 20))
            .await
    }

    /// The newest purchase's id (0 with none).
    pub async fn newest_purchase(&self) -> Result<i64> {
        self.db()
            .run(|c| crate::app_prefs::newest_purchase(c))
            .await
    }

    /// The current consent wording of each language.
    pub async fn consent_wordings(&self) -> Result<Vec<crate::consent::Wording>> {
        self.db().run(|c| crate::consent::current(c)).await
    }

    /// A new version of a language's consent wording (earlier purchases keep theirs).
    pub async fn set_consent_wording(
        &self,
        lang: &str,
        text: &str,
    ) -> Result<crate::consent::Wording> {
        let (lang, text) = (lang.to_string(), text.to_string());
        self.db()
            .write(move |tx| crate::consent::set(tx, &lang, &text))
            .await
    }

    /// A buyer opened a product's page (for the dashboard's funnel).
    pub async fn record_visit(&self, product_id: i64, referral: &Referral) -> Result<()> {
        let source = referral.source().to_string();
        self.db()
            .write(move |tx| stats::count(tx, product_id, stats::Step::Visit, &source, now()))
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

    /// The first-run checklist (`setup::steps`).
    pub async fn setup_steps(&self) -> Result<Vec<crate::setup::SetupStep>> {
        let public = self.configured_url().is_some() || self.tunnel_on().await?;
        self.db().run(move |c| crate::setup::steps(c, public)).await
    }

    /// Whether the links the shop hands out (buy links, receipts, purchase pages) open
    /// only on this computer: no stable address is set and no tunnel is up.
    pub fn links_are_local(&self) -> bool {
        self.configured_url().is_none() && self.tunnel_url().is_none()
    }
}
