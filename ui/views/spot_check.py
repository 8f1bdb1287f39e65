"""Вибіркова перевірка: a random sample of auto-approved comments, to measure misses."""
import review

review.render("spot_check")
