//! Plain-text display of a document's facts (times, roles, quotes, relations,
//! events, claims) for `dossier show`: one line per fact, each with its span so
//! the reader can find the sentence behind it.

use dossier_core::{Arg, EventRole, Facts, QuoteKind};

fn arg(a: &Arg) -> String {
    format!("{} [{}–{}]", a.text, a.start, a.end)
}

fn opt(a: &Option<Arg>) -> String {
    a.as_ref().map_or_else(|| "?".to_string(), arg)
}

/// The facts as indented sections; sections without facts are left out.
pub fn render(f: &Facts) -> String {
    let mut out = String::new();
    let mut section = |title: &str, lines: Vec<String>| {
        if lines.is_empty() {
            return;
        }
        out.push_str(&format!("{} {title}:\n", lines.len()));
        for l in lines {
            out.push_str("  ");
            out.push_str(&l);
            out.push('\n');
        }
    };
    section(
        "time expression(s)",
        f.times
            .iter()
            .map(|t| {
                format!(
                    "{:>6}–{:<6} {:<8} {:<22} {}",
                    t.start,
                    t.end,
                    format!("{:?}", t.kind).to_uppercase(),
                    t.value,
                    t.text
                )
            })
            .collect(),
    );
    section(
        "role(s)",
        f.roles
            .iter()
            .map(|r| {
                let mut s = format!("{}: {}", opt(&r.person), arg(&r.title));
                if let Some(o) = &r.organisation {
                    s.push_str(&format!(", organisation {}", arg(o)));
                }
                if let Some(c) = &r.country {
                    s.push_str(&format!(", country {}", arg(c)));
                }
                if !r.qualifiers.is_empty() {
                    s.push_str(&format!(" ({})", r.qualifiers.join(", ")));
                }
                s
            })
            .collect(),
    );
    section(
        "quote(s)",
        f.quotes
            .iter()
            .map(|q| {
                let who = match (&q.speaker, &q.speaker_entity) {
                    (Some(s), Some(e)) if s.start != e.start || s.end != e.end => {
                        format!("{} → {}", arg(s), arg(e))
                    }
                    (_, Some(e)) => arg(e),
                    (Some(s), None) => arg(s),
                    (None, None) => "unattributed".to_string(),
                };
                let kind = match q.kind {
                    QuoteKind::Direct => "said",
                    QuoteKind::Reported => "reported",
                };
                let cue = q
                    .cue
                    .as_ref()
                    .map_or(String::new(), |c| format!(" ({})", c.text));
                format!(
                    "{who} {kind}{cue}: \u{201c}{}\u{201d} [{}–{}]",
                    crate::output::truncate(&crate::output::one_line(&q.text), 160),
                    q.start,
                    q.end
                )
            })
            .collect(),
    );
    section(
        "relation(s)",
        f.relations
            .iter()
            .map(|r| {
                format!(
                    "{} —{}→ {}  ({:.2})",
                    arg(&r.source),
                    r.kind,
                    arg(&r.target),
                    r.confidence
                )
            })
            .collect(),
    );
    section(
        "event(s)",
        f.events
            .iter()
            .map(|e| {
                let mut s = format!("{} {}", e.kind.as_str(), arg(&e.trigger));
                if let Some(m) = &e.modality {
                    s.push_str(&format!(" [{m}]"));
                }
                for a in &e.arguments {
                    let v = a
                        .value
                        .as_ref()
                        .map_or(String::new(), |v| format!(" = {v}"));
                    s.push_str(&format!("; {}: {}{v}", role_name(a.role), a.text));
                }
                s
            })
            .collect(),
    );
    section(
        "claim(s)",
        f.claims
            .iter()
            .map(|c| {
                let mut s = format!(
                    "{}: {} = {}{}{}",
                    opt(&c.subject),
                    c.attribute,
                    c.qualifier
                        .as_ref()
                        .map_or(String::new(), |q| format!("{q} ")),
                    c.value,
                    c.unit.as_ref().map_or(String::new(), |u| format!(" {u}")),
                );
                if let Some(src) = &c.source {
                    s.push_str(&format!(" (according to {})", src.text));
                }
                if let Some(t) = &c.time {
                    s.push_str(&format!(" ({})", t.value));
                }
                s
            })
            .collect(),
    );
    out
}

/// Event argument roles as spelled in JSON.
fn role_name(r: EventRole) -> &'static str {
    match r {
        EventRole::Agent => "agent",
        EventRole::Target => "target",
        EventRole::Participant => "participant",
        EventRole::Place => "place",
        EventRole::Time => "time",
        EventRole::Origin => "origin",
        EventRole::Destination => "destination",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dossier_core::{Event, EventArgument, EventType, Quote};

    fn a(text: &str, start: usize) -> Arg {
        Arg {
            start,
            end: start + text.chars().count(),
            text: text.into(),
        }
    }

    #[test]
    fn renders_quotes_and_events_with_spans() {
        let f = Facts {
            quotes: vec![Quote {
                start: 1,
                end: 20,
                text: "We will find them".into(),
                kind: QuoteKind::Direct,
                speaker: Some(a("the official", 30)),
                speaker_entity: Some(a("Marta Lindqvist", 0)),
                speaker_role: None,
                cue: Some(a("said", 25)),
                confidence: 0.9,
                extractor: "quotes/1".into(),
            }],
            events: vec![Event {
                kind: EventType::Attack,
                trigger: a("attack", 50),
                arguments: vec![EventArgument {
                    role: EventRole::Place,
                    start: 60,
                    end: 66,
                    text: "Malmö".into(),
                    value: None,
                }],
                modality: Some("foiled".into()),
                confidence: 0.8,
                extractor: "events/1".into(),
            }],
            ..Default::default()
        };
        let s = render(&f);
        assert!(s.contains("1 quote(s):"), "{s}");
        assert!(
            s.contains("the official [30–42] → Marta Lindqvist [0–15] said (said)"),
            "{s}"
        );
        assert!(
            s.contains("Attack attack [50–56] [foiled]; place: Malmö"),
            "{s}"
        );
        assert!(!s.contains("relation"), "{s}");
    }
}
