"""Request validation driven by the machine-readable Bot API description.

``tests/data/telegram-bot-api-10.1.json`` lists every method with its parameters
(name, accepted types, required flag) and every object type with its fields.  Instead
of hand-writing a schema per method, the fake server checks every incoming request
against that file, so that a misspelt parameter, a missing ``chat_id`` or a malformed
``reply_markup`` fails in the tests exactly where the real Telegram would refuse it (or,
for unknown parameters, where Telegram would silently ignore it, which is a bug too).

Type expressions used by the description:

* primitives ``Integer``, ``Float``, ``String``, ``Boolean`` (and ``True``),
* ``InputFile`` (an uploaded multipart part, or ``attach://<part>`` inside JSON),
* ``Array of X`` (nestable),
* object type names; abstract types list ``subtypes`` told apart by a discriminator
  field (``type``, ``status`` or ``source``) whose value is given in its description.

At the top level every parameter arrives as a string (query string, form fields,
multipart fields) or as a JSON value (JSON body).  Like the real server, JSON bodies
are first normalised to strings (non-strings are re-serialised), so a single code path
then coerces the string according to the declared types.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import ApiError, bad_request

DEFAULT_SPEC_PATH = Path(__file__).resolve().parent.parent / "data" / "telegram-bot-api-10.1.json"

_ARRAY_PREFIX = "Array of "
_INTEGER_RE = re.compile(r"-?\d+")
# Descriptions of discriminator fields read 'always "user"' or 'must be default'.
_DISCRIMINATOR_RE = re.compile(r'(?:always\s+["“]([\w-]+)["”]|must be\s+([\w-]+))')
_DISCRIMINATOR_FIELDS = ("type", "status", "source")
_SCALARS = frozenset({"Integer", "Float", "String", "Boolean", "True", "InputFile"})


@dataclass(frozen=True)
class FieldSpec:
    name: str
    types: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class MethodSpec:
    name: str
    fields: Mapping[str, FieldSpec]
    returns: tuple[str, ...]


@dataclass(frozen=True)
class TypeSpec:
    name: str
    fields: Mapping[str, FieldSpec]
    subtypes: tuple[str, ...]
    # (field name, constant value) identifying this subtype of an abstract type.
    discriminator: tuple[str, str] | None


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    part_name: str
    filename: str
    content_type: str
    data: bytes

    def __repr__(self) -> str:  # keep request logs readable
        return f"UploadedFile({self.filename!r}, {len(self.data)} bytes)"


class SchemaError(ValueError):
    """A JSON value does not match a type expression; ``path`` locates the culprit."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def _fields(raw: Sequence[Mapping[str, Any]]) -> dict[str, FieldSpec]:
    return {
        f["name"]: FieldSpec(name=f["name"], types=tuple(f["types"]), required=bool(f["required"]))
        for f in raw
    }


def _discriminator(raw_fields: Sequence[Mapping[str, Any]]) -> tuple[str, str] | None:
    for f in raw_fields:
        if f["name"] in _DISCRIMINATOR_FIELDS and f["types"] == ["String"]:
            match = _DISCRIMINATOR_RE.search(f.get("description", ""))
            if match:
                return f["name"], match.group(1) or match.group(2)
    return None


def _short(value: object, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class ApiSpec:
    """The parsed description plus the validation routines using it."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.version: str = document.get("version", "unknown")
        self.methods: dict[str, MethodSpec] = {
            name: MethodSpec(
                name=name,
                fields=_fields(m.get("fields", [])),
                returns=tuple(m.get("returns", [])),
            )
            for name, m in document["methods"].items()
        }
        self.types: dict[str, TypeSpec] = {
            name: TypeSpec(
                name=name,
                fields=_fields(t.get("fields", [])),
                subtypes=tuple(t.get("subtypes", [])),
                discriminator=_discriminator(t.get("fields", [])),
            )
            for name, t in document["types"].items()
        }
        # Telegram matches method names case-insensitively (/bot<token>/SENDMESSAGE works).
        self._methods_lower = {name.lower(): spec for name, spec in self.methods.items()}

    @classmethod
    def load(cls, path: Path | str = DEFAULT_SPEC_PATH) -> ApiSpec:
        return _load_cached(str(path))

    def method(self, name: str) -> MethodSpec | None:
        return self._methods_lower.get(name.lower())

    @property
    def update_types(self) -> list[str]:
        """Values accepted in ``allowed_updates``: every optional field of ``Update``."""
        return [name for name in self.types["Update"].fields if name != "update_id"]

    # ------------------------------------------------------------------ top level

    def parse_params(
        self,
        method: MethodSpec,
        raw: Mapping[str, str],
        files: Mapping[str, UploadedFile],
    ) -> dict[str, Any]:
        """Validate and coerce one request's parameters; raise ``ApiError`` (400).

        ``raw`` holds the string parameters, ``files`` the multipart file parts.  A file
        part is either a parameter by itself (``document=<file>``) or the target of an
        ``attach://<part>`` reference from another parameter.
        """
        for name in raw:
            if name not in method.fields:
                raise bad_request(f'unknown parameter "{name}" for method {method.name}')

        referenced: set[str] = set()
        parsed: dict[str, Any] = {}
        for name, file in files.items():
            spec = method.fields.get(name)
            if spec is None:
                continue  # maybe an attach:// target, checked below
            if "InputFile" not in spec.types:
                raise bad_request(f'parameter "{name}" can\'t be a file upload')
            if name in raw:
                raise bad_request(f'parameter "{name}" is given twice')
            parsed[name] = file
            referenced.add(name)

        for name, spec in method.fields.items():
            if name in parsed:
                continue
            if name not in raw:
                if spec.required:
                    raise _missing(method.name, name)
                continue
            parsed[name] = self._coerce(spec, raw[name], files, referenced)

        for part in files:
            if part not in referenced:
                raise bad_request(
                    f'file part "{part}" is neither a parameter of {method.name} '
                    "nor referenced with attach://"
                )
        return parsed

    def _coerce(
        self,
        spec: FieldSpec,
        value: str,
        files: Mapping[str, UploadedFile],
        referenced: set[str],
    ) -> Any:
        # Scalars are tried in declaration order ("Integer or String" gives an int when
        # the value looks like one, as Telegram does for chat_id); String is the
        # catch-all, so it comes last.  JSON types are checked together so that the
        # error reported for e.g. a broken reply_markup is the most specific one.
        first_error: ApiError | None = None
        for type_expr in spec.types:
            if type_expr == "String" or type_expr not in _SCALARS:
                continue
            try:
                return self._coerce_scalar(spec.name, type_expr, value, files, referenced)
            except ApiError as exc:
                first_error = first_error or exc
        json_types = [t for t in spec.types if t not in _SCALARS]
        if json_types:
            try:
                return self._coerce_json(spec.name, json_types, value, files, referenced)
            except ApiError as exc:
                if "String" not in spec.types:
                    raise
                first_error = first_error or exc
        if "String" in spec.types:
            return value
        assert first_error is not None
        raise first_error

    def _coerce_scalar(
        self,
        name: str,
        type_expr: str,
        value: str,
        files: Mapping[str, UploadedFile],
        referenced: set[str],
    ) -> Any:
        def wrong_type() -> ApiError:
            return bad_request(
                f'parameter "{name}" must be of type {type_expr}, got {_short(value)}'
            )

        if type_expr == "Integer":
            if not _INTEGER_RE.fullmatch(value.strip()):
                raise wrong_type()
            return int(value)
        if type_expr == "Float":
            try:
                number = float(value)
            except ValueError:
                raise wrong_type() from None
            if not math.isfinite(number):
                raise wrong_type()
            return number
        if type_expr in ("Boolean", "True"):
            # The real server is laxer (anything but "true"/"1" is false); being strict
            # catches a bot passing e.g. "yes" or a Python repr like "True " by mistake.
            lowered = value.strip().lower()
            if lowered in ("true", "1"):
                return True
            if lowered in ("false", "0") and type_expr == "Boolean":
                return False
            raise wrong_type()
        # InputFile given as a string: only an attach:// reference to a multipart part.
        part = value[len("attach://") :] if value.startswith("attach://") else None
        if part is not None and part in files:
            referenced.add(part)
            return files[part]
        raise bad_request(
            f'parameter "{name}" must be a file upload or a valid attach:// reference'
        )

    def _coerce_json(
        self,
        name: str,
        types: Sequence[str],
        value: str,
        files: Mapping[str, UploadedFile],
        referenced: set[str],
    ) -> Any:
        try:
            decoded = json.loads(value)
        except ValueError:
            if name == "reply_markup":
                raise bad_request("can't parse reply keyboard markup JSON object") from None
            raise bad_request(f'can\'t parse parameter "{name}" as JSON') from None
        try:
            self.check_union(decoded, types, name, files, referenced)
        except SchemaError as exc:
            raise bad_request(f"invalid parameter {exc}") from None
        return decoded

    # --------------------------------------------------------------- JSON values

    def check(
        self,
        value: Any,
        type_expr: str,
        path: str,
        files: Mapping[str, UploadedFile] | None = None,
        referenced: set[str] | None = None,
    ) -> None:
        """Raise ``SchemaError`` unless the JSON ``value`` matches ``type_expr``.

        Unknown object fields are rejected: Telegram ignores them, but an ignored field
        is nearly always a typo in the bot (``callback`` instead of ``callback_data``).
        Also used by the server to self-check its own answers.
        """
        if type_expr.startswith(_ARRAY_PREFIX):
            if not isinstance(value, list):
                raise SchemaError(path, f"expected {type_expr}, got {_short(value)}")
            item_type = type_expr[len(_ARRAY_PREFIX) :]
            for index, item in enumerate(value):
                self.check(item, item_type, f"{path}[{index}]", files, referenced)
            return
        if type_expr == "Integer":
            if not isinstance(value, int) or isinstance(value, bool):
                raise SchemaError(path, f"expected Integer, got {_short(value)}")
            return
        if type_expr == "Float":
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise SchemaError(path, f"expected Float, got {_short(value)}")
            return
        if type_expr == "String":
            if not isinstance(value, str):
                raise SchemaError(path, f"expected String, got {_short(value)}")
            return
        if type_expr == "Boolean":
            if not isinstance(value, bool):
                raise SchemaError(path, f"expected Boolean, got {_short(value)}")
            return
        if type_expr == "True":
            if value is not True:
                raise SchemaError(path, f"expected True, got {_short(value)}")
            return
        if type_expr == "InputFile":
            # Inside JSON a new upload is referenced as attach://<multipart part>.
            if isinstance(value, str) and value.startswith("attach://"):
                part = value[len("attach://") :]
                if files is not None and part in files:
                    if referenced is not None:
                        referenced.add(part)
                    return
                raise SchemaError(path, f"no multipart part named {part!r}")
            raise SchemaError(path, f"expected attach://<part>, got {_short(value)}")

        spec = self.types.get(type_expr)
        if spec is None:
            raise SchemaError(path, f"unknown type {type_expr} in the API description")
        if spec.subtypes:
            self._check_abstract(value, spec, path, files, referenced)
            return
        if not isinstance(value, dict):
            raise SchemaError(path, f"expected a {type_expr} object, got {_short(value)}")
        if not spec.fields:
            return  # opaque placeholder types such as CallbackGame
        for key in value:
            if key not in spec.fields:
                raise SchemaError(f"{path}.{key}", f"unknown field of {type_expr}")
        for name, field in spec.fields.items():
            if name not in value:
                if field.required:
                    raise SchemaError(f"{path}.{name}", f"required field of {type_expr} is missing")
                continue
            if (
                spec.discriminator
                and spec.discriminator[0] == name
                and (value[name] != spec.discriminator[1])
            ):
                raise SchemaError(
                    f"{path}.{name}", f"must be {spec.discriminator[1]!r} for {type_expr}"
                )
            self.check_union(value[name], field.types, f"{path}.{name}", files, referenced)

    def check_union(
        self,
        value: Any,
        types: Sequence[str],
        path: str,
        files: Mapping[str, UploadedFile] | None,
        referenced: set[str] | None,
    ) -> None:
        errors: list[SchemaError] = []
        for type_expr in types:
            try:
                self.check(value, type_expr, path, files, referenced)
                return
            except SchemaError as exc:
                errors.append(exc)
        # Report the error that went deepest: it is the most informative one.
        raise max(errors, key=lambda e: len(e.path))

    def _check_abstract(
        self,
        value: Any,
        spec: TypeSpec,
        path: str,
        files: Mapping[str, UploadedFile] | None,
        referenced: set[str] | None,
    ) -> None:
        candidates = [self.types[name] for name in spec.subtypes if name in self.types]
        if isinstance(value, dict):
            for sub in candidates:
                if sub.discriminator and value.get(sub.discriminator[0]) == sub.discriminator[1]:
                    self.check(value, sub.name, path, files, referenced)
                    return
        undiscriminated = [sub.name for sub in candidates if sub.discriminator is None]
        if undiscriminated:
            self.check_union(value, undiscriminated, path, files, referenced)
            return
        allowed = sorted({sub.discriminator[1] for sub in candidates if sub.discriminator})
        raise SchemaError(path, f"not a valid {spec.name}; expected one of types {allowed}")


def _missing(method: str, name: str) -> ApiError:
    # Telegram's own wording for the most frequent cases.
    if name == "text" and method in ("sendMessage", "editMessageText"):
        return bad_request("message text is empty")
    if name == "chat_id":
        return bad_request("chat_id is empty")
    return bad_request(f'parameter "{name}" is required')


@lru_cache(maxsize=4)
def _load_cached(path: str) -> ApiSpec:
    with open(path, encoding="utf-8") as handle:
        return ApiSpec(json.load(handle))
