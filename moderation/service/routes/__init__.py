"""One router per integration path."""
