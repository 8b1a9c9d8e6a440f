"""The exercise scenario YAML file as pydantic models, which also give its JSON schema."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from hubbot.playbooks.schema import Ident, Text

# Every model forbids unknown fields, as playbooks do: a typo ("wihtin") silently ignored would
# make an exercise test less than its author meant.

_SPAN = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_UNITS = (86400, 3600, 60, 1)
OFFSET_PATTERN = r"^T\+\s*[0-9dhms]+$"
SPAN_PATTERN = r"^[0-9dhms]+$"
LONGEST = timedelta(days=30)  # an exercise longer than a month is a typo


def parse_span(text: str) -> timedelta:
    """'90s', '15m', '1h30m', '2d' (units in that order); '0' is zero. ValueError if not."""
    text = text.strip()
    if text == "0":
        return timedelta()
    match = _SPAN.match(text)
    if not text or match is None:
        raise ValueError(f"{text!r} is not a time span: write it like 90s, 15m, 1h30m or 2d")
    seconds = sum(int(part or 0) * unit for part, unit in zip(match.groups(), _UNITS, strict=True))
    if seconds > LONGEST.total_seconds():
        raise ValueError(f"{text!r} is too long: an exercise lasts {LONGEST.days} days at most")
    return timedelta(seconds=seconds)


def parse_offset(text: str) -> timedelta:
    """'T+0', 'T+5m', 'T+1h30m': how long after the start of the exercise."""
    body = text.strip()
    if not body.upper().startswith("T+"):
        raise ValueError(f"{text!r} is not a time in the exercise: write it like T+0 or T+1h30m")
    return parse_span(body[2:])


def _span(value: str) -> str:
    if parse_span(value) <= timedelta():
        raise ValueError(f"{value!r} must be more than zero")
    return value


def _offset(value: str) -> str:
    parse_offset(value)
    return value


def _moment(value: str) -> str:
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"{value!r} is not a date and time like 2026-01-15T07:00:00-05:00"
        ) from None
    if when.tzinfo is None:
        raise ValueError(f"{value!r} needs its UTC offset, like 2026-01-15T07:00:00-05:00")
    return value


Span = Annotated[
    str, Field(pattern=SPAN_PATTERN, examples=["5s", "15m", "1h30m"]), AfterValidator(_span)
]
Offset = Annotated[
    str, Field(pattern=OFFSET_PATTERN, examples=["T+0", "T+5m", "T+1h30m"]), AfterValidator(_offset)
]
PATTERN_HINTS = {
    OFFSET_PATTERN: "write a time in the exercise like T+0, T+5m or T+1h30m",
    SPAN_PATTERN: "write a time span like 5s, 15m or 1h30m",
}


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HubSpec(Model):
    """The hub the exercise runs in; it is created closed, as before a real activation."""

    code: Annotated[str, Field(pattern=r"^[A-Za-z0-9]{2,12}$", description="e.g. GLACE")]
    name: Text = Field(description="The hub's name, as texts show it.")
    pin: Annotated[str, Field(pattern=r"^[0-9]{4,8}$", description="Keyholders' PIN, quoted.")]
    locale: Literal["fr", "en"] = "fr"
    sms_number: str | None = Field(None, description="The hub's own SMS number, E.164.")
    address: str | None = Field(None, description="Where the hub is, for life-safety replies.")
    playbook: str = Field("community-hub", description="The playbook id the hub runs.")
    lat: float | None = Field(None, ge=-90, le=90, description="For CAP alert areas.")
    lon: float | None = Field(None, ge=-180, le=180)
    sgc: str | None = Field(None, description="Statistics Canada SGC code, e.g. 2466023.")


class PersonaSpec(Model):
    """Someone played by the exercise: a keyholder, a volunteer, a neighbour."""

    id: Ident = Field(description="How injects and expectations name this persona.")
    name: Text
    phone: str | None = Field(None, description="E.164 or any common form; quote it.")
    telegram: int | None = Field(None, description="A Telegram user id.")
    language: Literal["fr", "en"] = "fr"
    role: Ident | None = Field(
        None, description="The role they are to be given (by an ASSIGN inject); for the report."
    )
    coordinator: bool = Field(False, description="A regional coordinator from the start.")
    answer: Text = Field("OK", description="What they answer check-ins and roll calls with.")

    @model_validator(mode="after")
    def _reachable(self) -> PersonaSpec:
        if self.phone is None and self.telegram is None:
            raise ValueError(f"persona '{self.id}' needs a phone or a telegram id")
        return self


class TextInject(Model):
    persona: Ident
    body: Text


class CapInject(Model):
    file: Text = Field(description="A CAP XML document, relative to the scenario file.")


class OutageInject(Model):
    for_: Span = Field(alias="for", description="How long SMS sends fail (and are retried).")


class SilentInject(Model):
    persona: Ident
    for_: Span = Field(alias="for", description="How long they answer nothing.")


class CrowdInject(Model):
    count: int = Field(ge=1, le=5000, description="How many neighbours text at once.")
    body: Text | None = Field(
        None, description="What each of them texts; default: JOIN or REJOINDRE and the hub code."
    )
    language: Literal["fr", "en"] = Field("fr", description="The language of the default body.")
    over: Span | None = Field(None, description="Spread their texts over this span.")


INJECT_KINDS = ("text", "cap", "sms_down", "silent", "crowd")


class InjectSpec(Model):
    """Something that happens at a time in the exercise: give exactly one kind."""

    at: Offset
    text: TextInject | None = None
    cap: CapInject | None = None
    sms_down: OutageInject | None = None
    silent: SilentInject | None = None
    crowd: CrowdInject | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> InjectSpec:
        given = [kind for kind in INJECT_KINDS if getattr(self, kind) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of {', '.join(INJECT_KINDS)} (found {len(given)})")
        return self

    @property
    def kind(self) -> str:
        return next(kind for kind in INJECT_KINDS if getattr(self, kind) is not None)

    @property
    def offset(self) -> timedelta:
        return parse_offset(self.at)


class RolesFilled(Model):
    roles: list[Ident] | Literal["priority"] = "priority"
    within: Span = "15m"


class LifeSafetyAnswered(Model):
    within: Span = "5s"


class NeedsAcknowledged(Model):
    within: Span = "1m"


class NeedMatched(Model):
    need: Text = Field(description="A persona id (their first need) or words of the need.")
    within: Span = "30m"


class CheckinAnswered(Model):
    by: list[Ident] | Literal["everyone"] = "everyone"


class MessageReceived(Model):
    to: Ident
    contains: Text = Field(description="Words the message holds (case and accents ignored).")
    by: Offset | None = Field(None, description="At the latest at this time in the exercise.")


EXPECTATION_KINDS = (
    "roles_filled",
    "life_safety_answered",
    "needs_acknowledged",
    "need_matched",
    "checkin_answered",
    "message_received",
)


class ExpectationSpec(Model):
    """What the hub and the bot should achieve; give exactly one kind."""

    roles_filled: RolesFilled | None = None
    life_safety_answered: LifeSafetyAnswered | None = None
    needs_acknowledged: NeedsAcknowledged | None = None
    need_matched: NeedMatched | None = None
    checkin_answered: CheckinAnswered | None = None
    message_received: MessageReceived | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> ExpectationSpec:
        given = [kind for kind in EXPECTATION_KINDS if getattr(self, kind) is not None]
        if len(given) != 1:
            raise ValueError(
                f"give exactly one of {', '.join(EXPECTATION_KINDS)} (found {len(given)})"
            )
        return self

    @property
    def kind(self) -> str:
        return next(kind for kind in EXPECTATION_KINDS if getattr(self, kind) is not None)

    @property
    def spec(self) -> Model:
        found: Model = getattr(self, self.kind)
        return found


class ScenarioSpec(Model):
    """An exercise: a hub, the people who play it, what happens when, and what should follow."""

    model_config = ConfigDict(extra="forbid", title="Exercise scenario", populate_by_name=True)

    name: Text
    description: str | None = None
    start: Annotated[str, AfterValidator(_moment)] = Field(
        "2026-01-15T07:00:00-05:00", description="When T+0 is, ISO 8601 with its offset."
    )
    duration: Span | None = Field(None, description="Run this long; default: last inject + 1h.")
    answer_delay: Span = Field("1m", description="How long personas take to answer a check-in.")
    hub: HubSpec
    personas: list[PersonaSpec] = Field(min_length=1)
    injects: list[InjectSpec] = Field(min_length=1)
    expectations: list[ExpectationSpec] = Field(default_factory=list)


def scenario_json_schema() -> dict[str, Any]:
    """The JSON schema of a scenario file, for editor completion and validation."""
    schema = ScenarioSpec.model_json_schema(by_alias=True)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
