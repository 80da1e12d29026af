//! Generates `Text`, the typed keys of `texts.toml`, and the list of embedded templates; and
//! fails the build when a text lacks a language or a template names a text that does not
//! exist.
//!
//! Rust code names texts as `Text::SignedInAs`, so a missing key does not compile there;
//! templates name them as `{{ t.signed_in_as }}`, and this script checks every such name
//! against the table, so a missing key does not build there either. A text chosen at run time
//! is a `Text` value in the page's context (`{{ t[notice] }}`), which exists by construction.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const LANGS: [&str; 3] = ["en", "pl", "cs"];

fn main() {
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it"));
    println!("cargo:rerun-if-changed=texts.toml");
    println!("cargo:rerun-if-changed=templates");

    let texts = read_texts(&dir.join("texts.toml"));
    let templates = template_files(&dir.join("templates"));
    for path in &templates {
        check_template(&dir, path, &texts);
    }
    write(&out.join("texts.rs"), &texts_rs(&texts));
    write(&out.join("templates.rs"), &templates_rs(&dir, &templates));
}

fn write(path: &Path, content: &str) {
    std::fs::write(path, content).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

/// One row of the table: the key, its line in `texts.toml`, and the texts in `LANGS` order.
struct Row {
    key: String,
    line: usize,
    texts: [String; 3],
}

fn line_of(source: &str, offset: usize) -> usize {
    source[..offset].matches('\n').count() + 1
}

/// The `{0}`, `{1}`... a text takes.
fn args(s: &str) -> Vec<usize> {
    let mut v: Vec<usize> = (0..10)
        .filter(|i| s.contains(&format!("{{{i}}}")))
        .collect();
    v.dedup();
    v
}

fn read_texts(path: &Path) -> Vec<Row> {
    let source =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let table: toml::Table = source
        .parse()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let file = "crates/puls-html/texts.toml";
    let mut rows = Vec::new();
    for (key, value) in table {
        let line = source
            .find(&format!("\n[{key}]"))
            .map_or(0, |at| line_of(&source, at + 1));
        let at = format!("{file}:{line}: [{key}]");
        let valid = key.starts_with(|c: char| c.is_ascii_lowercase())
            && key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        assert!(valid, "{at}: keys are snake_case: a-z, 0-9 and _");
        let toml::Value::Table(langs) = value else {
            panic!("{at}: a key is a table of en, pl and cs");
        };
        for lang in langs.keys() {
            assert!(
                LANGS.contains(&lang.as_str()),
                "{at}: '{lang}' is not one of en, pl, cs"
            );
        }
        let texts = LANGS.map(|lang| match langs.get(lang) {
            Some(toml::Value::String(s)) if !s.trim().is_empty() => s.clone(),
            Some(_) => panic!("{at}: '{lang}' must be a text that is not empty"),
            None => panic!("{at}: the '{lang}' text is missing"),
        });
        for (lang, text) in LANGS.iter().zip(&texts).skip(1) {
            assert!(
                args(text) == args(&texts[0]),
                "{at}: '{lang}' takes other {{0}} arguments than 'en'"
            );
        }
        rows.push(Row { key, line, texts });
    }
    rows
}

/// `signed_in_as` → `SignedInAs`.
fn variant(key: &str) -> String {
    key.split('_')
        .map(|part| {
            let mut c = part.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn texts_rs(rows: &[Row]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "/// A text of Puls's pages, in every language (the keys of `texts.toml`).\n\
         #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]\n\
         pub enum Text {{"
    );
    for r in rows {
        let _ = writeln!(s, "    /// {:?} (`texts.toml` line {})", r.texts[0], r.line);
        let _ = writeln!(s, "    {},", variant(&r.key));
    }
    let _ = writeln!(s, "}}\n\nimpl Text {{");
    let _ = writeln!(
        s,
        "    /// Every text.\n    pub const ALL: [Text; {}] = [",
        rows.len()
    );
    for r in rows {
        let _ = writeln!(s, "        Text::{},", variant(&r.key));
    }
    let _ = writeln!(s, "    ];\n");
    let _ = writeln!(
        s,
        "    /// The key templates name it by (`{{{{ t.key }}}}`).\n    pub const fn key(self) -> &'static str {{\n        match self {{"
    );
    for r in rows {
        let _ = writeln!(s, "            Text::{} => {:?},", variant(&r.key), r.key);
    }
    let _ = writeln!(s, "        }}\n    }}\n");
    let _ = writeln!(
        s,
        "    /// The text of a key, if there is one.\n    pub fn from_key(key: &str) -> Option<Text> {{\n        Some(match key {{"
    );
    for r in rows {
        let _ = writeln!(s, "            {:?} => Text::{},", r.key, variant(&r.key));
    }
    let _ = writeln!(s, "            _ => return None,\n        }})\n    }}\n");
    let _ = writeln!(
        s,
        "    /// The texts in English, Polish and Czech.\n    const fn texts(self) -> [&'static str; 3] {{\n        match self {{"
    );
    for r in rows {
        let _ = writeln!(
            s,
            "            Text::{} => [{:?}, {:?}, {:?}],",
            variant(&r.key),
            r.texts[0],
            r.texts[1],
            r.texts[2]
        );
    }
    let _ = writeln!(s, "        }}\n    }}\n}}");
    s
}

/// Every file under `templates/`, sorted.
fn template_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let entries =
            std::fs::read_dir(&d).unwrap_or_else(|e| panic!("reading {}: {e}", d.display()));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                todo.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The template's name: its path under `templates/`, with `/`.
fn template_name(dir: &Path, path: &Path) -> String {
    let rel = path
        .strip_prefix(dir.join("templates"))
        .expect("under templates/");
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn templates_rs(dir: &Path, files: &[PathBuf]) -> String {
    let mut s = String::from(
        "/// Every template, by name (its path under `templates/`), embedded in the binary.\n\
         const TEMPLATES: &[(&str, &str)] = &[\n",
    );
    for path in files {
        let _ = writeln!(
            s,
            "    ({:?}, include_str!({:?})),",
            template_name(dir, path),
            path.display().to_string()
        );
    }
    s.push_str("];\n");
    s
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Checks every text a template names: `t.key` and `t["key"]` must be keys of the table;
/// `t[name]` reads a `Text` from the page's context, which exists by construction; a key
/// put together in the template (`t["status_" ~ s]`) could name anything and is refused.
fn check_template(dir: &Path, path: &Path, rows: &[Row]) {
    let source =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let keys: BTreeMap<&str, ()> = rows.iter().map(|r| (r.key.as_str(), ())).collect();
    let file = format!("crates/puls-html/templates/{}", template_name(dir, path));
    let mut at = 0;
    // Only inside `{{ }}` and `{% %}`: the rest is markup and CSS.
    while let Some(open) = source[at..].find(['{']).map(|i| at + i) {
        let close = match source.get(open..open + 2) {
            Some("{{") => "}}",
            Some("{%") => "%}",
            _ => {
                at = open + 1;
                continue;
            }
        };
        let end = source[open..]
            .find(close)
            .map_or(source.len(), |i| open + i);
        check_block(&source, open, end, &file, &keys);
        at = end;
    }
}

fn check_block(source: &str, start: usize, end: usize, file: &str, keys: &BTreeMap<&str, ()>) {
    let block = &source[start..end];
    let chars: Vec<(usize, char)> = block.char_indices().collect();
    for (n, &(i, c)) in chars.iter().enumerate() {
        let before = n.checked_sub(1).map(|p| chars[p].1);
        if c != 't' || before.is_some_and(|b| is_ident(b) || b == '.') {
            continue;
        }
        let rest = &block[i + 1..];
        let at = || format!("{file}:{}", line_of(source, start + i));
        if let Some(name) = rest.strip_prefix('.') {
            let key: String = name.chars().take_while(|c| is_ident(*c)).collect();
            assert!(
                keys.contains_key(key.as_str()),
                "{}: the text `t.{key}` is not in texts.toml",
                at()
            );
        } else if let Some(inner) = rest.strip_prefix('[') {
            let inner = &inner[..inner.find(']').unwrap_or(inner.len())];
            let literal = inner
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .or_else(|| inner.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')));
            match literal {
                Some(key) if !key.contains(['"', '\'']) => assert!(
                    keys.contains_key(key),
                    "{}: the text `t[{inner}]` is not in texts.toml",
                    at()
                ),
                _ => assert!(
                    !inner.contains(['"', '\'', '~']),
                    "{}: `t[{inner}]` puts a key together in the template, where nothing \
                     checks it; give the page a `Text` for it instead",
                    at()
                ),
            }
        }
    }
}
