#!/usr/bin/env python3
"""Dependency audit of the running interpreter's environment against PyPI's advisories.

    python scripts/audit.py [--json OUT] [-v]      # audits the environment of that python

Source: PyPI's project JSON ``<index>/pypi/<name>/json`` on the package index pip is
configured with (``scripts/pip_index.py``: ``PIP_INDEX_URL`` or ``index-url`` in pip's
configuration, else PyPI; a mirror or proxy that serves PyPI's JSON API beside its
``/simple`` pages works too; ``--json-api URL`` names another one, with ``{name}``). Its
``vulnerabilities`` list holds the advisories (from OSV) that affect the project's LATEST
release only; PyPI's per-release JSON, which would cover any version, answers 404 through
the CI machine's registry proxy (and api.osv.dev is unreachable there). So:

- installed version == PyPI's latest: audited. ``vulnerable`` when the list holds an
  advisory that is not withdrawn, ``ok`` when it is empty.
- installed version != latest: ``not_audited``; the project JSON says nothing about other
  releases. The reason says whether the latest release is installable on this Python
  (``requires_python``) and, when it is not, whether the installed release is the newest
  one that is.
- not on PyPI (404) or no answer after retries: ``not_audited``.
- installed from a local directory (``direct_url.json`` with ``dir_info``, e.g. an editable
  install of the project itself): ``skipped``.

Standard library only, so it runs under the interpreter whose environment it audits
(``scripts/audit.sh`` uses ``.venv/bin/python``; ``PYTHON=...`` for another one).

Exit codes:
  0  no known vulnerability, and PyPI answered (200 or 404) for every distribution and with
     data for at least 90 % of them; distributions not at their latest release are listed
     as not audited but do not fail the audit
  1  at least one installed distribution has a known vulnerability
  2  usage error
  3  incomplete audit: PyPI did not answer for some distribution (network error, after
     retries), or answered with data for fewer than 90 % of them -- an audit that could not
     ask is not a pass
"""
from __future__ import annotations

import argparse
import base64
import importlib.metadata
import json
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pip_index import json_api, pip_index_url, without_password  # noqa: E402

WORKERS = 8
TIMEOUT = 20.0
RETRIES = 2
RETRY_PAUSE = 1.0  # seconds, times the attempt number
GIVE_UP_AFTER = 3  # distributions without an answer: the audit is incomplete anyway
MIN_ANSWERED = 0.9
USER_AGENT = "moderation-dependency-audit/1 (urllib)"


@dataclass
class Dist:
    name: str  # PEP 503 normalised
    version: str
    local: bool = False  # installed from a local directory (editable or not)


@dataclass
class Fetched:
    """PyPI's answer for one project: ``data`` (200), ``not_found`` (404) or ``error``."""
    data: dict[str, Any] | None = None
    not_found: bool = False
    error: str = ""


@dataclass
class Result:
    name: str
    version: str
    status: str  # vulnerable | ok | not_audited | skipped
    latest: str = ""
    reason: str = ""
    answered: bool = False  # PyPI gave an answer (200 or 404), not a network error
    vulnerabilities: list[dict[str, Any]] = field(default_factory=list)


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_distributions() -> list[Dist]:
    """Distributions visible to this interpreter, one per normalised name (first on sys.path)."""
    found: dict[str, Dist] = {}
    for dist in importlib.metadata.distributions():
        raw = dist.metadata["Name"]
        if not raw:
            continue
        name = normalise(raw)
        local = False
        direct = dist.read_text("direct_url.json")
        if direct:
            try:
                local = "dir_info" in json.loads(direct)
            except ValueError:
                pass
        if name in found:
            found[name].local = found[name].local or local
        else:
            found[name] = Dist(name, dist.version, local)
    return sorted(found.values(), key=lambda d: d.name)


def _request(url: str) -> urllib.request.Request:
    """A GET of ``url``; credentials in it (``https://user:token@host/...``) are sent as a
    Basic authorization header, not as part of the URL."""
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    parts = urllib.parse.urlsplit(url)
    if parts.username is not None:
        pair = f"{urllib.parse.unquote(parts.username)}:" \
               f"{urllib.parse.unquote(parts.password or '')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
        host = parts.hostname + (f":{parts.port}" if parts.port else "")
        url = urllib.parse.urlunsplit(parts._replace(netloc=host))
    return urllib.request.Request(url, headers=headers)


def fetch_project(name: str, api: str) -> Fetched:
    """The project JSON for ``name`` from ``api`` (a URL with ``{name}``), with ``RETRIES``
    retries on network/server errors."""
    request = _request(api.format(name=name))
    error = ""
    for attempt in range(RETRIES + 1):
        if attempt:
            time.sleep(attempt * RETRY_PAUSE)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return Fetched(data=json.load(response))
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return Fetched(not_found=True)
            error = f"HTTP {exc.code}"
        except (OSError, ValueError) as exc:  # URLError, timeouts, resets, bad JSON
            error = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
    return Fetched(error=f"{error} (after {RETRIES + 1} attempts)")


# --- the little of PEP 440 needed for requires_python and ordering final releases ----------

_FINAL = re.compile(r"v?(\d+(?:\.\d+)*)(?:[._-]?post(\d+))?")
_CLAUSE = re.compile(r"(~=|==|!=|<=|>=|<|>)\s*v?(\d+(?:\.\d+)*)(\.\*)?")


def final_key(version: str) -> tuple[tuple[int, ...], int] | None:
    """Sort key of a final (or post) release; None for pre/dev/local or unparsable ones."""
    m = _FINAL.fullmatch(version.strip().lower())
    if not m:
        return None
    release = [int(part) for part in m.group(1).split(".")]
    while len(release) > 1 and release[-1] == 0:
        release.pop()
    return tuple(release), int(m.group(2) or 0)


def python_allowed(spec: str | None, python: tuple[int, ...]) -> bool | None:
    """Whether ``python`` satisfies a ``requires_python`` specifier; None if unparsable."""
    for clause in (spec or "").split(","):
        clause = clause.strip()
        if not clause:
            continue
        m = _CLAUSE.fullmatch(clause)
        if not m:
            return None
        op, text, star = m.groups()
        want = tuple(int(part) for part in text.split("."))
        if star:
            if op not in ("==", "!="):
                return None
            ok = (python[:len(want)] == want) == (op == "==")
        else:
            width = max(len(want), len(python))
            have = tuple(python) + (0,) * (width - len(python))
            full = want + (0,) * (width - len(want))
            if op == "~=":
                if len(want) < 2:
                    return None
                ok = have >= full and have[:len(want) - 1] == want[:-1]
            else:
                ok = {"==": have == full, "!=": have != full, "<": have < full,
                      "<=": have <= full, ">": have > full, ">=": have >= full}[op]
        if not ok:
            return False
    return True


def _release_python(data: dict[str, Any], version: str) -> str | None:
    files = data.get("releases", {}).get(version) or []
    if files:
        return files[0].get("requires_python")
    return data["info"].get("requires_python") if version == data["info"]["version"] else None


def _newer_installable(data: dict[str, Any], installed: str,
                       python: tuple[int, ...]) -> list[str] | None:
    """Final releases newer than ``installed`` (not all files yanked) that admit ``python``."""
    base = final_key(installed)
    if base is None:
        return None
    newer = []
    for version, files in data.get("releases", {}).items():
        key = final_key(version)
        if key is None or key <= base or not files or all(f.get("yanked") for f in files):
            continue
        if python_allowed(files[0].get("requires_python"), python):
            newer.append((key, version))
    return [version for _, version in sorted(newer)]


def _not_latest_reason(data: dict[str, Any], dist: Dist, latest: str,
                       python: tuple[int, ...]) -> str:
    head = f"installed {dist.version} is not PyPI's latest {latest}"
    spec = _release_python(data, latest)
    allowed = python_allowed(spec, python)
    py = ".".join(map(str, python))
    if allowed is None:
        return f"{head} (latest requires Python {spec!r}, not understood)"
    if allowed:
        return f"{head}, which is installable here: upgrade to audit it"
    head = f"{head}, which requires Python {spec} (running {py})"
    newer = _newer_installable(data, dist.version, python)
    if newer is None:
        return head
    if not newer:
        return f"{head}; {dist.version} is the newest release installable here"
    return f"{head}; newer releases installable here: {', '.join(newer[-3:])}"


def _advisory(entry: dict[str, Any]) -> dict[str, Any]:
    text = (entry.get("summary") or entry.get("details") or "").strip()
    return {"id": entry.get("id", "?"), "aliases": list(entry.get("aliases") or []),
            "fixed_in": list(entry.get("fixed_in") or []), "link": entry.get("link") or "",
            "summary": text.splitlines()[0] if text else ""}


def classify(dist: Dist, fetched: Fetched, python: tuple[int, ...]) -> Result:
    if dist.local:
        return Result(dist.name, dist.version, "skipped",
                      reason="installed from a local directory, not from PyPI")
    if fetched.error:
        prefix = "" if fetched.error.startswith("not asked") else "PyPI did not answer: "
        return Result(dist.name, dist.version, "not_audited", reason=prefix + fetched.error)
    if fetched.not_found or fetched.data is None:
        return Result(dist.name, dist.version, "not_audited", answered=True,
                      reason="not on PyPI (404)")
    data = fetched.data
    latest = str(data.get("info", {}).get("version", ""))
    if not latest:
        return Result(dist.name, dist.version, "not_audited",
                      reason="PyPI's answer has no info.version")
    if dist.version != latest:
        return Result(dist.name, dist.version, "not_audited", latest, answered=True,
                      reason=_not_latest_reason(data, dist, latest, python))
    advisories = [_advisory(v) for v in data.get("vulnerabilities") or []
                  if not v.get("withdrawn")]
    return Result(dist.name, dist.version, "vulnerable" if advisories else "ok", latest,
                  answered=True, vulnerabilities=advisories)


def run_audit(dists: list[Dist], python: tuple[int, ...], api: str) -> list[Result]:
    """Asks PyPI about every non-local distribution, ``WORKERS`` at a time. After
    ``GIVE_UP_AFTER`` distributions got no answer, the rest are not asked (exit code 3
    either way), so that an unreachable PyPI fails in about a minute, not ten."""
    lock = threading.Lock()
    failures = 0

    def ask(dist: Dist) -> Fetched:
        nonlocal failures
        if failures >= GIVE_UP_AFTER:
            return Fetched(error=f"not asked: {failures} other distributions got no answer")
        fetched = fetch_project(dist.name, api)
        if fetched.error:
            with lock:
                failures += 1
        return fetched

    remote = [d for d in dists if not d.local]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        answers = dict(zip([d.name for d in remote], pool.map(ask, remote)))
    return [classify(d, answers.get(d.name, Fetched(error="not asked")), python) for d in dists]


def exit_code(results: list[Result]) -> int:
    if any(r.status == "vulnerable" for r in results):
        return 1
    remote = [r for r in results if r.status != "skipped"]
    if not remote:
        return 3
    with_data = sum(1 for r in remote if r.answered and r.latest)
    if any(not r.answered for r in remote) or with_data < MIN_ANSWERED * len(remote):
        return 3
    return 0


def report(results: list[Result], code: int, seconds: float, verbose: bool) -> str:
    lines = []
    for r in results:
        if r.status == "vulnerable":
            lines.append(f"VULNERABLE  {r.name} {r.version}")
            for v in r.vulnerabilities:
                aliases = ", ".join(v["aliases"]) or "-"
                fixed = ", ".join(v["fixed_in"]) or "no fixed version listed"
                lines.append(f"    {v['id']} ({aliases}); fixed in: {fixed}; {v['link']}")
                if v["summary"]:
                    lines.append(f"    {v['summary'][:160]}")
    for status, label in (("not_audited", "NOT AUDITED"), ("skipped", "SKIPPED")):
        for r in results:
            if r.status == status:
                lines.append(f"{label:<11} {r.name} {r.version}: {r.reason}")
    if verbose:
        lines += [f"{'ok':<11} {r.name} {r.version}" for r in results if r.status == "ok"]
    count = {s: sum(1 for r in results if r.status == s)
             for s in ("ok", "vulnerable", "not_audited", "skipped")}
    audited = count["ok"] + count["vulnerable"]
    lines.append(
        f"audit: {len(results) - count['skipped']} distributions: {audited} audited (at PyPI's "
        f"latest release), {count['vulnerable']} vulnerable, {count['ok']} ok; "
        f"{count['not_audited']} not audited; {count['skipped']} skipped (local); "
        f"{seconds:.1f} s")
    lines.append({0: "audit: PASS: no known vulnerability in the audited distributions",
                  1: "audit: FAIL: known vulnerabilities (see above)",
                  3: "audit: INCOMPLETE: PyPI could not be asked about every distribution; "
                     "this is a failure, not a pass"}[code])
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", metavar="OUT", help="also write the results as JSON")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the ok ones too")
    parser.add_argument("--json-api", metavar="URL", default=None,
                        help="the JSON API to ask, with {name} (default: beside the index pip "
                             "is configured with)")
    args = parser.parse_args(argv)
    python = tuple(sys.version_info[:3])
    try:
        api = args.json_api or json_api(pip_index_url(sys.executable))
    except ValueError as exc:
        print(f"audit: {exc}; give --json-api", file=sys.stderr)
        return 2
    print(f"audit: asking {without_password(api)}")
    started = time.monotonic()
    results = run_audit(installed_distributions(), python, api)
    code = exit_code(results)
    seconds = time.monotonic() - started
    print(report(results, code, seconds, args.verbose))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({"python": ".".join(map(str, python)), "exit_code": code,
                       "seconds": round(seconds, 2), "source": without_password(api),
                       "results": [asdict(r) for r in results]}, out, indent=1)
    return code


if __name__ == "__main__":
    sys.exit(main())
