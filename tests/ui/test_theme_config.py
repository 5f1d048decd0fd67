"""The TUI takes its theme from the config file, and the palette's 'save theme' writes the
current one back (keeping the rest of the file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pgvtui.core.config import load_config

from ..snapshots.test_snapshots import make_app, settle


async def test_theme_from_config_and_saved_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('# mine\ntheme = "nord"\nformat = "json"\n')
    monkeypatch.setenv("PGVTUI_CONFIG", str(cfg))
    app = make_app("overview")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == "nord"
        app.theme = "gruvbox"  # as the palette's "Change theme" does
        await pilot.pause()
        await app.run_action("save_theme")
        await pilot.pause()
    saved = load_config(cfg)
    assert saved.theme == "gruvbox" and saved.format == "json"
    assert cfg.read_text().startswith("# mine\n")


async def test_a_bad_theme_in_the_config_is_a_warning_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('theme = "no-such-theme"\n')
    monkeypatch.setenv("PGVTUI_CONFIG", str(cfg))
    app = make_app("overview")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        assert any("no-such-theme" in str(n.message) for n in app._notifications)
