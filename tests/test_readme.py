"""The README's set-up commands are a contract; CI must run the test one."""

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _setup_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```(?:bash|sh)?\n(.+?)\n```", section, flags=re.S)


def test_readme_has_exactly_two_setup_commands():
    commands = _setup_commands()
    assert len(commands) == 2, commands
    main_job, tests = commands
    assert "python -m sknn_cn" in main_job and "pip install ." in main_job
    assert "pytest" in tests and '".[test]"' in tests


def test_ci_runs_exactly_the_readme_test_command():
    ci_lines = [line for line in (ROOT / ".ci" / "run").read_text().splitlines()
                if line and not line.startswith("#")]
    assert ci_lines[-1] == _setup_commands()[1].strip()


def test_ci_runs_the_tests_with_an_empty_home_and_data_home(tmp_path):
    """.ci/run's set-up, run with its last line (venv, install, pytest) replaced by a probe."""
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    probe = "\n".join(lines[:-1] + [
        'echo "$HOME|$SKNN_CN_DATA|$SCIKIT_LEARN_DATA|${SKNN_CN_TEST_MNIST-unset}"',
        'ls -A "$HOME"', "exit 7"])
    script = tmp_path / "probe.sh"
    script.write_text(probe)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SKNN_CN_TEST_MNIST": "/x"}
    run = subprocess.run(["bash", str(script)], capture_output=True, text=True, env=env,
                         cwd=ROOT, timeout=60)
    assert run.returncode == 7, run.stderr  # the exit code of the last command
    home, sknn_data, sk_data, test_mnist = run.stdout.splitlines()[0].split("|")
    scratch = os.path.dirname(home)
    assert home != str(tmp_path)
    assert os.path.dirname(sknn_data) == scratch == os.path.dirname(sk_data)
    assert test_mnist == "unset"
    assert run.stdout.splitlines()[1:] == []  # HOME was empty
    assert not os.path.exists(scratch)  # and is removed on exit
