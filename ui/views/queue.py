"""Черга: flagged comments, one at a time, highest score first."""
import review

review.render("review")
