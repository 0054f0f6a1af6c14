//! The demo's public page: the office has published the demo registry's
//! latest year, so `/public` and its JSON show Zhouqu without anyone
//! signing in.

use crate::error::Result;
use crate::{Actor, App};

/// The demo registry's latest year (Zhouqu 2012–2016).
const DEMO_PUBLIC_YEAR: i32 = 2016;

impl App {
    pub(crate) fn demo_public(&self, cli: &Actor) -> Result<()> {
        self.publish_aggregates(cli, DEMO_PUBLIC_YEAR, dingdian_core::time::today())
            .map(|_| ())
    }
}
