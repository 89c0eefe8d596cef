"""`havre serve` in a child process on a free loopback port, ready when it answers: for the end-to-end tests and
the load benchmark, which talk to a real server over a real socket."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A server on 127.0.0.1; `stop()` ends it (SIGTERM), `kill()` ends it at once (SIGKILL)."""

    def __init__(
        self,
        policy: Path,
        db: str,
        *,
        cases: Path | None = None,
        token: str | None = None,
        cwd: Path | None = None,
        log: Path | None = None,
        workers: int = 1,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = token
        args = [sys.executable, "-m", "havre", "serve", "--policy", str(policy), "--port", str(self.port), "--db", db]
        args += ["--cases", str(cases)] if cases else []
        args += ["--workers", str(workers)] if workers > 1 else []
        env = {k: v for k, v in os.environ.items() if k != "HAVRE_TOKEN"} | ({"HAVRE_TOKEN": token} if token else {})
        self._out = (log or Path(os.devnull)).open("ab")
        self.process = subprocess.Popen(args, cwd=cwd, env=env, stdout=self._out, stderr=subprocess.STDOUT)

    def wait(self, timeout: float = 120.0) -> Server:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"havre serve ended with code {self.process.returncode}")
            request = urllib.request.Request(self.url + "/static/havre.css")
            try:
                with urllib.request.urlopen(request, timeout=2) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        self.kill()
        raise TimeoutError(f"havre serve did not answer on {self.url} within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self._out.close()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)

    def __enter__(self) -> Server:
        return self.wait()

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()
