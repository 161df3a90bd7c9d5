//! PDF text layer via pdf-extract, which panics on malformed input by design and
//! can abort: in the `dossier` binary it runs in a child process (itself, with
//! the hidden [`PDF_CHILD_SUBCOMMAND`]) under a wall-clock timeout and an
//! address-space limit; in tests and fuzzing it runs in-process behind
//! `catch_unwind`.

use crate::{finish, Ctx, Parsed, PdfMode};
use dossier_core::{Document, Format};
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The hidden sub-command of the `dossier` binary that runs
/// [`pdf_text_child_main`]: `dossier __pdf-text FILE` (FILE `-` = stdin).
pub const PDF_CHILD_SUBCOMMAND: &str = "__pdf-text";

pub(crate) const ENCRYPTED: &str = "encrypted PDF not supported";
pub(crate) const NO_TEXT: &str = "PDF has no text layer (scanned?)";

/// Exit codes of the child, mapped back to causes by the parent.
const EXIT_OK: i32 = 0;
const EXIT_FAILED: i32 = 1;
const EXIT_ENCRYPTED: i32 = 3;
const EXIT_NO_TEXT: i32 = 4;
const EXIT_PANIC: i32 = 5;

pub(crate) fn parse_pdf(name: &str, bytes: &[u8], ctx: &Ctx) -> Parsed {
    let limits = ctx.limits();
    let result = match &ctx.cfg.pdf {
        PdfMode::InProcess => extract_in_process(bytes),
        PdfMode::Subprocess { program, args } => extract_in_child(
            program,
            args,
            ctx.origin,
            bytes,
            limits.pdf_timeout,
            limits.pdf_memory_bytes,
            limits.max_text_bytes,
        ),
    };
    match result {
        Ok((text, truncated)) => {
            let mut doc = Document::new(name, Format::Pdf, crate::tidy_text(&text));
            if truncated {
                doc.metadata.insert("truncated".into(), "true".into());
            }
            Parsed::one(finish(doc, limits))
        }
        Err(cause) => Parsed::error(name, cause),
    }
}

fn has_encrypt_dict(bytes: &[u8]) -> bool {
    bytes.windows(8).any(|w| w == b"/Encrypt")
}

/// Text of a PDF, or the cause; pdf-extract's panics are caught.
pub(crate) fn extract_in_process(bytes: &[u8]) -> Result<(String, bool), String> {
    if !bytes.starts_with(b"%PDF")
        && !bytes
            .get(..1024)
            .unwrap_or(bytes)
            .windows(5)
            .any(|w| w == b"%PDF-")
    {
        return Err("not a PDF (no %PDF header)".into());
    }
    let outcome = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(bytes));
    let encrypted = has_encrypt_dict(bytes);
    match outcome {
        Ok(Ok(text)) if !text.trim().is_empty() => Ok((text, false)),
        Ok(Ok(_)) if encrypted => Err(ENCRYPTED.into()),
        Ok(Ok(_)) => Err(NO_TEXT.into()),
        Ok(Err(_)) | Err(_) if encrypted => Err(ENCRYPTED.into()),
        Ok(Err(e)) => Err(format!(
            "PDF text extraction failed: {}",
            one_line(&e.to_string())
        )),
        Err(panic) => {
            let msg = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("parser panicked");
            Err(format!(
                "PDF text extraction failed: malformed PDF ({})",
                one_line(msg)
            ))
        }
    }
}

fn one_line(s: &str) -> String {
    let mut s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::truncate_string(&mut s, 300);
    s
}

/// The child side, called by the binary's hidden sub-command: reads the PDF at
/// `path` (`-` = stdin), writes its text to stdout and returns the exit code
/// (0 text, 3 encrypted, 4 no text layer, 1 other failure with the cause on
/// stderr, 5 parser panic).
pub fn pdf_text_child_main(path: &Path) -> i32 {
    let bytes = if path.as_os_str() == "-" {
        let mut b = Vec::new();
        if let Err(e) = std::io::stdin().read_to_end(&mut b) {
            eprintln!("reading stdin: {e}");
            return EXIT_FAILED;
        }
        b
    } else {
        match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{}", crate::io_cause(&e));
                return EXIT_FAILED;
            }
        }
    };
    // Keep pdf-extract's panic messages off the parent's terminal: the cause goes
    // to stderr once, below.
    std::panic::set_hook(Box::new(|_| {}));
    match extract_in_process(&bytes) {
        Ok((text, _)) => {
            let mut out = std::io::stdout().lock();
            if out
                .write_all(text.as_bytes())
                .and_then(|_| out.flush())
                .is_err()
            {
                return EXIT_FAILED;
            }
            EXIT_OK
        }
        Err(cause) if cause == ENCRYPTED => EXIT_ENCRYPTED,
        Err(cause) if cause == NO_TEXT => EXIT_NO_TEXT,
        Err(cause) => {
            eprintln!("{cause}");
            if cause.contains("malformed PDF (") {
                EXIT_PANIC
            } else {
                EXIT_FAILED
            }
        }
    }
}

/// What became of a child process.
#[derive(Debug)]
pub(crate) enum ChildOutcome {
    Exited {
        code: Option<i32>,
        signal: Option<i32>,
        stdout: Vec<u8>,
        stdout_truncated: bool,
        stderr: Vec<u8>,
    },
    TimedOut,
}

/// Runs `program args... file_arg` in its own process group with RLIMIT_AS set,
/// feeding `stdin_bytes` if given, collecting at most `max_stdout` bytes of
/// stdout; kills the whole group at `timeout`.
pub(crate) fn run_limited(
    program: &Path,
    args: &[String],
    file_arg: &std::ffi::OsStr,
    stdin_bytes: Option<&[u8]>,
    timeout: Duration,
    memory_bytes: u64,
    max_stdout: usize,
) -> Result<ChildOutcome, String> {
    use std::os::unix::process::{CommandExt, ExitStatusExt};
    let mut cmd = Command::new(program);
    cmd.args(args)
        .arg(file_arg)
        .stdin(if stdin_bytes.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Own process group: a timeout kills grandchildren too, so no one keeps
        // the pipes open.
        .process_group(0);
    let mem = memory_bytes as libc::rlim_t;
    // SAFETY: between fork and exec only setrlimit (async-signal-safe) runs.
    unsafe {
        cmd.pre_exec(move || {
            if mem > 0 {
                let lim = libc::rlimit {
                    rlim_cur: mem,
                    rlim_max: mem,
                };
                if libc::setrlimit(libc::RLIMIT_AS, &lim) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot run {}: {}", program.display(), crate::io_cause(&e)))?;
    let pid = child.id() as libc::pid_t;

    let stdin_thread = match (child.stdin.take(), stdin_bytes) {
        (Some(mut pipe), Some(bytes)) => {
            let bytes = bytes.to_vec();
            // A child that exits early closes the pipe: the write error is expected.
            Some(std::thread::spawn(move || {
                let _ = pipe.write_all(&bytes);
            }))
        }
        _ => None,
    };
    let stdout_thread = child
        .stdout
        .take()
        .map(|pipe| std::thread::spawn(move || read_capped(pipe, max_stdout)));
    let stderr_thread = child
        .stderr
        .take()
        .map(|pipe| std::thread::spawn(move || read_capped(pipe, 4096)));

    let deadline = Instant::now() + timeout;
    let mut sleep = Duration::from_millis(1);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) => {}
            Err(e) => return Err(format!("waiting for child: {}", crate::io_cause(&e))),
        }
        let now = Instant::now();
        if now >= deadline {
            // SAFETY: plain syscall on the child's own process group.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(sleep.min(deadline - now));
        sleep = (sleep * 2).min(Duration::from_millis(50));
    };
    // The group is gone (or exited): make sure stragglers holding the pipes die too.
    if status.is_some() {
        // SAFETY: as above; ESRCH when the group is already empty is fine.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    if let Some(t) = stdin_thread {
        let _ = t.join();
    }
    let (stdout, stdout_truncated) = stdout_thread
        .and_then(|t| t.join().ok())
        .unwrap_or_default();
    let (stderr, _) = stderr_thread
        .and_then(|t| t.join().ok())
        .unwrap_or_default();
    Ok(match status {
        None => ChildOutcome::TimedOut,
        Some(s) => ChildOutcome::Exited {
            code: s.code(),
            signal: s.signal(),
            stdout,
            stdout_truncated,
            stderr,
        },
    })
}

/// Reads a pipe to its end, keeping at most `cap` bytes (the rest is drained so
/// the child never blocks on a full pipe).
fn read_capped<R: Read>(mut pipe: R, cap: usize) -> (Vec<u8>, bool) {
    let mut kept = Vec::new();
    let mut truncated = false;
    let mut buf = [0u8; 64 * 1024];
    loop {
        match pipe.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                let room = cap.saturating_sub(kept.len());
                if n > room {
                    truncated = true;
                }
                kept.extend_from_slice(buf.get(..n.min(room)).unwrap_or(&[]));
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        }
    }
    (kept, truncated)
}

fn extract_in_child(
    program: &Path,
    args: &[String],
    origin: Option<&Path>,
    bytes: &[u8],
    timeout: Duration,
    memory_bytes: u64,
    max_text: usize,
) -> Result<(String, bool), String> {
    let (file_arg, stdin_bytes) = match origin {
        Some(p) => (p.as_os_str(), None),
        None => (std::ffi::OsStr::new("-"), Some(bytes)),
    };
    let outcome = run_limited(
        program,
        args,
        file_arg,
        stdin_bytes,
        timeout,
        memory_bytes,
        max_text,
    )?;
    match outcome {
        ChildOutcome::TimedOut => Err(format!(
            "PDF text extraction timed out after {}",
            fmt_duration(timeout)
        )),
        ChildOutcome::Exited {
            code: Some(EXIT_OK),
            stdout,
            stdout_truncated,
            ..
        } => {
            let mut text = String::from_utf8_lossy(&stdout).into_owned();
            let truncated = stdout_truncated || crate::truncate_string(&mut text, max_text);
            if text.trim().is_empty() {
                return Err(NO_TEXT.into());
            }
            Ok((text, truncated))
        }
        ChildOutcome::Exited {
            code: Some(EXIT_ENCRYPTED),
            ..
        } => Err(ENCRYPTED.into()),
        ChildOutcome::Exited {
            code: Some(EXIT_NO_TEXT),
            ..
        } => Err(NO_TEXT.into()),
        ChildOutcome::Exited {
            code,
            signal,
            stderr,
            ..
        } => {
            if has_encrypt_dict(bytes) {
                return Err(ENCRYPTED.into());
            }
            let detail = one_line(&String::from_utf8_lossy(&stderr));
            let detail = detail
                .strip_prefix("PDF text extraction failed: ")
                .unwrap_or(&detail)
                .to_string();
            Err(match (code, signal) {
                (_, Some(sig)) => format!(
                    "PDF text extraction failed: extractor killed by signal {sig} (crash or memory limit of {} MiB)",
                    memory_bytes >> 20
                ),
                (Some(c), _) if detail.is_empty() => format!("PDF text extraction failed: extractor exited with code {c}"),
                _ => format!("PDF text extraction failed: {detail}"),
            })
        }
    }
}

fn fmt_duration(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}
