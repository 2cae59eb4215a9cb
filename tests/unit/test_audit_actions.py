"""Every action the app writes to the audit log reads as a sentence, with a name for the filter."""

import ast
from pathlib import Path

from lms.domain.audit_text import ACTION_NAMES, ACTION_SENTENCES, describe
from lms.domain.renewal import REJECTED, VERIFIED

PACKAGE = Path(__file__).resolve().parents[2] / "lms"
RECORDERS = {"record", "record_many", "_record"}  # audit.record and record_many, and licences' _record


def literal_actions(node):
    """The action strings an argument can be: a literal, or either side of `a if c else b`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from literal_actions(node.body)
        yield from literal_actions(node.orelse)


def recorded_actions() -> set[str]:
    actions = {f"renewal.entry.{status}" for status in (VERIFIED, REJECTED)}  # the one action built with an f-string
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) in RECORDERS:
                values = node.args
            elif isinstance(node, ast.Assign) and any(getattr(target, "id", None) == "action" for target in node.targets):
                values = [node.value]  # action = "a" if … else "b", then audit.record(…, action, …)
            else:
                continue
            for value in values:
                actions.update(action for action in literal_actions(value) if "." in action and " " not in action)
    return actions


def test_every_recorded_action_has_a_sentence_and_a_name():
    actions = recorded_actions()
    assert len(actions) > 40, "the scan should find the audit actions of the whole package"
    assert sorted(actions - ACTION_SENTENCES.keys()) == []
    assert sorted(actions - ACTION_NAMES.keys()) == []


def test_no_sentence_is_left_for_an_action_nobody_records():
    assert sorted(ACTION_SENTENCES.keys() - recorded_actions()) == []


def test_a_sentence_names_its_subject():
    assert describe("agency_course.publish", "crisis-basics", {}).sentence == "Published the agency course crisis-basics."
