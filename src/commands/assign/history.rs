//! Membership history (contract §8): `DIR/membership.parquet`, a slowly changing dimension of
//! (`key`, `segment`, `status`, `valid_from`, `valid_to`), merged with each run in DataFusion SQL
//! ([`crate::engine::sql::assign::membership`]) and replaced atomically, under a lock on `DIR/membership.lock` so two
//! runs at once cannot lose each other's update. The file records, in its Parquet key-value metadata,
//! the spec file name and the key it belongs to; another spec's or key's history is refused.
//!
//! The previous run's segmentation values are not stored: they follow from its segments' statuses
//! (the open rows) by the same SQL that computes this run's ([`crate::engine::sql::assign::segmentation_value`]).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use datafusion::config::TableParquetOptions;
use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::datasource::MemTable;
use datafusion::parquet::file::reader::{FileReader, SerializedFileReader};
use datafusion::prelude::ParquetReadOptions;

use super::summary::{HistoryInfo, Transition};
use crate::base::error::{Error, Result};
use crate::engine::batch;
use crate::engine::columns::Col;
use crate::engine::sql::assign as sql;
use crate::engine::Engine;
use crate::spec::Spec;

pub const FILE_NAME: &str = "membership.parquet";
const LOCK_NAME: &str = "membership.lock";
const META_FORMAT: &str = "segaudit.format";
const META_SPEC: &str = "segaudit.spec";
const META_KEY: &str = "segaudit.key";
const META_SHA: &str = "segaudit.spec_sha256";
const META_RUN: &str = "segaudit.run_time";
const FORMAT: &str = "segaudit-membership";
const NEW_MEMBERSHIP: &str = "__segaudit_membership_new";

fn first(batches: &[datafusion::arrow::record_batch::RecordBatch]) -> Option<batch::Named<'_>> {
    batches.iter().find(|b| b.num_rows() > 0).map(batch::Named::new)
}

/// An open history folder, locked for as long as this lives.
pub struct History {
    dir: PathBuf,
    file: PathBuf,
    spec_name: String,
    spec_sha256: String,
    previous_run: Option<String>,
    exists: bool,
    _lock: File,
}

/// A merge computed and written to a temporary file, waiting for [`History::commit`].
pub struct Merged {
    _scratch: tempfile::TempDir,
    temp: PathBuf,
    pub transitions: Vec<Transition>,
    pub info: HistoryInfo,
    pub statements: Vec<String>,
}

/// What identifies the spec a history belongs to: its file name (editing the spec's rules keeps its
/// history; another spec file does not share it).
fn spec_name(spec: &Spec) -> String {
    spec.path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn metadata(file: &Path) -> Result<Vec<(String, Option<String>)>> {
    let handle = File::open(file).map_err(|e| Error::io(file, &e))?;
    let reader = SerializedFileReader::new(handle).map_err(|e| {
        Error::new(format!("{}: not a readable Parquet file: {e}", file.display()))
            // fr: … n'est pas un fichier Parquet lisible ; pt: … não é um arquivo Parquet legível
            .with_tip("move the damaged file away; the next run starts a new history")
    })?;
    Ok(reader
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .map(|kv| kv.iter().map(|k| (k.key.clone(), k.value.clone())).collect())
        .unwrap_or_default())
}

impl History {
    /// Locks `dir` (created if needed) and checks that its history, if any, is this spec's and key's.
    pub fn open(dir: &Path, spec: &Spec, key: &str) -> Result<History> {
        let unwritable = |e: std::io::Error| crate::base::fs::write_error(dir, &e);
        // The folder may be shared with `audit` (contract §10): its marker says which format and
        // version it holds, and a folder of a newer segaudit or of something else is refused here too.
        crate::history::open(dir)?;
        std::fs::create_dir_all(dir).map_err(unwritable)?;
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(LOCK_NAME))
            .map_err(unwritable)?;
        // Waits for another run on the same history to finish.
        lock.lock().map_err(unwritable)?;
        let file = dir.join(FILE_NAME);
        let name = spec_name(spec);
        let exists = file.is_file();
        let mut previous_run = None;
        if exists {
            let meta = metadata(&file)?;
            let get = |k: &str| meta.iter().find(|(m, _)| m == k).and_then(|(_, v)| v.clone());
            if get(META_FORMAT).as_deref() != Some(FORMAT) {
                return Err(
                    Error::new(format!("{}: not a segaudit membership history", file.display()))
                        // fr: … n'est pas un historique d'appartenance segaudit
                        // pt: … não é um histórico de pertença do segaudit
                        .with_tip("give assign a folder of its own with --history DIR"),
                );
            }
            let (their_spec, their_key) = (get(META_SPEC).unwrap_or_default(), get(META_KEY).unwrap_or_default());
            if their_spec != name || their_key != key {
                return Err(Error::new(format!(
                    "{}: this history belongs to the spec `{their_spec}` keyed by `{their_key}`, not to `{name}` keyed by `{key}`",
                    file.display()
                ))
                // fr: cet historique appartient à la spécification … de clé …, pas à … de clé …
                // pt: este histórico pertence à especificação … com a chave …, não a … com a chave …
                .with_tip("use another --history folder for this spec, or move the old history away"));
            }
            previous_run = get(META_RUN);
        }
        Ok(History {
            dir: dir.to_path_buf(),
            file,
            spec_name: name,
            spec_sha256: spec.sha256.clone(),
            previous_run,
            exists,
            _lock: lock,
        })
    }

    /// This run's time, strictly after the previous run's: the time is taken when the command
    /// starts, before the lock, so a run that waited (or two in the same microsecond) would otherwise
    /// close rows with `valid_to <= valid_from`. One microsecond after the previous run at least.
    fn after_previous(&self, requested: &str) -> String {
        let (Some(previous), Ok(asked)) = (&self.previous_run, chrono::DateTime::parse_from_rfc3339(requested)) else {
            return requested.to_string();
        };
        let Ok(previous) = chrono::DateTime::parse_from_rfc3339(previous) else {
            return requested.to_string();
        };
        if asked > previous {
            return requested.to_string();
        }
        let next = previous.to_utc() + chrono::TimeDelta::microseconds(1);
        next.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
    }

    /// Merges the assignment (registered as [`sql::ASSIGNMENT`]) into the history, in SQL, and writes
    /// the result to a temporary file in the history folder.
    pub async fn merge(
        &self,
        engine: &Engine,
        key: &str,
        segment_ids: &[&str],
        segmentations: &[(&str, Vec<usize>)],
        run_time: &str,
    ) -> Result<Merged> {
        let ctx = &engine.ctx;
        let fail = |purpose: &'static str| move |e: datafusion::error::DataFusionError| Error::engine(purpose, e);
        if self.exists {
            ctx.register_parquet(
                sql::OLD_MEMBERSHIP,
                self.file.display().to_string(),
                ParquetReadOptions::default(),
            )
            .await
            .map_err(fail("reading the membership history"))?;
        } else {
            let time = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
            let schema = Arc::new(Schema::new(vec![
                Field::new("key", DataType::Utf8, true),
                Field::new("segment", DataType::Utf8, true),
                Field::new("status", DataType::Utf8, true),
                Field::new("valid_from", time.clone(), true),
                Field::new("valid_to", time, true),
            ]));
            let empty = MemTable::try_new(schema, vec![vec![]]).map_err(fail("starting the membership history"))?;
            ctx.register_table(sql::OLD_MEMBERSHIP, Arc::new(empty))
                .map_err(fail("starting the membership history"))?;
        }
        let run_time = &self.after_previous(run_time);
        let run = sql::run_time(run_time);
        let mut statements = Vec::new();

        let transitions_sql = sql::transitions(key, segment_ids, segmentations);
        let mut transitions = Vec::new();
        if !segmentations.is_empty() {
            let batches = engine.query("counting transitions", &transitions_sql).await?;
            for (b, r) in batch::rows(&batch::named(&batches)) {
                let g = batch::count(b, &Col::SegmentationIndex, r)? as usize;
                let Some((id, _)) = segmentations.get(g) else { continue };
                transitions.push(Transition {
                    segmentation: id.to_string(),
                    from: batch::text(b, &Col::From, r)?.unwrap_or_default(),
                    to: batch::text(b, &Col::To, r)?.unwrap_or_default(),
                    rows: batch::count(b, &Col::Rows, r)?,
                });
            }
            let order = |id: &str| segmentations.iter().position(|(s, _)| *s == id);
            transitions.sort_by(|a, b| {
                order(&a.segmentation)
                    .cmp(&order(&b.segmentation))
                    .then_with(|| a.from.cmp(&b.from))
                    .then_with(|| a.to.cmp(&b.to))
            });
            statements.push(transitions_sql);
        }

        let scratch = tempfile::Builder::new()
            .prefix(".segaudit-membership-")
            .tempdir_in(&self.dir)
            .map_err(|e| crate::base::fs::write_error(&self.dir, &e))?;
        let temp = scratch.path().join(FILE_NAME);
        let membership_sql = sql::membership(key, segment_ids, &run);
        let frame = ctx
            .sql(&membership_sql)
            .await
            .map_err(fail("merging the membership history"))?;
        let mut parquet = TableParquetOptions::default();
        for (k, v) in [
            (META_FORMAT, FORMAT),
            (META_SPEC, &self.spec_name),
            (META_KEY, key),
            (META_SHA, &self.spec_sha256),
            (META_RUN, run_time),
        ] {
            parquet.key_value_metadata.insert(k.to_string(), Some(v.to_string()));
        }
        frame
            .write_parquet(
                &temp.display().to_string(),
                DataFrameWriteOptions::new().with_single_file_output(true),
                Some(parquet),
            )
            .await
            .map_err(|e| {
                Error::engine("writing the membership history", e).with_tip(
                    "the history holds keys × segments rows and is merged in memory: raise or drop --memory-limit",
                )
            })?;
        statements.push(membership_sql);

        ctx.register_parquet(
            NEW_MEMBERSHIP,
            temp.display().to_string(),
            ParquetReadOptions::default(),
        )
        .await
        .map_err(fail("reading the membership history back"))?;
        let counts_sql = sql::history_counts(NEW_MEMBERSHIP, &run);
        let counts = engine.query("counting the membership history", &counts_sql).await?;
        let keys_sql = sql::key_counts(key);
        let keys = engine.query("counting keys", &keys_sql).await?;
        statements.push(counts_sql);
        statements.push(keys_sql);
        let (Some(c), Some(k)) = (first(&counts), first(&keys)) else {
            return Err(Error::new("the membership history counts returned no row"));
        };
        let info = HistoryInfo {
            path: self.file.display().to_string(),
            previous_run: self.previous_run.clone(),
            rows: batch::count(&c, &Col::Rows, 0)?,
            open: batch::count(&c, &Col::Open, 0)?,
            opened: batch::count(&c, &Col::Opened, 0)?,
            closed: batch::count(&c, &Col::Closed, 0)?,
            keys: batch::count(&k, &Col::Keys, 0)?,
            duplicate_keys: batch::count(&k, &Col::DuplicateKeys, 0)?,
            duplicate_rows: batch::count(&k, &Col::DuplicateRows, 0)?,
            null_key_rows: batch::count(&k, &Col::NullKeyRows, 0)?,
        };
        Ok(Merged {
            _scratch: scratch,
            temp,
            transitions,
            info,
            statements,
        })
    }

    /// Replaces the history with the merged one (a rename: readers see the old or the new file).
    pub fn commit(&self, merged: Merged) -> Result<()> {
        std::fs::rename(&merged.temp, &self.file).map_err(|e| crate::base::fs::write_error(&self.file, &e))
    }
}
