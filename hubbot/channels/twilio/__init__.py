"""SMS through Twilio: its webhooks read and routed, its API for sending."""

from hubbot.channels.twilio.routes import twilio_routes
from hubbot.channels.twilio.send import TwilioAccount, TwilioChannel

__all__ = ["TwilioAccount", "TwilioChannel", "twilio_routes"]
