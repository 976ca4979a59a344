"""How a secret is shown anywhere (tables, JSON, diffs, errors): never its value."""

MASK = "********"
