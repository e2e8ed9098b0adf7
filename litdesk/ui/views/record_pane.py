"""The right-hand pane: a record's details, the section buttons (the legend) and its abstract."""

from __future__ import annotations

import html
from dataclasses import replace
from urllib.parse import quote

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from litdesk.core.model import LABEL_COLOURS, LABEL_TITLES, LABELS, Record, Span
from litdesk.ui.views.abstract_view import AbstractView

ALL_CODERS = "\x00all"  # the "All coders" choice (not a possible coder name)
PLACEHOLDER = ("Select a record to read and code its abstract.\n\n"
               "Drop exports (RIS, MEDLINE, BibTeX, EndNote or PubMed XML, Scopus CSV, Web of "
               "Science) anywhere on this window to import them.")
MEMO = "Memo"


def _plain_label(object_name: str, *, wrap: bool = True) -> QLabel:
    label = QLabel()
    label.setObjectName(object_name)
    label.setTextFormat(Qt.TextFormat.PlainText)  # titles come from files: never HTML
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class RecordPane(QWidget):
    """Shows one record; tagging gestures come out as signals of :attr:`abstract`."""

    memoEdited = Signal(int, str)  # record id, text
    abstract: AbstractView  # made after the buttons that tag its selection

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.record: Record | None = None
        self.editable = True  # False while another coder's spans are shown
        self.stack = QStackedWidget(self)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)

        self.placeholder = QLabel(PLACEHOLDER)
        self.placeholder.setObjectName("placeholder")
        self.placeholder.setTextFormat(Qt.TextFormat.PlainText)  # may quote an error message
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.stack.addWidget(self.placeholder)

        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(16, 12, 16, 12)
        lay.setSpacing(6)
        self.title = _plain_label("recordTitle")
        self.authors = _plain_label("recordAuthors")
        self.source = _plain_label("recordSource")
        self.doi = QLabel()
        self.doi.setObjectName("recordDoi")
        self.doi.setTextFormat(Qt.TextFormat.RichText)  # built from escaped parts only
        self.doi.setOpenExternalLinks(True)
        self.keywords = _plain_label("recordKeywords")
        # A change the library refused (the server away, the file locked): said here until
        # the next change is saved, so that it is not missed when the status bar moves on.
        self.notice = _plain_label("saveNotice")
        self.notice.setStyleSheet("QLabel { background: #fdecea; color: #611a15; "
                                  "padding: 4px 8px; border-radius: 3px; }")
        self.notice.hide()
        for w in (self.title, self.authors, self.source, self.doi, self.keywords, self.notice):
            lay.addWidget(w)

        legend = QHBoxLayout()
        legend.setSpacing(6)
        self.buttons: dict[str, QPushButton] = {}
        for n, label in enumerate(LABELS, start=1):
            btn = QPushButton(f"{n}  {LABEL_TITLES[label]}")
            btn.setObjectName(f"tag_{label}")
            btn.setToolTip(f"Tag the selected text as {LABEL_TITLES[label]} (key {n})")
            btn.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keep the selection in the abstract
            btn.setStyleSheet(
                f"QPushButton {{ border-left: 10px solid {LABEL_COLOURS[label]}; "
                "padding: 4px 10px; text-align: left; }"
            )
            btn.clicked.connect(lambda _=False, lab=label: self.abstract.tag_selection(lab))
            self.buttons[label] = btn
            legend.addWidget(btn)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setObjectName("untag")
        self.remove_button.setToolTip("Remove section labels from the selection (Delete)")
        self.remove_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.remove_button.clicked.connect(lambda: self.abstract.untag_selection())
        legend.addWidget(self.remove_button)
        legend.addStretch(1)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        lay.addWidget(line)
        lay.addLayout(legend)

        viewbar = QHBoxLayout()
        self.view_label = QLabel("Show:")
        self.coder_view = QComboBox()
        self.coder_view.setObjectName("coderView")
        self.coder_view.setToolTip("Whose coding to show. Other coders' spans are read-only.")
        self.view_note = QLabel()
        self.view_note.setObjectName("viewNote")
        self.view_note.setWordWrap(True)
        viewbar.addWidget(self.view_label)
        viewbar.addWidget(self.coder_view)
        viewbar.addWidget(self.view_note, 1)
        lay.addLayout(viewbar)
        self.set_coders("", [])

        self.abstract = AbstractView()
        self.abstract.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._page_layout = lay  # bars (screening's) go in above the abstract
        lay.addWidget(self.abstract, 1)
        self.no_abstract = QLabel("This record has no abstract.")
        self.no_abstract.setObjectName("noAbstract")
        lay.addWidget(self.no_abstract)

        self.memo_label = QLabel(MEMO)
        self.memo_label.setObjectName("memoLabel")
        self.memo_label.setWordWrap(True)
        lay.addWidget(self.memo_label)
        self.memo = QPlainTextEdit()
        self.memo.setObjectName("memo")
        self.memo.setPlaceholderText("Notes on this record (saved as you type)")
        self.memo.setMaximumHeight(90)
        lay.addWidget(self.memo)
        self._memo_timer = QTimer(self)
        self._memo_timer.setSingleShot(True)
        self._memo_timer.setInterval(400)
        self._memo_timer.timeout.connect(self.flush_memo)
        self.memo.textChanged.connect(self._memo_timer.start)
        self._loading = False
        self.stack.addWidget(page)

    def show_record(self, record: Record | None, suggestions: list[Span] | None = None, *,
                    others: list[Span] | None = None, editable: bool = True,
                    note: str = "") -> None:
        """Show a record: its own spans and suggestions, or (read-only) others' spans."""
        self.flush_memo()
        self.record = record
        self.editable = editable
        self.view_note.setText(note)
        if record is None:
            self.placeholder.setText(PLACEHOLDER)
            self.stack.setCurrentIndex(0)
            return
        self.stack.setCurrentIndex(1)
        self.title.setText(record.title or "(untitled)")
        self.authors.setText("; ".join(record.authors) or "(no authors)")
        source = [record.journal, str(record.year or "")]
        if record.volume:
            source.append(f"vol. {record.volume}" + (f"({record.issue})" if record.issue else ""))
        if record.pages:
            source.append(f"pp. {record.pages}")
        self.source.setText(" · ".join(s for s in source if s))
        if record.doi:
            url = "https://doi.org/" + quote(record.doi, safe="/:;()._-")
            self.doi.setText(f'DOI: <a href="{html.escape(url)}">{html.escape(record.doi)}</a>')
            self.doi.setToolTip(url)
        self.doi.setVisible(bool(record.doi))
        self.keywords.setText("Keywords: " + "; ".join(record.keywords))
        self.keywords.setVisible(bool(record.keywords))
        self.abstract.set_abstract(record.abstract)
        if editable:
            self.abstract.set_spans(record.spans, suggestions or [])
        else:
            self.abstract.set_spans([], [], others or [])
        has_abstract = bool(record.abstract)
        self.abstract.setVisible(has_abstract)
        self.no_abstract.setVisible(not has_abstract)
        for btn in (*self.buttons.values(), self.remove_button):
            btn.setEnabled(has_abstract and editable)
        self._loading = True
        self.memo.setPlainText(record.memo)
        self._loading = False
        self._memo_timer.stop()

    def add_bar(self, bar: QWidget) -> None:
        """Put ``bar`` above the abstract (screening's decision bar)."""
        self._page_layout.insertWidget(self._page_layout.indexOf(self.abstract), bar)

    def set_coding_tools(self, shown: bool) -> None:
        """Show or hide the section buttons (hidden while screening: its keys differ)."""
        for btn in (*self.buttons.values(), self.remove_button):
            btn.setVisible(shown)

    def show_unavailable(self, text: str) -> None:
        """No record, but why: the one chosen cannot be read now (the server is away)."""
        self.flush_memo()
        self.record = None
        self.placeholder.setText(text)
        self.stack.setCurrentIndex(0)

    def set_notice(self, text: str) -> None:
        """Say (or, with "", stop saying) that a change was not saved."""
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def set_memo_unsaved(self, unsaved: bool) -> None:
        """Mark the memo as typed but not yet in the library (it is saved when possible)."""
        self.memo_label.setText(
            "Memo: not saved yet (the library cannot be written to); litdesk keeps it and "
            "saves it when it can" if unsaved else MEMO)

    def set_coders(self, me: str, others: list[str]) -> None:
        """Fill the "Show" chooser: my coding, each other coder, all coders."""
        current = self.coder_view.currentData()
        self.coder_view.blockSignals(True)
        self.coder_view.clear()
        self.coder_view.addItem(f"My coding ({me})", None)
        for name in others:
            self.coder_view.addItem(name, name)
        if others:
            self.coder_view.addItem("All coders", ALL_CODERS)
        index = self.coder_view.findData(current)
        self.coder_view.setCurrentIndex(max(index, 0))
        self.coder_view.blockSignals(False)
        for w in (self.view_label, self.coder_view, self.view_note):
            w.setVisible(bool(others))

    def update_coding(self, record: Record, suggestions: list[Span] | None = None) -> None:
        """New spans for the record on show: redraw them, keeping text, cursor and scroll."""
        self.record = replace(record, memo=self.record.memo) if self.record else record
        self.abstract.set_spans(record.spans, suggestions or [])

    def flush_memo(self) -> None:
        """Save a memo edit that is still waiting for its timer."""
        if self._loading or self.record is None or self.record.id is None:
            return
        text = self.memo.toPlainText()
        if text != self.record.memo:
            self.record = replace(self.record, memo=text)
            self.memoEdited.emit(self.record.id, text)
