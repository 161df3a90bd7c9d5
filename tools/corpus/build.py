#!/usr/bin/env python3
"""Generate the binary and MIME files of the dossier demo corpus.

The demo corpus lives in corpus/demo/docs/. Most of it (.txt, .md, .html,
.eml, .mbox, .jsonl) is written by hand and committed as is. This script
writes the files that are awkward to write by hand, from plain-text sources
in tools/corpus/sources/:

  * PDFs with a real text layer (Helvetica, WinAnsiEncoding), written
    byte by byte with correct xref offsets - no third-party library;
  * DOCX packages (minimal WordprocessingML + docProps/core.xml) written
    with zipfile;
  * one .eml whose memo is attached as a base64 text/plain MIME part.

The output is deterministic (fixed dates, fixed zip timestamps, fixed MIME
boundary), so re-running the script leaves `git status` clean.

Usage: python3 tools/corpus/build.py   (from anywhere; Python 3.8+)
"""

from __future__ import annotations

import email.policy
import io
import textwrap
import zipfile
from email.message import EmailMessage
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

ROOT = Path(__file__).resolve().parents[2]
SOURCES = Path(__file__).resolve().parent / "sources"
OUT = ROOT / "corpus" / "demo" / "docs"

# --------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------

PAGE_W, PAGE_H = 595, 842  # A4 in points
MARGIN = 56
FONT_SIZE = 11
LEADING = 15
TITLE_SIZE = 12
# Helvetica averages about 0.5 em per character in running English text;
# 84 characters of 11 pt text fit comfortably into the 483 pt text width.
WRAP = 84


def pdf_string(text: str) -> bytes:
    """A PDF literal string in WinAnsiEncoding (cp1252), escaped."""
    raw = text.encode("cp1252")  # raises on characters Helvetica cannot show
    out = bytearray(b"(")
    for byte in raw:
        if byte in (0x28, 0x29, 0x5C):  # ( ) \
            out += b"\\" + bytes([byte])
        elif 0x20 <= byte < 0x7F:
            out.append(byte)
        else:
            out += b"\\%03o" % byte
    out += b")"
    return bytes(out)


def pdf_date(iso: str) -> str:
    # "2025-09-02T10:00:00+02:00" -> "D:20250902100000+02'00'"
    date, time = iso.split("T")
    clock, tz = time[:8], time[8:]
    return "D:%s%s%s'%s'" % (
        date.replace("-", ""),
        clock.replace(":", ""),
        tz[:3],
        tz[4:6],
    )


def layout_lines(paragraphs: list[str]) -> list[tuple[str, str]]:
    """(font, line) pairs: the first paragraph is the bold title."""
    lines: list[tuple[str, str]] = []
    for i, para in enumerate(paragraphs):
        font = "F2" if i == 0 else "F1"
        for line in textwrap.wrap(para, WRAP, break_on_hyphens=False, break_long_words=False) or [""]:
            lines.append((font, line))
        lines.append((font, ""))  # blank line between paragraphs
    return lines


def make_pdf(paragraphs: list[str], info: dict[str, str]) -> bytes:
    lines = layout_lines(paragraphs)
    per_page = (PAGE_H - 2 * MARGIN) // LEADING
    pages = [lines[i : i + per_page] for i in range(0, len(lines), per_page)]

    objects: list[bytes] = []  # object n is objects[n - 1]

    def add(obj: bytes) -> int:
        objects.append(obj)
        return len(objects)

    catalog = add(b"")  # filled in once the page tree number is known
    pages_obj = add(b"")
    f1 = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    f2 = add(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
    )
    page_ids = []
    for number, page in enumerate(pages, start=1):
        ops = [b"BT", b"%d TL" % LEADING, b"%d %d Td" % (MARGIN, PAGE_H - MARGIN)]
        current = None
        for font, line in page:
            size = TITLE_SIZE if font == "F2" else FONT_SIZE
            if font != current:
                ops.append(b"/%s %d Tf" % (font.encode(), size))
                current = font
            ops.append(pdf_string(line) + b" Tj T*")
        ops.append(b"ET")
        # page number in the footer
        footer = "Page %d of %d" % (number, len(pages))
        ops.append(
            b"BT /F1 8 Tf %d %d Td %s Tj ET" % (PAGE_W // 2 - 20, MARGIN // 2, pdf_string(footer))
        )
        stream = b"\n".join(ops)
        content = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        page_ids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] "
                b"/Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> /Contents %d 0 R >>"
                % (pages_obj, PAGE_W, PAGE_H, f1, f2, content)
            )
        )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_obj
    kids = b" ".join(b"%d 0 R" % p for p in page_ids)
    objects[pages_obj - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_ids))
    info_obj = add(
        b"<< /Title %s /Author %s /Subject %s /Creator %s /Producer %s "
        b"/CreationDate %s /ModDate %s >>"
        % (
            pdf_string(info["title"]),
            pdf_string(info["author"]),
            pdf_string(info["subject"]),
            pdf_string("dossier demo corpus generator"),
            pdf_string("tools/corpus/build.py"),
            pdf_string(pdf_date(info["created"])),
            pdf_string(pdf_date(info["created"])),
        )
    )

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n" % (len(objects) + 1)
    out += b"0000000000 65535 f \n"
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\n" % (
        len(objects) + 1,
        catalog,
        info_obj,
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


# --------------------------------------------------------------------------
# DOCX
# --------------------------------------------------------------------------

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>
</Types>
"""

ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>
</Relationships>
"""

DOC_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>
"""

STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri"/><w:sz w:val="22"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:rPr><w:b/><w:sz w:val="32"/></w:rPr></w:style>
</w:styles>
"""

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_paragraph(text: str, style: str | None = None) -> str:
    ppr = '<w:pPr><w:pStyle w:val="%s"/></w:pPr>' % style if style else ""
    return '<w:p>%s<w:r><w:t xml:space="preserve">%s</w:t></w:r></w:p>' % (ppr, xml_escape(text))


def make_docx(paragraphs: list[str], meta: dict[str, str]) -> bytes:
    body = [docx_paragraph(paragraphs[0], "Title")]
    body += [docx_paragraph(p) for p in paragraphs[1:]]
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<w:document xmlns:w="%s"><w:body>%s'
        '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>'
        '<w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" '
        'w:header="708" w:footer="708" w:gutter="0"/></w:sectPr>'
        "</w:body></w:document>\n" % (W_NS, "".join(body))
    )
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:title>%s</dc:title><dc:subject>%s</dc:subject><dc:creator>%s</dc:creator>"
        "<cp:lastModifiedBy>%s</cp:lastModifiedBy><dc:language>en-GB</dc:language>"
        '<dcterms:created xsi:type="dcterms:W3CDTF">%s</dcterms:created>'
        '<dcterms:modified xsi:type="dcterms:W3CDTF">%s</dcterms:modified>'
        "</cp:coreProperties>\n"
        % (
            xml_escape(meta["title"]),
            xml_escape(meta["subject"]),
            xml_escape(meta["author"]),
            xml_escape(meta["author"]),
            meta["created"],
            meta["created"],
        )
    )
    app = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>dossier demo corpus generator</Application>"
        "<Company>%s</Company></Properties>\n" % xml_escape(meta["company"])
    )
    parts = [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", ROOT_RELS),
        ("docProps/core.xml", core),
        ("docProps/app.xml", app),
        ("word/_rels/document.xml.rels", DOC_RELS),
        ("word/styles.xml", STYLES),
        ("word/document.xml", document),
    ]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, text.encode("utf-8"))
    return buf.getvalue()


# --------------------------------------------------------------------------
# E-mail with an attached memo
# --------------------------------------------------------------------------


def make_eml_with_attachment() -> bytes:
    body = (SOURCES / "2026-01-16_graz_memo_email_body.txt").read_text(encoding="utf-8")
    memo = (SOURCES / "2026-01-15_styria_police_memo_attachment.txt").read_bytes()
    msg = EmailMessage(policy=email.policy.default.clone(linesep="\n"))
    msg["Message-ID"] = "<9d41c7e2.20260116T0712@alpenlandtoday.example>"
    msg["Date"] = "Fri, 16 Jan 2026 07:12:30 +0100"
    msg["From"] = "Tom Berger <t.berger@alpenlandtoday.example>"
    msg["To"] = "Katrin Moser <k.moser@alpenlandtoday.example>"
    msg["Subject"] = "Graz: police memo from our source (do not forward)"
    msg["X-Mailer"] = "Thunderbird 128.6.0"
    msg.set_content(body, subtype="plain", charset="utf-8", cte="8bit")
    msg.add_attachment(
        memo,
        maintype="text",
        subtype="plain",
        filename="LPD-ST_SE-2026-0042_memo.txt",
    )
    msg.set_boundary("------------dossierdemo0042boundary")
    # add_attachment picks base64 for bytes payloads; state the charset so
    # readers decode the memo as UTF-8.
    for part in msg.iter_attachments():
        part.set_param("charset", "utf-8")
    return msg.as_bytes(policy=email.policy.default.clone(linesep="\n"))


# --------------------------------------------------------------------------
# What to build
# --------------------------------------------------------------------------

PDFS = [
    (
        "2025-04-07_jtf_orchid_intsum.txt",
        "2025-04-07_jtf_orchid_intsum.pdf",
        {
            "title": "JTF ORCHID J2 Intelligence Summary JTF-O/J2/INTSUM/2025-097",
            "author": "Joint Task Force ORCHID, J2",
            "subject": "Northern Crescent Brigade training site, communications and finance",
            "created": "2025-04-07T16:30:00+00:00",
        },
    ),
    (
        "2025-09-02_malmo_district_court_judgment.txt",
        "2025-09-02_malmo_district_court_judgment_B2231-25.pdf",
        {
            "title": "Malmö District Court, judgment in case B 2231-25 (unofficial English summary)",
            "author": "Malmö District Court",
            "subject": "Prosecutor v. Yusuf Amiri-Karlsson",
            "created": "2025-09-02T11:00:00+02:00",
        },
    ),
    (
        "2026-03-04_rotterdam_court_case_2025_CR_1187.txt",
        "2026-03-04_rotterdam_court_case_2025-CR-1187.pdf",
        {
            "title": "Rotterdam District Court, Court case 2025/CR/1187, judgment of 4 March 2026",
            "author": "Rotterdam District Court",
            "subject": "The Public Prosecutor v. Idris Moen-Bakker",
            "created": "2026-03-04T14:00:00+01:00",
        },
    ),
]

DOCXS = [
    (
        "2025-11-20_nl_coordinator_briefing_note.txt",
        "2025-11-20_nl_coordinator_briefing_note.docx",
        {
            "title": "Briefing note: Returning foreign fighters and the Northern Crescent Brigade",
            "subject": "Answers to the committee on Justice and Security",
            "author": "Office of the National Coordinator for Counterterrorism and Security",
            "company": "Office of the National Coordinator for Counterterrorism and Security",
            "created": "2025-11-20T09:00:00Z",
        },
    ),
    (
        "2026-02-27_hamburg_lka_search_report.txt",
        "2026-02-27_hamburg_lka_search_report.docx",
        {
            "title": "Report on the search of the premises Rungholtweg 9, 21107 Hamburg (LKA-HH-2026/0311)",
            "subject": "Meridian Kargo Services GmbH",
            "author": "State Criminal Police Office Hamburg, State Protection Division",
            "company": "State Criminal Police Office Hamburg",
            "created": "2026-02-27T15:20:00Z",
        },
    ),
]

EML_WITH_ATTACHMENT = "2026-01-16_alpenland_graz_memo_with_attachment.eml"


def paragraphs_of(source: str) -> list[str]:
    """Paragraphs are separated by blank lines; the first line is the title.

    Lines inside a paragraph are kept apart when they look like a heading
    block (the header lines of a report), otherwise joined with spaces.
    """
    text = (SOURCES / source).read_text(encoding="utf-8").strip()
    blocks = [b for b in text.split("\n\n") if b.strip()]
    paragraphs: list[str] = []
    for block in blocks:
        lines = [ln.strip() for ln in block.splitlines() if ln.strip()]
        if block is blocks[0] or all(len(ln) < 100 for ln in lines) and len(lines) > 1:
            paragraphs.extend(lines)  # header block: one line per paragraph
        else:
            paragraphs.append(" ".join(lines))
    return paragraphs


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for source, name, info in PDFS:
        (OUT / name).write_bytes(make_pdf(paragraphs_of(source), info))
        print("wrote", name)
    for source, name, meta in DOCXS:
        (OUT / name).write_bytes(make_docx(paragraphs_of(source), meta))
        print("wrote", name)
    (OUT / EML_WITH_ATTACHMENT).write_bytes(make_eml_with_attachment())
    print("wrote", EML_WITH_ATTACHMENT)


if __name__ == "__main__":
    main()
