"""``moderation model``: the kept models, promotion and rollback.

- ``list``: every kept bundle (``<data dir>/models/<version>``) and every promotion;
- ``promote DIR``: verify the bundle, keep it, make it current, record it, re-score the open
  comments; refused when its recorded comparison shows it worse on a label beyond noise,
  unless ``--force``;
- ``rollback [VERSION]``: restore a kept model (default: the one promoted before the
  current one), recorded and re-scored the same way;
- ``rescore``: re-score the open comments with the current model (after a failed re-score).
"""
from __future__ import annotations

import argparse
import getpass
import json

from moderation.cli._db import add_db_option, open_store_arg


def register(sub) -> None:
    p = sub.add_parser("model", help="list, promote and roll back models",
                       description="Kept models, promotion and rollback. Every promotion and "
                                   "rollback is recorded with who did it and re-scores the "
                                   "comments still open in the queues.")
    commands = p.add_subparsers(dest="model_command", required=True, metavar="ACTION")

    ls = commands.add_parser("list", help="kept models and promotions")
    add_db_option(ls)
    ls.add_argument("--json", action="store_true", help="one JSON object instead of tables")
    ls.set_defaults(func=run_list)

    pr = commands.add_parser("promote", help="make a bundle the current model")
    pr.add_argument("bundle", metavar="DIR",
                    help="the bundle (e.g. <data dir>/jobs/<id>/candidate)")
    _common(pr)
    pr.add_argument("--force", action="store_true",
                    help="promote even when the bundle is worse than the current model on a "
                         "label beyond noise")
    pr.set_defaults(func=run_promote)

    rb = commands.add_parser("rollback", help="restore a kept model")
    rb.add_argument("version", nargs="?", default=None,
                    help="the kept version (default: the one promoted before the current one)")
    _common(rb)
    rb.set_defaults(func=run_rollback)

    rs = commands.add_parser("rescore", help="re-score the open comments with the current model")
    add_db_option(rs)
    rs.add_argument("--json", action="store_true", help="print the counts as JSON")
    rs.set_defaults(func=run_rescore)


def _common(p: argparse.ArgumentParser) -> None:
    add_db_option(p)
    p.add_argument("--note", default=None, help="why (kept in the record)")
    p.add_argument("--by", default=None, metavar="NAME",
                   help="who does it, for the record (default: the system user name)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def _admin(args: argparse.Namespace):
    from moderation.auth import Moderator, check_name

    return Moderator(check_name(args.by or getpass.getuser()), "admin")


def run_list(args: argparse.Namespace) -> int:
    from moderation.learning.promotions import current_version, promotions
    from moderation.learning.versions import kept_models, models_dir

    store = open_store_arg(args)
    try:
        history = promotions(store)
    finally:
        store.dispose()
    current = current_version()
    kept = kept_models(models_dir())
    if args.json:
        print(json.dumps({
            "current": current,
            "kept": [{"version": k.version, "path": str(k.path), "created_at": k.created_at,
                      "decisions_until": k.decisions_until, "problem": k.problem} for k in kept],
            "promotions": [{"version": p.version, "action": p.action, "by": p.promoted_by,
                            "at": p.promoted_at.isoformat(), "note": p.note} for p in history],
        }, ensure_ascii=False))
        return 0
    print(f"current model: {current or '(none)'}")
    print(f"kept models in {models_dir()}:")
    for k in kept:
        mark = "*" if k.version == current else " "
        state = f"REFUSED: {k.problem}" if k.problem else (
            f"created {k.created_at}, decisions up to {k.decisions_until}")
        print(f" {mark} {k.version:<32} {state}")
    if not kept:
        print("   (none)")
    print("promotions, newest first:")
    for p in history:
        note = f"  {p.note}" if p.note else ""
        print(f"   {p.promoted_at:%Y-%m-%d %H:%M} UTC  {p.action:<8} {p.version:<32} "
              f"by {p.promoted_by}{note}")
    if not history:
        print("   (none)")
    return 0


def _report(result, args: argparse.Namespace) -> None:
    p = result.promotion
    counts = result.rescore.counts()
    if args.json:
        print(json.dumps({"version": p.version, "action": p.action, "by": p.promoted_by,
                          "previous": result.previous_version, **counts}, ensure_ascii=False))
        return
    print(f"current model: {p.version} ({p.action} by {p.promoted_by}; was "
          f"{result.previous_version or 'none'})")
    print(f"re-scored {counts['rescored']} open comments: {counts['flagged']} flagged, "
          f"{counts['unflagged']} no longer flagged (they stay in their queue)")


def comparison_lines(manifest: dict) -> list[str]:
    """The bundle's recorded comparison with the model current when it was trained."""
    from moderation.learning.comparison import Comparison
    from moderation.learning.retrain import REASONS

    raw = manifest.get("comparison")
    if not raw:
        return ["no comparison recorded (not trained by the learning loop)"]
    c = Comparison.from_dict(raw)
    if not c.available:
        why = REASONS.get(c.reason or "", "no held-out comment breaks a rule")
        return [f"no comparison: {why}"]
    lines = [f"comparison with {c.current_version} on {c.rows} comments neither was trained on "
             f"(95% paired bootstrap of candidate - current):"]
    for row in (*c.labels, c.macro):
        if row.diff is None:
            lines.append(f"  {row.label:<20} no positives")
            continue
        flag = "  WORSE" if row.worse else ""
        lines.append(f"  {row.label:<20} {row.current_f1:.3f} -> {row.candidate_f1:.3f} "
                     f"({row.diff:+.3f}, {row.diff_ci[0]:+.3f} to {row.diff_ci[1]:+.3f}){flag}")
    return lines


def run_promote(args: argparse.Namespace) -> int:
    import sys

    from moderation import load_model
    from moderation.learning.comparison import Comparison
    from moderation.learning.promotions import current_version, promote

    admin = _admin(args)
    manifest = load_model(args.bundle).manifest
    for line in comparison_lines(manifest):
        print(line, file=sys.stderr)
    compared = (manifest.get("comparison") or {}).get("current_version")
    if compared and compared != current_version():
        print(f"note: compared with {compared}, but the current model is now "
              f"{current_version() or 'none'}", file=sys.stderr)
    worse = Comparison.from_dict(manifest["comparison"]).worse_labels \
        if manifest.get("comparison") else []
    if worse and not args.force:
        print(f"refused: worse than the current model beyond noise on {', '.join(worse)}; "
              "use --force to promote anyway", file=sys.stderr)
        return 1
    store = open_store_arg(args)
    try:
        result = promote(admin, store, args.bundle, note=args.note)
    finally:
        store.dispose()
    _report(result, args)
    return 0


def run_rollback(args: argparse.Namespace) -> int:
    from moderation.learning.promotions import rollback

    admin = _admin(args)
    store = open_store_arg(args)
    try:
        result = rollback(admin, store, args.version, note=args.note)
    finally:
        store.dispose()
    _report(result, args)
    return 0


def run_rescore(args: argparse.Namespace) -> int:
    from moderation import load_model
    from moderation.learning.rescore import rescore_open

    model = load_model()
    store = open_store_arg(args)
    try:
        summary = rescore_open(store, model)
    finally:
        store.dispose()
    if args.json:
        print(json.dumps({"version": summary.model_version, **summary.counts()}))
    else:
        print(f"re-scored {summary.rescored} open comments with {summary.model_version}: "
              f"{summary.flagged} flagged, {summary.unflagged} no longer flagged")
    return 0
