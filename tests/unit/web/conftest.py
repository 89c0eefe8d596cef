"""One application per test module, on the shipped policy, with its own decision log."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from havre.api import Policy, load_policy
from havre.web.app import create_app
from havre.web.settings import Settings
from tests.helpers import ROOT

EXAMPLES = ROOT / "policy/examples"


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy(ROOT / "policy")


def make_client(policy: Policy, folder: Path, token: str | None = None) -> TestClient:
    settings = Settings(policy=policy, token=token, cases=EXAMPLES, db=f"sqlite:///{folder / 'log.sqlite3'}")
    return TestClient(create_app(settings))


@pytest.fixture(scope="module")
def client(policy: Policy, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with make_client(policy, tmp_path_factory.mktemp("web")) as c:
        yield c


def case_text(name: str) -> str:
    return (EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8")


YAML = {"content-type": "application/yaml"}
