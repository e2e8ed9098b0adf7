"""The PRISMA flow diagram's SVG rendered to PNG by Qt (QtSvg), with or without a window."""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

#: Pixels per SVG unit: the 880-unit diagram becomes 2,200 pixels, 7.3 inches at DPI.
SCALE: Final[float] = 2.5
#: The resolution written into the PNG (a word processor sizes the figure by it): print's.
DPI: Final[int] = 300


class RenderError(ValueError):
    """The SVG could not be drawn (Qt's renderer refused it)."""


def _ensure_gui() -> None:
    """Text needs a QGuiApplication: the command line makes an offscreen one."""
    if QGuiApplication.instance() is None:
        global _APP
        _APP = QGuiApplication(["litdesk", "-platform", "offscreen"])


_APP: QGuiApplication | None = None


def svg_to_png(svg: bytes, scale: float = SCALE) -> bytes:
    """``svg`` drawn on white at ``scale`` pixels per unit, as PNG bytes marked :data:`DPI`."""
    _ensure_gui()
    renderer = QSvgRenderer(QByteArray(svg))
    if not renderer.isValid():
        raise RenderError("the diagram's SVG could not be drawn")
    size = renderer.defaultSize()
    image = QImage(max(1, round(size.width() * scale)), max(1, round(size.height() * scale)),
                   QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.white)
    dots_per_metre = round(DPI / 0.0254)
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    renderer.render(painter, QRectF(0, 0, image.width(), image.height()))
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]  # Qt takes a str
        raise RenderError("the diagram could not be saved as PNG")
    buffer.close()
    return bytes(data.data())
