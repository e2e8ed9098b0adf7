"""Benchmark: `litdesk import` of the same records in every format litdesk reads, against RIS.

Run by hand (not collected by pytest)::

    python tests/benchmarks/bench_formats.py                 # 100k records, 1 round
    python tests/benchmarks/bench_formats.py --size 10000 --rounds 3
    python tests/benchmarks/bench_formats.py --formats bib nbib  # those against RIS

It writes bench_import's synthetic RIS export, reads it with litdesk and writes the same
records as MEDLINE, BibTeX (litdesk's own export), EndNote XML, PubMed XML, Scopus CSV and
Web of Science tab-delimited and plain text; then times ``python -m litdesk --library NEW
import FILE`` for each, as separate processes, rotating the order over the rounds. Wall time
and peak RSS (``os.wait4``) per format; target: every format's median within 1.5 x RIS's.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).parent))
from bench_import import _run, write_ris  # noqa: E402

from litdesk.core.export.bibtex import write_bibtex  # noqa: E402
from litdesk.core.model import Record  # noqa: E402
from litdesk.core.readers import open_records  # noqa: E402

TARGET_RATIO = 1.5
_FORMATS = ("nbib", "bib", "endnote.xml", "pubmed.xml", "scopus.csv", "wos.tsv", "wos.txt")
_SCOPUS = ["Authors", "Author full names", "Title", "Year", "Source title", "Volume", "Issue",
           "Page start", "Page end", "DOI", "Link", "Abstract", "Author Keywords",
           "Document Type", "Source", "EID"]
_WOS = ["PT", "AU", "AF", "TI", "SO", "DE", "AB", "PY", "VL", "IS", "BP", "EP", "DI", "UT"]


def _medline(r: Record, i: int, out: IO[str]) -> None:
    lines = [f"PMID- {30000000 + i}", "OWN - NLM", f"TI  - {r.title}"]
    lines += [f"FAU - {a}" for a in r.authors]
    lines += [f"DP  - {r.year}", f"JT  - {r.journal}", f"VI  - {r.volume}", f"IP  - {r.issue}",
              f"PG  - {r.pages}", f"LID - {r.doi} [doi]", f"AB  - {r.abstract}"]
    lines += [f"OT  - {k}" for k in r.keywords]
    out.write("\n".join(lines) + "\n\n")


def _endnote(r: Record, i: int, out: IO[str]) -> None:
    authors = "".join(f"<author><style>{escape(a)}</style></author>" for a in r.authors)
    keywords = "".join(f"<keyword>{escape(k)}</keyword>" for k in r.keywords)
    out.write(
        f'<record><rec-number>{i}</rec-number><ref-type name="Journal Article">17</ref-type>'
        f"<contributors><authors>{authors}</authors></contributors><titles><title><style>"
        f"{escape(r.title)}</style></title><secondary-title>{escape(r.journal)}"
        f"</secondary-title></titles><periodical><full-title>{escape(r.journal)}</full-title>"
        f"</periodical><pages>{r.pages}</pages><volume>{r.volume}</volume><number>{r.issue}"
        f"</number><keywords>{keywords}</keywords><dates><year>{r.year}</year></dates>"
        f"<electronic-resource-num>{escape(r.doi)}</electronic-resource-num><abstract>"
        f"{escape(r.abstract)}</abstract></record>\n")


def _pubmed(r: Record, i: int, out: IO[str]) -> None:
    authors = "".join(
        f"<Author><LastName>{escape(a.split(',')[0])}</LastName><ForeName>"
        f"{escape(a.partition(',')[2].strip())}</ForeName></Author>" for a in r.authors)
    keywords = "".join(f"<Keyword>{escape(k)}</Keyword>" for k in r.keywords)
    out.write(
        f"<PubmedArticle><MedlineCitation><PMID>{30000000 + i}</PMID><Article><Journal>"
        f"<JournalIssue><Volume>{r.volume}</Volume><Issue>{r.issue}</Issue><PubDate><Year>"
        f"{r.year}</Year></PubDate></JournalIssue><Title>{escape(r.journal)}</Title></Journal>"
        f"<ArticleTitle>{escape(r.title)}</ArticleTitle><Pagination><MedlinePgn>{r.pages}"
        f"</MedlinePgn></Pagination><Abstract><AbstractText>{escape(r.abstract)}</AbstractText>"
        f"</Abstract><AuthorList>{authors}</AuthorList></Article><KeywordList>{keywords}"
        f"</KeywordList></MedlineCitation><PubmedData><ArticleIdList><ArticleId IdType=\"doi\">"
        f"{escape(r.doi)}</ArticleId></ArticleIdList></PubmedData></PubmedArticle>\n")


def _scopus_row(r: Record, i: int) -> list[str]:
    start, _, end = r.pages.partition("-")
    return ["; ".join(r.authors), "; ".join(f"{a} ({i})" for a in r.authors), r.title,
            str(r.year), r.journal, r.volume, r.issue, start, end, r.doi,
            f"https://www.scopus.com/record?eid=2-s2.0-{i}", r.abstract, "; ".join(r.keywords),
            "Article", "Scopus", f"2-s2.0-{i}"]


def _wos_row(r: Record, i: int) -> list[str]:
    start, _, end = r.pages.partition("-")
    return ["J", "; ".join(r.authors), "; ".join(r.authors), r.title, r.journal,
            "; ".join(r.keywords), r.abstract, str(r.year), r.volume, r.issue, start, end,
            r.doi, f"WOS:{i:015d}"]


def _wos_plain(r: Record, i: int, out: IO[str]) -> None:
    lines = []
    for tag, value in zip(_WOS, _wos_row(r, i), strict=True):
        if tag in ("AU", "AF"):
            value = "\n   ".join(r.authors)
        lines.append(f"{tag} {value}")
    out.write("\n".join(lines) + "\nER\n\n")


def write_formats(ris: Path, folder: Path) -> dict[str, Path]:
    """The records of ``ris`` written in every other format; {format: file}."""
    paths = {name: folder / f"bench.{name}" for name in _FORMATS}
    files = {name: path.open("w", encoding="utf-8", newline="") for name, path in paths.items()}
    try:
        files["endnote.xml"].write('<?xml version="1.0" encoding="UTF-8"?><xml><records>\n')
        files["pubmed.xml"].write('<?xml version="1.0"?>\n<PubmedArticleSet>\n')
        files["wos.txt"].write("FN Clarivate Analytics Web of Science\nVR 1.0\n")
        scopus = csv.writer(files["scopus.csv"], quoting=csv.QUOTE_ALL)
        scopus.writerow(_SCOPUS)
        files["wos.tsv"].write("\t".join(_WOS) + "\n")
        writers: list[Callable[[Record, int, IO[str]], None]] = [_medline, _endnote, _pubmed,
                                                                  _wos_plain]
        targets = ["nbib", "endnote.xml", "pubmed.xml", "wos.txt"]
        with open_records(ris) as source:
            for i, item in enumerate(source, 1):
                r = item.record
                for write, name in zip(writers, targets, strict=True):
                    write(r, i, files[name])
                scopus.writerow(_scopus_row(r, i))
                files["wos.tsv"].write("\t".join(v.replace("\t", " ") for v in _wos_row(r, i))
                                       + "\n")
        files["endnote.xml"].write("</records></xml>\n")
        files["pubmed.xml"].write("</PubmedArticleSet>\n")
        files["wos.txt"].write("EF\n")
    finally:
        for f in files.values():
            f.close()
    with open_records(ris) as source, paths["bib"].open("wb") as bib:  # keys unique file-wide
        write_bibtex((item.record for item in source), bib)
    return paths


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=None, help="scratch folder (default: tmp)")
    parser.add_argument("--formats", nargs="+", metavar="NAME", choices=_FORMATS,
                        default=list(_FORMATS), help="formats timed against RIS (default: all)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        folder = Path(tmp)
        ris = folder / "bench.ris"
        write_ris(ris, args.size)
        written = write_formats(ris, folder)
        files = {"ris": ris, **{name: written[name] for name in args.formats}}
        times: dict[str, list[float]] = {name: [] for name in files}
        rss: dict[str, list[float]] = {name: [] for name in files}
        names = list(files)
        for r in range(args.rounds):
            for name in names[r % len(names):] + names[: r % len(names)]:
                lib = folder / f"lib-{name}-{r}.sqlite"
                cmd = [sys.executable, "-m", "litdesk", "--library", str(lib), "import",
                       str(files[name])]
                wall, peak, out, _cpu = _run(cmd)
                times[name].append(wall)
                rss[name].append(peak)
                print(f"  round {r + 1} {name:12} {wall:7.2f} s {peak:6.0f} MB  "
                      f"{out.strip().splitlines()[0][:100] if out.strip() else ''}", flush=True)
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{lib}{suffix}").unlink(missing_ok=True)
        sizes = {name: path.stat().st_size / 1e6 for name, path in files.items()}
    base = statistics.median(times["ris"])
    print(f"\n{args.size:,} records, median of {args.rounds} round(s)\n")
    print("| format | file MB | import s | x RIS | records/s | peak MB |")
    print("|---|---:|---:|---:|---:|---:|")
    ok = True
    for name in files:
        t = statistics.median(times[name])
        ok = ok and t / base <= TARGET_RATIO
        print(f"| {name} | {sizes[name]:.0f} | {t:.1f} | {t / base:.2f} | "
              f"{args.size / t:,.0f} | {max(rss[name]):.0f} |")
    print(f"\ntarget: every format within {TARGET_RATIO} x RIS: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
