"""Run the fake Odoo in a process of its own (for benchmarks: the client is measured apart).

    python -m tests.fakes.odoo.serve --version 17.0 --databases 1000 --latency 0.05 \\
        --password PW [--cert cert.pem --key key.pem]

Creates databases `db-0000`..`db-0999` (web.base.url `http://localhost:<10000 + i>`, the
admin's password PW), prints the server's URL on one line, then serves until stdin closes.
"""

from __future__ import annotations

import argparse
import sys

from .server import FakeOdoo


def database_name(index: int) -> str:
    return f"db-{index:04d}"


# One app registration accepts at most 100 redirect URIs (personal accounts; 256 otherwise), so
# a large fleet under one stack shares hosts: databases are served 20 to a host (Odoo's dbfilter),
# as a multi-database server does, and 1,000 databases have 50 base URLs.
DATABASES_PER_HOST = 20


def base_url(index: int) -> str:
    return f"http://localhost:{10000 + index // DATABASES_PER_HOST}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--version", default="17.0")
    parser.add_argument("--databases", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--password", required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    args = parser.parse_args(argv)
    tls = (args.cert, args.key) if args.cert and args.key else None
    odoo = FakeOdoo(args.version, db=None, latency=args.latency, tls=tls)
    for index in range(args.databases):
        odoo.add_database(
            database_name(index), admin_password=args.password, base_url=base_url(index)
        )
    with odoo:
        print(odoo.url, flush=True)
        sys.stdin.read()  # until the parent closes our stdin
    return 0


if __name__ == "__main__":
    sys.exit(main())
