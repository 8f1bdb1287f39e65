"""The package outside ``moderation/service`` imports no web framework; the service's
endpoints stay thin."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "moderation"
WEB = {"fastapi", "starlette", "uvicorn", "pydantic", "httpx", "streamlit"}


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_no_web_framework_outside_the_service():
    offenders = {str(p.relative_to(ROOT)): imported(p) & WEB for p in ROOT.rglob("*.py")
                 if "service" not in p.relative_to(ROOT).parts and imported(p) & WEB}
    assert offenders == {}


def test_the_site_functions_load_without_a_web_framework():
    code = ("import sys, moderation.site.comments, moderation.site.feed, moderation.site.webhooks,"
            " moderation.site.perspective, moderation.site.coral, moderation.site.keys, "
            "moderation.site.health; print(sorted(m for m in {'fastapi', 'starlette', 'uvicorn',"
            " 'pydantic'} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True)
    assert out.stdout.strip() == "[]"


def test_endpoints_are_a_few_lines():
    for path in (ROOT / "service" / "routes").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.decorator_list:
                lines = node.end_lineno - node.body[0].lineno + 1
                assert lines <= 12, f"{path.name}:{node.name} has {lines} lines"
