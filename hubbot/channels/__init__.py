"""Adapters that turn vendor payloads into domain messages and send text back out."""
