"""The README stays true: every setting is documented."""

from pathlib import Path

import pytest

from miglod.settings import SETTINGS, Setting

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_in_the_readme(setting: Setting) -> None:
    row = f"| `{setting.name}` | `{setting.env}` | `{setting.default}` | {setting.help} |"
    assert row in README, f"README's settings table lacks or misstates:\n{row}"
