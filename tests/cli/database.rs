//! Database sources (issue 15, contract §6) on real servers: PostgreSQL from the `SEGAUDIT_PG_*`
//! settings `.ci/run` exports (or a throwaway server started here with `.ci/postgres` when the
//! binaries exist), SQLite files written by the tests. No mock anywhere.

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::*;

/// Where the test PostgreSQL listens, and the password of its role `auditor`.
pub struct Pg {
    host: String,
    port: String,
    user: String,
    password: String,
    db: String,
}

static PG: OnceLock<Option<Pg>> = OnceLock::new();

/// The test server, or None (with a note) when there is none and none can be started.
fn pg() -> Option<&'static Pg> {
    let pg = PG.get_or_init(|| from_env().or_else(start_throwaway)).as_ref();
    if pg.is_none() {
        assert!(
            std::env::var_os("SEGAUDIT_REQUIRE_PG").is_none(),
            "SEGAUDIT_REQUIRE_PG is set but no PostgreSQL is reachable"
        );
        eprintln!("skipped: no PostgreSQL (set SEGAUDIT_PG_* or install the postgresql package)");
    }
    pg
}

fn from_env() -> Option<Pg> {
    let var = |k: &str| std::env::var(format!("SEGAUDIT_PG_{k}")).ok();
    Some(Pg {
        host: var("HOST")?,
        port: var("PORT")?,
        user: var("USER")?,
        password: var("PASSWORD")?,
        db: var("DB")?,
    })
}

/// Starts a server for this test process; it stops by itself when the process ends.
fn start_throwaway() -> Option<Pg> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/postgres");
    if !Path::new("/usr/lib/postgresql").is_dir() {
        return None;
    }
    let dir = std::env::temp_dir().join(format!("segaudit-pg-{}", std::process::id()));
    let output = Command::new(script)
        .arg("start")
        .arg(&dir)
        .arg(std::process::id().to_string())
        .output()
        .ok()?;
    if !output.status.success() {
        eprintln!(
            "could not start PostgreSQL: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let var = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("export SEGAUDIT_PG_{k}=")))
            .map(str::to_string)
    };
    Some(Pg {
        host: var("HOST")?,
        port: var("PORT")?,
        user: var("USER")?,
        password: var("PASSWORD")?,
        db: var("DB")?,
    })
}

impl Pg {
    fn url(&self) -> String {
        format!(
            "postgres://{}@{}:{}/{}?sslmode=disable",
            self.user, self.host, self.port, self.db
        )
    }

    fn env(&self) -> [(&str, &str); 1] {
        [("SEGAUDIT_TEST_PW", self.password.as_str())]
    }

    fn psql_command(&self) -> Command {
        let mut c = Command::new("psql");
        c.args(["-h", &self.host, "-p", &self.port, "-U", &self.user, "-d", &self.db])
            .args(["-v", "ON_ERROR_STOP=1", "-q", "-X"])
            .env("PGPASSWORD", &self.password);
        c
    }

    /// Runs statements (and psql `\copy` lines), each its own `-c`.
    fn psql(&self, commands: &[String]) {
        let mut c = self.psql_command();
        for command in commands {
            c.args(["-c", command]);
        }
        let out = c.output().expect("run psql");
        assert!(out.status.success(), "psql: {}", String::from_utf8_lossy(&out.stderr));
    }
}

/// Columns the demo loads with a database type; the others are text.
pub fn demo_type(column: &str) -> (&'static str, &'static str) {
    match column {
        "puissance_kva" | "nb_impayes_12m" => ("integer", "INTEGER"),
        "montant_moyen_facture" => ("bigint", "INTEGER"),
        "retard_moyen_jours" => ("double precision", "REAL"),
        _ => ("text", "TEXT"),
    }
}

/// The demo files: (table, file, delimiter, encoding label).
pub const DEMO: [(&str, &str, &str, &str); 2] = [
    ("clients", "demo/clients.csv", ";", "WIN1252"),
    ("paiements", "demo/paiements.csv", ",", "UTF8"),
];

pub fn header(file: &str, delimiter: &str) -> Vec<String> {
    let bytes = std::fs::read(fixture(file)).expect("read fixture");
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(&bytes);
    let first = text.lines().next().unwrap_or_default().to_string();
    first.split(delimiter).map(str::to_string).collect()
}

/// Loads the demo into schema `schema` of the test server, typed as `demo_type` says.
fn load_demo_pg(pg: &Pg, schema: &str) {
    let mut commands = vec![
        format!("DROP SCHEMA IF EXISTS {schema} CASCADE"),
        format!("CREATE SCHEMA {schema}"),
    ];
    for (table, file, delimiter, encoding) in DEMO {
        let columns: Vec<String> = header(file, delimiter)
            .iter()
            .map(|c| format!("\"{c}\" {}", demo_type(c).0))
            .collect();
        commands.push(format!("CREATE TABLE {schema}.{table} ({})", columns.join(", ")));
        commands.push(format!(
            "\\copy {schema}.{table} FROM '{}' WITH (FORMAT csv, HEADER true, DELIMITER '{delimiter}', ENCODING '{encoding}')",
            fixture(file)
        ));
    }
    pg.psql(&commands);
}

/// Writes the demo as a SQLite file, typed as `demo_type` says (empty fields as NULL).
fn write_demo_sqlite(path: &Path) {
    let conn = rusqlite::Connection::open(path).expect("open sqlite");
    for (table, file, delimiter, _) in DEMO {
        let bytes = std::fs::read(fixture(file)).expect("read fixture");
        let text = if file.contains("clients") {
            encoding_rs::WINDOWS_1252.decode(&bytes).0.into_owned()
        } else {
            String::from_utf8(bytes).expect("utf-8")
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter.as_bytes()[0])
            .from_reader(text.as_bytes());
        let columns: Vec<String> = reader.headers().expect("header").iter().map(str::to_string).collect();
        let defs: Vec<String> = columns.iter().map(|c| format!("\"{c}\" {}", demo_type(c).1)).collect();
        conn.execute(&format!("CREATE TABLE {table} ({})", defs.join(", ")), [])
            .expect("create");
        let marks = vec!["?"; columns.len()].join(", ");
        let tx = conn.unchecked_transaction().expect("tx");
        {
            let mut insert = tx
                .prepare(&format!("INSERT INTO {table} VALUES ({marks})"))
                .expect("prepare");
            for record in reader.records() {
                let record = record.expect("record");
                let values: Vec<rusqlite::types::Value> = record
                    .iter()
                    .zip(&columns)
                    .map(|(v, c)| match (v, demo_type(c).1) {
                        ("", _) => rusqlite::types::Value::Null,
                        (v, "INTEGER") => rusqlite::types::Value::Integer(v.parse().expect("integer")),
                        (v, "REAL") => rusqlite::types::Value::Real(v.parse().expect("real")),
                        (v, _) => rusqlite::types::Value::Text(v.to_string()),
                    })
                    .collect();
                insert.execute(rusqlite::params_from_iter(values)).expect("insert");
            }
        }
        tx.commit().expect("commit");
    }
}

/// checks/demo.toml with its two `[source]` tables replaced by `sources`.
pub fn demo_spec_with(sources: &str) -> String {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("checks/demo.toml")).expect("demo spec");
    let start = text.find("[source.clients]").expect("clients source");
    let end = text.find("[view.customers]").expect("view");
    format!("{}{sources}\n{}", &text[..start], &text[end..])
}

pub fn csv_demo_spec() -> String {
    demo_spec_with(&format!(
        "[source.clients]\npath = {:?}\ndelimiter = \";\"\nencoding = \"windows-1252\"\nnull_tokens = [\"N/A\"]\n\n\
         [source.paiements]\npath = {:?}\n",
        fixture("demo/clients.csv"),
        fixture("demo/paiements.csv")
    ))
}

/// What contract §3 counts, from a report: per field its rows, missing, invalid, usable and
/// ratios; the subject; every segment, segmentation and strata measure; the rule tests; the gate.
/// (Texts of typed values may differ: a `double` 9999 reads back as `9999.0`, not as the CSV's
/// `9999`, so shapes, top values and placeholder findings are not compared.)
pub fn counts_only(report: &Value) -> Value {
    let fields: Vec<Value> = report["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let keys = [
                "name",
                "rows",
                "missing",
                "invalid",
                "usable",
                "completeness",
                "validity",
                "usability",
            ];
            Value::Object(keys.iter().map(|k| (k.to_string(), f[*k].clone())).collect())
        })
        .collect();
    let mut out = serde_json::Map::new();
    out.insert("fields".into(), Value::Array(fields));
    for key in [
        "subject",
        "segments",
        "segmentations",
        "heterogeneity",
        "tests",
        "gate",
        "criteria",
    ] {
        out.insert(key.into(), report[key].clone());
    }
    Value::Object(out)
}

pub fn assert_same_counts(csv: &Run, db: &Run, what: &str) {
    let (a, b) = (counts_only(csv.report()), counts_only(db.report()));
    if a != b {
        if let Ok(dir) = std::env::var("SEGAUDIT_TEST_DUMP") {
            std::fs::write(
                format!("{dir}/{what}-csv.json"),
                serde_json::to_string_pretty(&a).unwrap(),
            )
            .unwrap();
            std::fs::write(
                format!("{dir}/{what}-db.json"),
                serde_json::to_string_pretty(&b).unwrap(),
            )
            .unwrap();
        }
        let (a, b) = (a.as_object().unwrap(), b.as_object().unwrap());
        for (key, value) in a {
            assert_eq!(Some(value), b.get(key), "{what}: `{key}` differs from the CSV audit's");
        }
    }
    // The comparison has something to compare: 20 columns (16 from clients, `professionnel` computed
    // by the view, 3 from paiements).
    assert_eq!(a["fields"].as_array().map(Vec::len), Some(20), "{what}");
    assert!(a["segments"].as_array().is_some_and(|s| s.len() >= 5), "{what}");
}

/// The demo read from PostgreSQL (typed columns) and joined with a CSV file gives every count the
/// CSV audit gives.
#[test]
fn postgres_demo_counts_equal_the_csv_audit() {
    let Some(pg) = pg() else { return };
    load_demo_pg(pg, "demo_eq");
    let csv = Case::new(&csv_demo_spec()).audit(&[]);
    assert!(csv.code == 0 || csv.code == 1, "{}", csv.stderr);
    // clients from PostgreSQL, joined by the spec's view with paiements from the CSV file.
    let db_spec = demo_spec_with(&format!(
        "[source.clients]\nurl = {url:?}\ntable = \"demo_eq.clients\"\npassword_env = \"SEGAUDIT_TEST_PW\"\nnull_tokens = [\"N/A\"]\n\n\
         [source.paiements]\npath = {paiements:?}\n",
        url = pg.url(),
        paiements = fixture("demo/paiements.csv")
    ));
    let case = Case::new(&db_spec);
    let db = case.run_with_env(&["audit", "spec.toml", "--out", "out", "--quiet"], &pg.env());
    assert_eq!(db.code, csv.code, "{}", db.stderr);
    assert_same_counts(&csv, &db, "PostgreSQL");
    // 5008 customers, as in clients.csv; the source names the server, not the password.
    assert_eq!(db.report()["subject"]["rows"], 5008);
    let sources = &db.report()["sources"];
    assert_eq!(sources[0]["format"], "postgres");
    assert_eq!(
        sources[0]["url"],
        format!("postgres://{}:{}/{}?sslmode=disable", pg.host, pg.port, pg.db)
    );
}

/// The same from SQLite, the path relative to the spec.
#[test]
fn sqlite_demo_counts_equal_the_csv_audit() {
    let csv = Case::new(&csv_demo_spec()).audit(&[]);
    let case = Case::new(&demo_spec_with(
        "[source.clients]\nurl = \"sqlite:data/demo.db\"\ntable = \"clients\"\nnull_tokens = [\"N/A\"]\n\n\
         [source.paiements]\nurl = \"sqlite:data/demo.db\"\nquery = \"SELECT * FROM paiements\"\n",
    ));
    std::fs::create_dir(case.path("data")).unwrap();
    write_demo_sqlite(&case.path("data/demo.db"));
    let db = case.audit(&[]);
    assert_eq!(db.code, csv.code, "{}", db.stderr);
    assert_same_counts(&csv, &db, "SQLite");
    assert_eq!(db.report()["sources"][1]["url"], "sqlite:data/demo.db");
}

/// A small table where the database types matter, counted by hand:
/// id 1..4; n integer (10, NULL, 30, 40) declared integer range [0, 35]: missing 1 (NULL),
/// invalid 1 (40), usable 2; code text ("7", "x", " ", NULL) declared integer: missing 2
/// (NULL and whitespace), invalid 1 ("x"), usable 1. Segment big: rule n >= 30 → members 1 (30),
/// non members 1 (10), undetermined 2 (NULL, 40 invalid → NULL).
const TYPED_SPEC: &str = r#"
[source.t]
url = "URL"
table = "TABLE"
PASSWORD
[subject]
table = "t"
key = "id"
[field.n]
type = "integer"
range = [0, 35]
[field.code]
type = "integer"
[segment.big]
rule = "n >= 30"
"#;

fn check_typed(run: &Run) {
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_counts(run, "n", 1, 1, 2);
    assert_counts(run, "code", 2, 1, 1);
    let big = run.segment("big");
    assert_eq!(
        (
            big["members"].as_u64(),
            big["non_members"].as_u64(),
            big["undetermined"].as_u64()
        ),
        (Some(1), Some(1), Some(2)),
        "{big}"
    );
}

#[test]
fn sqlite_typed_columns_are_measured_against_declared_types() {
    let spec = TYPED_SPEC
        .replace("URL", "sqlite:t.db")
        .replace("TABLE", "t")
        .replace("PASSWORD", "");
    let case = Case::new(&spec);
    let conn = rusqlite::Connection::open(case.path("t.db")).unwrap();
    conn.execute_batch(
        "CREATE TABLE t (id INTEGER, n INTEGER, code TEXT);
         INSERT INTO t VALUES (1, 10, '7'), (2, NULL, 'x'), (3, 30, ' '), (4, 40, NULL);",
    )
    .unwrap();
    drop(conn);
    check_typed(&case.audit(&["--fail-on", "never"]));
}

#[test]
fn postgres_typed_columns_are_measured_against_declared_types() {
    let Some(pg) = pg() else { return };
    pg.psql(&[
        "DROP SCHEMA IF EXISTS typed CASCADE".into(),
        "CREATE SCHEMA typed".into(),
        "CREATE TABLE typed.t (id integer, n integer, code text)".into(),
        "INSERT INTO typed.t VALUES (1, 10, '7'), (2, NULL, 'x'), (3, 30, ' '), (4, 40, NULL)".into(),
    ]);
    let spec = TYPED_SPEC
        .replace("URL", &pg.url())
        .replace("TABLE", "typed.t")
        .replace("PASSWORD", "password_env = \"SEGAUDIT_TEST_PW\"");
    let case = Case::new(&spec);
    let run = case.run_with_env(
        &["audit", "spec.toml", "--out", "out", "--quiet", "--fail-on", "never"],
        &pg.env(),
    );
    check_typed(&run);
}

/// The password shows nowhere: not in the terminal, `--show-sql`, the JSON or HTML report, `check`,
/// `profile`, `init`, nor in the error of a failed login.
#[test]
fn postgres_password_never_shows() {
    let Some(pg) = pg() else { return };
    pg.psql(&[
        "DROP SCHEMA IF EXISTS secret CASCADE".into(),
        "CREATE SCHEMA secret".into(),
        "CREATE TABLE secret.t (id integer, city text)".into(),
        "INSERT INTO secret.t VALUES (1, 'Abidjan'), (2, NULL)".into(),
    ]);
    let spec = format!(
        "[source.crm]\nurl = {:?}\ntable = \"secret.t\"\npassword_env = \"SEGAUDIT_TEST_PW\"\n[subject]\ntable = \"crm\"\n",
        pg.url()
    );
    let case = Case::new(&spec);
    let mut outputs = Vec::new();
    let audit = case.run_with_env(
        &[
            "audit",
            "spec.toml",
            "--out",
            "out",
            "--show-sql",
            "--html",
            "out/r.html",
            "--json",
            "out/r.json",
        ],
        &pg.env(),
    );
    assert_eq!(audit.code, 0, "{}", audit.stderr);
    outputs.push(std::fs::read_to_string(case.path("out/r.json")).unwrap());
    outputs.push(std::fs::read_to_string(case.path("out/r.html")).unwrap());
    assert!(
        outputs[1].contains(&format!("{}:{}", pg.host, pg.port)),
        "the HTML names the server"
    );
    outputs.extend([audit.stdout, audit.stderr]);
    let check = case.run_with_env(&["check", "spec.toml", "--show-sql"], &pg.env());
    assert_eq!(check.code, 0, "{}", check.stderr);
    outputs.extend([check.stdout, check.stderr]);
    let url = pg.url();
    let profile = case.run_with_env(
        &[
            "profile",
            &url,
            "--table",
            "secret.t",
            "--password-env",
            "SEGAUDIT_TEST_PW",
            "--out",
            "p",
        ],
        &pg.env(),
    );
    assert_eq!(profile.code, 0, "{}", profile.stderr);
    outputs.push(std::fs::read_to_string(case.path("p/profile.json")).unwrap());
    outputs.push(std::fs::read_to_string(case.path("p/profile.html")).unwrap());
    outputs.extend([profile.stdout, profile.stderr]);
    let init = case.run_with_env(
        &[
            "init",
            &url,
            "--table",
            "secret.t",
            "--password-env",
            "SEGAUDIT_TEST_PW",
        ],
        &pg.env(),
    );
    assert_eq!(init.code, 0, "{}", init.stderr);
    assert!(
        init.stdout.contains("password_env = \"SEGAUDIT_TEST_PW\""),
        "{}",
        init.stdout
    );
    outputs.extend([init.stdout, init.stderr]);
    // A wrong password: refused, and neither it nor the right one is echoed.
    let wrong = case.run_with_env(
        &["audit", "spec.toml", "--out", "w"],
        &[("SEGAUDIT_TEST_PW", "Wrong-PW-5150")],
    );
    assert_eq!(wrong.code, 2, "{}", wrong.stderr);
    assert!(!wrong.stderr.contains("Wrong-PW-5150"), "{}", wrong.stderr);
    outputs.extend([wrong.stdout, wrong.stderr]);
    for text in &outputs {
        assert!(!text.contains(&pg.password), "the password leaked into:\n{text}");
    }
}

/// A URL carrying a password is refused before any connection, with a tip naming password_env.
#[test]
fn url_with_a_password_is_refused() {
    let case = Case::new(
        "[source.crm]\nurl = \"postgres://auditor:Hunter2-Secret@localhost:5432/crm\"\ntable = \"customers\"\n",
    );
    let run = case.audit(&[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("spec.toml:2:7: `source.crm.url`: the URL carries a password"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("password_env"), "{}", run.stderr);
    assert!(!run.stderr.contains("Hunter2-Secret"), "{}", run.stderr);
    assert!(!case.path("out").exists());
}

/// Spec mistakes on database sources: each named by key with a tip.
#[test]
fn database_spec_mistakes() {
    let cases: [(&str, &str); 6] = [
        (
            "[source.a]\nurl = \"sqlite:x.db\"\npath = \"x.csv\"\ntable = \"t\"\n",
            "`source.a.url`: a source has either `path` (files) or `url` (a database), not both",
        ),
        (
            "[source.a]\nurl = \"sqlite:x.db\"\ntable = \"t\"\nquery = \"SELECT 1\"\n",
            "`source.a.query`: a source reads either a `table` or a `query`, not both",
        ),
        (
            "[source.a]\nurl = \"sqlite:x.db\"\nquery = \"DELETE FROM t\"\n",
            "`source.a.query`: only SELECT queries are allowed in a spec, found `DELETE FROM …`",
        ),
        (
            "[source.a]\nurl = \"sqlite:x.db\"\ntble = \"t\"\n",
            "did you mean `table`?",
        ),
        (
            "[source.a]\npath = \"x.csv\"\npassword_env = \"PW\"\n",
            "`source.a.password_env`: only a database source (`url`) takes this key",
        ),
        (
            "[source.a]\nurl = \"postgres://h/db?sslmode=sometimes\"\ntable = \"t\"\n",
            "`source.a.url`: unknown sslmode \"sometimes\"",
        ),
    ];
    for (spec, expected) in cases {
        let run = Case::new(spec).run(&["check", "spec.toml"]);
        assert_eq!(run.code, 2, "{spec}");
        assert!(run.stderr.contains(expected), "{spec}\n{}", run.stderr);
        assert!(run.stderr.contains("tip: "), "{}", run.stderr);
    }
}

/// A free loopback port nobody listens on.
pub fn dead_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

pub fn assert_fault(run: &Run, started: Instant, names: &[&str]) {
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "took {:?}",
        started.elapsed()
    );
    for name in names {
        assert!(run.stderr.contains(name), "no {name:?} in:\n{}", run.stderr);
    }
    assert!(run.stderr.contains("tip: "), "{}", run.stderr);
    assert!(run.json.is_none(), "a report was written");
}

#[test]
fn postgres_server_down_fails_fast() {
    let port = dead_port();
    let case = Case::new(&format!(
        "[source.crm]\nurl = \"postgres://auditor@127.0.0.1:{port}/crm\"\ntable = \"t\"\n[subject]\ntable = \"crm\"\n"
    ));
    let started = Instant::now();
    let run = case.audit(&[]);
    assert_fault(
        &run,
        started,
        &["source `crm`", &format!("127.0.0.1:{port}"), "cannot reach the server"],
    );
}

#[test]
fn postgres_login_database_and_table_faults() {
    let Some(pg) = pg() else { return };
    let place = format!("{}:{}", pg.host, pg.port);
    let spec = |url: &str, table: &str| {
        format!("[source.crm]\nurl = {url:?}\ntable = {table:?}\npassword_env = \"SEGAUDIT_TEST_PW\"\n[subject]\ntable = \"crm\"\n")
    };
    // Wrong password.
    let case = Case::new(&spec(&pg.url(), "t"));
    let started = Instant::now();
    let run = case.run_with_env(&["audit", "spec.toml", "--out", "out"], &[("SEGAUDIT_TEST_PW", "nope")]);
    assert_fault(&run, started, &["source `crm`", &place, "cannot log in"]);
    // Unknown database.
    let url = format!("postgres://{}@{place}/no_such_db?sslmode=disable", pg.user);
    let case = Case::new(&spec(&url, "t"));
    let started = Instant::now();
    let run = case.run_with_env(&["audit", "spec.toml", "--out", "out"], &pg.env());
    assert_fault(
        &run,
        started,
        &["source `crm`", &place, "database \"no_such_db\" does not exist"],
    );
    // sslmode is honoured: the test server has no TLS, so `require` cannot connect.
    let url = format!("postgres://{}@{place}/{}?sslmode=require", pg.user, pg.db);
    let case = Case::new(&spec(&url, "t"));
    let started = Instant::now();
    let run = case.run_with_env(&["audit", "spec.toml", "--out", "out"], &pg.env());
    assert_fault(&run, started, &["source `crm`", &place, "server does not support TLS"]);
    // Missing table.
    let case = Case::new(&spec(&pg.url(), "public.no_such_table"));
    let started = Instant::now();
    let run = case.run_with_env(&["audit", "spec.toml", "--out", "out"], &pg.env());
    assert_fault(&run, started, &["source `crm`", &place, "public.no_such_table"]);
    // The password variable is not set.
    let run = case.run(&["audit", "spec.toml", "--out", "out"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("SEGAUDIT_TEST_PW"), "{}", run.stderr);
}

/// The server cuts the connection while the audit scans (pg_terminate_backend from a second
/// connection during a slow view): exit 2, naming the source and server, no report written.
#[test]
fn postgres_connection_dropped_mid_scan() {
    let Some(pg) = pg() else { return };
    pg.psql(&[
        "DROP SCHEMA IF EXISTS slow CASCADE".into(),
        "CREATE SCHEMA slow".into(),
        "CREATE VIEW slow.v AS SELECT g AS id, (pg_sleep(0.2) IS NULL)::text AS x FROM generate_series(1, 100) g"
            .into(),
    ]);
    let case = Case::new(&format!(
        "[source.crm]\nurl = {:?}\ntable = \"slow.v\"\npassword_env = \"SEGAUDIT_TEST_PW\"\n[subject]\ntable = \"crm\"\n",
        pg.url()
    ));
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_segaudit"))
        .args(["audit", "spec.toml", "--out", "out", "--quiet"])
        .envs(pg.env())
        .current_dir(case.dir.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Terminate the audit's backends (those running the slow view) until the audit stops.
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the audit did not stop");
        let _ = pg
            .psql_command()
            .args([
                "-c",
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE query LIKE '%slow%' AND pid <> pg_backend_pid() AND usename = current_user",
            ])
            .output();
        std::thread::sleep(Duration::from_millis(300));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("source `crm`"), "{stderr}");
    assert!(stderr.contains(&format!("{}:{}", pg.host, pg.port)), "{stderr}");
    assert!(stderr.contains("tip: "), "{stderr}");
    assert!(!case.path("out/audit.json").exists() && !case.path("out/report.html").exists());
}

/// `profile` and `init` take a URL with --table; `check` plans on the schema.
#[test]
fn sqlite_profile_init_and_check() {
    let case = Case::new("");
    let conn = rusqlite::Connection::open(case.path("crm.db")).unwrap();
    conn.execute_batch(
        "CREATE TABLE customers (id INTEGER, region TEXT);
         INSERT INTO customers VALUES (1, 'Nord'), (2, NULL), (3, 'Sud');",
    )
    .unwrap();
    drop(conn);
    let profile = case.run(&[
        "profile",
        "sqlite:crm.db",
        "--table",
        "customers",
        "--out",
        "p",
        "--quiet",
    ]);
    assert_eq!(profile.code, 0, "{}", profile.stderr);
    let report: Value = serde_json::from_str(&std::fs::read_to_string(case.path("p/profile.json")).unwrap()).unwrap();
    assert_eq!(report["subject"]["rows"], 3);
    let region = report["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "region")
        .unwrap();
    assert_eq!(region["missing"], 1);
    let init = case.run(&["init", "sqlite:crm.db", "--table", "customers", "--out", "spec.toml"]);
    assert_eq!(init.code, 0, "{}", init.stderr);
    let spec = std::fs::read_to_string(case.path("spec.toml")).unwrap();
    assert!(
        spec.contains("[source.customers]\nurl = \"sqlite:crm.db\"\ntable = \"customers\"\n"),
        "{spec}"
    );
    let check = case.run(&["check", "spec.toml"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    // Without --table, a URL is refused with a tip.
    let run = case.run(&["profile", "sqlite:crm.db"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--table"), "{}", run.stderr);
    // A missing SQLite file is not created.
    let run = case.run(&["profile", "sqlite:nope.db", "--table", "t"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("nope.db does not exist"), "{}", run.stderr);
    assert!(!case.path("nope.db").exists());
}
