"""Records ↔ JSON: how dataclass records (evidence, scores) are kept in the store's JSON columns.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from datetime import date
from typing import Any


def to_jsonable(record: Any) -> Any:
    """A record (dataclass, tuple, dict, date) as plain JSON values."""
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        return {f.name: to_jsonable(getattr(record, f.name)) for f in dataclasses.fields(record)}
    if isinstance(record, dict):
        return {str(k): to_jsonable(v) for k, v in record.items()}
    if isinstance(record, list | tuple):
        return [to_jsonable(v) for v in record]
    if isinstance(record, date):
        return record.isoformat()
    return record


def from_jsonable(cls: type[Any], data: dict[str, Any]) -> Any:
    """The inverse of :func:`to_jsonable` for a record class: JSON values → ``cls(...)``.

    >>> from pipeline.records import Role
    >>> from_jsonable(Role, {"title": "SRE", "employer": None, "start": "2020-01-01",
    ...                      "end": None, "current": True, "bullets": ["Led it"]}).start
    datetime.date(2020, 1, 1)
    """
    hints = _hints(cls)  # type: ignore[arg-type]  # classes are hashable
    return cls(**{f.name: _from_json_value(hints[f.name], data[f.name])
                  for f in dataclasses.fields(cls) if f.name in data})


@functools.cache
def _hints(cls: type[Any]) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _from_json_value(kind: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        return _from_json_value(options[0], value)
    if origin is tuple:
        item = typing.get_args(kind)[0]
        return tuple(_from_json_value(item, v) for v in value)
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        return from_jsonable(kind, value)
    if kind is date:
        return date.fromisoformat(value)
    return value
