"""Unicode bidirectional controls: the order a comment DISPLAYS in, and the controls shown.

A comment stored as U+202E (RIGHT-TO-LEFT OVERRIDE) followed by a sentence written
backwards displays as the sentence in any browser, while its stored characters read as
noise. ``display_order`` gives the characters' order on screen, so the classifier can score
what readers see; ``visible`` shows the controls as marks a moderator can see.

Only what changes the order of Latin and Cyrillic text is applied: an override
(RLO ``U+202E``, LRO ``U+202D``) lays its characters out right to left or left to right,
up to the matching PDF ``U+202C`` (or PDI ``U+2069``, or the end of the line). Embeddings
(LRE, RLE) and isolates (LRI, RLI, FSI) do not reorder text made of left-to-right letters,
so they are only removed; text in right-to-left scripts keeps its logical order (the
classifier does not read those scripts). As in the Unicode algorithm (UAX #9), at most
``MAX_DEPTH`` (125) controls nest (deeper ones are ignored with their closers), and a PDF
or PDI that closes nothing is ignored: a stray PDI does not end an override.
"""
from __future__ import annotations

LRE, RLE, PDF, LRO, RLO = "\u202a", "\u202b", "\u202c", "\u202d", "\u202e"
LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"
CONTROLS = frozenset((LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI))
NAMES = {LRE: "LRE", RLE: "RLE", PDF: "PDF", LRO: "LRO", RLO: "RLO", LRI: "LRI", RLI: "RLI",
         FSI: "FSI", PDI: "PDI"}
_OPENERS = {LRE, RLE, LRO, RLO, LRI, RLI, FSI}
_ISOLATES = (LRI, RLI, FSI)
MAX_DEPTH = 125  # UAX #9: deeper embeddings, overrides and isolates are ignored
_LINE_ENDS = "\n\r\u2029\u0085\u2028"


def has_controls(text: str | None) -> bool:
    """True when ``text`` holds any bidirectional control character."""
    return bool(text) and not CONTROLS.isdisjoint(text)


def visible(text: str) -> str:
    """``text`` with every bidirectional control replaced by a visible mark (``⟦RLO⟧``),
    in the stored (logical) order, so nothing is reordered on screen."""
    if not has_controls(text):
        return text
    return "".join(f"⟦{NAMES[ch]}⟧" if ch in CONTROLS else ch for ch in text)


def display_order(text: str) -> list[int]:
    """Indexes of ``text``'s characters in the order they display, controls left out."""
    order: list[int] = []
    start = 0
    for i, ch in enumerate(text):
        if ch in _LINE_ENDS:  # a paragraph ends every control
            order += _layout(text, start, i)
            order.append(i)
            start = i + 1
    return order + _layout(text, start, len(text))


def _layout(text: str, start: int, end: int) -> list[int]:
    """The display order of ``text[start:end]`` (one paragraph)."""
    if not any(ch in CONTROLS for ch in text[start:end]):
        return list(range(start, end))
    # a tree of spans: each opened control holds its characters and inner spans
    root: list = []
    stack: list[tuple[str, list]] = [("", root)]
    isolates = 0  # isolates open in the stack
    overflow_isolates = overflow_embeddings = 0  # openers beyond MAX_DEPTH, ignored
    for i in range(start, end):
        ch = text[i]
        if ch in _OPENERS:
            if len(stack) > MAX_DEPTH or overflow_isolates:
                if ch in _ISOLATES:
                    overflow_isolates += 1
                else:
                    overflow_embeddings += 1
                continue
            node: list = []
            stack[-1][1].append((ch, node))
            stack.append((ch, node))
            isolates += ch in _ISOLATES
        elif ch == PDF:  # closes the innermost embedding or override, never an isolate
            if overflow_isolates:
                pass
            elif overflow_embeddings:
                overflow_embeddings -= 1
            elif len(stack) > 1 and stack[-1][0] not in _ISOLATES:
                stack.pop()
        elif ch == PDI:  # closes the innermost isolate and everything opened inside it
            if overflow_isolates:
                overflow_isolates -= 1
            elif isolates:  # a PDI with no isolate open does nothing (UAX #9, X6a)
                overflow_embeddings = 0
                while stack.pop()[0] not in _ISOLATES:
                    pass
                isolates -= 1
        else:
            stack[-1][1].append(i)
    return _flatten(root, reverse=False, out=[])


def _flatten(node: list, *, reverse: bool, out: list[int]) -> list[int]:
    """Append the indexes of ``node`` to ``out`` in display order (each index once, so a
    deep nest costs its length, not its length times its depth)."""
    for item in (reversed(node) if reverse else node):
        if isinstance(item, tuple):
            control, inner = item
            # an override lays its letters out its way; an embedding or isolate resets the
            # override, and left-to-right letters inside it keep their order
            _flatten(inner, reverse=control == RLO, out=out)
        else:
            out.append(item)
    return out
