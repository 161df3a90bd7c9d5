//! JSON and JSON Lines records with a text field.

use crate::{finish, normalize_date, Ctx, IngestError, Parsed};
use dossier_core::{Document, Format};
use serde_json::{Map, Value};

const TEXT_FIELDS: &[&str] = &["text", "body", "content"];
/// Scalar fields longer than this are not copied into metadata.
const MAX_META_VALUE: usize = 2000;

pub(crate) fn parse_json(name: &str, bytes: &[u8], ctx: &Ctx) -> Parsed {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.trim_start_matches('\u{feff}'),
        Err(_) => return Parsed::error(name, "not UTF-8 text (binary?)"),
    };
    if text.trim().is_empty() {
        return Parsed::error(name, "empty file (no text)");
    }
    // A whole-file JSON value (object or array) first; else JSON Lines.
    // serde_json's recursion limit (128) bounds nesting depth.
    // .jsonl is line records even when it has one line (sources are `file#N`).
    let is_lines = matches!(
        crate::extension_of(name).as_deref(),
        Some("jsonl" | "ndjson")
    );
    let whole = if is_lines {
        Ok(Value::Null)
    } else {
        serde_json::from_str::<Value>(text)
    };
    if let Err(e) = &whole {
        if text.lines().filter(|l| !l.trim().is_empty()).count() <= 1 {
            return Parsed::error(name, format!("malformed JSON: {e}"));
        }
    }
    if let (false, Ok(value)) = (is_lines, whole) {
        return match value {
            Value::Object(obj) => record_parsed(name.to_string(), obj, ctx),
            Value::Array(items) => {
                let mut parsed = Parsed::default();
                for (i, item) in items.into_iter().enumerate() {
                    let source = format!("{name}#{}", i + 1);
                    match item {
                        Value::Object(obj) => parsed.extend(record_parsed(source, obj, ctx)),
                        _ => parsed
                            .errors
                            .push(IngestError::new(source, "record is not a JSON object")),
                    }
                }
                parsed
            }
            _ => Parsed::error(name, "JSON is neither an object nor an array of objects"),
        };
    }
    let mut parsed = Parsed::default();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let source = format!("{name}#{}", i + 1);
        match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(obj)) => parsed.extend(record_parsed(source, obj, ctx)),
            Ok(_) => parsed
                .errors
                .push(IngestError::new(source, "record is not a JSON object")),
            Err(e) => parsed
                .errors
                .push(IngestError::new(source, format!("malformed JSON: {e}"))),
        }
    }
    parsed
}

fn string_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        // A list of authors / names.
        Value::Array(items) => {
            let parts: Vec<String> = items
                .iter()
                .filter_map(|x| match x {
                    Value::Object(o) => o.get("name").and_then(string_of),
                    other => string_of(other),
                })
                .collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        Value::Object(o) => o.get("name").and_then(string_of),
        Value::Null => None,
    }
}

fn first_of(obj: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| obj.get(*k).and_then(string_of))
}

fn record_parsed(source: String, obj: Map<String, Value>, ctx: &Ctx) -> Parsed {
    let text = TEXT_FIELDS.iter().find_map(|k| match obj.get(*k) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        _ => None,
    });
    let Some(text) = text else {
        return Parsed::error(source, "no text field (\"text\", \"body\" or \"content\")");
    };
    let mut doc = Document::new(source, Format::Json, text);
    doc.title = first_of(&obj, &["title", "headline", "subject"]);
    doc.url = first_of(&obj, &["url", "link"]);
    doc.author = first_of(&obj, &["author", "authors", "byline", "creator"]);
    doc.outlet = first_of(&obj, &["outlet", "source", "site_name", "publisher"]);
    doc.published = first_of(
        &obj,
        &[
            "published",
            "date",
            "published_at",
            "datePublished",
            "pubdate",
        ],
    )
    .and_then(|d| normalize_date(&d));
    if let Some(id) = obj.get("id").and_then(string_of) {
        doc.metadata.insert("record_id".into(), id);
    }
    for (k, v) in &obj {
        if TEXT_FIELDS.contains(&k.as_str()) || k == "id" {
            continue;
        }
        if let Some(s) = match v {
            Value::String(_) | Value::Number(_) | Value::Bool(_) => string_of(v),
            _ => None,
        } {
            if s.len() <= MAX_META_VALUE && doc.metadata.len() < 100 {
                doc.metadata.insert(k.clone(), s);
            }
        }
    }
    Parsed::one(finish(doc, ctx.limits()))
}
