"""The lock files: every dependency of the app and of the tests pinned with hashes, inside
pyproject's compatible ranges, app.lock and test.lock agreeing, and this environment
installed from test.lock (scripts/setup.sh), so two installs run the same versions."""
from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
APP_LOCK = ROOT / "requirements" / "app.lock"
TEST_LOCK = ROOT / "requirements" / "test.lock"
_PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==(\S+)(?:\s*;\s*(.+?))?\s*\\?$")


def pins(path: Path) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes), for the pins whose marker holds here."""
    found: dict[str, tuple[str, int]] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _PIN.match(line)
        if match:
            name, version, marker = match.groups()
            current = None
            if marker is None or Marker(marker).evaluate():
                current = canonicalize_name(name)
                assert current not in found, f"{name} pinned twice for this Python in {path}"
                found[current] = (version, 0)
        elif line.strip().startswith("--hash=sha256:") and current is not None:
            version, hashes = found[current]
            found[current] = (version, hashes + 1)
    return found


def declared(*extras: str) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    out = [Requirement(r) for r in project["dependencies"]]
    for extra in extras:
        out += [Requirement(r) for r in project["optional-dependencies"][extra]]
    return out


@pytest.mark.parametrize("lock, extras", [(APP_LOCK, ("postgres",)),
                                          (TEST_LOCK, ("postgres", "test"))])
def test_every_declared_dependency_is_pinned_inside_its_range(lock, extras):
    locked = pins(lock)
    for requirement in declared(*extras):
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{requirement.name} is not in {lock.name}: bash scripts/lock.sh"
        version, hashes = locked[name]
        assert Version(version) in requirement.specifier, \
            f"{lock.name} pins {name}=={version}, outside pyproject's {requirement}"
        assert hashes >= 1
    assert all(hashes >= 1 for _, hashes in locked.values())


def test_app_and_test_locks_agree():
    app, test = pins(APP_LOCK), pins(TEST_LOCK)
    assert {name: v for name, (v, _) in app.items()} == \
        {name: test[name][0] for name in app}
    for tool in ("pip", "setuptools", "wheel"):  # the editable install's build backend
        assert tool in app and tool in test


def test_this_environment_was_installed_from_the_lock():
    locked = pins(TEST_LOCK)
    installed = {canonicalize_name(d.metadata["Name"]): d.version
                 for d in importlib.metadata.distributions()}
    different = {name: (version, installed.get(name)) for name, (version, _) in locked.items()
                 if installed.get(name) != version}
    assert not different, f"not the locked versions (locked, installed): {different}; run " \
                          "bash scripts/setup.sh"
