//! The HTML report: golden file of the demo, no external URL, escaping, and a headless Chromium load.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{fixture, Case};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Audits the demo from the repository root (so paths print as in the README) into `out`.
pub fn demo_report(out: &Path, lang: &str) -> String {
    let html = out.join(format!("report-{lang}.html"));
    let status = Command::new(env!("CARGO_BIN_EXE_segaudit"))
        .args([
            "audit",
            "checks/demo.toml",
            "--quiet",
            "--threads",
            "1",
            "--lang",
            lang,
            "--out",
        ])
        .arg(out)
        .arg("--html")
        .arg(&html)
        .current_dir(ROOT)
        .env("SOURCE_DATE_EPOCH", "1790000000")
        .status()
        .expect("run segaudit");
    assert!(status.success(), "demo audit failed");
    std::fs::read_to_string(html).expect("report written")
}

#[test]
fn demo_report_matches_the_golden_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let html = demo_report(dir.path(), "fr").replace(segaudit::TOOL_VERSION, "[version]");
    insta::assert_snapshot!("demo_report_fr", html);
}

/// Every `src=`, `href=`, `url(` and `@import` target in the page.
fn link_targets(html: &str) -> Vec<String> {
    let mut targets = Vec::new();
    for marker in ["src=\"", "src='", "href=\"", "href='", "url(", "@import"] {
        for (at, _) in html.match_indices(marker) {
            let rest = html[at + marker.len()..].trim_start_matches([' ', '"', '\'']);
            targets.push(rest.chars().take(12).collect());
        }
    }
    targets
}

#[test]
fn report_has_no_external_url() {
    let dir = tempfile::tempdir().expect("temp dir");
    for lang in ["en", "fr"] {
        let html = demo_report(dir.path(), lang);
        for target in link_targets(&html) {
            assert!(
                !(target.starts_with("http:") || target.starts_with("https:") || target.starts_with("//")),
                "external reference {target:?}"
            );
        }
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "a URL is in the report"
        );
    }
}

#[test]
fn data_and_labels_are_escaped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("evil.csv");
    std::fs::write(
        &data,
        "id,name\n1,<script>alert(1)</script>\n2,\"\"\"><img src=x onerror=alert(1)>\"\n",
    )
    .expect("write data");
    let spec = format!(
        "[audit]\ntitle = \"<script>alert(1)</script>\"\n[source.c]\npath = \"{}\"\n[subject]\ntable = \"c\"\n[report]\nmin_count = 1\n[segment.s]\nlabel = '\"><img src=x onerror=alert(1)>'\nrule = \"name IS NOT NULL\"\n",
        data.display()
    );
    let case = Case::new(&spec);
    let run = case.audit(&["--fail-on", "never"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = std::fs::read_to_string(case.path("out/report.html")).expect("report");
    assert!(!html.contains("<script>alert(1)"), "raw script from data or spec");
    assert!(!html.contains("<img src=x"), "raw img from data or spec");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;")
            || html.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
    );
    assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
}

/// The first of `names` on the PATH.
pub fn program(names: &[&str]) -> Option<PathBuf> {
    names.iter().find_map(|name| {
        let out = Command::new("which").arg(name).output().ok()?;
        let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
        (out.status.success() && !path.is_empty()).then(|| PathBuf::from(path))
    })
}

pub fn chromium() -> Option<PathBuf> {
    program(&["chromium", "chromium-browser", "google-chrome"])
}

/// Headless Chromium with a fresh profile in `profile` and the flags this closed network needs
/// (no background connection, no component update, no sync).
pub fn headless(browser: &Path, profile: &Path) -> Command {
    let mut command = Command::new(browser);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
        ])
        .args([
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()));
    command
}

#[test]
fn chromium_loads_the_report_without_console_errors() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have Chromium (.ci/run installs it)"
        );
        eprintln!("skipped: no Chromium on this machine (install the `chromium` package)");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    for lang in ["fr", "en"] {
        demo_report(dir.path(), lang);
        let page = dir.path().join(format!("report-{lang}.html"));
        let shot = dir.path().join(format!("report-{lang}.png"));
        let output = headless(&browser, &dir.path().join("profile"))
            .args(["--enable-logging=stderr", "--v=0", "--window-size=1280,3000"])
            .arg(format!("--screenshot={}", shot.display()))
            .arg(format!("file://{}", page.display()))
            .output()
            .expect("run chromium");
        let log = String::from_utf8_lossy(&output.stderr);
        let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
        assert!(console.is_empty(), "console messages: {console:?}");
        let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
        assert!(size > 10_000, "no screenshot ({size} bytes); chromium said:\n{log}");
        if let Ok(keep) = std::env::var("SEGAUDIT_SCREENSHOTS") {
            let _ = std::fs::copy(&shot, Path::new(&keep).join(format!("report-{lang}.png")));
        }
    }
    let _ = fixture("demo");
}

#[test]
fn demo_terminal_summary_matches_the_golden_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = Command::new(env!("CARGO_BIN_EXE_segaudit"))
        .args(["audit", "checks/demo.toml", "--threads", "1", "--out"])
        .arg(dir.path())
        .current_dir(ROOT)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1790000000")
        .output()
        .expect("run segaudit");
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout).replace(&dir.path().display().to_string(), "[out]");
    for line in text.lines() {
        assert!(
            line.chars().count() <= 100 || !line.contains('│'),
            "table line wider than 100: {line}"
        );
    }
    insta::assert_snapshot!("demo_terminal_fr", text);
}
