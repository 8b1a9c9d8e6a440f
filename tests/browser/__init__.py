"""Real-browser tests of the web console."""
