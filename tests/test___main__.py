"""`python -m fmnist_lab` (fmnist_lab.__main__) is the command line, exit status included."""
import runpy
import sys

import pytest


@pytest.mark.parametrize("argv, status, says", [(["--help"], 0, "usage: fmnist-lab"),
                                                (["no-such-command"], 2, "invalid choice: 'no-such-command'")])
def test_python_dash_m_runs_the_cli_and_passes_its_exit_status_on(argv, status, says, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["fmnist_lab", *argv])
    with pytest.raises(SystemExit) as exited:
        runpy.run_module("fmnist_lab", run_name="__main__")
    assert exited.value.code == status
    out = capsys.readouterr()
    assert says in out.out + out.err
