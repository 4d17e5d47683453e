//! `classify` in SQL: the README's query over the sample tables gives, for every customer,
//! what the library's `classify` gives on the same values; bad rows keep their row; the
//! shipments table is read as several partitions.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use datafusion::arrow::array::RecordBatch;
use datafusion::physical_plan::ExecutionPlanProperties;
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};
use serde_json::Value;
use tierwise::Policy;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn policy() -> Policy {
    Policy::from_path(root().join("policies/ocean-shipping.toml")).unwrap()
}

/// The sample tables in a directory of this test run.
fn tables() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "tierwise-sql-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    tierwise_datafusion::sample::write_tables(&root().join("data/customers.csv"), &dir).unwrap();
    dir
}

/// The query of the README: shipments summed per customer, joined to the customers'
/// attributes, tiered, in one statement.
pub const QUERY: &str = include_str!("../examples/tier-from-shipments.sql");

async fn context(dir: &Path, partitions: usize) -> SessionContext {
    let ctx =
        SessionContext::new_with_config(SessionConfig::new().with_target_partitions(partitions));
    tierwise_datafusion::register(&ctx, &policy());
    let at = |p: &str| dir.join(p).to_string_lossy().into_owned();
    ctx.register_parquet(
        "customers",
        &at("customers.parquet"),
        ParquetReadOptions::default(),
    )
    .await
    .unwrap();
    ctx.register_parquet("shipments", &at("shipments"), ParquetReadOptions::default())
        .await
        .unwrap();
    ctx
}

async fn rows(ctx: &SessionContext, query: &str) -> Vec<RecordBatch> {
    ctx.sql(query).await.unwrap().collect().await.unwrap()
}

/// What the library gives for each sample customer (the values `tierwise tier` reads), as
/// the JSON the query prints.
fn expected(policy: &Policy) -> Vec<Value> {
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    let mut r = csv::Reader::from_path(root().join("data/customers.csv")).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    let mut out: Vec<Value> = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            let mut b = policy.customer(&rec[0]);
            for (h, v) in header.iter().zip(rec.iter()).skip(1) {
                b = b.set_text(h, v);
            }
            let c = b.build().unwrap();
            let a = policy.classify(&c, as_of).unwrap();
            let name = |t| policy.tier(t).unwrap().id().to_owned();
            let dims: serde_json::Map<String, Value> = policy
                .dimension_names()
                .zip(a.dimension_scores())
                .map(|(n, s)| (n.to_owned(), Value::String(s.to_string())))
                .collect();
            serde_json::json!({
                "id": c.id(),
                "r": {
                    "tier": name(a.tier()),
                    "qualified_tier": name(a.qualified_tier()),
                    "score": a.score().to_string(),
                    "dimensions": dims,
                    "tier_since": a.state().tier_since().to_string(),
                    "last_qualified": a.state().last_qualified().map(|d| d.to_string()),
                    "error": null,
                }
            })
        })
        .collect();
    out.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_query_tiers_every_customer_as_the_library_does() {
    let dir = tables();
    let ctx = context(&dir, 4).await;
    let batches = rows(&ctx, QUERY).await;
    let json = tierwise_datafusion::output::json_lines(&batches).unwrap();
    let got: Vec<Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let want = expected(&policy());
    assert_eq!(got.len(), 1200);
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w);
    }
    // the first rows, as a person sees them
    let head = ctx
        .sql(&format!(
            "SELECT id, r['tier'] AS tier, r['score'] AS score FROM ({QUERY}) ORDER BY id LIMIT 5"
        ))
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    insta::assert_snapshot!(tierwise_datafusion::output::table(&head).unwrap());
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tier_counts_query_counts_what_the_library_tiers() {
    let dir = tables();
    let ctx = context(&dir, 2).await;
    let batches = rows(&ctx, include_str!("../examples/tier-counts.sql")).await;
    let json = tierwise_datafusion::output::json_lines(&batches).unwrap();
    let mut want: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    for row in expected(&policy()) {
        *want
            .entry(row["r"]["tier"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    let want: Vec<Value> = want
        .into_iter()
        .map(|(tier, n)| serde_json::json!({"tier": tier, "customers": n, "errors": 0}))
        .collect();
    let got: Vec<Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(got, want);
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_table_of_many_files_is_read_as_many_partitions() {
    let dir = tables();
    let ctx = context(&dir, 4).await;
    let plan = ctx
        .sql("SELECT customer_id, SUM(teu) FROM shipments GROUP BY customer_id")
        .await
        .unwrap()
        .create_physical_plan()
        .await
        .unwrap();
    assert!(plan.output_partitioning().partition_count() >= 2);
    let text = datafusion::physical_plan::displayable(plan.as_ref())
        .indent(false)
        .to_string();
    // two files, each a group of its own, scanned side by side
    assert!(text.contains("file_groups={2 groups"), "{text}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn bad_rows_keep_their_row_and_bad_columns_fail_once() {
    let ctx = SessionContext::new();
    tierwise_datafusion::register(&ctx, &policy());
    let batches = rows(
        &ctx,
        "SELECT classify(named_struct('id', id, 'annual_teu', teu, 'customer_since', DATE '2019-01-01',
                                      'gross_margin_pct', CAST(8 AS DECIMAL(5,1)), 'influence', 'regional'),
                         '2026-06-30') AS r
         FROM (VALUES ('A', CAST(1200 AS DECIMAL(10,1))), ('B', CAST(-3 AS DECIMAL(10,1))), ('C', NULL)) AS t(id, teu)
         ORDER BY id",
    )
    .await;
    insta::assert_snapshot!(tierwise_datafusion::output::json_lines(&batches).unwrap());
    let err = ctx
        .sql("SELECT classify(named_struct('annual_teu', CAST(1.5 AS DOUBLE)), DATE '2026-06-30')")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("column `annual_teu` is Float64, which is not exact"),
        "{err}"
    );
    let err = ctx
        .sql("SELECT classify(1, DATE '2026-06-30')")
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("must be a struct"), "{err}");
}

/// The values the README query gives `classify`, as columns: a customers file for
/// `tierwise tier`.
const VALUES: &str = "
WITH volume AS (SELECT customer_id, SUM(teu) AS annual_teu FROM shipments GROUP BY customer_id)
SELECT c.id, COALESCE(v.annual_teu, 0) AS annual_teu, c.customer_since, c.gross_margin_pct,
       c.influence, c.credit_rating, c.overdue_days, c.strategic, c.previous_tier,
       c.tier_since, c.last_qualified, c.pinned_tier, c.pinned_until, c.pin_reason
FROM customers c LEFT JOIN volume v ON v.customer_id = c.id
ORDER BY c.id";

/// The `tierwise` command line: beside `tierwise-sql` when the workspace's tests are run
/// together (`cargo test --workspace --all-features`), otherwise built for this test.
fn tierwise_binary() -> PathBuf {
    let sql = Path::new(env!("CARGO_BIN_EXE_tierwise-sql"));
    let dir = sql.parent().unwrap();
    let beside = dir.join(format!("tierwise{}", std::env::consts::EXE_SUFFIX));
    if beside.exists() {
        return beside;
    }
    let target = dir.parent().unwrap().join("tierwise-cli-for-tests");
    let status = std::process::Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--features", "cli", "--bin", "tierwise"])
        .arg("--manifest-path")
        .arg(root().join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target)
        .status()
        .unwrap();
    assert!(status.success());
    target
        .join("debug")
        .join(format!("tierwise{}", std::env::consts::EXE_SUFFIX))
}

fn run(program: &Path, args: &[std::ffi::OsString]) -> String {
    let out = std::process::Command::new(program)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn tierwise_sql_prints_for_every_row_what_tierwise_tier_prints_for_the_same_values() {
    let dir = tables();
    let sql = Path::new(env!("CARGO_BIN_EXE_tierwise-sql"));
    let policy = root().join("policies/ocean-shipping.toml");
    let customers = format!("customers={}", dir.join("customers.parquet").display());
    let shipments = format!("shipments={}", dir.join("shipments").display());
    let sql_args = |format: &str, query: &str| -> Vec<std::ffi::OsString> {
        vec![
            "--policy".into(),
            policy.clone().into(),
            "--table".into(),
            customers.clone().into(),
            "--table".into(),
            shipments.clone().into(),
            "--format".into(),
            format.into(),
            query.into(),
        ]
    };

    // the values, written by tierwise-sql as CSV, then tiered by `tierwise tier`
    let values = dir.join("values.csv");
    std::fs::write(&values, run(sql, &sql_args("csv", VALUES))).unwrap();
    let tier_args: Vec<std::ffi::OsString> = vec![
        "tier".into(),
        "--policy".into(),
        policy.clone().into(),
        "--as-of".into(),
        "2026-06-30".into(),
        "--format".into(),
        "json".into(),
        values.clone().into(),
    ];
    let cli: Vec<Value> = run(&tierwise_binary(), &tier_args)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();

    // the same values tiered inside the query
    let got: Vec<Value> = run(sql, &sql_args("json", QUERY))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();

    assert_eq!(cli.len(), 1200);
    assert_eq!(got.len(), cli.len());
    for (g, c) in got.iter().zip(&cli) {
        let r = &g["r"];
        assert_eq!(g["id"], c["id"]);
        assert_eq!(r["tier"], c["tier"], "{g} {c}");
        assert_eq!(r["qualified_tier"], c["qualified_tier"], "{g} {c}");
        assert_eq!(r["score"], c["score"], "{g} {c}");
        assert_eq!(r["dimensions"], c["dimensions"], "{g} {c}");
        assert_eq!(r["tier_since"], c["state"]["tier_since"], "{g} {c}");
        assert_eq!(r["last_qualified"], c["state"]["last_qualified"], "{g} {c}");
        assert_eq!(r["error"], Value::Null);
    }
    // the shipments really were summed: the values are not those of customers.csv
    assert_ne!(
        std::fs::read_to_string(&values).unwrap().lines().nth(1),
        std::fs::read_to_string(root().join("data/customers.csv"))
            .unwrap()
            .lines()
            .nth(1)
    );
    std::fs::remove_dir_all(dir).unwrap();
}
