//! A hostile corpus generated here, in a tempdir: every bad file gets a clear
//! error naming it and the cause, the good files in the same batch parse, and
//! nothing panics or hangs.

mod common;

use dossier_ingest::{
    discover, parse_bytes, parse_file, IngestConfig, IngestError, Limits, Parsed, PdfMode,
};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const GOOD_TEXT: &str = "Officials in The Hague said on Wednesday that slightly more than fifty foreign fighters had returned to the Netherlands.";

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn cause_of(errors: &[IngestError], path: &Path) -> String {
    let name = path.display().to_string();
    let hits: Vec<&IngestError> = errors.iter().filter(|e| e.source_name == name).collect();
    assert_eq!(
        hits.len(),
        1,
        "expected one error for {name}, got {errors:#?}"
    );
    hits[0].cause.clone()
}

fn deep_html(levels: usize) -> String {
    let mut s = String::with_capacity(levels * 11 + 100);
    s.push_str("<html><body>");
    for _ in 0..levels {
        s.push_str("<div>");
    }
    s.push_str("Deep text at the bottom.");
    for _ in 0..levels {
        s.push_str("</div>");
    }
    s.push_str("</body></html>");
    s
}

fn broken_mbox() -> String {
    concat!(
        "From a@x.example Wed Oct 25 08:30:00 2017\n",
        "From: a@x.example\nSubject: good one\n\nFirst good body.\n\n",
        "From b@x.example Wed Oct 25 08:31:00 2017\n",
        "\u{1}\u{2}garbage with no header at all\n",
        "From c@x.example Wed Oct 25 08:32:00 2017\n",
        "From: c@x.example\nSubject: broken multipart\nContent-Type: multipart/mixed; boundary=\"QQ\"\n\n--QQ\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n",
        "From d@x.example Wed Oct 25 08:33:00 2017\n",
        "From: d@x.example\nSubject: good two\n\nSecond good body.\n",
    )
    .to_string()
}

fn pdf_mode_bin() -> PdfMode {
    PdfMode::Subprocess {
        program: PathBuf::from(env!("CARGO_BIN_EXE_dossier-pdf-text")),
        args: vec![],
    }
}

#[test]
fn hostile_batch() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let good_pdf = common::pdf_with_lines(&["Good PDF text about returning fighters."], false);
    let zeros_1g = common::deflate_zeros(1 << 30);

    // Good files.
    let good_txt = write(dir, "good.txt", GOOD_TEXT.as_bytes());
    write(dir, "good.md", b"# Title\n\nSome *markdown* text.\n");
    write(
        dir,
        "good.html",
        b"<html><head><title>T</title></head><body><p>Good HTML paragraph.</p></body></html>",
    );
    write(dir, "good.pdf", &good_pdf);
    write(
        dir,
        "good.docx",
        &common::docx(&["Good docx paragraph."], "t", "c", "2020-01-01T00:00:00Z"),
    );
    write(
        dir,
        "good.eml",
        b"From: a@b.example\nSubject: s\n\nGood mail body.\n",
    );
    write(dir, "good.jsonl", b"{\"text\": \"Good record.\"}\n");
    let lossy = write(
        dir,
        "mostly_utf8.txt",
        &[GOOD_TEXT.as_bytes(), b" caf\xe9 ", GOOD_TEXT.as_bytes()].concat(),
    );

    // Hostile files.
    let truncated_pdf = write(dir, "truncated.pdf", &good_pdf[..good_pdf.len() / 2]);
    let encrypted_pdf = write(
        dir,
        "encrypted.pdf",
        &common::pdf_with_lines(&["secret"], true),
    );
    let bomb = write(
        dir,
        "bomb.docx",
        &common::zip_with_deflated("word/document.xml", &zeros_1g, 1 << 30),
    );
    let liar = write(
        dir,
        "liar.docx",
        &common::zip_with_deflated("word/document.xml", &zeros_1g, 1000),
    );
    let latin1 = write(
        dir,
        "latin1.txt",
        &b"caf\xe9 cr\xe8me br\xfbl\xe9e na\xefve ".repeat(200),
    );
    let binary: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let binary_txt = write(dir, "binary.txt", &binary);
    let huge = write(dir, "huge_line.txt", "word ".repeat(10 << 20).as_bytes());
    let huge_md = write(
        dir,
        "huge_line.md",
        "*a* [b](c) <d> ".repeat(50 << 20 >> 4).as_bytes(),
    );
    let deep = write(dir, "deep.html", deep_html(100_000).as_bytes());
    let deep_json = write(
        dir,
        "deep.json",
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).as_bytes(),
    );
    let mbox = write(dir, "broken.mbox", broken_mbox().as_bytes());
    let empty = write(dir, "empty.txt", b"");
    let deleted = write(dir, "deleted.txt", GOOD_TEXT.as_bytes());
    write(dir, ".hidden.txt", GOOD_TEXT.as_bytes());
    write(dir, "ignored.xyz", GOOD_TEXT.as_bytes());
    std::fs::create_dir(dir.join("sub")).unwrap();
    write(&dir.join("sub"), "nested.txt", GOOD_TEXT.as_bytes());
    std::os::unix::fs::symlink(dir, dir.join("sub").join("loop")).unwrap();

    let (files, derrs) = discover(&[dir.to_path_buf(), dir.join("missing.txt")]);
    assert_eq!(derrs.len(), 1, "{derrs:?}");
    assert_eq!(derrs[0].cause, "no such file or directory");
    assert!(derrs[0].source_name.ends_with("missing.txt"));
    let names: Vec<String> = files
        .iter()
        .map(|f| f.strip_prefix(dir).unwrap().display().to_string())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "stable sorted order");
    assert!(names.contains(&"sub/nested.txt".to_string()));
    assert!(
        !names
            .iter()
            .any(|n| n.contains("hidden") || n.ends_with(".xyz") || n.contains("loop")),
        "{names:?}"
    );
    assert_eq!(names.len(), 22, "{names:?}");

    std::fs::remove_file(&deleted).unwrap();

    let cfg = IngestConfig::default();
    let started = Instant::now();
    let mut all = Parsed::default();
    for f in &files {
        let p = parse_file(f, &cfg);
        all.documents.extend(p.documents);
        all.errors.extend(p.errors);
    }
    let elapsed = started.elapsed();
    let errors = &all.errors;
    for e in errors {
        eprintln!("{e}");
    }

    assert!(cause_of(errors, &truncated_pdf).starts_with("PDF text extraction failed"));
    assert_eq!(
        cause_of(errors, &encrypted_pdf),
        "encrypted PDF not supported"
    );
    assert_eq!(
        cause_of(errors, &bomb),
        "zip bomb? uncompressed size exceeds limit"
    );
    assert_eq!(
        cause_of(errors, &liar),
        "zip bomb? entry inflates beyond its declared size"
    );
    assert_eq!(cause_of(errors, &latin1), "not UTF-8 text (binary?)");
    assert_eq!(cause_of(errors, &binary_txt), "binary file");
    assert_eq!(cause_of(errors, &empty), "empty file (no text)");
    assert_eq!(cause_of(errors, &deleted), "no such file or directory");
    assert!(cause_of(errors, &deep_json).starts_with("malformed JSON"));
    let mbox_name = mbox.display().to_string();
    let mbox_errs: Vec<&IngestError> = errors
        .iter()
        .filter(|e| e.source_name.starts_with(&mbox_name))
        .collect();
    assert_eq!(mbox_errs.len(), 2, "{mbox_errs:?}");
    assert_eq!(mbox_errs[0].source_name, format!("{mbox_name}#2"));
    assert_eq!(mbox_errs[0].cause, "malformed e-mail (no headers)");
    assert_eq!(mbox_errs[1].source_name, format!("{mbox_name}#3"));
    assert_eq!(
        mbox_errs[1].cause,
        "broken MIME: no readable body or attachment"
    );
    assert_eq!(errors.len(), 11, "{errors:#?}");

    let doc = |p: &Path| {
        let name = p.display().to_string();
        all.documents
            .iter()
            .find(|d| d.source == name)
            .unwrap_or_else(|| panic!("no document for {name}"))
    };
    for good in [
        "good.txt",
        "good.md",
        "good.html",
        "good.pdf",
        "good.docx",
        "good.eml",
        "sub/nested.txt",
    ] {
        let d = doc(&dir.join(good));
        assert!(
            d.text.contains("Good") || d.text.contains("markdown") || d.text.contains("fifty"),
            "{good}: {}",
            d.text
        );
    }
    assert!(all
        .documents
        .iter()
        .any(|d| d.source.ends_with("good.jsonl#1")));
    assert_eq!(doc(&good_txt).text, GOOD_TEXT);
    let l = doc(&lossy);
    assert!(l.text.contains("caf\u{FFFD}"));
    assert_eq!(
        l.metadata.get("invalid_utf8_bytes").map(String::as_str),
        Some("1")
    );
    let h = doc(&huge);
    assert_eq!(h.text.len(), 50 << 20, "plain text is kept byte for byte");
    let hm = doc(&huge_md);
    assert!(hm.text.starts_with("a b  a b  a b"), "{}", &hm.text[..40]);
    let d = doc(&deep);
    assert_eq!(d.text, "Deep text at the bottom.");
    assert_eq!(
        d.metadata.get("markup_too_deep").map(String::as_str),
        Some("100000")
    );
    let good_mails: Vec<_> = all
        .documents
        .iter()
        .filter(|d| d.source.starts_with(&mbox_name))
        .collect();
    assert_eq!(good_mails.len(), 2);
    assert_eq!(good_mails[1].source, format!("{mbox_name}#4"));
    // Bounded time (debug build, 50 MB lines, a 1 GiB bomb refused twice).
    assert!(elapsed < Duration::from_secs(60), "batch took {elapsed:?}");
    eprintln!("hostile batch parsed in {elapsed:?}");
}

#[test]
fn text_is_truncated_at_the_limit() {
    let mut cfg = IngestConfig::default();
    cfg.limits.max_text_bytes = 1 << 20;
    let p = parse_bytes("big.txt", "é word ".repeat(1 << 20).as_bytes(), &cfg);
    let d = &p.documents[0];
    assert!(d.text.len() <= 1 << 20 && d.text.len() > (1 << 20) - 4);
    assert_eq!(
        d.metadata.get("truncated").map(String::as_str),
        Some("true")
    );
}

#[test]
fn oversized_file_is_refused_before_reading() {
    let tmp = tempfile::tempdir().unwrap();
    let f = write(tmp.path(), "big.txt", &b"x".repeat(2048));
    let cfg = IngestConfig {
        limits: Limits {
            max_file_bytes: 1024,
            ..Limits::default()
        },
        ..Default::default()
    };
    let p = parse_file(&f, &cfg);
    assert_eq!(p.errors[0].cause, "file too large (2048 bytes; limit 1024)");
    let p = parse_file(tmp.path(), &cfg);
    assert_eq!(p.errors[0].cause, "is a directory");
}

#[test]
fn moderately_deep_html_goes_through_readability_on_a_small_stack() {
    // 500 levels is under the default limit (512), so the recursive readability
    // walk runs: it must fit in a 2 MiB worker-thread stack.
    let html = deep_html(500);
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || parse_bytes("d.html", html.as_bytes(), &IngestConfig::default()))
        .unwrap();
    let p = handle.join().expect("no stack overflow");
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.documents[0].text, "Deep text at the bottom.");
    assert!(!p.documents[0].metadata.contains_key("markup_too_deep"));
}

#[test]
fn attachment_depth_is_bounded() {
    // A message attached inside a message inside a message.
    let inner = "From: c@x.example\nSubject: innermost\n\nInnermost body.\n";
    let wrap = |subject: &str, body: &str, attached: &str| {
        format!(
            "From: a@x.example\nSubject: {subject}\nContent-Type: multipart/mixed; boundary=\"B{subject}\"\n\n--B{subject}\nContent-Type: text/plain\n\n{body}\n--B{subject}\nContent-Type: message/rfc822\nContent-Disposition: attachment; filename=\"m.eml\"\n\n{attached}\n--B{subject}--\n"
        )
    };
    let middle = wrap("middle", "Middle body.", inner);
    let outer = wrap("outer", "Outer body.", &middle);
    let mut cfg = IngestConfig::default();
    let p = parse_bytes("o.eml", outer.as_bytes(), &cfg);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.documents.len(), 3);
    assert_eq!(p.documents[1].parent.as_ref(), Some(&p.documents[0].id));
    assert_eq!(p.documents[2].parent.as_ref(), Some(&p.documents[1].id));
    assert_eq!(p.documents[2].text, "Innermost body.");
    assert_eq!(p.documents[2].source, "o.eml#attachment1#attachment1");
    cfg.limits.max_attachment_depth = 1;
    let p = parse_bytes("o.eml", outer.as_bytes(), &cfg);
    assert_eq!(p.documents.len(), 2);
    assert_eq!(p.errors.len(), 1);
    assert_eq!(p.errors[0].source_name, "o.eml#attachment1#attachment1");
    assert!(p.errors[0]
        .cause
        .starts_with("attachment nested deeper than 1 levels"));
}

#[test]
fn pdf_subprocess_mode_extracts_and_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = IngestConfig {
        pdf: pdf_mode_bin(),
        ..Default::default()
    };
    let good = common::pdf_with_lines(&["Text from the child process."], false);
    let f = write(tmp.path(), "good.pdf", &good);
    let p = parse_file(&f, &cfg);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert!(p.documents[0].text.contains("Text from the child process."));
    // From bytes (stdin, attachments): the PDF goes to the child's stdin.
    let p = parse_bytes("stdin", &good, &cfg);
    assert!(
        p.documents[0].text.contains("Text from the child process."),
        "{:?}",
        p.errors
    );
    let p = parse_bytes("t.pdf", &good[..good.len() / 2], &cfg);
    assert!(
        p.errors[0]
            .cause
            .starts_with("PDF text extraction failed: "),
        "{:?}",
        p.errors
    );
    let p = parse_bytes("e.pdf", &common::pdf_with_lines(&["x"], true), &cfg);
    assert_eq!(p.errors[0].cause, "encrypted PDF not supported");
}

fn sh_mode(script: &str) -> PdfMode {
    PdfMode::Subprocess {
        program: "sh".into(),
        args: vec!["-c".into(), script.into(), "sh".into()],
    }
}

#[test]
fn pdf_subprocess_timeout_kills_the_process_group() {
    let pdf = common::pdf_with_lines(&["x"], false);
    for script in ["sleep 60; echo", "sleep 60 & sleep 60; echo"] {
        let mut cfg = IngestConfig {
            pdf: sh_mode(script),
            ..Default::default()
        };
        cfg.limits.pdf_timeout = Duration::from_millis(500);
        let started = Instant::now();
        let p = parse_bytes("slow.pdf", &pdf, &cfg);
        let took = started.elapsed();
        assert_eq!(
            p.errors[0].cause,
            "PDF text extraction timed out after 0.5s"
        );
        // A grandchild holding the stdout pipe would keep us waiting 60 s.
        assert!(took < Duration::from_secs(10), "{script}: took {took:?}");
    }
    // `sleep 60 FILE` is not a valid sleep invocation: a fast, clear failure.
    let cfg = IngestConfig {
        pdf: PdfMode::Subprocess {
            program: "sleep".into(),
            args: vec!["60".into()],
        },
        ..Default::default()
    };
    let p = parse_bytes("x.pdf", &pdf, &cfg);
    assert!(
        p.errors[0]
            .cause
            .starts_with("PDF text extraction failed: "),
        "{:?}",
        p.errors
    );
}

#[test]
fn pdf_subprocess_memory_limit_and_signals() {
    let pdf = common::pdf_with_lines(&["x"], false);
    let mut cfg = IngestConfig {
        pdf: sh_mode("ulimit -v"),
        ..Default::default()
    };
    cfg.limits.pdf_memory_bytes = 256 << 20;
    let p = parse_bytes("m.pdf", &pdf, &cfg);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(
        p.documents[0].text,
        (256 << 10).to_string(),
        "RLIMIT_AS in KiB as the child sees it"
    );
    cfg.pdf = sh_mode("kill -SEGV $$");
    let p = parse_bytes("s.pdf", &pdf, &cfg);
    assert!(
        p.errors[0]
            .cause
            .starts_with("PDF text extraction failed: extractor killed by signal 11"),
        "{:?}",
        p.errors
    );
    cfg.pdf = PdfMode::Subprocess {
        program: "/nonexistent/extractor".into(),
        args: vec![],
    };
    let p = parse_bytes("n.pdf", &pdf, &cfg);
    assert_eq!(
        p.errors[0].cause,
        "cannot run /nonexistent/extractor: no such file or directory"
    );
}

#[test]
fn depth_tricks_do_not_reach_the_recursive_walk() {
    // `<div/>` opens a div in HTML; stray end tags close nothing. Both nest
    // 100,000 deep in html5ever, so both must take the linear path.
    for html in [
        format!(
            "<html><body>{}Bottom text.</body></html>",
            "<div/>".repeat(100_000)
        ),
        format!(
            "<html><body>{}Bottom text.</body></html>",
            "<div></x>".repeat(100_000)
        ),
    ] {
        let handle = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || parse_bytes("t.html", html.as_bytes(), &IngestConfig::default()))
            .unwrap();
        let p = handle.join().expect("no stack overflow");
        assert_eq!(p.documents[0].text, "Bottom text.");
        assert_eq!(
            p.documents[0]
                .metadata
                .get("markup_too_deep")
                .map(String::as_str),
            Some("100000")
        );
    }
}

/// A FIFO named like a text file (in a folder being walked) must not block the
/// batch: opening it would wait for a writer forever.
#[test]
fn fifos_and_devices_are_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.txt");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipping: mkfifo is not available");
        return;
    }
    let good = write(
        dir.path(),
        "good.txt",
        b"Police in Lyon arrested two suspects on Monday.",
    );
    let (files, errors) = discover(&[dir.path().to_path_buf()]);
    assert!(errors.is_empty(), "{errors:?}");
    let cfg = IngestConfig::default();
    let started = Instant::now();
    for f in &files {
        let parsed = parse_file(f, &cfg);
        if *f == good {
            assert_eq!(parsed.documents.len(), 1);
        } else {
            assert_eq!(parsed.documents.len(), 0);
            assert!(
                parsed.errors[0].cause.contains("not a regular file"),
                "{:?}",
                parsed.errors
            );
        }
    }
    // Named explicitly (not only found by the walk), it is refused too.
    let direct = parse_file(&fifo, &cfg);
    assert!(
        direct.errors[0].cause.contains("not a regular file"),
        "{:?}",
        direct.errors
    );
    let dev = parse_file(Path::new("/dev/zero"), &cfg);
    assert!(
        dev.errors[0].cause.contains("not a regular file"),
        "{:?}",
        dev.errors
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}
