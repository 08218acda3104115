//! The report speaks the language asked for: a French audit prints no English sentence, a
//! Portuguese one is Portuguese, in the terminal and in the HTML.

use std::collections::BTreeSet;
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
        .collect()
}

/// The words of a catalogue's texts (not its keys).
fn catalogue_words(lang: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(format!("{ROOT}/src/base/i18n/{lang}.toml")).unwrap();
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once('=').map(|(_, v)| v.to_string()))
        // Placeholders are names, not words.
        .map(|v| {
            let mut out = String::new();
            let mut depth = 0;
            for c in v.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ if depth == 0 => out.push(c),
                    _ => {}
                }
            }
            out
        })
        .flat_map(|v| words(&v))
        .collect()
}

/// The words of every name, id and data value in a JSON report (not of its messages).
fn collect_identifiers(value: &serde_json::Value, out: &mut BTreeSet<String>) {
    const NAMES: [&str; 11] = [
        "name", "id", "table", "value", "by", "field", "segment", "a", "b", "label", "title",
    ];
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                match v {
                    serde_json::Value::String(text) if NAMES.contains(&key.as_str()) => out.extend(words(text)),
                    _ => collect_identifiers(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_identifiers(v, out)),
        _ => {}
    }
}

fn demo(lang: &str, out: &std::path::Path) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_segaudit"))
        .args([
            "audit",
            "checks/demo.toml",
            "--fail-on",
            "never",
            "--lang",
            lang,
            "--out",
        ])
        .arg(out)
        .current_dir(ROOT)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn a_french_audit_prints_no_english_word() {
    let dir = tempfile::tempdir().unwrap();
    let stdout = demo("fr", dir.path());
    // English-only words: in the English catalogue and not in the French one ("segment",
    // "population" or "type" are words of both).
    let english: BTreeSet<String> = catalogue_words("en")
        .difference(&catalogue_words("fr"))
        .cloned()
        .collect();
    // Codes, identifiers and data values are not sentences: the names of fields, segments and
    // tables, and the values of the data, stay as they are.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("audit.json")).unwrap()).unwrap();
    let mut identifiers = BTreeSet::new();
    collect_identifiers(&json, &mut identifiers);
    // Type names (`boolean`, the report's `type` column) are spec values, like the codes.
    identifiers.extend(
        ["string", "integer", "float", "boolean", "date", "timestamp"]
            .iter()
            .map(|t| t.to_string()),
    );
    let leaked: Vec<String> = stdout
        .lines()
        .map(|line| {
            // `[critique] field.usability: …`: the finding code is an identifier.
            line.split_once("] ")
                .and_then(|(_, rest)| rest.split_once(": ").map(|(_, m)| m.to_string()))
                .unwrap_or_else(|| line.to_string())
        })
        // Paths (`…/report.html`) are names, not sentences.
        .map(|line| {
            line.split_whitespace()
                .filter(|t| !t.contains('/'))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .flat_map(|line| words(&line))
        .filter(|w| english.contains(w) && !identifiers.contains(w))
        .collect();
    assert!(
        leaked.is_empty(),
        "English words in a French audit: {leaked:?}\n{stdout}"
    );
    assert!(stdout.contains("rapport JSON"), "{stdout}");
}

#[test]
fn a_portuguese_audit_is_portuguese_in_the_terminal_and_the_html() {
    let dir = tempfile::tempdir().unwrap();
    let stdout = demo("pt", dir.path());
    // A level word is masculine ("crítico"): the sentence says "de nível crítico", never
    // "a pior constatação é crítico".
    assert!(stdout.contains("a constatação mais grave é de nível"), "{stdout}");
    for expected in ["constatações", "linhas", "relatório HTML", "chaves duplicadas"] {
        assert!(stdout.contains(expected), "no {expected:?} in:\n{stdout}");
    }
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("<html lang=\"pt\">"));
    assert!(html.contains("utilizabilidade"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("audit.json")).unwrap()).unwrap();
    assert_eq!(json["lang"], "pt");
    let message = json["findings"][0]["message"].as_str().unwrap();
    assert!(message.contains("não está no sujeito"), "{message}");
}
