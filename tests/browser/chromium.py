"""Where the browser tests find Chromium. Every browser test module imports this first: where
Chromium is missing, each of them skips at collection, all under this one line."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(
        f"browser tests: no Chromium at {CHROMIUM} (apt-get install chromium)",
        allow_module_level=True,
    )

# Playwright's objects belong to the event loop that made them: one loop for the whole session.
ON_SESSION_LOOP = pytest.mark.asyncio(loop_scope="session")
