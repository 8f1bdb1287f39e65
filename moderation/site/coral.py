"""Coral Talk's external moderation phase: Coral POSTs each new or edited comment, signed,
and waits (200 ms by default) for flags or a status; errors and timeouts let it through.

Request (Coral's ``ExternalModerationRequest``): ``action`` (``NEW``/``EDIT``),
``comment.body`` (HTML or text, as the phase is set up), ``comment.parentID``, ``author``
(``id``, ``role``), ``story`` (``id``, ``url``), ``site.id``, ``tenantID``,
``tenantDomain``. The signature (``X-Coral-Signature``) is checked by the service before
this is called (``moderation.site.signatures``).

Answer: ``None`` (the service says 204) when nothing is flagged and the policy publishes;
else ``{"actions": [...], "status": ...}`` with one ``FLAG`` action per reason code Coral's
phase accepts, ``COMMENT_DETECTED_SPAM`` for advertising and ``COMMENT_DETECTED_TOXIC`` for
the other labels, our labels and scores in ``additionalDetails`` (Coral drops fields it does
not know), and ``status`` ``SYSTEM_WITHHELD`` for a comment the policy holds or ``REJECTED``
for one it rejects.

Nothing is stored: Coral sends no comment id, so a comment could not be matched to its edits
or to a decision; flags go to Coral's own moderation queue.
"""
from __future__ import annotations

from moderation.queue.ingest import Scorer
from moderation.site.policy import ActionPolicy
from moderation.taxonomy import LABELS
from moderation.text.html import html_to_text

SPAM, TOXIC = "COMMENT_DETECTED_SPAM", "COMMENT_DETECTED_TOXIC"
REASONS = {label: SPAM if label == "advertising" else TOXIC for label in LABELS}
STATUS = {"hold": "SYSTEM_WITHHELD", "reject": "REJECTED"}


def moderate(model: Scorer, body: str, *, policy: ActionPolicy) -> dict | None:
    """Coral's answer for a comment body (HTML or text)."""
    text = html_to_text(body)
    if not text.strip():
        return None
    scored = model.score([text]).rows()[0]
    action, triggered = policy.action(scored.scores)
    labels = [label for label in LABELS if label in scored.flagged or label in triggered]
    if not labels:
        return None
    actions = []
    for reason in (TOXIC, SPAM):
        mine = [label for label in labels if REASONS[label] == reason]
        if mine:
            details = ", ".join(f"{label} {scored.scores[label]:.2f}" for label in mine)
            actions.append({"actionType": "FLAG", "reason": reason,
                            "additionalDetails": f"moderation model "
                                                 f"{getattr(model, 'version', '?')}: {details}"})
    answer: dict = {"actions": actions}
    if action in STATUS:
        answer["status"] = STATUS[action]
    return answer
