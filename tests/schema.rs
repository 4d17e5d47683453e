//! The JSON Schemas of policy files (`policies/schema/policy.schema.json`) and scenario files
//! (`policies/schema/scenario.schema.json`), for editors.
//!
//! The committed files are generated from the crate's key tables, and a unit test of the
//! crate checks that they are current; to regenerate them after a change to a format, run
//!
//! ```text
//! UPDATE_SCHEMA=1 cargo test --lib json_schema
//! ```
//!
//! Every policy that loads must be valid against the schema (sample policies, the `ok_*`
//! corpus), and typical mistakes must not be. The schema is checked by a small validator
//! below that implements exactly the JSON Schema keywords the generator writes, and fails
//! on any other, so a new keyword cannot go untested.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "the validator and helpers fail the test by panicking"
)]

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Map, Number, Value};
use tierwise::scenario::Suite;
use tierwise::Policy;
use toml::de::{DeTable, DeValue};

const SCHEMA_FILE: &str = "policies/schema/policy.schema.json";
const SCENARIO_SCHEMA_FILE: &str = "policies/schema/scenario.schema.json";
const DIRECTIVE: &str = "#:schema ./schema/policy.schema.json";

fn schema() -> Value {
    serde_json::from_str(&fs::read_to_string(SCHEMA_FILE).unwrap()).unwrap()
}

fn scenario_schema() -> Value {
    serde_json::from_str(&fs::read_to_string(SCENARIO_SCHEMA_FILE).unwrap()).unwrap()
}

#[test]
fn schemas_are_draft_07_json() {
    let s = schema();
    assert_eq!(s["required"], serde_json::json!(["policy"]));
    let t = scenario_schema();
    assert_eq!(t["required"], serde_json::json!(["scenario"]));
    for s in [s, t] {
        assert_eq!(s["$schema"], "http://json-schema.org/draft-07/schema#");
        assert_eq!(s["type"], "object");
        assert_eq!(s["additionalProperties"], false);
        described(&s, "");
    }
    // every property an editor offers has hover help
    fn described(s: &Value, path: &str) {
        if let Some(props) = s.get("properties").and_then(Value::as_object) {
            for (k, v) in props {
                assert!(
                    v.get("description").and_then(Value::as_str).is_some(),
                    "{path}.{k} has no description"
                );
                described(v, &format!("{path}.{k}"));
            }
        }
        for key in ["items", "additionalProperties"] {
            if let Some(inner) = s.get(key).filter(|v| v.is_object()) {
                described(inner, &format!("{path}[]"));
            }
        }
        if let Some(pp) = s.get("patternProperties").and_then(Value::as_object) {
            for v in pp.values() {
                described(v, &format!("{path}[]"));
            }
        }
        for v in s
            .get("oneOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            described(v, path);
        }
    }
}

// ---------------------------------------------------------------------------------------
// TOML to JSON, as TOML editors see a document: dates and times become strings
// ---------------------------------------------------------------------------------------

fn to_json(v: &DeValue<'_>) -> Value {
    match v {
        DeValue::String(s) => Value::String(s.to_string()),
        DeValue::Integer(i) => Value::Number(
            i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
                .unwrap()
                .into(),
        ),
        DeValue::Float(f) => {
            let x: f64 = f.as_str().replace('_', "").parse().unwrap();
            Number::from_f64(x).map_or(Value::Null, Value::Number)
        }
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::String(d.to_string()),
        DeValue::Array(a) => Value::Array(a.iter().map(|i| to_json(i.get_ref())).collect()),
        DeValue::Table(t) => table_to_json(t),
    }
}

fn table_to_json(t: &DeTable<'_>) -> Value {
    let mut m = Map::new();
    for (k, v) in t.iter() {
        m.insert(k.get_ref().to_string(), to_json(v.get_ref()));
    }
    Value::Object(m)
}

fn toml_to_json(src: &str) -> Value {
    let doc = DeTable::parse(src).unwrap();
    table_to_json(doc.get_ref())
}

// ---------------------------------------------------------------------------------------
// A validator for the JSON Schema keywords the generator writes
// ---------------------------------------------------------------------------------------

/// The errors of `value` against `schema`, each with the path of the value.
fn validate(schema: &Value, value: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    check(schema, value, "$", &mut errors);
    errors
}

fn check(schema: &Value, value: &Value, path: &str, errors: &mut Vec<String>) {
    let s = schema.as_object().expect("a schema is an object");
    let mut fail = |m: String| errors.push(format!("{path}: {m}"));
    let mut nested: Vec<(&Value, &Value, String)> = Vec::new();
    for (keyword, arg) in s {
        match keyword.as_str() {
            "$schema" | "title" | "description" => {}
            "type" => {
                let types: Vec<&str> = match arg {
                    Value::String(t) => vec![t.as_str()],
                    Value::Array(ts) => ts.iter().map(|t| t.as_str().unwrap()).collect(),
                    _ => panic!("bad type {arg}"),
                };
                if !types.iter().any(|t| has_type(value, t)) {
                    fail(format!("expected {}, found {value}", types.join(" or ")));
                    return;
                }
            }
            "properties" => {
                if let Some(obj) = value.as_object() {
                    for (k, sub) in arg.as_object().unwrap() {
                        if let Some(v) = obj.get(k) {
                            nested.push((sub, v, format!("{path}.{k}")));
                        }
                    }
                }
            }
            "patternProperties" => {
                if let Some(obj) = value.as_object() {
                    for (pattern, sub) in arg.as_object().unwrap() {
                        for (k, v) in obj {
                            if matches(pattern, k) {
                                nested.push((sub, v, format!("{path}.{k}")));
                            }
                        }
                    }
                }
            }
            "additionalProperties" => {
                let Some(obj) = value.as_object() else {
                    continue;
                };
                let declared = |k: &str| {
                    s.get("properties")
                        .and_then(Value::as_object)
                        .is_some_and(|p| p.contains_key(k))
                        || s.get("patternProperties")
                            .and_then(Value::as_object)
                            .is_some_and(|p| p.keys().any(|pat| matches(pat, k)))
                };
                for (k, v) in obj {
                    if declared(k) {
                        continue;
                    }
                    match arg {
                        Value::Bool(false) => fail(format!("unknown key `{k}`")),
                        Value::Object(_) => nested.push((arg, v, format!("{path}.{k}"))),
                        _ => panic!("bad additionalProperties {arg}"),
                    }
                }
            }
            "required" => {
                if let Some(obj) = value.as_object() {
                    for k in arg.as_array().unwrap() {
                        let k = k.as_str().unwrap();
                        if !obj.contains_key(k) {
                            fail(format!("missing `{k}`"));
                        }
                    }
                }
            }
            "enum" => {
                if !arg.as_array().unwrap().contains(value) {
                    fail(format!("{value} is not one of {arg}"));
                }
            }
            "pattern" => {
                if let Some(text) = value.as_str() {
                    if !matches(arg.as_str().unwrap(), text) {
                        fail(format!("{value} does not match {arg}"));
                    }
                }
            }
            "minLength" | "maxLength" => {
                if let Some(text) = value.as_str() {
                    let n = text.chars().count() as u64;
                    let bound = arg.as_u64().unwrap();
                    if (keyword == "minLength" && n < bound)
                        || (keyword == "maxLength" && n > bound)
                    {
                        fail(format!("{keyword} {bound}, found {n} characters"));
                    }
                }
            }
            "format" => {
                assert_eq!(arg, "date", "unsupported format");
                if let Some(text) = value.as_str() {
                    let ok = text.len() == 10
                        && chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok();
                    if !ok {
                        fail(format!("{value} is not a date"));
                    }
                }
            }
            "minimum" | "maximum" => {
                if let Some(x) = value.as_f64() {
                    let bound = arg.as_f64().unwrap();
                    if (keyword == "minimum" && x < bound) || (keyword == "maximum" && x > bound) {
                        fail(format!("{keyword} {bound}, found {x}"));
                    }
                }
            }
            "items" => {
                for (i, v) in value.as_array().into_iter().flatten().enumerate() {
                    nested.push((arg, v, format!("{path}[{i}]")));
                }
            }
            "minItems" | "maxItems" => {
                if let Some(items) = value.as_array() {
                    let n = items.len() as u64;
                    let bound = arg.as_u64().unwrap();
                    if (keyword == "minItems" && n < bound) || (keyword == "maxItems" && n > bound)
                    {
                        fail(format!("{keyword} {bound}, found {n} items"));
                    }
                }
            }
            "oneOf" => {
                let passing = arg
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|sub| validate(sub, value).is_empty())
                    .count();
                if passing != 1 {
                    fail(format!(
                        "{value} matches {passing} of the `oneOf` schemas, not 1"
                    ));
                }
            }
            other => panic!("the test validator does not implement `{other}`"),
        }
    }
    for (sub, v, p) in nested {
        check(sub, v, &p, errors);
    }
}

fn has_type(v: &Value, t: &str) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "number" => v.is_number(),
        "integer" => v.is_i64() || v.is_u64(),
        _ => panic!("unknown type {t}"),
    }
}

// A backtracking matcher for the regular expressions the generator writes: `^...$`
// around literals, escapes, `[...]` classes with ranges, groups and the quantifiers
// `?`, `*`, `+`, `{n}`, `{n,m}`. Anything else fails the test.

#[derive(Debug)]
enum Atom {
    Char(char),
    Class(Vec<(char, char)>),
    Group(Vec<Piece>),
}

#[derive(Debug)]
struct Piece {
    atom: Atom,
    min: usize,
    max: usize,
}

fn parse_regex(pattern: &str) -> Vec<Piece> {
    let inner = pattern
        .strip_prefix('^')
        .and_then(|p| p.strip_suffix('$'))
        .unwrap_or_else(|| panic!("pattern {pattern} is not anchored"));
    let chars: Vec<char> = inner.chars().collect();
    let mut i = 0;
    let seq = parse_seq(&chars, &mut i);
    assert_eq!(i, chars.len(), "unsupported pattern {pattern}");
    seq
}

fn parse_seq(c: &[char], i: &mut usize) -> Vec<Piece> {
    let mut out = Vec::new();
    while let Some(&ch) = c.get(*i) {
        let atom = match ch {
            ')' => break,
            '(' => {
                *i += 1;
                let g = parse_seq(c, i);
                assert_eq!(c.get(*i), Some(&')'));
                Atom::Group(g)
            }
            '[' => {
                let mut ranges = Vec::new();
                *i += 1;
                while c[*i] != ']' {
                    let lo = c[*i];
                    if c[*i + 1] == '-' && c[*i + 2] != ']' {
                        ranges.push((lo, c[*i + 2]));
                        *i += 3;
                    } else {
                        ranges.push((lo, lo));
                        *i += 1;
                    }
                }
                Atom::Class(ranges)
            }
            '\\' => {
                *i += 1;
                assert!(c[*i].is_ascii_punctuation(), "unsupported escape");
                Atom::Char(c[*i])
            }
            '|' | '.' | '^' | '$' | '{' | '?' | '*' | '+' => panic!("unsupported `{ch}`"),
            _ => Atom::Char(ch),
        };
        *i += 1;
        let (min, max) = match c.get(*i) {
            Some('?') => (0, 1),
            Some('*') => (0, usize::MAX),
            Some('+') => (1, usize::MAX),
            Some('{') => {
                let end = c[*i..].iter().position(|&x| x == '}').unwrap() + *i;
                let body: String = c[*i + 1..end].iter().collect();
                *i = end;
                match body.split_once(',') {
                    Some((a, b)) => (a.parse().unwrap(), b.parse().unwrap()),
                    None => (body.parse().unwrap(), body.parse().unwrap()),
                }
            }
            _ => (1, 1),
        };
        if (min, max) != (1, 1) {
            *i += 1;
        }
        out.push(Piece { atom, min, max });
    }
    out
}

fn matches(pattern: &str, text: &str) -> bool {
    let pieces = parse_regex(pattern);
    let chars: Vec<char> = text.chars().collect();
    match_seq(&pieces, &chars, 0, &mut |end| end == chars.len())
}

/// Matches `pieces` against `text` from `at`, calling `k` with every end position.
fn match_seq(pieces: &[Piece], text: &[char], at: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
    let Some((first, rest)) = pieces.split_first() else {
        return k(at);
    };
    match_piece(first, 0, text, at, &mut |end| match_seq(rest, text, end, k))
}

fn match_piece(
    p: &Piece,
    count: usize,
    text: &[char],
    at: usize,
    k: &mut dyn FnMut(usize) -> bool,
) -> bool {
    // greedy: one more repetition first, then stop here
    if count < p.max
        && match_atom(&p.atom, text, at, &mut |end| {
            end != at && match_piece(p, count + 1, text, end, k)
        })
    {
        return true;
    }
    count >= p.min && k(at)
}

fn match_atom(a: &Atom, text: &[char], at: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
    match a {
        Atom::Char(c) => text.get(at) == Some(c) && k(at + 1),
        Atom::Class(ranges) => {
            text.get(at)
                .is_some_and(|c| ranges.iter().any(|(lo, hi)| lo <= c && c <= hi))
                && k(at + 1)
        }
        Atom::Group(seq) => match_seq(seq, text, at, k),
    }
}

#[test]
fn the_regex_matcher_works() {
    let d = "^([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?$";
    for ok in ["4h", "1h30m", "30m", "2d", "1d2h3m4s", "0s", ""] {
        assert!(matches(d, ok), "{ok}");
    }
    for bad in ["4", "h", "30m1h", "4 h", "1.5h", "4hh", "4w"] {
        assert!(!matches(d, bad), "{bad}");
    }
    let p = "^[0-9]+(\\.[0-9]+)?%$";
    assert!(matches(p, "150%") && matches(p, "12.5%"));
    assert!(!matches(p, "150") && !matches(p, "%") && !matches(p, "1.%"));
    let h = "^ *[0-9]{2}:[0-9]{2} *- *[0-9]{2}:[0-9]{2} *$";
    assert!(matches(h, "09:00-12:00") && matches(h, "09:00 - 12:00"));
    assert!(!matches(h, "9:00-12:00") && !matches(h, "09:00"));
    assert!(matches("^[a-z0-9_-]+$", "ocean-shipping_2"));
    assert!(!matches("^[a-z0-9_-]+$", "Ocean"));
}

// ---------------------------------------------------------------------------------------
// Policies against the schema
// ---------------------------------------------------------------------------------------

fn sample_policies() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir("policies")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.ends_with(".toml") && !name.ends_with(".tests.toml")
        })
        .collect();
    out.sort();
    assert!(out.len() >= 3, "{out:?}");
    out
}

fn assert_valid(path: &Path) {
    let src = fs::read_to_string(path).unwrap();
    let errors = validate(&schema(), &toml_to_json(&src));
    assert!(
        errors.is_empty(),
        "{}:\n{}",
        path.display(),
        errors.join("\n")
    );
}

#[test]
fn sample_policies_name_the_schema_and_follow_it() {
    for path in sample_policies() {
        let src = fs::read_to_string(&path).unwrap();
        assert_eq!(
            src.lines().next(),
            Some(DIRECTIVE),
            "{} must start with the schema directive",
            path.display()
        );
        assert_valid(&path);
    }
}

#[test]
fn every_policy_that_loads_follows_the_schema() {
    let mut paths = vec![
        PathBuf::from("tests/inputs/spec-example.toml"),
        PathBuf::from("tests/inputs/include/ok/main.toml"),
    ];
    for e in fs::read_dir("tests/inputs/policies").unwrap() {
        let p = e.unwrap().path();
        if p.file_name().unwrap().to_string_lossy().starts_with("ok_") {
            paths.push(p);
        }
    }
    assert!(paths.len() > 5);
    for path in paths {
        assert_valid(&path);
    }
}

/// `src` with the first `from` outside a comment line replaced by `to`.
fn edit(src: &str, from: &str, to: &str) -> String {
    let mut at = 0;
    while let Some(i) = src[at..].find(from).map(|i| i + at) {
        let line_start = src[..i].rfind('\n').map_or(0, |n| n + 1);
        if !src[line_start..].trim_start().starts_with('#') {
            return format!("{}{to}{}", &src[..i], &src[i + from.len()..]);
        }
        at = i + from.len();
    }
    panic!("`{from}` is not in the policy");
}

/// The schema errors of the sample policy with `from` replaced by `to`.
fn errors_of(from: &str, to: &str) -> Vec<String> {
    let src = fs::read_to_string("policies/ocean-shipping.toml").unwrap();
    validate(&schema(), &toml_to_json(&edit(&src, from, to)))
}

#[test]
fn typical_mistakes_break_the_schema() {
    let cases: &[(&str, &str, &str)] = &[
        // (replace, with, an error mentioning)
        (
            "precision = 2",
            "precison = 2",
            "$.scoring: unknown key `precison`",
        ),
        ("[tiering]", "[tierng]", "$: unknown key `tierng`"),
        (
            "email = \"8h\"",
            "email = \"8 hours\"",
            "$.service.standard.response.email",
        ),
        (
            "phone = \"60s\"",
            "phone = \"1h30\"",
            "$.service.standard.response.phone",
        ),
        (
            "solution = \"8h\" }",
            "solution = \"\" }",
            "$.sla[6].targets.solution",
        ),
        (
            "weight = 35",
            "weight = \"35\"",
            "$.scoring.dimensions.volume.weight: expected number",
        ),
        (
            "precision = 2",
            "precision = 2.5",
            "$.scoring.precision: expected integer",
        ),
        (
            "precision = 2",
            "precision = 7",
            "$.scoring.precision: maximum 6",
        ),
        (
            "curve = \"linear\"",
            "curve = \"linar\"",
            "$.scoring.dimensions.volume.curve",
        ),
        (
            "type = \"decimal\"",
            "type = \"float\"",
            "$.metrics.annual_teu.type",
        ),
        (
            "account_manager = \"none\"",
            "account_manager = \"nobody\"",
            "$.service.standard.account_manager",
        ),
        (
            "like = \"mon\"",
            "like = \"monday\"",
            "$.calendars.cn_business.workdays[0].like",
        ),
        (
            "id = \"ocean-shipping\"",
            "id = \"Ocean Shipping\"",
            "$.policy.id",
        ),
        (
            "annual_teu = {",
            "AnnualTEU = {",
            "$.metrics: unknown key `AnnualTEU`",
        ),
        (
            "{ at = \"100%\", notify = \"team_lead\" },",
            "{ at = \"1.5\", notify = \"team_lead\" },",
            "$.escalation[0].ladder[0].at",
        ),
        (
            "effective_from = 2026-01-01",
            "effective_from = 2026",
            "$.policy.effective_from: expected string",
        ),
        (
            "timezone = \"Asia/Shanghai\"\n\n",
            "\n\n",
            "$.policy: missing `timezone`",
        ),
        (
            "min_score = 80",
            "min_score = 180",
            "$.tiers[0].min_score: maximum 100",
        ),
        (
            "require = [\"credit_rating != 'D'\"]",
            "require = \"credit_rating != 'D'\"",
            "$.tiers[1].require: expected array",
        ),
        (
            "points = [[0, 0], [1, 30]",
            "points = [[0, 0, 1], [1, 30]",
            "$.scoring.dimensions.tenure.points[0]: maxItems 2",
        ),
        (
            "mon = [\"09:00-12:00\"",
            "mon = [\"9-12\"",
            "$.calendars.cn_business.hours.mon[0]",
        ),
        (
            "fri = [",
            "friday = [",
            "$.calendars.cn_business.hours: unknown key `friday`",
        ),
        (
            "{ from = 2026-01-01, to = 2026-01-03",
            "{ from = 2026-01-01, until = 2026-01-03",
            "$.calendars.cn_business.holidays[0]",
        ),
    ];
    for (from, to, expected) in cases {
        let errors = errors_of(from, to);
        assert!(
            errors.iter().any(|e| e.contains(expected)),
            "`{from}` -> `{to}`: expected an error with {expected:?}, got {errors:#?}"
        );
    }
}

#[test]
fn unknown_keys_the_reader_rejects_are_rejected_by_the_schema() {
    // the corpus of broken policies: each misspelt key is an error of the schema as well
    let mut n = 0;
    for e in fs::read_dir("tests/inputs/policies").unwrap() {
        let path = e.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("err_unknown_key_") && name != "err_unknown_top_level_table.toml" {
            continue;
        }
        let src = fs::read_to_string(&path).unwrap();
        let errors = validate(&schema(), &toml_to_json(&src));
        assert!(
            errors.iter().any(|e| e.contains("unknown key")),
            "{name}: {errors:#?}"
        );
        n += 1;
    }
    assert!(n >= 7, "{n}");
}

/// The words of the closed value set at `pointer` in the schema.
fn words(pointer: &str) -> Vec<String> {
    schema()
        .pointer(pointer)
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("no enum at {pointer}"))
        .iter()
        .map(|w| w.as_str().unwrap().to_owned())
        .collect()
}

fn loads(src: &str) -> Result<(), String> {
    Policy::from_toml_str("edited.toml", src)
        .map(|_| ())
        .map_err(|e| format!("{e:#}"))
}

#[test]
fn every_word_the_schema_offers_is_accepted_by_the_library() {
    let src = fs::read_to_string("policies/ocean-shipping.toml").unwrap();
    let check = |from: &str, to: String| {
        let edited = edit(&src, from, &to);
        assert!(
            validate(&schema(), &toml_to_json(&edited)).is_empty(),
            "{to}"
        );
        if let Err(e) = loads(&edited) {
            panic!("`{to}` is offered by the schema but rejected:\n{e}");
        }
    };
    let props = "/properties";
    for w in words(&format!("{props}/scoring/properties/missing/enum")) {
        check("missing = \"error\"", format!("missing = \"{w}\""));
    }
    let dim = format!("{props}/scoring/properties/dimensions/additionalProperties/properties");
    for w in words(&format!("{dim}/curve/enum")) {
        check("curve = \"linear\"", format!("curve = \"{w}\""));
    }
    for w in words(&format!("{dim}/unit/enum")) {
        check("unit = \"years\"", format!("unit = \"{w}\""));
    }
    let service = format!("{props}/service/additionalProperties/properties");
    for w in words(&format!("{service}/account_manager/enum")) {
        check(
            "account_manager = \"none\"",
            format!("account_manager = \"{w}\""),
        );
    }
    let calendar = format!("{props}/calendars/additionalProperties/properties");
    for w in words(&format!("{calendar}/workdays/items/properties/like/enum")) {
        check("like = \"mon\"", format!("like = \"{w}\""));
    }
    let metric = format!("{props}/metrics/patternProperties/^[a-z][a-z0-9_]*$/properties");
    for w in words(&format!("{metric}/type/enum")) {
        let extra = if w == "enum" {
            ", values = [\"a\"]"
        } else {
            ""
        };
        check(
            "strategic = { type = \"bool\", default = false }",
            format!("strategic = {{ type = \"bool\", default = false }}\nspare = {{ type = \"{w}\"{extra} }}"),
        );
    }
    // and the keys of a calendar's `hours`
    let hours = schema()
        .pointer(&format!("{calendar}/hours/properties"))
        .and_then(Value::as_object)
        .unwrap()
        .keys()
        .cloned()
        .collect::<Vec<_>>();
    let mut sorted = hours.clone();
    sorted.sort();
    assert_eq!(sorted, ["fri", "mon", "sat", "sun", "thu", "tue", "wed"]);
    for day in hours {
        // the days the sample leaves closed; the others are in the valid sample already
        if !src.contains(&format!("\n{day} = [")) {
            check("fri = [", format!("{day} = [\"09:00-10:00\"]\nfri = ["));
        }
    }
}

// ---------------------------------------------------------------------------------------
// Scenario files against their schema
// ---------------------------------------------------------------------------------------

#[test]
fn scenario_files_follow_their_schema() {
    let mut paths: Vec<PathBuf> = fs::read_dir("policies")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".tests.toml"))
        .collect();
    paths.push(PathBuf::from("tests/inputs/scenarios/failing.tests.toml"));
    for path in paths {
        let src = fs::read_to_string(&path).unwrap();
        let errors = validate(&scenario_schema(), &toml_to_json(&src));
        assert!(
            errors.is_empty(),
            "{}:\n{}",
            path.display(),
            errors.join("\n")
        );
    }
}

/// A scenario file of the sample policy with a marker in every table that takes keys:
/// `scenario_with` replaces each `@TABLE` by nothing, or by a key in the table named.
const SCENARIO: &str = r#"as_of = 2026-06-30
@top
[[scenario]]
name = "a big forwarder opens a complaint"
@scenario
customer = { id = "S1", annual_teu = 3200, customer_since = 2016-04-01, gross_margin_pct = 11.5, influence = "national_leader" }
case = { @case kind = "complaint", opened = 2026-06-30T09:15:00+08:00 }

[scenario.expect]
@expect
tier = "key"
state = { @state tier_since = 2026-06-30 }
service = { @service account_manager = "designated" }
route = { @route queue = "key-accounts" }
escalation = [{ @step milestone = "resolve", notify = "team_lead", due = 2026-07-10T09:15:00+08:00 }]
"#;

/// The tables of [`SCENARIO`], with the JSON pointer of their schema.
const SCENARIO_TABLES: &[(&str, &str)] = &[
    ("top", ""),
    ("scenario", "/properties/scenario/items"),
    ("case", "/properties/scenario/items/properties/case"),
    ("expect", "/properties/scenario/items/properties/expect"),
    (
        "state",
        "/properties/scenario/items/properties/expect/properties/state",
    ),
    (
        "service",
        "/properties/scenario/items/properties/expect/properties/service",
    ),
    (
        "route",
        "/properties/scenario/items/properties/expect/properties/route",
    ),
    (
        "step",
        "/properties/scenario/items/properties/expect/properties/escalation/items",
    ),
];

fn scenario_with(table: &str, extra: &str) -> String {
    let mut text = SCENARIO.to_owned();
    for (t, _) in SCENARIO_TABLES {
        let inline = !matches!(*t, "top" | "scenario" | "expect");
        let with = match (*t == table, inline) {
            (false, _) => String::new(),
            (true, true) => format!("{extra}, "),
            (true, false) => extra.to_owned(),
        };
        let marker = format!("@{t}");
        let marker = if inline { format!("{marker} ") } else { marker };
        text = text.replace(&marker, &with);
    }
    text
}

fn sample_policy() -> Policy {
    let text = fs::read_to_string("policies/ocean-shipping.toml").unwrap();
    Policy::from_toml_str("policies/ocean-shipping.toml", &text).unwrap()
}

#[test]
fn the_scenario_schema_has_the_keys_the_scenario_reader_takes() {
    // the scenario reader keeps its own lists of keys: they are compared here through its
    // diagnostics, which list the keys a table takes when a key is unknown and far from all
    let policy = sample_policy();
    let base = scenario_with("", "");
    assert!(validate(&scenario_schema(), &toml_to_json(&base)).is_empty());
    if let Err(e) = Suite::from_toml_str("base.tests.toml", &base, &policy) {
        panic!("{e:#}");
    }
    for (table, pointer) in SCENARIO_TABLES {
        let text = scenario_with(table, "qqqqqqqqqq = 1");
        let schema_errors = validate(&scenario_schema(), &toml_to_json(&text));
        assert!(
            schema_errors
                .iter()
                .any(|e| e.contains("unknown key `qqqqqqqqqq`")),
            "{table}: {schema_errors:?}"
        );
        let err = Suite::from_toml_str("x.tests.toml", &text, &policy)
            .err()
            .unwrap();
        let help = err
            .diagnostics()
            .iter()
            .find(|d| d.message().starts_with("unknown key `qqqqqqqqqq`"))
            .and_then(|d| d.help())
            .unwrap_or_else(|| panic!("{table}: {err:#}"));
        let mut reader_keys: Vec<&str> = help
            .split_once(" takes ")
            .unwrap_or_else(|| panic!("{table}: {help}"))
            .1
            .split(", ")
            .map(|k| k.trim_matches('`'))
            .collect();
        reader_keys.sort();
        let node = scenario_schema().pointer(pointer).unwrap().clone();
        let mut schema_keys: Vec<String> = node["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        schema_keys.sort();
        assert_eq!(reader_keys, schema_keys, "the keys of `{table}`");
    }
}

#[test]
fn every_decision_the_scenario_schema_offers_is_accepted() {
    let policy = sample_policy();
    let pointer = "/properties/scenario/items/properties/expect/properties/decided_by/enum";
    for word in scenario_schema()
        .pointer(pointer)
        .unwrap()
        .as_array()
        .unwrap()
    {
        let text = scenario_with("expect", &format!("decided_by = {word}"));
        assert!(validate(&scenario_schema(), &toml_to_json(&text)).is_empty());
        if let Err(e) = Suite::from_toml_str("x.tests.toml", &text, &policy) {
            panic!("{word}: {e:#}");
        }
    }
}
