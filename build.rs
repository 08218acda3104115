//! Builds the message catalogues into the binary: every key of `src/base/i18n/en.toml` becomes a
//! variant of `Key`, and every other catalogue must have exactly the same keys with the same `{…}`
//! placeholders — a missing or extra key, or a placeholder lost in translation, fails the build.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

const DIR: &str = "src/base/i18n";
/// The reference catalogue first; the order is `Lang`'s.
const LANGS: [&str; 3] = ["en", "fr", "pt"];

struct Entry {
    key: String,
    text: String,
    line: usize,
}

fn fail(message: String) -> ! {
    // A build script reports by exiting non-zero; the message is shown by cargo.
    eprintln!("error: {message}");
    std::process::exit(1)
}

/// A catalogue: `key = "text"` lines, `#` comments and blank lines (a TOML subset, so the files stay
/// readable by any TOML tool).
fn parse(path: &Path) -> Vec<Entry> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| fail(format!("{}: {e}", path.display())));
    let mut entries = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            fail(format!("{}:{}: expected `key = \"text\"`", path.display(), i + 1))
        };
        let (key, value) = (key.trim(), value.trim());
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
        {
            fail(format!(
                "{}:{}: key {key:?} must be lower-case letters, digits, `_` and `.`",
                path.display(),
                i + 1
            ));
        }
        let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) else {
            fail(format!(
                "{}:{}: the text must be one double-quoted line",
                path.display(),
                i + 1
            ))
        };
        entries.push(Entry {
            key: key.to_string(),
            text: unescape(inner).unwrap_or_else(|| fail(format!("{}:{}: bad escape", path.display(), i + 1))),
            line: i + 1,
        });
    }
    entries
}

fn unescape(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next()? {
            '"' => '"',
            '\\' => '\\',
            'n' => '\n',
            't' => '\t',
            _ => return None,
        });
    }
    Some(out)
}

/// The `{name}` placeholders of a text.
fn placeholders(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                out.insert(after[..end].to_string());
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    out
}

fn variant(key: &str) -> String {
    key.split(['.', '_'])
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn main() {
    println!("cargo::rerun-if-changed={DIR}");
    let catalogues: Vec<Vec<Entry>> = LANGS
        .iter()
        .map(|lang| {
            let path = Path::new(DIR).join(format!("{lang}.toml"));
            println!("cargo::rerun-if-changed={}", path.display());
            parse(&path)
        })
        .collect();
    let reference = &catalogues[0];
    let mut seen = BTreeSet::new();
    for entry in reference {
        if !seen.insert(entry.key.as_str()) {
            fail(format!(
                "{DIR}/en.toml:{}: key `{}` appears twice",
                entry.line, entry.key
            ));
        }
    }
    for (lang, catalogue) in LANGS.iter().zip(&catalogues).skip(1) {
        let keys: BTreeSet<&str> = catalogue.iter().map(|e| e.key.as_str()).collect();
        if let Some(missing) = seen.difference(&keys).next() {
            fail(format!(
                "{DIR}/{lang}.toml: key `{missing}` of en.toml is missing: translate it"
            ));
        }
        if let Some(extra) = keys.difference(&seen).next() {
            fail(format!(
                "{DIR}/{lang}.toml: key `{extra}` is not in en.toml: add it there or remove it"
            ));
        }
        if keys.len() != catalogue.len() {
            fail(format!("{DIR}/{lang}.toml: a key appears twice"));
        }
        for entry in catalogue {
            let Some(original) = reference.iter().find(|e| e.key == entry.key) else {
                continue;
            };
            if placeholders(&original.text) != placeholders(&entry.text) {
                fail(format!(
                    "{DIR}/{lang}.toml:{}: `{}` must use the placeholders {:?} of en.toml",
                    entry.line,
                    entry.key,
                    placeholders(&original.text)
                ));
            }
        }
    }
    let mut code = String::new();
    code.push_str("/// A message catalogue key (generated from en.toml by build.rs).\n");
    code.push_str("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]\npub enum Key {\n");
    for entry in reference {
        let _ = writeln!(
            code,
            "    /// {}\n    {},",
            entry.text.replace('\n', " "),
            variant(&entry.key)
        );
    }
    code.push_str("}\n\n");
    let _ = writeln!(
        code,
        "/// Every key, in catalogue order.\npub const KEYS: [Key; {}] = [",
        reference.len()
    );
    for entry in reference {
        let _ = writeln!(code, "    Key::{},", variant(&entry.key));
    }
    code.push_str("];\n\n");
    code.push_str("impl Key {\n    /// The key as written in the catalogues.\n    pub fn name(self) -> &'static str {\n        match self {\n");
    for entry in reference {
        let _ = writeln!(code, "            Key::{} => {:?},", variant(&entry.key), entry.key);
    }
    code.push_str("        }\n    }\n}\n\n");
    for (lang, catalogue) in LANGS.iter().zip(&catalogues) {
        let _ = writeln!(
            code,
            "/// The `{lang}` catalogue, in key order.\nstatic {}: [&str; {}] = [",
            lang.to_uppercase(),
            reference.len()
        );
        for original in reference {
            let text = catalogue
                .iter()
                .find(|e| e.key == original.key)
                .map_or("", |e| e.text.as_str());
            let _ = writeln!(code, "    {text:?},");
        }
        code.push_str("];\n\n");
    }
    let out = std::env::var("OUT_DIR").unwrap_or_else(|e| fail(format!("OUT_DIR: {e}")));
    std::fs::write(Path::new(&out).join("i18n_catalogues.rs"), code)
        .unwrap_or_else(|e| fail(format!("writing the catalogues: {e}")));
}
