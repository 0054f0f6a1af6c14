//! The county map (一张图): county shapes shipped with the product and
//! what is drawn from them.

pub mod context;
pub mod shapes;
