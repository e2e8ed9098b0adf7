"""The abstract, shown read-only with its section spans highlighted, and the tagging gestures.

The text shown is the text stored, character for character (``setPlainText``: nothing in it
is interpreted as HTML). Spans are drawn with extra selections, so the document is never
rewritten. Offsets leave this widget as Python string indices.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QContextMenuEvent,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import QMenu, QTextEdit, QToolTip, QWidget

from litdesk.core.model import LABEL_COLOURS, LABEL_TITLES, LABELS, Span
from litdesk.core.spans import label_at, sentence_at
from litdesk.core.suggestions import HEADINGS, MODEL
from litdesk.core.term_matches import term_spans
from litdesk.ui.views.textpos import OffsetMap


def initials(name: str) -> str:
    """"Ann Baker" → "AB"; a one-word name gives its first two letters."""
    parts = [p for p in name.replace(".", " ").split() if p]
    if len(parts) > 1:
        return "".join(p[0] for p in parts[:3]).upper()
    return name[:2].upper()


#: The colours of the team's screening terms in the abstract (inclusion, exclusion).
TERM_COLOURS = {"include": "#1b8a3a", "exclude": "#c62828"}


def tint(hex_colour: str, alpha: int = 110) -> QColor:
    colour = QColor(hex_colour)
    colour.setAlpha(alpha)
    return colour


def describe(span: Span) -> str:
    """A span's tooltip: its label, and for a suggestion where it came from and how sure."""
    if not span.suggested:
        return LABEL_TITLES[span.label]
    if getattr(span, "source", HEADINGS) != MODEL:
        return f"suggested {LABEL_TITLES[span.label]} (from the headings)"
    sure = round(100 * getattr(span, "confidence", 1.0))
    return (f"suggested {LABEL_TITLES[span.label]}: the model is {sure}% sure\n"
            "Enter accepts all, Esc rejects all, 1-5 accepts this one as that section")


class AbstractView(QTextEdit):
    """Read-only abstract text; emits tag and untag requests in Python string offsets."""

    tagRequested = Signal(int, int, str)  # start, end, label
    untagRequested = Signal(int, int)
    labelKeyPressed = Signal(str)  # a label key pressed with nothing selected
    acceptSuggestions = Signal()
    rejectSuggestions = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setReadOnly(True)
        self.setAcceptRichText(False)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setAcceptDrops(False)  # dropped files go to the window's import
        self.setObjectName("abstractView")
        self.viewport().setMouseTracking(True)
        self.viewport().installEventFilter(self)
        self._map = OffsetMap("")
        self._spans: list[Span] = []
        self._suggestions: list[Span] = []
        self._others: list[Span] = []  # other coders' spans: shown, never edited
        self._terms: dict[str, str] = {}  # screening terms highlighted: term -> kind
        self._term_spans: list[tuple[int, int, str]] = []
        self._tagging = True
        #: Adds commands to the context menu (the menu, the selected text or the word at the
        #: mouse); set by screening, to mark words as terms.
        self.menu_extras: Callable[[QMenu, str], None] | None = None

    @property
    def tagging(self) -> bool:
        """Coding: keys 1-5 tag and the sections are drawn. Off while screening, where the
        window's keys pick reasons and only the team's terms are drawn on the text."""
        return self._tagging

    @tagging.setter
    def tagging(self, on: bool) -> None:
        self._tagging = on
        self._redraw()

    # -- content ---------------------------------------------------------------------------
    def set_abstract(self, text: str) -> None:
        self._map = OffsetMap(text)
        self._spans, self._suggestions = [], []
        self._term_spans = term_spans(text, self._terms) if self._terms else []
        self.setPlainText(text)
        self._redraw()

    def set_terms(self, terms: Mapping[str, str]) -> None:
        """Highlight the team's screening terms (term -> "include" or "exclude"; {}: none)."""
        self._terms = dict(terms)
        self._term_spans = term_spans(self.text, self._terms) if self._terms else []
        self._redraw()

    def term_spans(self) -> list[tuple[int, int, str]]:
        """The terms highlighted now: (start, end, kind) in Python string indices."""
        return list(self._term_spans)

    @property
    def text(self) -> str:
        return self._map.text

    def set_spans(self, spans: Sequence[Span], suggestions: Sequence[Span] = (),
                  others: Sequence[Span] = ()) -> None:
        self._spans = list(spans)
        self._suggestions = list(suggestions)
        self._others = list(others)
        self._redraw()

    def _redraw(self) -> None:
        selections = []
        for span in self._spans if self._tagging else ():
            fmt = QTextCharFormat()
            fmt.setBackground(tint(LABEL_COLOURS[span.label]))
            selections.append(self._selection(span, fmt))
        for span in self._suggestions if self._tagging else ():
            fmt = QTextCharFormat()
            if getattr(span, "source", HEADINGS) == MODEL:
                # The model's guess: a faint tint and a dotted underline in the label colour.
                fmt.setBackground(tint(LABEL_COLOURS[span.label], 45))
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
            else:
                # From the headings: hatched in the label colour, with a dashed underline.
                fmt.setBackground(QBrush(tint(LABEL_COLOURS[span.label], 200),
                                         Qt.BrushStyle.BDiagPattern))
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DashUnderline)
            fmt.setUnderlineColor(QColor(LABEL_COLOURS[span.label]))
            selections.append(self._selection(span, fmt))
        several = len({s.coder for s in self._others}) > 1
        for span in self._others if self._tagging else ():
            fmt = QTextCharFormat()
            # Another coder's span: underlined in the label colour (a light tint when one
            # coder is shown, so the text stays readable where the underlines stack up).
            if not several:
                fmt.setBackground(tint(LABEL_COLOURS[span.label], 60))
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
            fmt.setUnderlineColor(QColor(LABEL_COLOURS[span.label]))
            fmt.setFontUnderline(True)
            selections.append(self._selection(span, fmt))
        for start, end, kind in self._term_spans:
            # A term: in the kind's colour on a light tint of it, underlined.
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(TERM_COLOURS[kind]))
            fmt.setBackground(tint(TERM_COLOURS[kind], 45))
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
            fmt.setUnderlineColor(QColor(TERM_COLOURS[kind]))
            selections.append(self._selection(Span(start, end, "aim"), fmt))
        self.setExtraSelections(selections)

    def _selection(self, span: Span, fmt: QTextCharFormat) -> QTextEdit.ExtraSelection:
        sel = QTextEdit.ExtraSelection()
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._map.to_qt(span.start))
        cursor.setPosition(self._map.to_qt(span.end), QTextCursor.MoveMode.KeepAnchor)
        sel.cursor = cursor  # type: ignore[misc]
        sel.format = fmt  # type: ignore[misc]
        return sel

    # -- selection in Python offsets -------------------------------------------------------
    def selected_range(self) -> tuple[int, int] | None:
        """The selection as Python indices ``(start, end)``, or None when nothing is selected."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        start = self._map.to_py(cursor.selectionStart())
        end = self._map.to_py(cursor.selectionEnd())
        # A selection ending inside a surrogate pair includes the whole character.
        if self._map.to_qt(end) < cursor.selectionEnd():
            end += 1
        return (start, end) if start < end else None

    def select_range(self, start: int, end: int) -> None:
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._map.to_qt(start))
        cursor.setPosition(self._map.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)

    def cursor_index(self) -> int:
        return self._map.to_py(self.textCursor().position())

    def select_sentence(self) -> None:
        """Select the sentence under the text cursor, ready for a label key."""
        if self.text:
            start, end = sentence_at(self.text, self.cursor_index())
            if start < end:
                self.select_range(start, end)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Alt+click selects the whole sentence under the mouse."""
        super().mousePressEvent(event)
        if event.modifiers() & Qt.KeyboardModifier.AltModifier:
            self.setTextCursor(self.cursorForPosition(event.position().toPoint()))
            self.select_sentence()

    def span_at_point(self, point: QPoint) -> Span | None:
        pos = self.cursorForPosition(point).position()
        rect = self.cursorRect(self.cursorForPosition(point))
        if abs(rect.center().y() - point.y()) > rect.height():  # below the last line
            return None
        return label_at(self._spans, self._map.to_py(pos)) or label_at(
            self._suggestions, self._map.to_py(pos)
        )

    def suggestion_at(self, index: int) -> Span | None:
        """The suggested span at Python index ``index`` (None: none there)."""
        return label_at(self._suggestions, index)

    @property
    def suggestions(self) -> list[Span]:
        return list(self._suggestions)

    def others_at_point(self, point: QPoint) -> list[Span]:
        pos = self._map.to_py(self.cursorForPosition(point).position())
        return [s for s in self._others if s.start <= pos < s.end]

    # -- gestures ----------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = event.key()
        if self.tagging and Qt.Key.Key_1 <= key <= Qt.Key.Key_5 and not event.modifiers() & ~(
            Qt.KeyboardModifier.KeypadModifier
        ):
            label = LABELS[key - Qt.Key.Key_1]
            if not self.tag_selection(label):
                self.labelKeyPressed.emit(label)  # no selection: the owner may tag a sentence
            return
        if self.tagging and key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.untag_selection()
            return
        if self.tagging and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._suggestions:
            self.acceptSuggestions.emit()
            return
        if self.tagging and key == Qt.Key.Key_Escape and self._suggestions:
            self.rejectSuggestions.emit()
            return
        super().keyPressEvent(event)

    def tag_selection(self, label: str) -> bool:
        rng = self.selected_range()
        if rng is None:
            return False
        self.tagRequested.emit(rng[0], rng[1], label)
        return True

    def untag_selection(self) -> bool:
        rng = self.selected_range()
        if rng is None:
            span = label_at(self._spans, self.cursor_index())
            if span is None:
                return False
            rng = (span.start, span.end)
        self.untagRequested.emit(*rng)
        return True

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802
        menu = QMenu(self)
        rng = self.selected_range()
        span = self.span_at_point(event.pos())
        if self.menu_extras is not None:
            self.menu_extras(menu, self._words_at(event.pos(), rng))
            menu.addSeparator()
        for n, label in enumerate(LABELS if self.tagging else (), start=1):
            act = menu.addAction(f"Tag as {LABEL_TITLES[label]}\t{n}")
            act.setEnabled(rng is not None)
            act.triggered.connect(lambda _=False, lab=label: self.tag_selection(lab))
        menu.addSeparator()
        if not self.tagging:
            pass
        elif span is not None and span in self._spans:
            remove = menu.addAction(f"Remove {LABEL_TITLES[span.label]} span\tDel")
            remove.triggered.connect(lambda: self.untagRequested.emit(span.start, span.end))
        elif rng is not None:
            menu.addAction("Remove section labels\tDel").triggered.connect(self.untag_selection)
        menu.addSeparator()
        copy = menu.addAction("Copy")
        copy.setEnabled(rng is not None)
        copy.triggered.connect(self.copy)
        menu.exec(event.globalPos())

    def _words_at(self, point: QPoint, rng: tuple[int, int] | None) -> str:
        """The selected text, else the word under ``point`` ("" over no word)."""
        if rng is not None:
            return self.text[rng[0]:rng[1]]
        cursor = self.cursorForPosition(point)
        cursor.select(QTextCursor.SelectionType.WordUnderCursor)
        return cursor.selectedText()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if obj is self.viewport() and event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            span = self.span_at_point(event.pos())
            others = self.others_at_point(event.pos())
            if others:
                QToolTip.showText(event.globalPos(), "\n".join(
                    f"{LABEL_TITLES[o.label]} — {initials(o.coder)} ({o.coder})" for o in others),
                    self)
            elif span is not None:
                QToolTip.showText(event.globalPos(), describe(span), self)
            else:
                QToolTip.hideText()
            return True
        return super().eventFilter(obj, event)
