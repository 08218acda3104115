//! The audit: opens the engine, runs the bounded set of passes, and assembles the one [`Report`].

use crate::base::error::{Error, Result};
use crate::base::risk::{FailOn, Level, Thresholds};
use crate::engine::sql;
use crate::engine::{Engine, RunOptions};
use crate::judge::findings::{self, Inputs};
use crate::measure::fieldmap;
use crate::measure::heterogeneity;
use crate::measure::links;
use crate::measure::profile::{self, ProfileSettings};
use crate::measure::ruletest;
use crate::measure::segments;
use crate::measure::tally;
use crate::report::{
    CriterionReport, FieldProfile, Gate, Heterogeneity, Report, ReportFormat, SpecInfo, SqlStatement, SubjectInfo,
};
use crate::spec::{Lang, Spec};

/// What the command line may override.
#[derive(Debug, Clone, Default)]
pub struct AuditOptions {
    pub run: RunOptions,
    pub lang: Option<Lang>,
    /// Overrides the spec's `[gate] fail_on`.
    pub fail_on: Option<FailOn>,
    /// The run date written in the report (injected so output can be reproduced).
    pub generated_at: String,
    pub tool_version: String,
    /// `--history DIR` (overrides `[history] path`).
    pub history: Option<std::path::PathBuf>,
}

impl AuditOptions {
    /// The history folder this audit adds a run to, if any.
    pub fn history_dir(&self, spec: &Spec) -> Option<std::path::PathBuf> {
        self.history.clone().or_else(|| spec.history.clone())
    }
}

/// Which report a run produces: an audit of a spec, or the profile of one data path (no spec).
#[derive(Debug, Clone, Copy)]
pub enum Run<'a> {
    Audit,
    Profile { shown: &'a str },
}

/// What `check` found: the rule tests and the statements it planned.
pub struct CheckOutcome {
    pub tests: Vec<crate::report::TestResult>,
    pub statements: Vec<SqlStatement>,
}

pub async fn audit(spec: &Spec, options: &AuditOptions, run: Run<'_>) -> Result<Report> {
    let engine = Engine::open(spec, options.run).await?;
    audit_on(&engine, spec, options, run).await
}

/// The audit on an open engine (`assign` runs it on its own engine, to judge the gate on the same data).
pub async fn audit_on(engine: &Engine, spec: &Spec, options: &AuditOptions, run: Run<'_>) -> Result<Report> {
    let lang = options.lang.unwrap_or(spec.lang);
    let key = spec.subject.key.as_ref().map(|k| k.value.as_str());
    let history = match options.history_dir(spec) {
        Some(dir) => Some(crate::history::open(&dir)?.load()?),
        None => None,
    };
    let previous = history.as_ref().and_then(|h| h.runs.last());
    if let Some(previous) = previous {
        // The previous run's bins go into the one profile pass, which counts this run's values in them.
        let bins = crate::history::drift::previous_bins(&engine.rules, previous);
        crate::engine::udf::register_profile(&engine.ctx, &engine.rules, engine.profile_shape, &bins);
    }
    let mut profiled = profile::profile(
        engine,
        &ProfileSettings {
            subject: &spec.subject.table.value,
            key,
            top: spec.top_values,
            min_count: spec.min_count,
            usability: spec.risk.usability,
        },
    )
    .await?;
    let apart = tally::apart(spec, &profiled.fields);
    let (tally, fused) = tally::measure(engine, spec, apart).await?;
    let mut measured = segments::measure(engine, spec, &tally);
    let tests = ruletest::run(engine, spec).await?;
    let (links, link_statements) = links::measure(engine, spec).await?;
    heterogeneity::enrich_segments(&mut measured.segments, &profiled.fields, profiled.rows);
    let strata: Vec<&str> = spec.subject.strata.iter().map(|s| s.value.as_str()).collect();
    let heterogeneity = Heterogeneity {
        heatmap: heterogeneity::heatmap(&tally, &strata, &engine.columns, spec.min_count),
        co_missingness: heterogeneity::co_missingness(engine, spec, &tally),
    };

    if let Some(previous) = previous {
        crate::history::drift::fill_psi(&mut profiled.fields, previous);
    }
    let mut fields = profiled.fields;
    for rule in spec.fields.iter().filter(|f| !engine.columns.contains(&f.name)) {
        fields.push(absent_field(rule, profiled.rows, spec.risk.usability));
    }
    let segment_fields: Vec<(String, Vec<String>)> = spec
        .segments
        .iter()
        .zip(&engine.segments)
        .map(|(s, p)| (s.id.clone(), p.fields.clone()))
        .collect();
    let field_map = fieldmap::build(spec, &engine.columns, &fields, &segment_fields);
    let criteria = criteria(spec, &field_map, &measured.segments);
    let mut findings = findings::collect(
        spec,
        lang,
        &Inputs {
            sources: &engine.sources,
            rows: profiled.rows,
            duplicate_keys: profiled.duplicate_keys,
            duplicate_identities: profiled.duplicate_identities,
            fields: &fields,
            field_map: &field_map,
            segments: &measured.segments,
            segmentations: &measured.segmentations,
            tests: &tests,
        },
    );
    findings.extend(crate::judge::links::findings(lang, &links));
    let mut history_info = None;
    let mut row_count_shift = None;
    let mut trend = Vec::new();
    if let Some(history) = &history {
        findings.extend(crate::history::drift::history_findings(
            lang,
            &history.corrupt,
            previous,
            &spec.subject.table.value,
            key,
        ));
        if let Some(previous) = previous {
            findings.extend(crate::history::drift::findings(
                &spec.risk,
                lang,
                &fields,
                &measured.segments,
                previous,
            ));
            let (shift, finding) = crate::history::drift::row_count_shift(&spec.risk, lang, profiled.rows, previous);
            row_count_shift = Some(shift);
            findings.extend(finding);
        }
        let (run_id, run_time) = crate::history::new_run_id();
        history_info = Some(crate::report::HistoryInfo {
            runs: history.runs.len() + 1,
            previous: previous.map(|p| p.id.clone()),
            run_id,
            run_time,
        });
        let skip = history.runs.len().saturating_sub(crate::history::TREND_RUNS);
        trend = history.runs.iter().skip(skip).map(|r| r.point()).collect();
    }
    let today = crate::judge::waivers::day_of(&options.generated_at);
    crate::judge::waivers::apply(&spec.waivers, lang, today, &mut findings);
    let fail_on = options.fail_on.unwrap_or(spec.fail_on);
    let mut statements = vec![SqlStatement {
        purpose: "typed, cleaned subject".into(),
        sql: format!(
            "CREATE VIEW {} AS\n{}",
            sql::ident(sql::TYPED_SUBJECT),
            sql::typed_subject(&spec.subject.table.value, &engine.columns)
        ),
    }];
    statements.extend(profiled.statements);
    statements.extend(fused);
    statements.extend(link_statements);
    Ok(Report {
        format: match run {
            Run::Audit => ReportFormat::Audit,
            Run::Profile { .. } => ReportFormat::Profile,
        },
        version: 1,
        tool_version: options.tool_version.clone(),
        generated_at: options.generated_at.clone(),
        title: spec.title.clone(),
        lang,
        spec: SpecInfo {
            path: match run {
                Run::Audit => spec.path.display().to_string(),
                Run::Profile { shown } => shown.to_string(),
            },
            sha256: spec.sha256.clone(),
        },
        sources: engine.sources.clone(),
        subject: SubjectInfo {
            table: spec.subject.table.value.clone(),
            rows: profiled.rows,
            key: key.map(str::to_string),
            duplicate_keys: profiled.duplicate_keys,
            duplicate_key_values: profiled.duplicate_key_values.clone(),
            identity: spec.subject.identity.iter().map(|s| s.value.clone()).collect(),
            duplicate_identities: profiled.duplicate_identities,
            strata: spec.subject.strata.iter().map(|s| s.value.clone()).collect(),
            min_rows: spec.subject.min_rows,
            row_count_shift,
        },
        gate: Gate::decide(fail_on, &findings),
        fields,
        field_map,
        criteria,
        segments: measured.segments,
        segmentations: measured.segmentations,
        links,
        heterogeneity,
        tests,
        findings,
        sql: statements,
        spec_text: spec.text.clone(),
        history: history_info,
        trend,
    })
}

/// Validates everything short of scanning data: sources' schemas, views, predicates, links' columns,
/// the statements the audit would run; then runs the rule tests.
pub async fn check(spec: &Spec, options: RunOptions) -> Result<CheckOutcome> {
    let engine = Engine::open(
        spec,
        RunOptions {
            schema_only: true,
            ..options
        },
    )
    .await?;
    declared_fields_exist(spec, &engine.columns)?;
    // The statement as the audit would run it when the strata have few values; `check` reads no data.
    let mut statements: Vec<SqlStatement> = tally::statement(&engine, spec, false).into_iter().collect();
    statements.extend(links::statements(spec));
    for statement in &statements {
        engine.plan(&statement.purpose, &statement.sql).await?;
    }
    let tests = ruletest::run(&engine, spec).await?;
    Ok(CheckOutcome { tests, statements })
}

/// `check` refuses a `[field]` table naming a column the subject does not have (the audit reports
/// it as `field_map.missing` and goes on).
fn declared_fields_exist(spec: &Spec, columns: &[String]) -> Result<()> {
    let Some(field) = spec.fields.iter().find(|f| !columns.contains(&f.name)) else {
        return Ok(());
    };
    let header = format!("[field.{}]", field.name);
    let loc = crate::spec::loc_of(&spec.text, spec.text.find(&header).unwrap_or(0));
    let suggestions = fieldmap::suggestions(&field.name, columns);
    let tip = if suggestions.is_empty() {
        format!("the subject's columns are: {}", columns.join(", "))
    } else {
        format!(
            "did you mean `{}`? (rename the table to the column's exact name)",
            suggestions.join("`, `")
        )
    };
    Err(Error::new(format!(
        "{}:{}:{}: `field.{}`: the subject `{}` has no such column",
        spec.path.display(),
        loc.line,
        loc.col,
        field.name,
        spec.subject.table.value
    ))
    .with_tip(tip))
}

/// A declared field the subject does not have: every row lacks it.
fn absent_field(rule: &crate::spec::fieldcheck::FieldRule, rows: u64, usability: Thresholds) -> FieldProfile {
    FieldProfile {
        name: rule.name.clone(),
        label: rule.label.clone(),
        declared: true,
        available: false,
        field_type: rule.field_type.as_str().to_string(),
        observed_type: None,
        rows,
        not_applicable: 0,
        missing: rows,
        invalid: 0,
        usable: 0,
        completeness: crate::base::risk::share(0, rows),
        validity: None,
        usability: crate::base::risk::share(0, rows),
        usability_interval: crate::base::risk::wilson_95(0, rows),
        distinct: None,
        distinct_exact: true,
        pii: rule.pii,
        top_values: Vec::new(),
        shapes: Vec::new(),
        suspected_placeholders: Vec::new(),
        invalid_values: Vec::new(),
        dominant_shape_share: None,
        shapes_for_95: None,
        case_variants: Vec::new(),
        mojibake: 0,
        stats: None,
        risk: if rows == 0 {
            Level::Ok
        } else {
            usability.level_when_low(Some(0.0))
        },
        psi: None,
        distribution: None,
        against_previous: None,
    }
}

/// A criterion is as risky as the worst of the segments that read its fields; critical when one of
/// its fields is not in the subject, since it cannot be assessed at all.
fn criteria(
    spec: &Spec,
    field_map: &[crate::report::FieldMapEntry],
    segments: &[crate::report::SegmentReport],
) -> Vec<CriterionReport> {
    spec.criteria
        .iter()
        .map(|c| {
            let names: Vec<String> = c.fields.iter().map(|f| f.value.clone()).collect();
            let using: Vec<&crate::report::SegmentReport> = segments
                .iter()
                .filter(|s| s.fields.iter().any(|f| names.contains(&f.name)))
                .collect();
            let missing = field_map
                .iter()
                .any(|e| e.status == crate::measure::fieldmap::FieldStatus::Missing && names.contains(&e.name));
            let segment_risk = using.iter().map(|s| s.risk).max().unwrap_or(Level::Ok);
            let risk = if missing { Level::Critical } else { segment_risk };
            CriterionReport {
                id: c.id.clone(),
                label: c.label.clone(),
                family: c.family.clone(),
                fields: names,
                segments: using.iter().map(|s| s.id.clone()).collect(),
                risk,
            }
        })
        .collect()
}
