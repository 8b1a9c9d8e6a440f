"""The pure core: models, decisions and message types. Standard library only."""
