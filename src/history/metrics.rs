//! A run's numbers as one long Parquet table (contract §7): one row per scope, object and metric,
//! written with the Arrow and Parquet crates DataFusion re-exports, readable as is by DuckDB
//! (`read_parquet('DIR/metrics/*.parquet')`), pandas and DataFusion.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Float64Array, StringArray, TimestampMicrosecondArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::ArrowWriter;

use crate::base::error::{Error, Result};
use crate::report::{HistoryInfo, Report};

/// One number of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    pub scope: &'static str,
    pub object: String,
    pub metric: &'static str,
    pub value: f64,
}

/// Every number of the report, under the JSON key it has there (null numbers are left out).
pub fn rows(report: &Report) -> Vec<Metric> {
    let mut out = Vec::new();
    let mut push = |scope: &'static str, object: &str, metric: &'static str, value: Option<f64>| {
        if let Some(value) = value {
            out.push(Metric {
                scope,
                object: object.to_string(),
                metric,
                value,
            });
        }
    };
    let n = |v: u64| Some(v as f64);
    let subject = &report.subject;
    push("subject", &subject.table, "rows", n(subject.rows));
    push(
        "subject",
        &subject.table,
        "duplicate_keys",
        subject.duplicate_keys.map(|d| d as f64),
    );
    push("subject", &subject.table, "row_count_shift", subject.row_count_shift);
    push(
        "subject",
        &subject.table,
        "duplicate_identities",
        n(subject.duplicate_identities),
    );
    for f in &report.fields {
        let o = f.name.as_str();
        push("field", o, "rows", n(f.rows));
        push("field", o, "missing", n(f.missing));
        push("field", o, "invalid", n(f.invalid));
        push("field", o, "not_applicable", n(f.not_applicable));
        push("field", o, "usable", n(f.usable));
        push("field", o, "completeness", f.completeness);
        push("field", o, "validity", f.validity);
        push("field", o, "usability", f.usability);
        push("field", o, "distinct", f.distinct.map(|d| d as f64));
        push("field", o, "psi", f.psi);
    }
    for s in &report.segments {
        let o = s.id.as_str();
        push("segment", o, "population", n(s.population));
        push("segment", o, "population_undetermined", n(s.population_undetermined));
        push("segment", o, "members", n(s.members));
        push("segment", o, "non_members", n(s.non_members));
        push("segment", o, "undetermined", n(s.undetermined));
        push("segment", o, "size_min", n(s.size_min));
        push("segment", o, "size_max", n(s.size_max));
        for v in &s.variants {
            // `segment/variant`, as a segment field is `segment/field` (contract §12).
            let o = format!("{}/{}", s.id, v.id);
            push("variant", &o, "members", n(v.members));
            push("variant", &o, "non_members", n(v.non_members));
            push("variant", &o, "undetermined", n(v.undetermined));
            push("variant", &o, "size_min", n(v.size_min));
            push("variant", &o, "size_max", n(v.size_max));
            push("variant", &o, "decided_on_missing", n(v.decided_on_missing));
        }
        for f in &s.fields {
            let o = format!("{}/{}", s.id, f.name);
            push("segment_field", &o, "usable", n(f.usable));
            push("segment_field", &o, "usability", f.usability);
            push("segment_field", &o, "undetermined_rows", n(f.undetermined_rows));
        }
        for st in &s.strata {
            let o = format!("{}/{}/{}", s.id, st.field, st.by);
            push("strata", &o, "spread", st.spread);
        }
    }
    for s in &report.segmentations {
        let o = s.id.as_str();
        push("segmentation", o, "population", n(s.population));
        push("segmentation", o, "exactly_one", n(s.exactly_one));
        push("segmentation", o, "none", n(s.none));
        push("segmentation", o, "several", n(s.several));
        push("segmentation", o, "undetermined", n(s.undetermined));
    }
    for l in &report.links {
        // `from/to`, as a segment field is `segment/field`.
        let o = format!("{}/{}", l.from, l.to);
        push("link", &o, "from_rows", n(l.from_rows));
        push("link", &o, "orphans", n(l.orphans));
        push("link", &o, "from_missing", n(l.from_missing));
        push("link", &o, "to_rows", n(l.to_rows));
        push("link", &o, "to_unmatched", n(l.to_unmatched));
        push("link", &o, "orphan_share", l.orphan_share);
    }
    out
}

/// The run's metrics as the bytes of one Parquet file.
pub fn to_parquet(report: &Report, info: &HistoryInfo) -> Result<Vec<u8>> {
    let rows = rows(report);
    let failed = |e: &dyn std::fmt::Display| Error::new(format!("writing the run's metrics as Parquet: {e}"));
    let schema = Arc::new(Schema::new(vec![
        Field::new("run_id", DataType::Utf8, false),
        Field::new(
            "run_time",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            false,
        ),
        Field::new("spec_sha256", DataType::Utf8, false),
        Field::new("scope", DataType::Utf8, false),
        Field::new("object", DataType::Utf8, false),
        Field::new("metric", DataType::Utf8, false),
        Field::new("value", DataType::Float64, false),
        Field::new("subject_table", DataType::Utf8, false),
        Field::new("tool_version", DataType::Utf8, false),
    ]));
    let same = |text: &str| -> ArrayRef { Arc::new(StringArray::from(vec![text; rows.len()])) };
    let columns: Vec<ArrayRef> = vec![
        same(&info.run_id),
        Arc::new(
            TimestampMicrosecondArray::from(vec![super::micros_of(&info.run_time); rows.len()]).with_timezone("UTC"),
        ),
        same(&report.spec.sha256),
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.scope))),
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.object.as_str()))),
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.metric))),
        Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r.value))),
        same(&report.subject.table),
        same(&report.tool_version),
    ];
    let batch = RecordBatch::try_new(schema.clone(), columns).map_err(|e| failed(&e))?;
    let mut bytes = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut bytes, schema, None).map_err(|e| failed(&e))?;
    writer.write(&batch).map_err(|e| failed(&e))?;
    writer.close().map_err(|e| failed(&e))?;
    Ok(bytes)
}
