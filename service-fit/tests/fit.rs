//! Linking tierwise (with `fs` and `cli`) does not change how the service parses JSON, and
//! a policy loads from its file as a service would load it.

use tierwise_service_fit::Reading;

#[test]
fn an_untagged_float_still_parses() {
    // with serde_json's `arbitrary_precision` anywhere in the graph this fails: numbers
    // reach an untagged enum as maps, and `1.5` matches no variant
    let r: Reading = serde_json::from_str("1.5").unwrap();
    assert_eq!(r, Reading::Number(1.5));
    let v: Vec<Reading> = serde_json::from_str(r#"[2, "x", 0.25]"#).unwrap();
    assert_eq!(
        v,
        [
            Reading::Number(2.0),
            Reading::Label("x".into()),
            Reading::Number(0.25)
        ]
    );
}

#[test]
fn a_service_loads_a_policy_file_and_tiers_a_customer() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../policies/ocean-shipping.toml"
    );
    let policy = tierwise::Policy::from_path(path).unwrap();
    let c = policy
        .customer("S1")
        .set("annual_teu", "4381")
        .set("customer_since", "2019-03-14")
        .set("gross_margin_pct", "9.6")
        .set("influence", "national_leader")
        .set("credit_rating", "A")
        .build()
        .unwrap();
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    let a = policy.classify(&c, as_of).unwrap();
    assert_eq!(policy.tier(a.qualified_tier()).unwrap().id(), "key");
}
