#!/usr/bin/env python3
"""Reads a PDF (with pypdf) or a DOCX (with python-docx) as any other program would and prints
what the document tests check, as JSON:

    {"pages": [{"width": 595.28, "height": 841.89}, ...],   # points; DOCX: one per section
     "text": "...",                                          # all text, in reading order
     "fonts": [{"name": "...", "embedded": true}, ...]}      # PDF: fonts on the pages
                                                             # DOCX: the default font's name

Usage: scripts/read-document.py FILE.pdf|FILE.docx
Exits 3 if pypdf or python-docx is missing (pip install pypdf python-docx).
"""

import json
import sys

try:
    import docx
    import pypdf
    from docx.table import Table
    from docx.text.paragraph import Paragraph
except ImportError as missing:
    print(f"{missing}: run `pip install pypdf python-docx`", file=sys.stderr)
    sys.exit(3)


def read_pdf(path):
    reader = pypdf.PdfReader(path)
    pages, texts, fonts = [], [], {}
    for page in reader.pages:
        box = page.mediabox
        pages.append({"width": float(box.width), "height": float(box.height)})
        texts.append(page.extract_text())
        for font in page.get("/Resources", {}).get("/Font", {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts[str(font["/BaseFont"])] = embedded
    return {
        "pages": pages,
        "text": "\n".join(texts),
        "fonts": [{"name": n, "embedded": e} for n, e in sorted(fonts.items())],
    }


def read_docx(path):
    document = docx.Document(path)
    pages = [
        {"width": s.page_width.pt, "height": s.page_height.pt} for s in document.sections
    ]
    texts = []
    # Paragraphs and tables in body order.
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            texts.append(Paragraph(block, document).text)
        elif tag == "tbl":
            table = Table(block, document)
            for row in table.rows:
                texts.append("\t".join(cell.text for cell in row.cells))
    defaults = document.styles.element.xpath("w:docDefaults//w:rFonts/@w:ascii")
    return {
        "pages": pages,
        "text": "\n".join(texts),
        "fonts": [{"name": name, "embedded": False} for name in defaults],
    }


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    path = sys.argv[1]
    if path.endswith(".pdf"):
        result = read_pdf(path)
    elif path.endswith(".docx"):
        result = read_docx(path)
    else:
        print(f"not a .pdf or .docx: {path}", file=sys.stderr)
        sys.exit(2)
    json.dump(result, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
