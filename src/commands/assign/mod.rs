//! `segaudit assign` (contract §8): every subject row's status in every segment, its value in every
//! segmentation and the fields to collect, decided by one SQL SELECT over the same typed subject and
//! predicates as `audit`, streamed to Parquet or CSV by DataFusion's writer; then a summary counted
//! by aggregates over the written file, and the membership history (see [`history`]).

pub mod history;
pub mod html;
pub mod summary;

use std::path::{Path, PathBuf};

use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::prelude::{CsvReadOptions, ParquetReadOptions};

use crate::base::error::{Error, Result};
use crate::engine::batch;
use crate::engine::columns::Col;
use crate::engine::sql::assign as sql;
use crate::engine::{Engine, RunOptions};
use crate::measure::segments;
use crate::report::SpecInfo;
use crate::spec::{Lang, Spec};
use summary::{SegmentCounts, SegmentationCounts, Summary, WorklistEntry};

pub use crate::engine::statuses::{Status, Verdict};

/// The written file's format, from the `--out` extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    Parquet,
    Csv,
}

/// What the command line gives `assign`.
#[derive(Debug, Clone)]
pub struct AssignOptions {
    pub run: RunOptions,
    pub out: PathBuf,
    pub history: Option<PathBuf>,
    /// Also write the summary as an HTML page here.
    pub html: Option<PathBuf>,
    /// Write even when a rule test fails.
    pub force: bool,
    /// `--variant segment=variant`: assign with a copy of the spec where each named segment's rule
    /// is that variant's (contract §12); the gate and the rule tests are that copy's.
    pub variants: Vec<String>,
    pub lang: Option<Lang>,
    pub run_time: String,
    pub tool_version: String,
}

/// What `assign` did: the summary (also written as `FILE.json` when `written`).
pub struct AssignOutcome {
    pub summary: Summary,
    /// False when a rule test failed and `--force` was not given: nothing was written.
    pub written: bool,
    pub summary_path: PathBuf,
    pub statements: Vec<String>,
}

/// `FILE.json` beside `FILE` (`assignment.parquet` → `assignment.parquet.json`): the whole name is
/// kept, so a `.csv` and a `.parquet` written side by side keep their own summaries.
pub fn summary_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".json");
    out.with_file_name(name)
}

fn output_format(out: &Path) -> Result<OutputFormat> {
    let ext = out.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("parquet") => Ok(OutputFormat::Parquet),
        Some("csv") => Ok(OutputFormat::Csv),
        _ => Err(Error::new(format!(
            "--out {}: the assignment is written as .parquet or .csv",
            out.display()
        ))
        // fr: --out : écrivez l'affectation en .parquet ou .csv
        // pt: --out: a atribuição é escrita em .parquet ou .csv
        .with_tip("end the file name in .parquet (the default, assignment.parquet) or .csv")),
    }
}

/// The folder the output goes to, which must exist: `assign` does not guess where a file should go.
fn output_folder(out: &Path) -> Result<PathBuf> {
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(Error::new(format!(
            "--out {}: the folder {} does not exist",
            out.display(),
            dir.display()
        ))
        // fr: le dossier … n'existe pas ; pt: a pasta … não existe
        .with_tip(format!(
            "create it first (mkdir -p {}) or choose another --out",
            dir.display()
        )));
    }
    Ok(dir)
}

/// Output columns are the key, the segment ids, the segmentation ids and `to_collect`: two of them
/// with one name, or a segment id a segmentation could not tell from a verdict, would make the file
/// ambiguous.
fn check_names(spec: &Spec, key: &str) -> Result<()> {
    let mut seen: Vec<(&str, String)> = vec![(key, "subject.key".into()), (sql::TO_COLLECT, "to_collect".into())];
    let segments = spec
        .segments
        .iter()
        .map(|s| (s.id.as_str(), format!("segment.{}", s.id)));
    let segmentations = spec
        .segmentations
        .iter()
        .map(|s| (s.id.as_str(), format!("segmentation.{}", s.id)));
    for (name, what) in segments.chain(segmentations) {
        if let Some((_, other)) = seen.iter().find(|(n, _)| *n == name) {
            return Err(Error::new(format!(
                "{}: `{what}` and `{other}` would both be the column `{name}` of the assignment",
                spec.path.display()
            ))
            // fr: … seraient toutes deux la colonne … de l'affectation
            // pt: … seriam ambas a coluna … da atribuição
            .with_tip(
                "rename one of them: each segment and segmentation id names a column, beside the key and to_collect",
            ));
        }
        seen.push((name, what));
    }
    let words: Vec<&str> = Verdict::ALL.iter().map(|v| v.as_str()).chain(["absent"]).collect();
    for segmentation in &spec.segmentations {
        if let Some(id) = segmentation.segments.iter().find(|id| words.contains(&id.as_str())) {
            return Err(Error::new(format!(
                "{}: segment `{id}` of segmentation `{}` has the name of a segmentation value",
                spec.path.display(),
                segmentation.id
            ))
            // fr: le segment … porte le nom d'une valeur de segmentation
            // pt: o segmento … tem o nome de um valor de segmentação
            .with_tip(format!(
                "rename the segment: {} are what a segmentation column holds when no single segment applies",
                words.join(", ")
            )));
        }
    }
    Ok(())
}

fn engine_err(purpose: &str) -> impl Fn(datafusion::error::DataFusionError) -> Error + '_ {
    move |e| Error::engine(purpose, e).with_tip("run with --show-sql to see the statement")
}

pub async fn assign(spec: &Spec, options: &AssignOptions) -> Result<AssignOutcome> {
    let Some(key) = spec.subject.key.as_ref().map(|k| k.value.clone()) else {
        return Err(Error::new(format!(
            "{}: [subject] has no `key`: assign writes one row per customer, named by its key",
            spec.path.display()
        ))
        // fr: [subject] n'a pas de `key` : assign écrit une ligne par client, désignée par sa clé
        // pt: [subject] não tem `key`: assign escreve uma linha por cliente, identificada pela chave
        .with_tip(format!(
            "add the column that identifies a customer, e.g. key = \"client_id\", under [subject] in {}",
            spec.path.display()
        )));
    };
    let format = output_format(&options.out)?;
    let folder = output_folder(&options.out)?;
    check_names(spec, &key)?;
    let lang = options.lang.unwrap_or(spec.lang);
    let engine = Engine::open(spec, options.run).await?;
    // The audit's gate on the same data and engine (contract §10); its rule tests are the spec's.
    let report = super::audit::audit_on(&engine, spec, &gate_options(options), super::audit::Run::Audit).await?;
    let failed = report.tests.iter().any(|t| !t.passed) || !report.gate.passed;
    // The gate's statements first, so --show-sql shows every scan this run made.
    let gate_sql: Vec<String> = report
        .sql
        .iter()
        .map(|s| format!("-- {} (audit gate)\n{}", s.purpose, s.sql))
        .collect();
    let summary_file = summary_path(&options.out);
    let mut summary = Summary::new(spec, &key, options, format, lang, report.tests);
    summary.gate = Some(report.gate.clone());
    summary.gate_findings = gate_findings(&report.gate, report.findings);
    summary.forced = options.force && failed;
    if failed && !options.force {
        return Ok(AssignOutcome {
            summary,
            written: false,
            summary_path: summary_file,
            statements: Vec::new(),
        });
    }

    // Hold the history's lock from before reading it to after replacing it.
    let history = match &options.history {
        Some(dir) => Some(history::History::open(dir, spec, &key)?),
        None => None,
    };

    let segment_sql = segments::segment_sql(&engine);
    let segment_ids: Vec<&str> = spec.segments.iter().map(|s| s.id.as_str()).collect();
    let segmentation_plan: Vec<(&str, Vec<usize>)> = spec
        .segmentations
        .iter()
        .zip(segments::segmentation_sql(spec))
        .map(|(g, s)| (g.id.as_str(), s.segments))
        .collect();
    let statement = sql::assignment(&sql::AssignSql {
        subject: &spec.subject.table.value,
        columns: &engine.columns,
        key: &key,
        segments: &segment_sql,
        segment_ids: &segment_ids,
        segmentations: &segmentation_plan,
    });
    let mut statements = gate_sql;
    statements.push(statement.clone());

    // Written into a temporary folder beside the output, renamed over it only once all is done.
    let scratch = tempfile::Builder::new()
        .prefix(".segaudit-assign-")
        .tempdir_in(&folder)
        .map_err(|e| crate::base::fs::write_error(&folder, &e))?;
    let temp_out = scratch.path().join(match format {
        OutputFormat::Parquet => "assignment.parquet",
        OutputFormat::Csv => "assignment.csv",
    });
    let temp_text = temp_out.display().to_string();
    let ctx = &engine.ctx;
    let frame = ctx.sql(&statement).await.map_err(engine_err("assigning segments"))?;
    let output_schema = frame.schema().as_arrow().clone();
    let write = DataFrameWriteOptions::new().with_single_file_output(true);
    match format {
        OutputFormat::Parquet => frame.write_parquet(&temp_text, write, None).await,
        OutputFormat::Csv => frame.write_csv(&temp_text, write, None).await,
    }
    .map_err(|e| {
        let exhausted = matches!(e.find_root(), datafusion::error::DataFusionError::ResourcesExhausted(_));
        let error = Error::engine("writing the assignment", e);
        if exhausted {
            error.with_tip("raise --memory-limit")
        } else {
            error.with_tip("run with --show-sql to see the statement")
        }
    })?;

    // The written file, read back: every count of the summary is an aggregate over it.
    match format {
        OutputFormat::Parquet => ctx
            .register_parquet(sql::ASSIGNMENT, &temp_text, ParquetReadOptions::default())
            .await
            .map_err(engine_err("reading the assignment back"))?,
        OutputFormat::Csv => {
            let schema = Schema::new(
                output_schema
                    .fields()
                    .iter()
                    .map(|f| Field::new(f.name(), DataType::Utf8, true))
                    .collect::<Vec<_>>(),
            );
            let read = CsvReadOptions::new().has_header(true).schema(&schema);
            ctx.register_csv(sql::ASSIGNMENT, &temp_text, read)
                .await
                .map_err(engine_err("reading the assignment back"))?
        }
    }
    let segmentation_ids: Vec<&str> = segmentation_plan.iter().map(|(id, _)| *id).collect();
    let counts_sql = sql::summary(&segment_ids, &segmentation_ids);
    let counts = engine.query("summarising the assignment", &counts_sql).await?;
    statements.push(counts_sql);
    let Some(row) = counts.iter().find(|b| b.num_rows() > 0) else {
        return Err(Error::new("the assignment summary returned no row"));
    };
    let row = &batch::Named::new(row);
    summary.subject.rows = batch::count(row, &Col::Rows, 0)?;
    summary.segments = segment_ids
        .iter()
        .enumerate()
        .map(|(j, id)| {
            let get = |s: Status| batch::count(row, &Col::StatusCount(j, s.as_str()), 0);
            Ok(SegmentCounts {
                id: id.to_string(),
                population: get(Status::Member)? + get(Status::NonMember)? + get(Status::Undetermined)?,
                members: get(Status::Member)?,
                non_members: get(Status::NonMember)?,
                undetermined: get(Status::Undetermined)?,
                outside: get(Status::Outside)?,
                population_undetermined: get(Status::PopulationUndetermined)?,
            })
        })
        .collect::<Result<_>>()?;
    summary.segmentations = segmentation_ids
        .iter()
        .enumerate()
        .map(|(g, id)| {
            let get = |what: &'static str| batch::count(row, &Col::SegmentationCount(g, what), 0);
            let exactly_one = get("exactly_one")?;
            let (none, several, undetermined) = (
                get(Verdict::None.as_str())?,
                get(Verdict::Several.as_str())?,
                get(Verdict::Undetermined.as_str())?,
            );
            Ok(SegmentationCounts {
                id: id.to_string(),
                population: exactly_one + none + several + undetermined,
                exactly_one,
                none,
                several,
                undetermined,
                outside: get(Verdict::Outside.as_str())?,
            })
        })
        .collect::<Result<_>>()?;
    let worklist_sql = sql::worklist();
    let groups = engine.query("ranking the fields to collect", &worklist_sql).await?;
    statements.push(worklist_sql);
    summary.worklist = worklist(&groups, &segment_sql)?;

    let pending_history = match &history {
        Some(h) => {
            let done = h
                .merge(&engine, &key, &segment_ids, &segmentation_plan, &options.run_time)
                .await?;
            summary.transitions = done.transitions.clone();
            summary.history = Some(done.info.clone());
            statements.extend(done.statements.iter().cloned());
            Some(done)
        }
        None => None,
    };

    // All computed: put the files in place. The history first, so an assignment is never newer
    // than the history that records it.
    if let (Some(h), Some(done)) = (&history, pending_history) {
        h.commit(done)?;
    }
    std::fs::rename(&temp_out, &options.out)
        .map_err(|e| Error::io(&options.out, &e).with_tip("choose an output file you can write to (--out FILE)"))?;
    let text = serde_json::to_string_pretty(&summary).map_err(|e| Error::new(e.to_string()))?;
    crate::base::fs::write_atomically(&summary_file, format!("{text}\n").as_bytes())?;
    if let Some(page) = &options.html {
        crate::base::fs::write_atomically(page, html::render(&summary).as_bytes())?;
    }
    drop(history);
    Ok(AssignOutcome {
        summary,
        written: true,
        summary_path: summary_file,
        statements,
    })
}

/// The audit `assign` runs for its gate: the same language and history (drift against the last
/// audit run counts), the spec's `fail_on`, nothing recorded.
fn gate_options(options: &AssignOptions) -> super::audit::AuditOptions {
    super::audit::AuditOptions {
        run: options.run,
        lang: options.lang,
        fail_on: None,
        generated_at: options.run_time.clone(),
        tool_version: options.tool_version.clone(),
        history: options.history.clone(),
    }
}

/// The findings that fail the gate: at or above `fail_on` and not waived.
fn gate_findings(gate: &crate::report::Gate, findings: Vec<crate::report::Finding>) -> Vec<crate::report::Finding> {
    let crate::base::risk::FailOn::At(limit) = gate.fail_on else {
        return Vec::new();
    };
    findings.into_iter().filter(|f| f.level >= limit && !f.waived).collect()
}

/// The worklist from the distinct `to_collect` lists: for each field, the undecided rows that list it
/// (`rows`) and those where it is the only field listed (`decides_alone`: collecting it alone makes
/// every field those rows' undecided segments read usable). Ranked by `decides_alone`, then `rows`,
/// then name. Lists are split on `,` against the known field names, so a name holding a comma is
/// still found whole.
fn worklist(
    groups: &[datafusion::arrow::record_batch::RecordBatch],
    segments: &[crate::engine::sql::SegmentSql],
) -> Result<Vec<WorklistEntry>> {
    let mut fields: Vec<&str> = segments.iter().flat_map(|s| s.fields.iter().copied()).collect();
    fields.sort_unstable();
    fields.dedup();
    let mut entries: Vec<WorklistEntry> = fields
        .iter()
        .map(|f| WorklistEntry {
            field: f.to_string(),
            rows: 0,
            decides_alone: 0,
        })
        .collect();
    let named = batch::named(groups);
    for (b, r) in batch::rows(&named) {
        let Some(list) = batch::text(b, &Col::FieldList, r)? else {
            continue;
        };
        let n = batch::count(b, &Col::Rows, r)?;
        let listed = split_list(&list, &fields);
        for i in &listed {
            entries[*i].rows += n;
        }
        if let [only] = listed.as_slice() {
            entries[*only].decides_alone += n;
        }
    }
    entries.retain(|e| e.rows > 0);
    entries.sort_by(|a, b| {
        b.decides_alone
            .cmp(&a.decides_alone)
            .then(b.rows.cmp(&a.rows))
            .then_with(|| a.field.cmp(&b.field))
    });
    Ok(entries)
}

/// Indexes into `fields` (sorted) of the names a `to_collect` list holds: the list is the sorted
/// names joined by `,`, so it is read left to right, the longest known name first at each step.
fn split_list(list: &str, fields: &[&str]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut rest = list;
    while !rest.is_empty() {
        let found = fields
            .iter()
            .enumerate()
            .filter(|(_, f)| rest.starts_with(**f) && (rest.len() == f.len() || rest[f.len()..].starts_with(',')))
            .max_by_key(|(_, f)| f.len());
        let Some((i, f)) = found else { break };
        out.push(i);
        rest = rest[f.len()..].strip_prefix(',').unwrap_or("");
    }
    out
}

/// The spec's description in the summary.
pub fn spec_info(spec: &Spec) -> SpecInfo {
    SpecInfo {
        path: spec.path.display().to_string(),
        sha256: spec.sha256.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_split_on_known_names() {
        let fields = ["a", "a,b", "c"];
        assert_eq!(split_list("a,b,c", &fields), vec![1, 2]);
        assert_eq!(split_list("a,c", &fields), vec![0, 2]);
        assert_eq!(split_list("c", &fields), vec![2]);
    }

    #[test]
    fn summary_sits_beside_the_output() {
        assert_eq!(
            summary_path(Path::new("out/assignment.parquet")),
            PathBuf::from("out/assignment.parquet.json")
        );
    }
}
