"""scripts/audit.py: classification against hand-written PyPI project JSON, the package index
taken from pip's configuration, and one real audit of .venv against that index.

The real audit fails under ``CI=true`` when the index is unreachable (an audit that could not
ask is not a pass); otherwise it is then skipped.
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "audit.py"
sys.path.insert(0, str(SCRIPT.parent))  # pip_index, which audit.py imports
_spec = importlib.util.spec_from_file_location("dependency_audit", SCRIPT)
audit = importlib.util.module_from_spec(_spec)
sys.modules["dependency_audit"] = audit  # dataclasses look their module up
_spec.loader.exec_module(audit)

PY = (3, 11, 7)


def project(latest: str, vulnerabilities: list[dict] | None = None,
            releases: dict[str, str | None] | None = None) -> dict:
    """A minimal PyPI project JSON; ``releases`` maps version -> requires_python."""
    releases = releases if releases is not None else {latest: ">=3.9"}
    return {"info": {"version": latest, "requires_python": releases.get(latest)},
            "releases": {v: [{"requires_python": rp, "yanked": False}]
                         for v, rp in releases.items()},
            "vulnerabilities": vulnerabilities or []}


ADVISORY = {"id": "PYSEC-2099-1", "aliases": ["CVE-2099-0001", "GHSA-xxxx-yyyy-zzzz"],
            "details": "Remote code execution via crafted input.\nMore text.", "summary": None,
            "fixed_in": ["2.0.1"], "link": "https://osv.dev/vulnerability/PYSEC-2099-1",
            "source": "osv", "withdrawn": None}


def run(monkeypatch, capsys, tmp_path, dists: list, answers: dict) -> tuple[int, str, dict]:
    """main() over fake distributions and fake PyPI answers (name -> dict | 404 | Exception)."""
    def fetch(name: str, api: str):
        assert api == "https://pypi.org/pypi/{name}/json"  # PIP_INDEX_URL below
        answer = answers[name]
        if answer == 404:
            return audit.Fetched(not_found=True)
        if isinstance(answer, Exception):
            return audit.Fetched(error=f"URLError: {answer} (after 3 attempts)")
        return audit.Fetched(data=answer)

    monkeypatch.setenv("PIP_INDEX_URL", "https://pypi.org/simple")
    monkeypatch.setattr(audit, "installed_distributions", lambda: dists)
    monkeypatch.setattr(audit, "fetch_project", fetch)
    out = tmp_path / "audit.json"
    code = audit.main(["--json", str(out)])
    return code, capsys.readouterr().out, json.loads(out.read_text())


def by_name(report: dict) -> dict:
    return {r["name"]: r for r in report["results"]}


def test_vulnerable_latest_is_reported_and_fails(monkeypatch, capsys, tmp_path):
    dists = [audit.Dist("badlib", "2.0.0"), audit.Dist("goodlib", "1.0")]
    code, out, report = run(monkeypatch, capsys, tmp_path, dists, {
        "badlib": project("2.0.0", [ADVISORY]), "goodlib": project("1.0")})
    assert code == report["exit_code"] == 1
    assert by_name(report)["badlib"]["status"] == "vulnerable"
    assert by_name(report)["goodlib"]["status"] == "ok"
    assert "VULNERABLE  badlib 2.0.0" in out
    assert "PYSEC-2099-1 (CVE-2099-0001, GHSA-xxxx-yyyy-zzzz); fixed in: 2.0.1" in out
    assert "Remote code execution via crafted input." in out
    assert "audit: FAIL" in out


def test_withdrawn_advisory_is_ignored(monkeypatch, capsys, tmp_path):
    withdrawn = dict(ADVISORY, withdrawn="2099-02-01T00:00:00Z")
    code, out, report = run(monkeypatch, capsys, tmp_path, [audit.Dist("lib", "2.0.0")],
                            {"lib": project("2.0.0", [withdrawn])})
    assert code == 0 and by_name(report)["lib"]["status"] == "ok"


def test_older_installed_is_not_audited_with_reason(monkeypatch, capsys, tmp_path):
    answers = {
        # latest needs a newer Python; 2.4.6 is the newest installable one (rc ignored)
        "numpyish": project("2.5.5", [ADVISORY], {"2.4.5": ">=3.11", "2.4.6": ">=3.11",
                                                 "2.5.0rc1": ">=3.11", "2.5.5": ">=3.12"}),
        # latest installable here: just upgrade
        "stale": project("2.0", releases={"1.0": None, "2.0": ">=3.8"}),
        # latest needs a newer Python, but a newer release would install here
        "behind": project("4.0", releases={"3.0": ">=3.10", "3.1": ">=3.10", "4.0": ">=3.99"}),
        "fine": project("5.0")}
    dists = [audit.Dist("numpyish", "2.4.6"), audit.Dist("stale", "1.0"),
             audit.Dist("behind", "3.0"), audit.Dist("fine", "5.0")]
    reasons = {d.name: audit.classify(d, audit.Fetched(data=answers[d.name]), PY).reason
               for d in dists}
    assert reasons == {
        "numpyish": "installed 2.4.6 is not PyPI's latest 2.5.5, which requires Python >=3.12 "
                    "(running 3.11.7); 2.4.6 is the newest release installable here",
        "stale": "installed 1.0 is not PyPI's latest 2.0, which is installable here: "
                 "upgrade to audit it",
        "behind": "installed 3.0 is not PyPI's latest 4.0, which requires Python >=3.99 "
                  "(running 3.11.7); newer releases installable here: 3.1",
        "fine": ""}

    code, out, report = run(monkeypatch, capsys, tmp_path, dists, answers)
    results = by_name(report)
    assert code == 0, out  # not audited because not latest is printed, not a failure
    assert {n: r["status"] for n, r in results.items()} == {
        "numpyish": "not_audited", "stale": "not_audited", "behind": "not_audited",
        "fine": "ok"}
    # the latest release's advisory says nothing about 2.4.6: neither vulnerable nor ok
    assert results["numpyish"]["vulnerabilities"] == []
    assert "NOT AUDITED numpyish 2.4.6: installed 2.4.6 is not PyPI's latest 2.5.5" in out
    assert "4 distributions: 1 audited" in out and "3 not audited" in out


def test_not_on_pypi_is_not_audited(monkeypatch, capsys, tmp_path):
    dists = [audit.Dist(f"lib{i}", "1.0") for i in range(10)]
    answers = {f"lib{i}": project("1.0") for i in range(10)}
    answers["lib0"] = 404
    code, out, report = run(monkeypatch, capsys, tmp_path, dists, answers)
    assert by_name(report)["lib0"]["status"] == "not_audited"
    assert by_name(report)["lib0"]["reason"] == "not on PyPI (404)"
    assert code == 0, out  # 9 of 10 answered with data: >= 90 %


def test_mostly_404_is_incomplete(monkeypatch, capsys, tmp_path):
    """A proxy that answers 404 for everything (like PyPI's per-release JSON here)."""
    dists = [audit.Dist("a", "1.0"), audit.Dist("b", "1.0")]
    code, out, _ = run(monkeypatch, capsys, tmp_path, dists, {"a": 404, "b": 404})
    assert code == 3 and "audit: INCOMPLETE" in out


def test_network_error_for_all_is_incomplete(monkeypatch, capsys, tmp_path):
    dists = [audit.Dist("a", "1.0"), audit.Dist("b", "2.0")]
    error = OSError("[Errno -3] Temporary failure in name resolution")
    code, out, report = run(monkeypatch, capsys, tmp_path, dists, {"a": error, "b": error})
    assert code == report["exit_code"] == 3
    assert all(r["status"] == "not_audited" for r in report["results"])
    assert "PyPI did not answer" in out and "audit: INCOMPLETE" in out


def test_one_network_error_is_incomplete(monkeypatch, capsys, tmp_path):
    dists = [audit.Dist(f"lib{i}", "1.0") for i in range(20)]
    answers: dict = {f"lib{i}": project("1.0") for i in range(20)}
    answers["lib7"] = OSError("timed out")
    code, _, _ = run(monkeypatch, capsys, tmp_path, dists, answers)
    assert code == 3


def test_local_install_is_skipped_and_not_fetched(monkeypatch, capsys, tmp_path):
    dists = [audit.Dist("moderation", "0.1.0", local=True), audit.Dist("lib", "1.0")]
    code, out, report = run(monkeypatch, capsys, tmp_path, dists, {"lib": project("1.0")})
    assert code == 0
    assert by_name(report)["moderation"]["status"] == "skipped"
    assert "1 distributions: 1 audited" in out and "1 skipped (local)" in out


def test_installed_distributions_of_this_environment():
    dists = {d.name: d for d in audit.installed_distributions()}
    assert dists["moderation"].local  # the editable install of this project
    assert not dists["pytest"].local
    assert all(name == audit.normalise(name) for name in dists)
    assert audit.normalise("Argon2_CFFI.Bindings") == "argon2-cffi-bindings"


def test_fetch_retries_network_errors_but_not_404(monkeypatch):
    calls: list[str] = []

    def urlopen(request, timeout):
        calls.append(request.full_url)
        if "missing" in request.full_url:
            raise urllib.error.HTTPError(request.full_url, 404, "Not Found", {}, None)
        raise urllib.error.URLError("connection refused")

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    monkeypatch.setattr(audit, "RETRY_PAUSE", 0)
    api = "https://pypi.org/pypi/{name}/json"
    assert audit.fetch_project("missing", api) == audit.Fetched(not_found=True)
    assert len(calls) == 1
    fetched = audit.fetch_project("somelib", api)
    assert fetched.error == "URLError: connection refused (after 3 attempts)"
    assert calls[1:] == ["https://pypi.org/pypi/somelib/json"] * 3


def test_the_index_comes_from_pips_configuration(tmp_path, monkeypatch):
    """PIP_INDEX_URL first, then index-url in a pip configuration file, else PyPI; the JSON
    API is asked on the same server, with the credentials as a header, never printed."""
    import pip_index

    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    config = tmp_path / "pip.conf"
    config.write_text("[global]\nindex-url = https://proxy.example/pypi-remote/simple/\n")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(config))
    url = pip_index.pip_index_url(sys.executable)
    assert url == "https://proxy.example/pypi-remote/simple/"
    assert pip_index.json_api(url) == "https://proxy.example/pypi-remote/pypi/{name}/json"
    monkeypatch.setenv("PIP_INDEX_URL", "https://ci:s3cret@mirror.example/simple")
    url = pip_index.pip_index_url(sys.executable)
    assert pip_index.without_password(url) == "https://ci:***@mirror.example/simple"
    request = audit._request(pip_index.json_api(url).format(name="numpy"))
    assert request.full_url == "https://mirror.example/pypi/numpy/json"
    assert request.get_header("Authorization") == "Basic Y2k6czNjcmV0"
    config.write_text("[global]\n")
    monkeypatch.delenv("PIP_INDEX_URL")
    assert pip_index.pip_index_url(sys.executable) == "https://pypi.org/simple"
    with pytest.raises(ValueError, match="not an HTTP"):
        pip_index.json_api("file:///opt/pypi/simple")


@pytest.mark.parametrize("spec, allowed", [
    (None, True), ("", True), (">=3.11", True), (">=3.12", False), (">=3.8, <4", True),
    (">=3.11.8", False), ("<3.11", False), ("!=3.11.*", False), ("==3.11.*", True),
    ("~=3.10", True), ("~=3.10.0", False), (">=3.6, !=3.0.*, ", True), ("===3.11.7", None),
    ("banana", None)])
def test_requires_python(spec, allowed):
    assert audit.python_allowed(spec, PY) is allowed


def test_final_release_order_agrees_with_packaging():
    versions = ["1.0", "1.0.0.post1", "1.0.1", "1.2", "1.10", "2", "2.0.0.1", "10.0"]
    keys = [audit.final_key(v) for v in versions]
    assert sorted(versions, key=Version) == versions
    assert keys == sorted(keys) and audit.final_key("1.0") == audit.final_key("1.0.0")
    assert [audit.final_key(v) for v in ("2.0rc1", "2.0.dev3", "1.0+local")] == [None] * 3


def _pypi_reachable() -> str | None:
    """Whether the JSON API beside pip's configured index answers."""
    import pip_index

    try:
        api = pip_index.json_api(pip_index.pip_index_url(sys.executable))
        audit.urllib.request.urlopen(audit._request(api.format(name="pip")), timeout=10).close()
        return None
    except (OSError, ValueError) as exc:
        return str(exc)


@pytest.mark.timeout(60)
def test_real_audit_of_venv_against_pypi(tmp_path):
    problem = _pypi_reachable()
    if problem and not os.environ.get("CI"):
        pytest.skip(f"pypi.org unreachable: {problem}")
    out = tmp_path / "audit.json"
    try:
        done = subprocess.run([sys.executable, str(SCRIPT), "--json", str(out)],
                              capture_output=True, text=True, timeout=55, cwd=ROOT)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the audit did not finish in 55 s (PyPI unreachable?): {exc.stdout!r}")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(out.read_text())
    assert report["exit_code"] == 0
    assert not [r for r in report["results"] if r["status"] == "vulnerable"]
    print(done.stdout)  # shown with -s: what was audited and what was not
