"""The HTTP server: one aiohttp app and its health check; each channel brings its own routes."""
