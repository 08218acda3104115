//! MySQL/MariaDB sources (issue 26, contract §6) on a real MariaDB: the one `.ci/run` starts with
//! `.ci/mariadb` (its `SEGAUDIT_MY_*` settings), or a throwaway one started here when Debian's
//! mariadb-server is installed. No mock anywhere. Each test works in its own database.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::database::{assert_fault, assert_same_counts, counts_only, csv_demo_spec, dead_port, demo_spec_with, DEMO};
use super::*;

/// Where the test MariaDB listens, and the password of its user `auditor`.
pub struct My {
    pub host: String,
    pub port: String,
    pub user: String,
    pub password: String,
}

static MY: OnceLock<Option<My>> = OnceLock::new();

/// The test server, or None (with a note) when there is none and none can be started; in CI (or
/// with SEGAUDIT_REQUIRE_MYSQL) a missing server fails the test instead.
pub fn my() -> Option<&'static My> {
    let my = MY.get_or_init(|| from_env().or_else(start_throwaway)).as_ref();
    if my.is_none() {
        assert!(
            std::env::var_os("SEGAUDIT_REQUIRE_MYSQL").is_none() && std::env::var_os("CI").is_none(),
            "SEGAUDIT_REQUIRE_MYSQL or CI is set but no MariaDB is reachable"
        );
        eprintln!("skipped: no MariaDB (set SEGAUDIT_MY_* or install the mariadb-server package)");
    }
    my
}

fn settings(var: impl Fn(&str) -> Option<String>) -> Option<My> {
    Some(My {
        host: var("HOST")?,
        port: var("PORT")?,
        user: var("USER")?,
        password: var("PASSWORD")?,
    })
}

fn from_env() -> Option<My> {
    settings(|k| std::env::var(format!("SEGAUDIT_MY_{k}")).ok())
}

/// Starts a server for this test process; it stops by itself when the process ends.
fn start_throwaway() -> Option<My> {
    if !Path::new("/usr/sbin/mariadbd").exists() {
        return None;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/mariadb");
    let dir = std::env::temp_dir().join(format!("segaudit-my-{}", std::process::id()));
    let output = Command::new(script)
        .arg("start")
        .arg(&dir)
        .arg(std::process::id().to_string())
        .output()
        .ok()?;
    if !output.status.success() {
        eprintln!("could not start MariaDB: {}", String::from_utf8_lossy(&output.stderr));
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    settings(|k| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("export SEGAUDIT_MY_{k}=")))
            .map(str::to_string)
    })
}

impl My {
    /// The URL of database `db` (the test server has no TLS).
    pub fn url(&self, db: &str) -> String {
        format!(
            "mysql://{}@{}:{}/{db}?sslmode=disabled",
            self.user, self.host, self.port
        )
    }

    pub fn place(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    pub fn env(&self) -> [(&str, &str); 1] {
        [("SEGAUDIT_TEST_PW", self.password.as_str())]
    }

    fn client(&self) -> Command {
        let mut c = Command::new("mariadb");
        c.args(["--no-defaults", "-h", &self.host, "-P", &self.port, "-u", &self.user])
            .args(["--default-character-set=utf8mb4", "--batch", "--skip-column-names"])
            .env("MYSQL_PWD", &self.password);
        c
    }

    /// Runs SQL (any number of statements) and returns what it prints.
    pub fn sql(&self, sql: &str) -> String {
        let mut child = self
            .client()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run mariadb");
        child.stdin.take().unwrap().write_all(sql.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "mariadb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A fresh, empty database `segaudit_<name>` (the test user may create those).
    pub fn fresh(&self, name: &str) -> String {
        let db = format!("segaudit_{name}");
        self.sql(&format!(
            "DROP DATABASE IF EXISTS {db}; CREATE DATABASE {db} CHARACTER SET utf8mb4;"
        ));
        db
    }
}

/// A text as a MySQL literal (backslashes are escapes in MySQL's default mode).
pub fn literal(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "''"))
}

/// The demo's column types in MySQL: money as DECIMAL, the others as PostgreSQL's test loads them.
fn demo_type(column: &str) -> &'static str {
    match column {
        "puissance_kva" | "nb_impayes_12m" => "INT",
        "montant_moyen_facture" => "DECIMAL(12,0)",
        "retard_moyen_jours" => "DOUBLE",
        _ => "TEXT",
    }
}

/// Loads the demo into database `db`: `clients` in latin1 columns (the billing export is
/// Windows-1252), `paiements` in utf8mb4; empty fields as NULL.
pub fn load_demo(my: &My, db: &str) {
    let mut sql = format!("USE {db};\n");
    for (table, file, delimiter, _) in DEMO {
        let bytes = std::fs::read(fixture(file)).expect("read fixture");
        let (text, charset) = if file.contains("clients") {
            (encoding_rs::WINDOWS_1252.decode(&bytes).0.into_owned(), "latin1")
        } else {
            (String::from_utf8(bytes).expect("utf-8"), "utf8mb4")
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter.as_bytes()[0])
            .from_reader(text.as_bytes());
        let columns: Vec<String> = reader.headers().expect("header").iter().map(str::to_string).collect();
        let defs: Vec<String> = columns.iter().map(|c| format!("`{c}` {}", demo_type(c))).collect();
        sql.push_str(&format!(
            "CREATE TABLE {table} ({}) CHARACTER SET {charset};\n",
            defs.join(", ")
        ));
        let rows: Vec<String> = reader
            .records()
            .map(|r| {
                let values: Vec<String> = r
                    .expect("record")
                    .iter()
                    .map(|v| if v.is_empty() { "NULL".to_string() } else { literal(v) })
                    .collect();
                format!("({})", values.join(", "))
            })
            .collect();
        for chunk in rows.chunks(500) {
            sql.push_str(&format!("INSERT INTO {table} VALUES {};\n", chunk.join(",\n")));
        }
    }
    my.sql(&sql);
}

/// The demo read from MariaDB (a table of latin1 columns, and a query over utf8mb4 ones) gives
/// every count the CSV audit gives.
#[test]
fn mysql_demo_counts_equal_the_csv_audit() {
    let Some(my) = my() else { return };
    let db = my.fresh("demo");
    load_demo(my, &db);
    let csv = Case::new(&csv_demo_spec()).audit(&[]);
    assert!(csv.code == 0 || csv.code == 1, "{}", csv.stderr);
    let db_spec = demo_spec_with(&format!(
        "[source.clients]\nurl = {url:?}\ntable = \"clients\"\npassword_env = \"SEGAUDIT_TEST_PW\"\nnull_tokens = [\"N/A\"]\n\n\
         [source.paiements]\nurl = {url:?}\nquery = \"SELECT * FROM {db}.paiements\"\npassword_env = \"SEGAUDIT_TEST_PW\"\n",
        url = my.url(&db),
    ));
    let case = Case::new(&db_spec);
    let run = case.run_with_env(&["audit", "spec.toml", "--out", "out", "--quiet"], &my.env());
    assert_eq!(run.code, csv.code, "{}", run.stderr);
    assert_same_counts(&csv, &run, "MariaDB");
    assert_eq!(run.report()["subject"]["rows"], 5008);
    let sources = &run.report()["sources"];
    assert_eq!(sources[0]["format"], "mysql");
    assert_eq!(
        sources[0]["url"],
        format!("mysql://{}/{db}?sslmode=disabled", my.place())
    );
}

/// The MySQL types of a billing system, counted by hand and against the CSV export of the same
/// rows (as the server writes them, NULL as an empty field):
/// - montant DECIMAL(10,2) declared float in [0, 50000]: 12.50 usable, NULL missing, 99999.99 and
///   -3.00 invalid → missing 1, invalid 2, usable 1;
/// - actif TINYINT(1) declared boolean: 1, 0, NULL, 1 → missing 1, usable 3;
/// - vu_le DATETIME declared timestamp: a zero datetime is invalid, not missing → 1, 1, 2;
/// - ne_le DATE declared date: 1980-02-29 usable, 0000-00-00 and 2024-00-00 invalid, NULL → 1, 2, 1;
/// - ville latin1 with values ["Bouaké"]: Abidjan invalid, Bouaké usable (decoded right), '' and
///   NULL missing → 2, 1, 1;
/// - nom utf8mb4 with values ["Zoé", "😀 Kouassi"]: Ngoran invalid, NULL missing → 1, 1, 2.
///
/// Segment `bon`: actif AND montant >= 10 → row 1 member, row 2 (FALSE AND NULL) non-member,
/// rows 3 and 4 (NULL) undetermined.
#[test]
fn mysql_types_count_as_their_csv_export() {
    let Some(my) = my() else { return };
    let db = my.fresh("types");
    my.sql(&format!(
        "USE {db};
         CREATE TABLE t (id INT, montant DECIMAL(10,2), actif TINYINT(1), vu_le DATETIME, ne_le DATE,
                         ville VARCHAR(40) CHARACTER SET latin1, nom TEXT CHARACTER SET utf8mb4);
         INSERT INTO t VALUES
           (1, 12.50, 1, '2024-01-05 10:00:00', '1980-02-29', 'Abidjan', 'Zoé'),
           (2, NULL, 0, '0000-00-00 00:00:00', '0000-00-00', 'Bouaké', '😀 Kouassi'),
           (3, 99999.99, NULL, NULL, '2024-00-00', '', 'Ngoran'),
           (4, -3.00, 1, '2023-12-31 23:59:59', NULL, NULL, NULL);"
    ));
    let export = "id,montant,actif,vu_le,ne_le,ville,nom\n\
                  1,12.50,1,2024-01-05 10:00:00,1980-02-29,Abidjan,Zoé\n\
                  2,,0,0000-00-00 00:00:00,0000-00-00,Bouaké,😀 Kouassi\n\
                  3,99999.99,,,2024-00-00,,Ngoran\n\
                  4,-3.00,1,2023-12-31 23:59:59,,,\n";
    let fields = "[subject]\ntable = \"t\"\nkey = \"id\"\n\
        [field.montant]\ntype = \"float\"\nrange = [0, 50000]\n\
        [field.actif]\ntype = \"boolean\"\n\
        [field.vu_le]\ntype = \"timestamp\"\n\
        [field.ne_le]\ntype = \"date\"\n\
        [field.ville]\nvalues = [\"Bouaké\"]\n\
        [field.nom]\nvalues = [\"Zoé\", \"😀 Kouassi\"]\n\
        [segment.bon]\nrule = \"actif AND montant >= 10\"\n";
    let csv_case = Case::new(&format!("[source.t]\npath = \"t.csv\"\n{fields}"));
    std::fs::write(csv_case.path("t.csv"), export).unwrap();
    let csv = csv_case.audit(&["--fail-on", "never"]);
    let case = Case::new(&format!(
        "[source.t]\nurl = {:?}\ntable = \"t\"\npassword_env = \"SEGAUDIT_TEST_PW\"\n{fields}",
        my.url(&db)
    ));
    let run = case.run_with_env(
        &["audit", "spec.toml", "--out", "out", "--quiet", "--fail-on", "never"],
        &my.env(),
    );
    for (what, run) in [("CSV export", &csv), ("MariaDB", &run)] {
        assert_eq!(run.code, 0, "{what}: {}", run.stderr);
        assert_counts(run, "montant", 1, 2, 1);
        assert_counts(run, "actif", 1, 0, 3);
        assert_counts(run, "vu_le", 1, 1, 2);
        assert_counts(run, "ne_le", 1, 2, 1);
        assert_counts(run, "ville", 2, 1, 1);
        assert_counts(run, "nom", 1, 1, 2);
        let bon = run.segment("bon");
        let counts = ["members", "non_members", "undetermined"].map(|k| bon[k].as_u64());
        assert_eq!(counts, [Some(1), Some(1), Some(2)], "{what}: {bon}");
    }
    assert_eq!(counts_only(csv.report()), counts_only(run.report()));
}

/// The password shows nowhere: not in the terminal, `--show-sql`, the JSON or HTML report, `check`,
/// `profile`, `init`, nor in the error of a failed login.
#[test]
fn mysql_password_never_shows() {
    let Some(my) = my() else { return };
    let db = my.fresh("secret");
    my.sql(&format!(
        "USE {db}; CREATE TABLE t (id INT, city TEXT); INSERT INTO t VALUES (1, 'Abidjan'), (2, NULL);"
    ));
    let url = my.url(&db);
    let case = Case::new(&format!(
        "[source.crm]\nurl = {url:?}\ntable = \"t\"\npassword_env = \"SEGAUDIT_TEST_PW\"\n[subject]\ntable = \"crm\"\n"
    ));
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
        &my.env(),
    );
    assert_eq!(audit.code, 0, "{}", audit.stderr);
    let report: Value = serde_json::from_str(&std::fs::read_to_string(case.path("out/r.json")).unwrap()).unwrap();
    assert_eq!(report["subject"]["rows"], 2);
    outputs.push(std::fs::read_to_string(case.path("out/r.json")).unwrap());
    outputs.push(std::fs::read_to_string(case.path("out/r.html")).unwrap());
    assert!(outputs[1].contains(&my.place()), "the HTML names the server");
    outputs.extend([audit.stdout, audit.stderr]);
    let check = case.run_with_env(&["check", "spec.toml", "--show-sql"], &my.env());
    assert_eq!(check.code, 0, "{}", check.stderr);
    outputs.extend([check.stdout, check.stderr]);
    let with_table = ["--table", "t", "--password-env", "SEGAUDIT_TEST_PW"];
    let profile = case.run_with_env(
        &[&["profile", url.as_str()][..], &with_table, &["--out", "p"]].concat(),
        &my.env(),
    );
    assert_eq!(profile.code, 0, "{}", profile.stderr);
    outputs.push(std::fs::read_to_string(case.path("p/profile.json")).unwrap());
    outputs.push(std::fs::read_to_string(case.path("p/profile.html")).unwrap());
    outputs.extend([profile.stdout, profile.stderr]);
    let init = case.run_with_env(&[&["init", url.as_str()][..], &with_table].concat(), &my.env());
    assert_eq!(init.code, 0, "{}", init.stderr);
    assert!(init.stdout.contains(&format!("url = {url:?}")), "{}", init.stdout);
    outputs.extend([init.stdout, init.stderr]);
    let wrong = case.run_with_env(
        &["audit", "spec.toml", "--out", "w"],
        &[("SEGAUDIT_TEST_PW", "Wrong-PW-5150")],
    );
    assert_eq!(wrong.code, 2, "{}", wrong.stderr);
    assert!(!wrong.stderr.contains("Wrong-PW-5150"), "{}", wrong.stderr);
    outputs.extend([wrong.stdout, wrong.stderr]);
    for text in &outputs {
        assert!(!text.contains(&my.password), "the password leaked into:\n{text}");
    }
}

/// A mysql:// URL carrying a password is refused before any connection; so is an unknown sslmode.
#[test]
fn mysql_url_mistakes_are_refused() {
    let case =
        Case::new("[source.crm]\nurl = \"mysql://auditor:Hunter2-Secret@localhost/crm\"\ntable = \"customers\"\n");
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
    let case = Case::new("[source.crm]\nurl = \"mysql://a@h/crm?sslmode=require\"\ntable = \"t\"\n");
    let run = case.run(&["check", "spec.toml"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("unknown sslmode \"require\""), "{}", run.stderr);
    assert!(run.stderr.contains("disabled, preferred"), "{}", run.stderr);
}

#[test]
fn mysql_server_down_fails_fast() {
    let port = dead_port();
    let case = Case::new(&format!(
        "[source.crm]\nurl = \"mysql://auditor@127.0.0.1:{port}/crm\"\ntable = \"t\"\n[subject]\ntable = \"crm\"\n"
    ));
    let started = Instant::now();
    let run = case.audit(&[]);
    assert_fault(
        &run,
        started,
        &[
            "source `crm`",
            &format!("127.0.0.1:{port}"),
            "cannot reach the server",
            "mariadb-admin",
        ],
    );
}

/// Wrong password, unknown database, TLS required by a server without it, missing table, a
/// query that is not a SELECT: each exits 2 quickly, naming the source and the server.
#[test]
fn mysql_login_database_table_and_query_faults() {
    let Some(my) = my() else { return };
    let db = my.fresh("faults");
    my.sql(&format!(
        "USE {db}; CREATE TABLE t (id INT); INSERT INTO t VALUES (1), (2);"
    ));
    let place = my.place();
    let spec = |url: &str, relation: &str| {
        format!("[source.crm]\nurl = {url:?}\n{relation}\npassword_env = \"SEGAUDIT_TEST_PW\"\n[subject]\ntable = \"crm\"\n")
    };
    let table = "table = \"t\"";
    let audit = ["audit", "spec.toml", "--out", "out"];
    // Wrong password.
    let case = Case::new(&spec(&my.url(&db), table));
    let started = Instant::now();
    let run = case.run_with_env(&audit, &[("SEGAUDIT_TEST_PW", "nope")]);
    assert_fault(&run, started, &["source `crm`", &place, "cannot log in", "CREATE USER"]);
    // Unknown database.
    let case = Case::new(&spec(&my.url("no_such_db"), table));
    let started = Instant::now();
    let run = case.run_with_env(&audit, &my.env());
    assert_fault(&run, started, &["source `crm`", &place, "no_such_db"]);
    // TLS is required by default, and the test server has none.
    let url = format!("mysql://{}@{place}/{db}", my.user);
    let case = Case::new(&spec(&url, table));
    let started = Instant::now();
    let run = case.run_with_env(&audit, &my.env());
    assert_fault(
        &run,
        started,
        &["source `crm`", &place, "cannot log in", "sslmode=disabled"],
    );
    // Missing table.
    let case = Case::new(&spec(&my.url(&db), "table = \"no_such_table\""));
    let started = Instant::now();
    let run = case.run_with_env(&audit, &my.env());
    assert_fault(&run, started, &["source `crm`", &place, "no_such_table"]);
    // Not a SELECT: refused before connecting, and the table keeps its rows.
    let case = Case::new(&spec(&my.url(&db), "query = \"DELETE FROM t\""));
    let run = case.run_with_env(&audit, &my.env());
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("only SELECT queries"), "{}", run.stderr);
    assert_eq!(my.sql(&format!("SELECT COUNT(*) FROM {db}.t")).trim(), "2");
    // The password variable is not set.
    let case = Case::new(&spec(&my.url(&db), table));
    let run = case.run(&audit);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("SEGAUDIT_TEST_PW"), "{}", run.stderr);
}

/// The server kills the audit's connection while it scans a slow view (KILL from a second
/// connection): exit 2, naming the source and the server, no report written.
#[test]
fn mysql_connection_killed_mid_scan() {
    let Some(my) = my() else { return };
    let db = my.fresh("slow");
    my.sql(&format!(
        "USE {db}; CREATE VIEW v AS SELECT seq AS id, SLEEP(0.2) AS x FROM seq_1_to_100;"
    ));
    let case = Case::new(&format!(
        "[source.crm]\nurl = {:?}\ntable = \"v\"\npassword_env = \"SEGAUDIT_TEST_PW\"\n[subject]\ntable = \"crm\"\n",
        my.url(&db)
    ));
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_segaudit"))
        .args(["audit", "spec.toml", "--out", "out", "--quiet"])
        .envs(my.env())
        .current_dir(case.dir.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let kill = format!(
        "SELECT CONCAT('KILL ', ID, ';') FROM information_schema.PROCESSLIST \
         WHERE DB = '{db}' AND INFO LIKE '%segaudit_query%' AND ID <> CONNECTION_ID()"
    );
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the audit did not stop");
        let statements = my.sql(&kill);
        if !statements.trim().is_empty() {
            // A connection may end between the two statements: its KILL then fails, harmlessly.
            let _ = my.client().arg("-e").arg(&statements).output();
        }
        std::thread::sleep(Duration::from_millis(300));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("source `crm`"), "{stderr}");
    assert!(stderr.contains(&my.place()), "{stderr}");
    assert!(stderr.contains("tip: "), "{stderr}");
    assert!(!case.path("out/audit.json").exists() && !case.path("out/report.html").exists());
}
