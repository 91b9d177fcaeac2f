//! Tax codes (`GET /v1/tax_codes`, `GET /v1/tax_codes/{id}`) from a fixed excerpt of
//! Stripe's list (docs.stripe.com/tax/tax-codes): the codes a shop of digital goods uses,
//! with Stripe's names and descriptions. A Checkout Session's
//! `line_items[][price_data][product_data][tax_code]` must be one of them.

use super::*;

/// The code the simulated account's Stripe Tax settings preset for products without one
/// (Stripe asks for a preset when Tax is activated).
pub const PRESET: &str = "txcd_10000000";

/// (id, name, description), in Stripe's list order.
const CODES: &[(&str, &str, &str)] = &[
    (
        "txcd_00000000",
        "Nontaxable",
        "Any nontaxable good or service that can be used to ensure no tax is applied, even for jurisdictions that impose a tax.",
    ),
    (
        "txcd_10000000",
        "General - Electronically Supplied Services",
        "A digital service provided mainly through the internet with minimal human involvement, relying on information technology. Consider more specific categories like software, digital goods, cloud services, or website services for your product (especially if you sell in the US). If you stay with this category, taxes will be similar to those for a generic digital item like downloaded music.",
    ),
    (
        "txcd_10201000",
        "Video Games - downloaded - non subscription - with permanent rights",
        "Video or electronic games in the common sense that are transferred electronically. These goods are downloaded to a device with permanent access granted. This does not include games that are considered betting, gambling, lottery, and so on.",
    ),
    (
        "txcd_10202000",
        "Downloadable Software - personal use",
        "Prewritten (\"canned\") software that the buyer downloads. The software is intended for personal use, rather than for use by a commercial enterprise. Note: The distinction between business use and personal use for this product tax category is relevant only if you have sales in the US.",
    ),
    (
        "txcd_10202003",
        "Downloadable Software - business use",
        "Prewritten (\"canned\") software that the buyer downloads. The software is intended for use by a commercial enterprise. Note: The distinction between business use and personal use for this product tax category is relevant only if you have sales in the US.",
    ),
    (
        "txcd_10301000",
        "Audiobook",
        "The recording of a book read aloud and sold with unlimited usage (for example, a downloaded audio copy of The High Growth Handbook).",
    ),
    (
        "txcd_10302000",
        "Digital Books - downloaded - non subscription - with permanent rights",
        "Works that are generally recognized in the ordinary and usual sense as books and are transferred electronically. These goods are downloaded to a device with permanent access granted. These goods include novels, autobiographies, encyclopedias, dictionaries, repair manuals, phone directories, business directories, zip code directories, cookbooks, and so on.",
    ),
    (
        "txcd_10401100",
        "Digital Audio Works - downloaded - non subscription - with permanent rights",
        "Works that result from the fixation of a series of musical, spoken, or other sounds that are transferred electronically. These goods are downloaded to a device with permanent access granted. These goods include prerecorded or live music, prerecorded or live readings of books or other written materials, prerecorded or live speeches, ringtones, or other sound recordings, but not including audio greeting cards. Note the presence of PTC 10301000 (Audiobook), a more granular option for downloaded audiobooks.",
    ),
    (
        "txcd_10402100",
        "Digital Audio Visual Works - downloaded - non subscription - with permanent rights",
        "A series of related images which, when shown in succession, impart an impression of motion, together with accompanying sounds, if any. These goods are downloaded to a device with permanent access granted. These goods include motion pictures, music videos, animations, news and entertainment programs, and live events, but do not include video greeting cards or video or electronic games.",
    ),
    (
        "txcd_10501000",
        "Digital Photographs/Images - downloaded - non subscription - with permanent rights",
        "Digital images that are downloaded to a device with permanent access granted.",
    ),
    (
        "txcd_10505001",
        "Digital Finished Artwork - downloaded - non subscription - with permanent rights",
        "The final art used for actual reproduction by photomechanical or other processes or for display purposes, but does not include website or home page design, and that is transferred electronically. These goods are downloaded to a device with permanent access granted. These goods include drawings, paintings, designs, photographs, lettering, paste-ups, mechanicals, assemblies, charts, graphs, illustrative materials, and so on.",
    ),
    (
        "txcd_99999999",
        "General - Tangible Goods",
        "Any tangible or physical good. For jurisdictions that impose a tax, the standard rate is applied.",
    ),
];

fn object(&(id, name, description): &(&str, &str, &str)) -> Value {
    json!({
        "id": id,
        "object": "tax_code",
        "description": description,
        "name": name,
        "requirements": null,
    })
}

pub fn exists(id: &str) -> bool {
    CODES.iter().any(|c| c.0 == id)
}

pub(super) fn get_tax_code(st: &State, public: &str, id: &str, p: &Value) -> R {
    let code = CODES
        .iter()
        .find(|c| c.0 == id)
        .ok_or_else(|| ApiError::no_such("tax_code", id, "id", 404))?;
    expand(st, public, object(code), p)
}

pub(super) fn list_tax_codes(st: &State, public: &str, p: &Value) -> R {
    let items: Vec<Value> = CODES.iter().map(object).collect();
    let list = paginate(items, p, "/v1/tax_codes", "tax_code")?;
    expand(st, public, list, p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_holds_what_booth_uses() {
        for id in [
            "txcd_00000000",
            "txcd_10000000",
            "txcd_10202000",
            "txcd_10302000",
            "txcd_99999999",
            PRESET,
        ] {
            assert!(exists(id), "{id}");
        }
        assert!(CODES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(!exists("txcd_12345678"));
    }
}
