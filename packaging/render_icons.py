"""Render resources/litdesk.svg to the PNG, .ico and .icns icons litdesk ships.

    python packaging/render_icons.py

Writes resources/icons/litdesk-{16,...,512}.png (QSvgRenderer, no X server needed) and, when
Pillow is installed, packaging/litdesk.ico (Windows) and packaging/litdesk.icns (macOS). Run it
again after changing the SVG and commit the results.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SVG = ROOT / "resources" / "litdesk.svg"
ICONS = ROOT / "resources" / "icons"
SIZES = (16, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 32, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512)


def render_pngs() -> dict[int, Path]:
    """Render the SVG at every size; returns {size: png path}."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (keep alive)
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {SVG}")
    ICONS.mkdir(exist_ok=True)
    out = {}
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(0)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        path = ICONS / f"litdesk-{size}.png"
        if not image.convertToFormat(QImage.Format.Format_ARGB32).save(str(path)):
            raise SystemExit(f"cannot write {path}")
        out[size] = path
    return out


def write_ico_icns(pngs: dict[int, Path]) -> None:
    """Bundle the rendered PNGs into .ico and .icns with Pillow (each size drawn, not scaled)."""
    try:
        from PIL import Image
    except ImportError:
        print("Pillow is not installed: skipped litdesk.ico and litdesk.icns "
              "(pip install Pillow, then run this again)")
        return
    images = {size: Image.open(path).convert("RGBA") for size, path in pngs.items()}
    ico = ROOT / "packaging" / "litdesk.ico"
    largest = images[max(ICO_SIZES)]
    largest.save(ico, format="ICO", sizes=[(s, s) for s in ICO_SIZES],
                 append_images=[images[s] for s in ICO_SIZES if s != max(ICO_SIZES)])
    icns = ROOT / "packaging" / "litdesk.icns"
    images[max(ICNS_SIZES)].save(icns, format="ICNS",
                                 append_images=[images[s] for s in ICNS_SIZES[:-1]])
    print(f"wrote {ico.relative_to(ROOT)} and {icns.relative_to(ROOT)}")


def main() -> int:
    pngs = render_pngs()
    print(f"wrote {len(pngs)} PNGs to {ICONS.relative_to(ROOT)}")
    write_ico_icns(pngs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
