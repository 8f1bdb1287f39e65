"""Comment moderation toolkit: classify comments by a news site's own rules.

Public API::

    from moderation import load_model, train_model, LABELS
"""
from __future__ import annotations

__version__ = "0.1.0"

from moderation.taxonomy import LABELS  # noqa: E402


def load_model(model_dir=None):
    """Load a model bundle (every file read once and verified, then built with skops).
    Default: the settings' model directory."""
    from moderation.classifier.bundle import load_bundle
    from moderation.settings import get_settings

    return load_bundle(model_dir if model_dir is not None else get_settings().model_dir)


def train_model(data, out_dir=None, **kwargs):
    """Train on a ``LabelledData`` or a frame with ``text`` and ``labels``; see training."""
    from moderation.classifier.training import train_model as _train

    return _train(data, out_dir, **kwargs)


__all__ = ["LABELS", "__version__", "load_model", "train_model"]
