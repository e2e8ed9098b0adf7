"""Take the README's screenshot: the real app, the seed imported and tagged, on a real screen.

    Xvfb :99 -screen 0 1600x1000x24 &  DISPLAY=:99 python packaging/screenshot.py OUT.png
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from litdesk.core.model import Span
from litdesk.core.sections import suggest_sections
from litdesk.store.importer import import_file
from litdesk.store.library import Library
from litdesk.ui.app import apply_style
from litdesk.ui.window.main_window import MainWindow

REPO = Path(__file__).resolve().parents[1]


def main(out: str, extra: list[str]) -> None:
    tmp = Path(tempfile.mkdtemp())
    lib = Library.open(tmp / "review.litdesk.sqlite", coder="researcher")
    for path in [REPO / "seeds" / "000_baa27484dd0224d6.txt", *extra]:
        import_file(lib, path)
    seed_id = lib.search_ids("author:gill")[0]
    rec = lib.record(seed_id)
    lib.set_spans(seed_id, [Span(s, e, lab) for s, e, lab in suggest_sections(rec.abstract)])
    app = QApplication(sys.argv[:1])
    apply_style(app)
    win = MainWindow(lib, QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat))
    win.resize(1440, 900)
    win.show()
    win.select_record(seed_id)

    def shoot() -> None:
        win.grab().save(out)
        app.quit()

    QTimer.singleShot(1500, shoot)
    app.exec()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
