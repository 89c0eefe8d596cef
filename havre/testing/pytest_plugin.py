"""Collects policy scenario files as pytest items: one test per scenario."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from grammar.text.files import ENTRY_FILE


def _policy_root(path: Path) -> Path | None:
    """The outermost folder with an entry file: a programme's own entry file is not the whole policy."""
    found = None
    for parent in path.parents:
        if (parent / ENTRY_FILE).is_file():
            found = parent
    return found


@cache
def _policy(root: Path) -> Any:
    from havre.api import load_policy

    return load_policy(root)


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix in (".yaml", ".yml") and "scenarios" in file_path.parent.parts and _policy_root(file_path):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    def collect(self) -> Any:
        from grammar.diagnostics import PolicyError
        from havre.testing.scenarios import load_file
        from solver.cases.case import CaseError

        root = _policy_root(self.path)
        assert root is not None
        try:
            policy = _policy(root)
            scenarios = load_file(self.path, policy.checked)
        except (PolicyError, CaseError) as err:
            raise self.CollectError(str(err)) from None
        for scenario in scenarios:
            yield ScenarioItem.from_parent(self, name=scenario.name, scenario=scenario, policy=policy)


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """A `scenarios` folder named on the command line that holds no scenario is an error: it tests nothing."""
    for arg in config.args:
        path = Path(arg.split("::")[0]).resolve()
        named = path.is_dir() and "scenarios" in path.parts and _policy_root(path / "x") is not None
        if named and not any(Path(str(item.path)).resolve().is_relative_to(path) for item in items):
            raise pytest.UsageError(f"{arg} holds no scenario (scenario files are *.yaml files in this folder)")


class ScenarioFailure(Exception):
    pass


class ScenarioItem(pytest.Item):
    def __init__(self, *, scenario: Any, policy: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario
        self.policy = policy

    def runtest(self) -> None:
        from havre.testing.scenarios import decide, failures

        found = failures(self.scenario, decide(self.policy, self.scenario))
        if found:
            raise ScenarioFailure("\n".join(found))

    def repr_failure(self, excinfo: Any, style: Any = None) -> str:
        if isinstance(excinfo.value, ScenarioFailure):
            return f"scenario {self.scenario.name!r} in {self.scenario.file}:\n  " + str(excinfo.value).replace(
                "\n", "\n  "
            )
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"scenario: {self.scenario.name}"
