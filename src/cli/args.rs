//! The command line's arguments: clap's definitions of every command and option, and their parsing
//! into the library's values (languages, memory sizes).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use segaudit::Lang;
use segaudit::RunOptions;

impl LangArg {
    pub(crate) fn lang(self) -> Lang {
        match self {
            LangArg::En => Lang::En,
            LangArg::Fr => Lang::Fr,
            LangArg::Pt => Lang::Pt,
        }
    }
}

#[derive(Parser)]
#[command(
    name = "segaudit",
    version,
    about = "Audit a customer base before it is split into business segments"
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum FailOnArg {
    Never,
    Warn,
    High,
    Critical,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum CatalogFormatArg {
    Html,
    Csv,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum LangArg {
    En,
    Fr,
    Pt,
}

#[derive(clap::Args)]
pub(crate) struct Output {
    /// Folder for audit.json (and report.html)
    #[arg(long, value_name = "DIR", default_value = "segaudit-out")]
    pub(crate) out: PathBuf,
    /// Write the JSON report here instead of DIR/audit.json
    #[arg(long, value_name = "FILE")]
    pub(crate) json: Option<PathBuf>,
    /// Write the HTML report here instead of DIR/report.html
    #[arg(long, value_name = "FILE")]
    pub(crate) html: Option<PathBuf>,
    /// Count every distinct value exactly, however many there are (default: a column with more
    /// distinct values than [report] exact_distinct_limit gets estimated counts, marked ≈)
    #[arg(long)]
    pub(crate) exact: bool,
    #[command(flatten)]
    pub(crate) run: RunArgs,
}

/// How a command that scans data runs and speaks (audit, profile, assign).
#[derive(clap::Args)]
pub(crate) struct RunArgs {
    /// Language of the report or summary (overrides [audit] lang)
    #[arg(long, value_enum)]
    pub(crate) lang: Option<LangArg>,
    /// Print the SQL that produced the numbers
    #[arg(long)]
    pub(crate) show_sql: bool,
    /// Worker threads (default: one per core)
    #[arg(long, default_value_t = 0)]
    pub(crate) threads: usize,
    /// Memory the query engine may use, e.g. 512M or 4G (default: no limit). Beyond it, sorts and
    /// groupings spill to the temporary folder; a run that still does not fit stops with an error
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub(crate) memory_limit: Option<usize>,
    /// Print nothing but errors
    #[arg(long, short)]
    pub(crate) quiet: bool,
}

impl RunArgs {
    pub(crate) fn options(&self) -> RunOptions {
        RunOptions {
            threads: self.threads,
            memory_limit: self.memory_limit,
            schema_only: false,
            exact: false,
        }
    }
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Run the audit a spec declares; print a summary; write the JSON report
    Audit {
        spec: PathBuf,
        #[command(flatten)]
        output: Output,
        /// Fail (exit 1) on findings at or above this level (overrides [gate] fail_on)
        #[arg(long, value_enum)]
        fail_on: Option<FailOnArg>,
        /// Keep this run in a history folder and compare with the previous run (overrides [history] path)
        #[arg(long, value_name = "DIR")]
        history: Option<PathBuf>,
    },
    /// Profile data files with no spec (every column, overall); writes profile.json and profile.html
    // The output options are shared with `audit`: their help names the profile's own files here.
    #[command(
        mut_arg("out", |a| a.help("Folder for profile.json and profile.html (profile-N.html for several files)")),
        mut_arg("json", |a| a.help("Write the JSON profile here instead of DIR/profile.json")),
        mut_arg("html", |a| a.help("Write the HTML profile here instead of DIR/profile.html (one data file)")),
    )]
    Profile {
        /// Files, or a database URL (postgres://user@host:port/db, mysql://user@host:port/db, sqlite:FILE) with --table
        #[arg(required = true)]
        data: Vec<PathBuf>,
        /// The table (or view) a database URL reads, e.g. public.customers
        #[arg(long)]
        table: Option<String>,
        /// The environment variable holding the database password
        #[arg(long, value_name = "VAR")]
        password_env: Option<String>,
        #[command(flatten)]
        output: Output,
    },
    /// Write a commented starter spec inferred from data files, or read from an ODCS data contract
    Init {
        #[arg(required_unless_present = "from_odcs")]
        data: Vec<PathBuf>,
        /// Write the spec an ODCS v3.1.0 data contract describes (what it cannot map is listed in
        /// comments of the spec)
        #[arg(long, value_name = "FILE", conflicts_with_all = ["data", "table", "password_env"])]
        from_odcs: Option<PathBuf>,
        /// The table with one row per customer (default: the first file's); with a database URL,
        /// the table (or view) it reads, e.g. public.customers
        #[arg(long)]
        table: Option<String>,
        /// The environment variable holding the database password (with a database URL)
        #[arg(long, value_name = "VAR")]
        password_env: Option<String>,
        /// Write the spec here instead of printing it
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// The data dictionary of the subject: every column's meaning, owner, sensitivity,
    /// expectations, measured quality and the criteria and segments that read it
    Catalog {
        spec: PathBuf,
        /// Take the numbers from the latest run of this history folder (overrides [history] path;
        /// without a run, the audit is run afresh)
        #[arg(long, value_name = "DIR")]
        history: Option<PathBuf>,
        /// html, csv or json (default: from the extension of --out, else html)
        #[arg(long, value_enum)]
        format: Option<CatalogFormatArg>,
        /// Write the catalogue here instead of printing it
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Language of the catalogue (overrides [audit] lang)
        #[arg(long, value_enum)]
        lang: Option<LangArg>,
    },
    /// The spec as an Open Data Contract Standard v3.1.0 document (YAML)
    Contract {
        spec: PathBuf,
        /// Write the contract here instead of printing it (its paths are relative to this file)
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff)
    Man,
    /// List the audit runs kept in a history folder (time, spec, rows, worst level, gate)
    History {
        dir: PathBuf,
        /// Print the list as JSON
        #[arg(long)]
        json: bool,
        /// Language of the text (default en)
        #[arg(long, value_enum)]
        lang: Option<LangArg>,
    },
    /// What changed between two audit reports, field by field and segment by segment
    Diff {
        old: PathBuf,
        new: PathBuf,
        /// Print the comparison as JSON
        #[arg(long)]
        json: bool,
        /// Also write the comparison as an HTML page here
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
        /// Language of the text (default en)
        #[arg(long, value_enum)]
        lang: Option<LangArg>,
    },
    /// Write every subject row's segment memberships, the data to collect, and (with --history)
    /// membership history
    Assign {
        spec: PathBuf,
        /// The assignment file: .parquet or .csv; its summary is written beside it as FILE.json
        #[arg(long, value_name = "FILE", default_value = "assignment.parquet")]
        out: PathBuf,
        /// Keep membership history in DIR/membership.parquet
        #[arg(long, value_name = "DIR")]
        history: Option<PathBuf>,
        /// Write even when a rule test fails (the exit code still says it failed)
        #[arg(long)]
        force: bool,
        /// Also write the summary as an HTML page (counts, data to collect, transitions)
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
        /// Assign with a variant in place of its segment's rule (repeatable)
        #[arg(long = "variant", value_name = "SEGMENT=VARIANT")]
        variants: Vec<String>,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Validate a spec without scanning data, then run its rule tests
    Check {
        spec: PathBuf,
        /// Print the SQL the audit would run
        #[arg(long)]
        show_sql: bool,
        /// Language of the errors (overrides [audit] lang)
        #[arg(long, value_enum)]
        lang: Option<LangArg>,
    },
}

/// `512M`, `4G`, `800K` or a plain number of bytes.
pub(crate) fn parse_size(text: &str) -> Result<usize, String> {
    let text = text.trim();
    let (digits, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => text.split_at(i),
        None => (text, ""),
    };
    let factor: usize = match unit
        .trim()
        .to_ascii_uppercase()
        .trim_end_matches("IB")
        .trim_end_matches('B')
    {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        "T" => 1 << 40,
        _ => return Err(format!("unknown unit `{unit}`: write e.g. 512M or 4G")),
    };
    digits
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(factor))
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("`{text}` is not a memory size: write e.g. 512M or 4G"))
}
