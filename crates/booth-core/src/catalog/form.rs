//! The product forms: what the seller types to create or change a product, checked in
//! one place (the window's form and `booth product` alike).

use super::{check_description, check_name, Product};
use crate::domain::{parse_download_limit, Currency, Money, Slug};
use crate::error::{Error, Problems, Result};
use crate::licenses::parse_activation_limit;
use crate::stamp::StampLine;
use crate::tax::TaxCode;
use std::path::PathBuf;

/// A product as the seller describes it, already checked.
#[derive(Debug, Clone)]
pub struct NewProduct {
    pub name: String,
    pub slug: Slug,
    pub description: String,
    pub price: Money,
    pub min_price: Option<Money>,
    pub tax_code: Option<TaxCode>,
    pub download_limit: Option<u32>,
    /// Activations a license key allows; None: the product gives no keys.
    pub license_activations: Option<u32>,
    /// The wording every page of its PDFs is stamped with; None: not stamped.
    pub pdf_stamp: Option<StampLine>,
    pub active: bool,
}

/// What the seller types to create a product (the window's form, `booth product add`).
#[derive(Debug, Clone, Default)]
pub struct ProductInput {
    pub name: String,
    pub slug: Option<String>,
    pub description: String,
    pub price: String,
    pub currency: String,
    /// Pay what you want from this amount ("0" for free and up); None is a fixed price.
    pub min_price: Option<String>,
    /// txcd_… or ebook, software, digital; None is the shop's default.
    pub tax_code: Option<String>,
    pub limit: Option<String>,
    /// License keys: how many computers one may be activated on ("off": no keys).
    pub licenses: Option<String>,
    /// Stamped PDFs: "off" none, "on" or "default" the default wording, else the wording
    /// ({email} and {date} filled in for each buyer).
    pub stamp: Option<String>,
    pub active: bool,
    pub files: Vec<PathBuf>,
}

impl ProductInput {
    /// The one place a new product's fields are checked; each mistake names its field.
    /// (The files are read as they are stored.) Reports the first mistake.
    pub fn parse(&self) -> Result<NewProduct> {
        self.check().map_err(Problems::first)
    }

    /// Every mistake in the form at once (the window shows each beside its field).
    pub fn check(&self) -> Result<NewProduct, Problems> {
        let mut p = Problems::default();
        let name = p.take(check_name(&self.name));
        let slug = match &self.slug {
            Some(s) => p.take(Slug::parse(s)),
            // Derived from the name, once there is a name to derive it from.
            None => name.as_deref().and_then(|n| p.take(Slug::from_name(n))),
        };
        let currency = p.take(Currency::parse(&self.currency));
        let description = p.take(check_description(&self.description));
        // A price is read in its currency's unit: without a currency it can't be checked.
        let price = currency.and_then(|c| p.take(Money::parse_price(&self.price, c)));
        let min_price = match (&self.min_price, price) {
            (None, _) => Some(None),
            (Some(m), Some(price)) => p.take(check_min_price(m, price)),
            (Some(_), None) => None,
        };
        let tax_code = match self.tax_code.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(c) => p.take(TaxCode::parse(c)).map(Some),
        };
        let download_limit = match &self.limit {
            Some(l) => p.take(parse_download_limit(l)),
            None => Some(Some(5)),
        };
        let license_activations = match &self.licenses {
            Some(l) => p.take(parse_activation_limit(l)),
            None => Some(None),
        };
        let pdf_stamp = match &self.stamp {
            Some(s) => p.take(StampLine::setting(s)),
            None => Some(None),
        };
        if self.files.is_empty() {
            p.take::<()>(Err(Error::invalid(
                "file",
                "a product needs at least one file",
            )));
        }
        p.finish(|| {
            Some(NewProduct {
                name: name?,
                slug: slug?,
                description: description?,
                price: price?,
                min_price: min_price?,
                tax_code: tax_code?,
                download_limit: download_limit?,
                license_activations: license_activations?,
                pdf_stamp: pdf_stamp?,
                active: self.active,
            })
        })
    }
}

/// What the seller typed to change a product (the window's form, `booth product edit`):
/// only the fields given change.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct ProductEditInput {
    pub name: Option<String>,
    pub slug: Option<String>,
    pub description: Option<String>,
    pub price: Option<String>,
    pub currency: Option<String>,
    /// Pay what you want from this amount; "" makes the price fixed again.
    pub min_price: Option<String>,
    /// "" is the shop's default again.
    pub tax_code: Option<String>,
    pub limit: Option<String>,
    /// License keys' activations for new purchases; "off" stops giving keys.
    pub licenses: Option<String>,
    /// Stamped PDFs for downloads from now on: "off" stops, "on" or "default" the default
    /// wording, else the wording. Turning it on checks the product's PDFs.
    pub stamp: Option<String>,
    pub active: Option<bool>,
}

impl ProductEditInput {
    /// The one place a product's changes are checked, against the product as it is.
    /// Reports the first mistake.
    pub fn parse(&self, current: &Product) -> Result<ProductEdit> {
        self.check(current).map_err(Problems::first)
    }

    /// Every mistake in the changes at once (the window shows each beside its field).
    pub fn check(&self, current: &Product) -> Result<ProductEdit, Problems> {
        let mut p = Problems::default();
        // Each field: None when not changed, Some(None) when its change is wrong.
        fn changed<T>(p: &mut Problems, v: Option<Result<T>>) -> Option<Option<T>> {
            v.map(|v| p.take(v))
        }
        let currency = changed(&mut p, self.currency.as_deref().map(Currency::parse));
        let price = match (&self.price, currency) {
            // A price is read in its currency's unit: a wrong currency leaves it unchecked.
            (Some(_), Some(None)) => None,
            (Some(price), c) => {
                let c = c.flatten().unwrap_or(current.price().currency);
                Some(p.take(Money::parse_price(price, c)))
            }
            (None, Some(Some(c))) if c != current.price().currency => {
                // The same minor units mean a different amount in another currency.
                Some(p.take(Err(Error::invalid(
                    "price",
                    "a new currency needs the price in that currency",
                ))))
            }
            (None, _) => None,
        };
        // The minimum is checked against the price the product will have.
        let min_price = match (&self.min_price, &price) {
            (_, Some(None)) => None,
            (None, Some(Some(new))) => current.min_price_minor.map(|m| {
                let kept = Money::new(m, current.price().currency);
                if new.currency != kept.currency || m > new.minor {
                    p.take(Err(Error::invalid(
                        "min_price",
                        "give the minimum again for the new price",
                    )))
                } else {
                    Some(Some(kept))
                }
            }),
            (None, None) => None,
            (Some(m), new) => {
                let price = new.flatten().unwrap_or_else(|| current.price());
                Some(p.take(check_min_price(m, price)))
            }
        };
        let name = changed(&mut p, self.name.as_deref().map(check_name));
        let slug = changed(&mut p, self.slug.as_deref().map(Slug::parse));
        let description = changed(&mut p, self.description.as_deref().map(check_description));
        let download_limit = changed(&mut p, self.limit.as_deref().map(parse_download_limit));
        let license_activations =
            changed(&mut p, self.licenses.as_deref().map(parse_activation_limit));
        let pdf_stamp = changed(&mut p, self.stamp.as_deref().map(StampLine::setting));
        let tax_code = changed(
            &mut p,
            self.tax_code.as_deref().map(|c| match c.trim() {
                "" => Ok(None),
                c => TaxCode::parse(c).map(Some),
            }),
        );
        // Without a mistake no change is Some(None), so flattening keeps every change.
        p.finish(|| {
            Some(ProductEdit {
                name: name.flatten(),
                slug: slug.flatten(),
                description: description.flatten(),
                price: price.flatten(),
                min_price: min_price.flatten(),
                tax_code: tax_code.flatten(),
                download_limit: download_limit.flatten(),
                license_activations: license_activations.flatten(),
                pdf_stamp: pdf_stamp.flatten(),
                active: self.active,
            })
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct ProductEdit {
    pub name: Option<String>,
    pub slug: Option<Slug>,
    pub description: Option<String>,
    pub price: Option<Money>,
    /// Some(None): a fixed price again.
    pub min_price: Option<Option<Money>>,
    pub tax_code: Option<Option<TaxCode>>,
    pub download_limit: Option<Option<u32>>,
    pub license_activations: Option<Option<u32>>,
    /// Some(None): stamping off.
    pub pdf_stamp: Option<Option<StampLine>>,
    pub active: Option<bool>,
}

/// A pay-what-you-want minimum: "" (or "fixed") is none; otherwise an amount from 0 up to
/// the price, which is then the suggested amount.
fn check_min_price(input: &str, price: Money) -> Result<Option<Money>> {
    let t = input.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("fixed") {
        return Ok(None);
    }
    let m = Money::parse_amount(t, price.currency, "min_price")?;
    if m.minor > price.minor {
        return Err(Error::invalid(
            "min_price",
            format!(
                "the minimum can't be above the suggested price ({})",
                price.format()
            ),
        ));
    }
    Ok(Some(m))
}
