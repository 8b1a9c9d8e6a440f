"""The HTTP server: provider webhooks, the simulator and the health check."""
