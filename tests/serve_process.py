"""`inmail-review serve` as a real process for the tests: its environment, its log, SIGTERM and kill -9."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.conftest import BOT_TOKEN, DRAFTS, PROXY_VARS, SIGNING_SECRET
from tests.slack_standin import SlackStandIn

ROOT = Path(__file__).resolve().parents[1]


class ServeProcess:
    """`python -m bot -v serve` (or another `command`) with its stderr collected line by line (INFO
    level on purpose)."""

    def __init__(self, env: dict[str, str], *args: str, command: str = "serve") -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "bot", "-v", command, *args], cwd=ROOT, env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line)

    def wait_line(self, pattern: str, timeout: float = 30) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if found := re.search(pattern, line):
                    return found
            assert self.proc.poll() is None, "".join(self.lines)
            time.sleep(0.05)
        raise AssertionError(f"no line matching {pattern!r} in:\n{''.join(self.lines)}")

    def kill(self) -> None:
        """`kill -9`: no signal handler, no drain, no closing of the database."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(30)
        self._reader.join(5)
        return code

    @property
    def log(self) -> str:
        return "".join(self.lines)


def serve_env(slack: SlackStandIn, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS and not k.startswith(("SLACK_", "INMAIL_"))}
    return env | {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": slack.api_url,
                  "INMAIL_DB": str(tmp_path / "serve.db"), "INMAIL_DRAFTS_CHANNELS": DRAFTS,
                  "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"} | extra


def start_http(env: dict[str, str]) -> tuple[ServeProcess, str]:
    """A serving process on a free loopback port, and its base URL."""
    process = ServeProcess(env, "--host", "127.0.0.1", "--port", "0")
    return process, process.wait_line(r"serving HTTP on (http://\S+)").group(1)
