"""A bundle is refused only for a real incompatibility (format, labels, scikit-learn
major.minor), with a message naming the versions; other library differences load."""
from __future__ import annotations

import json
import shutil

import pytest
import skops.io

from moderation import load_model
from moderation.classifier.bundle import MANIFEST_FILE, library_differences, library_versions
from moderation.errors import ModelVersionError


@pytest.fixture
def bundle(tiny_model, tmp_path):
    copy = tmp_path / "bundle"
    shutil.copytree(tiny_model, copy)
    return copy


def made_with(bundle, **libraries) -> dict:
    manifest = json.loads((bundle / MANIFEST_FILE).read_text(encoding="utf-8"))
    manifest["libraries"].update(libraries)
    (bundle / MANIFEST_FILE).write_text(json.dumps(manifest), encoding="utf-8")
    return manifest


def _bump(version: str, index: int) -> str:
    parts = [int(p) for p in version.split(".")[:3]]
    parts += [0] * (3 - len(parts))
    parts[index] += 1
    return ".".join(map(str, parts))


def test_other_patch_release_and_other_libraries_load(bundle):
    here = library_versions()
    manifest = made_with(bundle, **{"scikit-learn": _bump(here["scikit-learn"], 2),
                                    "numpy": "1.26.4", "pandas": "2.1.0", "scipy": "1.11.4",
                                    "python": "3.12.1"})
    assert load_model(bundle).version == manifest["model_version"]
    assert "numpy 1.26.4 -> " + here["numpy"] in library_differences(manifest)


@pytest.mark.parametrize("index", [0, 1])
def test_other_scikit_learn_minor_or_major_is_refused_naming_both(bundle, index):
    here = library_versions()["scikit-learn"]
    other = _bump(here, index)
    made_with(bundle, **{"scikit-learn": other})
    with pytest.raises(ModelVersionError) as refused:
        load_model(bundle)
    message = str(refused.value)
    assert f"scikit-learn {other}" in message and f"this environment has {here}" in message
    assert "requirements/app.lock" in message


def test_a_load_failure_names_the_libraries_that_differ(bundle, monkeypatch):
    made_with(bundle, skops="99.0.0", numpy="9.9.9")

    def newer_format(*args, **kwargs):
        raise ValueError("unknown protocol 99")

    monkeypatch.setattr(skops.io, "loads", newer_format)
    with pytest.raises(ModelVersionError, match=r"skops 99\.0\.0 -> .*numpy 9\.9\.9 -> |"
                                                r"numpy 9\.9\.9 -> .*skops 99\.0\.0 -> "):
        load_model(bundle)
