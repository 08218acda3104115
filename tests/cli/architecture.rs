//! The house rule of docs/architecture.md, checked on the sources: a module imports only from its own
//! stage or an earlier one, and no two modules import each other in a cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const STAGES: [&str; 9] = [
    "base", "spec", "input", "engine", "measure", "judge", "report", "history", "commands",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/engine/udf/mod.rs` → `engine::udf`.
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap().with_extension("");
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .filter(|p| p != "mod")
        .collect();
    parts.join("::")
}

/// The path (`a::b::C`) that starts the text, or each path of a `{a::B, c}` group, with the prefix.
fn paths_after(rest: &str, prefix: &[String]) -> Vec<Vec<String>> {
    let is_path = |c: char| c.is_alphanumeric() || c == '_' || c == ':';
    let head: String = rest.chars().take_while(|c| is_path(*c)).collect();
    let mut parts: Vec<String> = prefix.to_vec();
    parts.extend(head.split("::").filter(|p| !p.is_empty()).map(str::to_string));
    let after = &rest[head.len()..];
    if !after.starts_with('{') {
        return vec![parts];
    }
    let Some(close) = after.find('}') else {
        return vec![parts];
    };
    after[1..close]
        .split(',')
        .map(|item| {
            let mut full = parts.clone();
            full.extend(item.trim().split("::").filter(|p| !p.is_empty()).map(str::to_string));
            full
        })
        .collect()
}

/// Every `crate::…`, `super::…` and `self::…` path in the text of `module`, resolved to the longest
/// known module it names: `super::sketch::TopCounts` in `engine::udf::overflow` is `engine::udf::sketch`.
fn imports(module: &str, text: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let own: Vec<String> = module.split("::").map(str::to_string).collect();
    let mut out = BTreeSet::new();
    for (i, _) in text.match_indices("::") {
        // The first segment of a path: `crate`, `self` or one or more `super`.
        let before = &text[..i];
        let start = before
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .map_or(0, |p| p + 1);
        if text[start..].starts_with("::") || before[start..].contains("::") {
            continue;
        }
        let base: Vec<String> = match &before[start..] {
            "crate" => Vec::new(),
            "self" => own.clone(),
            "super" => {
                // `super::super::x`: climb once per `super`.
                let mut rest = &text[i + 2..];
                let mut up = 1;
                while let Some(next) = rest.strip_prefix("super::") {
                    up += 1;
                    rest = next;
                }
                let keep = own.len().saturating_sub(up);
                for parts in paths_after(rest, &own[..keep]) {
                    insert_longest(&parts, modules, &mut out);
                }
                continue;
            }
            _ => continue,
        };
        for parts in paths_after(&text[i + 2..], &base) {
            insert_longest(&parts, modules, &mut out);
        }
    }
    out
}

fn insert_longest(parts: &[String], modules: &BTreeSet<String>, out: &mut BTreeSet<String>) {
    if let Some(found) = (1..=parts.len())
        .rev()
        .map(|n| parts[..n].join("::"))
        .find(|m| modules.contains(m))
    {
        out.insert(found);
    }
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(&src, f)).collect();
    files
        .iter()
        .map(|f| {
            let module = module_of(&src, f);
            let text = std::fs::read_to_string(f).unwrap();
            // A file's test module sits one level down: its `super::` is the file itself.
            let (code, tests) = text.split_at(text.find("#[cfg(test)]\nmod tests").unwrap_or(text.len()));
            let mut used = imports(&module, code, &modules);
            used.extend(imports(&format!("{module}::tests"), tests, &modules));
            used.remove(&module);
            (module, used)
        })
        .collect()
}

fn stage(module: &str) -> Option<usize> {
    let top = module.split("::").next()?;
    STAGES.iter().position(|s| *s == top)
}

#[test]
fn every_module_lives_in_a_stage() {
    for module in graph().keys() {
        assert!(
            // `cli/` is the binary's own (arguments, spinner): only `main.rs` declares it.
            stage(module).is_some() || module == "lib" || module == "main" || module.split("::").next() == Some("cli"),
            "src module `{module}` is in no stage folder ({STAGES:?}): move it, and update docs/architecture.md"
        );
    }
}

#[test]
fn imports_point_one_way() {
    let mut backward = Vec::new();
    for (module, used) in graph() {
        let Some(own) = stage(&module) else { continue };
        for target in used {
            if stage(&target).is_some_and(|t| t > own) {
                backward.push(format!("{module} imports {target}"));
            }
        }
    }
    assert!(
        backward.is_empty(),
        "imports from a later stage:\n{}",
        backward.join("\n")
    );
}

#[test]
fn no_import_cycle() {
    let graph = graph();
    // Depth-first search with colours: grey = on the current path.
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        colour: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        colour.insert(node.to_string(), 1);
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            // A parent module declaring its child is not an import.
            if next.starts_with(&format!("{node}::")) || node.starts_with(&format!("{next}::")) {
                continue;
            }
            match colour.get(next.as_str()) {
                Some(1) => {
                    let start = path.iter().position(|p| p == next).unwrap_or(0);
                    let mut cycle = path[start..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Some(_) => {}
                None => {
                    if let Some(cycle) = visit(next, graph, colour, path) {
                        return Some(cycle);
                    }
                }
            }
        }
        path.pop();
        colour.insert(node.to_string(), 2);
        None
    }
    let mut colour = BTreeMap::new();
    let mut cycles = Vec::new();
    for node in graph.keys() {
        if !colour.contains_key(node) {
            if let Some(cycle) = visit(node, &graph, &mut colour, &mut Vec::new()) {
                cycles.push(cycle.join(" → "));
            }
        }
    }
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_checker_sees_a_backward_import() {
    // The rule above must be able to fail: a measure module naming the report is caught.
    let modules: BTreeSet<String> = ["measure::profile", "report"].iter().map(|s| s.to_string()).collect();
    let used = imports("measure::profile", "use crate::report::FieldProfile;", &modules);
    assert!(used.contains("report"));
    assert!(stage("report") > stage("measure::profile"));
}

#[test]
fn the_checker_follows_super_and_self() {
    // A sibling reached through `super::` is an import, one path or a `{…}` group alike.
    let modules: BTreeSet<String> = [
        "engine::udf",
        "engine::udf::profile",
        "engine::udf::overflow",
        "engine::udf::sketch",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let used = imports(
        "engine::udf::overflow",
        "use super::{sketch::TopCounts, kind};\nlet x = super::profile::judge(r);",
        &modules,
    );
    let expected: BTreeSet<String> = ["engine::udf", "engine::udf::profile", "engine::udf::sketch"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(used, expected);
    let own = imports("engine::udf", "use self::profile::Profile;", &modules);
    assert!(own.contains("engine::udf::profile"));
}
