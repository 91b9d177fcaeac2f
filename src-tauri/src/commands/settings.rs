//! Settings: the store, the server, payments, email and its templates.

use super::app::saved_mode;
use super::S;
use crate::error::{all, mistake, CmdError, CmdResult, Mistakes};
use booth_core::domain::Email;
use booth_core::settings::{self, PaymentsMode, SettingsInput};
use booth_core::{secrets, templates};
use booth_runtime::RunConfig;
use serde::Serialize;

#[derive(Serialize, specta::Type)]
pub struct TemplateInfo {
    name: String,
    /// The seller has their own copy.
    overridden: bool,
}

#[derive(Serialize, specta::Type)]
pub struct SettingsView {
    store_name: String,
    from_address: String,
    support_email: String,
    /// The stable public address, "" when there is none.
    public_url: String,
    /// host:port the shop server listens on.
    listen: String,
    payments: PaymentsMode,
    stripe_test_key_set: bool,
    stripe_live_key_set: bool,
    webhook_secret_set: bool,
    /// smtp://user@host:port without the password; empty: mail goes to the local outbox folder.
    smtp_url: String,
    smtp_password_set: bool,
    secrets_store: String,
    /// Where seller-edited templates override the built-in ones.
    templates_dir: String,
    templates: Vec<TemplateInfo>,
}

#[tauri::command]
#[specta::specta]
pub async fn settings(state: S<'_>) -> CmdResult<SettingsView> {
    let shop = state.shop().await?;
    let info = shop.store_info().await?;
    let secrets = secrets::load(&state.data_dir)?;
    let mut templates: Vec<TemplateInfo> =
        templates::list(booth_server::PAGE_TEMPLATES, &shop.templates_dir())
            .into_iter()
            .map(|(name, overridden)| TemplateInfo { name, overridden })
            .collect();
    templates.extend(
        shop.email_templates()
            .into_iter()
            .map(|(name, overridden)| TemplateInfo {
                name: format!("email/{name}"),
                overridden,
            }),
    );
    // What the seller saved, "" where nothing is: the placeholders pages and mail fall back
    // on aren't the seller's settings (the first-run checklist asks for them).
    let store_name = shop.setting(settings::STORE_NAME).await?;
    let from_address = shop.setting(settings::FROM_ADDRESS).await?;
    Ok(SettingsView {
        store_name: store_name.unwrap_or_default(),
        from_address: from_address.unwrap_or_default(),
        support_email: info.support_email,
        public_url: shop.configured_url().unwrap_or_default(),
        listen: shop
            .setting(settings::LISTEN)
            .await?
            .unwrap_or_else(|| settings::DEFAULT_LISTEN.into()),
        payments: saved_mode(shop.setting(settings::PAYMENTS).await?),
        stripe_test_key_set: secrets.stripe_test_key.is_some(),
        stripe_live_key_set: secrets.stripe_live_key.is_some(),
        webhook_secret_set: secrets.webhook_secret.is_some(),
        smtp_url: shop.setting(settings::SMTP_URL).await?.unwrap_or_default(),
        smtp_password_set: secrets.smtp_password.is_some(),
        secrets_store: secrets::describe(&state.data_dir),
        templates_dir: shop.templates_dir().display().to_string(),
        templates,
    })
}

/// One section's fields (those left out aren't checked), against the saved secrets.
#[tauri::command]
#[specta::specta]
pub async fn validate_settings(state: S<'_>, input: SettingsInput) -> CmdResult<Mistakes> {
    let saved = secrets::load(&state.data_dir)?;
    Ok(all(input.check_form(&saved)))
}

/// Saves; on invalid_input, `field` names the SettingsInput key. Mail settings apply at
/// once; restart the shop to apply listen and payments.
#[tauri::command]
#[specta::specta]
pub async fn save_settings(state: S<'_>, input: SettingsInput) -> CmdResult<SettingsView> {
    let mail = input.smtp_url.is_some() || input.smtp_password.is_some();
    state.shop().await?.save_settings(input).await?;
    if mail {
        state.apply_mail_settings().await?;
    }
    settings(state).await
}

#[derive(Serialize, specta::Type)]
pub struct StripeCheck {
    ok: bool,
    /// e.g. "Stripe accepted the test key." or why not.
    message: String,
}

/// Checks a Stripe key (or the saved one for `mode` when `key` is "") with one API call.
#[tauri::command]
#[specta::specta]
pub async fn check_stripe(state: S<'_>, mode: String, key: String) -> CmdResult<StripeCheck> {
    let key = match (mode.as_str(), key.trim()) {
        ("simulated", _) => {
            let shop = state.running_shop().await?;
            return Ok(match shop.payments()?.check().await {
                Ok(()) => StripeCheck {
                    ok: true,
                    message: "The built-in simulator is answering. No keys needed.".into(),
                },
                Err(e) => StripeCheck {
                    ok: false,
                    message: e.to_string(),
                },
            });
        }
        ("test", "") => secrets::load(&state.data_dir)?.stripe_test_key,
        ("live", "") => secrets::load(&state.data_dir)?.stripe_live_key,
        ("test" | "live", k) => Some(secrets::Secret::new(k)),
        _ => {
            return Err(CmdError::invalid(
                "payments",
                "payments are simulated, test or live",
            ))
        }
    };
    let field = if mode == "test" {
        "stripe_test_key"
    } else {
        "stripe_live_key"
    };
    let key = key.ok_or_else(|| CmdError::invalid(field, "enter a secret key first"))?;
    let key = secrets::check_stripe_key(mode == "live", key.expose())?;
    let config = booth_core::payments::StripeConfig {
        secret_key: key,
        api_base: std::env::var("STRIPE_API_BASE").ok(),
        webhook_secret: None,
    };
    let payments = booth_core::payments::Payments::new(&config, false)?;
    Ok(match payments.check().await {
        Ok(()) => StripeCheck {
            ok: true,
            message: format!("Stripe accepted the {mode} key."),
        },
        Err(e) => StripeCheck {
            ok: false,
            message: e.to_string(),
        },
    })
}

/// The address a test mail would go to.
#[tauri::command]
#[specta::specta]
pub async fn validate_test_mail(to: String) -> Mistakes {
    mistake(Email::parse(&to))
}

/// Sends a test message now through the saved mail settings (the ones the shop uses).
#[tauri::command]
#[specta::specta]
pub async fn send_test_mail(state: S<'_>, to: String) -> CmdResult<String> {
    let shop = state.shop().await?;
    let config = RunConfig::from_saved(state.data_dir.clone())?;
    let smtp_url = config.smtp_url.as_ref().map(secrets::Secret::expose);
    let mailer = booth_runtime::mailer_for(&shop, smtp_url, true).await?;
    Ok(shop.send_test_mail(&mailer, &to).await?)
}

/// Copies a built-in template into the templates folder for editing; answers its path.
#[tauri::command]
#[specta::specta]
pub async fn customize_template(state: S<'_>, name: String) -> CmdResult<String> {
    let shop = state.shop().await?;
    let path = match name.strip_prefix("email/") {
        Some(email) => shop.customize_email_template(email)?,
        None => templates::customize(booth_server::PAGE_TEMPLATES, &shop.templates_dir(), &name)?,
    };
    Ok(path.display().to_string())
}
