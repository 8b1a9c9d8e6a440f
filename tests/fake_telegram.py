"""A fake Telegram Bot API over real HTTP on 127.0.0.1, for python-telegram-bot to talk to."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "123456:TEST-token_abcdefghijklmnopqrstuvwxyz"
BOT_ID = 123456


@dataclass
class SentMessage:
    message_id: int
    chat_id: int
    text: str
    parse_mode: str | None
    buttons: list[tuple[str, str]]
    at: float


@dataclass
class FakeTelegram:
    """Records what the bot sends. `fail[chat_id]` scripts answers for the next sends there:
    ("429", seconds) for Too Many Requests, or ("403", 0) for a user who blocked the bot."""

    token: str = TOKEN
    url: str = ""
    sent: list[SentMessage] = field(default_factory=list)
    commands: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    webhook: dict[str, Any] = field(default_factory=dict)
    callback_answers: list[str] = field(default_factory=list)
    fail: dict[int, list[tuple[str, float]]] = field(default_factory=dict)
    _updates: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))
    _runner: web.AppRunner | None = None

    async def start(self) -> FakeTelegram:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/bot"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # -- what tests inject ---------------------------------------------------------------
    def message_update(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        username: str | None = None,
        language: str = "fr",
        first_name: str = "Ana",
    ) -> dict[str, Any]:
        user = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": language}
        if username:
            user["username"] = username
        chat: dict[str, Any] = {"id": chat_id or user_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = first_name
        else:
            chat["title"] = "Équipe du pôle"
        message: dict[str, Any] = {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": chat,
            "from": user,
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return {"update_id": next(self._update_ids), "message": message}

    def callback_update(
        self, user_id: int, data: str, message: SentMessage, language: str = "fr"
    ) -> dict[str, Any]:
        user = {"id": user_id, "is_bot": False, "first_name": "Ana", "language_code": language}
        return {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": f"cb{next(self._ids)}",
                "from": user,
                "chat_instance": "ci",
                "data": data,
                "message": {
                    "message_id": message.message_id,
                    "date": int(time.time()),
                    "chat": {"id": message.chat_id, "type": "private"},
                    "text": message.text,
                },
            },
        }

    def push(self, update: dict[str, Any]) -> None:
        """Make an update available to getUpdates (polling)."""
        self._updates.put_nowait(update)

    def texts_to(self, chat_id: int) -> list[str]:
        return [m.text for m in self.sent if m.chat_id == chat_id]

    # -- the Bot API ---------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await _params(request)
        handler = getattr(self, f"_m_{method.lower()}", None)
        if handler is None:
            return _error(404, f"Not Found: method {method} not in the fake")
        result = await handler(params)
        if isinstance(result, web.Response):
            return result
        return web.json_response({"ok": True, "result": result})

    async def _m_getme(self, params: dict[str, Any]) -> Any:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "hubbot",
            "username": "hubbot_test_bot",
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _m_getupdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 1.0)
        updates = []
        try:
            updates.append(await asyncio.wait_for(self._updates.get(), timeout or 0.01))
        except TimeoutError:
            return []
        while not self._updates.empty():
            updates.append(self._updates.get_nowait())
        return [u for u in updates if u["update_id"] >= offset]

    async def _m_sendmessage(self, params: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"])
        script = self.fail.get(chat_id)
        if script:
            kind, seconds = script.pop(0)
            if kind == "429":
                return _error(
                    429,
                    f"Too Many Requests: retry after {int(seconds)}",
                    {"retry_after": int(seconds)},
                )
            return _error(403, "Forbidden: bot was blocked by the user")
        markup = params.get("reply_markup") or {}
        buttons = [
            (b["text"], b.get("callback_data", ""))
            for row in markup.get("inline_keyboard", [])
            for b in row
        ]
        message = SentMessage(
            next(self._ids),
            chat_id,
            str(params["text"]),
            params.get("parse_mode"),
            buttons,
            time.monotonic(),
        )
        self.sent.append(message)
        return {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "text": message.text,
        }

    async def _m_answercallbackquery(self, params: dict[str, Any]) -> Any:
        self.callback_answers.append(str(params.get("callback_query_id")))
        return True

    async def _m_setwebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = params
        return True

    async def _m_deletewebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = {}
        return True

    async def _m_setmycommands(self, params: dict[str, Any]) -> Any:
        self.commands[str(params.get("language_code") or "")] = params["commands"]
        return True


async def _params(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        data = await request.json()
        return dict(data) if isinstance(data, dict) else {}
    params: dict[str, Any] = {}
    for key, value in (await request.post()).items():
        text = str(value)
        try:  # PTB JSON-encodes every non-string parameter
            params[key] = json.loads(text) if text[:1] in "[{" else text
        except ValueError:
            params[key] = text
    return params


def _error(status: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)
