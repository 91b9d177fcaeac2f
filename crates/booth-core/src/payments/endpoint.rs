//! The webhook endpoint Booth keeps pointed at wherever the shop is reachable.

use super::{stripe_error, Payments, HANDLED_EVENTS};
use crate::error::{Error, Result};
use std::collections::HashMap;
use std::str::FromStr;

impl Payments {
    /// Points Booth's webhook endpoint at `url`: the endpoint `known` names is updated in
    /// place (its secret stays the same, so nothing is missed while it moves); without one,
    /// endpoints this shop made earlier (metadata `booth_shop`) are removed, since their
    /// secrets are lost, and a new one is created. Stripe allows 16 endpoints per mode, so
    /// Booth never leaves more than one behind.
    pub async fn ensure_webhook_endpoint(
        &self,
        url: &str,
        shop_id: &str,
        known: Option<&str>,
    ) -> Result<WebhookWiring> {
        use stripe_misc::webhook_endpoint::{
            CreateWebhookEndpoint, CreateWebhookEndpointEnabledEvents, DeleteWebhookEndpoint,
            ListWebhookEndpoint, RetrieveWebhookEndpoint, UpdateWebhookEndpoint,
            UpdateWebhookEndpointEnabledEvents,
        };
        if let Some(id) = known {
            match RetrieveWebhookEndpoint::new(id).send(&self.client).await {
                Ok(ep) => {
                    let events_ok = HANDLED_EVENTS
                        .iter()
                        .all(|e| ep.enabled_events.iter().any(|x| x == e));
                    if ep.url == url && ep.status == "enabled" && events_ok {
                        return Ok(WebhookWiring::Unchanged { id: id.into() });
                    }
                    let events: Vec<_> = HANDLED_EVENTS
                        .iter()
                        .map(|e| UpdateWebhookEndpointEnabledEvents::from_str(e).expect("known"))
                        .collect();
                    UpdateWebhookEndpoint::new(id)
                        .url(url)
                        .disabled(false)
                        .enabled_events(events)
                        .send(&self.client)
                        .await
                        .map_err(stripe_error)?;
                    return Ok(WebhookWiring::Updated { id: id.into() });
                }
                // Deleted in the dashboard, or made in the other mode: make a new one.
                Err(stripe::StripeError::Stripe(_, 404)) => {}
                Err(e) => return Err(stripe_error(e)),
            }
        }
        let existing = ListWebhookEndpoint::new()
            .limit(100)
            .send(&self.client)
            .await
            .map_err(stripe_error)?;
        for ep in existing
            .data
            .iter()
            .filter(|ep| ep.metadata.get(SHOP_KEY).map(String::as_str) == Some(shop_id))
        {
            DeleteWebhookEndpoint::new(ep.id.clone())
                .send(&self.client)
                .await
                .map_err(stripe_error)?;
        }
        let events: Vec<_> = HANDLED_EVENTS
            .iter()
            .map(|e| CreateWebhookEndpointEnabledEvents::from_str(e).expect("known event"))
            .collect();
        let ep = CreateWebhookEndpoint::new(events, url)
            .description("Booth")
            .metadata(HashMap::from([(SHOP_KEY.to_string(), shop_id.to_string())]))
            .send(&self.client)
            .await
            .map_err(stripe_error)?;
        let secret = ep.secret.ok_or_else(|| {
            Error::Payment("the new webhook endpoint came without a secret".into())
        })?;
        Ok(WebhookWiring::Created {
            id: ep.id.to_string(),
            secret,
        })
    }
}

/// Webhook endpoint metadata key naming the shop that made it.
const SHOP_KEY: &str = "booth_shop";

/// What `ensure_webhook_endpoint` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookWiring {
    Unchanged {
        id: String,
    },
    Updated {
        id: String,
    },
    /// A new endpoint; its secret is shown this once and must be kept.
    Created {
        id: String,
        secret: String,
    },
}

impl WebhookWiring {
    pub fn id(&self) -> &str {
        match self {
            WebhookWiring::Unchanged { id }
            | WebhookWiring::Updated { id }
            | WebhookWiring::Created { id, .. } => id,
        }
    }
}
