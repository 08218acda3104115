//! The command line: parses arguments, calls the library, prints, and maps outcomes to exit codes
//! (0 passed, 1 gate or rule test failed, 2 could not do the job).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

mod cli;
use cli::args::{CatalogFormatArg, Cli, Command, FailOnArg, LangArg, Output};
use cli::progress::Progress;
use segaudit::report::render::{catalog, html, json, terminal};
use segaudit::Lang;
use segaudit::RunOptions;
use segaudit::{AuditOptions, Error, Report};
use segaudit::{FailOn, Level};

/// Prints to stdout. A reader that stops early (`segaudit audit … | head`) closes the pipe: the rest
/// of the summary is dropped instead of panicking, and the exit code still says how the audit went.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}

/// [`out!`] with a newline.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

fn options(output: &Output, fail_on: Option<FailOnArg>) -> AuditOptions {
    AuditOptions {
        run: RunOptions {
            exact: output.exact,
            ..output.run.options()
        },
        lang: output.run.lang.map(LangArg::lang),
        fail_on: fail_on.map(|f| match f {
            FailOnArg::Never => FailOn::Never,
            FailOnArg::Warn => FailOn::At(Level::Warn),
            FailOnArg::High => FailOn::At(Level::High),
            FailOnArg::Critical => FailOn::At(Level::Critical),
        }),
        generated_at: segaudit::now_rfc3339(),
        tool_version: segaudit::TOOL_VERSION.to_string(),
        history: None,
    }
}

fn print_sql(report: &Report) {
    for statement in &report.sql {
        outln!("-- {}\n{};\n", statement.purpose, statement.sql);
    }
}

fn json_path(output: &Output, default_name: &str) -> PathBuf {
    output.json.clone().unwrap_or_else(|| output.out.join(default_name))
}

fn run(cli: Cli) -> Result<ExitCode, Error> {
    match cli.command {
        Command::Audit {
            spec,
            output,
            fail_on,
            history,
        } => {
            let path = json_path(&output, "audit.json");
            let html_path = output.html.clone().unwrap_or_else(|| output.out.join("report.html"));
            let progress = Progress::start("auditing", output.run.quiet);
            let audit_options = AuditOptions {
                history,
                ..options(&output, fail_on)
            };
            let files = segaudit::ReportFiles {
                json: &path,
                html: &html_path,
            };
            let report = segaudit::run_audit_writing(&spec, &audit_options, Some(files));
            drop(progress);
            let report = report?;
            if output.run.show_sql {
                print_sql(&report);
            }
            if !output.run.quiet {
                out!("{}", terminal::render(&report));
                let (json_shown, html_shown) = (path.display().to_string(), html_path.display().to_string());
                out!("{}", terminal::written(report.lang, &json_shown, &html_shown));
            }
            Ok(if report.gate.passed {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Profile {
            data,
            table,
            password_env,
            output,
        } => {
            let db = segaudit::UrlArgs {
                table: table.as_deref(),
                password_env: password_env.as_deref(),
            };
            let json_out = json_path(&output, "profile.json");
            let html_outs: Vec<PathBuf> = match &output.html {
                Some(p) if data.len() == 1 => vec![p.clone()],
                _ if data.len() == 1 => vec![output.out.join("profile.html")],
                _ => (1..=data.len())
                    .map(|i| output.out.join(format!("profile-{i}.html")))
                    .collect(),
            };
            let mut outs: Vec<&Path> = vec![&json_out];
            outs.extend(html_outs.iter().map(PathBuf::as_path));
            segaudit::guard_profile_outputs(&data, db, &outs)?;
            let progress = Progress::start("profiling", output.run.quiet);
            let reports = segaudit::run_profile(&data, &options(&output, Some(FailOnArg::Never)), db);
            drop(progress);
            let reports = reports?;
            let path = json_path(&output, "profile.json");
            let body = if reports.len() == 1 {
                json::to_string(&reports[0])?
            } else {
                serde_json::to_string_pretty(&reports).map_err(|e| Error::new(e.to_string()))?
            };
            segaudit::write_atomically(&path, format!("{body}\n").as_bytes())?;
            let mut html_paths = Vec::new();
            for (i, report) in reports.iter().enumerate() {
                let name = if reports.len() == 1 {
                    "profile.html".to_string()
                } else {
                    format!("profile-{}.html", i + 1)
                };
                let html_path = match &output.html {
                    Some(p) if reports.len() == 1 => p.clone(),
                    _ => output.out.join(name),
                };
                html::write(report, &html_path)?;
                html_paths.push(html_path.display().to_string());
            }
            for report in &reports {
                if output.run.show_sql {
                    print_sql(report);
                }
                if !output.run.quiet {
                    out!("{}", terminal::render(report));
                }
            }
            if let (false, Some(first)) = (output.run.quiet, reports.first()) {
                let json_shown = path.display().to_string();
                out!("{}", terminal::written(first.lang, &json_shown, &html_paths.join(", ")));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { spec, show_sql, .. } => check(&spec, show_sql),
        Command::History { dir, json, lang } => {
            let lang = lang.map_or(Lang::En, LangArg::lang);
            let listing = segaudit::history_list(&dir)?;
            if json {
                let text = serde_json::to_string_pretty(&listing).map_err(|e| Error::new(e.to_string()))?;
                outln!("{text}");
            } else {
                out!("{}", segaudit::render_history(&listing, lang));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Diff {
            old,
            new,
            json,
            html,
            lang,
        } => {
            let lang = lang.map_or(Lang::En, LangArg::lang);
            let diff = segaudit::diff(&old, &new, lang)?;
            if let Some(path) = &html {
                segaudit::write_atomically(path, segaudit::render_diff_html(&diff).as_bytes())?;
            }
            if json {
                let text = serde_json::to_string_pretty(&diff).map_err(|e| Error::new(e.to_string()))?;
                outln!("{text}");
            } else {
                out!("{}", segaudit::render_diff(&diff));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Assign {
            spec,
            out,
            history,
            force,
            html,
            variants,
            run,
        } => {
            let options = segaudit::AssignOptions {
                run: run.options(),
                out,
                history,
                html,
                force,
                variants,
                lang: run.lang.map(LangArg::lang),
                run_time: segaudit::now_rfc3339(),
                tool_version: segaudit::TOOL_VERSION.to_string(),
            };
            let progress = Progress::start("assigning", run.quiet);
            let outcome = segaudit::run_assign(&spec, &options);
            drop(progress);
            assign_outcome(outcome?, &options, run.show_sql, run.quiet)
        }
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "segaudit", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            clap_mangen::Man::new(Cli::command())
                .render(&mut std::io::stdout())
                .map_err(|e| Error::new(format!("writing the man page: {e}")))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Catalog {
            spec,
            history,
            format,
            out,
            lang,
        } => {
            let options = segaudit::CatalogOptions {
                history,
                lang: lang.map(LangArg::lang),
                tool_version: segaudit::TOOL_VERSION.to_string(),
                generated_at: segaudit::now_rfc3339(),
            };
            let catalog = segaudit::run_catalog(&spec, &options)?;
            let extension = out
                .as_ref()
                .and_then(|p| p.extension())
                .map(|e| e.to_string_lossy().to_lowercase());
            let text = match (format, extension.as_deref()) {
                (Some(CatalogFormatArg::Csv), _) | (None, Some("csv")) => catalog::csv(&catalog)?,
                (Some(CatalogFormatArg::Json), _) | (None, Some("json")) => catalog::json(&catalog)?,
                _ => catalog::html(&catalog)?,
            };
            write_or_print(out.as_deref(), &text)
        }
        Command::Contract { spec, out } => {
            let text = segaudit::run_contract(&spec, out.as_deref())?;
            write_or_print(out.as_deref(), &text)
        }
        Command::Init {
            from_odcs: Some(document),
            out,
            ..
        } => {
            let text = segaudit::run_init_from_odcs(&document, out.as_deref())?;
            write_or_print(out.as_deref(), &text)
        }
        Command::Init {
            data,
            table,
            password_env,
            out,
            from_odcs: None,
        } => {
            let text = segaudit::run_init(&data, table.as_deref(), out.as_deref(), password_env.as_deref())?;
            match out {
                Some(path) => {
                    segaudit::write_atomically(&path, text.as_bytes())?;
                    eprintln!("wrote {}; next: segaudit check {}", path.display(), path.display());
                }
                None => out!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Writes `text` to `out`, or prints it.
fn write_or_print(out: Option<&Path>, text: &str) -> Result<ExitCode, Error> {
    match out {
        Some(path) => segaudit::write_atomically(path, text.as_bytes())?,
        None => out!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}

fn assign_outcome(
    outcome: segaudit::AssignOutcome,
    options: &segaudit::AssignOptions,
    show_sql: bool,
    quiet: bool,
) -> Result<ExitCode, Error> {
    let tests = &outcome.summary.tests;
    for test in tests.iter().filter(|t| !t.passed) {
        print_failed_test(test);
    }
    let gate_failed = outcome.summary.gate.as_ref().is_some_and(|g| !g.passed);
    let failed = tests.iter().any(|t| !t.passed) || gate_failed;
    if let Some(why) = segaudit::render_assign_refusal(&outcome.summary) {
        eprintln!("{why}");
    }
    if !outcome.written {
        return Ok(ExitCode::from(1));
    }
    if show_sql {
        for statement in &outcome.statements {
            outln!("{statement};\n");
        }
    }
    if !quiet {
        out!("{}", segaudit::render_assign_summary(&outcome.summary));
        outln!(
            "assignment: {}\nsummary: {}",
            options.out.display(),
            outcome.summary_path.display()
        );
    }
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn print_failed_test(test: &segaudit::report::TestResult) {
    outln!("test \"{}\": FAILED", test.name);
    let row: Vec<String> = test.row.iter().map(|(k, v)| format!("{k} = {v:?}")).collect();
    outln!("  row: {{ {} }}", row.join(", "));
    outln!(
        "  expected: [{}]  actual: [{}]",
        test.expected.join(", "),
        test.actual.join(", ")
    );
    if !test.expected_undetermined.is_empty() || !test.actual_undetermined.is_empty() {
        outln!(
            "  undetermined expected: [{}]  actual: [{}]",
            test.expected_undetermined.join(", "),
            test.actual_undetermined.join(", ")
        );
    }
    for e in &test.evaluations {
        let word = |v: Option<bool>| match v {
            Some(true) => "TRUE",
            Some(false) => "FALSE",
            None => "NULL",
        };
        let inputs: Vec<String> = e
            .inputs
            .iter()
            .map(|(k, v)| format!("{k} = {}", v.as_deref().unwrap_or("NULL")))
            .collect();
        outln!(
            "  {}: population {}, rule {}  ({})",
            e.segment,
            word(e.population),
            word(e.rule),
            inputs.join(", ")
        );
    }
}

fn check(spec_path: &Path, show_sql: bool) -> Result<ExitCode, Error> {
    let (spec, outcome) = segaudit::run_check(spec_path, RunOptions::default())?;
    if show_sql {
        for statement in &outcome.statements {
            outln!("-- {}\n{};\n", statement.purpose, statement.sql);
        }
    }
    outln!(
        "{}: spec is valid ({} sources, {} views, {} fields, {} segments, {} segmentations)",
        spec_path.display(),
        spec.sources.len(),
        spec.views.len(),
        spec.fields.len(),
        spec.segments.len(),
        spec.segmentations.len()
    );
    let mut failed = 0;
    for test in &outcome.tests {
        if test.passed {
            outln!("test \"{}\": passed", test.name);
            continue;
        }
        failed += 1;
        print_failed_test(test);
    }
    if !outcome.tests.is_empty() {
        outln!("{} passed, {failed} failed", outcome.tests.len() - failed);
    }
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The language errors are written in: `--lang`, else the spec's `[audit] lang` (read even from a
/// spec that does not validate), else English.
fn error_lang(command: &Command) -> Lang {
    let (lang, spec) = match command {
        Command::Audit { spec, output, .. } => (output.run.lang, Some(spec)),
        Command::Assign { spec, run, .. } => (run.lang, Some(spec)),
        Command::Check { spec, lang, .. } | Command::Catalog { spec, lang, .. } => (*lang, Some(spec)),
        Command::Contract { spec, .. } => (None, Some(spec)),
        Command::Profile { output, .. } => (output.run.lang, None),
        Command::History { lang, .. } | Command::Diff { lang, .. } => (*lang, None),
        Command::Init { .. } | Command::Completions { .. } | Command::Man => (None, None),
    };
    lang.map(LangArg::lang)
        .or_else(|| spec.and_then(|s| segaudit::spec::lang_hint(s)))
        .unwrap_or(Lang::En)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let lang = error_lang(&cli.command);
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{}", e.render(lang));
            ExitCode::from(2)
        }
    }
}
