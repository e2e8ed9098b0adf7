"""The file types litdesk reads, for open-file dialogs: no reader is imported to name them."""

from __future__ import annotations

from typing import Final

#: File types for an open-file dialog: (name, patterns); any file is judged by its content.
FILE_TYPES: Final = (
    ("Reference exports", "*.ris *.nbib *.txt *.bib *.xml *.csv *.tsv *.enw"),
    ("RIS", "*.ris *.txt"), ("MEDLINE/PubMed", "*.nbib *.txt"), ("BibTeX", "*.bib"),
    ("EndNote or PubMed XML", "*.xml"), ("Scopus CSV", "*.csv"),
    ("Web of Science", "*.txt *.tsv"), ("All files", "*"),
)
