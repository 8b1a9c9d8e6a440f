"""`hubbot templates`: the broadcast templates (`#boil_water`...) with their French and English.

A template is a catalog key `template.<id>` (locales/*/LC_MESSAGES/hubbot.po); `BROADCAST
#boil_water` sends it to each recipient in their language. Adding one is adding the key to both
catalogs: this list, and what BROADCAST accepts, follow.
"""

from __future__ import annotations

import sys
from typing import TextIO

from hubbot.cli.console import Commands, command
from hubbot.domain.messages import Msg
from hubbot.domain.playbook import LOCALES
from hubbot.settings import Settings
from hubbot.startup import catalogs

PREFIX = "template."


def register(commands: Commands) -> None:
    command(
        commands,
        "templates",
        lambda s, a: list_templates(s),
        help="the broadcast templates, #id with their French and English texts",
    )


async def list_templates(settings: Settings, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    renderer = catalogs(settings)
    ids = sorted(k.removeprefix(PREFIX) for k in renderer.all_keys() if k.startswith(PREFIX))
    if not ids:
        print(f"No templates: add a key {PREFIX}<id> to both catalogs.", file=out)
        return 0
    for template in ids:
        print(f"#{template}", file=out)
        for locale in LOCALES:
            print(f"  {locale}: {renderer.render(Msg(f'template.{template}'), locale)}", file=out)
    print(
        f"{len(ids)} template(s). Send one: BROADCAST #{ids[0]} (DIFFUSER #{ids[0]});"
        " each recipient reads it in their language.",
        file=out,
    )
    return 0
