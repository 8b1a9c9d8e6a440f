"""Command-line entry points for hubbot."""
