fn main() {
    for f in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&f).unwrap();
        match tierwise::Policy::from_toml_str(&f, &text) {
            Ok(p) => {
                println!("ok {}", p.id());
                let c = p.customer("C1").set("annual_teu", "1250").set("customer_since", "2019-04-01")
                    .set("gross_margin_pct", "9.5").set("influence", "regional").build().unwrap();
                let d = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
                println!("{}", p.explain(&c, d).unwrap());
            }
            Err(e) => println!("{e:#}"),
        }
    }
}
