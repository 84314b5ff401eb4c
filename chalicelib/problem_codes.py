"""Every problem ``code`` this API can answer, for the OpenAPI document's enum (issue 13: a client
can switch over them). Codes are written where the refusal is, next to its rule id, so this list
is read from the source rather than kept by hand: every ``code="..."`` given to an error (field
errors' codes are the ``errors[].code`` vocabulary, not this one), the codes the HTTP layer answers
itself (``HttpProblem``, ``problem_response``), the error classes' defaults, API Gateway's and
Chalice's own. tests/integration/conftest.py checks that every problem the integration suite
receives has a code listed here, so a code this scan missed fails a test."""
from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).parent
_FIELD_CALLS = {"FieldError"}  # field-level codes: another vocabulary
_POSITIONAL = {"HttpProblem": 1, "problem_response": 1}  # (status, code, ...)
_PARTY_ONLY = ("buyer", "seller")  # f"{actor}_only": a party's own action (C1, B2)


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _literals(node: ast.expr) -> set[str]:
    """The strings a ``code=`` expression can be: a literal, or either branch of ``a if c else b``."""
    if isinstance(node, ast.IfExp):
        return _literals(node.body) | _literals(node.orelse)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    return set()


def _scan(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):  # DomainError subclasses' default ``code = "..."``
            for stmt in node.body:
                if (isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "code"
                                                         for t in stmt.targets)
                        and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)):
                    found.add(stmt.value.value)
        if not isinstance(node, ast.Call) or _name(node.func) in _FIELD_CALLS:
            continue
        for kw in node.keywords:
            if kw.arg == "code":
                found |= _literals(kw.value)
                if (isinstance(kw.value, ast.JoinedStr) and kw.value.values
                      and isinstance(tail := kw.value.values[-1], ast.Constant) and tail.value == "_only"):
                    found.update(f"{party}_only" for party in _PARTY_ONLY)
        index = _POSITIONAL.get(_name(node.func))
        if index is not None and len(node.args) > index:
            arg = node.args[index]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.add(arg.value)
    return found


@lru_cache(maxsize=1)
def problem_codes() -> list[str]:
    from chalicelib.gateway_responses import GATEWAY_RESPONSES
    from chalicelib.handlers.problems import _CHALICE_CODES

    found: set[str] = {code for _, code, _ in GATEWAY_RESPONSES.values()} | set(_CHALICE_CODES.values()) | {"error"}
    for path in sorted(PACKAGE.rglob("*.py")):
        found |= _scan(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    return sorted(found)
