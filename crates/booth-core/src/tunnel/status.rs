//! What the seller sees of a tunnel: its state, health, and warnings about its address.

use super::*;

// ---- what the seller sees --------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub enum TunnelState {
    Off,
    Starting,
    Up,
    /// The process died or hung; it starts again after a pause.
    Retrying,
    /// It can't start (program missing, bad settings); pressing Start tries again.
    Failed,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Health {
    pub ok: bool,
    /// Unix seconds.
    pub at: i64,
    pub latency_ms: Option<u64>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct TunnelStatus {
    pub state: TunnelState,
    pub provider: Option<Provider>,
    pub label: Option<String>,
    pub url: Option<String>,
    pub ephemeral: bool,
    pub plain_http: bool,
    pub health: Option<Health>,
    pub restarts: u32,
    /// The tunnel program's process id while it runs.
    pub pid: Option<u32>,
    pub retry_in_secs: Option<u64>,
    /// What went wrong, or what to do, in words.
    pub message: Option<String>,
    /// Where Stripe sends events, or why it doesn't.
    pub webhook: Option<String>,
    pub warnings: Vec<String>,
}

impl TunnelStatus {
    pub fn off() -> TunnelStatus {
        TunnelStatus {
            state: TunnelState::Off,
            provider: None,
            label: None,
            url: None,
            ephemeral: false,
            plain_http: false,
            health: None,
            restarts: 0,
            pid: None,
            retry_in_secs: None,
            message: None,
            webhook: None,
            warnings: Vec::new(),
        }
    }
}

/// The warnings that go with a tunnel address.
pub fn warnings(spec: &TunnelSpec, url: &str, stable_url: Option<&str>) -> Vec<String> {
    let mut w = Vec::new();
    if spec.ephemeral() && stable_url.is_none() {
        w.push(format!(
            "{url} changes every time the tunnel starts, so purchase links already emailed stop working when it does. Use a stable address ({}) and set it as the shop's public address.",
            match spec.provider {
                Provider::Bore => "a fixed bore port, or a named Cloudflare tunnel",
                Provider::Ngrok => "your ngrok domain",
                _ => "a named Cloudflare tunnel or an ngrok domain",
            }
        ));
    }
    // Cloudflare's and ngrok's edges tell the shop each buyer's address; the others can't,
    // so every buyer shares one checkout allowance (docs/security.md).
    let anonymous = !matches!(
        spec.provider,
        Provider::Cloudflared | Provider::CloudflaredNamed | Provider::Ngrok
    );
    let shared = "it doesn't tell Booth who each buyer is, so all buyers share one checkout allowance and one busy client can use it up";
    if url.starts_with("http://") {
        let also = if anonymous {
            format!(", and {shared}")
        } else {
            String::new()
        };
        w.push(format!("This address is plain http: downloads and purchase pages aren't encrypted (cards never pass through Booth){also}. Fine for trying things out; for real sales use an https tunnel such as Cloudflare or ngrok."));
    } else if anonymous {
        w.push(format!("This tunnel works, but {shared}. For real sales use Cloudflare or ngrok, which tell Booth each buyer's address."));
    }
    w
}
