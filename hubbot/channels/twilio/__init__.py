"""SMS through Twilio: its webhooks read and routed, its API for sending."""

from hubbot.channels.twilio.routes import twilio_routes
from hubbot.channels.twilio.send import TwilioChannel

__all__ = ["TwilioChannel", "twilio_routes"]
