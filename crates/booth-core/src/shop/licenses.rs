//! License keys as apps, buyers and the seller use them (the rules are in licenses/).

use super::Shop;
use crate::catalog;
use crate::db::now;
use crate::domain::PurchaseToken;
use crate::error::{Error, Result};
use crate::licenses::file::{self, LicensePayload, FORMAT, OFFLINE_DAYS};
use crate::licenses::{
    self, Answer, FreedBy, Instance, InstanceId, InstanceName, License, LicenseKey,
};
use crate::purchases;
use crate::settings;
use crate::signing::{KeyName, ShopKey};
use std::sync::Arc;

/// A license request's answer, with a fresh signed license file when it names a usable
/// activation.
#[derive(Debug, Clone)]
pub struct LicenseAnswer {
    pub answer: Answer,
    pub license_file: Option<String>,
}

/// The public half of the shop's license signing key.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct PublicKey {
    /// Base64 of the 32-byte Ed25519 public key.
    pub public_key: String,
    pub key_id: String,
}

impl Shop {
    /// An app's activation on a new instance.
    pub async fn activate_license(&self, key: &str, instance_name: &str) -> Result<LicenseAnswer> {
        let key = LicenseKey::parse(key)?;
        let name = InstanceName::parse(instance_name)?;
        let (shop_url, signer) = (self.public_url(), self.shop_key().await?);
        // A write: the limit is counted and the instance added in one transaction.
        self.db()
            .write(move |tx| {
                let answer = licenses::activate(tx, &key, &name)?;
                signed(tx, answer, &shop_url, &signer)
            })
            .await
    }

    /// An app's check of a key, and of its activation when it names one.
    pub async fn validate_license(
        &self,
        key: &str,
        instance_id: Option<&str>,
    ) -> Result<LicenseAnswer> {
        let key = LicenseKey::parse(key)?;
        let instance = match instance_id.map(str::trim) {
            None | Some("") => None,
            Some(id) => Some(InstanceId::parse(id)?),
        };
        let (shop_url, signer) = (self.public_url(), self.shop_key().await?);
        self.db()
            .run(move |c| {
                let answer = licenses::validate(c, &key, instance.as_ref())?;
                signed(c, answer, &shop_url, &signer)
            })
            .await
    }

    /// An app's deactivation of its instance, which frees it for another computer.
    pub async fn deactivate_license(&self, key: &str, instance_id: &str) -> Result<Answer> {
        let key = LicenseKey::parse(key)?;
        let instance = InstanceId::parse(instance_id)?;
        self.db()
            .write(move |tx| licenses::deactivate(tx, &key, &instance))
            .await
    }

    /// The buyer frees one of their activations from the purchase page.
    pub async fn free_activation(&self, token: &str, instance_id: &str) -> Result<Instance> {
        let token = PurchaseToken::parse(token)?;
        let instance = InstanceId::parse(instance_id)?;
        self.db()
            .write(move |tx| {
                let purchase = purchases::require_purchase(tx, &token)?;
                for license in licenses::for_purchase(tx, purchase.id)? {
                    let Some(found) = license.instances.iter().find(|i| i.id == instance.as_str())
                    else {
                        continue;
                    };
                    licenses::free(tx, license.id, &instance, FreedBy::Buyer)?;
                    return Ok(found.clone());
                }
                Err(Error::NotFound(
                    "that activation is not one of this purchase's, or it was freed already".into(),
                ))
            })
            .await
    }

    /// The public key apps check license files with (made on first use).
    pub async fn license_public_key(&self) -> Result<PublicKey> {
        let key = self.shop_key().await?;
        Ok(PublicKey {
            public_key: key.public_key(),
            key_id: key.key_id(),
        })
    }

    /// The shop's signing key, read (or made) once per open shop: validations stay reads.
    async fn shop_key(&self) -> Result<Arc<ShopKey>> {
        let db = self.db().clone();
        self.inner
            .shop_key
            .get_or_try_init(|| async move {
                db.write(|tx| ShopKey::load_or_create(tx, KeyName::License).map(Arc::new))
                    .await
            })
            .await
            .cloned()
    }

    /// The seller's list: the newest keys first, of one product when given.
    pub async fn licenses(&self, product: Option<&str>, limit: u32) -> Result<Vec<License>> {
        let product = product.map(str::to_string);
        self.db()
            .run(move |c| {
                let id = match &product {
                    Some(slug) => Some(catalog::require_product(c, slug)?.id),
                    None => None,
                };
                licenses::list(c, id, limit.clamp(1, 10_000))
            })
            .await
    }

    pub async fn license(&self, key: &str) -> Result<License> {
        let key = LicenseKey::parse(key)?;
        self.db().run(move |c| licenses::require(c, &key)).await
    }

    /// The seller frees an activation (by its id) for the buyer.
    pub async fn free_license_instance(&self, instance_id: &str) -> Result<License> {
        let instance = InstanceId::parse(instance_id)?;
        self.db()
            .write(move |tx| {
                let key = licenses::key_of_instance(tx, &instance)?;
                let license = licenses::require(tx, &key)?;
                if !licenses::free(tx, license.id, &instance, FreedBy::Seller)? {
                    return Err(Error::Conflict(format!(
                        "activation {instance} was freed already"
                    )));
                }
                licenses::require(tx, &key)
            })
            .await
    }

    pub async fn set_license_disabled(&self, key: &str, disabled: bool) -> Result<License> {
        let key = LicenseKey::parse(key)?;
        self.db()
            .write(move |tx| {
                licenses::require(tx, &key)?;
                licenses::set_disabled(tx, &key, disabled)
            })
            .await
    }

    /// A new activation limit for one key ("1" to "1000").
    pub async fn set_license_limit(&self, key: &str, limit: &str) -> Result<License> {
        let key = LicenseKey::parse(key)?;
        // "off" is for a product's keys, not one key's: that is `set_license_disabled`.
        let Ok(Some(limit)) = licenses::parse_activation_limit(limit) else {
            return Err(Error::invalid(
                "limit",
                format!(
                    "a key allows 1 to {} activations",
                    licenses::MAX_ACTIVATIONS
                ),
            ));
        };
        self.db()
            .write(move |tx| {
                licenses::require(tx, &key)?;
                licenses::set_limit(tx, &key, limit)
            })
            .await
    }
}

/// Adds the signed license file to an answer that names a usable activation.
fn signed(
    conn: &rusqlite::Connection,
    answer: Answer,
    shop_url: &str,
    signer: &ShopKey,
) -> Result<LicenseAnswer> {
    let (Some(license), Some(instance), None) = (&answer.license, &answer.instance, answer.refused)
    else {
        return Ok(LicenseAnswer {
            answer,
            license_file: None,
        });
    };
    let issued_at = now();
    let payload = LicensePayload {
        format: FORMAT.into(),
        shop: settings::store_info(conn)?.store_name,
        shop_url: shop_url.to_string(),
        product: license.product_slug.clone(),
        product_name: license.product_name.clone(),
        purchase_id: license.purchase_id,
        license_key: license.key.clone(),
        instance_id: instance.id.clone(),
        instance_name: instance.name.clone(),
        activation_limit: license.activation_limit,
        test_mode: license.test,
        issued_at,
        expires_at: issued_at + OFFLINE_DAYS * 86_400,
    };
    let license_file = Some(file::sign(signer, &payload));
    Ok(LicenseAnswer {
        answer,
        license_file,
    })
}
