"""The dependency locks: complete, hashed, in agreement with pyproject.toml and with each other.

A clean clone installs what the locks say (README, .ci/run, Dockerfile); these tests fail when a
dependency is added to pyproject.toml without refreshing the locks (``scripts/lock``), or when the
environment running the tests was not installed from them.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
APP_LOCK = ROOT / "requirements.lock"
DEV_LOCK = ROOT / "requirements-dev.lock"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")


def _pins(lock: Path) -> dict[str, tuple[str, int]]:
    """Each locked package's canonical name -> (version, number of hashes)."""
    pins: dict[str, tuple[str, int]] = {}
    current = ""
    for line in lock.read_text(encoding="utf-8").splitlines():
        if found := _PIN.match(line):
            current = canonicalize_name(found[1])
            pins[current] = (found[2], 0)
        elif line.strip().startswith("--hash=sha256:") and current:
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
    return pins


def _project() -> dict[str, list[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {"app": project["dependencies"], "test": project["optional-dependencies"]["test"]}


def test_every_line_of_the_locks_is_a_pin_with_hashes() -> None:
    for lock in (APP_LOCK, DEV_LOCK):
        pins = _pins(lock)
        assert pins, lock
        unhashed = [name for name, (_, hashes) in pins.items() if hashes == 0]
        assert not unhashed, f"{lock.name}: pinned without a hash: {unhashed}"
        loose = [line for line in lock.read_text(encoding="utf-8").splitlines()
                 if line and not line.startswith((" ", "#")) and not _PIN.match(line)]
        assert not loose, f"{lock.name}: not an exact pin: {loose}"


@pytest.mark.parametrize(("group", "lock"), [("app", APP_LOCK), ("test", DEV_LOCK),
                                             ("app", DEV_LOCK)])
def test_each_dependency_of_pyproject_is_locked_within_its_range(group: str, lock: Path) -> None:
    pins = _pins(lock)
    for line in _project()[group]:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is missing from {lock.name}: run scripts/lock"
        version = pins[name][0]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{lock.name} pins {name}=={version}, outside {line!r}: run scripts/lock")


def test_the_two_locks_agree_on_every_version() -> None:
    app, dev = _pins(APP_LOCK), _pins(DEV_LOCK)
    assert {name: app[name][0] for name in app} == {name: dev[name][0] for name in app}


def test_each_direct_dependency_has_an_upper_bound_on_its_major() -> None:
    unbounded = [line for lines in _project().values() for line in lines
                 if not any(spec.operator in ("<", "<=", "==", "~=")
                            for spec in Requirement(line).specifier)
                 and canonicalize_name(Requirement(line).name) != "certifi"]
    # certifi is a CA bundle versioned by date: there is no major to stay under.
    assert not unbounded


def test_this_environment_was_installed_from_the_lock() -> None:
    """The tests run with the locked versions (the README's install), not whatever pip found."""
    wrong: dict[str, tuple[str, str | None]] = {}
    for name, (version, _) in _pins(DEV_LOCK).items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            wrong[name] = (version, None)
            continue
        if canonicalize_name(installed) != canonicalize_name(version):
            wrong[name] = (version, installed)
    assert not wrong, f"locked, installed (pip install -r requirements-dev.lock): {wrong}"


def test_the_install_commands_use_the_locks() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    docker = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "pip install -r requirements-dev.lock && pip install --no-deps -e ." in readme
    assert "pip install --quiet -r requirements-dev.lock" in ci
    assert "pip install --quiet --no-deps -e ." in ci
    assert "--require-hashes -r requirements.lock" in docker
    assert "pip install --no-deps ." in docker
