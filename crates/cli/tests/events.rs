//! Issue 6 on the sample corpus with events as graph nodes: its four attacks
//! are four event nodes, each joining the reports that name it, and "what
//! connects the attacks?" is asked of the events themselves.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

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

/// Days since 1970-01-01 of `YYYY-MM-DD`.
fn day(s: &str) -> i64 {
    let p: Vec<i64> = s
        .get(..10)
        .unwrap_or(s)
        .split('-')
        .map(|x| x.parse().unwrap())
        .collect();
    let (y, m, d) = (p[0], p[1], p[2]);
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy
}

#[test]
fn the_demo_attacks_are_four_event_nodes_and_connect_as_events() {
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
    let attacks = expected["attacks"].as_array().unwrap();
    assert_eq!(attacks.len(), 4);
    // ISO codes of the answer key's countries (the store keeps codes).
    let code = |country: &str| match country {
        "Sweden" => "SE",
        "Netherlands" => "NL",
        "France" => "FR",
        "Austria" => "AT",
        other => panic!("no code for {other}"),
    };

    let mut ids = Vec::new();
    for a in attacks {
        let city = a["city"].as_str().unwrap();
        let date = a["date"].as_str().unwrap();
        // Every attack node at the city whose date is the attack's (±1 day):
        // exactly one, so the reports of the attack joined one node.
        let at_city = json(dossier(&db).args([
            "events", "--type", "attack", "--place", city, "--limit", "100", "--json",
        ]));
        let same: Vec<&Value> = at_city
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| {
                e["date"]
                    .as_str()
                    .is_some_and(|d| d.len() == 10 && (day(d) - day(date)).abs() <= 1)
            })
            .collect();
        assert_eq!(same.len(), 1, "{city} {date}: {at_city:#}");
        let node = same[0];
        // It is the most reported attack there, reported by several documents,
        // placed in the attack's country only.
        assert_eq!(node["id"], at_city[0]["id"], "{at_city:#}");
        assert!(node["documents"].as_u64().unwrap() >= 2, "{node}");
        let countries: Vec<&str> = node["countries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(countries, vec![code(a["country"].as_str().unwrap())]);
        let name = node["name"].as_str().unwrap();
        // Named after its city (display names keep the first spelling stored).
        assert!(name.to_lowercase().contains(&city.to_lowercase()), "{name}");
        ids.push(node["id"].as_i64().unwrap());

        // Its profile: the place as a participant, every report with the
        // reason it joined and its sentence.
        let p = json(dossier(&db).args(["event", &ids[ids.len() - 1].to_string(), "--json"]));
        assert!(
            p["participants"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["role"] == "place"),
            "{p:#}"
        );
        let mentions = p["mentions"].as_array().unwrap();
        assert!(mentions.len() >= 2, "{p:#}");
        assert_eq!(
            mentions
                .iter()
                .filter(|m| m["reason"] == "new node")
                .count(),
            1,
            "{p:#}"
        );
        for m in mentions {
            assert!(m["sentence"]["text"]
                .as_str()
                .is_some_and(|t| !t.is_empty()));
        }
    }
    let mut distinct = ids.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 4, "attacks merged: {ids:?}");

    // "What connects the attacks in Malmö, Rotterdam, Lyon and Graz?" asked of
    // the four event nodes.
    let mut args = vec!["connect", "--events-of-type", "attack"];
    for a in attacks {
        args.extend(["--place", a["city"].as_str().unwrap()]);
    }
    args.extend([
        "--type",
        "Person",
        "--limit",
        "10",
        "--evidence",
        "1",
        "--json",
    ]);
    let v = json(dossier(&db).args(&args));
    let members: Vec<i64> = v["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            assert_eq!(m["kind"], "event", "{m}");
            m["id"].as_i64().unwrap()
        })
        .collect();
    let mut want: Vec<i64> = ids.iter().map(|id| -id).collect();
    want.sort_unstable();
    let mut got = members.clone();
    got.sort_unstable();
    assert_eq!(got, want);
    let shared = v["answer"]["shared"].as_array().unwrap();
    let first = shared[0]["node"]["name"].as_str().unwrap();
    for hub in expected["what_connects"]["must_not_be_first"]
        .as_array()
        .unwrap()
    {
        assert_ne!(Some(first), hub.as_str());
    }
    // The handler links several attacks, every link backed by sentences.
    let variants: Vec<&str> = expected["handler"]["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    let handler = shared
        .iter()
        .find(|s| variants.contains(&s["node"]["name"].as_str().unwrap_or("")))
        .unwrap_or_else(|| panic!("the handler connects no two attacks: {shared:#?}"));
    assert!(
        handler["members"].as_array().unwrap().len() >= 2,
        "{handler}"
    );
    let evidence = v["answer"]["evidence"].as_array().unwrap();
    for link in handler["links"].as_array().unwrap() {
        for e in link["edges"].as_array().unwrap() {
            let ev = evidence
                .iter()
                .find(|x| x["src"] == e["src"] && x["dst"] == e["dst"] && x["kind"] == e["kind"])
                .unwrap_or_else(|| panic!("no evidence for {e}"));
            let sentences = ev["evidence"].as_array().unwrap();
            assert!(!sentences.is_empty(), "{ev}");
            assert!(sentences
                .iter()
                .all(|s| !s["sentence"].as_str().unwrap().is_empty()));
        }
    }

    // An event's ego network exports with the node kinds.
    let out = run(dossier(&db).args([
        "export",
        "--format",
        "json",
        "--ego",
        &format!("event:{}", ids[0]),
    ]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let g: Value = serde_json::from_slice(&out.stdout).unwrap();
    let nodes = g["nodes"].as_array().unwrap();
    assert!(nodes
        .iter()
        .any(|n| n["kind"] == "event" && n["id"] == -ids[0]));
    assert!(nodes.iter().any(|n| n["kind"] == "entity"));
}
