"""The placeholder language: only `{{ name }}` placeholders, each kind with its own allow-list,
refused with a message naming the placeholder; the shipped wording passes its own check."""

from __future__ import annotations

import pytest

from incidents.casework.letters import language
from incidents.casework.letters.defaults import DEFAULTS
from incidents.models import LetterKind


@pytest.mark.parametrize("kind", list(LetterKind))
def test_the_shipped_wording_uses_only_its_own_placeholders(kind: LetterKind) -> None:
    assert language.problem(kind, DEFAULTS[kind]) is None


def test_a_placeholder_that_does_not_exist_is_named() -> None:
    found = language.problem(LetterKind.PARENT, "Dear {{ parent_nmae }},")
    assert found is not None and "{{ parent_nmae }}" in found and "not a placeholder" in found


def test_a_placeholder_of_another_letter_is_refused_by_name() -> None:
    # A parent who raised a concern is never sent what was disclosed.
    found = language.problem(LetterKind.PARENT, "You told us: {{ narrative }}")
    assert found is not None and "{{ narrative }}" in found
    assert language.problem(LetterKind.LADO_SUMMARY, "You told us: {{ narrative }}") is None


@pytest.mark.parametrize(
    "body",
    [
        "{% for x in range(9) %}x{% endfor %}",
        "{{ recipient_name.__class__ }}",
        "{{ recipient_name | upper }}",
        "{{ recipient_name ~ reference }}",
        "{{ 7 * 7 }}",
        "{{ recipient_name() }}",
    ],
)
def test_anything_but_a_bare_placeholder_is_refused(body: str) -> None:
    assert language.problem(LetterKind.PARENT, body) == language.ONLY_PLACEHOLDERS


def test_a_broken_placeholder_and_empty_wording_are_refused() -> None:
    broken = language.problem(LetterKind.PARENT, "Dear {{ recipient_name ,")
    assert broken is not None and "line 1" in broken
    assert language.problem(LetterKind.PARENT, "  \n") == "Enter the wording of the letter"
    too_long = language.problem(LetterKind.PARENT, "x" * (language.MAX_TEMPLATE + 1))
    assert too_long is not None and "characters or fewer" in too_long


def test_render_fills_only_this_kinds_values() -> None:
    text = language.render(
        LetterKind.PARENT,
        "Dear {{ recipient_name }}",
        {"recipient_name": "Pat", "narrative": "secret"},
    )
    assert text == "Dear Pat"
