//! `dossier_nlp::eval` prints exactly what ../shared/eval/score_ner.py prints.

use dossier_nlp::eval::{read_gold, read_predictions, score};
use std::path::PathBuf;
use std::process::Command;

#[test]
fn matches_the_python_scorer() {
    let scorer = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/eval/score_ner.py"
    ));
    if !scorer.exists() {
        eprintln!("skipping: {} not found", scorer.display());
        return;
    }
    let dir = std::env::temp_dir().join(format!("dossier-eval-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let gold = dir.join("gold.jsonl");
    let pred = dir.join("pred.jsonl");
    std::fs::write(
        &gold,
        concat!(
            r#"{"id":"a","text":"Dick Schoof met é Obama in Paris.","entities":[{"start":0,"end":11,"label":"Person"},{"start":18,"end":23,"label":"Person"},{"start":27,"end":32,"label":"Location"}]}"#,
            "\n",
            r#"{"id":"b","text":"NATO and ISIS","entities":[{"start":0,"end":4,"label":"Organisation"},{"start":9,"end":13,"label":"Organisation"}]}"#,
            "\n",
            r#"{"id":"c","text":"nothing here","entities":[]}"#,
            "\n"
        ),
    )
    .unwrap();
    std::fs::write(
        &pred,
        concat!(
            r#"{"id":"a","entities":[{"start":0,"end":11,"label":"Person"},{"start":0,"end":11,"label":"Person"},{"start":18,"end":23,"label":"Organisation"},{"start":27,"end":33,"label":"Location"},{"start":30,"end":99,"label":"Location"}]}"#,
            "\n",
            r#"{"id":"zz","entities":[]}"#,
            "\n",
            r#"{"id":"c","entities":[{"start":0,"end":7,"label":"Temporal"}]}"#,
            "\n"
        ),
    )
    .unwrap();
    let ours = score(
        &read_gold(&gold).unwrap(),
        &read_predictions(&pred).unwrap(),
    );
    let text = ours.render(&gold.display().to_string(), &pred.display().to_string());
    let py = match Command::new("python3")
        .arg(&scorer)
        .arg(&gold)
        .arg(&pred)
        .output()
    {
        Ok(o) if o.status.success() => o,
        _ => {
            eprintln!("skipping: python3 not available");
            return;
        }
    };
    assert_eq!(text, String::from_utf8_lossy(&py.stdout));
    let stderr = String::from_utf8_lossy(&py.stderr);
    for w in &ours.warnings {
        assert!(stderr.contains(w.as_str()), "{w} not in {stderr}");
    }
    assert_eq!(ours.warnings.len(), 3);
    let _ = std::fs::remove_dir_all(&dir);
}
