"""``litdesk install-desktop``: the launcher, icons and .ris file type for this user (no Qt).

Follows the freedesktop.org specifications: everything goes under ``$XDG_DATA_HOME`` (default
``~/.local/share``), so no administrator rights are needed and ``--uninstall`` removes exactly
the files that were written. The cache tools (``update-mime-database``,
``update-desktop-database``, ``xdg-mime``) are run when they exist; without them the desktop
picks the files up at the next login.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from litdesk.assets import resource

APP_ID = "litdesk"
MIME_TYPE = "application/x-research-info-systems"
ICON_SIZES = (16, 32, 48, 64, 128, 256, 512)


def data_home() -> Path:
    """``$XDG_DATA_HOME``, or ``~/.local/share`` when unset or not absolute (as the spec says)."""
    value = os.environ.get("XDG_DATA_HOME", "")
    if value and os.path.isabs(value):
        return Path(value)
    return Path.home() / ".local" / "share"


def planned_files(root: Path) -> dict[Path, Path]:
    """{installed path: resource it is copied from} for everything the install writes."""
    files = {
        root / "applications" / f"{APP_ID}.desktop": resource(f"{APP_ID}.desktop"),
        root / "mime" / "packages" / f"{APP_ID}.xml": resource(f"{APP_ID}-mime.xml"),
        root / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg":
            resource(f"{APP_ID}.svg"),
    }
    for size in ICON_SIZES:
        target = root / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        files[target] = resource(f"icons/{APP_ID}-{size}.png")
    return files


def launcher() -> list[str]:
    """The command that starts this litdesk, as absolute paths.

    A PyInstaller bundle is its own launcher; otherwise the ``litdesk`` script installed beside
    the running interpreter (a venv that is not activated), then the one on PATH, then
    ``python -m litdesk``.
    """
    if getattr(sys, "frozen", False):
        return [str(Path(sys.executable).resolve())]
    beside = Path(sys.executable).parent / APP_ID
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside.absolute())]
    found = shutil.which(APP_ID)
    if found:
        return [str(Path(found).absolute())]
    return [str(Path(sys.executable).absolute()), "-m", APP_ID]


def exec_value(argv: Sequence[str]) -> str:
    """An ``Exec=`` value for ``argv`` (Desktop Entry spec quoting, then string escaping)."""
    reserved = set(" \t\n\"'\\><~|&;$*?#()`")
    parts = []
    for arg in argv:
        if reserved & set(arg):
            arg = '"' + "".join("\\" + c if c in '"`$\\' else c for c in arg) + '"'
        parts.append(arg.replace("%", "%%"))
    # Exec is a "string" value: its backslashes are escaped once more in the file.
    return " ".join(parts).replace("\\", "\\\\")


def desktop_entry(template: str, argv: Sequence[str]) -> str:
    """The desktop file with ``Exec`` pointing at ``argv``."""
    lines = []
    for line in template.splitlines():
        if line.startswith("Exec="):
            line = f"Exec={exec_value(argv)} %F"
        lines.append(line)
    return "\n".join(lines) + "\n"


def install_files(root: Path) -> list[Path]:
    argv = launcher()
    written = []
    for target, source in planned_files(root).items():
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.suffix == ".desktop":
            text = desktop_entry(source.read_text(encoding="utf-8"), argv)
            target.write_text(text, encoding="utf-8")
        else:
            shutil.copyfile(source, target)
        written.append(target)
        print(f"installed {target}")
    print(f"the launcher runs: {shlex.join(argv)}")
    return written


def remove_files(root: Path) -> list[Path]:
    removed = []
    for target in planned_files(root):
        if target.exists() or target.is_symlink():
            target.unlink()
            removed.append(target)
            print(f"removed {target}")
    if not removed:
        print(f"nothing to remove: litdesk's desktop files are not in {root}")
    return removed


def _run(tool: str, *args: str) -> None:
    path = shutil.which(tool)
    if path is None:
        print(f"{tool} not found: skipped (the desktop will notice the change at next login)")
        return
    try:
        done = subprocess.run([path, *args], capture_output=True, text=True, timeout=60,
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        print(f"{tool} failed: {e}")
        return
    if done.returncode == 0:
        print(f"ran {tool} {shlex.join(args)}")
    else:
        print(f"{tool} failed (exit {done.returncode}): {done.stderr.strip()}")


def refresh_caches(root: Path, *, set_default: bool) -> None:
    """Run the freedesktop cache tools that exist on this system."""
    _run("update-mime-database", str(root / "mime"))
    _run("update-desktop-database", str(root / "applications"))
    if set_default:
        _run("xdg-mime", "default", f"{APP_ID}.desktop", MIME_TYPE)


def main(uninstall: bool = False) -> int:
    """Install (or with ``uninstall`` remove) litdesk's desktop integration; the exit status."""
    if sys.platform in ("win32", "darwin"):
        print("litdesk: install-desktop is for Linux desktops; on Windows and macOS the "
              "packaged app registers its icon and the .ris type itself", file=sys.stderr)
        return 2
    root = data_home()
    try:
        if uninstall:
            remove_files(root)
        else:
            install_files(root)
    except OSError as e:  # a read-only home, a full disk, a resource missing from the install
        print(f"litdesk: {e}", file=sys.stderr)
        return 1
    refresh_caches(root, set_default=not uninstall)
    return 0
