"""One schema per board action: the shape of every client message, for the websocket and REST alike.

``swot.dispatch.action_run`` validates each message here before it calls a service, so a bad value is
answered with ``invalid`` (websocket) or 400 (REST) and a message naming the field, never with a server
error: strings are strings of bounded length without NUL bytes, numbers are finite and in range, ids and
id lists are positive integers. Business rules (phases, ownership, budgets) stay in the services.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from swot.models import Phase, Quadrant, Strategy

ID_MAX = 2**63 - 1  # PostgreSQL bigint: a larger id would overflow in the query
ID_LIST_MAX = 200
TEXT_MAX = 500
NOTE_MAX = 4000
TITLE_MAX = 200
TIMER_MAX_SECONDS = 4 * 3600
COST_MAX = 10**12 - 1  # Measure.cost_estimate: 14 digits, 2 after the point


class Text(serializers.CharField):
    """A string (numbers, booleans, lists are refused, not converted); DRF's CharField refuses NUL bytes."""

    default_error_messages = {"invalid": _("Text erwartet.")}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class Id(serializers.IntegerField):
    """A positive integer id (a JSON number or a string of digits)."""

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=ID_MAX, **kwargs)


class IdList(serializers.ListField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", ID_LIST_MAX)
        super().__init__(child=Id(), **kwargs)


class Number(serializers.DecimalField):
    """A finite decimal number, as JSON number or string, with ``,`` or ``.`` as decimal separator."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", None)
        kwargs.setdefault("decimal_places", None)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int | float):
            self.fail("invalid")
        if isinstance(data, str):
            data = data.strip().replace(",", ".")
        return super().to_internal_value(data)


def _optional_text(max_length: int) -> Text:
    return Text(max_length=max_length, required=False, allow_blank=True, trim_whitespace=False)


def _quadrant(**kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=Quadrant.values, **kwargs)


ACTION_FIELDS: dict[str, dict[str, serializers.Field]] = {
    "card.create": {
        "quadrant": _quadrant(),
        "text": Text(max_length=TEXT_MAX),
        "note": _optional_text(NOTE_MAX),
        "colour": _optional_text(30),
        "after_id": Id(required=False, allow_null=True),
    },
    "card.update": {
        "card_id": Id(),
        "expected_version": serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        "text": Text(max_length=TEXT_MAX, required=False),
        "note": _optional_text(NOTE_MAX),
        "colour": _optional_text(30),
    },
    "card.move": {
        "card_id": Id(),
        "quadrant": _quadrant(required=False, allow_null=True),
        "after_id": Id(required=False, allow_null=True),
    },
    "card.delete": {"card_id": Id()},
    "card.restore": {"card_id": Id()},
    "card.revert": {"card_id": Id(), "seq": Id()},
    "card.merge": {"target_id": Id(), "source_ids": IdList(min_length=1)},
    "card.cluster": {"card_id": Id(), "cluster_id": Id(required=False, allow_null=True)},
    "card.rate": {
        "card_id": Id(),
        "weight": Number(min_value=0, max_value=1, required=False, allow_null=True),
        "rating": serializers.IntegerField(min_value=1, max_value=4, required=False, allow_null=True),
    },
    "cluster.create": {
        "quadrant": _quadrant(),
        "title": Text(max_length=TITLE_MAX),
        "card_ids": IdList(required=False),
    },
    "cluster.rename": {"cluster_id": Id(), "title": Text(max_length=TITLE_MAX)},
    "cluster.delete": {"cluster_id": Id()},
    "vote.cast": {"card_id": Id()},
    "vote.retract": {"card_id": Id()},
    "board.phase": {"phase": serializers.ChoiceField(choices=Phase.values)},
    "board.lock": {"locked": serializers.BooleanField()},
    "board.reveal": {},
    "timer.start": {"seconds": serializers.IntegerField(min_value=1, max_value=TIMER_MAX_SECONDS)},
    "timer.stop": {},
    "strategy.create": {
        "title": Text(max_length=TITLE_MAX),
        "card_ids": IdList(min_length=2),
        "description": _optional_text(NOTE_MAX),
        "kind": serializers.ChoiceField(choices=Strategy.Kind.values, required=False, allow_null=True),
    },
    "strategy.rate": {
        "strategy_id": Id(),
        "rating": serializers.IntegerField(min_value=1, max_value=5, allow_null=True),
    },
    "strategy.select": {"strategy_id": Id(), "selected": serializers.BooleanField(required=False)},
    "strategy.delete": {"strategy_id": Id()},
    "strategy.measure": {
        "strategy_id": Id(),
        "title": _optional_text(TITLE_MAX),
        "description": _optional_text(NOTE_MAX),
        "owner": _optional_text(200),
        "deadline": serializers.DateField(required=False, allow_null=True),
        "indicator": _optional_text(300),
        "cost_estimate": Number(
            min_value=0, max_value=COST_MAX, max_digits=14, decimal_places=2, required=False, allow_null=True
        ),
        "budget_product_code": _optional_text(40),
    },
}


def _schema_class(kind: str, fields: dict[str, serializers.Field]) -> type[serializers.Serializer]:
    name = "Swot" + "".join(part.capitalize() for part in kind.split(".")) + "Action"
    attrs = {
        "type": serializers.ChoiceField(choices=[kind]),
        **fields,
        "__doc__": f"The ``{kind}`` message (docs/swot-protocol.md).",
    }
    return type(name, (serializers.Serializer,), attrs)


def rest_schema(kind: str, name: str, *, without: tuple[str, ...] = ()) -> type[serializers.Serializer]:
    """The fields of action ``kind`` as a body of a REST endpoint (ids from the path left out)."""
    fields = {k: v for k, v in ACTION_FIELDS[kind].items() if k not in without}
    return type(name, (serializers.Serializer,), {**fields, "__doc__": f"Body of ``{kind}``."})


ACTION_SCHEMAS: dict[str, type[serializers.Serializer]] = {
    kind: _schema_class(kind, fields) for kind, fields in ACTION_FIELDS.items()
}


def _flatten(errors, prefix: str = "") -> list[str]:
    """DRF's nested error structure as ``field: reason`` lines (``source_ids[1]: ...``)."""
    if isinstance(errors, dict):
        out = []
        for key, value in errors.items():
            name = f"{prefix}[{key}]" if isinstance(key, int) else (f"{prefix}.{key}" if prefix else str(key))
            out += _flatten(value, name)
        return out
    if isinstance(errors, list) and errors and all(isinstance(e, str) for e in errors):
        return [f"{prefix}: {' '.join(errors)}" if prefix else " ".join(errors)]
    if isinstance(errors, list):
        return [line for value in errors for line in _flatten(value, prefix)]
    return [f"{prefix}: {errors}" if prefix else str(errors)]


def action_validate(kind: str, message: dict) -> tuple[dict, list[str]]:
    """``(validated fields, [])`` for a valid message of type ``kind``, else ``({}, ["field: reason"])``.

    Fields the message does not carry are left out, so the services' defaults apply.
    """
    serializer = ACTION_SCHEMAS[kind](data=message)
    if serializer.is_valid():
        data = dict(serializer.validated_data)
        data.pop("type", None)
        return data, []
    return {}, _flatten(serializer.errors)
