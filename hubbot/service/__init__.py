"""The imperative shell: load context, run the core's decisions, persist them, deliver."""
