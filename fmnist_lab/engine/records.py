"""What a finished run records besides its numbers: where it ran, and compact encodings.

Provenance (code and library versions, host, device, threads, start time) makes a stored result
traceable; the predictions and confusion counts keep it small enough to commit.
"""
from __future__ import annotations

import platform
import socket
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import torch

from .. import __version__


def cpu_name() -> str:
    """The CPU model from /proc/cpuinfo (Linux), else what `platform` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def provenance(device: torch.device) -> dict[str, Any]:
    repo = Path(__file__).resolve().parents[2]
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, timeout=5).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=repo,
                                    capture_output=True, text=True, timeout=5).stdout.strip())
    except (OSError, subprocess.SubprocessError):
        commit, dirty = "", False
    return {
        "package_version": __version__,
        "git_commit": commit or None,
        "git_dirty": dirty,
        "torch_version": str(torch.__version__),
        "python_version": platform.python_version(),
        "host": socket.gethostname(),  # the machine that trained it: a worker's, not the submitter's
        "device": device.type,
        "device_name": torch.cuda.get_device_name(device) if device.type == "cuda" else cpu_name(),
        "threads": torch.get_num_threads(),
        "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def encode_predictions(predicted: torch.Tensor) -> str:
    """One digit per image: 10 000 test predictions in 10 kB of JSON."""
    return "".join(map(str, predicted.tolist()))


def confusion(y_true: torch.Tensor, y_pred: torch.Tensor) -> list[list[int]]:
    counts = torch.bincount(y_true.cpu() * 10 + y_pred.cpu(), minlength=100).reshape(10, 10)
    return counts.tolist()
