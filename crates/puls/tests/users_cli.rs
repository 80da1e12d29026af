//! `puls user` and the first start of `puls serve`, run as the binary a person runs.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `puls --db DB ARGS`, run beside the database with no configuration file.
fn command(db: &str, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_puls"));
    c.args(["--db", db])
        .args(args)
        .current_dir(
            std::path::Path::new(db.trim_start_matches("sqlite://"))
                .parent()
                .unwrap(),
        )
        .env_remove("PULS_CONFIG");
    c
}

fn puls(db: &str, args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = command(db, args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running puls");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// The setup line `puls serve` prints on a database without users, or its web-app line.
fn first_lines_of_serve(db: &str) -> String {
    let mut child = command(db, &["serve", "--listen", "127.0.0.1:0"])
        .env("PULS_ANALYTICS__WARM_UP", "false")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("running puls serve");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let start = Instant::now();
    let mut seen = String::new();
    while start.elapsed() < Duration::from_secs(30) {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            seen.push_str(&line);
            seen.push('\n');
            if line.contains("/app/setup?token=") || line.contains("Web app:") {
                break;
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    seen
}

#[test]
fn the_first_owner_from_the_shell_and_the_setup_link() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("puls.db").display());

    // A fresh database: serve offers the one-time setup link.
    let lines = first_lines_of_serve(&db);
    assert!(lines.contains("/app/setup?token="), "{lines}");

    let (ok, _, err) = puls(
        &db,
        &[
            "user",
            "create",
            "--email",
            "ana@shop.cz",
            "--name",
            "Ana",
            "--workspace",
            "shop",
        ],
        "short\n",
    );
    assert!(!ok && err.contains("password_too_short"), "{err}");
    let (ok, _, err) = puls(
        &db,
        &[
            "user",
            "create",
            "--email",
            "Ana@Shop.cz",
            "--name",
            "Ana",
            "--workspace",
            "shop",
            "--role",
            "viewer",
        ],
        "a long passphrase\n",
    );
    assert!(ok, "{err}");
    assert!(err.contains("the first user is the owner"), "{err}");
    let (ok, _, err) = puls(
        &db,
        &[
            "user",
            "create",
            "--email",
            "ana@shop.cz",
            "--name",
            "Ana",
            "--workspace",
            "shop",
        ],
        "a long passphrase\n",
    );
    assert!(!ok && err.contains("exists already"), "{err}");
    let (ok, _, err) = puls(
        &db,
        &[
            "user",
            "create",
            "--email",
            "eva@shop.cz",
            "--name",
            "Eva",
            "--workspace",
            "shop",
            "--role",
            "agent",
            "--locale",
            "cs",
        ],
        "another passphrase\n",
    );
    assert!(ok, "{err}");
    let (ok, _, err) = puls(
        &db,
        &[
            "user",
            "create",
            "--email",
            "x@shop.cz",
            "--name",
            "X",
            "--role",
            "root",
        ],
        "another passphrase\n",
    );
    assert!(!ok && err.contains("role"), "{err}");
    let (ok, out, _) = puls(&db, &["user", "list", "--workspace", "shop"], "");
    assert!(ok);
    assert!(
        out.contains("ana@shop.cz") && out.contains("owner"),
        "{out}"
    );
    assert!(
        out.contains("eva@shop.cz") && out.contains("agent"),
        "{out}"
    );

    // With an owner, the setup link is gone.
    let lines = first_lines_of_serve(&db);
    assert!(
        lines.contains("Web app:") && !lines.contains("setup?token"),
        "{lines}"
    );
}
