//! A real SMTP server for a test: Debian's `python3-aiosmtpd` keeping every message in a
//! Maildir (refusing some recipients on purpose, see [`SERVE`]), read back (decoded by Python's `email` package) as JSON. It runs on
//! `PULS_SMTP_PYTHON` or `/usr/bin/python3` (the Python that has the Debian package), on a
//! free port, and stops when dropped.

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

pub struct SmtpServer {
    child: Child,
    pub port: u16,
    dir: tempfile_dir::Dir,
}

/// A directory removed on drop (no dependency for so little).
mod tempfile_dir {
    pub struct Dir(pub std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn python() -> String {
    std::env::var("PULS_SMTP_PYTHON").unwrap_or_else(|_| "/usr/bin/python3".into())
}

/// Prints the Maildir's messages as JSON: from, to, subject, the plain-text and HTML parts,
/// and the raw headers' content types.
const READ: &str = r#"
import email, email.policy, json, mailbox, sys
out = []
for m in mailbox.Maildir(sys.argv[1], factory=None):
    msg = email.message_from_bytes(m.as_bytes(), policy=email.policy.default)
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    out.append({
        "from": str(msg["From"]), "to": str(msg["To"]), "subject": str(msg["Subject"]),
        "content_type": msg.get_content_type(),
        "text": text.get_content() if text else None,
        "html": html.get_content() if html else None,
        "headers": {k: str(v) for k, v in msg.items()},
    })
print(json.dumps(out))
"#;

/// The server: aiosmtpd's Maildir handler, except for recipients whose mailbox name starts
/// with `bounce` (refused with `550 5.1.1`, a hard bounce) or `later` (`451 4.3.0` the
/// first time, accepted the next: a soft failure to retry).
const SERVE: &str = r#"
import sys, threading
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox

class Handler(Mailbox):
    def __init__(self, path):
        super().__init__(path)
        self.deferred = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local.startswith("bounce"):
            return "550 5.1.1 No such user here"
        if local.startswith("later") and address not in self.deferred:
            self.deferred.add(address)
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

controller = Controller(Handler(sys.argv[2]), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
threading.Event().wait()
"#;

impl SmtpServer {
    pub fn start() -> SmtpServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let dir = std::env::temp_dir().join(format!("puls-smtp-{}", ulid::Ulid::new()));
        std::fs::create_dir_all(&dir).expect("the mail directory");
        let child = Command::new(python())
            .args(["-c", SERVE, &port.to_string()])
            .arg(dir.join("mail"))
            .stdout(Stdio::null())
            .spawn()
            .expect("starting aiosmtpd (Debian's python3-aiosmtpd)");
        let server = SmtpServer {
            child,
            port,
            dir: tempfile_dir::Dir(dir),
        };
        for _ in 0..200 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return server;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("aiosmtpd did not listen on {port}; is python3-aiosmtpd installed?");
    }

    /// Every message received so far.
    pub fn messages(&self) -> Vec<Value> {
        let maildir = self.dir.0.join("mail");
        if !maildir.join("new").exists() {
            return Vec::new();
        }
        let out = Command::new(python())
            .args(["-c", READ])
            .arg(&maildir)
            .output()
            .expect("reading the mail");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("the messages as JSON")
    }

    /// How many messages arrived so far (without reading them).
    pub fn count(&self) -> usize {
        std::fs::read_dir(self.dir.0.join("mail").join("new")).map_or(0, |d| d.count())
    }

    /// Waits (up to 20 s, a guard against a hang) until `n` messages arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<Value> {
        for _ in 0..400 {
            let m = self.messages();
            if m.len() >= n {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{n} messages expected, got {:#?}", self.messages());
    }
}
