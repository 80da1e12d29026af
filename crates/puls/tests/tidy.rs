//! The project's own rules, checked over the whole workspace (rust-analyzer's `tidy` is
//! the model): every Rust file says what it is in a `//!` first line; the inner layers do
//! not depend, even indirectly, on the HTTP stack or the template engine; no code is kept
//! alive with `#[allow(dead_code)]`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/puls is two levels down")
        .to_path_buf()
}

/// Every `.rs` file under `dir`, skipping build output.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "target") {
                continue;
            }
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn crate_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    rust_files(&workspace_root().join("crates"), &mut files);
    assert!(files.len() > 50, "found only {} files", files.len());
    files
}

#[test]
fn every_rust_file_starts_with_a_module_doc() {
    let root = workspace_root();
    let undocumented: Vec<String> = crate_files()
        .into_iter()
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            !text.starts_with("//!")
        })
        .map(|f| f.strip_prefix(&root).unwrap_or(&f).display().to_string())
        .collect();
    assert!(
        undocumented.is_empty(),
        "these files do not start with a `//!` line saying what they are: {undocumented:#?}"
    );
}

#[test]
fn no_code_is_kept_alive_with_allow_dead_code() {
    let root = workspace_root();
    let found: Vec<String> = crate_files()
        .into_iter()
        .filter(|f| f.components().any(|c| c.as_os_str() == "src"))
        .flat_map(|f| {
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            let shown = f.strip_prefix(&root).unwrap_or(&f).display().to_string();
            text.lines()
                .enumerate()
                .filter(|(_, l)| l.replace(' ', "").contains("allow(dead_code"))
                .map(|(i, _)| format!("{shown}:{}", i + 1))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        found.is_empty(),
        "remove the unused code instead: {found:#?}"
    );
}

/// The packages `name` depends on through normal (not dev or build) dependencies, at any
/// depth, for this platform: what `cargo tree -p NAME -e normal` lists.
fn normal_dependencies(name: &str) -> BTreeSet<String> {
    let output = Command::new(env!("CARGO"))
        .args(["tree", "-p", name, "-e", "normal", "--prefix", "none"])
        .args(["--format", "{p}", "--offline"])
        .current_dir(workspace_root())
        .output()
        .expect("running cargo tree");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

#[test]
fn the_inner_layers_know_no_http_and_no_templates() {
    let forbidden = ["axum", "hyper", "tower", "tower-http", "minijinja"];
    // The check sees what it looks for: the edge has them all.
    let edge = normal_dependencies("puls-http");
    assert!(forbidden.iter().all(|f| edge.contains(*f)), "{edge:?}");
    for layer in ["puls-app", "puls-core", "puls-index", "puls-journey"] {
        let deps = normal_dependencies(layer);
        assert!(deps.len() > 3, "{layer}: {deps:?}");
        let wrong: Vec<&String> = deps
            .iter()
            .filter(|d| forbidden.contains(&d.as_str()))
            .collect();
        assert!(
            wrong.is_empty(),
            "{layer} depends on {wrong:?}: the HTTP edge and the HTML crate sit above it"
        );
    }
}
