//! The Steward under test: its command line for setting up, SQL for seeding, and the server
//! process with its start-up time and memory.

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::Result;

/// A fixed server key: the command line and the server must agree on it.
const SERVER_KEY: &str = "6265e6368206b6579206f6e6c79206265e6368206b6579206f6e6c792062656e";

/// Where Steward keeps its data for one benchmark run.
pub struct Instance {
    pub bin: PathBuf,
    pub site: PathBuf,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub postgres: bool,
}

pub struct Server {
    child: Child,
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `VmHWM` (peak) and `VmRSS` (now) of the server, in KiB.
    pub fn memory_kib(&self) -> Result<(u64, u64)> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))?;
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|kib| kib.parse::<u64>().ok())
                .unwrap_or(0)
        };
        Ok((field("VmHWM:"), field("VmRSS:")))
    }
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Instance {
    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.env("STEWARD_DATABASE_URL", &self.database_url)
            .env("STEWARD_DATA_DIR", &self.data_dir)
            .env("STEWARD_SERVER_KEY", SERVER_KEY)
            .env("STEWARD_COOKIE_SECURE", "false")
            .env("STEWARD_LOG", "warn")
            // The load comes from one address: per-client limits would measure themselves.
            .env("STEWARD_CLIENT_LOGINS_PER_MINUTE", "0")
            .env("STEWARD_CLIENT_SIGNUPS_PER_HOUR", "0")
            .env("STEWARD_CLIENT_PASSWORD_CHECKS_PER_MINUTE", "0")
            .env("LEPTOS_SITE_ROOT", &self.site)
            .env("LEPTOS_SITE_PKG_DIR", "pkg")
            .env("LEPTOS_OUTPUT_NAME", "steward")
            .env("LEPTOS_ENV", "PROD");
        cmd
    }

    /// Runs `steward ARGS` (with `stdin` on its standard input) and returns its output.
    pub fn cli(&self, args: &[&str], stdin: Option<&str>) -> Result<String> {
        let mut child = self
            .command()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        if let Some(mut input) = child.stdin.take() {
            input.write_all(stdin.unwrap_or_default().as_bytes())?;
        }
        let out = child.wait_with_output()?;
        if !out.status.success() {
            return Err(format!(
                "steward {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
            )
            .into());
        }
        Ok(String::from_utf8(out.stdout)?.trim().to_owned())
    }

    /// Runs SQL on the database with its own command-line client.
    pub fn sql(&self, sql: &str) -> Result<()> {
        let mut cmd = if self.postgres {
            let mut cmd = Command::new("psql");
            cmd.args(["-q", "-v", "ON_ERROR_STOP=1", &self.database_url]);
            cmd
        } else {
            let file = self
                .database_url
                .strip_prefix("sqlite://")
                .unwrap_or(&self.database_url);
            let mut cmd = Command::new("sqlite3");
            cmd.args(["-bail", file]);
            cmd
        };
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?;
        if let Some(mut input) = child.stdin.take() {
            input.write_all(sql.as_bytes())?;
        }
        let out = child.wait_with_output()?;
        if !out.status.success() {
            return Err(format!("SQL failed: {}", String::from_utf8_lossy(&out.stderr)).into());
        }
        Ok(())
    }

    /// Starts `steward serve` on a free port and returns it once `/healthz` answers 200, with
    /// the time that took.
    pub async fn start(&self) -> Result<(Server, Duration)> {
        let port = free_port()?;
        let log = std::fs::File::create(self.data_dir.join("server.log"))?;
        let started = Instant::now();
        let child = self
            .command()
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .arg("serve")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()?;
        let mut server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()?;
        let url = format!("{}/healthz", server.base);
        loop {
            if let Ok(response) = client.get(&url).send().await
                && response.status() == reqwest::StatusCode::OK
            {
                return Ok((server, started.elapsed()));
            }
            if let Some(status) = server.child.try_wait()? {
                return Err(
                    format!("steward serve exited with {status}: see {}", self.log()).into(),
                );
            }
            if started.elapsed() > Duration::from_secs(60) {
                return Err(
                    format!("steward serve not healthy after 60 s: see {}", self.log()).into(),
                );
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    fn log(&self) -> String {
        self.data_dir.join("server.log").display().to_string()
    }
}

/// `count` users straight into the account's DEFAULT group, sharing one hash (they never log
/// in: hashing 10,000 passwords would take minutes), and a rate limit no benchmark reaches.
pub fn seed_sql(account_id: &str, count: usize, postgres: bool) -> String {
    let account = account_id.replace('\'', "");
    let mut sql = format!(
        "BEGIN;
UPDATE accounts SET rate_limit = 1000000000 WHERE code = '{account}';
INSERT INTO users (account_id, is_holder, login, login_key, email, password_hash, group_id,
                   description, password_change_required, security_stamp,
                   created_at, updated_at, password_updated_at)
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count})
SELECT a.id, FALSE, 'user' || i, 'user' || i, 'user' || i || '@seed.example',
       '$argon2id$v=19$m=19456,t=2,p=1$c2VlZHNhbHQ$c2VlZGhhc2g', g.id,
       CASE WHEN i % 2 = 0 THEN 'even seed' ELSE 'odd seed' END, FALSE, 'seed' || i,
       a.created_at + i, a.created_at + i, a.created_at + i
FROM n, accounts a, user_groups g
WHERE a.code = '{account}' AND g.account_id = a.id AND g.name = 'DEFAULT';
COMMIT;
"
    );
    // PostgreSQL's autovacuum would analyse the new rows soon after; do it now.
    if postgres {
        sql.push_str("ANALYZE;\n");
    }
    sql
}

/// The gzip -9 size of a file, in bytes.
pub fn gzip_size(path: &Path) -> Result<u64> {
    let out = Command::new("gzip").args(["-9", "-c"]).arg(path).output()?;
    if !out.status.success() {
        return Err(format!("gzip {}", path.display()).into());
    }
    Ok(out.stdout.len() as u64)
}
