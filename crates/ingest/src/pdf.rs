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
/// [`pdf_text_child_main`]: `dossier internal-pdf-text FILE` (FILE `-` = stdin).
pub const PDF_CHILD_SUBCOMMAND: &str = "internal-pdf-text";

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
            let info = pdf_info(bytes);
            doc.title = info.title;
            doc.author = info.author;
            doc.published = info.created;
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
    // A relative path starting with '-' would read as an option to the child.
    let dashed;
    let (file_arg, stdin_bytes) = match origin {
        Some(p) if p.as_os_str().as_encoded_bytes().first() == Some(&b'-') => {
            dashed = Path::new(".").join(p);
            (dashed.as_os_str(), None)
        }
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

#[derive(Debug, Default, PartialEq)]
pub(crate) struct PdfInfo {
    pub title: Option<String>,
    pub author: Option<String>,
    pub created: Option<String>,
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Title, author and creation date from the document information dictionary,
/// by a bounded byte scan of the raw file (no parser: it runs in this process
/// whatever the mode). Info dictionaries inside compressed object streams are
/// not seen; that only loses metadata.
pub(crate) fn pdf_info(bytes: &[u8]) -> PdfInfo {
    const WINDOW: usize = 4096;
    let anchor = [&b"/CreationDate"[..], b"/Producer", b"/Author"]
        .iter()
        .find_map(|k| find(bytes, k));
    let Some(anchor) = anchor else {
        return PdfInfo::default();
    };
    let lo = anchor.saturating_sub(WINDOW);
    let start = bytes
        .get(lo..anchor)
        .and_then(|w| w.windows(3).rposition(|x| x == b"obj"))
        .map_or(lo, |p| lo + p + 3);
    let hi = (anchor + WINDOW).min(bytes.len());
    let end = bytes
        .get(anchor..hi)
        .and_then(|w| find(w, b"endobj"))
        .map_or(hi, |p| anchor + p);
    let dict = bytes.get(start..end).unwrap_or(&[]);
    let field = |key: &[u8]| -> Option<String> {
        let at = find(dict, key)? + key.len();
        let rest = dict.get(at..)?;
        let skip = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let s = pdf_string(rest.get(skip..)?)?;
        let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
        (!s.is_empty()).then_some(s)
    };
    PdfInfo {
        title: field(b"/Title"),
        author: field(b"/Author"),
        created: field(b"/CreationDate").and_then(|d| pdf_date(&d)),
    }
}

/// A PDF literal `(...)` or hex `<...>` string, decoded (UTF-16BE with BOM, else
/// PDFDocEncoding read as Latin-1). At most 1000 bytes are looked at.
fn pdf_string(s: &[u8]) -> Option<String> {
    let s = s.get(..s.len().min(1000))?;
    let mut raw = Vec::new();
    match s.first()? {
        b'(' => {
            let mut depth = 1usize;
            let mut i = 1;
            while let Some(&c) = s.get(i) {
                i += 1;
                match c {
                    b'\\' => {
                        let Some(&e) = s.get(i) else { break };
                        i += 1;
                        match e {
                            b'n' => raw.push(b'\n'),
                            b'r' => raw.push(b'\r'),
                            b't' => raw.push(b'\t'),
                            b'b' | b'f' => {}
                            b'0'..=b'7' => {
                                let mut v = (e - b'0') as u32;
                                for _ in 0..2 {
                                    match s.get(i) {
                                        Some(&d @ b'0'..=b'7') => {
                                            v = v * 8 + (d - b'0') as u32;
                                            i += 1;
                                        }
                                        _ => break,
                                    }
                                }
                                raw.push((v & 0xff) as u8);
                            }
                            b'\r' | b'\n' => {} // line continuation
                            other => raw.push(other),
                        }
                    }
                    b'(' => {
                        depth += 1;
                        raw.push(c);
                    }
                    b')' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                        raw.push(c);
                    }
                    _ => raw.push(c),
                }
            }
        }
        b'<' => {
            let hex: Vec<u8> = s[1..]
                .iter()
                .take_while(|&&b| b != b'>')
                .filter(|b| b.is_ascii_hexdigit())
                .copied()
                .collect();
            for pair in hex.chunks(2) {
                let hi = (pair[0] as char).to_digit(16)?;
                let lo = pair
                    .get(1)
                    .and_then(|&b| (b as char).to_digit(16))
                    .unwrap_or(0);
                raw.push((hi * 16 + lo) as u8);
            }
        }
        _ => return None,
    }
    if let Some(utf16) = raw.strip_prefix(&[0xFE, 0xFF]) {
        let units = utf16
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]));
        return Some(
            char::decode_utf16(units)
                .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect(),
        );
    }
    Some(raw.iter().map(|&b| b as char).collect())
}

/// `D:YYYYMMDDHHmmSS+HH'mm'` (trailing parts optional) → ISO 8601.
fn pdf_date(d: &str) -> Option<String> {
    let d = d.strip_prefix("D:").unwrap_or(d);
    let digits: String = d.chars().take_while(|c| c.is_ascii_digit()).collect();
    let part = |from: usize, len: usize| digits.get(from..from + len);
    let (y, mo, day) = (
        part(0, 4)?,
        part(4, 2).unwrap_or("01"),
        part(6, 2).unwrap_or("01"),
    );
    let date = format!("{y}-{mo}-{day}");
    let Some(hh) = part(8, 2) else {
        return crate::normalize_date(&date);
    };
    let (mi, ss) = (part(10, 2).unwrap_or("00"), part(12, 2).unwrap_or("00"));
    let tz = d.get(digits.len()..).unwrap_or("");
    let offset = match tz.chars().next() {
        Some(sign @ ('+' | '-')) => {
            let t: String = tz[1..].chars().filter(|c| c.is_ascii_digit()).collect();
            format!(
                "{sign}{}:{}",
                t.get(0..2).unwrap_or("00"),
                t.get(2..4).unwrap_or("00")
            )
        }
        Some('Z') => "+00:00".to_string(),
        _ => String::new(),
    };
    crate::normalize_date(&format!("{date}T{hh}:{mi}:{ss}{offset}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_dictionary_fields() {
        let pdf = b"%PDF-1.4\n7 0 obj\n<< /Title (Malm\\366 court \\(summary\\)) /Author <FEFF004A0061006E0065> /CreationDate (D:20250902110000+02'00') >>\nendobj\n";
        let info = pdf_info(pdf);
        assert_eq!(info.title.as_deref(), Some("Malmö court (summary)"));
        assert_eq!(info.author.as_deref(), Some("Jane"));
        assert_eq!(info.created.as_deref(), Some("2025-09-02T11:00:00+02:00"));
        assert_eq!(pdf_info(b"%PDF-1.4 nothing"), PdfInfo::default());
        assert_eq!(pdf_date("D:2025").as_deref(), Some("2025-01-01"));
        assert_eq!(
            pdf_date("D:20250407163000Z").as_deref(),
            Some("2025-04-07T16:30:00+00:00")
        );
    }
}
