"""Real example data shipped with the app (resources/examples): each file says in its header comment where its
numbers come from, under which licence, what it teaches and which class is label 1."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

NAMES = ("challenger-orings", "penguins-flipper", "penguins-bill", "breast-cancer", "iris-setosa")
"""In the order File → Open example lists them: from the classic first logistic regression to separable data."""


@dataclass(frozen=True)
class Example:
    name: str
    path: Path
    title: str
    """The header's first line: what is plotted against what."""
    header: str
    """The whole header comment, without its # marks."""


def example(name: str) -> Example:
    """The shipped example of that name. Raises KeyError naming the known ones for any other name."""
    if name not in NAMES:
        raise KeyError(f"Unknown example {name!r}; choose one of {', '.join(NAMES)}.")
    path = Path(str(resources.files("resources") / "examples" / f"{name}.csv"))
    header = []
    with path.open(encoding="utf-8") as stream:
        for line in stream:
            if not line.startswith("#"):
                break
            header.append(line[1:].strip())
    return Example(name, path, header[0], "\n".join(header))


def examples() -> list[Example]:
    return [example(name) for name in NAMES]
