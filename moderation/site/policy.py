"""The site's action policy: publish, hold or reject a comment from its label scores.

The thresholds come from the settings (``MODERATION_HOLD_AT``, ``MODERATION_REJECT_AT``):
a comment with a label at or above its ``reject`` value is ``reject``ed, else one at or
above its ``hold`` value is ``hold``, else it is ``publish``ed. With no thresholds (the
default) everything is published: the site does not pre-moderate, and flagged comments
only go to the review queue. Reasons name each label in the site's own words
(``taxonomy.Label.rule_uk``).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from moderation.settings import LabelThresholds, Settings
from moderation.taxonomy import BY_NAME, LABELS

ACTIONS = ("publish", "hold", "reject")


@dataclass(frozen=True)
class Reason:
    label: str
    rule: str  # the part of the site's rule this label enforces, as the site words it


def reasons_for(labels: Iterable[str]) -> tuple[Reason, ...]:
    """A ``Reason`` per label, in label order."""
    chosen = set(labels)
    return tuple(Reason(name, BY_NAME[name].rule_uk) for name in LABELS if name in chosen)


@dataclass(frozen=True)
class ActionPolicy:
    hold_at: LabelThresholds = ()
    reject_at: LabelThresholds = ()

    @classmethod
    def from_settings(cls, settings: Settings) -> ActionPolicy:
        return cls(hold_at=settings.hold_at, reject_at=settings.reject_at)

    def action(self, scores: dict[str, float]) -> tuple[str, tuple[str, ...]]:
        """The action for ``scores`` and the labels that led to it (none for publish)."""
        for action, thresholds in (("reject", self.reject_at), ("hold", self.hold_at)):
            hits = tuple(label for label, at in thresholds if scores.get(label, 0.0) >= at)
            if hits:
                return action, hits
        return "publish", ()
