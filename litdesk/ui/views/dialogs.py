"""Dialogs: the import summary, the export choices, keyboard shortcuts, about."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from litdesk import __version__
from litdesk.core.words import counted

if TYPE_CHECKING:  # the importer (and rispy) load with the first import, not at start-up
    from litdesk.store.library import FileSummary


def summary_text(summaries: Sequence[FileSummary]) -> str:
    """The import summary as plain text (what the dialog shows and Copy copies).

    The totals, then one line per file saying what became of it, then each file's details
    (every duplicate and problem, by record and line, under the file's name): the outcome of
    the last file is never below a long list of an earlier file's duplicates.
    """
    added = sum(s.added for s in summaries)
    dups = sum(len(s.duplicates) for s in summaries)
    failed = [s for s in summaries if s.error]
    head = [f"{counted(added, 'record')} added"]
    if dups:
        head.append(f"{counted(dups, 'duplicate')} skipped")
    if failed:
        head.append(f"{counted(len(failed), 'file')} could not be imported")
    lines = [", ".join(head) + ".", ""]
    lines += [s.line() for s in summaries]
    for s in summaries:
        details = s.details()
        if details:  # under the file's name, each without the file's path again
            lines += ["", f"{os.path.basename(s.path) or s.path}:"]
            lines += [f"    {d.removeprefix(f'{s.path}, ')}" for d in details]
    return "\n".join(lines)


class ImportSummaryDialog(QDialog):
    def __init__(self, summaries: Sequence[FileSummary], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Import summary")
        self.setObjectName("importSummary")
        self.resize(720, 380)
        lay = QVBoxLayout(self)
        self.text = QPlainTextEdit(summary_text(summaries))
        self.text.setReadOnly(True)
        # wrapped: a problem says what was done at the end of its line, out of sight unwrapped
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        lay.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        copy = buttons.addButton("Copy", QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.text.toPlainText()))
        buttons.accepted.connect(self.accept)
        lay.addWidget(buttons)


class ExportDialog(QDialog):
    """Which records (selected, search result, all) and which format."""

    def __init__(self, n_selected: int, n_shown: int, n_all: int, parent: QWidget | None = None):
        super().__init__(parent)
        from litdesk.core.export import FORMATS

        self.setWindowTitle("Export records")
        form = QFormLayout(self)
        self.scope = QButtonGroup(self)
        box = QVBoxLayout()
        for key, text, n in (("selected", "Selected records", n_selected),
                             ("shown", "Records in the current search", n_shown),
                             ("all", "Whole library", n_all)):
            radio = QRadioButton(f"{text} ({n:,})")
            radio.setObjectName(f"scope_{key}")
            radio.setProperty("scope", key)
            radio.setEnabled(n > 0)
            self.scope.addButton(radio)
            box.addWidget(radio)
        first = next((b for b in self.scope.buttons() if b.isEnabled()), None)
        if first is not None:
            first.setChecked(True)
        form.addRow("Records:", box)
        self.format = QComboBox()
        for name, (_writer, _suffix, description) in FORMATS.items():
            self.format.addItem(description, name)
        form.addRow("Format:", self.format)
        self.all_coders = QCheckBox("Every coder's coding and memos, each named")
        self.all_coders.setObjectName("all_coders")
        self.all_coders.setToolTip("Otherwise: the consensus coding where there is one, else "
                                   "yours, and your memos")
        form.addRow("Coders:", self.all_coders)
        self.included_only = QCheckBox("Included records only")
        self.included_only.setObjectName("included_only")
        self.included_only.setToolTip("Only the records whose final screening decision is "
                                      "include (the consensus where there is one)")
        form.addRow("Screening:", self.included_only)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def chosen(self) -> tuple[str, str]:
        button = self.scope.checkedButton()
        return (str(button.property("scope")) if button else "all", self.format.currentData())


SHORTCUTS = (
    ("1 – 5", "Tag the selection (or, with none, the suggested section or else the sentence "
              "under the cursor) as Background, Aim, Method, Results, Conclusion"),
    ("S  /  Alt+click", "Select the sentence under the cursor / under the mouse"),
    ("Delete", "Remove the section label under the cursor or in the selection"),
    ("Enter / Esc", "Accept / reject the suggested sections of the record"),
    ("D", "Mark the record done (or not done)"),
    ("J / K, ↓ / ↑", "Next / previous record"),
    ("N", "Next record not yet coded (screening: the next one the ranking proposes)"),
    ("Ctrl+Shift+S", "Screening mode on / off"),
    ("I / E / M", "Screening: include / exclude / maybe the record"),
    ("1 – 6", "Screening: exclude with the reason of that key (the team's list)"),
    ("Ctrl+F", "Search"),
    ("Ctrl+Z / Ctrl+Shift+Z", "Undo / redo (tagging, deletions, removed imports)"),
    ("Ctrl+Delete", "Delete the selected records"),
    ("Ctrl+I", "Import RIS files"),
    ("Ctrl+E", "Export the selected records"),
    ("Ctrl+Shift+E", "Export: choose the records and the format"),
)


class ShortcutsDialog(QDialog):
    """Every key, in a table sized to show all of it: no scroll bars, nothing cut off."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        lay = QVBoxLayout(self)
        table = QTableWidget(len(SHORTCUTS), 2)  # a fixed, static list: no model needed
        table.setObjectName("shortcuts")
        table.setHorizontalHeaderLabels(["Key", "Action"])
        for row, (key, what) in enumerate(SHORTCUTS):
            table.setItem(row, 0, QTableWidgetItem(key))
            table.setItem(row, 1, QTableWidgetItem(what))
        table.verticalHeader().hide()
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.setWordWrap(False)
        table.resizeColumnsToContents()
        table.resizeRowsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        frame = 2 * table.frameWidth()
        table.setMinimumSize(
            sum(table.columnWidth(c) for c in range(2)) + frame + 2,
            table.horizontalHeader().height() + sum(table.rowHeight(r) for r in
                                                    range(table.rowCount())) + frame + 2)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        lay.addWidget(table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.adjustSize()


class UserGuideDialog(QDialog):
    """The user guide (resources/guide.md, the same text as the README's guide)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        from PySide6.QtWidgets import QTextBrowser

        from litdesk.assets import resource

        self.setWindowTitle("litdesk user guide")
        lay = QVBoxLayout(self)
        browser = QTextBrowser()
        browser.setObjectName("guide")
        browser.setOpenExternalLinks(True)
        browser.setMarkdown(resource("guide.md").read_text(encoding="utf-8"))
        lay.addWidget(browser)
        self.resize(760, 640)


def about_text(library: str, data_dir: str, log_dir: str) -> str:
    return (
        f"litdesk {__version__}\n\n"
        "Code the sections of abstracts for qualitative evidence synthesis.\n"
        "Licence: MIT\n\n"
        f"Library: {library}\nData folder: {data_dir}\nLog folder: {log_dir}"
    )


def plain_message_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label
