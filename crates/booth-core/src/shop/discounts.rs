//! Discount codes, as the seller makes and changes them (`booth discount`, the window).

use super::Shop;
use crate::discounts::{self, Discount, DiscountInput, NewDiscount};
use crate::error::{Problems, Result};

impl Shop {
    pub async fn add_discount(&self, input: &DiscountInput) -> Result<Discount> {
        let new = NewDiscount::try_from(input).map_err(Problems::first)?;
        self.db().write(move |tx| discounts::insert(tx, &new)).await
    }

    /// Every mistake in a code's form at once, for the window to show beside each field.
    pub fn check_discount(&self, input: &DiscountInput) -> Result<(), Problems> {
        NewDiscount::try_from(input).map(|_| ())
    }

    /// Replaces the rules of the code `code` with `input`'s (which may rename it).
    pub async fn edit_discount(&self, code: &str, input: &DiscountInput) -> Result<Discount> {
        let new = NewDiscount::try_from(input).map_err(Problems::first)?;
        let code = code.to_string();
        self.db()
            .write(move |tx| discounts::update(tx, &code, &new))
            .await
    }

    pub async fn set_discount_disabled(&self, code: &str, disabled: bool) -> Result<Discount> {
        let code = code.to_string();
        self.db()
            .write(move |tx| discounts::set_disabled(tx, &code, disabled))
            .await
    }

    pub async fn discounts(&self) -> Result<Vec<Discount>> {
        self.db().run(|c| discounts::list(c)).await
    }

    pub async fn discount(&self, code: &str) -> Result<Discount> {
        let code = code.to_string();
        self.db().run(move |c| discounts::require(c, &code)).await
    }
}
