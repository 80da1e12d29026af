//! What the tests of the `puls` binary share: `puls` as a person runs it, and `puls serve`
//! started on a kernel-picked port.
#![allow(dead_code)] // Each test binary uses its own part.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `puls serve` and the address it printed.
pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn puls(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_puls"));
    c.current_dir(dir).env_remove("PULS_CONFIG");
    c
}

/// Starts `puls serve` on a kernel-picked port; with `open_files`, under `ulimit -n`.
pub fn start(
    dir: &std::path::Path,
    db: &str,
    env: &[(&str, &str)],
    open_files: Option<u32>,
) -> Server {
    let mut c = match open_files {
        Some(n) => {
            let mut c = Command::new("bash");
            c.args([
                "-c",
                &format!("ulimit -n {n} && exec \"$0\" \"$@\""),
                env!("CARGO_BIN_EXE_puls"),
            ]);
            c.current_dir(dir).env_remove("PULS_CONFIG");
            c
        }
        None => puls(dir),
    };
    c.args(["--db", db, "serve", "--listen", "127.0.0.1:0"])
        .env("PULS_ANALYTICS__WARM_UP", "false")
        .env("PULS_RATE_LIMIT__PER_SECOND", "0")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("starting puls serve");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // Read to the end, also once no one listens: a closed pipe would make the
        // server's next line to stderr fail.
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200))
            && let Some(rest) = line.split("Puls is running at http://").nth(1)
        {
            let addr = rest.split_whitespace().next().expect("an address");
            return Server {
                child,
                addr: addr.parse().expect("a socket address"),
            };
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("puls serve did not start within 60 s");
}

/// A new API key of the workspace `acme` (made if needed), from `puls apikey create`.
pub fn api_key(dir: &std::path::Path, db: &str) -> String {
    let out = puls(dir)
        .args(["--db", db, "apikey", "create", "--workspace", "acme"])
        .output()
        .expect("running puls apikey create");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .expect("the key")
        .to_string()
}
