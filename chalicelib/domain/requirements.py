"""O3: the buyer's answers to a gig's requirements (G7), checked against the questions the order
was placed with: every mandatory question answered, choices among the offered options (one, or
several where the question allows), free text within bounds, files for file questions."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .contact_details import text_field_errors
from .errors import FieldError, InvalidInput
from .gigs import Requirement, RequirementType

ANSWER_TEXT_MAX = 2_500  # O3 [decision]
ANSWER_FILES_MAX = 5  # O3 [decision] files on one file question


@dataclass(frozen=True)
class Answer:
    requirement_id: str
    text: str | None = None  # free_text
    choices: tuple[str, ...] = ()  # multiple_choice
    files: tuple[str, ...] = ()  # file: uploaded file ids

    @property
    def is_blank(self) -> bool:
        return not (self.text or "").strip() and not self.choices and not self.files


def check_answers(requirements: Sequence[Requirement], answers: Sequence[Answer]) -> tuple[Answer, ...]:
    """The answers, cleaned (blank optional answers dropped); InvalidInput naming every problem
    as ``answers.N.<field>`` (or ``answers`` for a missing mandatory question), rule O3."""
    errors: list[FieldError] = []
    by_id = {r.id: r for r in requirements}
    seen: set[str] = set()
    kept: list[Answer] = []

    def fail(path: str, message: str, code: str) -> None:
        errors.append(FieldError(path, message, code=code, rule="O3"))

    for i, answer in enumerate(answers):
        requirement = by_id.get(answer.requirement_id)
        if requirement is None:
            fail(f"answers.{i}.requirement_id", "the gig asks no such question", "unknown_requirement")
            continue
        if answer.requirement_id in seen:
            fail(f"answers.{i}.requirement_id", "answered twice", "duplicate")
            continue
        seen.add(answer.requirement_id)
        kind = requirement.answer_type
        if kind is not RequirementType.FREE_TEXT and answer.text:
            fail(f"answers.{i}.text", "this question takes no text", "not_expected")
        if kind is not RequirementType.MULTIPLE_CHOICE and answer.choices:
            fail(f"answers.{i}.choices", "this question has no choices", "not_expected")
        if kind is not RequirementType.FILE and answer.files:
            fail(f"answers.{i}.files", "this question takes no files", "not_expected")
        if kind is RequirementType.FREE_TEXT and answer.text:  # O3 bounds, and W2 like any text people write
            errors += text_field_errors(f"answers.{i}.text", answer.text, maximum=ANSWER_TEXT_MAX, rule="O3",
                                        required=False)
        if kind is RequirementType.MULTIPLE_CHOICE:
            for j, choice in enumerate(answer.choices):
                if choice not in requirement.options:
                    fail(f"answers.{i}.choices.{j}", "not one of the options", "not_an_option")
            if len(set(answer.choices)) != len(answer.choices):
                fail(f"answers.{i}.choices", "a choice is repeated", "duplicate")
            if not requirement.multiple and len(answer.choices) > 1:
                fail(f"answers.{i}.choices", "pick one option", "one_choice_only")
        if kind is RequirementType.FILE and len(answer.files) > ANSWER_FILES_MAX:
            fail(f"answers.{i}.files", f"at most {ANSWER_FILES_MAX} files", "too_many")
        if answer.is_blank:
            if requirement.mandatory:
                fail(f"answers.{i}", "this question is mandatory", "required")
            continue
        kept.append(Answer(answer.requirement_id, (answer.text or "").strip() or None,
                           tuple(answer.choices), tuple(answer.files)))
    for requirement in requirements:
        if requirement.mandatory and requirement.id not in seen:
            fail("answers", f"the mandatory question {requirement.id!r} is not answered", "required")
    if errors:
        raise InvalidInput("the requirements are not answered as the gig asks",
                           code="invalid_answers", fields=errors)
    return tuple(kept)
