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
