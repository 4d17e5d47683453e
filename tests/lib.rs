//! The integration tests of tierwise: one test binary, one module per area. Modules that
//! run the `tierwise` command line need the `cli` feature.
//!
//! Two more binaries stand apart because each installs a counting global allocator that
//! would count every other test's allocations too: `tests/alloc.rs` (hot paths do not
//! allocate) and `tests/simulation_memory.rs` (simulation memory does not grow).

mod analysis;
mod api;
mod architecture;
mod batch;
#[cfg(feature = "cli")]
mod cli;
mod common;
#[cfg(feature = "cli")]
mod customers;
mod diagnostics;
#[cfg(feature = "cli")]
mod files;
mod fuzz_regressions;
mod hostile;
#[cfg(feature = "lsp")]
mod lsp;
#[cfg(feature = "cli")]
mod parquet_cli;
mod properties;
#[cfg(feature = "cli")]
mod scenarios;
mod schema;
#[cfg(feature = "arrow")]
mod table;
#[cfg(feature = "tracing")]
mod timelines;
