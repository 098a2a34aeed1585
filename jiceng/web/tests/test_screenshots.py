"""The README shows exactly the pictures `make screenshots` takes (jiceng/web/screenshots.py),
and each of them is there."""

import re

from jiceng.web.screenshots import ROOT, SHOTS


def shown_in_the_readme() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"\]\(docs/screenshots/([\w-]+)\.png\)", text))


def test_the_readme_shows_every_screenshot_the_tool_takes_and_no_other():
    assert shown_in_the_readme() == {shot.name for shot in SHOTS}


def test_every_screenshot_the_readme_shows_is_in_the_repository():
    missing = [
        n for n in shown_in_the_readme() if not (ROOT / f"docs/screenshots/{n}.png").exists()
    ]
    assert missing == []
