//! Bounded fuzzing of cxm on the stable toolchain (cargo-fuzz needs nightly).
//!
//! [`seeds`] are taken from the repository's fixtures; [`mutate`] and [`containers`]
//! derive cases from them with a seeded PRNG ([`rng`]), byte by byte and inside the
//! `.xlsx` and Parquet containers; [`targets`] feeds a case to the config parser or a
//! reader the way `cxm run` does and checks the row accounting ([`read`]); [`child`] runs
//! cases in a child process with a memory cap and a time limit, so aborts, runaway
//! allocations and hangs are caught as well as panics. The `cxm-fuzz` binary runs a
//! campaign, narrows a failing batch down to one case and keeps it under
//! `crates/cxm-fuzz/regressions/<target>/`, where `tests/regressions.rs` replays every
//! reproducer ever found.

pub mod child;
pub mod containers;
pub mod mutate;
pub mod read;
pub mod rng;
pub mod seeds;
pub mod targets;
