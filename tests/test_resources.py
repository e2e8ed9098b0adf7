"""Resources: every file the app refers to exists, and the in-app guide is the README's."""

from __future__ import annotations

from pathlib import Path

from litdesk.assets import resource

REPO = Path(__file__).resolve().parents[1]


def test_referenced_resources_exist():
    for name in ("style.qss", "litdesk.svg", "guide.md", "litdesk.desktop", "litdesk-mime.xml"):
        assert resource(name).stat().st_size > 0, name


def test_user_guide_matches_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## User guide"):readme.index("## Command line")].strip()
    guide = resource("guide.md").read_text(encoding="utf-8").strip()
    as_readme = guide.replace("# litdesk user guide", "## User guide", 1).replace("\n## ", "\n### ")
    assert as_readme == section


def test_readme_screenshot_exists():
    assert (REPO / "resources" / "screenshots" / "main-window.png").stat().st_size > 10_000
