//! HTML: main article text (dom_smoothie, a readability port) and metadata from
//! <meta> tags and JSON-LD. Nothing is executed; scripts and styles are dropped.
//!
//! html5ever builds its tree iteratively, but readability walks it recursively,
//! so documents nested deeper than `Limits::max_markup_depth` (estimated by a
//! linear pre-scan) bypass the tree entirely and go through [`html_to_text`], a
//! linear tag stripper that cannot overflow or go quadratic.

use crate::text::looks_binary;
use crate::{finish, normalize_date, tidy_text, truncate_string, Ctx, Parsed};
use dom_smoothie::{Config, Readability, TextMode};
use dossier_core::{Document, Format};

/// Readability gives up (and the stripper takes over) beyond this many elements.
const MAX_ELEMENTS: usize = 100_000;
/// Meta tags kept as metadata, and the longest value kept.
const MAX_META: usize = 100;
const MAX_META_VALUE: usize = 2000;

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "param", "keygen", "basefont", "bgsound", "frame", "image",
];
/// Elements whose end tag is optional: an open one does not deepen the tree.
const OPTIONAL_END: &[&str] = &[
    "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead", "tbody", "tfoot",
    "colgroup", "caption", "rb", "rt", "rp", "rtc", "html", "head", "body",
];
/// Elements whose content is not markup (skipped to their end tag).
const RAW_TEXT: &[&str] = &[
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "template",
    "noscript",
];
/// Raw-text elements whose content is not prose.
const DROPPED: &[&str] = &[
    "script", "style", "template", "noscript", "iframe", "noembed", "noframes", "xmp",
];
const BLOCK: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "pre",
    "hr",
    "dt",
    "dd",
    "dl",
    "title",
    "aside",
    "nav",
    "main",
    "figure",
    "figcaption",
    "address",
    "form",
    "fieldset",
    "details",
    "summary",
    "td",
    "th",
];

/// Decodes HTML bytes: UTF-8, else the charset the document declares, else
/// UTF-8 with replacement when mostly valid.
pub(crate) fn decode_html(bytes: &[u8]) -> Result<String, String> {
    if let Ok(s) = std::str::from_utf8(bytes) {
        if looks_binary(bytes) {
            return Err("binary file".into());
        }
        return Ok(s.trim_start_matches('\u{feff}').to_string());
    }
    if looks_binary(bytes) {
        return Err("binary file".into());
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    if let Some(pos) = head.find("charset=") {
        let label: String = head[pos + 8..]
            .trim_start_matches(['"', '\''])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        if let Some(enc) = encoding_rs::Encoding::for_label(label.as_bytes()) {
            let (text, _, _) = enc.decode(bytes);
            return Ok(text.into_owned());
        }
    }
    crate::text::decode_text(bytes).map(|(s, _)| s)
}

pub(crate) fn parse_html(name: &str, bytes: &[u8], ctx: &Ctx) -> Parsed {
    let html = match decode_html(bytes) {
        Ok(h) => h,
        Err(cause) => return Parsed::error(name, cause),
    };
    match html_document(name, &html, ctx) {
        Ok(doc) => Parsed::one(finish(doc, ctx.limits())),
        Err(cause) => Parsed::error(name, cause),
    }
}

/// One HTML page → a document (text, title, byline, date, outlet, meta tags).
pub(crate) fn html_document(name: &str, html: &str, ctx: &Ctx) -> Result<Document, String> {
    let limits = ctx.limits();
    let lower = html.to_ascii_lowercase();
    let depth = estimate_depth(&lower);
    let mut meta = Meta::default();
    let mut text = String::new();
    let mut too_deep = false;
    if depth > limits.max_markup_depth {
        too_deep = true;
    } else {
        let dom = dom_query::Document::from(html);
        meta = collect_meta(&dom);
        let cfg = Config {
            max_elements_to_parse: MAX_ELEMENTS,
            text_mode: TextMode::Formatted,
            ..Config::default()
        };
        if let Ok(mut r) = Readability::with_document(dom, None, Some(cfg)) {
            if let Ok(article) = r.parse() {
                text = tidy_text(&article.text_content);
                set_if_empty(&mut meta.title, Some(article.title.to_string()));
                set_if_empty(&mut meta.byline, article.byline.clone());
                set_if_empty(&mut meta.site_name, article.site_name.clone());
                set_if_empty(&mut meta.published, article.published_time.clone());
                set_if_empty(&mut meta.url, article.url.clone());
            }
        }
    }
    if text.trim().is_empty() {
        // No article found (or too deep to look): all visible text.
        text = html_to_text_lower(html, &lower);
    }
    if meta.title.is_none() {
        meta.title = title_tag(html, &lower);
    }
    if text.trim().is_empty() {
        return Err("empty file (no text)".into());
    }
    truncate_string(&mut text, limits.max_text_bytes.saturating_add(4));
    let mut doc = Document::new(name, Format::Html, text);
    doc.title = meta.title.map(|t| clean_line(&t)).filter(|t| !t.is_empty());
    doc.author = meta
        .byline
        .map(|b| clean_byline(&b))
        .filter(|b| !b.is_empty());
    doc.outlet = meta
        .site_name
        .map(|s| clean_line(&s))
        .filter(|s| !s.is_empty());
    doc.published = meta.published.as_deref().and_then(normalize_date);
    doc.url = meta
        .url
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"));
    doc.metadata = meta.tags;
    if too_deep {
        doc.metadata
            .insert("markup_too_deep".into(), depth.to_string());
    }
    Ok(doc)
}

#[derive(Default)]
struct Meta {
    title: Option<String>,
    byline: Option<String>,
    site_name: Option<String>,
    published: Option<String>,
    url: Option<String>,
    tags: std::collections::BTreeMap<String, String>,
}

fn set_if_empty(slot: &mut Option<String>, value: Option<String>) {
    if slot.as_deref().is_none_or(|s| s.trim().is_empty()) {
        if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
            *slot = Some(v);
        }
    }
}

/// <meta name|property|itemprop=... content=...> and <link rel=canonical>.
fn collect_meta(dom: &dom_query::Document) -> Meta {
    let mut m = Meta::default();
    for node in dom.select("meta").nodes() {
        let key = node
            .attr("property")
            .or_else(|| node.attr("name"))
            .or_else(|| node.attr("itemprop"))
            .map(|k| k.to_ascii_lowercase());
        let (Some(key), Some(value)) = (key, node.attr("content")) else {
            continue;
        };
        let mut value = value.trim().to_string();
        if key.is_empty() || value.is_empty() {
            continue;
        }
        truncate_string(&mut value, MAX_META_VALUE);
        let k = key.as_str();
        if matches!(
            k,
            "og:title" | "twitter:title" | "dc.title" | "citation_title"
        ) {
            set_if_empty(&mut m.title, Some(value.clone()));
        }
        if matches!(
            k,
            "author"
                | "article:author"
                | "dc.creator"
                | "byl"
                | "sailthru.author"
                | "citation_author"
                | "parsely-author"
        ) && !value.starts_with("http")
        {
            set_if_empty(&mut m.byline, Some(value.clone()));
        }
        if matches!(
            k,
            "og:site_name"
                | "application-name"
                | "publisher"
                | "dc.publisher"
                | "citation_publisher"
                | "citation_journal_title"
        ) {
            set_if_empty(&mut m.site_name, Some(value.clone()));
        }
        if matches!(
            k,
            "article:published_time"
                | "datepublished"
                | "date"
                | "pubdate"
                | "publishdate"
                | "publish-date"
                | "dc.date"
                | "dc.date.issued"
                | "dcterms.created"
                | "citation_publication_date"
                | "citation_date"
                | "sailthru.date"
                | "parsely-pub-date"
                | "og:published_time"
                | "article.published"
                | "published_time"
                | "timestamp"
        ) {
            set_if_empty(&mut m.published, Some(value.clone()));
        }
        if k == "og:url" {
            set_if_empty(&mut m.url, Some(value.clone()));
        }
        if m.tags.len() < MAX_META && !m.tags.contains_key(k) {
            m.tags.insert(key, value);
        }
    }
    for node in dom.select("link[rel=canonical]").nodes() {
        set_if_empty(&mut m.url, node.attr("href").map(|h| h.to_string()));
    }
    for node in dom.select("time[datetime]").nodes().iter().take(1) {
        if let Some(dt) = node.attr("datetime") {
            if normalize_date(&dt).is_some() {
                set_if_empty(&mut m.published, Some(dt.to_string()));
            }
        }
    }
    m
}

fn clean_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn clean_byline(s: &str) -> String {
    let s = clean_line(s);
    for p in ["By ", "by ", "BY "] {
        if let Some(r) = s.strip_prefix(p) {
            return r.trim().to_string();
        }
    }
    s
}

/// Tag name starting at byte `i` of `lower` (after `<` or `</`).
fn tag_name(lower: &str, i: usize) -> &str {
    let rest = lower.get(i..).unwrap_or("");
    let end = rest
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || b == b'-' || b == b':' || b == b'_'))
        .unwrap_or(rest.len());
    &rest[..end]
}

/// Index just past the end tag `</name ...>` at or after `from`, or the end.
fn skip_past_end_tag(lower: &str, from: usize, name: &str) -> usize {
    let pat = format!("</{name}");
    match lower.get(from..).and_then(|r| r.find(&pat)) {
        Some(p) => {
            let after = from + p + pat.len();
            lower
                .get(after..)
                .and_then(|r| r.find('>'))
                .map_or(lower.len(), |q| after + q + 1)
        }
        None => lower.len(),
    }
}

/// Where a markup construct starting with `<` at `i` ends (index after it), and
/// what it is. Linear: every call advances past what it looked at.
enum Token<'a> {
    Open {
        name: &'a str,
        self_closing: bool,
        end: usize,
    },
    Close {
        name: &'a str,
        end: usize,
    },
    Other {
        end: usize,
    },
}

fn next_token(lower: &str, i: usize) -> Token<'_> {
    let b = lower.as_bytes();
    let gt = |from: usize| {
        lower
            .get(from..)
            .and_then(|r| r.find('>'))
            .map_or(lower.len(), |q| from + q + 1)
    };
    match b.get(i + 1) {
        Some(b'!') if lower.get(i..).is_some_and(|r| r.starts_with("<!--")) => {
            let end = lower
                .get(i + 4..)
                .and_then(|r| r.find("-->"))
                .map_or(lower.len(), |q| i + 4 + q + 3);
            Token::Other { end }
        }
        Some(b'!') | Some(b'?') => Token::Other { end: gt(i + 1) },
        Some(b'/') => {
            let name = tag_name(lower, i + 2);
            Token::Close {
                name,
                end: gt(i + 2),
            }
        }
        Some(c) if c.is_ascii_alphabetic() => {
            let name = tag_name(lower, i + 1);
            let end = gt(i + 1);
            let self_closing = end >= 2 && b.get(end - 2) == Some(&b'/');
            Token::Open {
                name,
                self_closing,
                end,
            }
        }
        _ => Token::Other { end: i + 1 },
    }
}

/// Maximum element nesting a browser would build, estimated in one linear pass
/// with a stack of open elements: void and optional-end elements do not count,
/// raw-text content is skipped, an end tag closes up to its element only when
/// one is open (stray end tags are ignored, as html5ever does), and `<x/>`
/// closes itself only inside SVG/MathML (in HTML it opens). Errs on the deep side.
pub(crate) fn estimate_depth(lower: &str) -> usize {
    let mut stack: Vec<&str> = Vec::new();
    let mut open: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut max = 0usize;
    let mut i = 0;
    while let Some(p) = lower.get(i..).and_then(|r| r.find('<')) {
        let at = i + p;
        match next_token(lower, at) {
            Token::Open {
                name,
                self_closing,
                end,
            } => {
                i = end;
                let foreign = open.get("svg").copied().unwrap_or(0)
                    + open.get("math").copied().unwrap_or(0)
                    > 0;
                if RAW_TEXT.contains(&name) && !foreign {
                    i = skip_past_end_tag(lower, end, name);
                } else {
                    let no_depth = (self_closing && foreign)
                        || VOID.contains(&name)
                        || OPTIONAL_END.contains(&name);
                    if no_depth {
                        continue;
                    }
                    stack.push(name);
                    *open.entry(name).or_insert(0) += 1;
                    max = max.max(stack.len());
                }
            }
            Token::Close { name, end } => {
                i = end;
                if open.get(name).copied().unwrap_or(0) > 0 {
                    // Pops are paid for by pushes: linear overall.
                    while let Some(top) = stack.pop() {
                        if let Some(c) = open.get_mut(top) {
                            *c = c.saturating_sub(1);
                        }
                        if top == name {
                            break;
                        }
                    }
                }
            }
            Token::Other { end } => i = end,
        }
    }
    max
}

/// All visible text of an HTML fragment or page, by a linear scan: tags removed,
/// scripts, styles and the head dropped, block elements on their own lines,
/// entities decoded. Used for e-mail HTML bodies and for pages readability cannot
/// take (too deep, too large, no article).
pub fn html_to_text(html: &str) -> String {
    html_to_text_lower(html, &html.to_ascii_lowercase())
}

fn html_to_text_lower(html: &str, lower: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut i = 0;
    while i < html.len() {
        let Some(p) = lower.get(i..).and_then(|r| r.find('<')) else {
            push_text(&mut out, html.get(i..).unwrap_or(""));
            break;
        };
        let at = i + p;
        push_text(&mut out, html.get(i..at).unwrap_or(""));
        match next_token(lower, at) {
            Token::Open {
                name,
                end,
                self_closing,
            } => {
                i = end;
                if name == "head"
                    && !self_closing
                    && lower.get(end..).is_some_and(|r| r.contains("</head"))
                {
                    i = skip_past_end_tag(lower, end, "head");
                } else if DROPPED.contains(&name) {
                    i = skip_past_end_tag(lower, end, name);
                } else if name == "title" || name == "textarea" {
                    // Raw text kept as text, not parsed as markup.
                    let close = lower
                        .get(end..)
                        .and_then(|r| r.find(&format!("</{name}")))
                        .map_or(lower.len(), |q| end + q);
                    push_text(&mut out, html.get(end..close).unwrap_or(""));
                    out.push('\n');
                    i = skip_past_end_tag(lower, end, name);
                } else if BLOCK.contains(&name) {
                    out.push('\n');
                } else if name == "td" || name == "th" {
                    out.push(' ');
                }
            }
            Token::Close { name, end } => {
                if BLOCK.contains(&name) {
                    out.push('\n');
                }
                i = end;
            }
            Token::Other { end } => i = end,
        }
    }
    tidy_text(&out)
}

/// Appends text with entities decoded and whitespace runs collapsed.
fn push_text(out: &mut String, s: &str) {
    if s.is_empty() {
        return;
    }
    let decoded = decode_entities(s);
    let mut last_space = out.ends_with([' ', '\n']) || out.is_empty();
    for c in decoded.chars() {
        if c.is_whitespace() && c != '\u{a0}' {
            if !last_space {
                out.push(' ');
                last_space = true;
            }
        } else {
            out.push(if c == '\u{a0}' { ' ' } else { c });
            last_space = false;
        }
    }
}

/// Decodes the common named and all numeric character references.
pub(crate) fn decode_entities(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('&') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        let after = &rest[p + 1..];
        let semi = after.bytes().take(12).position(|b| b == b';');
        let decoded = semi.and_then(|q| entity(&after[..q]).map(|c| (c, q)));
        match decoded {
            Some((c, q)) => {
                out.push(c);
                rest = &after[q + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse::<u32>().ok()?,
        };
        return char::from_u32(code).filter(|&c| c != '\0');
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "mdash" => '—',
        "ndash" => '–',
        "hellip" => '…',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "laquo" => '«',
        "raquo" => '»',
        "copy" => '©',
        "reg" => '®',
        "euro" => '€',
        "pound" => '£',
        "eacute" => 'é',
        "egrave" => 'è',
        "aacute" => 'á',
        "agrave" => 'à',
        "oacute" => 'ó',
        "uuml" => 'ü',
        "ouml" => 'ö',
        "auml" => 'ä',
        "szlig" => 'ß',
        "ccedil" => 'ç',
        "ntilde" => 'ñ',
        "iacute" => 'í',
        "uacute" => 'ú',
        "middot" => '·',
        "bull" => '•',
        _ => return None,
    })
}

/// Text of the first <title> element, by scan.
fn title_tag(html: &str, lower: &str) -> Option<String> {
    let start = lower.find("<title")?;
    let open_end = start + lower.get(start..)?.find('>')? + 1;
    let close = open_end + lower.get(open_end..)?.find("</title")?;
    let raw = html.get(open_end..close)?;
    let t = clean_line(&decode_entities(raw));
    (!t.is_empty()).then_some(t)
}

#[cfg(test)]
mod tests {
    use super::estimate_depth as d;

    #[test]
    fn depth_estimate_is_not_fooled() {
        assert_eq!(
            d("<html><body><div><p>a<p>b</div><img><br></body></html>"),
            1
        );
        assert_eq!(d("<div><div></div><div><span>x</span></div></div>"), 3);
        // Stray end tags do not close anything.
        assert_eq!(d(&"<div></x>".repeat(1000)), 1000);
        // `<div/>` opens in HTML; `<path/>` closes itself inside SVG.
        assert_eq!(d(&"<div/>".repeat(1000)), 1000);
        assert_eq!(d(&format!("<svg>{}</svg>", "<path/>".repeat(1000))), 1);
        // Script content is not markup.
        assert_eq!(
            d(&format!("<script>{}</script><div>x", "<div>".repeat(1000))),
            1
        );
        // Closing an outer element closes what it contains.
        assert_eq!(
            d(&format!(
                "<section>{}</section><div></div>",
                "<b>".repeat(10)
            )),
            11
        );
    }
}
