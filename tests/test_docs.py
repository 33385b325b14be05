"""The documentation keeps up with the code: every command, option, setting and error code is
documented, every link resolves, and the README's Python examples run."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from liaison.cli.main import cli
from liaison.domain.errors import ErrorCode
from liaison.services import invariants
from liaison.services.database import Database

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").rglob("*.md"))
SOURCES = [ROOT / "src", ROOT / "tests", ROOT / "bench"]


def commands(group: click.Group, prefix: str = "liaison") -> Iterator[tuple[str, click.Command]]:
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            yield from commands(command, path)
        else:
            yield path, command


COMMANDS = dict(commands(cli))


def test_readme_starts_with_the_two_commands() -> None:
    first_block = README.read_text().split("```")[1]
    assert first_block.strip().splitlines()[1:] == ["make run", "make test"]


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_cli_command_is_documented(path: str) -> None:
    assert path in README.read_text(), f"{path} is not in README.md"
    assert f"## `{path}`" in (ROOT / "docs" / "cli.md").read_text()


@pytest.mark.parametrize(
    ("path", "option"),
    [
        (path, opt)
        for path, command in COMMANDS.items()
        for param in command.params
        for opt in param.opts
        if opt.startswith("--")
    ],
)
def test_every_cli_option_is_documented(path: str, option: str) -> None:
    section = (ROOT / "docs" / "cli.md").read_text().split(f"## `{path}`")[1].split("\n## ")[0]
    assert f"`{option}" in section or f"[{option}" in section, f"{path} {option}"


@pytest.mark.parametrize("code", list(ErrorCode))
def test_every_error_code_is_documented(code: ErrorCode) -> None:
    assert f"| `{code.value}` |" in (ROOT / "docs" / "errors.md").read_text()


def _settings() -> set[str]:
    found: set[str] = set()
    for folder in SOURCES:
        for path in folder.rglob("*.py"):
            found |= set(re.findall(r"[\"'](LIAISON_[A-Z0-9_]+)[\"']", path.read_text()))
    return found


@pytest.mark.parametrize("setting", sorted(_settings()))
def test_every_setting_is_documented(setting: str) -> None:
    assert f"`{setting}`" in (ROOT / "docs" / "configuration.md").read_text()


def test_every_rule_has_a_row_in_rules_md() -> None:
    rules = (ROOT / "docs" / "rules.md").read_text()
    ids = [
        f"{s}{n}" for s, top in (("O", 5), ("A", 9), ("P", 6), ("H", 6)) for n in range(1, top + 1)
    ]
    others = ["T1", "T2", "T3", "L1", "L2", "L3", "L4", "L5"]
    missing = [r for r in [*ids, *others] if f"| **{r}**" not in rules]
    assert missing == []


@pytest.mark.parametrize("path", [README, *DOCS], ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(path: Path) -> None:
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", path.read_text()):
        assert (path.parent / target).exists(), f"{path.name} links to missing {target}"


def test_readme_python_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The examples run in order, as written, on a fresh database, and leave it sound."""
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert len(blocks) >= 5
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    try:
        for block in blocks:
            exec(compile(block, "README.md", "exec"), namespace)
        database = namespace["database"]
        assert isinstance(database, Database)
        assert invariants.check(database) == []
    finally:
        if isinstance(namespace.get("database"), Database):
            namespace["database"].close()  # type: ignore[union-attr]
