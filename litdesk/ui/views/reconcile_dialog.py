"""Reconcile two coders' coding of one record into the consensus coding, side by side.

Both coders' spans are shown read-only with the characters they disagree on underlined and
listed; the consensus view below starts from the saved consensus (or coder A's spans), can take
either coder's version whole, and is tagged like the main abstract pane (select, 1-5, Delete).
Save stores it as the ``consensus`` coder's coding and marks it done.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from litdesk.core.agreement import NONE, disagreements
from litdesk.core.model import CONSENSUS_CODER, LABEL_TITLES, Span
from litdesk.core.spans import SpanError, apply_tag, remove_range, sentence_at
from litdesk.core.words import counted
from litdesk.store.errors import LibraryError
from litdesk.ui.views.abstract_view import AbstractView
from litdesk.ui.views.textpos import OffsetMap

if TYPE_CHECKING:
    from litdesk.store.library import Library

DIFFERENCE_COLOUR = "#D55E00"  # Okabe-Ito vermilion: apart from every label colour


def _title(category: str) -> str:
    return "nothing" if category == NONE else LABEL_TITLES[category]


def _plain_label(text: str, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)  # record text is data, never markup
    return label


class ReconcileDialog(QDialog):
    """Two coders' spans on one record, and an editable consensus saved on Save."""

    saved = Signal(int)  # record id, after the consensus was stored

    def __init__(
        self,
        library: Library,
        record_id: int,
        coder_a: str,
        coder_b: str,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.library = library
        self.record_id = record_id
        self.coder_a, self.coder_b = coder_a, coder_b
        record = library.record(record_id)  # KeyError for a record that is gone
        self.text = record.abstract
        self.spans_a = library.coding.spans_of(record_id, coder_a)
        self.spans_b = library.coding.spans_of(record_id, coder_b)
        if library.coding.has_coding(record_id, CONSENSUS_CODER):
            start = library.coding.spans_of(record_id, CONSENSUS_CODER)
        else:
            start = self.spans_a
        self.merged: list[Span] = [self._as_consensus(s) for s in start]
        self._offsets = OffsetMap(self.text)

        self.setWindowTitle(f"Reconcile record {record_id}: {coder_a} and {coder_b}")
        self.resize(1100, 760)
        title = _plain_label(f"Record {record_id}: {record.title or '(no title)'}", self)
        title.setWordWrap(True)
        title.setObjectName("recordTitle")

        self.view_a, self.view_b = self._side_view(self.spans_a), self._side_view(self.spans_b)
        self.view_a.setObjectName("viewA")
        self.view_b.setObjectName("viewB")
        sides = QGridLayout()
        sides.addWidget(_plain_label(f"A: {coder_a}"), 0, 0)
        sides.addWidget(_plain_label(f"B: {coder_b}"), 0, 1)
        sides.addWidget(self.view_a, 1, 0)
        sides.addWidget(self.view_b, 1, 1)

        self.differences = QListWidget(self)
        self.differences.setObjectName("differences")
        self.differences.setMaximumHeight(130)
        self.differences.currentRowChanged.connect(self._show_difference)
        self.difference_summary = _plain_label("", self)

        self.accept_a = QPushButton(f"Accept A's version ({coder_a})", self)
        self.accept_a.setObjectName("acceptA")
        self.accept_a.clicked.connect(lambda: self.set_merged(self.spans_a))
        self.accept_b = QPushButton(f"Accept B's version ({coder_b})", self)
        self.accept_b.setObjectName("acceptB")
        self.accept_b.clicked.connect(lambda: self.set_merged(self.spans_b))
        self.merged_view = AbstractView(self)
        self.merged_view.setObjectName("mergedView")
        self.merged_view.set_abstract(self.text)
        self.merged_view.tagRequested.connect(self._tag)
        self.merged_view.labelKeyPressed.connect(self._label_key)
        self.merged_view.untagRequested.connect(self._untag)
        self.merged_summary = _plain_label("", self)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(sides, 3)
        layout.addWidget(self.difference_summary)
        layout.addWidget(self.differences)
        choose = QGridLayout()
        choose.addWidget(self.accept_a, 0, 0)
        choose.addWidget(self.accept_b, 0, 1)
        layout.addLayout(choose)
        layout.addWidget(_plain_label(
            "Consensus: select text and press 1-5 to tag it, Delete to remove a label", self))
        layout.addWidget(self.merged_view, 3)
        layout.addWidget(self.merged_summary)
        layout.addWidget(buttons)

        self._fill_differences()
        self._refresh_merged()
        self.merged_view.setFocus()

    # -- the two coders ------------------------------------------------------------------
    def _side_view(self, spans: Sequence[Span]) -> AbstractView:
        view = AbstractView(self)
        view.set_abstract(self.text)
        view.set_spans(spans)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)  # nothing to tag here
        return view

    def difference_ranges(self) -> list[tuple[int, int, str, str]]:
        """Where A and B differ: ``(start, end, label_a, label_b)``, Python string indices."""
        return disagreements(len(self.text), self.spans_a, self.spans_b)

    def _fill_differences(self) -> None:
        ranges = self.difference_ranges()
        for start, end, a, b in ranges:
            excerpt = self.text[start:end].replace("\n", " ")
            if len(excerpt) > 60:
                excerpt = excerpt[:57] + "..."
            item = QListWidgetItem(
                f"{start}-{end}: A {_title(a)}, B {_title(b)}: \u201c{excerpt}\u201d")
            item.setData(Qt.ItemDataRole.UserRole, (start, end))
            self.differences.addItem(item)
        chars = sum(end - start for start, end, _, _ in ranges)
        self.difference_summary.setText(
            f"{counted(len(ranges), 'difference')} over {chars:,} of "
            f"{counted(len(self.text), 'character')}"
            if ranges else "The two coders agree on every character.")
        for view in (self.view_a, self.view_b):
            self._underline(view, [(s, e) for s, e, _, _ in ranges])

    def _underline(self, view: QTextEdit, ranges: Sequence[tuple[int, int]]) -> None:
        """Add wavy underlines over ``ranges`` to the view's span highlights."""
        selections = view.extraSelections()
        for start, end in ranges:
            fmt = QTextCharFormat()
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            fmt.setUnderlineColor(QColor(DIFFERENCE_COLOUR))
            sel = QTextEdit.ExtraSelection()
            cursor = QTextCursor(view.document())
            cursor.setPosition(self._offsets.to_qt(start))
            cursor.setPosition(self._offsets.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
            sel.cursor = cursor  # type: ignore[misc]
            sel.format = fmt  # type: ignore[misc]
            selections.append(sel)
        view.setExtraSelections(selections)

    def _show_difference(self, row: int) -> None:
        item = self.differences.item(row)
        if item is None:
            return
        start, end = item.data(Qt.ItemDataRole.UserRole)
        for view in (self.view_a, self.view_b, self.merged_view):
            view.select_range(start, end)
        self.merged_view.setFocus()  # so that 1-5 tags the difference right away

    # -- the consensus -------------------------------------------------------------------
    @staticmethod
    def _as_consensus(span: Span) -> Span:
        return Span(span.start, span.end, span.label, span.text, CONSENSUS_CODER)

    def set_merged(self, spans: Sequence[Span]) -> None:
        """Replace the consensus being edited (not saved until Save)."""
        self.merged = [self._as_consensus(s) for s in spans]
        self._refresh_merged()

    def _label_key(self, label: str) -> None:
        """A label key: tag the selection, or the sentence under the cursor when none.

        Selections are tagged exactly (the main pane widens them to whole words), so that a
        listed difference, which may stop inside a word, can be settled character for
        character.
        """
        if not self.merged_view.tag_selection(label) and self.text:
            start, end = sentence_at(self.text, self.merged_view.cursor_index())
            if start < end:
                self._tag(start, end, label)

    def _tag(self, start: int, end: int, label: str) -> None:
        try:
            self.merged = apply_tag(self.merged, self.text, start, end, label, CONSENSUS_CODER)
        except SpanError:  # a selection outside the text cannot come from the view; ignore
            return
        self._refresh_merged()

    def _untag(self, start: int, end: int) -> None:
        self.merged = remove_range(self.merged, self.text, start, end)
        self._refresh_merged()

    def _refresh_merged(self) -> None:
        self.merged_view.set_spans(self.merged)
        n = len(self.text)
        off_a = sum(e - s for s, e, _, _ in disagreements(n, self.merged, self.spans_a))
        off_b = sum(e - s for s, e, _, _ in disagreements(n, self.merged, self.spans_b))
        self.merged_summary.setText(
            f"The consensus differs from A on {counted(off_a, 'character')} and from B on "
            f"{counted(off_b, 'character')}.")

    def save(self) -> None:
        """Store the consensus coding (and its done mark), then close."""
        try:
            self.library.coding.set_spans_as(self.record_id, CONSENSUS_CODER, self.merged)
            self.library.coding.set_done_as(self.record_id, CONSENSUS_CODER, True)
        except (LibraryError, KeyError, SpanError) as e:
            reason = f"the record no longer exists ({e})" if isinstance(e, KeyError) else str(e)
            QMessageBox.warning(self, "Consensus not saved",
                                f"The consensus could not be saved: {reason}")
            return
        self.saved.emit(self.record_id)
        self.accept()
