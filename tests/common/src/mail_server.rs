//! A real SMTP server process for the mail tests (`tests/mail/smtp_server.py`, aiosmtpd): it
//! writes each message it accepts, decoded, where the tests read it back; or it refuses every
//! recipient.

use std::io::BufRead;
use std::path::PathBuf;
use std::time::Duration;

/// The Python with aiosmtpd and the official clients: `STEWARD_COMPAT_PYTHON`, else the venv
/// `make test-tools` creates.
pub fn python() -> PathBuf {
    if let Ok(path) = std::env::var("STEWARD_COMPAT_PYTHON") {
        return path.into();
    }
    let home = std::env::var("HOME").expect("HOME");
    let path = std::path::Path::new(&home).join(".cache/steward/venv/bin/python");
    assert!(
        path.exists(),
        "{} is missing: run `make test-tools` to install it",
        path.display()
    );
    path
}

pub struct MailServer {
    pub port: u16,
    maildir: tempfile::TempDir,
    child: std::process::Child,
}

/// A free port on 127.0.0.1 (nothing listens there until something binds it).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

impl MailServer {
    /// A server on a free port that accepts everything.
    pub fn start() -> Self {
        Self::start_on(free_port(), false)
    }

    /// A server on `port`; with `refuse`, every recipient gets `451`.
    pub fn start_on(port: u16, refuse: bool) -> Self {
        let maildir = tempfile::tempdir().expect("maildir");
        let script =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../mail/smtp_server.py");
        let mut command = std::process::Command::new(python());
        command
            .arg(script)
            .arg(port.to_string())
            .arg(maildir.path())
            .stdout(std::process::Stdio::piped());
        if refuse {
            command.arg("refuse");
        }
        let mut child = command.spawn().expect("start the SMTP server");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the SMTP server says it is ready");
        assert_eq!(line.trim(), "ready", "the SMTP server did not start");
        Self {
            port,
            maildir,
            child,
        }
    }

    /// `smtp://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message delivered so far: `{"from", "to", "subject", "text", "html", "raw"}`.
    pub fn messages(&self) -> Vec<serde_json::Value> {
        let mut files: Vec<_> = std::fs::read_dir(self.maildir.path())
            .map(|dir| dir.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.retain(|f| f.extension().is_some_and(|e| e == "json"));
        files.sort();
        files
            .iter()
            .filter_map(|f| std::fs::read_to_string(f).ok())
            .filter_map(|text| serde_json::from_str(&text).ok())
            .collect()
    }

    /// Waits up to 20 seconds for a delivered message `wanted` accepts.
    pub async fn wait_for(&self, wanted: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
        for _ in 0..200 {
            if let Some(found) = self.messages().into_iter().find(|m| wanted(m)) {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no such message arrived; delivered: {:?}", self.messages());
    }

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for MailServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Configures a server to send its mail to the SMTP server on `port`, retrying after a second.
pub fn mail_to(port: u16) -> impl FnOnce(&mut steward::server::infra::config::Config) {
    move |config| {
        config.mail = Some(steward::server::infra::config::MailConfig {
            transport_url: format!("smtp://127.0.0.1:{port}"),
            from: "Steward <panel@steward.test>".to_owned(),
            retry_after: Duration::from_secs(1),
        });
    }
}

/// The first `http(s)://…/login/reset/TOKEN` link in a text.
pub fn reset_link(text: &str) -> Option<String> {
    link_to(text, "/login/reset/")
}

/// The first `http(s)://…PATH…` link in a text (`PATH` such as `/verify-email/`).
pub fn link_to(text: &str, path: &str) -> Option<String> {
    let start = text.find(path)?;
    let begin = text[..start].rfind("http")?;
    let end = text[start..]
        .find(|c: char| c.is_whitespace() || c == '"' || c == '<')
        .map_or(text.len(), |n| start + n);
    Some(text[begin..end].to_owned())
}
