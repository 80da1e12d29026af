//! `puls demo` as a person runs it before `puls serve`: its links point where the server
//! will listen, or it prints none.

use std::process::Command;

/// Runs `puls demo` on a fresh SQLite database with `PULS_HTTP__LISTEN=listen`; its stderr.
fn demo_with_listen(listen: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("puls.db").display());
    let out = Command::new(env!("CARGO_BIN_EXE_puls"))
        .args([
            "--db",
            &db,
            "demo",
            "--responses",
            "300",
            "--contacts",
            "0",
            "--no-key",
        ])
        .current_dir(dir.path())
        .env_remove("PULS_CONFIG")
        .env_remove("PULS_HTTP__PUBLIC_URL")
        .env("PULS_HTTP__LISTEN", listen)
        .output()
        .expect("running puls demo");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    stderr
}

/// The survey lines of the summary: (title column, link or id).
fn survey_lines(stderr: &str) -> Vec<(String, String)> {
    stderr
        .lines()
        .skip_while(|l| !l.starts_with("Demo workspace"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .map(|l| {
            let (title, target) = l.trim().rsplit_once(' ').expect("a title and a target");
            (title.trim().to_string(), target.to_string())
        })
        .collect()
}

#[test]
fn demo_links_use_the_configured_port_and_whole_words() {
    let stderr = demo_with_listen("127.0.0.1:3999");
    let lines = survey_lines(&stderr);
    assert_eq!(lines.len(), 6, "{stderr}");
    for (_, link) in &lines {
        assert!(
            link.starts_with("http://127.0.0.1:3999/s/"),
            "{link}\n{stderr}"
        );
    }
    assert!(
        stderr.contains("The web app: http://127.0.0.1:3999/app"),
        "{stderr}"
    );
    // Every title is shown whole, or cut between words with an ellipsis.
    for (title, _) in &lines {
        let kept = title.trim_end_matches('…');
        assert!(
            DEMO_TITLES.iter().any(|full| full == &kept
                || full.starts_with(&format!("{kept} "))
                || full.starts_with(&format!("{kept},"))),
            "'{title}' is not a demo title cut between words"
        );
    }
}

/// The demo surveys' titles in their default language, Polish (crates/puls-demo/src/surveys.rs).
const DEMO_TITLES: &[&str] = &[
    "Informacje o produktach",
    "Twoje zakupy w Lumo",
    "Dostawa Twojego zamówienia",
    "Kontakt z obsługą klienta",
    "Zwrot towaru",
    "Nowe funkcje Lumo",
];

#[test]
fn demo_prints_no_link_when_the_port_is_not_known_yet() {
    let stderr = demo_with_listen("127.0.0.1:0");
    let lines = survey_lines(&stderr);
    assert_eq!(lines.len(), 6, "{stderr}");
    assert!(!stderr.contains("http://"), "{stderr}");
    assert!(
        stderr.contains("the address `puls serve` prints"),
        "{stderr}"
    );
}
