//! The window's commands: each a thin call into booth-core, errors as `{code, message}`.
//! Nothing here is reachable over HTTP; the shop server only serves buyers.

use crate::error::{CmdError, CmdResult};
use crate::state::AppState;
use booth_core::catalog::Product;
use booth_core::domain::escape_html;
use booth_core::mailing::{Failure, MailingSummary};
use booth_core::outbox::OutboxRow;
use booth_core::purchases::Purchase;
use booth_core::shop::{
    MailingPreview, MailingRequest, ProductEditInput, PurchaseDetail, SettingsInput,
};
use booth_core::stats::Dashboard;
use booth_core::tunnel::{self, LogEntry, Provider, TunnelInput, TunnelStatus};
use booth_core::{secrets, settings, ProductInput};
use booth_runtime::RunConfig;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use tauri::{AppHandle, Manager, State, WebviewUrl, WebviewWindowBuilder};
use tauri_plugin_shell::ShellExt;

type S<'a> = State<'a, AppState>;

// ---- the shell ----------------------------------------------------------------------

#[derive(Serialize)]
pub struct Status {
    running: bool,
    error: Option<CmdError>,
    mode: String,
    listen: String,
    public_url: String,
    data_dir: String,
    secrets_store: String,
    store_name: String,
    version: &'static str,
    tunnel: TunnelStatus,
}

#[tauri::command]
pub async fn status(state: S<'_>) -> CmdResult<Status> {
    let (running, error, addr, simulated) = state.snapshot().await;
    let mut status = Status {
        running,
        error,
        mode: "simulated".into(),
        listen: addr.unwrap_or_else(|| settings::DEFAULT_LISTEN.into()),
        public_url: String::new(),
        data_dir: state.data_dir.display().to_string(),
        secrets_store: secrets::describe(&state.data_dir),
        store_name: "Booth".into(),
        version: env!("CARGO_PKG_VERSION"),
        tunnel: state.tunnel_status().await,
    };
    // An unusable data dir is itself the status to show, not a failure to report one.
    let shop = match state.shop().await {
        Ok(shop) => shop,
        Err(e) => {
            status.error.get_or_insert(e);
            return Ok(status);
        }
    };
    status.mode = match (simulated, shop.payments()) {
        (Some(true), _) => "simulated".into(),
        (Some(false), Ok(p)) if p.test_mode() => "test".into(),
        (Some(false), Ok(_)) => "live".into(),
        _ => shop
            .setting(settings::PAYMENTS)
            .await?
            .unwrap_or_else(|| "simulated".into()),
    };
    if !running {
        if let Some(listen) = shop.setting(settings::LISTEN).await? {
            status.listen = listen;
        }
    }
    status.public_url = shop.public_url();
    status.store_name = shop.store_info().await?.store_name;
    Ok(status)
}

#[tauri::command]
pub async fn restart_shop(state: S<'_>) -> CmdResult<Status> {
    state.restart().await;
    status(state).await
}

/// Opens a web page (a product page, a buyer's link) in the seller's browser.
#[tauri::command]
pub async fn open_external(app: AppHandle, url: String) -> CmdResult<()> {
    let ok = url::Url::parse(&url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
    if !ok {
        return Err(CmdError::invalid(
            "url",
            "only web pages (http or https) can be opened",
        ));
    }
    #[allow(deprecated)] // tauri-plugin-shell's open is the design card's choice
    app.shell()
        .open(&url, None)
        .map_err(|e| CmdError::new("internal", format!("couldn't open a browser: {e}")))
}

// ---- dashboard ------------------------------------------------------------------------

#[tauri::command]
pub async fn dashboard(state: S<'_>, days: u32) -> CmdResult<Dashboard> {
    Ok(state.shop().await?.dashboard(days).await?)
}

// ---- products -------------------------------------------------------------------------

#[derive(Deserialize)]
pub struct ProductForm {
    name: String,
    slug: Option<String>,
    description: String,
    price: String,
    currency: String,
    limit: String,
    active: bool,
    files: Vec<PathBuf>,
}

#[tauri::command]
pub async fn list_products(state: S<'_>) -> CmdResult<Vec<Product>> {
    Ok(state.shop().await?.list_products(false).await?)
}

#[tauri::command]
pub async fn create_product(state: S<'_>, input: ProductForm) -> CmdResult<Product> {
    let input = ProductInput {
        name: input.name,
        slug: input.slug.filter(|s| !s.trim().is_empty()),
        description: input.description,
        price: input.price,
        currency: input.currency,
        limit: Some(input.limit).filter(|l| !l.trim().is_empty()),
        active: input.active,
        files: input.files,
    };
    Ok(state.shop().await?.add_product(input).await?)
}

#[tauri::command]
pub async fn edit_product(
    state: S<'_>,
    slug: String,
    edit: ProductEditInput,
) -> CmdResult<Product> {
    Ok(state.shop().await?.edit_product_input(&slug, edit).await?)
}

#[tauri::command]
pub async fn add_files(state: S<'_>, slug: String, paths: Vec<PathBuf>) -> CmdResult<Product> {
    let shop = state.shop().await?;
    if paths.is_empty() {
        return Err(CmdError::invalid("file", "choose at least one file"));
    }
    let mut product = None;
    for path in paths {
        product = Some(shop.add_file(&slug, path).await?);
    }
    Ok(product.expect("at least one file"))
}

#[tauri::command]
pub async fn new_version(
    state: S<'_>,
    slug: String,
    file: String,
    path: PathBuf,
    version: String,
) -> CmdResult<String> {
    let label = Some(version).filter(|v| !v.trim().is_empty());
    Ok(state
        .shop()
        .await?
        .new_version(&slug, &file, path, label)
        .await?)
}

#[derive(Serialize)]
pub struct ProductLinks {
    page_url: String,
    buy_url: String,
    button_html: String,
}

#[tauri::command]
pub async fn product_links(state: S<'_>, slug: String) -> CmdResult<ProductLinks> {
    let shop = state.shop().await?;
    let p = shop
        .product(&slug)
        .await?
        .ok_or_else(|| CmdError::new("not_found", format!("no product with the slug '{slug}'")))?;
    let base = shop.public_url();
    let buy_url = format!("{base}/buy/{}", p.slug);
    let label = format!("Buy {} – {}", p.name, p.price().format());
    Ok(ProductLinks {
        page_url: format!("{base}/p/{}", p.slug),
        button_html: format!(
            "<a href=\"{buy_url}\" style=\"display:inline-block;padding:12px 22px;border-radius:8px;background:#4f46e5;color:#fff;font:600 16px/1.2 system-ui,sans-serif;text-decoration:none\">{}</a>",
            escape_html(&label)
        ),
        buy_url,
    })
}

/// Opens the product's checkout (the simulator's, or Stripe's in test mode) in a second
/// window. It has no access to commands: it is a web page like any buyer sees.
#[tauri::command]
pub async fn open_test_purchase(app: AppHandle, state: S<'_>, slug: String) -> CmdResult<()> {
    let shop = state.running_shop().await?;
    if shop.payments().is_ok_and(|p| !p.test_mode()) {
        return Err(CmdError::new(
            "conflict",
            "The shop takes live payments: a test purchase would charge a real card. Switch payments to simulated or Stripe test mode in Settings.",
        ));
    }
    let url = shop.start_checkout(&[slug]).await?;
    let url = url::Url::parse(&url)
        .map_err(|e| CmdError::new("payment_provider", format!("bad checkout URL: {e}")))?;
    if let Some(old) = app.get_webview_window("checkout") {
        old.destroy()?;
    }
    WebviewWindowBuilder::new(&app, "checkout", WebviewUrl::External(url))
        .title("Test purchase – Booth")
        .inner_size(880.0, 780.0)
        .build()?;
    Ok(())
}

// ---- purchases ------------------------------------------------------------------------

#[tauri::command]
pub async fn list_purchases(state: S<'_>, query: String) -> CmdResult<Vec<Purchase>> {
    Ok(state.shop().await?.search_purchases(&query).await?)
}

#[tauri::command]
pub async fn purchase_detail(state: S<'_>, token: String) -> CmdResult<PurchaseDetail> {
    Ok(state.shop().await?.purchase_detail(&token).await?)
}

#[tauri::command]
pub async fn reset_downloads(state: S<'_>, token: String) -> CmdResult<Purchase> {
    Ok(state.shop().await?.reset_downloads(&token).await?)
}

#[tauri::command]
pub async fn set_download_limit(state: S<'_>, token: String, limit: String) -> CmdResult<Purchase> {
    Ok(state
        .shop()
        .await?
        .set_download_limit(&token, &limit)
        .await?)
}

#[tauri::command]
pub async fn resend_receipt(state: S<'_>, token: String) -> CmdResult<()> {
    state.shop().await?.resend_receipt(&token).await?;
    Ok(())
}

#[tauri::command]
pub async fn revoke(state: S<'_>, token: String, product: Option<String>) -> CmdResult<Purchase> {
    Ok(state
        .shop()
        .await?
        .revoke(&token, product.as_deref())
        .await?)
}

#[tauri::command]
pub async fn refund(state: S<'_>, token: String, amount: Option<String>) -> CmdResult<Purchase> {
    let amount = amount.filter(|a| !a.trim().is_empty());
    Ok(state
        .running_shop()
        .await?
        .refund(&token, amount.as_deref())
        .await?)
}

#[tauri::command]
pub async fn grant(state: S<'_>, slug: String, email: String) -> CmdResult<Purchase> {
    Ok(state.shop().await?.grant(&slug, &email).await?)
}

#[tauri::command]
pub async fn export_csv(state: S<'_>, path: PathBuf) -> CmdResult<usize> {
    if !path.is_absolute() {
        return Err(CmdError::invalid("path", "choose where to save the file"));
    }
    Ok(state.shop().await?.export_csv_to(path).await?)
}

// ---- mailings -------------------------------------------------------------------------

#[derive(Deserialize)]
pub struct MailingForm {
    product: String,
    subject: String,
    message: String,
    include_test: bool,
}

impl From<MailingForm> for MailingRequest {
    fn from(f: MailingForm) -> MailingRequest {
        MailingRequest {
            product: f.product,
            subject: Some(f.subject).filter(|s| !s.trim().is_empty()),
            message: f.message,
            include_test: f.include_test,
        }
    }
}

#[tauri::command]
pub async fn preview_mailing(state: S<'_>, request: MailingForm) -> CmdResult<MailingPreview> {
    Ok(state.shop().await?.preview_mailing(request.into()).await?)
}

/// Queues the mailing; the running shop's outbox worker sends it.
#[tauri::command]
pub async fn send_mailing(state: S<'_>, request: MailingForm) -> CmdResult<MailingSummary> {
    Ok(state
        .running_shop()
        .await?
        .create_mailing(request.into())
        .await?)
}

#[tauri::command]
pub async fn mailings(state: S<'_>) -> CmdResult<Vec<MailingSummary>> {
    Ok(state.shop().await?.mailings().await?)
}

#[tauri::command]
pub async fn mailing(state: S<'_>, id: i64) -> CmdResult<MailingSummary> {
    Ok(state.shop().await?.mailing(id).await?)
}

#[tauri::command]
pub async fn mailing_failures(state: S<'_>, id: i64) -> CmdResult<Vec<Failure>> {
    Ok(state.shop().await?.mailing_failures(id).await?)
}

#[tauri::command]
pub async fn cancel_mailing(state: S<'_>, id: i64) -> CmdResult<usize> {
    Ok(state.shop().await?.cancel_mailing(id).await?)
}

// ---- mail -----------------------------------------------------------------------------

#[tauri::command]
pub async fn outbox(state: S<'_>, status: Option<String>, limit: i64) -> CmdResult<Vec<OutboxRow>> {
    Ok(state
        .shop()
        .await?
        .outbox(status.as_deref(), limit.clamp(1, 1000))
        .await?)
}

#[tauri::command]
pub async fn retry_mail(state: S<'_>, id: i64) -> CmdResult<()> {
    Ok(state.shop().await?.retry_mail(id).await?)
}

// ---- settings -------------------------------------------------------------------------

#[derive(Serialize)]
pub struct TemplateInfo {
    name: String,
    overridden: bool,
}

#[derive(Serialize)]
pub struct SettingsView {
    store_name: String,
    from_address: String,
    support_email: String,
    public_url: String,
    listen: String,
    payments: String,
    stripe_test_key_set: bool,
    stripe_live_key_set: bool,
    webhook_secret_set: bool,
    smtp_url: String,
    smtp_password_set: bool,
    secrets_store: String,
    templates_dir: String,
    templates: Vec<TemplateInfo>,
}

#[tauri::command]
pub async fn settings(state: S<'_>) -> CmdResult<SettingsView> {
    let shop = state.shop().await?;
    let info = shop.store_info().await?;
    let secrets = secrets::load(&state.data_dir)?;
    let get = |v: Option<String>, default: &str| v.unwrap_or_else(|| default.to_string());
    let mut templates: Vec<TemplateInfo> =
        booth_core::templates::list(booth_server::PAGE_TEMPLATES, &shop.templates_dir())
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
    Ok(SettingsView {
        store_name: info.store_name,
        from_address: info.from_address,
        support_email: info.support_email,
        public_url: shop.configured_url().unwrap_or_default(),
        listen: get(
            shop.setting(settings::LISTEN).await?,
            settings::DEFAULT_LISTEN,
        ),
        payments: get(shop.setting(settings::PAYMENTS).await?, "simulated"),
        stripe_test_key_set: secrets.stripe_test_key.is_some(),
        stripe_live_key_set: secrets.stripe_live_key.is_some(),
        webhook_secret_set: secrets.webhook_secret.is_some(),
        smtp_url: get(shop.setting(settings::SMTP_URL).await?, ""),
        smtp_password_set: secrets.smtp_password.is_some(),
        secrets_store: secrets::describe(&state.data_dir),
        templates_dir: shop.templates_dir().display().to_string(),
        templates,
    })
}

#[tauri::command]
pub async fn save_settings(state: S<'_>, input: SettingsInput) -> CmdResult<SettingsView> {
    state.shop().await?.save_settings(input).await?;
    settings(state).await
}

#[derive(Serialize)]
pub struct StripeCheck {
    ok: bool,
    message: String,
}

/// Checks a Stripe key (or the saved one for `mode`) with one API call.
#[tauri::command]
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

/// Sends a test message through the saved mail settings (before a restart applies them).
#[tauri::command]
pub async fn send_test_mail(state: S<'_>, to: String) -> CmdResult<String> {
    let shop = state.shop().await?;
    let config = RunConfig::from_saved(state.data_dir.clone())?;
    let smtp_url = config.smtp_url.as_ref().map(secrets::Secret::expose);
    let mailer = booth_runtime::mailer_for(&shop, smtp_url, true).await?;
    Ok(shop.send_test_mail(&mailer, &to).await?)
}

#[tauri::command]
pub async fn customize_template(state: S<'_>, name: String) -> CmdResult<String> {
    let shop = state.shop().await?;
    let path = match name.strip_prefix("email/") {
        Some(email) => shop.customize_email_template(email)?,
        None => booth_core::templates::customize(
            booth_server::PAGE_TEMPLATES,
            &shop.templates_dir(),
            &name,
        )?,
    };
    Ok(path.display().to_string())
}

// ---- tunnel ---------------------------------------------------------------------------

#[derive(Serialize)]
pub struct ProviderInfo {
    id: &'static str,
    label: &'static str,
    program: Option<&'static str>,
    installed: bool,
    token_label: Option<&'static str>,
}

#[derive(Serialize)]
pub struct TunnelView {
    status: TunnelStatus,
    /// The saved tunnel as the form shows it.
    saved: Option<TunnelInput>,
    /// Starts with the shop.
    on: bool,
    token_set: bool,
    /// Where links in emails point now; `configured_url` is the stable one, if set.
    public_url: String,
    configured_url: Option<String>,
    providers: Vec<ProviderInfo>,
    log: Vec<LogEntry>,
}

#[tauri::command]
pub async fn tunnel(state: S<'_>) -> CmdResult<TunnelView> {
    let shop = state.shop().await?;
    let providers = Provider::ALL
        .into_iter()
        .map(|p| ProviderInfo {
            id: p.id(),
            label: p.label(),
            program: p.program(),
            installed: p
                .program()
                .is_none_or(|prog| tunnel::find_program(prog).is_some()),
            token_label: p.token_label(),
        })
        .collect();
    Ok(TunnelView {
        status: state.tunnel_status().await,
        saved: shop.tunnel_spec().await?.map(|s| s.input()),
        on: shop.tunnel_on().await?,
        token_set: shop.tunnel_token()?.is_some(),
        public_url: shop.public_url(),
        configured_url: shop.configured_url(),
        providers,
        log: shop.tunnel_log(50).await?,
    })
}

/// Saves the tunnel the seller picked and opens it; it reopens with the shop from now on.
#[tauri::command]
pub async fn start_tunnel(
    state: S<'_>,
    input: TunnelInput,
    token: Option<String>,
) -> CmdResult<TunnelView> {
    let shop = state.running_shop().await?;
    shop.save_tunnel(&input, token.as_deref()).await?;
    shop.set_tunnel_on(true).await?;
    state.start_tunnel().await?;
    tunnel(state).await
}

#[tauri::command]
pub async fn stop_tunnel(state: S<'_>) -> CmdResult<TunnelView> {
    state.shop().await?.set_tunnel_on(false).await?;
    state.stop_tunnel().await;
    tunnel(state).await
}

/// Checks the public address through the tunnel now (the result shows up shortly).
#[tauri::command]
pub async fn check_tunnel(state: S<'_>) -> CmdResult<TunnelView> {
    state.check_tunnel().await;
    tunnel(state).await
}
