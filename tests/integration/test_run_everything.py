"""`make run`'s processes (Procfile under honcho) start together, a demo timer fires on its own,
its mail reaches the local SMTP sink, and Ctrl-C stops them all."""

from __future__ import annotations

import mailbox
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from email.header import decode_header, make_header
from pathlib import Path

import pytest

from engine.config import PROJECT_ROOT
from tests.integration.smtp import free_port

BIN = Path(sys.executable).parent


def _subjects(folder: Path) -> list[str]:
    if not (folder / "new").exists():
        return []
    return [str(make_header(decode_header(message["Subject"] or ""))) for message in mailbox.Maildir(folder)]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def test_run_starts_web_timers_mail_and_sink_together_and_a_demo_reminder_arrives(tmp_path: Path, backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("the demo runs on its own SQLite file")
    web_port, smtp_port = free_port(), free_port()
    sink = tmp_path / "mail"
    environment = {
        **os.environ,
        "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
        "IGOT_INSTANCE_PATH": str(tmp_path),
        "IGOT_DATABASE_URL": f"sqlite:///{tmp_path / 'igot.sqlite3'}",
        "IGOT_PORT": str(web_port),
        "IGOT_SMTP_HOST": "127.0.0.1",
        "IGOT_SMTP_PORT": str(smtp_port),
        "IGOT_MAIL_SINK_DIR": str(sink),
        "IGOT_TIMER_POLL": "1",
        "IGOT_MAIL_POLL": "0.5",
    }
    subprocess.run(
        [str(BIN / "igot"), "demo", "--reminder-in", "8"],
        env=environment,
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    log = (tmp_path / "honcho.log").open("wb")
    honcho = subprocess.Popen(
        [str(BIN / "honcho"), "-f", str(PROJECT_ROOT / "Procfile"), "-d", str(PROJECT_ROOT), "start"],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        reminded = False
        while time.monotonic() < deadline and not reminded:
            time.sleep(0.5)
            assert honcho.poll() is None, (tmp_path / "honcho.log").read_text()
            reminded = any(s.startswith("Reminder: nomination of Kiran Patil") for s in _subjects(sink))
        assert reminded, (tmp_path / "honcho.log").read_text()
        assert _answers(f"http://127.0.0.1:{web_port}/sign-in")
    finally:
        honcho.send_signal(signal.SIGINT)  # what Ctrl-C sends
        try:
            honcho.wait(timeout=30)
        finally:
            if honcho.poll() is None:
                os.killpg(honcho.pid, signal.SIGKILL)
            log.close()
    output = (tmp_path / "honcho.log").read_text()
    assert "timers of application" in output and "fired" in output
    assert not _answers(f"http://127.0.0.1:{web_port}/sign-in")
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", smtp_port), timeout=1).close()
