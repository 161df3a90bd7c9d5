//! End-to-end tests of the `dossier` binary: the user's view of the spine.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn dossier(db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dossier"));
    c.arg("--db").arg(db).env_remove("DOSSIER_DB");
    c
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("spawn dossier");
    assert_ne!(
        out.status.code(),
        Some(101),
        "dossier panicked: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn json(cmd: &mut Command) -> Value {
    let out = run(cmd);
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

fn write(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

fn story(i: usize) -> String {
    format!(
        "Report {i}. Investigators in Rotterdam said on Tuesday that Karim Velasco met members of the \
         Northern Crescent Brigade in Antwerp before attack number {i}. The Brigade denied any role. \
         Police arrested two suspects, and prosecutors in Lyon opened case {i} after the meeting."
    )
}

#[test]
fn demo_builds_a_searchable_knowledge_base() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("demo.db");
    let out = run(dossier(&db).arg("demo"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "demo failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("== documents") && stdout.contains("== most mentioned entities"),
        "{stdout}"
    );

    let expected: Value = serde_json::from_str(include_str!("../../../corpus/demo/expected.json"))
        .expect("corpus/demo/expected.json");
    let stats = json(dossier(&db).args(["stats", "--json"]));
    let want_docs = expected["documents"].as_u64().expect("expected.documents");
    assert_eq!(
        stats["documents"].as_u64(),
        Some(want_docs),
        "stats: {stats}"
    );
    assert!(
        stats["near_duplicate_links"].as_u64().unwrap_or(0) >= 1,
        "near-duplicate pair not linked: {stats}"
    );

    // Every format of the corpus went through its parser.
    let formats: Vec<String> = stats["by_format"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[0].as_str().unwrap().to_string())
        .collect();
    for f in ["text", "html", "pdf", "docx", "email", "json"] {
        assert!(
            formats.iter().any(|x| x == f),
            "no {f} document in {formats:?}"
        );
    }

    for s in expected["searches"].as_array().expect("expected.searches") {
        let q = s["query"].as_str().unwrap();
        let res = json(dossier(&db).args(["search", q, "--json", "--limit", "50"]));
        let sources: Vec<&str> = res["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["source"].as_str().unwrap())
            .collect();
        for must in s["must_include"].as_array().unwrap() {
            let must = must.as_str().unwrap();
            assert!(
                sources.iter().any(|src| src.contains(must)),
                "search {q:?} misses {must}: got {sources:?}"
            );
        }
    }

    // Running the demo again stores nothing new.
    let again = run(dossier(&db).arg("demo"));
    assert!(again.status.success());
    let stats2 = json(dossier(&db).args(["stats", "--json"]));
    assert_eq!(stats2["documents"], stats["documents"]);
    assert_eq!(stats2["mentions"], stats["mentions"]);
}

#[test]
fn ingest_search_show_and_idempotent_reingest() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("in");
    std::fs::create_dir_all(corpus.join("sub")).unwrap();
    for i in 0..5 {
        write(&corpus, &format!("r{i}.txt"), story(i).as_bytes());
    }
    write(
        &corpus.join("sub"),
        "wire.jsonl",
        br#"{"id":"w1","title":"Port raid","text":"Customs officers in Hamburg seized rifles hidden in a container bound for Tripoli.","published":"2025-04-02","url":"https://example.org/w1"}
{"id":"w2","title":"Court hearing","text":"A judge in Vienna heard evidence about encrypted messages sent to the Northern Crescent Brigade.","published":"2025-05-10"}
"#,
    );
    let db = tmp.path().join("kb.db");
    let out = run(dossier(&db).arg("ingest").arg(&corpus).arg("--json"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rep: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rep["inserted"], 7, "{rep}");

    let again: Value =
        serde_json::from_slice(&run(dossier(&db).arg("ingest").arg(&corpus).arg("--json")).stdout)
            .unwrap();
    assert_eq!(again["inserted"], 0, "re-ingest stored duplicates: {again}");
    assert_eq!(again["already_present"], 7);

    let res = json(dossier(&db).args(["search", "rifles", "container", "--json"]));
    assert_eq!(res["total"], 1, "{res}");
    let hit = &res["hits"][0];
    assert_eq!(hit["title"], "Port raid");
    let id = hit["id"].as_str().unwrap().to_string();

    // Filters: date range and source.
    let dated = json(dossier(&db).args(["search", "Brigade", "--from", "2025-05-01", "--json"]));
    assert_eq!(dated["total"], 1, "{dated}");
    let by_source = json(dossier(&db).args(["search", "Brigade", "--source", "r3.txt", "--json"]));
    assert_eq!(by_source["total"], 1, "{by_source}");

    // show by prefix, text and provenance.
    let shown = json(dossier(&db).args(["show", &id[..8], "--json"]));
    assert_eq!(shown["document"]["id"], id.as_str());
    let text = shown["document"]["text"].as_str().unwrap();
    for m in shown["mentions"].as_array().unwrap() {
        let m = &m["mention"];
        let (s, e) = (
            m["start"].as_u64().unwrap() as usize,
            m["end"].as_u64().unwrap() as usize,
        );
        let span: String = text.chars().skip(s).take(e - s).collect();
        assert_eq!(
            span,
            m["text"].as_str().unwrap(),
            "mention offsets must be code points"
        );
        assert!(m["extractor"].as_str().is_some_and(|x| !x.is_empty()));
    }
    let plain = run(dossier(&db).args(["show", &id[..8]]));
    assert!(String::from_utf8_lossy(&plain.stdout).contains("Customs officers"));

    let docs = json(dossier(&db).args(["docs", "--json", "--limit", "3"]));
    assert_eq!(docs.as_array().unwrap().len(), 3);
    let ents = json(dossier(&db).args(["entities", "--json"]));
    assert!(!ents.as_array().unwrap().is_empty());
}

#[test]
fn errors_are_one_actionable_line() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nothing-here.db");
    for args in [
        vec!["search", "x"],
        vec!["docs"],
        vec!["stats"],
        vec!["entities"],
        vec!["show", "abcd"],
    ] {
        let out = run(dossier(&missing).args(&args));
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains("nothing-here.db"), "{args:?}: {err}");
        assert!(!missing.exists(), "a read command created the database");
    }

    let db = tmp.path().join("kb.db");
    let dir = tmp.path().join("in");
    std::fs::create_dir_all(&dir).unwrap();
    write(&dir, "a.txt", story(1).as_bytes());
    assert!(run(dossier(&db).arg("ingest").arg(&dir)).status.success());

    let bad = run(dossier(&db).args(["search", "(unclosed OR"]));
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("bad query") && err.trim().lines().count() == 1,
        "{err}"
    );

    let bad_date = run(dossier(&db).args(["search", "x", "--from", "March"]));
    assert_eq!(bad_date.status.code(), Some(2));

    let nope = run(dossier(&db).args(["show", "ffffffff"]));
    assert_eq!(nope.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&nope.stderr).contains("no document"));

    let gone = run(dossier(&db)
        .arg("ingest")
        .arg(tmp.path().join("does-not-exist")));
    assert_eq!(gone.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&gone.stderr).contains("does-not-exist"));

    let help = run(Command::new(env!("CARGO_BIN_EXE_dossier")).args(["ingest", "--help"]));
    assert!(String::from_utf8_lossy(&help.stdout).contains("stdin"));
}

#[test]
fn hostile_files_fail_alone_and_the_batch_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir_all(&dir).unwrap();
    write(&dir, "good1.txt", story(1).as_bytes());
    write(&dir, "good2.html", b"<html><head><title>Raid</title></head><body><article><p>Police in Lyon raided a flat used by the Northern Crescent Brigade on Monday, seizing phones and cash.</p></article></body></html>");
    write(&dir, "empty.txt", b"");
    write(
        &dir,
        "binary.txt",
        &[0u8, 159, 146, 150, 0, 1, 2, 3, 255, 254, 0, 0, 7, 8].repeat(64),
    );
    write(&dir, "truncated.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R");
    write(
        &dir,
        "notazip.docx",
        b"PK\x03\x04 this is not really a zip archive",
    );
    let deep = "<div>".repeat(100_000);
    write(&dir, "deep.html", deep.as_bytes());
    write(
        &dir,
        "broken.jsonl",
        b"{\"text\": \"A valid record about Hamburg port security.\"}\n{not json\n",
    );

    let db = tmp.path().join("kb.db");
    let out = run(dossier(&db).arg("ingest").arg(&dir).arg("--json"));
    assert_eq!(
        out.status.code(),
        Some(1),
        "exit status must report failures"
    );
    let rep: Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors = rep["errors"].as_array().unwrap();
    let failed: Vec<&str> = errors
        .iter()
        .map(|e| e["source"].as_str().unwrap())
        .collect();
    for name in [
        "empty.txt",
        "binary.txt",
        "truncated.pdf",
        "notazip.docx",
        "broken.jsonl",
    ] {
        assert!(
            failed.iter().any(|f| f.contains(name)),
            "{name} not reported: {rep}"
        );
    }
    for e in errors {
        assert!(!e["error"].as_str().unwrap().is_empty());
    }
    // good1, good2, the valid JSONL record (and the deep HTML if it yields text).
    let stats = json(dossier(&db).args(["stats", "--json"]));
    assert!(stats["documents"].as_u64().unwrap() >= 3, "{stats} {rep}");
    let res = json(dossier(&db).args(["search", "Hamburg", "--json"]));
    assert_eq!(res["total"], 1);
}

#[test]
fn stdin_and_extract_contract() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("kb.db");
    let mut child = dossier(&db)
        .args(["ingest", "-", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(story(9).as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rep: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rep["inserted"], 1);

    let input = "{\"id\": \"a\", \"text\": \"Café owner Dick Schoof met “NATO” officials in Den Haag.\", \"published\": \"2017-10-25\"}\n\
                 {broken\n\
                 {\"id\": 7, \"nope\": 1}\n\
                 {\"id\": \"c\", \"text\": \"\"}\n";
    let mut child = Command::new(env!("CARGO_BIN_EXE_dossier"))
        .arg("extract")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "one output line per input line");
    assert_eq!(lines[0]["id"], "a");
    assert!(lines[1]["error"].is_string() && lines[1]["id"].is_null());
    assert_eq!(lines[2]["id"], 7);
    assert!(lines[2]["error"].is_string());
    assert_eq!(lines[3]["id"], "c");
    assert_eq!(lines[3]["entities"].as_array().unwrap().len(), 0);
    let text = "Café owner Dick Schoof met “NATO” officials in Den Haag.";
    let ents = lines[0]["entities"].as_array().unwrap();
    assert!(!ents.is_empty());
    for e in ents {
        let (s, en) = (
            e["start"].as_u64().unwrap() as usize,
            e["end"].as_u64().unwrap() as usize,
        );
        let span: String = text.chars().skip(s).take(en - s).collect();
        assert_eq!(span, e["text"].as_str().unwrap());
    }
}

/// SIGKILL in the middle of an ingest leaves a consistent database, and running
/// the same ingest again completes it with no duplicates and nothing lost.
#[test]
fn sigkill_mid_ingest_then_rerun_completes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir_all(&dir).unwrap();
    let n = 1500;
    for i in 0..n {
        write(
            &dir,
            &format!("s{i:05}.txt"),
            format!("{} {}", story(i), story(i + n)).as_bytes(),
        );
    }
    let db = tmp.path().join("kb.db");
    let mut child = dossier(&db)
        .args(["ingest", "--threads", "2"])
        .arg(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill once some batches are committed but (very likely) before the end.
    let wal = tmp.path().join("kb.db-wal");
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let committed = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        if committed > 256 * 1024 {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL on Unix
    let status = child.wait().unwrap();
    let killed_early = status.code().is_none();

    let partial = json(dossier(&db).args(["stats", "--json"]));
    let partial_docs = partial["documents"].as_u64().unwrap();
    eprintln!(
        "killed early: {killed_early}; {partial_docs} of {n} documents committed before the kill"
    );
    if killed_early {
        assert!(
            partial_docs < n as u64,
            "killed run stored everything; make the corpus larger"
        );
    }

    let out = run(dossier(&db).args(["ingest", "--json"]).arg(&dir));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rep: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        rep["inserted"].as_u64().unwrap() + partial_docs,
        n as u64,
        "{rep}"
    );

    // Same content as a clean ingest: every document with all its mentions.
    let clean_db = tmp.path().join("clean.db");
    assert!(run(dossier(&clean_db).arg("ingest").arg(&dir))
        .status
        .success());
    let resumed = json(dossier(&db).args(["stats", "--json"]));
    let clean = json(dossier(&clean_db).args(["stats", "--json"]));
    assert_eq!(resumed["documents"], clean["documents"]);
    assert_eq!(resumed["mentions"], clean["mentions"]);
    assert_eq!(resumed["entities"], clean["entities"]);
}

fn shared_data() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if p.join("conll2003/train.jsonl").exists() {
        Some(p)
    } else {
        eprintln!("skipping: ../shared/data is absent (needs conll2003/train.jsonl)");
        None
    }
}

/// `dossier train` on a slice of CoNLL, then `dossier eval` with the new model
/// and with the shipped one; `eval --pred` scores an `extract` output file.
#[test]
fn train_and_eval_commands() {
    let Some(data) = shared_data() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let train_text = std::fs::read_to_string(data.join("conll2003/train.jsonl")).unwrap();
    let slice: String = train_text
        .lines()
        .take(40)
        .map(|l| format!("{l}\n"))
        .collect();
    let train_file = write(tmp.path(), "train.jsonl", slice.as_bytes());
    let dev_text = std::fs::read_to_string(data.join("conll2003/dev.jsonl")).unwrap();
    let dev_slice: String = dev_text
        .lines()
        .take(15)
        .map(|l| format!("{l}\n"))
        .collect();
    let dev_file = write(tmp.path(), "dev.jsonl", dev_slice.as_bytes());
    let models = tmp.path().join("models");

    let out = run(Command::new(env!("CARGO_BIN_EXE_dossier"))
        .args([
            "train",
            "--schema",
            "conll",
            "--epochs",
            "2",
            "--train-file",
        ])
        .arg(&train_file)
        .arg("--out")
        .arg(&models));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(models.join("conll.bin").exists());

    let micro = |out: &Output| -> f64 {
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with("MICRO"))
            .unwrap_or_else(|| panic!("{text}"));
        line.split_whitespace().last().unwrap().parse().unwrap()
    };
    let small = run(Command::new(env!("CARGO_BIN_EXE_dossier"))
        .arg("eval")
        .arg(&dev_file)
        .arg("--models")
        .arg(&models));
    assert!(
        small.status.success(),
        "{}",
        String::from_utf8_lossy(&small.stderr)
    );
    let shipped = run(Command::new(env!("CARGO_BIN_EXE_dossier"))
        .arg("eval")
        .arg(&dev_file));
    let (f_small, f_shipped) = (micro(&small), micro(&shipped));
    assert!(
        f_small > 20.0,
        "a model trained on 40 documents learns something: {f_small}"
    );
    assert!(
        f_shipped > f_small && f_shipped > 85.0,
        "shipped {f_shipped} vs small {f_small}"
    );

    // Scoring a prediction file gives the same figures as scoring the extractor directly.
    let mut child = Command::new(env!("CARGO_BIN_EXE_dossier"))
        .args(["extract", "--schema", "conll"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(dev_slice.as_bytes())
            .unwrap();
    }
    let pred = child.wait_with_output().unwrap();
    let pred_file = write(tmp.path(), "pred.jsonl", &pred.stdout);
    let scored = run(Command::new(env!("CARGO_BIN_EXE_dossier"))
        .arg("eval")
        .arg(&dev_file)
        .arg("--pred")
        .arg(&pred_file));
    assert_eq!(micro(&scored), f_shipped);
}

/// Issue 6's question on the sample corpus: which person connects the attackers
/// of its four attacks? The planted handler must come first, with the sentences
/// behind each link; the answer key (corpus/demo/expected.json) names him and
/// his spellings, and the hubs that must not win.
#[test]
fn demo_graph_finds_the_planted_handler_with_evidence() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("demo.db");
    let out = run(dossier(&db).arg("demo"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected: Value =
        serde_json::from_str(include_str!("../../../corpus/demo/expected.json")).unwrap();
    let attackers: Vec<String> = expected["attacks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let n = a["perpetrators"][0].as_str().unwrap();
            n.split(" (").next().unwrap().to_string()
        })
        .collect();
    assert_eq!(attackers.len(), 4);
    let mut args = vec!["connect".to_string()];
    args.extend(attackers.iter().cloned());
    args.extend(["--type", "Person", "--json", "--evidence", "1"].map(String::from));
    let v = json(dossier(&db).args(&args));
    let first = &v["answer"]["shared"][0];
    let name = first["node"]["name"].as_str().unwrap_or("");
    let variants: Vec<&str> = expected["handler"]["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert!(
        variants.contains(&name),
        "first connecting person is {name:?}, not the handler ({variants:?}): {}",
        v["answer"]["shared"]
    );
    for hub in expected["what_connects"]["must_not_be_first"]
        .as_array()
        .unwrap()
    {
        assert_ne!(Some(name), hub.as_str());
    }
    // He links at least three of the four attackers, and each direct link of his
    // is backed by a stored sentence.
    assert!(first["members"].as_array().unwrap().len() >= 3, "{first}");
    let evidence = v["answer"]["evidence"].as_array().unwrap();
    assert!(!evidence.is_empty(), "no evidence: {v}");
    for e in evidence {
        for s in e["evidence"].as_array().unwrap() {
            assert!(!s["sentence"].as_str().unwrap().is_empty(), "{s}");
        }
    }

    // Path from one attacker to the handler: every hop carries a sentence.
    let handler_id = first["node"]["id"].as_i64().unwrap();
    let p = json(dossier(&db).args([
        "path",
        &attackers[3],
        &format!("#{handler_id}"),
        "-k",
        "3",
        "--json",
    ]));
    let paths = p["paths"].as_array().unwrap();
    assert!(!paths.is_empty(), "{p}");
    for hop in paths[0]["hops"].as_array().unwrap() {
        assert!(
            !hop["evidence"].as_array().unwrap().is_empty(),
            "hop without evidence: {hop}"
        );
    }

    // The entity profile and the exports work on the same base.
    let profile = json(dossier(&db).args(["entity", &format!("#{handler_id}"), "--json"]));
    assert!(
        profile["summary"]["mentions"].as_u64().unwrap() >= 5,
        "{profile}"
    );
    for format in ["graphml", "gexf", "json"] {
        let out = run(dossier(&db).args([
            "export",
            "--format",
            format,
            "--ego",
            &format!("#{handler_id}"),
        ]));
        assert!(
            out.status.success(),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("Velasco"),
            "{format} export lacks the handler"
        );
    }
}

/// The answer key's planted contradiction (corpus/demo/expected.json,
/// "conflicting_claims"): the Northern Crescent Brigade's recruits in Europe are
/// "about 40" for some sources and "more than 60" for others. `claims --conflicts`
/// must report it with each side's value, qualifier, source, document and sentence,
/// and must not pair the recruits with the returned foreign fighters (the trap in
/// "not_conflicting").
#[test]
fn demo_claims_conflicts_find_the_planted_contradiction() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("demo.db");
    let out = run(dossier(&db).arg("demo"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected: Value =
        serde_json::from_str(include_str!("../../../corpus/demo/expected.json")).unwrap();
    let planted = &expected["conflicting_claims"][0];
    let subject = planted["subject"].as_str().unwrap();
    let acronym: String = subject
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .collect();
    let attribute = planted["attribute"].as_str().unwrap().to_lowercase();
    let names_subject = |s: &str| s.contains(subject) || s.trim_start_matches("the ") == acronym;

    let v = json(dossier(&db).args(["claims", "--conflicts", "--json"]));
    let disputes = v["disputes"].as_array().unwrap();
    let d = disputes
        .iter()
        .find(|d| {
            d["attribute"].as_str() == Some(attribute.as_str())
                && (names_subject(d["subject_name"].as_str().unwrap_or(""))
                    || d["claims"].as_array().unwrap().iter().any(|c| {
                        names_subject(c["claim"]["fact"]["subject"]["text"].as_str().unwrap_or(""))
                    }))
        })
        .unwrap_or_else(|| panic!("no dispute about {subject} / {attribute}: {v:#}"));
    let claims = d["claims"].as_array().unwrap();
    let pairs = d["pairs"].as_array().unwrap();
    let side = |c: &Value| {
        (
            c["claim"]["fact"]["value"].as_f64().unwrap(),
            c["claim"]["fact"]["qualifier"]
                .as_str()
                .unwrap_or("")
                .to_string(),
        )
    };
    // Every pair sets a figure near 40 against one above 60.
    assert!(!pairs.is_empty(), "{d:#}");
    for p in pairs {
        let (a, b) = (
            side(&claims[p[0].as_u64().unwrap() as usize]),
            side(&claims[p[1].as_u64().unwrap() as usize]),
        );
        let (low, high) = if a.0 < b.0 { (a, b) } else { (b, a) };
        assert_eq!(low.0, 40.0, "{d:#}");
        assert_eq!((high.0, high.1.as_str()), (60.0, "more than"), "{d:#}");
    }
    // The answer key's claims by named people are there with their value,
    // qualifier and source; the sides span at least two documents.
    for want in planted["claims"].as_array().unwrap() {
        let value = want["value"].as_f64().unwrap();
        let qualifier = want["qualifier"].as_str().unwrap();
        let source = want["source"].as_str().unwrap();
        let person = source.split_whitespace().count() == 2;
        let surname = source.split_whitespace().last().unwrap();
        let hit = claims.iter().any(|c| {
            side(c) == (value, qualifier.to_string())
                && (!person || c["source"].as_str().unwrap_or("").contains(surname))
        });
        assert!(hit, "{value} {qualifier} ({source}) missing from {d:#}");
    }
    let docs: std::collections::BTreeSet<&str> = claims
        .iter()
        .map(|c| c["claim"]["doc"].as_str().unwrap())
        .collect();
    assert!(docs.len() >= 2, "{d:#}");
    for c in claims {
        let sentence = c["claim"]["sentence"]["text"].as_str().unwrap_or("");
        let quantity = c["claim"]["fact"]["quantity"]["text"].as_str().unwrap();
        assert!(
            sentence.contains(quantity),
            "evidence {sentence:?} lacks {quantity:?}"
        );
        assert!(!c["source"].as_str().unwrap_or("").is_empty(), "{c:#}");
        // The trap: "slightly more than 60 have returned" is another attribute.
        assert!(!sentence.contains("have returned"), "{c:#}");
    }
    for c in v["conflicts"].as_array().unwrap() {
        for side in ["a", "b"] {
            let attr = c[side]["fact"]["attribute"].as_str().unwrap_or("");
            assert!(
                !attr.contains("returned")
                    || !c["attribute"].as_str().unwrap_or("").contains("recruit"),
                "{c:#}"
            );
        }
    }

    // Every contradiction of the answer key is one dispute holding its figures
    // (the Rotterdam injured too: 11 first reported, 13 after the revision).
    for want in expected["conflicting_claims"].as_array().unwrap() {
        let subject_word = want["subject"]
            .as_str()
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap();
        let attr_word = want["attribute"]
            .as_str()
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap();
        let values: std::collections::BTreeSet<u64> = want["claims"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["value"].as_f64().unwrap() as u64)
            .collect();
        let found = disputes.iter().any(|d| {
            let got: std::collections::BTreeSet<u64> = d["claims"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["claim"]["fact"]["value"].as_f64().unwrap() as u64)
                .collect();
            d["subject_name"]
                .as_str()
                .unwrap_or("")
                .contains(subject_word)
                && d["attribute"].as_str().unwrap_or("").contains(attr_word)
                && got == values
        });
        assert!(found, "no dispute for {want:#}: {v:#}");
    }

    // The text view shows the subject, attribute, both figures and the sentences.
    let out = run(dossier(&db).args(["claims", "--conflicts"]));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&attribute), "{text}");
    assert!(
        text.contains("about 40") && text.contains("more than 60"),
        "{text}"
    );
    assert!(
        text.contains("Lindqvist") && text.contains("Ferhat"),
        "{text}"
    );
}
