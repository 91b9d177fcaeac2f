//! Selling like the platforms do (issue 15), black-box against the simulator: pay what
//! you want and free purchases, discount codes, and where sales come from.

mod consent;
mod discounts;
mod in_browser;
mod pay_what_you_want;
mod referrals;
mod taxes;

use booth_testkit::app::*;

/// Makes `slug` pay-what-you-want from `min` (its price is the suggested amount).
pub async fn make_pwyw(app: &TestApp, slug: &str, min: &str) {
    app.shop()
        .edit_product_input(
            slug,
            booth_core::catalog::ProductEditInput {
                min_price: Some(min.into()),
                ..Default::default()
            },
        )
        .await
        .expect("pay what you want");
}

/// Rows of a table, for "nothing was recorded".
pub async fn count(app: &TestApp, table: &'static str) -> i64 {
    app.shop()
        .db()
        .run(move |c| Ok(c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?))
        .await
        .unwrap()
}
