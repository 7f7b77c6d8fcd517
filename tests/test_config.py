"""The server settings live training depends on (see README, "Serving a classroom")."""

import tomllib

from tests.conftest import ROOT


def test_server_config_for_live_training():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    # a full gc.collect(2) after every run capped live updates at ~2/s
    assert config["runner"]["postScriptGC"] is False
    # fast reruns let a click's rerun race a fragment tick and drop the rest of the page
    assert config["runner"]["fastReruns"] is False
    assert config["server"]["fileWatcherType"] == "none"
    assert config["server"]["maxUploadSize"] <= 50
    assert config["browser"]["gatherUsageStats"] is False


def test_viewers_have_the_menu_with_the_theme_switch_but_no_developer_items():
    client = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["client"]
    # "minimal" hides the main menu and with it Settings → theme (the only light / dark
    # switch); "viewer" keeps the menu and hides rerun, clear cache and deploy.
    # tests/test_browser_accessibility.py opens the menu and switches the theme.
    assert client["toolbarMode"] == "viewer"


def test_both_themes_are_defined():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    # With [theme.light] and [theme.dark] the menu offers System / Light / Dark.
    assert {"light", "dark"} <= set(config["theme"])
