//! A throwaway PostgreSQL server for tests: initdb into a temporary directory,
//! started on a free loopback port (socket in the same directory), one fresh
//! database per test, stopped when the last test using it is done.
//!
//! Binaries come from `$DOSSIER_PG_BIN` or the newest
//! `/usr/lib/postgresql/*/bin`. When none is installed the tests fail under CI
//! (`CI` set) and are skipped with a message otherwise.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};

pub struct Server {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    /// Running as root: initdb and the server run as the `postgres` user.
    as_postgres: bool,
}

/// Keeps the server (and so the test's database) alive for one test.
pub struct Db {
    pub url: String,
    _server: Arc<Server>,
}

static SERVER: Mutex<Weak<Server>> = Mutex::new(Weak::new());
static NEXT_DB: AtomicUsize = AtomicUsize::new(0);

fn find_bin() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOSSIER_PG_BIN") {
        let dir = PathBuf::from(dir);
        return dir.join("initdb").exists().then_some(dir);
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, b)| b)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

impl Server {
    fn command(&self, program: &str) -> Command {
        let exe = self.bin.join(program);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        }
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn start(bin: PathBuf) -> Server {
        let dir = tempfile::Builder::new()
            .prefix("dossier-pg")
            .tempdir()
            .unwrap();
        let as_postgres = is_root();
        if as_postgres {
            let ok = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(dir.path())
                .status()
                .unwrap()
                .success();
            assert!(ok, "chown of the test server directory to postgres failed");
        }
        let mut server = Server {
            bin,
            dir,
            port: 0,
            as_postgres,
        };
        run(server.command("initdb").arg("-D").arg(server.data()).args([
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        ]));
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        server.port = port;
        // Durability is irrelevant for a throwaway server: skip fsyncs.
        let opts = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=100",
            server.dir.path().display()
        );
        run(server
            .command("pg_ctl")
            .arg("-D")
            .arg(server.data())
            .arg("-l")
            .arg(server.dir.path().join("log"))
            .args(["-w", "-t", "60", "-o", &opts, "start"]));
        server
    }

    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "immediate", "-w", "stop"])
            .output();
    }
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The shared server, started on first use; None (after a message) when
/// PostgreSQL is not installed outside CI.
pub fn server() -> Option<Arc<Server>> {
    let mut slot = SERVER.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(s) = slot.upgrade() {
        return Some(s);
    }
    let Some(bin) = find_bin() else {
        if std::env::var_os("CI").is_some() {
            panic!(
                "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb or $DOSSIER_PG_BIN): \
                 CI must install the postgresql package"
            );
        }
        eprintln!(
            "skipping PostgreSQL test: no /usr/lib/postgresql/*/bin/initdb (install the postgresql package \
             or set DOSSIER_PG_BIN)"
        );
        return None;
    };
    let s = Arc::new(Server::start(bin));
    *slot = Arc::downgrade(&s);
    Some(s)
}

/// A new, empty database on the shared server.
pub fn fresh_db() -> Option<Db> {
    let server = server()?;
    let name = format!(
        "t{}_{}",
        std::process::id(),
        NEXT_DB.fetch_add(1, Ordering::Relaxed)
    );
    let mut admin = postgres::Client::connect(&server.url("postgres"), postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    Some(Db {
        url: server.url(&name),
        _server: server,
    })
}
