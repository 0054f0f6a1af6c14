//! Reference data shipped in the binary and read without a signed-in user:
//! what `gen registry` spreads a synthetic registry over.

use crate::error::Result;
use dingdian_core::indicators::PovertyLines;
use dingdian_store::Store;
use std::collections::HashMap;

/// The villages of the shipped key counties (and Zhouqu), by county, in
/// code order.
pub fn villages_by_county() -> Result<Vec<(String, Vec<String>)>> {
    Ok(dingdian_store::reference::villages_by_county()?)
}

/// The poverty lines shipped with the product (poverty-lines.csv).
pub fn shipped_poverty_lines() -> PovertyLines {
    dingdian_store::reference::shipped_poverty_lines()
}

/// The highest household number each county holds in the database at
/// `database_url` (the operator's own file: no role applies), so that a
/// generated registry can continue after it.
pub fn highest_household_numbers(
    database_url: &str,
    counties: &[String],
) -> Result<HashMap<String, u32>> {
    let store = Store::open(database_url)?;
    let mut out = HashMap::new();
    for county in counties {
        let highest =
            store.read(|c| dingdian_store::registry::highest_household_number(c, county))?;
        out.extend(highest.map(|h| (county.clone(), h)));
    }
    Ok(out)
}
