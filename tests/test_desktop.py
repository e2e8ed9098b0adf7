"""``litdesk install-desktop``: the real command in a subprocess, against a temporary XDG tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from litdesk import desktop
from litdesk.assets import resource

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _run(args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["XDG_DATA_HOME"] = str(home / "data")
    # xdg-mime writes the default-application choice here: never into the real config.
    env["XDG_CONFIG_HOME"] = str(home / "config")
    return subprocess.run([sys.executable, "-m", "litdesk", *args], env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def _installed(data: Path) -> list[Path]:
    return [
        data / "applications" / "litdesk.desktop",
        data / "mime" / "packages" / "litdesk.xml",
        data / "icons" / "hicolor" / "scalable" / "apps" / "litdesk.svg",
        *(data / "icons" / "hicolor" / f"{s}x{s}" / "apps" / "litdesk.png"
          for s in desktop.ICON_SIZES),
    ]


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="freedesktop integration is for Linux")
def test_install_then_uninstall(tmp_path: Path) -> None:
    data = tmp_path / "data"
    done = _run(["install-desktop"], tmp_path)
    assert done.returncode == 0, done.stderr
    files = _installed(data)
    for path in files:
        assert path.is_file(), f"{path} was not installed"
        assert str(path) in done.stdout

    entry = (data / "applications" / "litdesk.desktop").read_text(encoding="utf-8")
    exec_line = next(line for line in entry.splitlines() if line.startswith("Exec="))
    assert exec_line.endswith(" %F")
    program = exec_line.removeprefix("Exec=").split()[0].strip('"')
    assert Path(program).is_absolute()
    assert "Icon=litdesk" in entry
    assert "MimeType=application/x-research-info-systems;" in entry
    assert "StartupWMClass=litdesk" in entry

    mime = (data / "mime" / "packages" / "litdesk.xml").read_text(encoding="utf-8")
    assert 'type="application/x-research-info-systems"' in mime
    assert '<glob pattern="*.ris"/>' in mime
    svg = data / "icons" / "hicolor" / "scalable" / "apps" / "litdesk.svg"
    assert svg.read_bytes() == resource("litdesk.svg").read_bytes()
    for size in desktop.ICON_SIZES:
        png = (data / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "litdesk.png").read_bytes()
        assert png.startswith(PNG_MAGIC)
        # the IHDR chunk holds width and height as big-endian 32-bit integers
        assert int.from_bytes(png[16:20], "big") == size
        assert int.from_bytes(png[20:24], "big") == size

    if shutil.which("update-mime-database"):
        globs = (data / "mime" / "globs2").read_text(encoding="utf-8")
        assert "application/x-research-info-systems:*.ris" in globs

    again = _run(["install-desktop", "--uninstall"], tmp_path)
    assert again.returncode == 0, again.stderr
    for path in files:
        assert not path.exists(), f"{path} was left behind"
    if shutil.which("update-mime-database"):
        assert "research-info" not in (data / "mime" / "globs2").read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None,
                    reason="desktop-file-validate is not installed (desktop-file-utils)")
def test_desktop_entries_validate(tmp_path: Path) -> None:
    entry = tmp_path / "litdesk.desktop"
    template = resource("litdesk.desktop").read_text(encoding="utf-8")
    for argv in (["litdesk"], ["/opt/my apps/bin/python3", "-m", "litdesk"]):
        entry.write_text(desktop.desktop_entry(template, argv), encoding="utf-8")
        done = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True,
                              text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "error" not in done.stdout.lower()


def test_exec_value_quotes_paths() -> None:
    assert desktop.exec_value(["/usr/bin/litdesk"]) == "/usr/bin/litdesk"
    spaced = desktop.exec_value(["/opt/my apps/py", "-m", "litdesk"])
    assert spaced == '"/opt/my apps/py" -m litdesk'
    # a quoted $ is escaped for the Exec parser, and that backslash again for the string value
    assert desktop.exec_value(["/a$b/py"]) == '"/a\\\\$b/py"'
    assert desktop.exec_value(["/100%/py"]) == "/100%%/py"


def test_data_home_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert desktop.data_home() == tmp_path
    monkeypatch.setenv("XDG_DATA_HOME", "relative/path")
    assert desktop.data_home() == Path.home() / ".local" / "share"
