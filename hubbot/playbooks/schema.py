"""The playbook YAML file as pydantic models, which also give the JSON schema for editors."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from hubbot.domain.alert_rules import LEAD_ROLES
from hubbot.domain.durations import parse_duration

SLUG_PATTERN = r"^[a-z0-9-]+$"
ID_PATTERN = r"^[a-z][a-z0-9_]*$"
DURATION_PATTERN = r"^\s*\d+\s*[smhdjSMHDJ]\s*$"

# Every model forbids unknown fields: they are almost always typos ("keywrods"), and ignoring
# them would silently drop what the organiser meant to say.

# Pydantic only says "should match pattern"; organisers need to be told what to write instead.
PATTERN_HINTS = {
    SLUG_PATTERN: "use only lower-case letters, digits and '-', like 'community-hub'",
    ID_PATTERN: (
        "use only lower-case letters, digits and '_', starting with a letter, like 'needs_offers'"
    ),
    DURATION_PATTERN: "write a number and a unit, like 90s, 15m, 2h or 3d",
}


def _valid_duration(value: str) -> str:
    # The pattern lets "0d" through; parse_duration explains why that is wrong.
    parse_duration(value)
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Slug = Annotated[str, StringConstraints(strip_whitespace=True, pattern=SLUG_PATTERN)]
Ident = Annotated[str, StringConstraints(strip_whitespace=True, pattern=ID_PATTERN)]
Duration = Annotated[
    str,
    Field(pattern=DURATION_PATTERN, examples=["90s", "15m", "2h", "3d"]),
    AfterValidator(_valid_duration),
]


class TextSpec(BaseModel):
    """A text in French and in English; both are required."""

    model_config = ConfigDict(extra="forbid", title="Text (fr/en)")

    fr: Text = Field(description="The French text.")
    en: Text = Field(description="The English text.")


class KeywordsSpec(BaseModel):
    """Words or short phrases, per language, matched ignoring case and accents."""

    model_config = ConfigDict(extra="forbid", title="Keywords (fr/en)")

    fr: list[Text] = Field(
        default_factory=list,
        description="French words or phrases, e.g. 'fuite', 'panne de courant'.",
    )
    en: list[Text] = Field(
        default_factory=list,
        description="English words or phrases, e.g. 'leak', 'power out'.",
    )


class AnswersSpec(BaseModel):
    """How check-in and roll-call answers are read. Only a clear "fine" counts as fine."""

    model_config = ConfigDict(extra="forbid", title="Answers")

    fine: KeywordsSpec | None = Field(
        default=None,
        description="Words that mean 'I am fine' besides OK and 1, e.g. 'bien', 'all good'."
        " An answer is fine only with one of them and no doubt beside it ('pas bien').",
    )
    help: KeywordsSpec | None = Field(
        default=None,
        description="Words that make an answer a call for help, e.g. 'coincé', 'stuck'.",
    )


class RoleSpec(BaseModel):
    """A role at the hub, like a lanyard with the tasks printed on the back."""

    model_config = ConfigDict(extra="forbid", title="Role")

    id: Ident = Field(description="Short id used in commands, e.g. 'reception'.")
    name: TextSpec = Field(description="The role's name as people say it.")
    priority: bool = Field(
        default=False, description="True for the positions to fill first when the hub opens."
    )
    card: TextSpec = Field(
        description="The task card texted to whoever takes the role; at most 3 SMS segments."
    )


class IntentSpec(BaseModel):
    """Free-text messages that contain one of the keywords go to the holder of a role."""

    model_config = ConfigDict(extra="forbid", title="Intent")

    id: Ident = Field(description="Short id, e.g. 'building_problem'.")
    route_to: Text = Field(description="The id of the role that receives these messages.")
    reply: Text = Field(description="Message key of the reply sent to the sender.")
    keywords: KeywordsSpec = Field(
        default_factory=KeywordsSpec, description="What to look for; at least one keyword."
    )
    urgent: bool = Field(
        False,
        description="A call for help: the message goes to the role through the urgent lane,"
        " ahead of every reply and broadcast.",
    )


class CategorySpec(BaseModel):
    """A theme of the needs and offers board, like water or childcare."""

    model_config = ConfigDict(extra="forbid", title="Category")

    id: Ident = Field(description="Short id, e.g. 'water'.")
    name: TextSpec = Field(description="The theme's name on the board.")
    expires: Duration | None = Field(
        default=None,
        description="How long a note stays on the board, e.g. 12h or 2d; "
        "defaults to defaults.item_expiry.",
    )
    keywords: KeywordsSpec = Field(
        default_factory=KeywordsSpec, description="Words that put a note in this theme."
    )


class DefaultsSpec(BaseModel):
    """Values used when a category does not say otherwise."""

    model_config = ConfigDict(extra="forbid", title="Defaults")

    item_expiry: Duration = Field(
        default="3d", description="How long a need or offer stays on the board, e.g. 3d."
    )


Step = Literal["repeat", "lead", "coordinators"]
DEFAULT_STEPS: tuple[Step, ...] = ("repeat", "lead", "coordinators")


class CheckinSpec(BaseModel):
    """A status round: who is asked, how often, how long they have, and who hears of silence."""

    model_config = ConfigDict(extra="forbid", title="Check-in round")

    id: Ident = Field(description="Short id, e.g. 'status'.")
    name: TextSpec | None = Field(
        default=None,
        description="The round's name in the texts people get, e.g. 'etat des postes'; "
        "defaults to the id.",
    )
    roles: list[Text] = Field(min_length=1, description="Roles whose holders are asked.")
    every: Duration = Field(description="How often while the hub is open, e.g. 2h.")
    prompt: Text = Field(default="checkin.prompt", description="Message key of the question.")
    window: Duration = Field(default="15m", description="How long each step waits for replies.")
    escalate: list[Step] = Field(
        default_factory=lambda: list(DEFAULT_STEPS),
        description="After each silent window: ask again, tell the lead, tell the coordinators.",
    )


class SignificantSpec(BaseModel):
    """A rule that marks a board item significant: it goes to the lead and the next report."""

    model_config = ConfigDict(extra="forbid", title="Significant item rule")

    category: Ident = Field(description="The category the rule applies to, e.g. 'medical'.")
    min_quantity: int | None = Field(
        default=None, ge=1, description="Only from this many people or units, e.g. 10."
    )


CapSeverity = Literal["Extreme", "Severe", "Moderate", "Minor", "Unknown"]
CapUrgency = Literal["Immediate", "Expected", "Future", "Past", "Unknown"]
CapCertainty = Literal["Observed", "Likely", "Possible", "Unlikely", "Unknown"]


class AlertRuleSpec(BaseModel):
    """Which official alerts (CAP) reach whom at the hub. The first rule that matches decides;
    an alert no rule matches stays in the log (hubbot alerts)."""

    model_config = ConfigDict(extra="forbid", title="Official alert rule")

    severity: list[CapSeverity] = Field(
        default_factory=list, description="Only these severities; any if empty."
    )
    urgency: list[CapUrgency] = Field(
        default_factory=list, description="Only these urgencies; any if empty."
    )
    certainty: list[CapCertainty] = Field(
        default_factory=list, description="Only these certainties; any if empty."
    )
    to: Literal["roles", "members", "coordinators"] = Field(
        default="roles", description="The holders of `roles`, every member, or coordinators."
    )
    roles: list[Ident] = Field(
        default_factory=lambda: list(LEAD_ROLES),
        description="With to: roles, the roles whose holders hear it.",
    )
    lane: Literal["urgent", "normal"] | None = Field(
        default=None,
        description="urgent or normal; if unset, urgent for Extreme or Severe and Immediate.",
    )


class PlaybookSpec(BaseModel):
    """A hubbot playbook: the roles of a hub, where messages go, and the board's themes."""

    model_config = ConfigDict(extra="forbid", title="hubbot playbook")

    id: Slug = Field(description="Unique id of the playbook, e.g. 'community-hub'.")
    name: TextSpec = Field(description="The playbook's name.")
    fallback_role: Text = Field(
        default="lead", description="The role that gets messages no intent matches."
    )
    defaults: DefaultsSpec = Field(
        default_factory=DefaultsSpec, description="Defaults for the needs and offers board."
    )
    roles: list[RoleSpec] = Field(description="The roles; one must have the id 'lead'.")
    intents: list[IntentSpec] = Field(
        default_factory=list, description="Keyword routes, checked in order."
    )
    categories: list[CategorySpec] = Field(
        default_factory=list, description="Themes of the needs and offers board."
    )
    life_safety: KeywordsSpec = Field(
        default_factory=KeywordsSpec,
        description="Words that mean a life may be in danger: the message jumps every queue.",
    )
    significant: list[SignificantSpec] = Field(
        default_factory=list, description="Rules that mark needs significant."
    )
    checkins: list[CheckinSpec] = Field(
        default_factory=list, description="Status rounds run while the hub is open."
    )
    shift: Duration | None = Field(
        default=None, description="After this long on duty, holders are reminded to hand over."
    )
    answers: AnswersSpec = Field(
        default_factory=AnswersSpec,
        description="How check-in and roll-call answers are read; built-in words if omitted.",
    )
    rollcall_window: Duration = Field(
        default="15m", description="How long a safety roll call waits for answers."
    )
    alerts: list[AlertRuleSpec] | None = Field(
        default=None,
        description=(
            "Official alerts (CAP): who hears which. If omitted: Extreme, Severe and Moderate"
            " alerts go to the lead and communications."
        ),
    )
    sitrep_every: Duration = Field(
        default="2h", description="How often an open hub sends its status report to coordinators."
    )
