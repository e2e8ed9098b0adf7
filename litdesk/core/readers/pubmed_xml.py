"""Read PubMed XML (``<PubmedArticleSet>``, from PubMed or efetch), streaming with lxml."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from lxml import etree

from litdesk.core.model import Record
from litdesk.core.readers.base import SourceFile, build_record, id_tags, pmcid_of
from litdesk.core.readers.sniff import PUBMED_XML
from litdesk.core.readers.xml_stream import leaves, record_elements, text_of
from litdesk.core.ris_reader import ReadRecord

_ARTICLES: Final = ("PubmedArticle", "PubmedBookArticle")
#: Leaf path (below the article) -> RIS tag, where the two mean the same thing.
_TO_RIS: Final = {
    "MedlineCitation/Article/ArticleTitle": "TI",
    "BookDocument/ArticleTitle": "TI",
    "BookDocument/Book/BookTitle": "BT",
    "MedlineCitation/Article/Journal/Title": "JF",
    "MedlineCitation/Article/Journal/ISOAbbreviation": "J2",
    "MedlineCitation/Article/Journal/ISSN": "SN",
    "MedlineCitation/Article/Journal/JournalIssue/Volume": "VL",
    "MedlineCitation/Article/Journal/JournalIssue/Issue": "IS",
    "MedlineCitation/Article/Journal/JournalIssue/PubDate/Year": "PY",
    "MedlineCitation/Article/Journal/JournalIssue/PubDate/MedlineDate": "PY",
    "BookDocument/Book/PubDate/Year": "PY",
    "BookDocument/Book/Publisher/PublisherName": "PB",
    "MedlineCitation/Article/Pagination/MedlinePgn": "SP",
    "MedlineCitation/Article/Language": "LA",
    "BookDocument/Language": "LA",
    "MedlineCitation/MeshHeadingList/MeshHeading/DescriptorName": "KW",
    "MedlineCitation/KeywordList/Keyword": "KW",
    "BookDocument/KeywordList/Keyword": "KW",
}
_AUTHOR_LISTS: Final = ("MedlineCitation/Article/AuthorList", "BookDocument/AuthorList")
_ABSTRACTS: Final = ("MedlineCitation/Article/Abstract", "BookDocument/Abstract")
_PMIDS: Final = ("MedlineCitation/PMID", "BookDocument/PMID")
#: Leaves read into AU and AB above (an author's affiliation or identifier is kept as it is).
_READ_ABOVE: Final = tuple(f"{p}/AbstractText" for p in _ABSTRACTS) + tuple(
    f"{p}/Author/{n}" for p in _AUTHOR_LISTS
    for n in ("LastName", "ForeName", "Initials", "CollectiveName", "Suffix"))


class PubmedXmlFile(SourceFile):
    """A PubMed XML file: one record per ``PubmedArticle`` (or ``PubmedBookArticle``)."""

    format = PUBMED_XML

    def _records(self) -> Iterator[ReadRecord]:
        for position, line, article in record_elements(self, _ARTICLES):
            yield ReadRecord(position, line, article_record(article))


def article_record(article: etree._Element) -> Record:
    """The `Record` of one ``PubmedArticle`` element."""
    pmid = next((text_of(e) for p in _PMIDS if (e := article.find(p)) is not None), "")
    ids = {e.get("IdType", ""): text_of(e)
           for e in article.iterfind("PubmedData/ArticleIdList/ArticleId")}
    doi = next((d for e in article.iterfind("MedlineCitation/Article/ELocationID")
                if e.get("EIdType") == "doi" and (d := text_of(e))), ids.get("doi", ""))
    pmcid = pmcid_of(ids.get("pmc", ""))  # anything else stays in its own field
    kind = "JOUR" if article.tag == "PubmedArticle" else (
        "CHAP" if article.find("BookDocument/Book/BookTitle") is not None
        and article.find("BookDocument/ArticleTitle") is not None else "BOOK")
    ris = [("TY", kind)]
    for list_path in _AUTHOR_LISTS:
        for author in article.iterfind(f"{list_path}/Author"):
            ris.append(("AU", _name(author)))
    abstract = next((a for p in _ABSTRACTS if (a := article.find(p)) is not None), None)
    if abstract is not None:
        ris.append(("AB", "\n".join(_paragraph(t) for t in abstract.iterfind("AbstractText"))))
    if doi:
        ris.append(("DO", doi))
    own = []
    for path, element in leaves(article):
        if path.startswith(_READ_ABOVE):
            continue
        target = _TO_RIS.get(path)
        if target:
            ris.append((target, text_of(element)))
        elif path not in _PMIDS:
            own.append((_named(path, element), text_of(element)))
    ris += id_tags(pmid, pmcid, ())
    return build_record(ris, own, "PubMed", pmid=pmid, pmcid=pmcid)


def _name(author: etree._Element) -> str:
    """"Family, Given" (or the collective name) of an ``Author`` element."""
    parts = {child.tag: child.text or "" for child in author}
    if "CollectiveName" in parts:
        return " ".join(parts["CollectiveName"].split())
    last = " ".join(parts.get("LastName", "").split())
    given = " ".join(f"{parts.get('ForeName') or parts.get('Initials', '')} "
                     f"{parts.get('Suffix', '')}".split())
    return f"{last}, {given}" if last and given else last or given


def _paragraph(text: etree._Element) -> str:
    """A paragraph of a structured abstract as "Label: text" (its heading kept)."""
    body = text_of(text)
    label = text.get("Label") or ""
    return f"{label.strip()}: {body}" if label.strip() and body else body


def _named(path: str, element: etree._Element) -> str:
    """A field name for a leaf: its path, with its attributes (as the file has them)."""
    if not element.attrib:
        return path
    return path + "".join(f"[{k}={v}]" for k, v in element.attrib.items())
