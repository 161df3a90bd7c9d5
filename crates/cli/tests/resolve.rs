//! `dossier resolve`: the resolution contract end to end (the binary, stdin to stdout).

use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::Write;
use std::process::{Command, Stdio};

const GOLD: &str = include_str!("../../resolve/tests/fixtures/coref_gold.jsonl");

/// Runs `dossier resolve` with `input` on stdin; returns its output lines.
fn resolve(input: &str, extra: &[&str]) -> Vec<Value> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dossier"))
        .arg("resolve")
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dossier runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("dossier finishes");
    writer.join().expect("writer").expect("stdin written");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("UTF-8 output")
        .lines()
        .map(|l| serde_json::from_str(l).expect("each output line is JSON"))
        .collect()
}

/// The fixture as contract input: id, text and the gold spans only.
fn fixture_input() -> (Vec<Value>, String) {
    let gold: Vec<Value> = GOLD
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("gold line"))
        .collect();
    let mut input = String::new();
    for d in &gold {
        let spans: Vec<Value> = d["mentions"]
            .as_array()
            .expect("mentions")
            .iter()
            .map(|m| json!({"start": m["start"], "end": m["end"]}))
            .collect();
        input.push_str(&json!({"id": d["id"], "text": d["text"], "mentions": spans}).to_string());
        input.push('\n');
    }
    (gold, input)
}

/// B-cubed F1 over the gold mentions, as ../shared/eval/score_coref.py.
fn b_cubed_f1(gold: &[Value], out: &[Value]) -> f64 {
    let mut pred: HashMap<(String, u64, u64), String> = HashMap::new();
    for d in out {
        for m in d["mentions"].as_array().into_iter().flatten() {
            let k = (
                d["id"].as_str().unwrap_or("").to_string(),
                m["start"].as_u64().unwrap_or(0),
                m["end"].as_u64().unwrap_or(0),
            );
            pred.entry(k).or_insert_with(|| m["entity"].to_string());
        }
    }
    let mut cells: HashMap<(String, String), f64> = HashMap::new();
    let mut gs: HashMap<String, f64> = HashMap::new();
    let mut rs: HashMap<String, f64> = HashMap::new();
    let mut n = 0.0;
    for d in gold {
        for m in d["mentions"].as_array().into_iter().flatten() {
            let k = (
                d["id"].as_str().unwrap_or("").to_string(),
                m["start"].as_u64().unwrap_or(0),
                m["end"].as_u64().unwrap_or(0),
            );
            let g = m["chain"].to_string();
            let r = pred
                .get(&k)
                .cloned()
                .unwrap_or_else(|| format!("singleton {k:?}"));
            *cells.entry((g.clone(), r.clone())).or_default() += 1.0;
            *gs.entry(g).or_default() += 1.0;
            *rs.entry(r).or_default() += 1.0;
            n += 1.0;
        }
    }
    let p = cells.iter().map(|((_, r), c)| c * c / rs[r]).sum::<f64>() / n;
    let r = cells.iter().map(|((g, _), c)| c * c / gs[g]).sum::<f64>() / n;
    2.0 * p * r / (p + r)
}

#[test]
fn resolves_the_fixture_with_ids_consistent_across_the_stream() {
    let (gold, input) = fixture_input();
    let out = resolve(&input, &[]);
    assert_eq!(out.len(), gold.len(), "one output line per document");
    for (g, o) in gold.iter().zip(&out) {
        assert_eq!(g["id"], o["id"]);
        let ms = o["mentions"].as_array().expect("mentions");
        assert_eq!(ms.len(), g["mentions"].as_array().map_or(0, Vec::len));
        for m in ms {
            assert!(m["label"].is_string() && m["entity"].is_string(), "{m}");
        }
    }
    let f = b_cubed_f1(&gold, &out);
    assert!(f >= 0.90, "fixture B-cubed F1 {:.2}", 100.0 * f);
}

#[test]
fn malformed_lines_give_an_error_line_and_the_rest_goes_on() {
    let input = concat!(
        "{\"id\": \"a\", \"text\": \"Helena Varga runs Kestrel Dynamics. Varga said it would grow.\"}\n",
        "this is not json\n",
        "{\"id\": \"b\", \"text\": \"short\", \"mentions\": [{\"start\": 3, \"end\": 99}]}\n",
        "{\"id\": \"c\", \"text\": \"Kestrel Dynamics hired Helena Varga.\", \"mentions\": [{\"start\": 0, \"end\": 16}, {\"start\": 23, \"end\": 35}]}\n",
    );
    let out = resolve(input, &[]);
    assert_eq!(out.len(), 4);
    assert!(
        out[0]["mentions"].as_array().is_some_and(|m| !m.is_empty()),
        "own extraction supplies mentions"
    );
    assert!(out[1]["error"].is_string());
    assert_eq!(out[2]["id"], "b");
    assert!(out[2]["error"]
        .as_str()
        .is_some_and(|e| e.contains("outside")));
    let c = out[3]["mentions"].as_array().expect("mentions of c");
    assert_eq!(c.len(), 2);
    assert_eq!(c[1]["label"], "Person");
    // "Helena Varga" in document c is the one extracted from document a.
    let a_varga = out[0]["mentions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|m| m["start"] == 0 && m["end"] == 12)
        .map(|m| m["entity"].clone());
    assert_eq!(a_varga, Some(c[1]["entity"].clone()));
}
