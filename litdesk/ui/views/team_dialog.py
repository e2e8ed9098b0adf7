"""File > Open Team Library…: the connection form for a library on a PostgreSQL server.

The password is asked only when the server wants one that PGPASSWORD and ~/.pgpass did not
give; it is passed to the connection and never stored, logged or shown.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from litdesk.store.location import Location


class TeamLibraryDialog(QDialog):
    """Server, port, database, login and TLS mode; :meth:`url` builds the address."""

    def __init__(self, parent: QWidget | None = None, login: str = ""):
        super().__init__(parent)
        self.setWindowTitle("Open team library")
        self.setObjectName("teamLibrary")
        form = QFormLayout(self)
        intro = QLabel("A library your team shares on a PostgreSQL server. Ask the library's "
                       "owner for these details (and to grant your login access).")
        intro.setWordWrap(True)
        form.addRow(intro)
        self.host = QLineEdit("localhost")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(5432)
        self.database = QLineEdit()
        self.database.setPlaceholderText("e.g. review_2026")
        self.login = QLineEdit(login)
        self.sslmode = QComboBox()
        for mode in ("prefer", "require", "verify-full", "disable"):
            self.sslmode.addItem(mode)
        for label, widget in (("Server:", self.host), ("Port:", self.port),
                              ("Database:", self.database), ("Login:", self.login),
                              ("Encryption (sslmode):", self.sslmode)):
            form.addRow(label, widget)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def url(self) -> str:
        """``postgresql://LOGIN@HOST:PORT/DATABASE?sslmode=MODE`` (never with a password)."""
        location = Location.for_server(
            self.host.text().strip(), self.port.value(), self.database.text().strip(),
            self.login.text().strip(), self.sslmode.currentText())
        return str(location.address)
