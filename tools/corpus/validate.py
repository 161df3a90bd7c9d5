#!/usr/bin/env python3
"""Check the demo corpus and keep corpus/demo/expected.json honest.

Run from anywhere:  python3 tools/corpus/validate.py
                    python3 tools/corpus/validate.py --print   (show computed hit sets)

What it checks, with nothing but the Python standard library (plus the
`pdftotext` program from poppler-utils for the PDFs, if present):
  * every file parses in its format (e-mail and mbox with the email module,
    DOCX as a zip with WordprocessingML text, PDF text layer via pdftotext,
    HTML tag balance, JSONL record fields);
  * the document count and per-format counts in expected.json;
  * every search expectation: the files listed in `must_include` contain the
    query in their *minimal* text (article body, e-mail bodies and
    attachments - what any reasonable extractor keeps), and every file that
    contains it even in its *maximal* text (all HTML text, e-mail headers,
    metadata) is listed in `must_include` or `may_include`;
  * entity expectations: at least `min_documents` documents mention one of
    the listed name variants;
  * the near-duplicate pair is near (word 5-shingle Jaccard >= 0.6) and no
    other pair of documents is.

Exit status 0 when everything holds, 1 otherwise.
"""

from __future__ import annotations

import email
import email.policy
import html
import json
import mailbox
import re
import shutil
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "corpus" / "demo"
DOCS = DEMO / "docs"

VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link",
    "meta", "source", "track", "wbr",
}
# Containers whose text a main-text extractor should drop.
BOILER_TAGS = {"nav", "header", "footer", "aside", "script", "style", "form", "button"}
BOILER_CLASS = re.compile(
    r"\b(ad|ads|advert|ad-slot|pub|cookie|share|related|most-read|read-also|newsletter|topbar|breadcrumb|contact|sidebar|skip-link)\b|cookie-banner"
)

errors: list[str] = []


def fail(msg: str) -> None:
    errors.append(msg)


class Doc:
    """One logical document: a file, or a record/message/attachment in it."""

    def __init__(self, file: str, key: str, minimal: str, maximal: str):
        self.file = file
        self.key = key
        self.minimal = minimal
        self.maximal = maximal


class HtmlText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, is boilerplate)
        self.all: list[str] = []
        self.main: list[str] = []
        self.in_article = 0
        self.balance_errors: list[str] = []

    def _boiler(self) -> bool:
        return any(b for _, b in self.stack)

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        a = dict(attrs)
        cls = " ".join(filter(None, [a.get("class"), a.get("id")]))
        boiler = tag in BOILER_TAGS or bool(BOILER_CLASS.search(cls))
        # <header>/<footer> inside <article> are part of the article only
        # when they carry the headline; keep the headline either way.
        if tag == "article":
            self.in_article += 1
        self.stack.append((tag, boiler))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.balance_errors.append("unexpected </%s> (open: %s)" % (tag, [t for t, _ in self.stack[-3:]]))
            # recover: pop to the matching tag if any
            for i in range(len(self.stack) - 1, -1, -1):
                if self.stack[i][0] == tag:
                    del self.stack[i:]
                    break
            return
        self.stack.pop()
        if tag == "article":
            self.in_article -= 1

    def handle_data(self, data):
        tags = [t for t, _ in self.stack]
        if "script" in tags or "style" in tags or "title" in tags:
            return
        self.all.append(data)
        if self.in_article and not self._boiler():
            self.main.append(data)
        elif self.in_article and tags and tags[-1] in ("h1",):
            self.main.append(data)


def html_doc(path: Path) -> Doc:
    raw = path.read_text(encoding="utf-8")
    p = HtmlText()
    p.feed(raw)
    p.close()
    for e in p.balance_errors:
        fail("%s: HTML %s" % (path.name, e))
    if p.stack:
        fail("%s: unclosed tags %s" % (path.name, [t for t, _ in p.stack]))
    metas = " ".join(
        html.unescape(m) for m in re.findall(r'<meta [^>]*content="([^"]*)"', raw)
    )
    title = " ".join(re.findall(r"<title>(.*?)</title>", raw, re.S))
    ld = " ".join(re.findall(r'<script type="application/ld\+json">(.*?)</script>', raw, re.S))
    for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', raw, re.S):
        try:
            json.loads(block)
        except ValueError as e:
            fail("%s: bad JSON-LD: %s" % (path.name, e))
    for prop in ("og:title", "og:site_name", "article:published_time"):
        if 'property="%s"' % prop not in raw:
            fail("%s: missing <meta property=%s>" % (path.name, prop))
    if 'name="author"' not in raw:
        fail("%s: missing <meta name=author>" % path.name)
    if "<nav" not in raw or "<footer" not in raw:
        fail("%s: expected <nav> and <footer> boilerplate" % path.name)
    main = " ".join(p.main)
    if len(main.split()) < 150:
        fail("%s: article text only %d words" % (path.name, len(main.split())))
    return Doc(path.name, path.name, main, " ".join([title, metas, ld] + p.all))


def header_text(msg) -> str:
    return " ".join("%s: %s" % (k, v) for k, v in msg.items())


def message_docs(file: str, key: str, msg) -> list[Doc]:
    """The message body as one document, each attachment as a child."""
    docs = []
    body = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        if part.get_filename():
            content = part.get_content()
            text = content if isinstance(content, str) else content.decode("utf-8")
            docs.append(Doc(file, "%s#attachment:%s" % (key, part.get_filename()), text, text))
        elif part.get_content_type() == "text/plain":
            body.append(part.get_content())
    for h in ("From", "Date", "Subject"):
        if not msg[h]:
            fail("%s: missing %s header" % (key, h))
    text = "\n".join(body)
    return [Doc(file, key, text, header_text(msg) + "\n" + text)] + docs


def eml_docs(path: Path) -> list[Doc]:
    with path.open("rb") as fh:
        msg = email.message_from_binary_file(fh, policy=email.policy.default)
    if msg.defects:
        fail("%s: MIME defects %s" % (path.name, msg.defects))
    return message_docs(path.name, path.name, msg)


def mbox_docs(path: Path) -> list[Doc]:
    out = []
    box = mailbox.mbox(str(path), factory=None, create=False)
    for i, raw in enumerate(box, start=1):
        msg = email.message_from_bytes(raw.as_bytes(), policy=email.policy.default)
        out += message_docs(path.name, "%s#%d" % (path.name, i), msg)
    return out


def own_pdf_text(raw: bytes) -> str:
    """Text of a PDF written by build.py (uncompressed, literal strings, cp1252).

    Only a fallback for machines without pdftotext: it reads our generator's
    output, not PDFs in general.
    """
    lines = []
    for lit in re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", raw):
        out = bytearray()
        i = 0
        while i < len(lit):
            c = lit[i]
            if c == 0x5C and i + 1 < len(lit):
                if lit[i + 1 : i + 4].isdigit():
                    out.append(int(lit[i + 1 : i + 4], 8))
                    i += 4
                    continue
                out.append(lit[i + 1])
                i += 2
                continue
            out.append(c)
            i += 1
        lines.append(out.decode("cp1252"))
    return "\n".join(lines)


warned_pdftotext = False


def pdf_doc(path: Path) -> Doc:
    global warned_pdftotext
    raw = path.read_bytes()
    if not raw.startswith(b"%PDF-") or b"%%EOF" not in raw[-32:]:
        fail("%s: not a complete PDF" % path.name)
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True
        ).stdout.decode("utf-8")
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True).stdout.decode("utf-8", "replace")
    else:
        if not warned_pdftotext:
            print("note: pdftotext not found (apt-get install poppler-utils); reading PDFs with the built-in reader")
            warned_pdftotext = True
        text = own_pdf_text(raw)
        info = ""
    if len(text.split()) < 150:
        fail("%s: text layer has only %d words" % (path.name, len(text.split())))
    return Doc(path.name, path.name, text, info + "\n" + text)


def docx_doc(path: Path) -> Doc:
    with zipfile.ZipFile(path) as zf:
        bad = zf.testzip()
        if bad:
            fail("%s: corrupt member %s" % (path.name, bad))
        xml = zf.read("word/document.xml").decode("utf-8")
        core = zf.read("docProps/core.xml").decode("utf-8")
    paras = []
    for p in re.findall(r"<w:p>(.*?)</w:p>", xml, re.S):
        paras.append(html.unescape("".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", p))))
    for tag in ("dc:title", "dc:creator", "dcterms:created"):
        if "<%s" % tag not in core:
            fail("%s: core.xml lacks %s" % (path.name, tag))
    text = "\n".join(paras)
    return Doc(path.name, path.name, text, html.unescape(re.sub(r"<[^>]+>", " ", core)) + "\n" + text)


def jsonl_docs(path: Path) -> list[Doc]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        rec = json.loads(line)
        for k in ("id", "title", "text", "url", "published", "source"):
            if k not in rec:
                fail("%s line %d: missing %s" % (path.name, n, k))
        key = "%s#%s" % (path.name, rec.get("id"))
        out.append(Doc(path.name, key, rec["text"], " ".join(str(v) for v in rec.values())))
    return out


def plain_doc(path: Path) -> Doc:
    raw = path.read_bytes()
    text = raw.decode("utf-8")  # must be valid UTF-8
    return Doc(path.name, path.name, text, text)


def load() -> tuple[list[Doc], dict[str, int]]:
    docs: list[Doc] = []
    formats: dict[str, int] = {}
    for path in sorted(DOCS.iterdir()):
        ext = path.suffix.lower().lstrip(".")
        formats[ext] = formats.get(ext, 0) + 1
        if ext in ("txt", "md"):
            docs.append(plain_doc(path))
        elif ext == "html":
            docs.append(html_doc(path))
        elif ext == "eml":
            docs += eml_docs(path)
        elif ext == "mbox":
            docs += mbox_docs(path)
        elif ext == "pdf":
            docs.append(pdf_doc(path))
        elif ext == "docx":
            docs.append(docx_doc(path))
        elif ext == "jsonl":
            docs += jsonl_docs(path)
        else:
            fail("unexpected file %s" % path.name)
    return docs, formats


def norm(s: str) -> str:
    return " ".join(s.lower().split())


def hits(docs: list[Doc], query: str, which: str) -> set[str]:
    q = norm(query.strip('"'))
    return {d.file for d in docs if q in norm(getattr(d, which))}


def shingles(text: str, k: int = 5) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + k]) for i in range(len(words) - k + 1)}


def main() -> int:
    show = "--print" in sys.argv
    docs, formats = load()
    expected = json.loads((DEMO / "expected.json").read_text(encoding="utf-8"))

    for d in docs:
        n = len(d.minimal.split())
        if show:
            print("%-75s %4d words" % (d.key, n))
    if expected["documents"] != len(docs):
        fail("expected.json documents=%d, corpus has %d" % (expected["documents"], len(docs)))
    if expected["files"] != sum(formats.values()):
        fail("expected.json files=%d, corpus has %d" % (expected["files"], sum(formats.values())))
    if expected["formats"] != formats:
        fail("expected.json formats=%s, corpus has %s" % (expected["formats"], formats))

    for s in expected["searches"]:
        lo = hits(docs, s["query"], "minimal")
        hi = hits(docs, s["query"], "maximal")
        must = set(s["must_include"])
        may = set(s.get("may_include", []))
        if show:
            print("search %-28s minimal=%s extra-in-maximal=%s" % (s["query"], sorted(lo), sorted(hi - lo)))
        if not must <= lo:
            fail("search %r: must_include not found in minimal text: %s" % (s["query"], sorted(must - lo)))
        if lo - must:
            fail("search %r: also found (minimal) in %s; list them" % (s["query"], sorted(lo - must)))
        if hi - must - may:
            fail("search %r: found (maximal) in %s; add to may_include" % (s["query"], sorted(hi - must - may)))
        if may - hi:
            fail("search %r: may_include lists files without the query: %s" % (s["query"], sorted(may - hi)))

    for e in expected["entities"]:
        found = {d.key for d in docs if any(norm(v) in norm(d.minimal) for v in e["variants"])}
        if show:
            print("entity %-28s %d documents" % (e["name"], len(found)))
        if len(found) < e["min_documents"]:
            fail("entity %r: %d documents < min %d" % (e["name"], len(found), e["min_documents"]))
        for v in e["variants"]:
            if not any(norm(v) in norm(d.minimal) for d in docs):
                fail("entity %r: variant %r appears nowhere" % (e["name"], v))

    dup_pairs = {tuple(sorted(p)) for p in expected["near_duplicates"]}
    sh = {d.key: shingles(d.minimal) for d in docs}
    keys = sorted(sh)
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            if not sh[a] or not sh[b]:
                continue
            j = len(sh[a] & sh[b]) / len(sh[a] | sh[b])
            pair = (a, b)
            if pair in dup_pairs:
                if show:
                    print("near-duplicate %s ~ %s: jaccard %.2f" % (a, b, j))
                if j < 0.6:
                    fail("near-duplicate pair %s has jaccard %.2f < 0.6" % (pair, j))
            elif j >= 0.3:
                fail("unexpected near-duplicate %s (jaccard %.2f)" % (pair, j))

    for e in errors:
        print("FAIL:", e)
    print("%d documents in %d files; %d problem(s)" % (len(docs), sum(formats.values()), len(errors)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
