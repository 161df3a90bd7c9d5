//! DOCX: word/document.xml paragraphs → text lines; docProps/core.xml metadata.
//!
//! Zip-bomb guard: declared sizes are checked before inflating, and the bytes
//! actually inflated are counted (declared sizes can lie) against
//! `Limits::max_uncompressed_bytes`, shared by every entry read.

use crate::{finish, normalize_date, Ctx, Parsed};
use dossier_core::{Document, Format};
use quick_xml::events::Event;
use std::cell::Cell;
use std::io::{BufReader, Cursor, Read};
use std::rc::Rc;

pub(crate) const ZIP_BOMB: &str = "zip bomb? uncompressed size exceeds limit";
pub(crate) const ZIP_BOMB_LIAR: &str = "zip bomb? entry inflates beyond its declared size";
/// core.xml is a few hundred bytes; anything beyond this is not metadata.
const MAX_CORE_XML: u64 = 1 << 20;

/// Counts bytes read through it and fails once more than the shared budget was read.
struct Budgeted<R> {
    inner: R,
    used: Rc<Cell<u64>>,
    limit: u64,
    exceeded: Rc<Cell<bool>>,
}

impl<R: Read> Read for Budgeted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let used = self.used.get().saturating_add(n as u64);
        self.used.set(used);
        if used > self.limit {
            self.exceeded.set(true);
            return Err(std::io::Error::other(ZIP_BOMB));
        }
        Ok(n)
    }
}

struct Budget {
    used: Rc<Cell<u64>>,
    limit: u64,
    exceeded: Rc<Cell<bool>>,
}

impl Budget {
    fn wrap<R: Read>(&self, inner: R) -> Budgeted<R> {
        Budgeted {
            inner,
            used: self.used.clone(),
            limit: self.limit,
            exceeded: self.exceeded.clone(),
        }
    }
    /// Refuses an entry whose declared size alone would exceed what is left.
    fn admits(&self, declared: u64) -> bool {
        self.used.get().saturating_add(declared) <= self.limit
    }
}

pub(crate) fn parse_docx(name: &str, bytes: &[u8], ctx: &Ctx) -> Parsed {
    match docx_document(name, bytes, ctx) {
        Ok(doc) => Parsed::one(finish(doc, ctx.limits())),
        Err(cause) => Parsed::error(name, cause),
    }
}

fn docx_document(name: &str, bytes: &[u8], ctx: &Ctx) -> Result<Document, String> {
    let limits = ctx.limits();
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| format!("not a valid .docx (zip): {e}"))?;
    let budget = Budget {
        used: Rc::new(Cell::new(0)),
        limit: limits.max_uncompressed_bytes,
        exceeded: Rc::new(Cell::new(false)),
    };
    let (text, truncated, warning) = {
        let entry = match zip.by_name("word/document.xml") {
            Ok(e) => e,
            Err(zip::result::ZipError::FileNotFound) => {
                return Err("not a .docx (no word/document.xml)".into());
            }
            Err(e) => return Err(format!("not a valid .docx (zip): {e}")),
        };
        if !budget.admits(entry.size()) {
            return Err(ZIP_BOMB.into());
        }
        let reader = BufReader::new(budget.wrap(entry));
        let out = document_text(reader, limits.max_text_bytes);
        if budget.exceeded.get() {
            return Err(ZIP_BOMB.into());
        }
        // The zip crate stops an entry that inflates past its declared size.
        if out
            .2
            .as_deref()
            .is_some_and(|w| w.contains("larger than its declared"))
        {
            return Err(ZIP_BOMB_LIAR.into());
        }
        out
    };
    let text = text.trim().to_string();
    if text.is_empty() {
        return Err(match warning {
            Some(w) => format!("malformed word/document.xml: {w}"),
            None => "empty document (no text)".into(),
        });
    }
    let mut doc = Document::new(name, Format::Docx, text);
    if truncated {
        doc.metadata.insert("truncated".into(), "true".into());
    }
    if let Some(w) = warning {
        doc.metadata
            .insert("warning".into(), format!("word/document.xml: {w}"));
    }
    if let Ok(entry) = zip.by_name("docProps/core.xml") {
        if entry.size() <= MAX_CORE_XML && budget.admits(entry.size()) {
            let props = core_props(BufReader::new(budget.wrap(entry.take(MAX_CORE_XML))));
            if budget.exceeded.get() {
                return Err(ZIP_BOMB.into());
            }
            for (key, value) in props {
                match key.as_str() {
                    "title" => doc.title = Some(value.clone()),
                    "creator" => doc.author = Some(value.clone()),
                    "created" => doc.published = normalize_date(&value),
                    _ => {}
                }
                doc.metadata.insert(key, value);
            }
        }
    }
    Ok(doc)
}

/// Paragraph text from document.xml, streamed: (text, truncated, parse error).
fn document_text<R: std::io::BufRead>(input: R, max_text: usize) -> (String, bool, Option<String>) {
    let mut reader = quick_xml::Reader::from_reader(input);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.allow_dangling_amp = true;
    let mut buf = Vec::new();
    let mut out = String::new();
    let mut in_text = false;
    loop {
        if out.len() > max_text {
            let cut = crate::floor_char_boundary(&out, max_text);
            out.truncate(cut);
            return (out, true, None);
        }
        let event = match reader.read_event_into(&mut buf) {
            Ok(e) => e,
            Err(e) => return (out, false, Some(short(&e.to_string()))),
        };
        match event {
            Event::Start(e) => match e.local_name().as_ref() {
                "t" => in_text = true,
                "tab" => out.push('\t'),
                "br" | "cr" => out.push('\n'),
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                "tab" => out.push('\t'),
                "br" | "cr" | "p" => out.push('\n'),
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "p" | "tr" => out.push('\n'),
                "tc" => out.push('\t'),
                _ => {}
            },
            Event::Text(t) if in_text => out.push_str(&t.xml10_content()),
            Event::CData(t) if in_text => out.push_str(&t.into_inner()),
            Event::GeneralRef(r) if in_text => {
                if let Some(c) = xml_entity(&r) {
                    out.push(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    (out, false, None)
}

fn xml_entity(r: &quick_xml::events::BytesRef) -> Option<char> {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return Some(c);
    }
    let name: &str = r;
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => return None,
    })
}

fn short(s: &str) -> String {
    let mut s = s.to_string();
    crate::truncate_string(&mut s, 200);
    s
}

/// Simple elements of docProps/core.xml by local name (title, creator, created...).
fn core_props<R: std::io::BufRead>(input: R) -> Vec<(String, String)> {
    let mut reader = quick_xml::Reader::from_reader(input);
    reader.config_mut().check_end_names = false;
    let mut buf = Vec::new();
    let mut current: Option<String> = None;
    let mut props = Vec::new();
    let mut value = String::new();
    while let Ok(event) = reader.read_event_into(&mut buf) {
        match event {
            Event::Start(e) => {
                current = Some(e.local_name().as_ref().to_string());
                value.clear();
            }
            Event::Text(t) if current.is_some() && value.len() < 2000 => {
                value.push_str(&t.xml10_content())
            }
            Event::GeneralRef(r) if current.is_some() => {
                if let Some(c) = xml_entity(&r) {
                    value.push(c);
                }
            }
            Event::End(_) => {
                if let Some(key) = current.take() {
                    let v = value.trim();
                    if !v.is_empty() && props.len() < 50 {
                        props.push((key, v.to_string()));
                    }
                }
                value.clear();
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    props
}
