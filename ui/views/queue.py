"""Черга: flagged comments, one at a time, highest score first; the moderator's skipped ones
listed below."""
import review
import skipped

review.render("review")
skipped.render("review")
