//! The integration tests: the real `segaudit` binary on the fixtures, in temp dirs, with exact
//! numbers computed by hand (each test says how).
// Tests stop at the first broken expectation: panicking is how they report it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod architecture;
mod assign;
mod assign_gate;
mod catalog;
mod conditions;
mod database;
mod decimal;
mod errors;
mod evidence;
mod fuzz;
mod governance;
mod heterogeneity;
mod history;
mod hostile;
mod init_proposals;
mod languages;
mod links;
mod mysql;
mod outputs;
mod precision;
mod print;
mod properties;
mod report;
mod segments;
mod sketch;
mod spine;
mod teach;
mod variants;
mod volume;
mod waivers;
mod workflow;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub fn fixture(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(path)
        .display()
        .to_string()
}

/// A temp dir holding a spec; `run` invokes the binary in it.
pub struct Case {
    pub dir: tempfile::TempDir,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub json: Option<Value>,
}

impl Case {
    pub fn new(spec: &str) -> Case {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("spec.toml"), spec).expect("write spec");
        Case { dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_env(args, &[])
    }

    /// `run` with extra environment variables (a database password, for instance).
    pub fn run_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let output: Output = Command::new(env!("CARGO_BIN_EXE_segaudit"))
            .args(args)
            .envs(env.iter().copied())
            .current_dir(self.dir.path())
            .env("NO_COLOR", "1")
            .env("SOURCE_DATE_EPOCH", "1790000000")
            .output()
            .expect("run segaudit");
        let json_path = self.path("out/audit.json");
        let json = std::fs::read_to_string(&json_path)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok());
        let _ = std::fs::remove_file(&json_path);
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            json,
        }
    }

    /// `segaudit audit spec.toml --out out` plus extra arguments.
    pub fn audit(&self, extra: &[&str]) -> Run {
        let mut args = vec!["audit", "spec.toml", "--out", "out", "--quiet"];
        args.extend_from_slice(extra);
        self.run(&args)
    }
}

impl Run {
    pub fn report(&self) -> &Value {
        self.json
            .as_ref()
            .unwrap_or_else(|| panic!("no JSON report; exit {}; stderr:\n{}", self.code, self.stderr))
    }

    pub fn field(&self, name: &str) -> &Value {
        self.report()["fields"]
            .as_array()
            .and_then(|fs| fs.iter().find(|f| f["name"] == name))
            .unwrap_or_else(|| panic!("no field {name}"))
    }

    pub fn segment(&self, id: &str) -> &Value {
        self.report()["segments"]
            .as_array()
            .and_then(|s| s.iter().find(|x| x["id"] == id))
            .unwrap_or_else(|| panic!("no segment {id}"))
    }

    pub fn segmentation(&self, id: &str) -> &Value {
        self.report()["segmentations"]
            .as_array()
            .and_then(|s| s.iter().find(|x| x["id"] == id))
            .unwrap_or_else(|| panic!("no segmentation {id}"))
    }

    pub fn codes(&self) -> Vec<String> {
        self.report()["findings"]
            .as_array()
            .map(|fs| {
                fs.iter()
                    .map(|f| f["code"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn finding(&self, code: &str, field: &str) -> Option<&Value> {
        self.report()["findings"]
            .as_array()?
            .iter()
            .find(|f| f["code"] == code && (f["field"] == field || field.is_empty()))
    }
}

/// `[(name, count)]` of a list of `{value|shape, count}` objects.
pub fn counts(list: &Value, key: &str) -> Vec<(String, u64)> {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .map(|v| {
                    (
                        v[key].as_str().unwrap_or_default().to_string(),
                        v["count"].as_u64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Asserts the counts of a field: (missing, invalid, usable).
pub fn assert_counts(run: &Run, field: &str, missing: u64, invalid: u64, usable: u64) {
    let f = run.field(field);
    assert_eq!(
        (f["missing"].as_u64(), f["invalid"].as_u64(), f["usable"].as_u64()),
        (Some(missing), Some(invalid), Some(usable)),
        "{field}: {f}"
    );
}
