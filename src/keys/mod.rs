//! The keys of every table of a policy file and of a scenario file, described once: the
//! readers check tables against these lists (`Cx::check_keys`), and the JSON Schemas that
//! editors use for completion, hover help and validation (`policies/schema/*.json`) are
//! generated from them (see `json_schema`, a test). A key added to a table here is
//! accepted by the reader and offered by the editor at the same time.
//!
//! A leaf: it imports nothing from the rest of the crate.
//!
//! The schema checks the shape of a file (keys, types, closed value sets, the syntax of
//! ids, durations and percentages). Cross references (a metric named in a condition, a
//! tier named in a cap, a calendar named in `support_hours`) and ordering rules are left
//! to `tierwise check`.

#[cfg(test)]
mod json_schema;

#[cfg_attr(
    not(any(test, feature = "lsp")),
    expect(
        dead_code,
        reason = "descriptions are read by the JSON Schema generator (a test) and the language server"
    )
)]
/// One key of a table: its name, the type of its value, a sentence for policy authors
/// (the editor's hover help) and whether the table must have it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Key {
    pub(crate) name: &'static str,
    pub(crate) ty: Ty,
    pub(crate) doc: &'static str,
    pub(crate) required: bool,
}

#[cfg_attr(
    not(test),
    expect(
        dead_code,
        reason = "descriptions and value shapes are read by the JSON Schema generator, a test"
    )
)]
/// The type of a value in a policy file.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Ty {
    /// Free text.
    Text,
    /// Text that matches a regular expression (anchored, and written so that JSON Schema
    /// validators and people can both read it).
    Pattern(&'static str),
    /// A condition (spec section 5).
    Condition,
    /// A duration like `"1h30m"`.
    Duration,
    /// One of a closed set of words.
    Enum(&'static [&'static str]),
    /// A whole number, optionally bounded (inclusive).
    Integer { min: Option<i64>, max: Option<i64> },
    /// A number, read as an exact decimal, optionally bounded (inclusive).
    Number { min: Option<i64>, max: Option<i64> },
    /// `true` or `false`.
    Bool,
    /// A TOML local date, `2026-01-01`.
    Date,
    /// A date and time of day: a TOML date-time or a string in RFC 3339.
    DateTime,
    /// A number, string, boolean or date (a metric's `default`).
    Scalar,
    /// A number, or a string holding one (read exactly).
    NumberText,
    /// An array of values of one type.
    Array(&'static Ty),
    /// A pair `[a, b]` of values of one type.
    Pair(&'static Ty),
    /// A table with the given keys and no others.
    Table(&'static [Key]),
    /// A table of named entries (`[metrics.NAME]`, `[service.TIER]`, `targets = {...}`).
    Map(&'static Entries),
    /// A value of one of these types (a holiday: a date, or a table).
    OneOf(&'static [Ty]),
}

#[cfg_attr(
    not(test),
    expect(
        dead_code,
        reason = "descriptions and value shapes are read by the JSON Schema generator, a test"
    )
)]
/// The entries of a [`Ty::Map`]: what each is, which names are valid, and their type.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entries {
    /// A sentence about each entry, for policy authors.
    pub(crate) doc: &'static str,
    /// A pattern every name must match, when names are restricted.
    pub(crate) names: Option<&'static str>,
    pub(crate) value: Ty,
}

/// The state and pin fields a customer record may carry besides metrics.
pub(crate) const STATE_FIELDS: [&str; 6] = [
    "previous_tier",
    "tier_since",
    "last_qualified",
    "pinned_tier",
    "pinned_until",
    "pin_reason",
];

/// Names a metric may not have: the record's `id`, the words of conditions, and the state
/// and pin fields.
pub(crate) fn is_reserved(name: &str) -> bool {
    ["id", "tier", "score", "case", "dimension"].contains(&name) || STATE_FIELDS.contains(&name)
}

/// Something `check_keys` can take as an allowed key: a descriptor or a plain name.
pub(crate) trait KeyName {
    fn key_name(&self) -> &str;
}

impl KeyName for Key {
    fn key_name(&self) -> &str {
        self.name
    }
}

impl KeyName for &str {
    fn key_name(&self) -> &str {
        self
    }
}

/// The names of `keys`, in order.
pub(crate) fn names(keys: &'static [Key]) -> impl Iterator<Item = &'static str> + Clone {
    keys.iter().map(|k| k.name)
}

/// The key named `name`, if `keys` has it.
pub(crate) fn find(keys: &'static [Key], name: &str) -> Option<&'static Key> {
    keys.iter().find(|k| k.name == name)
}

const fn key(name: &'static str, ty: Ty, doc: &'static str) -> Key {
    Key {
        name,
        ty,
        doc,
        required: false,
    }
}

const fn req(name: &'static str, ty: Ty, doc: &'static str) -> Key {
    Key {
        name,
        ty,
        doc,
        required: true,
    }
}

const NUMBER: Ty = Ty::Number {
    min: None,
    max: None,
};
const SCORE: Ty = Ty::Number {
    min: Some(0),
    max: Some(100),
};
const TEXTS: Ty = Ty::Array(&Ty::Text);

/// A policy or tier id.
const ID: &str = "^[a-z0-9_-]+$";
/// A metric name.
const METRIC_NAME: &str = "^[a-z][a-z0-9_]*$";
/// A duration: one or more whole numbers, each with a unit.
#[cfg_attr(
    not(test),
    expect(
        dead_code,
        reason = "descriptions and value shapes are read by the JSON Schema generator, a test"
    )
)]
const DURATION: &str = "^([0-9]+[dhms])+$";
/// An escalation step's share of the target.
const PERCENT: &str = "^[0-9]+(\\.[0-9]+)?%$";
/// An opening interval of a weekday.
const INTERVAL: &str = "^ *[0-9]{2}:[0-9]{2} *- *[0-9]{2}:[0-9]{2} *$";

const DESCRIPTION: Key = key(
    "description",
    Ty::Text,
    "Free text for people; tierwise ignores it.",
);

/// The top-level tables of a policy file.
pub(crate) const TOP_KEYS: &[Key] = &[
    req(
        "policy",
        Ty::Table(POLICY_KEYS),
        "Which policy this is: its id, version, time zone and the days it applies.",
    ),
    key(
        "metrics",
        Ty::Map(&Entries {
            doc: "A metric; its name starts with a-z and uses only a-z, 0-9 and `_`.",
            names: Some(METRIC_NAME),
            value: Ty::Table(METRIC_KEYS),
        }),
        "The facts every customer record carries, one entry per metric.",
    ),
    key(
        "scoring",
        Ty::Table(SCORING_KEYS),
        "How the metrics become one score from 0 to 100.",
    ),
    key(
        "tiers",
        Ty::Array(&Ty::Table(TIER_KEYS)),
        "The tiers, highest first; the last is the floor, with `min_score = 0` and no `require`.",
    ),
    key(
        "adjustments",
        Ty::Array(&Ty::Table(ADJUSTMENT_KEYS)),
        "Floors and caps: a condition that raises customers to at least a tier, or holds them at most at one.",
    ),
    key(
        "tiering",
        Ty::Table(TIERING_KEYS),
        "How a customer's previous tier softens a downgrade.",
    ),
    key(
        "benefits",
        Ty::Map(&Entries {
            doc: "A benefit, referred to by this id in services and grants.",
            names: None,
            value: Ty::Table(BENEFIT_KEYS),
        }),
        "The benefits a service or grant can give, each declared once.",
    ),
    key(
        "service",
        Ty::Map(&Entries {
            doc: "The service of the tier with this id, or a base service that others extend.",
            names: None,
            value: Ty::Table(SERVICE_KEYS),
        }),
        "The service of each tier, as `[service.TIER]`; every tier needs one.",
    ),
    key(
        "grants",
        Ty::Array(&Ty::Table(GRANT_KEYS)),
        "Extra benefits for customers who meet a condition.",
    ),
    key(
        "calendars",
        Ty::Map(&Entries {
            doc: "A calendar, named in `support_hours` and in the `clock` of an SLA rule.",
            names: None,
            value: Ty::Table(CALENDAR_KEYS),
        }),
        "Opening hours, holidays and make-up workdays that SLA clocks count on.",
    ),
    key(
        "cases",
        Ty::Map(&Entries {
            doc: "A kind of case, named `case.kind` in routing conditions.",
            names: None,
            value: Ty::Table(CASE_KEYS),
        }),
        "The kinds of cases tracked, with their severities and milestones.",
    ),
    key(
        "sla",
        Ty::Array(&Ty::Table(SLA_KEYS)),
        "Target times of milestones; the most specific matching rule gives each target.",
    ),
    key(
        "routing",
        Ty::Array(&Ty::Table(ROUTING_KEYS)),
        "Which queue handles a new case; the first rule whose `when` holds decides.",
    ),
    key(
        "escalation",
        Ty::Array(&Ty::Table(ESCALATION_KEYS)),
        "Who is told when a milestone runs late.",
    ),
];

/// `[policy]`.
pub(crate) const POLICY_KEYS: &[Key] = &[
    req(
        "id",
        Ty::Pattern(ID),
        "A short fixed name of a-z, 0-9, `-` and `_`, shared by every version of the policy.",
    ),
    req(
        "version",
        Ty::Text,
        "Free text naming this version, echoed in every result; change it with every edit.",
    ),
    key("name", Ty::Text, "The policy's display name."),
    key(
        "effective_from",
        Ty::Date,
        "The first day the policy applies, included.",
    ),
    key(
        "effective_until",
        Ty::Date,
        "The last day the policy applies, included; not before `effective_from`.",
    ),
    req(
        "timezone",
        Ty::Text,
        "The IANA time zone of dates and calendars, like `Asia/Shanghai`.",
    ),
    key(
        "include",
        TEXTS,
        "Other TOML files merged into this policy, with paths relative to this file.",
    ),
    DESCRIPTION,
];

/// The types of a metric.
pub(crate) const METRIC_TYPES: &[&str] = &["decimal", "integer", "date", "enum", "bool"];

/// `[metrics.NAME]`.
pub(crate) const METRIC_KEYS: &[Key] = &[
    req(
        "type",
        Ty::Enum(METRIC_TYPES),
        "The kind of value: an exact `decimal`, an `integer`, a `date`, an `enum` of `values` or a `bool`.",
    ),
    key(
        "min",
        NUMBER,
        "The lowest accepted value, included; decimal and integer metrics only.",
    ),
    key(
        "max",
        NUMBER,
        "The highest accepted value, included; decimal and integer metrics only.",
    ),
    key("values", TEXTS, "The values of an enum metric."),
    key(
        "default",
        Ty::Scalar,
        "The value used when a record leaves the metric empty; the metric is then optional.",
    ),
    key(
        "required",
        Ty::Bool,
        "`false` lets records leave the metric empty even without a `default`.",
    ),
    key(
        "unit",
        Ty::Text,
        "The unit of the values, for people, like `TEU/year`.",
    ),
    key(
        "scale",
        Ty::Integer {
            min: Some(0),
            max: Some(6),
        },
        "Decimals of the values next-tier guidance gives, 0 to 6 (default 2 for decimal, 0 for integer metrics, which allow only 0).",
    ),
    key("description", Ty::Text, "What the metric means, for people."),
];

/// `[scoring]`.
pub(crate) const SCORING_KEYS: &[Key] = &[
    key(
        "precision",
        Ty::Integer {
            min: Some(0),
            max: Some(6),
        },
        "Decimals kept in every score, 0 to 6 (default 2); halves round away from zero.",
    ),
    key(
        "missing",
        Ty::Enum(&["error", "zero"]),
        "What an absent optional metric does to a dimension: `error` (default) rejects the record, `zero` scores 0.",
    ),
    req(
        "dimensions",
        Ty::Map(&Entries {
            doc: "A dimension of the score: one metric turned into points from 0 to 100.",
            names: None,
            value: Ty::Table(DIMENSION_KEYS),
        }),
        "The dimensions of the score, as `[scoring.dimensions.NAME]`.",
    ),
];

/// `[scoring.dimensions.NAME]`.
pub(crate) const DIMENSION_KEYS: &[Key] = &[
    req("metric", Ty::Text, "The metric this dimension scores."),
    req(
        "weight",
        NUMBER,
        "The positive weight of this dimension in the score; the weights need not add up to 100.",
    ),
    key(
        "curve",
        Ty::Enum(&["linear", "steps"]),
        "How a number or date becomes points: `linear` draws straight lines between the points, `steps` jumps at each.",
    ),
    key(
        "unit",
        Ty::Enum(&["years", "days"]),
        "How a date metric is counted up to the as-of date: whole `years` (default) or `days`.",
    ),
    key(
        "points",
        Ty::Array(&Ty::Pair(&NUMBER)),
        "The `[x, y]` points of the curve, x strictly increasing, y from 0 to 100.",
    ),
    key(
        "map",
        Ty::Map(&Entries {
            doc: "The points of this value (or of every unlisted value, for `default`).",
            names: None,
            value: SCORE,
        }),
        "The points of each value of an enum or bool metric, with an optional `default`.",
    ),
    DESCRIPTION,
];

/// `[[tiers]]`.
pub(crate) const TIER_KEYS: &[Key] = &[
    req(
        "id",
        Ty::Pattern(ID),
        "The tier's id, of a-z, 0-9, `-` and `_`, used in conditions, services and results.",
    ),
    key("name", Ty::Text, "The tier's display name."),
    req(
        "min_score",
        SCORE,
        "The lowest score of this tier; it strictly decreases from tier to tier and is 0 for the last.",
    ),
    key(
        "require",
        Ty::Array(&Ty::Condition),
        "Conditions a customer must also meet to qualify for this tier.",
    ),
    DESCRIPTION,
];

/// `[[adjustments]]`.
pub(crate) const ADJUSTMENT_KEYS: &[Key] = &[
    req(
        "when",
        Ty::Condition,
        "The condition under which this adjustment applies.",
    ),
    key(
        "at_least",
        Ty::Text,
        "A floor: the lowest tier of customers matching `when`.",
    ),
    key(
        "at_most",
        Ty::Text,
        "A cap: the highest tier of customers matching `when`; caps win over floors.",
    ),
    req(
        "reason",
        Ty::Text,
        "Why, shown in the result of every customer this adjustment applies to.",
    ),
];

/// `[tiering]`.
pub(crate) const TIERING_KEYS: &[Key] = &[
    key(
        "downgrade_buffer",
        SCORE,
        "Score points a customer may fall below the previous tier's `min_score` and keep it (default 0).",
    ),
    key(
        "downgrade_grace_days",
        Ty::Integer {
            min: Some(0),
            max: Some(36_600),
        },
        "Days after last qualifying for the previous tier that a customer keeps it (default 0).",
    ),
    key(
        "max_downgrade_steps",
        Ty::Integer {
            min: Some(0),
            max: None,
        },
        "The most tiers a customer drops at once (default: no limit).",
    ),
    key(
        "pins_respect_caps",
        Ty::Bool,
        "Whether caps still lower a manually pinned tier (default true).",
    ),
];

/// `[benefits.ID]`.
pub(crate) const BENEFIT_KEYS: &[Key] = &[
    key("name", Ty::Text, "The name customers see."),
    DESCRIPTION,
];

/// The kinds of account manager of a service.
pub(crate) const ACCOUNT_MANAGERS: &[&str] = &["none", "designated", "dedicated"];

/// `[service.TIER]`.
pub(crate) const SERVICE_KEYS: &[Key] = &[
    key(
        "extends",
        Ty::Text,
        "Another service to start from: settings written here replace its own, and `response` merges by channel.",
    ),
    key(
        "support_hours",
        Ty::Text,
        "The calendar this tier's SLA clocks count on, or `24x7`.",
    ),
    key(
        "account_manager",
        Ty::Enum(ACCOUNT_MANAGERS),
        "`none` (default), `designated` (a named contact) or `dedicated` (serves only this customer).",
    ),
    key("channels", TEXTS, "The channels the customer can reach us on."),
    key(
        "review_every_days",
        Ty::Integer {
            min: Some(0),
            max: Some(3660),
        },
        "Days between scheduled business reviews; 0 means none.",
    ),
    key(
        "benefits",
        TEXTS,
        "The ids of the benefits this tier gets; replaces, not adds to, those of `extends`.",
    ),
    key(
        "response",
        Ty::Map(&Entries {
            doc: "How fast this channel is answered, like \"30s\" or \"2h\".",
            names: None,
            value: Ty::Duration,
        }),
        "How fast each channel is answered, like `{ phone = \"30s\", email = \"2h\" }`.",
    ),
    DESCRIPTION,
];

/// `[[grants]]`.
pub(crate) const GRANT_KEYS: &[Key] = &[
    key(
        "when",
        Ty::Condition,
        "The condition under which the benefits are added; it may use `tier`.",
    ),
    req("benefits", TEXTS, "The ids of the benefits added."),
    DESCRIPTION,
];

/// `[calendars.NAME]`.
pub(crate) const CALENDAR_KEYS: &[Key] = &[
    key(
        "timezone",
        Ty::Text,
        "The IANA time zone of this calendar (default: the policy's).",
    ),
    key(
        "holidays",
        Ty::Array(&Ty::OneOf(&[Ty::Date, Ty::Table(HOLIDAY_KEYS)])),
        "Days closed all day: dates, or ranges `{ from = ..., to = ..., name = \"...\" }`.",
    ),
    key(
        "workdays",
        Ty::Array(&Ty::Table(WORKDAY_KEYS)),
        "Make-up working days, like `{ date = 2026-10-10, like = \"mon\" }`.",
    ),
    req(
        "hours",
        Ty::Table(HOURS_KEYS),
        "The open intervals of each weekday, like `mon = [\"09:00-12:00\", \"13:00-18:00\"]`.",
    ),
    DESCRIPTION,
];

/// A holiday written as a table.
pub(crate) const HOLIDAY_KEYS: &[Key] = &[
    key("from", Ty::Date, "The first day of the holiday."),
    key("to", Ty::Date, "The last day of the holiday, included."),
    key("date", Ty::Date, "The day of a one-day holiday."),
    key("name", Ty::Text, "The holiday's name, for people."),
];

/// The weekdays, the keys of a calendar's `hours`.
pub(crate) const WEEKDAYS: &[&str] = &["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A make-up workday.
pub(crate) const WORKDAY_KEYS: &[Key] = &[
    req("date", Ty::Date, "The day that is worked."),
    req(
        "like",
        Ty::Enum(WEEKDAYS),
        "The weekday whose hours it opens with.",
    ),
    key("name", Ty::Text, "Why, for people."),
];

const HOURS: Ty = Ty::Array(&Ty::Pattern(INTERVAL));

/// A calendar's `hours`, one key per weekday (the same as [`WEEKDAYS`]).
pub(crate) const HOURS_KEYS: &[Key] = &[
    key(
        "mon",
        HOURS,
        "Monday's open intervals, like \"09:00-12:00\"; \"00:00-24:00\" is the whole day.",
    ),
    key(
        "tue",
        HOURS,
        "Tuesday's open intervals, like \"09:00-12:00\"; \"00:00-24:00\" is the whole day.",
    ),
    key(
        "wed",
        HOURS,
        "Wednesday's open intervals, like \"09:00-12:00\"; \"00:00-24:00\" is the whole day.",
    ),
    key(
        "thu",
        HOURS,
        "Thursday's open intervals, like \"09:00-12:00\"; \"00:00-24:00\" is the whole day.",
    ),
    key(
        "fri",
        HOURS,
        "Friday's open intervals, like \"09:00-12:00\"; \"00:00-24:00\" is the whole day.",
    ),
    key(
        "sat",
        HOURS,
        "Saturday's open intervals, like \"09:00-12:00\"; \"00:00-24:00\" is the whole day.",
    ),
    key(
        "sun",
        HOURS,
        "Sunday's open intervals, like \"09:00-12:00\"; \"00:00-24:00\" is the whole day.",
    ),
];

/// `[cases.KIND]`.
pub(crate) const CASE_KEYS: &[Key] = &[
    key("name", Ty::Text, "The display name of this kind of case."),
    key(
        "severities",
        TEXTS,
        "The severities of this kind of case; the first is the default.",
    ),
    req(
        "milestones",
        TEXTS,
        "The milestones SLA rules set targets for, each measured from the moment the case opened.",
    ),
    key(
        "milestones_for",
        Ty::Map(&Entries {
            doc: "The milestones that apply to this severity, in the order of `milestones`.",
            names: None,
            value: TEXTS,
        }),
        "Which milestones apply to each severity (default: every milestone to every severity); once given, every severity needs its list.",
    ),
    key(
        "pause_on",
        TEXTS,
        "Case statuses that stop the clock (like `waiting_on_customer`): a `status` event naming one pauses the case until a status not in the list.",
    ),
    DESCRIPTION,
];

/// `[[sla]]`.
pub(crate) const SLA_KEYS: &[Key] = &[
    req("case", Ty::Text, "The kind of case this rule applies to."),
    key(
        "tier",
        Ty::Text,
        "The tier this rule applies to (default: every tier).",
    ),
    key(
        "severity",
        Ty::Text,
        "The severity this rule applies to (default: every severity).",
    ),
    key(
        "clock",
        Ty::Text,
        "The calendar the targets count on, or `24x7` (default: the tier's `support_hours`).",
    ),
    req(
        "targets",
        Ty::Map(&Entries {
            doc: "The target of this milestone, like \"4h\" or \"1h30m\".",
            names: None,
            value: Ty::Duration,
        }),
        "The target time of each milestone, like `{ acknowledge = \"30m\", resolve = \"8h\" }`.",
    ),
];

/// `[[routing]]`.
pub(crate) const ROUTING_KEYS: &[Key] = &[
    key(
        "when",
        Ty::Condition,
        "The condition this rule matches; a rule without it catches every case and must be last.",
    ),
    req("queue", Ty::Text, "The queue that handles matching cases."),
    key(
        "assign",
        Ty::Text,
        "Who is assigned as well, like `account_manager`.",
    ),
    DESCRIPTION,
];

/// `[[escalation]]`.
pub(crate) const ESCALATION_KEYS: &[Key] = &[
    req("case", Ty::Text, "The kind of case."),
    req(
        "milestone",
        Ty::Text,
        "The milestone whose target the ladder follows.",
    ),
    req(
        "ladder",
        Ty::Array(&Ty::Table(LADDER_STEP_KEYS)),
        "The steps, in rising order, like `[{ at = \"100%\", notify = \"team_lead\" }]`.",
    ),
];

/// A step of an escalation ladder.
pub(crate) const LADDER_STEP_KEYS: &[Key] = &[
    req(
        "at",
        Ty::Pattern(PERCENT),
        "The share of the milestone's target elapsed when this step falls due, like \"150%\".",
    ),
    req("notify", Ty::Text, "Who is told."),
];

/// The top level of a scenario file (`*.tests.toml`, read by `crate::scenario`).
pub(crate) const SCENARIO_FILE_KEYS: &[Key] = &[
    key(
        "policy",
        Ty::Text,
        "The policy file tested, relative to this file (default: this file's name without `.tests`).",
    ),
    key(
        "as_of",
        Ty::Date,
        "The day every scenario is evaluated on, unless the scenario gives its own.",
    ),
    req(
        "scenario",
        Ty::Array(&Ty::Table(SCENARIO_KEYS)),
        "The scenarios: example customers and what the policy must decide for them.",
    ),
];

/// `[[scenario]]`.
pub(crate) const SCENARIO_KEYS: &[Key] = &[
    req(
        "name",
        Ty::Text,
        "What the scenario shows, in a few words; unique in the file.",
    ),
    DESCRIPTION,
    key(
        "as_of",
        Ty::Date,
        "The day this scenario is evaluated on (default: the file's `as_of`).",
    ),
    req(
        "customer",
        Ty::Map(&Entries {
            doc: "A metric, or a state or pin field, as in a row of the customer file.",
            names: None,
            value: Ty::Scalar,
        }),
        "The customer's facts, as in a row of the customer file; `id` defaults to the scenario's name.",
    ),
    key(
        "case",
        Ty::Table(SCENARIO_CASE_KEYS),
        "A case the customer opens, for expected routes, deadlines and escalations.",
    ),
    req(
        "expect",
        Ty::Table(EXPECT_KEYS),
        "What the policy must decide; only what is written is compared.",
    ),
];

/// A scenario's `case`.
pub(crate) const SCENARIO_CASE_KEYS: &[Key] = &[
    req(
        "kind",
        Ty::Text,
        "The kind of case, one of the policy's `[cases]`.",
    ),
    key(
        "severity",
        Ty::Text,
        "The severity (default: the first of the case kind).",
    ),
    key("channel", Ty::Text, "The channel the case came in on."),
    req(
        "opened",
        Ty::DateTime,
        "When the case opened, like 2026-06-30T09:15:00+08:00; without an offset, in the policy's time zone.",
    ),
    key(
        "paused",
        Ty::Array(&Ty::Pair(&Ty::DateTime)),
        "Intervals `[from, to]` during which the SLA clocks do not count.",
    ),
];

/// How a tier was decided, as a scenario expects it.
pub(crate) const DECISIONS: &[&str] = &[
    "qualified",
    "floor",
    "buffer",
    "grace",
    "step_limit",
    "cap",
    "pin",
];

/// A scenario's `expect`.
pub(crate) const EXPECT_KEYS: &[Key] = &[
    key("tier", Ty::Text, "The final tier."),
    key(
        "score",
        Ty::NumberText,
        "The score, compared as a number (\"77.4\" equals 77.40).",
    ),
    key(
        "qualified_tier",
        Ty::Text,
        "The tier qualified for by score and `require`, before adjustments and history.",
    ),
    key(
        "decided_by",
        Ty::Enum(DECISIONS),
        "What decided the final tier: `qualified`, `floor`, `buffer`, `grace`, `step_limit`, `cap` or `pin`.",
    ),
    key(
        "dimensions",
        Ty::Map(&Entries {
            doc: "The expected score of this dimension.",
            names: None,
            value: Ty::NumberText,
        }),
        "The score of each dimension listed, compared as numbers.",
    ),
    key(
        "state",
        Ty::Table(EXPECT_STATE_KEYS),
        "The new tier state returned with the result.",
    ),
    key(
        "service",
        Ty::Table(EXPECT_SERVICE_KEYS),
        "The resolved service of the customer; only the keys written are compared.",
    ),
    key(
        "route",
        Ty::Table(EXPECT_ROUTE_KEYS),
        "Where the scenario's case is routed.",
    ),
    key(
        "deadlines",
        Ty::Map(&Entries {
            doc: "When this milestone falls due, compared as an instant.",
            names: None,
            value: Ty::DateTime,
        }),
        "When each milestone listed of the scenario's case falls due.",
    ),
    key(
        "escalation",
        Ty::Array(&Ty::Table(EXPECT_STEP_KEYS)),
        "Escalation steps of the scenario's case and when they fall due; only the steps listed are compared.",
    ),
    key(
        "error",
        Ty::Text,
        "Text of the error the customer or case must be rejected with; not combined with other expectations.",
    ),
];

/// `expect.state`.
pub(crate) const EXPECT_STATE_KEYS: &[Key] = &[
    key(
        "tier_since",
        Ty::Date,
        "The day the customer got the final tier.",
    ),
    key(
        "last_qualified",
        Ty::OneOf(&[Ty::Date, Ty::Enum(&["never"])]),
        "The day the customer last qualified for the final tier, or \"never\".",
    ),
];

/// `expect.service`.
pub(crate) const EXPECT_SERVICE_KEYS: &[Key] = &[
    key(
        "support_hours",
        Ty::Text,
        "The calendar of the customer's SLA clocks, or `24x7`.",
    ),
    key(
        "account_manager",
        Ty::Enum(ACCOUNT_MANAGERS),
        "`none`, `designated` or `dedicated`.",
    ),
    key("channels", TEXTS, "The channels, compared as a set."),
    key(
        "review_every_days",
        Ty::Integer {
            min: Some(0),
            max: None,
        },
        "Days between scheduled business reviews.",
    ),
    key(
        "benefits",
        TEXTS,
        "The benefits, grants included, compared as a set.",
    ),
    key(
        "response",
        Ty::Map(&Entries {
            doc: "How fast this channel is answered; \"1m\" equals \"60s\".",
            names: None,
            value: Ty::Duration,
        }),
        "Response times of the channels listed.",
    ),
];

/// `expect.route`.
pub(crate) const EXPECT_ROUTE_KEYS: &[Key] = &[
    key("queue", Ty::Text, "The queue that handles the case."),
    key(
        "assign",
        Ty::Text,
        "Who is assigned as well; \"\" for no one.",
    ),
];

/// An entry of `expect.escalation`.
pub(crate) const EXPECT_STEP_KEYS: &[Key] = &[
    req("milestone", Ty::Text, "The milestone of the ladder."),
    req("notify", Ty::Text, "Who the step notifies."),
    key(
        "at",
        Ty::Text,
        "The step's share of the target, only to tell apart two steps that notify the same person.",
    ),
    req(
        "due",
        Ty::DateTime,
        "When the step falls due, compared as an instant.",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_keyed_by_weekday() {
        assert!(names(HOURS_KEYS).eq(WEEKDAYS.iter().copied()));
    }

    #[test]
    fn key_names_are_unique_in_each_table() {
        fn walk(keys: &'static [Key], seen: &mut Vec<*const Key>) {
            if seen.contains(&keys.as_ptr()) {
                return;
            }
            seen.push(keys.as_ptr());
            for (i, k) in keys.iter().enumerate() {
                assert!(
                    keys.iter().skip(i + 1).all(|o| o.name != k.name),
                    "`{}` twice",
                    k.name
                );
                assert!(k.doc.ends_with('.'), "the doc of `{}`", k.name);
                walk_ty(&k.ty, seen);
            }
        }
        fn walk_ty(ty: &Ty, seen: &mut Vec<*const Key>) {
            match ty {
                Ty::Table(keys) => walk(keys, seen),
                Ty::Array(t) | Ty::Pair(t) => walk_ty(t, seen),
                Ty::Map(e) => walk_ty(&e.value, seen),
                Ty::OneOf(ts) => ts.iter().for_each(|t| walk_ty(t, seen)),
                _ => {}
            }
        }
        walk(TOP_KEYS, &mut Vec::new());
        walk(SCENARIO_FILE_KEYS, &mut Vec::new());
    }
}
