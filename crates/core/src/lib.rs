//! The domain of designated assistance: types with their invariants and the
//! rules that govern them. No I/O, no async, no SQL.

pub mod area;
pub mod audit;
pub mod coverage;
pub mod crypto;
pub mod error;
pub mod indicators;
pub mod lang;
pub mod plan;
pub mod query;
pub mod registry;
pub mod role;
pub mod time;
pub mod totp;
pub mod unit;
pub mod user;

pub use error::{FieldError, Msg};
pub use query::Page;
