"""Allow `python -m hubbot ...`."""

import sys

from hubbot.cli.main import main

sys.exit(main())
