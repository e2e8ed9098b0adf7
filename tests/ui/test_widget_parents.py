"""No widget is given a non-widget parent: a dialog parented on a helper QObject crashes.

File > Export… once failed every time with "QDialog.__init__(ExportActions)": the window's
export helper (a QObject) passed itself as the dialog's parent. The every-action walk catches
that for commands; this reads all the UI code for it, error paths included.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

from PySide6 import QtWidgets
from PySide6.QtWidgets import QWidget

import litdesk.ui

UI = Path(litdesk.ui.__file__).parent


def _module(path: Path) -> str:
    """``litdesk.ui.views.dialogs`` for ``litdesk/ui/views/dialogs.py`` (a package for its
    ``__init__``)."""
    parts = ["litdesk", "ui", *path.relative_to(UI).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _widget_class(name: str, namespaces: list[dict[str, object]]) -> bool:
    for ns in namespaces:
        obj = ns.get(name)
        if inspect.isclass(obj):
            return issubclass(obj, QWidget)
    return False


def _self_given_to_widgets(path: Path) -> list[str]:
    """Calls inside non-widget classes that hand ``self`` to a widget class or its statics."""
    module = importlib.import_module(_module(path))
    # Names a module imports inside its functions are found among the UI modules and Qt's.
    namespaces = [vars(module), vars(QtWidgets)] + [
        vars(importlib.import_module(_module(p))) for p in sorted(UI.rglob("*.py"))]
    found = []
    for cls in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(cls, ast.ClassDef):
            continue
        obj = getattr(module, cls.name, None)
        if not inspect.isclass(obj) or issubclass(obj, QWidget):
            continue
        for call in ast.walk(cls):
            if not isinstance(call, ast.Call):
                continue
            func = call.func
            name = func.value if isinstance(func, ast.Attribute) else func  # Box.warning(...)
            if not isinstance(name, ast.Name) or not _widget_class(name.id, namespaces):
                continue
            args = [*call.args, *(k.value for k in call.keywords if k.arg == "parent")]
            if any(isinstance(a, ast.Name) and a.id == "self" for a in args):
                found.append(f"{path.name}:{call.lineno} {cls.name} passes self to "
                             f"{ast.unparse(func)}")
    return found


def test_no_widget_is_parented_on_a_non_widget():
    found = [hit for path in sorted(UI.rglob("*.py")) for hit in _self_given_to_widgets(path)]
    assert not found, "a widget's parent must be a widget (use the window):\n" + "\n".join(found)
