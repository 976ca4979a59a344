"""Pulumi program: stack config -> components -> stack outputs (see components/stack.py)."""

from components.stack import run

run()
