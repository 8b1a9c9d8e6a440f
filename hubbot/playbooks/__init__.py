"""Playbooks: the YAML files that say which roles a hub has and where messages go."""
