"""The README's two opening commands, and what keeps them honest: CI runs the second one
verbatim, the learner's config does not run headless, there is no package to pip install."""

import re
import tomllib

from tests.conftest import ROOT


def opening_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    head = readme.split("\n## ", 1)[0]  # everything before the first section
    return re.findall(r"^```bash\n(.*?)\n```$", head, re.MULTILINE | re.DOTALL)


def test_the_readme_opens_with_install_and_run_then_the_test_suite():
    run_app, run_tests = opening_commands()
    assert run_app.startswith("python3.11 -m venv .venv && . .venv/bin/activate && ")
    assert run_app.endswith("pip install -r requirements.txt && python -m deploy.serve run app.py")
    assert run_tests.endswith("python -m pytest")


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert ci[-1] == opening_commands()[1]
    assert "haproxy" in "\n".join(ci) and "chromium" in "\n".join(ci)


def test_the_learners_config_opens_a_browser_and_prints_a_local_url():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    # headless belongs to servers (deploy/launcher.py's flags); set here, every learner's
    # `streamlit run` would skip opening the browser
    assert "headless" not in config["server"]
    # set, `streamlit run` prints this URL instead of asking an external service for one
    assert config["browser"]["serverAddress"] == "localhost"


def test_pyproject_holds_tool_settings_only():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "project" not in pyproject
    assert "ruff" in pyproject["tool"]
