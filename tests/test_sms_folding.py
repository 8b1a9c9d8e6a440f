"""HUBBOT_SMS_FOLD_ACCENTS folds what goes into an SMS, never what is stored, never a fixed text."""

from __future__ import annotations

from pathlib import Path

import pytest

from hubbot.domain.messages import Msg
from hubbot.domain.models import member_label
from hubbot.i18n import Renderer
from tests.service import Service

ROOT = Path(__file__).resolve().parent.parent
TYPED = "Pôle Saint-Jérôme"
NEIGHBOUR = "+15145550181"


@pytest.mark.parametrize(
    ("fold", "in_the_sms"), [("true", "Pole Saint-Jérome"), ("false", "Pôle Saint-Jérôme")]
)
async def test_a_hub_name_typed_on_the_command_line_is_kept_as_typed_and_only_the_sms_folds_it(
    service: Service, renderer: Renderer, fold: str, in_the_sms: str
) -> None:
    service.env["HUBBOT_SMS_FOLD_ACCENTS"] = fold
    await service.start()
    code, out = await service.cli("hub", "add", "JEROME", "--name", TYPED, "--pin", "2468")
    assert code == 0 and TYPED in out, out
    code, listed = await service.cli("hub", "list")
    assert code == 0 and TYPED in listed, listed

    await service.text(NEIGHBOUR, "REJOINDRE JEROME")
    welcome = await service.expect(NEIGHBOUR, lambda t: in_the_sms in t)

    (person,) = service.query(
        "SELECT person_id FROM addresses WHERE address = ?", (f"sms:{NEIGHBOUR}",)
    )
    expected = Msg("join.welcome_closed", {"hub": in_the_sms, "member": member_label(person[0])})
    assert welcome == renderer.render(expected, "fr"), "the fixed words are untouched"
    assert service.query("SELECT name FROM hubs WHERE code = 'JEROME'") == [(TYPED,)]
