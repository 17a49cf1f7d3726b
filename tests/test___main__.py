"""`python -m fmnist_lab` (fmnist_lab.__main__) is the command line, exit status included."""
import subprocess
import sys


def test_python_dash_m_runs_the_cli_and_passes_its_exit_status_on():
    ok = subprocess.run([sys.executable, "-m", "fmnist_lab", "--help"], capture_output=True, text=True)
    assert ok.returncode == 0 and "usage: fmnist-lab" in ok.stdout
    bad = subprocess.run([sys.executable, "-m", "fmnist_lab", "no-such-command"], capture_output=True, text=True)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
