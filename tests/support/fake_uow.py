"""A unit of work that writes nothing: it keeps what a service staged and committed, so a service
can be unit-tested without DynamoDB (install it through the runtime's ``unit_of_work`` factory)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FakeUnitOfWork:
    staged: list[tuple[str, Any, Any]] = field(default_factory=list)  # (operation, item, condition)
    committed: list[tuple[str, Any, Any]] = field(default_factory=list)
    commits: int = 0

    def save(self, item: Any, condition: Any = None) -> None:
        self.staged.append(("save", item, condition))

    def delete(self, item: Any, condition: Any = None) -> None:
        self.staged.append(("delete", item, condition))

    def update(self, item: Any, actions: list, condition: Any = None) -> None:
        self.staged.append(("update", item, condition))

    def check(self, item: Any, condition: Any) -> None:
        self.staged.append(("check", item, condition))

    @property
    def size(self) -> int:
        return len(self.staged)

    def commit(self) -> None:
        self.commits += 1
        self.committed.extend(self.staged)
        self.staged.clear()


@dataclass
class FakeUnitsOfWork:
    """The factory: every unit of work it made, in order."""

    made: list[FakeUnitOfWork] = field(default_factory=list)

    def __call__(self) -> FakeUnitOfWork:
        uow = FakeUnitOfWork()
        self.made.append(uow)
        return uow

    @property
    def committed(self) -> list[tuple[str, Any, Any]]:
        return [write for uow in self.made for write in uow.committed]
