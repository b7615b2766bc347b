//! The customer-value metric plugins, as defined in METRICS.md: `clv` (customer lifetime
//! value by the simple, historical or predictive method, from orders), `cac` (customer
//! acquisition cost from spend and customers acquired) and `ltv_cac` (lifetime value /
//! acquisition cost).
//!
//! The math lives in plain methods ([`Clv::tally`], [`Clv::result`], [`CacState::tally`],
//! [`Cac::result`], [`LtvCac::result`]) that the [`cxm_sdk::Metric`] impls call, so it can
//! be tested without the plugin ABI.

pub mod cac;
pub mod clv;
pub mod clv_params;
#[cfg(test)]
mod tests_abi;
#[cfg(test)]
mod tests_cac;
#[cfg(test)]
mod tests_clv;

pub use cac::{Cac, CacParams, CacState, LtvCac, LtvCacParams};
pub use clv::{Clv, ClvState, CustomerTotals};
pub use clv_params::{ClvParams, Method, Plan};

cxm_sdk::export_plugin!(Clv, Cac, LtvCac);
