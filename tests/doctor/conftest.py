"""Fixtures of the doctor tests: the healthy environment (`env`) and the stub Azure CLI."""

from tests.doctor.doctor_env import azure_cli, env

__all__ = ["azure_cli", "env"]
