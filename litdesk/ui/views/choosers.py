"""Small choosers: pick one row of a short list (an import to undo, a backup to restore)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)


def list_dialog(parent: QWidget, title: str, intro: str, headers: Sequence[str],
                 rows: Sequence[tuple[object, Sequence[str]]], ok_text: str) -> object | None:
    """A small chooser: one row per item; the chosen item's key, or None."""
    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setObjectName(title.replace(" ", "_").lower())
    lay = QVBoxLayout(dialog)
    label = QLabel(intro)
    label.setWordWrap(True)
    lay.addWidget(label)
    tree = QTreeWidget()  # a handful of rows, static: a widget is simpler than a model
    tree.setRootIsDecorated(False)
    tree.setHeaderLabels(list(headers))
    for key, cells in rows:
        item = QTreeWidgetItem([str(c) for c in cells])
        item.setData(0, Qt.ItemDataRole.UserRole, key)
        tree.addTopLevelItem(item)
    tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    first = tree.topLevelItem(0)
    if first is not None:
        tree.setCurrentItem(first)
    lay.addWidget(tree)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    ok = buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
    ok.setEnabled(bool(rows))
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    tree.itemDoubleClicked.connect(lambda *_: dialog.accept())
    lay.addWidget(buttons)
    dialog.resize(720, 360)
    if dialog.exec() != QDialog.DialogCode.Accepted or (chosen := tree.currentItem()) is None:
        return None
    chosen_key: object = chosen.data(0, Qt.ItemDataRole.UserRole)
    return chosen_key
