"""core.schema_check: its yes/no answer is jsonschema's, for the plan schema and any document."""

import copy
import json
from pathlib import Path

import jsonschema
import pytest

from shinchoku.core.schema_check import Unsupported, compile_schema

PLANS = Path(__file__).resolve().parents[2] / "shinchoku" / "plans"
SCHEMA = json.loads((PLANS / "schema" / "plan-v1.schema.json").read_text(encoding="utf-8"))
DEMO = PLANS / "demo" / "nishitokyo-action-plan-2019.json"


def jsonschema_valid(schema: dict, doc) -> bool:
    return jsonschema.Draft202012Validator(schema).is_valid(doc)


def small_plan() -> dict:
    """The demo plan cut to a few nodes, with every kind of record kept."""
    doc = json.loads(DEMO.read_text(encoding="utf-8"))
    plan = doc["plan"]
    for name in ("relations", "sections", "welfare_issues", "shared_contents"):
        plan[name] = plan[name][:2]
    plan["previous_evaluations"] = plan.get("previous_evaluations", [])[:2]
    node = plan["nodes"][0]
    plan["nodes"] = [node]
    while node["children"]:  # one branch down to a leaf, with its contents and indicators
        node["children"] = node["children"][:1]
        node["contents"], node["indicators"] = node["contents"][:2], node["indicators"][:2]
        node = node["children"][0]
    node["contents"], node["indicators"] = node["contents"][:2], node["indicators"][:2]
    return doc


def locations(value, path=()):
    """Every (container, key) in a document, depth first."""
    if isinstance(value, dict):
        for key in list(value):
            yield path, key
            yield from locations(value[key], (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield path, i
            yield from locations(item, (*path, i))


def at(doc, path):
    for key in path:
        doc = doc[key]
    return doc


WRONG = [None, True, 0, -1, 1.5, 2.0, "", "x" * 5001, "A B", [], {}, [1], {"x": 1}, 3000]


def mutations(doc):
    """The document with one place changed: each wrong value, removed, or an unknown field."""
    for path, key in locations(doc):
        for wrong in WRONG:
            changed = copy.deepcopy(doc)
            at(changed, path)[key] = wrong
            yield changed
        changed = copy.deepcopy(doc)
        del at(changed, path)[key]
        yield changed
        target = at(doc, (*path, key))
        if isinstance(target, dict):
            changed = copy.deepcopy(doc)
            at(changed, (*path, key))["unknown"] = 1
            yield changed


def test_the_plan_schema_compiles():
    assert compile_schema(SCHEMA)(small_plan())


def test_every_changed_plan_is_judged_as_jsonschema_judges_it():
    check = compile_schema(SCHEMA)
    validator = jsonschema.Draft202012Validator(SCHEMA)
    doc = small_plan()
    judged = invalid = 0
    for changed in mutations(doc):
        expected = validator.is_valid(changed)
        assert check(changed) is expected, json.dumps(changed, ensure_ascii=False)[:2000]
        judged += 1
        invalid += not expected
    assert judged > 1000 and 0 < invalid < judged


@pytest.mark.parametrize(
    ("schema", "valid", "invalid"),
    [
        ({"type": "integer"}, [1, 2.0, -3], [True, 1.5, "1", None]),
        ({"type": ["string", "null"]}, ["a", None], [1, False]),
        ({"type": "number", "minimum": 1, "maximum": 3}, [1, 2.5, 3], [0, 3.1]),
        ({"minimum": 1}, ["x", None, True], [0]),
        ({"enum": ["a", 1]}, ["a", 1, 1.0], ["b", True]),
        ({"const": False}, [False], [0, None]),
        ({"type": "string", "minLength": 1, "maxLength": 2}, ["a", "あい"], ["", "abc"]),
        ({"pattern": "^[a-z]+$"}, ["abc", 5], ["aB", ""]),
        ({"type": "array", "minItems": 1, "items": {"type": "integer"}}, [[1]], [[], ["a"]]),
        (
            {"type": "object", "required": ["a"], "properties": {"a": {"type": "integer"}}},
            [{"a": 1}, {"a": 1, "b": "x"}],
            [{}, {"a": "1"}],
        ),
        ({"properties": {"a": {}}, "additionalProperties": False}, [{"a": 1}, {}], [{"b": 1}]),
        ({"oneOf": [{"type": "integer"}, {"minimum": 0}]}, [-1, "x"], [1]),
        (
            {
                "$defs": {"t": {"type": "array", "items": {"$ref": "#/$defs/t"}}},
                "$ref": "#/$defs/t",
            },
            [[], [[[]]]],
            [[1], [[[2]]]],
        ),
    ],
)
def test_each_keyword_means_what_jsonschema_means(schema, valid, invalid):
    check = compile_schema(schema)
    for doc in valid:
        assert check(doc) and jsonschema_valid(schema, doc), doc
    for doc in invalid:
        assert not check(doc) and not jsonschema_valid(schema, doc), doc


def test_an_unknown_keyword_is_refused():
    with pytest.raises(Unsupported):
        compile_schema({"properties": {"a": {"uniqueItems": True}}})
    with pytest.raises(Unsupported):
        compile_schema({"$ref": "other.json#/x"})
