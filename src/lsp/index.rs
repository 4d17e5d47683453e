//! What a policy declares and where: every metric, tier, dimension, benefit, calendar and
//! case kind of the files of one load, read from their text as written (so that it is
//! there while a file has mistakes of meaning), with the text hover shows for each.

use std::fmt::Write as _;
use std::ops::Range;
use std::sync::Arc;

use crate::error::Diags;
use crate::policy::Policy;
use crate::raw::{self, RawPolicy, Scalar};

/// What a declared name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Metric,
    Tier,
    Dimension,
    Benefit,
    Calendar,
    Case,
}

impl Kind {
    pub(crate) fn word(self) -> &'static str {
        match self {
            Kind::Metric => "metric",
            Kind::Tier => "tier",
            Kind::Dimension => "dimension",
            Kind::Benefit => "benefit",
            Kind::Calendar => "calendar",
            Kind::Case => "case",
        }
    }
}

/// One declared name.
#[derive(Debug, Clone)]
pub(crate) struct Decl {
    pub(crate) kind: Kind,
    pub(crate) name: String,
    /// The file (an index into [`Index::files`]) and the bytes of the name where declared.
    pub(crate) file: usize,
    pub(crate) span: Range<usize>,
    /// A line for completion lists.
    pub(crate) detail: String,
    /// Markdown for hover.
    pub(crate) hover: String,
}

/// One file of a load: its URI and the text the index was read from.
#[derive(Debug, Clone)]
pub(crate) struct File {
    pub(crate) uri: String,
    pub(crate) text: Arc<str>,
}

/// A case kind's severities and milestones.
#[derive(Debug, Clone, Default)]
pub(crate) struct CaseNames {
    pub(crate) kind: String,
    pub(crate) severities: Vec<String>,
    pub(crate) milestones: Vec<String>,
}

/// The declarations of the files of one load.
#[derive(Debug, Clone, Default)]
pub(crate) struct Index {
    pub(crate) files: Vec<File>,
    pub(crate) decls: Vec<Decl>,
    /// The values of each enum metric.
    pub(crate) enums: Vec<(String, Vec<String>)>,
    pub(crate) cases: Vec<CaseNames>,
    /// Whether a file of the load could not be read as TOML (its names are missing).
    pub(crate) partial: bool,
}

impl Index {
    /// Reads the declarations of `files`; a tier's hover names the highest composite
    /// reachable when `policy` (a compiled version of the same files) is given.
    pub(crate) fn new(files: Vec<File>, policy: Option<&Policy>) -> Index {
        let highest = policy.map(|p| crate::analysis::tier_highest(&p.inner));
        let mut index = Index::default();
        for (n, f) in files.iter().enumerate() {
            let mut diags = Diags::default();
            let file = u16::try_from(n).unwrap_or(u16::MAX);
            let raw = raw::read_file(file, &f.text, &mut diags);
            if diags
                .list
                .iter()
                .any(|d| d.kind == crate::error::DiagnosticKind::Syntax)
            {
                index.partial = true;
            }
            let first = index.decls.len();
            index.read(n, &raw, policy, highest.as_deref());
            // a name written as a string value (a tier's `id`): the name without its quotes
            for d in index.decls.iter_mut().skip(first) {
                let quoted = f
                    .text
                    .get(d.span.clone())
                    .is_some_and(|t| t.len() >= 2 && (t.starts_with('"') || t.starts_with('\'')));
                if quoted {
                    d.span = d.span.start + 1..d.span.end - 1;
                }
            }
        }
        index.files = files;
        index
    }

    pub(crate) fn names(&self, kind: Kind) -> impl Iterator<Item = &Decl> {
        self.decls.iter().filter(move |d| d.kind == kind)
    }

    pub(crate) fn find(&self, kind: Kind, name: &str) -> Option<&Decl> {
        self.decls.iter().find(|d| d.kind == kind && d.name == name)
    }

    /// The values of enum metric `metric`.
    pub(crate) fn enum_values(&self, metric: &str) -> Option<&[String]> {
        self.enums
            .iter()
            .find(|(m, _)| m == metric)
            .map(|(_, v)| v.as_slice())
    }

    fn push(&mut self, kind: Kind, name: &str, file: usize, span: crate::error::Span) -> &mut Decl {
        self.decls.push(Decl {
            kind,
            name: name.to_owned(),
            file,
            span: span.range(),
            detail: String::new(),
            hover: String::new(),
        });
        let last = self.decls.len() - 1;
        // just pushed
        #[expect(clippy::indexing_slicing, reason = "the element was pushed above")]
        &mut self.decls[last]
    }

    fn read(
        &mut self,
        file: usize,
        raw: &RawPolicy,
        policy: Option<&Policy>,
        highest: Option<&[Option<rust_decimal::Decimal>]>,
    ) {
        for m in &raw.metrics {
            let ty = m.ty.as_ref().map_or("decimal", |t| t.v.as_str());
            let mut facts = vec![format!("type `{ty}`")];
            if let Some(min) = &m.min {
                facts.push(format!("min {}", min.v));
            }
            if let Some(max) = &m.max {
                facts.push(format!("max {}", max.v));
            }
            if let Some(values) = &m.values {
                let list: Vec<String> = values.v.iter().map(|v| format!("`{}`", v.v)).collect();
                facts.push(format!("values {}", list.join(", ")));
                self.enums.push((
                    m.name.v.clone(),
                    values.v.iter().map(|v| v.v.clone()).collect(),
                ));
            }
            match &m.default {
                Some(d) => facts.push(format!("default {}", scalar(&d.v))),
                None => facts.push("required".to_owned()),
            }
            if let Some(unit) = &m.unit {
                facts.push(format!("unit {}", unit.v));
            }
            let detail = facts.join(", ");
            let mut hover = format!("**metric** `{}`\n\n{detail}", m.name.v);
            if let Some(d) = &m.description {
                let _ = write!(hover, "\n\n{}", d.v);
            }
            let decl = self.push(Kind::Metric, &m.name.v, file, m.name.span);
            decl.detail = detail;
            decl.hover = hover;
        }
        if let Some(scoring) = &raw.scoring {
            for d in &scoring.dimensions {
                let mut facts = Vec::new();
                if let Some(m) = &d.metric {
                    facts.push(format!("metric `{}`", m.v));
                }
                if let Some(w) = &d.weight {
                    facts.push(format!("weight {}", w.v));
                }
                let curve = match (&d.curve, &d.map) {
                    (Some(c), _) => format!("curve `{}`", c.v),
                    (None, Some(_)) => "a score for each value (`map`)".to_owned(),
                    (None, None) => String::new(),
                };
                if !curve.is_empty() {
                    facts.push(curve);
                }
                let detail = facts.join(", ");
                let mut hover = format!("**dimension** `{}`\n\n{detail}", d.name.v);
                if let Some(points) = &d.points {
                    let list: Vec<String> = points
                        .v
                        .iter()
                        .map(|p| format!("[{}, {}]", p.x.v, p.y.v))
                        .collect();
                    let unit = d.unit.as_ref().map(|u| format!(" (x in {})", u.v));
                    let _ = write!(
                        hover,
                        "\n\npoints{}: {}",
                        unit.unwrap_or_default(),
                        list.join(", ")
                    );
                }
                if let Some(map) = &d.map {
                    let list: Vec<String> = map
                        .entries
                        .v
                        .iter()
                        .map(|(k, v)| format!("{} = {}", k.v, v.v))
                        .collect();
                    let _ = write!(hover, "\n\nmap: {}", list.join(", "));
                }
                let decl = self.push(Kind::Dimension, &d.name.v, file, d.name.span);
                decl.detail = detail;
                decl.hover = hover;
            }
        }
        for t in &raw.tiers {
            let Some(id) = &t.id else { continue };
            let mut detail = match &t.min_score {
                Some(m) => format!("min_score {}", m.v),
                None => "no min_score".to_owned(),
            };
            let mut hover = format!("**tier** `{}`", id.v);
            if let Some(name) = &t.name {
                let _ = write!(hover, " ({})", name.v);
            }
            let _ = write!(hover, "\n\n{detail}");
            if let Some(req) = &t.require {
                for r in &req.v {
                    let _ = write!(hover, "\n- require `{}`", r.text);
                }
            }
            let reach = policy
                .and_then(|p| p.tier_by_id(&id.v))
                .and_then(|t| highest?.get(usize::from(t.rank)).copied());
            match reach {
                Some(Some(h)) => {
                    let _ = write!(hover, "\n\nhighest composite reachable: {h}");
                    let _ = write!(detail, ", highest composite {h}");
                }
                Some(None) => hover.push_str("\n\nno customer meets its requirements"),
                None => {}
            }
            if let Some(d) = &t.description {
                let _ = write!(hover, "\n\n{}", d.v);
            }
            let decl = self.push(Kind::Tier, &id.v, file, id.span);
            decl.detail = detail;
            decl.hover = hover;
        }
        for b in &raw.benefits {
            let detail = b.name.as_ref().map(|n| n.v.clone()).unwrap_or_default();
            let hover = format!("**benefit** `{}`\n\n{detail}", b.id.v);
            let decl = self.push(Kind::Benefit, &b.id.v, file, b.id.span);
            decl.detail = detail;
            decl.hover = hover;
        }
        for c in &raw.calendars {
            let zone = c
                .timezone
                .as_ref()
                .map_or("the policy's time zone", |z| z.v.as_str());
            let detail = format!("zone {zone}");
            let mut hover = format!("**calendar** `{}`\n\n{detail}", c.name.v);
            for (day, ranges) in &c.hours {
                let list: Vec<&str> = ranges.iter().map(|r| r.v.as_str()).collect();
                let _ = write!(hover, "\n- {}: {}", day.v, list.join(", "));
            }
            if !c.holidays.is_empty() || !c.workdays.is_empty() {
                let _ = write!(
                    hover,
                    "\n\n{} holiday entries, {} make-up workdays",
                    c.holidays.len(),
                    c.workdays.len()
                );
            }
            let decl = self.push(Kind::Calendar, &c.name.v, file, c.name.span);
            decl.detail = detail;
            decl.hover = hover;
        }
        for c in &raw.cases {
            let names = |l: &Option<crate::raw::Sp<Vec<crate::raw::Sp<String>>>>| -> Vec<String> {
                l.as_ref()
                    .map(|l| l.v.iter().map(|s| s.v.clone()).collect())
                    .unwrap_or_default()
            };
            let case = CaseNames {
                kind: c.kind.v.clone(),
                severities: names(&c.severities),
                milestones: names(&c.milestones),
            };
            let detail = format!(
                "severities {}; milestones {}",
                case.severities.join(", "),
                case.milestones.join(", ")
            );
            let mut hover = format!(
                "**case** `{}`\n\nseverities: {}\n\nmilestones: {}",
                case.kind,
                case.severities.join(", "),
                case.milestones.join(", ")
            );
            if let Some(pairs) = &c.milestones_for {
                for (sev, list) in &pairs.v {
                    let l: Vec<&str> = list.v.iter().map(|m| m.v.as_str()).collect();
                    let _ = write!(hover, "\n- {}: {}", sev.v, l.join(", "));
                }
            }
            self.cases.push(case);
            let decl = self.push(Kind::Case, &c.kind.v, file, c.kind.span);
            decl.detail = detail;
            decl.hover = hover;
        }
    }
}

fn scalar(s: &Scalar) -> String {
    match s {
        Scalar::Str(t) => format!("`\"{t}\"`"),
        Scalar::Num { value, .. } => value.to_string(),
        Scalar::Bool(b) => b.to_string(),
        Scalar::Date(d) => d.to_string(),
    }
}
