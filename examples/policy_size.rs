//! Prints the heap memory a compiled policy holds (measured with dhat), for BENCHMARKS.md:
//! `cargo run --release --example policy_size`.

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _profiler = dhat::Profiler::builder().testing().build();
    for path in [
        "policies/ocean-shipping.toml",
        "policies/logistics-3pl.toml",
        "policies/express-parcel.toml",
    ] {
        let text = std::fs::read_to_string(path)?;
        // a first load fills the process-wide time-zone tables; measure the second
        let warm = tierwise::Policy::from_toml_str(path, &text)?;
        drop(warm);
        let before = dhat::HeapStats::get();
        let policy = tierwise::Policy::from_toml_str(path, &text)?;
        let after = dhat::HeapStats::get();
        println!(
            "{path}: {} bytes in {} blocks held by the compiled policy ({} bytes of TOML)",
            after.curr_bytes - before.curr_bytes,
            after.curr_blocks - before.curr_blocks,
            text.len()
        );
        drop(policy);
    }
    Ok(())
}
