"""Retraining and promotion (admin actions)."""
import pytest

from moderation.auth import AuthError, Moderator


def test_retrain_and_promote_need_an_admin(tmp_path):
    from moderation.learning.retrain import promote, retrain

    someone = Moderator("petro", "moderator")
    with pytest.raises(AuthError):
        retrain(someone, None, None, tmp_path)
    with pytest.raises(AuthError):
        promote(someone, None, tmp_path, tmp_path / "model")
