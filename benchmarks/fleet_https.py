"""What a user runs: `odoo-outlook sync` as a subprocess against the Odoo-like server in its own
process over HTTPS, 50 ms of injected latency per call, a first sync of every database.

The server's certificate is a throwaway self-signed one made at run time, trusted the way a
user trusts a private CA: the system's CA bundle with that certificate appended, named by
`SSL_CERT_FILE` in the CLI's environment (TLS checks on, host name checked; loading the
~140-certificate bundle is what a TLS context costs). "old" is the CLI of another checkout
(`ODOO_OUTLOOK_OLD`, e.g. the base commit in its own venv: `git worktree add /tmp/base16
9d2d374` + `uv venv` + `uv pip install -e .`), "new" this one, run in the same session.
Client CPU and peak memory come from `os.wait4` on the CLI process (user + system time,
ru_maxrss); stdout and stderr go to files, so the report rendering is part of the time.

    python -m benchmarks fleet_https                                  # the default matrix
    python -m benchmarks.fleet_https 1000:64:new 50:1:old 50:16:old   # chosen rows
"""

from __future__ import annotations

import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.fakes.odoo.serve import base_url, database_name
from tests.fakes.tls import self_signed
from tests.odoo_sync_helpers import write_project

ROOT = Path(__file__).resolve().parent.parent
LATENCY = 0.05
PASSWORD = "Bench-Pa55word-16"
OLD = Path(os.environ.get("ODOO_OUTLOOK_OLD", "/tmp/base16"))
# targets:jobs:which
DEFAULT_ROWS = (
    "50:1:old",
    "50:16:old",
    "50:1:new",
    "50:16:new",
    "1000:16:new",
    "1000:64:new",
    "1000:128:new",
    "1000:256:new",
)


def _cli(which: str) -> str:
    root = OLD if which == "old" else ROOT
    return str(root / ".venv" / "bin" / "odoo-outlook")


def _trust_file(folder: Path, certfile: str) -> str:
    """The system CA bundle plus the test certificate, as a user adds a private CA."""
    system = ssl.get_default_verify_paths().cafile
    bundle = Path(system).read_bytes() if system and Path(system).is_file() else b""
    path = folder / "trust.pem"
    path.write_bytes(bundle + b"\n" + Path(certfile).read_bytes())
    return str(path)


def _stack(url: str, targets: int) -> dict[str, Any]:
    return {
        "targets": [
            {
                "name": f"t{index:04d}",
                "baseUrls": [base_url(index)],
                "connection": {
                    "url": url,
                    "database": database_name(index),
                    "login": "admin",
                    "passwordEnv": "ODOO_BENCH_PASSWORD",
                },
                "mail": {
                    "mode": "generic",
                    "notifications": f"notifications@t{index:04d}.example.com",
                },
            }
            for index in range(targets)
        ]
    }


class _Server:
    """The fake Odoo in its own process, over HTTPS."""

    def __init__(self, databases: int, cert: Any) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.fakes.odoo.serve",
                "--version",
                "17.0",
                "--databases",
                str(databases),
                "--latency",
                str(LATENCY),
                "--password",
                PASSWORD,
                "--cert",
                cert.certfile,
                "--key",
                cert.keyfile,
            ],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()
        assert self.url.startswith("https://"), self.url

    def stop(self) -> float:
        """Stops the server; returns its CPU seconds."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        _, _, usage = os.wait4(self.process.pid, 0)
        return usage.ru_utime + usage.ru_stime


def measure(targets: int, jobs: int, which: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cert = self_signed(folder / "tls")
        server = _Server(targets, cert)
        try:
            write_project(folder, _stack(server.url, targets))
            env = {
                **os.environ,
                "SSL_CERT_FILE": _trust_file(folder, cert.certfile),
                "ODOO_BENCH_PASSWORD": PASSWORD,
                "NO_COLOR": "1",
            }
            argv = [
                _cli(which),
                "sync",
                "--stack",
                "dev",
                "--project-dir",
                str(folder),
                "--outputs",
                str(folder / "outputs.json"),
                "--jobs",
                str(jobs),
            ]
            with open(folder / "out.txt", "wb") as out, open(folder / "err.txt", "wb") as err:
                started = time.perf_counter()
                process = subprocess.Popen(
                    argv, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL
                )
                _, status, usage = os.wait4(process.pid, 0)
                wall = time.perf_counter() - started
            code = os.waitstatus_to_exitcode(status)
            tail = (folder / "err.txt").read_text(errors="replace")[-1500:]
        finally:
            server_cpu = server.stop()
        if code != 0:
            raise RuntimeError(f"{which} exited {code} ({targets} targets, --jobs {jobs}): {tail}")
        return {
            "CLI": which,
            "databases": targets,
            "--jobs": jobs,
            "wall_s": round(wall, 1),
            "client CPU s": round(usage.ru_utime + usage.ru_stime, 1),
            "client peak MB": round(usage.ru_maxrss / 1024),
            "server CPU s": round(server_cpu, 1),
        }


def help_time(which: str, repeats: int = 3) -> dict[str, Any]:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([_cli(which), "--help"], check=True, stdout=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - started)
    return {
        "CLI": which,
        "databases": "`--help`",
        "--jobs": "",
        "wall_s": round(best, 2),
        "client CPU s": "",
        "client peak MB": "",
        "server CPU s": "",
    }


def run(rows: tuple[str, ...] = DEFAULT_ROWS) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        targets, jobs, which = row.split(":")
        if which == "old" and not shutil.which(_cli("old")):
            continue
        out.append(measure(int(targets), int(jobs), which))
        print(out[-1], file=sys.stderr, flush=True)
    out += [help_time(w) for w in ("old", "new") if shutil.which(_cli(w))]
    return out


if __name__ == "__main__":
    from benchmarks.__main__ import _table

    print(_table(run(tuple(sys.argv[1:]) or DEFAULT_ROWS)))
