"""Texts written for other people (work-item titles, notifications) as a message key with its
parameters, rendered in the reader's language when shown.

A module builds the text with `Msg` instead of formatting it at once:

    from django.utils.translation import gettext_noop as N_
    from egov.core.msgtext import Msg

    title = Msg(N_("Give instructions: %(doc)s"), doc=label)
    notify(users=leaders, subject=Msg(N_("Urgent")) + ": " + title, ...)

`workitem_create` and `notify` store two things: the text in the default language (Vietnamese;
searched, exported, shown when no key is stored — rows written before keys existed) and the key
with its parameters as JSON (`WorkItem.title_msg`, `Notification.subject_msg` / `body_msg`).
Pages render the JSON with `gettext` in the active language (`render`).

The JSON is one of:
- a string: literal data (a document's code and subject), never translated;
- {"k": msgid, "p": {name: value}, "c": context}: `pgettext(c, k) % p` (p and c optional);
- a list: the parts concatenated.
A lazy translation (`gettext_lazy("Lead")`, a TextChoices label) given as a parameter is stored
as its msgid, so it is translated too.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise

MAX_DEPTH = 8


class Msg:
    """A translatable text with its parameters (see the module doc)."""

    __slots__ = ("data",)

    def __init__(self, msgid: Any = None, /, *, context: str = "", _data: Any = None,
                 **params):
        if _data is not None:
            self.data = _data
            return
        if isinstance(msgid, Promise):
            base = to_data(msgid)
            if isinstance(base, dict):
                msgid, context = base["k"], base.get("c", context)
            else:
                msgid = str(msgid)
        data: dict[str, Any] = {"k": str(msgid)}
        if params:
            data["p"] = {name: to_data(value) for name, value in params.items()}
        if context:
            data["c"] = context
        self.data = data

    def __add__(self, other) -> Msg:
        if other is None or other == "":
            return self
        return Msg(_data=_concat(self.data, to_data(other)))

    def __radd__(self, other) -> Msg:
        if other is None or other == "":
            return self
        return Msg(_data=_concat(to_data(other), self.data))

    def __str__(self) -> str:
        return render(self.data)

    def __repr__(self) -> str:
        return f"Msg({self.data!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Msg) and other.data == self.data

    __hash__ = None  # mutable-looking value object


def _concat(left: Any, right: Any) -> list:
    parts = left if isinstance(left, list) else [left]
    return parts + (right if isinstance(right, list) else [right])


def _lazy_data(value: Promise) -> Any:
    """The msgid (and context) of a lazy gettext / pgettext proxy; its text otherwise."""
    try:
        func, args, kwargs = value.__reduce__()[1][:3]
    except (AttributeError, TypeError, ValueError, IndexError):
        return str(value)
    name = getattr(func, "__name__", "")
    if name == "gettext" and len(args) == 1 and not kwargs:
        return {"k": str(args[0])}
    if name == "pgettext" and len(args) == 2 and not kwargs:
        return {"k": str(args[1]), "c": str(args[0])}
    return str(value)


def to_data(value: Any) -> Any:
    """The JSON form of a text: Msg → its data; lazy translation → its key; else the string."""
    if isinstance(value, Msg):
        return value.data
    if isinstance(value, Promise):
        return _lazy_data(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    return str(value)


def render(data: Any, _depth: int = 0) -> str:
    """The text in the active language. Raises ValueError on malformed data (callers fall
    back to the stored text)."""
    if _depth > MAX_DEPTH:
        raise ValueError("message nested too deep")
    if isinstance(data, str):
        return data
    if isinstance(data, int | float) and not isinstance(data, bool):
        return str(data)
    if isinstance(data, list):
        return "".join(render(part, _depth + 1) for part in data)
    if isinstance(data, dict) and isinstance(data.get("k"), str):
        msgid, context = data["k"], data.get("c")
        text = (translation.pgettext(context, msgid) if isinstance(context, str) and context
                else translation.gettext(msgid))
        params = data.get("p")
        if params is None:
            return text
        if not isinstance(params, dict):
            raise ValueError("message parameters must be an object")
        try:
            return text % {name: render(value, _depth + 1) for name, value in params.items()}
        except (KeyError, TypeError) as err:
            raise ValueError(f"message does not format: {err}") from err
    raise ValueError("not a message")


def display(data: Any, fallback: str) -> str:
    """`data` rendered in the active language, or `fallback` (the stored text) when there is
    no key (old rows) or it does not render."""
    if data in (None, "", {}, []):
        return fallback
    try:
        return render(data)
    except ValueError:
        return fallback


def stored(value: Any) -> tuple[Any, Any]:
    """(text in the default language, JSON) for a text given as Msg or lazy translation;
    (value, None) for anything else (a plain string is kept as it is)."""
    if isinstance(value, Msg | Promise):
        data = to_data(value)
        with translation.override(settings.LANGUAGE_CODE):
            try:
                return render(data), data
            except ValueError:
                return str(data), None
    return value, None
