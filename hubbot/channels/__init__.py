"""Adapters: a package per channel (routes, parsing, sending, lifecycle), and what they share."""
