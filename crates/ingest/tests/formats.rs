//! Positive tests per format, on small well-formed inputs built here.

mod common;

use dossier_core::Format;
use dossier_ingest::{jaccard_estimate, minhash, parse_bytes, parse_file, IngestConfig, Parsed};

fn cfg() -> IngestConfig {
    IngestConfig::default()
}

fn only_doc(p: &Parsed) -> &dossier_core::Document {
    assert!(p.errors.is_empty(), "unexpected errors: {:?}", p.errors);
    assert_eq!(
        p.documents.len(),
        1,
        "expected one document: {:?}",
        p.documents
    );
    &p.documents[0]
}

const STORY: &str = "The Dutch national counterterrorism coordinator Dick Schoof said on Wednesday that of the Netherlands' approximately 300 foreign fighters, slightly more than 50 have returned home. Officials say that the threat level remains substantial. The coordinator told reporters in The Hague that the security services were monitoring the returnees closely and that several had been arrested on arrival.";

#[test]
fn plain_text_gets_language_and_content_id() {
    let p = parse_bytes("story.txt", STORY.as_bytes(), &cfg());
    let d = only_doc(&p);
    assert_eq!(d.format, Format::Text);
    assert_eq!(d.text, STORY);
    assert_eq!(d.language.as_deref(), Some("eng"));
    assert_eq!(d.source, "story.txt");
    // Same content, same id (idempotent re-ingest).
    let again = parse_bytes("copy.txt", STORY.as_bytes(), &cfg());
    assert_eq!(again.documents[0].id, d.id);
}

#[test]
fn markdown_is_stripped_and_titled() {
    let md = "# Returning fighters\n\nSome **bold** and _emphasised_ words with a [link](http://example.org/x) and `code`.\n\n- first item\n- second item\n\n> quoted line\n\n| a | b |\n|---|---|\n| c | d |\n";
    let p = parse_bytes("notes.md", md.as_bytes(), &cfg());
    let d = only_doc(&p);
    assert_eq!(d.format, Format::Markdown);
    assert_eq!(d.title.as_deref(), Some("Returning fighters"));
    assert!(
        d.text
            .contains("Some bold and emphasised words with a link and code."),
        "{}",
        d.text
    );
    assert!(d.text.contains("first item\nsecond item"), "{}", d.text);
    assert!(d.text.contains("quoted line"));
    assert!(!d.text.contains("http://example.org"), "{}", d.text);
    assert!(!d.text.contains('#') && !d.text.contains("**"));
}

#[test]
fn html_article_with_metadata() {
    let html = r#"<!DOCTYPE html><html><head><title>Fighters return - The Daily Wire</title>
<meta property="og:site_name" content="The Daily Wire">
<meta property="article:published_time" content="2017-10-25T08:30:00Z">
<meta name="author" content="Jane Reporter">
<link rel="canonical" href="https://example.org/news/fighters">
<script>alert("never run me")</script><style>body{color:red}</style>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"Fighters return","datePublished":"2017-10-25T08:30:00Z","author":{"@type":"Person","name":"Jane Reporter"}}</script>
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<article><h1>Fighters return</h1>
<p>The Dutch national counterterrorism coordinator Dick Schoof said on Wednesday that of the Netherlands' approximately 300 foreign fighters, slightly more than 50 have returned home &amp; are being monitored.</p>
<p>Officials say that the threat level remains substantial. The coordinator told reporters in The Hague that the security services were monitoring the returnees closely and that several had been arrested on arrival at Schiphol airport.</p>
<p>Analysts said the figures were in line with earlier estimates published by the intelligence service, which has warned repeatedly about the risk posed by battle-hardened returnees.</p>
</article>
<footer>Copyright 2017 The Daily Wire. All rights reserved. Subscribe to our newsletter.</footer>
</body></html>"#;
    let p = parse_bytes("page.html", html.as_bytes(), &cfg());
    let d = only_doc(&p);
    assert_eq!(d.format, Format::Html);
    assert!(
        d.text
            .contains("slightly more than 50 have returned home & are being monitored"),
        "{}",
        d.text
    );
    assert!(d.text.contains("Schiphol airport"));
    assert!(!d.text.contains("alert("), "script leaked: {}", d.text);
    assert!(!d.text.contains("color:red"), "style leaked");
    assert!(
        !d.text.contains("Subscribe to our newsletter"),
        "footer boilerplate kept: {}",
        d.text
    );
    assert!(!d.text.contains("Sport"), "nav kept: {}", d.text);
    assert_eq!(d.title.as_deref(), Some("Fighters return"));
    assert_eq!(d.author.as_deref(), Some("Jane Reporter"));
    assert_eq!(d.outlet.as_deref(), Some("The Daily Wire"));
    assert_eq!(d.published_date(), Some("2017-10-25"));
    assert_eq!(d.url.as_deref(), Some("https://example.org/news/fighters"));
    assert_eq!(d.language.as_deref(), Some("eng"));
}

#[test]
fn pdf_text_layer_in_process() {
    let pdf = common::pdf_with_lines(
        &[
            "Dick Schoof said on Wednesday",
            "that fifty fighters have returned.",
        ],
        false,
    );
    let p = parse_bytes("report.pdf", &pdf, &cfg());
    let d = only_doc(&p);
    assert_eq!(d.format, Format::Pdf);
    assert!(
        d.text.contains("Dick Schoof said on Wednesday"),
        "{:?}",
        d.text
    );
    assert!(
        d.text.contains("fifty fighters have returned."),
        "{:?}",
        d.text
    );
}

#[test]
fn docx_paragraphs_and_core_properties() {
    let bytes = common::docx(
        &[
            "First paragraph about Dick Schoof & the coordinator.",
            "Second paragraph <quoted>.",
        ],
        "Briefing note",
        "J. Analyst",
        "2017-10-25T09:00:00Z",
    );
    let p = parse_bytes("note.docx", &bytes, &cfg());
    let d = only_doc(&p);
    assert_eq!(d.format, Format::Docx);
    assert_eq!(
        d.text,
        "First paragraph about Dick Schoof & the coordinator.\nSecond paragraph <quoted>."
    );
    assert_eq!(d.title.as_deref(), Some("Briefing note"));
    assert_eq!(d.author.as_deref(), Some("J. Analyst"));
    assert_eq!(d.published_date(), Some("2017-10-25"));
}

fn eml_with_attachment() -> String {
    let att_text = "Attached field report: fifty foreign fighters returned to the Netherlands.";
    let att_b64 = base64(att_text.as_bytes());
    format!(
        "From: Jane Reporter <jane@wire.example.org>\r\nTo: desk@paper.example.com, Bob <bob@paper.example.com>\r\nCc: chief@paper.example.com\r\nSubject: Returnees story\r\nDate: Wed, 25 Oct 2017 08:30:00 +0200\r\nMessage-ID: <abc123@wire.example.org>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XYZ\"\r\n\r\n--XYZ\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHi desk, the coordinator confirmed the numbers this morning.\r\n--XYZ\r\nContent-Type: text/plain; name=\"report.txt\"\r\nContent-Disposition: attachment; filename=\"report.txt\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{att_b64}\r\n--XYZ\r\nContent-Type: image/png; name=\"logo.png\"\r\nContent-Disposition: attachment; filename=\"logo.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--XYZ--\r\n"
    )
}

pub fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in data.chunks(3) {
        let b = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= c.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn eml_headers_body_and_attachment() {
    let eml = eml_with_attachment();
    let p = parse_bytes("mail.eml", eml.as_bytes(), &cfg());
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.documents.len(), 2, "{:#?}", p.documents);
    let mail = &p.documents[0];
    assert_eq!(mail.format, Format::Email);
    assert_eq!(
        mail.text,
        "Hi desk, the coordinator confirmed the numbers this morning."
    );
    assert_eq!(mail.title.as_deref(), Some("Returnees story"));
    assert_eq!(
        mail.author.as_deref(),
        Some("Jane Reporter <jane@wire.example.org>")
    );
    assert_eq!(mail.outlet.as_deref(), Some("wire.example.org"));
    assert_eq!(mail.published.as_deref(), Some("2017-10-25T08:30:00+02:00"));
    assert_eq!(
        mail.metadata.get("to").map(String::as_str),
        Some("desk@paper.example.com, Bob <bob@paper.example.com>")
    );
    assert_eq!(
        mail.metadata.get("cc").map(String::as_str),
        Some("chief@paper.example.com")
    );
    assert_eq!(
        mail.metadata.get("message_id").map(String::as_str),
        Some("abc123@wire.example.org")
    );
    assert_eq!(
        mail.metadata.get("attachments_skipped").map(String::as_str),
        Some("1")
    );
    let att = &p.documents[1];
    assert_eq!(
        att.text,
        "Attached field report: fifty foreign fighters returned to the Netherlands."
    );
    assert_eq!(att.parent.as_ref(), Some(&mail.id));
    assert_eq!(att.source, "mail.eml#attachment1");
    assert_eq!(
        att.metadata.get("attachment_name").map(String::as_str),
        Some("report.txt")
    );
    // The id covers the parent: the same attachment alone hashes differently.
    let alone = parse_bytes("report.txt", att.text.as_bytes(), &cfg());
    assert_ne!(alone.documents[0].id, att.id);
}

#[test]
fn eml_html_only_body_goes_through_html_to_text() {
    let eml = "From: a@b.example\r\nSubject: html\r\nContent-Type: text/html\r\n\r\n<html><head><style>p{}</style></head><body><p>Hello <b>desk</b> &amp; team.</p><script>x()</script></body></html>\r\n";
    let p = parse_bytes("h.eml", eml.as_bytes(), &cfg());
    let d = only_doc(&p);
    assert_eq!(d.text, "Hello desk & team.");
}

#[test]
fn mbox_records_are_numbered() {
    let mbox = "From jane@x.example Wed Oct 25 08:30:00 2017\nFrom: jane@x.example\nSubject: one\n\nFirst message body.\n\nFrom bob@y.example Wed Oct 25 09:30:00 2017\nFrom: bob@y.example\nSubject: two\n\nSecond message body.\n>From the desk, quoted.\n";
    let p = parse_bytes("box.mbox", mbox.as_bytes(), &cfg());
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.documents.len(), 2);
    assert_eq!(p.documents[0].source, "box.mbox#1");
    assert_eq!(p.documents[0].title.as_deref(), Some("one"));
    assert_eq!(p.documents[1].source, "box.mbox#2");
    assert!(
        p.documents[1].text.contains("From the desk, quoted."),
        "{}",
        p.documents[1].text
    );
}

#[test]
fn jsonl_records_and_bad_lines() {
    let jsonl = concat!(
        r#"{"id": "a1", "text": "Dick Schoof spoke in The Hague.", "title": "T1", "url": "https://e.org/1", "published": "2017-10-25", "author": "Jane", "source": "Wire"}"#,
        "\n",
        r#"{"id": 7, "body": "Second record body."}"#,
        "\n",
        "{not json\n",
        r#"{"id": "x", "title": "no text"}"#,
        "\n",
        r#"{"content": "Third via content."}"#,
        "\n"
    );
    let p = parse_bytes("recs.jsonl", jsonl.as_bytes(), &cfg());
    assert_eq!(p.documents.len(), 3, "{:?}", p.errors);
    let d = &p.documents[0];
    assert_eq!(d.source, "recs.jsonl#1");
    assert_eq!(d.metadata.get("record_id").map(String::as_str), Some("a1"));
    assert_eq!(d.title.as_deref(), Some("T1"));
    assert_eq!(d.url.as_deref(), Some("https://e.org/1"));
    assert_eq!(d.published.as_deref(), Some("2017-10-25"));
    assert_eq!(d.author.as_deref(), Some("Jane"));
    assert_eq!(d.outlet.as_deref(), Some("Wire"));
    assert_eq!(
        p.documents[1].metadata.get("record_id").map(String::as_str),
        Some("7")
    );
    assert_eq!(p.documents[2].text, "Third via content.");
    assert_eq!(p.errors.len(), 2);
    assert_eq!(p.errors[0].source_name, "recs.jsonl#3");
    assert!(
        p.errors[0].cause.starts_with("malformed JSON"),
        "{}",
        p.errors[0].cause
    );
    assert_eq!(p.errors[1].source_name, "recs.jsonl#4");
    assert!(p.errors[1].cause.contains("no text field"));
}

#[test]
fn json_array_and_single_object() {
    let arr = r#"[{"text": "one"}, 5, {"text": "two"}]"#;
    let p = parse_bytes("a.json", arr.as_bytes(), &cfg());
    assert_eq!(p.documents.len(), 2);
    assert_eq!(p.documents[1].source, "a.json#3");
    assert_eq!(p.errors.len(), 1);
    assert_eq!(p.errors[0].source_name, "a.json#2");
    let obj = "{\n  \"text\": \"single\",\n  \"title\": \"S\"\n}";
    let p = parse_bytes("o.json", obj.as_bytes(), &cfg());
    let d = only_doc(&p);
    assert_eq!(d.source, "o.json");
    assert_eq!(d.title.as_deref(), Some("S"));
}

#[test]
fn stdin_is_sniffed() {
    let c = cfg();
    let p = parse_bytes("stdin", b"{\"text\": \"a\"}\n{\"text\": \"b\"}\n", &c);
    assert_eq!(p.documents.len(), 2);
    assert_eq!(p.documents[0].format, Format::Json);
    let p = parse_bytes(
        "stdin",
        b"<!DOCTYPE html><html><body><p>Hello there.</p></body></html>",
        &c,
    );
    assert_eq!(only_doc(&p).format, Format::Html);
    let p = parse_bytes(
        "stdin",
        b"From: a@b.example\nTo: c@d.example\nSubject: hi\n\nBody here.\n",
        &c,
    );
    assert_eq!(only_doc(&p).format, Format::Email);
    assert_eq!(p.documents[0].title.as_deref(), Some("hi"));
    let p = parse_bytes("stdin", STORY.as_bytes(), &c);
    assert_eq!(only_doc(&p).format, Format::Text);
    let pdf = common::pdf_with_lines(&["Sniffed PDF text"], false);
    let p = parse_bytes("stdin", &pdf, &c);
    assert_eq!(only_doc(&p).format, Format::Pdf);
}

#[test]
fn unknown_extension_file_is_sniffed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("README");
    std::fs::write(&path, STORY).unwrap();
    let p = parse_file(&path, &cfg());
    assert_eq!(only_doc(&p).format, Format::Text);
    let bin = dir.path().join("blob.dat");
    std::fs::write(&bin, [0u8, 1, 2, 3, 0, 0, 255, 254, 7]).unwrap();
    let p = parse_file(&bin, &cfg());
    assert_eq!(p.errors.len(), 1);
    assert_eq!(p.errors[0].cause, "binary file");
}

#[test]
fn minhash_separates_copies_from_unrelated() {
    let wire = "BRUSSELS (Reuters) - European Union interior ministers agreed on Thursday to tighten checks at the bloc's external borders after a series of attacks by militants who had travelled to Syria, officials said. The ministers said the new rules would require systematic checks of all travellers, including EU citizens, against police databases. Several governments had pushed for the change after it emerged that some of the attackers in Paris had returned from Syria without being stopped. The measure still needs the approval of the European Parliament, which is expected to vote on it later this year.";
    let edited = "BRUSSELS - European Union interior ministers agreed on Thursday to tighten checks at the bloc's external borders after a series of attacks by militants who had travelled to Syria, officials said. The ministers said the new rules would require systematic checks of all travellers, including EU citizens, against police databases. Several governments had pushed for the change after it emerged that some of the attackers in Paris had returned from Syria without being stopped. The measure still needs the approval of the European Parliament, which is expected to vote on it in the autumn.";
    let unrelated = "The central bank left interest rates unchanged on Tuesday and signalled that it expects inflation to return to its target within two years, as wage growth picked up and unemployment fell to its lowest level in a decade. Markets had largely priced in the decision, and the currency was little changed after the announcement. Economists said the bank was likely to raise rates early next year if the recovery continued.";
    let (a, b, c) = (minhash(wire), minhash(edited), minhash(unrelated));
    assert_eq!(a.len(), 64);
    assert_eq!(a, minhash(wire), "deterministic");
    let near = jaccard_estimate(&a, &b);
    let far = jaccard_estimate(&a, &c);
    assert!(near > 0.7, "near-duplicate estimate {near}");
    assert!(far < 0.2, "unrelated estimate {far}");
    assert_eq!(jaccard_estimate(&minhash(""), &minhash("")), 0.0);
    // Case and punctuation do not matter.
    assert_eq!(
        minhash("The Quick, brown fox jumps over"),
        minhash("the quick brown FOX jumps over!")
    );
}
