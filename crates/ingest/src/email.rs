//! E-mail: .eml (one message) and .mbox (one record per message), via
//! mail-parser. Headers go to metadata; the body is text/plain, else HTML
//! through [`crate::html_to_text`]; attachments are parsed recursively as child
//! documents, bounded by `Limits::max_attachment_depth`.

use crate::{extension_of, finish, normalize_date, parse_with, reparent, Ctx, Parsed};
use dossier_core::{Document, Format};
use mail_parser::{Address, Message, MessageParser, MimeHeaders, PartType};

pub(crate) fn parse_eml(name: &str, bytes: &[u8], ctx: &Ctx) -> Parsed {
    match MessageParser::default().parse(bytes) {
        Some(msg) => message_parsed(name, &msg, ctx),
        None => Parsed::error(name, "malformed e-mail (no headers)"),
    }
}

pub(crate) fn parse_mbox(name: &str, bytes: &[u8], ctx: &Ctx) -> Parsed {
    let mut parsed = Parsed::default();
    let mut count = 0usize;
    for (i, item) in
        mail_parser::mailbox::mbox::MessageIterator::new(std::io::Cursor::new(bytes)).enumerate()
    {
        count += 1;
        let record = format!("{name}#{}", i + 1);
        match item {
            Ok(m) => parsed.extend(parse_eml(&record, m.contents(), ctx)),
            Err(e) => parsed
                .errors
                .push(crate::IngestError::new(record, crate::io_cause(&e))),
        }
    }
    if count == 0 {
        return Parsed::error(name, "no messages found (not an mbox: no \"From \" line)");
    }
    parsed
}

fn format_addresses(a: Option<&Address>) -> Option<String> {
    let list: Vec<String> = a?
        .iter()
        .filter_map(|addr| match (addr.name(), addr.address()) {
            (Some(n), Some(e)) if !n.trim().is_empty() => Some(format!("{} <{e}>", n.trim())),
            (_, Some(e)) => Some(e.to_string()),
            (Some(n), None) => Some(n.trim().to_string()),
            (None, None) => None,
        })
        .collect();
    (!list.is_empty()).then(|| list.join(", "))
}

/// The body: every text/plain body part, or HTML ones converted to text.
fn body_text(msg: &Message) -> (String, bool) {
    let mut out = String::new();
    let mut problem = false;
    for part in msg.text_bodies() {
        problem |= part.is_encoding_problem;
        let piece = match &part.body {
            PartType::Text(t) => t.to_string(),
            PartType::Html(h) => crate::html_to_text(h),
            _ => continue,
        };
        if !piece.trim().is_empty() {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str(piece.trim_end());
        }
    }
    (out, problem)
}

fn message_parsed(name: &str, msg: &Message, ctx: &Ctx) -> Parsed {
    if msg.headers().is_empty() {
        return Parsed::error(name, "malformed e-mail (no headers)");
    }
    let limits = ctx.limits();
    let (body, _) = body_text(msg);
    // mail-parser recovers what it can from broken MIME (bad encodings, missing
    // boundaries) and flags the parts.
    let problem = msg.parts.iter().any(|p| p.is_encoding_problem);
    let empty_cause = if problem {
        "broken MIME: no readable body or attachment"
    } else {
        "empty e-mail (no text)"
    };
    let body_empty = body.trim().is_empty();
    if body_empty && msg.attachment_count() == 0 {
        return Parsed::error(name, empty_cause);
    }
    let mut doc = Document::new(name, Format::Email, body);
    let from = format_addresses(msg.from());
    let subject = msg
        .subject()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let date = msg.date().and_then(|d| normalize_date(&d.to_rfc3339()));
    doc.title = subject.clone();
    doc.author = from.clone();
    doc.published = date.clone();
    doc.outlet = msg
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .and_then(|e| e.rsplit_once('@'))
        .map(|(_, domain)| domain.trim_end_matches('>').to_ascii_lowercase())
        .filter(|d| !d.is_empty());
    let meta = &mut doc.metadata;
    let mut put = |k: &str, v: Option<String>| {
        if let Some(mut v) = v {
            crate::truncate_string(&mut v, 4000);
            meta.insert(k.to_string(), v);
        }
    };
    put("from", from);
    put("to", format_addresses(msg.to()));
    put("cc", format_addresses(msg.cc()));
    put("subject", subject);
    put("date", date);
    put("message_id", msg.message_id().map(str::to_string));
    if problem {
        put(
            "mime_warning",
            Some("a body part could not be decoded and was kept raw".into()),
        );
    }
    let doc = finish(doc, limits);
    let parent = doc.id.clone();
    let mut parsed = Parsed::one(doc);
    attachments(name, msg, &parent, ctx, &mut parsed);
    if body_empty && parsed.documents.len() == 1 {
        // Nothing readable anywhere: one clear error rather than an empty
        // document plus per-part noise.
        return Parsed::error(name, empty_cause);
    }
    parsed
}

/// Parses each attachment with the parser its name or type calls for; images and
/// other binaries with no text format are skipped (counted in metadata).
fn attachments(
    name: &str,
    msg: &Message,
    parent: &dossier_core::DocId,
    ctx: &Ctx,
    parsed: &mut Parsed,
) {
    let limits = ctx.limits();
    let mut skipped = 0usize;
    for (i, part) in msg.attachments().enumerate() {
        let source = format!("{name}#attachment{}", i + 1);
        if ctx.depth + 1 > limits.max_attachment_depth {
            parsed.errors.push(crate::IngestError::new(
                source,
                format!(
                    "attachment nested deeper than {} levels: skipped",
                    limits.max_attachment_depth
                ),
            ));
            continue;
        }
        let child = Ctx {
            cfg: ctx.cfg,
            depth: ctx.depth + 1,
            origin: None,
        };
        let file_name = part.attachment_name().map(str::to_string);
        let mut sub = match &part.body {
            PartType::Message(m) => message_parsed(&source, m, &child),
            PartType::Multipart(_) => continue,
            _ => {
                let ext = file_name
                    .as_deref()
                    .and_then(extension_of)
                    .filter(|e| crate::format_for_extension(e).is_some());
                let ext = ext.or_else(|| ext_for_mime(part).map(str::to_string));
                match ext {
                    Some(ext) => parse_with(&source, part.contents(), Some(&ext), &child),
                    None => {
                        skipped += 1;
                        continue;
                    }
                }
            }
        };
        if let Some(first) = sub.documents.first_mut() {
            if let Some(f) = &file_name {
                first.metadata.insert("attachment_name".into(), f.clone());
            }
        }
        reparent(&mut sub.documents, parent);
        parsed.extend(sub);
    }
    if skipped > 0 {
        if let Some(email) = parsed.documents.first_mut() {
            email
                .metadata
                .insert("attachments_skipped".into(), skipped.to_string());
        }
    }
}

fn ext_for_mime(part: &mail_parser::MessagePart) -> Option<&'static str> {
    let ct = part.content_type()?;
    let main = ct.ctype().to_ascii_lowercase();
    let sub = ct.subtype().unwrap_or("").to_ascii_lowercase();
    Some(match (main.as_str(), sub.as_str()) {
        ("text", "html") => "html",
        ("text", "markdown") => "md",
        ("text", "plain") => "txt",
        ("application", "pdf") => "pdf",
        ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document") => "docx",
        ("message", "rfc822") => "eml",
        ("application", "json") => "json",
        _ => return None,
    })
}
