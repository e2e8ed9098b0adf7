"""Tell an export's format from the decoded start of its content (the extension breaks ties)."""

from __future__ import annotations

import re
from typing import Final

from litdesk.core.ris_encoding import NotTextError

RIS: Final = "RIS"
WOS_PLAIN: Final = "Web of Science"
WOS_TAB: Final = "Web of Science tab-delimited"
MEDLINE: Final = "MEDLINE"
BIBTEX: Final = "BibTeX"
ENDNOTE_XML: Final = "EndNote XML"
PUBMED_XML: Final = "PubMed XML"
SCOPUS_CSV: Final = "Scopus CSV"

#: What litdesk reads, as the refusal of any other file names it.
READABLE: Final = ("RIS, MEDLINE/PubMed (.nbib), BibTeX/BibLaTeX (.bib), EndNote XML, PubMed XML, "
                   "Scopus CSV, Web of Science (plain text or tab-delimited)")

#: File name endings that point at a format, used only when the content fits several.
_EXTENSIONS: Final = {
    ".ris": RIS, ".nbib": MEDLINE, ".bib": BIBTEX, ".bibtex": BIBTEX, ".csv": SCOPUS_CSV,
    ".tsv": WOS_TAB,
}
#: Line-based formats: the pattern of a line only that format starts a record with.
_LINE_STARTS: Final = (
    (RIS, re.compile(r"^(?:TY(?:[ \t]+-|[ \t]*-(?![^ \t\r\n]))|ty  -(?![^ \t\r\n]))", re.M)),
    (WOS_PLAIN, re.compile(r"^(?:FN \S|PT [A-Z][ \t\r]*$)", re.M)),
    (MEDLINE, re.compile(r"^PMID- ?\d", re.M)),
    (BIBTEX, re.compile(r"^[ \t]*@[ \t]*[A-Za-z]+[ \t]*[{(]", re.M)),
)
#: MEDLINE records whose PMID lines were lost still have these MEDLINE-only tags.
_MEDLINE_TAGS: Final = re.compile(r"^(?:FAU |STAT|OWN |JT  |PG  |DP  )- ", re.M)
_XML_ROOT: Final = re.compile(r"<([A-Za-z_][\w.:-]*)")
_ENDNOTE: Final = re.compile(r"<(?:xml|XML)>\s*<(?:records|RECORDS)>")


def sniff(text: str, name: str, partial: bool) -> str:
    """The format of a file whose decoded start is ``text``; raise `NotTextError` (saying what
    litdesk reads) for anything else. ``name`` (the file name) breaks ties only."""
    # Any line end (LF, CRLF, or a classic Mac's CR alone) starts a line for the patterns.
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise NotTextError("is empty")
    body = text.lstrip()
    if body.startswith("<"):
        return _xml(body)
    first = body.split("\n", 1)[0].rstrip("\r")
    if first.startswith("PT\t") and "\t" in first[3:] and re.search(r"\t(?:AU|TI)\t", first):
        return WOS_TAB
    if _scopus_header(first):
        return SCOPUS_CSV
    found = sorted((m.start(), fmt) for fmt, pattern in _LINE_STARTS
                   if (m := pattern.search(text)))
    if not found and _MEDLINE_TAGS.search(text):
        return MEDLINE
    if not found:
        where = " in its first megabyte" if partial else ""
        raise NotTextError(f"is in no format litdesk reads{where}; litdesk reads {READABLE}")
    hinted = _EXTENSIONS.get(_suffix(name))
    if hinted is not None and any(fmt == hinted for _, fmt in found) and len(found) > 1:
        return hinted
    return found[0][1]


def ris_or_wos(text: str, partial: bool) -> str:
    """RIS or WOS_PLAIN, as `sniff` judges the decoded start of a file (for the RIS-only
    opener, `litdesk.core.ris_reader.open_ris`); else `NotTextError` saying what it is."""
    try:
        fmt = sniff(text, "", partial=partial)
    except NotTextError:
        body = text.lstrip("\ufeff").strip()
        if not body or body.startswith("<"):
            raise  # empty, or XML: the sniffer says which
        where = " in its first megabyte" if partial else ""
        raise NotTextError(f"holds no RIS record (no line starts with “TY  - ”{where})") from None
    if fmt not in (RIS, WOS_PLAIN):
        raise NotTextError(f"looks like {fmt}, not RIS")
    return fmt


def _xml(body: str) -> str:
    if "<PubmedArticleSet" in body or "<PubmedArticle>" in body or "<PubmedArticle " in body:
        return PUBMED_XML
    if _ENDNOTE.search(body):
        return ENDNOTE_XML
    roots = [n for n in _XML_ROOT.findall(body[:4096]) if n.lower() not in ("xml", "!doctype")]
    what = f"XML whose root is <{roots[0]}>" if roots else "XML or HTML"
    raise NotTextError(f"is {what}, not a format litdesk reads; litdesk reads {READABLE}")


def _scopus_header(first: str) -> bool:
    """A Scopus CSV header: quoted or not, with its Title and source or EID columns."""
    names = {n.strip().strip('"').lstrip("\ufeff") for n in first.split(",")}
    return "Title" in names and bool({"EID", "Source title", "Link"} & names) and (
        "Authors" in names or "Author full names" in names or "Year" in names)


def _suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > max(name.rfind("/"), name.rfind("\\")) else ""
