"""The local simulator: phones as a mailbox table, texts in and out over HTTP."""

from hubbot.channels.simulator.routes import sim_routes
from hubbot.channels.simulator.send import SimulatorChannel

__all__ = ["SimulatorChannel", "sim_routes"]
