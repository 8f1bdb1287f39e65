"""Вибіркова перевірка: a random sample of auto-approved comments, to measure misses; the
moderator's skipped ones listed below."""
import review
import skipped

review.render("spot_check")
skipped.render("spot_check")
