"""A quick yes/no check of a document against a JSON Schema, for the common case: it is valid.

jsonschema walks a plan document (some 2,000 objects) keyword by keyword, resolving every
`$ref` through its registry: a large part of a plan import's time. `compile_schema` turns a
schema into plain Python closures once; the check says only whether the document is valid. When
it is not, the caller asks jsonschema for the errors and their messages, so this check never
decides a message, only spares the full walk of a valid document.

Only the keywords below are understood (Draft 2020-12 meanings, assertions as jsonschema makes
them without a format checker); a schema using any other keyword is refused on compiling
(`Unsupported`), and the caller then uses jsonschema alone. Annotations are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

ANNOTATIONS = frozenset(
    {"$schema", "$id", "$comment", "title", "description", "format", "examples", "default"}
)


class Unsupported(ValueError):
    """The schema uses a keyword this check does not know."""


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": _is_integer,
    "number": _is_number,
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def _equal(a: Any, b: Any) -> bool:
    """JSON equality: true and 1 differ, 1 and 1.0 do not (as jsonschema compares)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if _is_number(a) and _is_number(b):
        return a == b
    return type(a) is type(b) and a == b


def compile_schema(schema: dict) -> Check:
    """A function telling whether a document is valid against `schema` (refs: "#/$defs/…")."""
    defs = schema.get("$defs", {})
    compiled: dict[str, Check] = {}

    def ref(target: str) -> Check:
        if not target.startswith("#/$defs/") or target[8:] not in defs:
            raise Unsupported(f"$ref {target}")
        name = target[8:]
        if name not in compiled:
            compiled[name] = lambda v: compiled_checks[name](v)  # a recursive definition
            compiled_checks[name] = build(defs[name])
        return compiled[name]

    compiled_checks: dict[str, Check] = {}

    def build(node: Any) -> Check:
        if node is True or node == {}:
            return lambda v: True
        if node is False:
            return lambda v: False
        if not isinstance(node, dict):
            raise Unsupported(repr(node))
        checks: list[Check] = []
        for word, arg in node.items():
            if word in ANNOTATIONS or word == "$defs":
                continue
            checks.append(keyword(word, arg, node))
        if len(checks) == 1:
            return checks[0]
        return lambda v: all(check(v) for check in checks)

    def keyword(word: str, arg: Any, node: dict) -> Check:
        if word == "$ref":
            return ref(arg)
        if word == "type":
            tests = [TYPES[t] for t in ([arg] if isinstance(arg, str) else arg)]
            return lambda v: any(t(v) for t in tests)
        if word == "enum":
            return lambda v: any(_equal(v, x) for x in arg)
        if word == "const":
            return lambda v: _equal(v, arg)
        if word == "minLength":
            return lambda v: not isinstance(v, str) or len(v) >= arg
        if word == "maxLength":
            return lambda v: not isinstance(v, str) or len(v) <= arg
        if word == "pattern":
            pattern = re.compile(arg)
            return lambda v: not isinstance(v, str) or pattern.search(v) is not None
        if word == "minimum":
            return lambda v: not _is_number(v) or v >= arg
        if word == "maximum":
            return lambda v: not _is_number(v) or v <= arg
        if word == "minItems":
            return lambda v: not isinstance(v, list) or len(v) >= arg
        if word == "maxItems":
            return lambda v: not isinstance(v, list) or len(v) <= arg
        if word == "items":
            item = build(arg)
            return lambda v: not isinstance(v, list) or all(item(x) for x in v)
        if word == "required":
            names = list(arg)
            return lambda v: not isinstance(v, dict) or all(n in v for n in names)
        if word == "properties":
            props = {name: build(sub) for name, sub in arg.items()}
            return lambda v: (
                not isinstance(v, dict) or all(props[k](x) for k, x in v.items() if k in props)
            )
        if word == "additionalProperties":
            if "patternProperties" in node:
                raise Unsupported("additionalProperties with patternProperties")
            known = frozenset(node.get("properties", {}))
            extra = build(arg)
            return lambda v: (
                not isinstance(v, dict) or all(extra(x) for k, x in v.items() if k not in known)
            )
        if word == "oneOf":
            subs = [build(sub) for sub in arg]
            return lambda v: sum(1 for s in subs if s(v)) == 1
        if word == "anyOf":
            subs = [build(sub) for sub in arg]
            return lambda v: any(s(v) for s in subs)
        raise Unsupported(word)

    return build(schema)
