"""Reading CSV / JSONL tables row by row with per-row problems, and atomic writing.

A bad row (broken encoding, broken quoting, wrong field count, invalid JSON) becomes a
:class:`Problem` naming the file, line and reason; the good rows are still returned.
"""
from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from moderation.errors import DataError

csv.field_size_limit(64 * 1024 * 1024)
TABLE_SUFFIXES = (".csv", ".jsonl", ".ndjson")
SURROGATE = re.compile("[\ud800-\udfff]")  # a lone surrogate: no UTF-8 file or database takes it


@dataclass(frozen=True)
class Problem:
    """One row that could not be used as it is, and why."""

    path: str
    line: int
    reason: str
    field: str | None = None
    row_id: str | None = None

    def __str__(self) -> str:
        where = f"{self.path}, line {self.line}"
        if self.row_id:
            where += f" (id {self.row_id})"
        if self.field:
            where += f", field {self.field!r}"
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class Record:
    line: int
    values: dict


def table_format(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    raise DataError(f"unsupported file type {suffix or '(none)'!r}; use .csv or .jsonl",
                    path=str(path))


_WIDE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _looks_wide(line: bytes) -> bool:
    """UTF-16 / UTF-32 without a byte-order mark: ASCII characters give NUL bytes, at one
    parity of position (UTF-16) or at least half of all bytes (UTF-32)."""
    nuls = [i for i, byte in enumerate(line) if byte == 0]
    if len(line) < 4 or len(nuls) < 0.3 * len(line):
        return False
    return len({i % 2 for i in nuls}) == 1 or len(nuls) >= 0.5 * len(line)


def _decode(data: bytes, path: str) -> tuple[str, dict[int, str]]:
    """Decode UTF-8; lines with invalid bytes are decoded with U+FFFD and reported.

    A UTF-16 or UTF-32 file (a byte-order mark, or NUL bytes as ``_looks_wide`` finds them)
    is refused whole: none of its rows could be read.
    """
    if data.startswith(_WIDE_BOMS) or _looks_wide(data.split(b"\n", 1)[0]):
        raise DataError("the file is UTF-16 or UTF-32 encoded; re-save it as UTF-8",
                        path=path, row=1)
    try:
        return data.decode("utf-8-sig"), {}
    except UnicodeDecodeError:
        pass
    bad: dict[int, str] = {}
    lines = data.split(b"\n")
    out = []
    for number, raw in enumerate(lines, start=1):
        try:
            out.append(raw.decode("utf-8-sig" if number == 1 else "utf-8"))
        except UnicodeDecodeError as exc:
            bad[number] = (f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column "
                           f"{exc.start + 1}); re-save the file as UTF-8")
            out.append(raw.decode("utf-8", errors="replace"))
    return "\n".join(out), bad


def read_table(path: str | Path, *, required: tuple[str, ...] = ("text",)
               ) -> tuple[list[str], list[Record], list[Problem]]:
    """Columns, good records and problems of a CSV or JSONL file.

    Raises :class:`DataError` when the file as a whole is unusable (missing, empty, no
    header, a required column missing).
    """
    path = Path(path)
    fmt = table_format(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataError("file not found", path=str(path)) from None
    except OSError as exc:
        raise DataError(f"cannot read: {exc.strerror}", path=str(path)) from None
    if not data.strip():
        raise DataError("file is empty", path=str(path))
    text, bad_lines = _decode(data, str(path))
    reader = _read_csv if fmt == "csv" else _read_jsonl
    columns, records, problems = reader(text, str(path), bad_lines)
    missing = [c for c in required if c not in columns]
    if missing:
        raise DataError(f"missing column {missing[0]!r} (found: {', '.join(columns) or 'none'})",
                        path=str(path), field=missing[0])
    return columns, records, problems


def _read_csv(text: str, path: str, bad_lines: dict[int, str]):
    problems: list[Problem] = []
    records: list[Record] = []
    lines = io.StringIO(text, newline="").readlines()
    rows = csv.reader(lines, strict=True)
    offset = 0  # line number of the line before the one ``rows`` read first
    try:
        header = next(rows)
    except (StopIteration, csv.Error) as exc:
        raise DataError(f"no readable header ({exc})", path=path, row=1) from None
    header = [h.strip().lstrip("\ufeff") for h in header]
    if len(set(header)) != len(header):
        raise DataError("duplicate column names in header", path=path, row=1)
    line = rows.line_num
    while True:
        start = line + 1
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(path, start, (
                "a quoted field opened on this line is never closed (check quoting)"
                if str(exc) == "unexpected end of data" else f"broken CSV ({exc})")))
            line = offset + rows.line_num
            if line > start:  # the broken row swallowed later lines: read them again as rows
                rows, offset, line = csv.reader(lines[start:], strict=True), start, start
            continue
        line = offset + rows.line_num
        if not row or all(not c.strip() for c in row):
            continue
        spanned = [bad_lines[n] for n in range(start, line + 1) if n in bad_lines]
        if spanned:
            problems.append(Problem(path, start, spanned[0], row_id=row[0] if row else None))
            continue
        if "\x00" in "".join(row):
            problems.append(Problem(path, start, "contains NUL bytes"))
            continue
        if len(row) != len(header):
            problems.append(Problem(path, start, f"has {len(row)} fields, the header has "
                                                 f"{len(header)} (check quoting)"))
            continue
        records.append(Record(start, dict(zip(header, row))))
    return header, records, problems


def _read_jsonl(text: str, path: str, bad_lines: dict[int, str]):
    problems: list[Problem] = []
    records: list[Record] = []
    columns: list[str] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        if number in bad_lines:
            problems.append(Problem(path, number, bad_lines[number]))
            continue
        try:
            obj = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            problems.append(Problem(path, number, f"invalid JSON ({str(exc)[:80]})"))
            continue
        if not isinstance(obj, dict):
            problems.append(Problem(path, number, "a line must be a JSON object"))
            continue
        values = {}
        for key, value in obj.items():
            if isinstance(value, (dict, list)):
                value = json.dumps(value, ensure_ascii=False)
            values[str(key)] = "" if value is None else value
        broken = next((key for key, value in values.items() if SURROGATE.search(key) or (
            isinstance(value, str) and SURROGATE.search(value))), None)
        if broken is not None:  # a "\ud83d" escape alone: no UTF-8 file or database takes it
            problems.append(Problem(path, number, "contains a lone surrogate (broken text)",
                                    field=broken))
            continue
        for key in values:
            if key not in columns:
                columns.append(key)
        records.append(Record(number, values))
    if not records and not problems:
        raise DataError("file has no rows", path=path)
    return columns, records, problems


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it over ``path`` only on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_table(path: str | Path, rows: list[dict], columns: list[str]) -> None:
    """Write rows as CSV or JSONL (by extension), atomically."""
    fmt = table_format(path)
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            if fmt == "csv":
                writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
                writer.writeheader()
                writer.writerows(rows)
            else:
                for row in rows:
                    fh.write(json.dumps({c: row.get(c) for c in columns}, ensure_ascii=False))
                    fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
