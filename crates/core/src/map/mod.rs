//! The county map (一张图): county shapes shipped with the product and
//! what is drawn from them.

pub mod context;
pub mod shapes;

// Drawing: what a map shows, its classes, projection and SVG.
pub mod classes;
pub mod figure;
pub mod projection;
pub mod svg;
