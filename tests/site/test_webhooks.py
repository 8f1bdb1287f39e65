"""The webhook outbox: a row per decision in the decision's own transaction, delivered in
feed order with signatures, retried with backoff, later rows waiting behind a failed one
(SQLite and PostgreSQL); the HTTP sender against a local server."""
from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from helpers import write_csv

from moderation.queue import decide, next_item, undo
from moderation.queue.imports import import_decisions
from moderation.queue.ingest import ingest_file
from moderation.site import webhooks
from moderation.site.signatures import sign, verify
from moderation.site.webhooks import Outcome, claim_next, deliver_pending, pending, post
from moderation.store.schema import decisions, utcnow, webhook_outbox

SECRET = "s3cret"


@pytest.fixture
def decided(store, keyword_model, tmp_path):
    rows = [{"id": f"c{i}", "text": f"Ти дурень {i}"} for i in range(4)]
    ingest_file(store, write_csv(tmp_path / "c.csv", rows), keyword_model, spot_check_rate=0.0)
    for action in ("confirm", "override", "skip"):
        decide(store, next_item(store, "m").comment.id, "m", action)
    undo(store, "m")
    return store


class FakeSite:
    """Answers with the given statuses in turn (then 200), recording what it got."""

    def __init__(self, *statuses):
        self.statuses, self.got = list(statuses), []

    def __call__(self, url, body, headers, timeout):
        self.got.append((body, headers))
        status = self.statuses.pop(0) if self.statuses else 200
        return Outcome(200 <= status < 300, status, None if status < 300 else f"HTTP {status}")


class Clock:
    def __init__(self):
        self.at = utcnow()

    def __call__(self):
        return self.at


def test_an_outbox_row_for_each_decision_the_site_hears_of(decided):
    with decided.read() as conn:
        actions = dict(conn.execute(sa.select(decisions.c.id, decisions.c.action)).all())
        queued = conn.scalars(sa.select(webhook_outbox.c.decision_id)).all()
    assert sorted(actions[i] for i in queued) == ["confirm", "override", "undo"]  # no skip


def test_the_outbox_row_is_written_in_the_decisions_transaction(store, keyword_model,
                                                                 tmp_path, monkeypatch):
    ingest_file(store, write_csv(tmp_path / "c.csv", [{"id": "c", "text": "дурень"}]),
                keyword_model)
    item = next_item(store, "m")

    def broken(conn, ids, at):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr("moderation.queue.outbox.enqueue", broken)
    with pytest.raises(RuntimeError):
        decide(store, item.comment.id, "m", "confirm")
    with store.read() as conn:  # the decision went with it: nothing half-written
        assert conn.execute(sa.select(sa.func.count()).select_from(decisions)).scalar() == 0
    monkeypatch.undo()
    decide(store, item.comment.id, "m", "confirm")
    assert pending(store) == 1


def test_imports_fill_the_outbox_too(store, keyword_model, tmp_path):
    ingest_file(store, write_csv(tmp_path / "c.csv", [{"id": "c", "text": "x"}]), keyword_model)
    import_decisions(store, write_csv(tmp_path / "i.csv", [{"id": "c", "labels": "insult"}]),
                     "ops")
    import_decisions(store, write_csv(tmp_path / "j.csv", [{"id": "c", "labels": ""}]), "ops")
    assert pending(store) == 3  # import, undo (replaced), import


def test_delivered_in_feed_order_signed_and_once(decided):
    site = FakeSite()
    run = deliver_pending(decided, url="http://site.invalid/hook", secret=SECRET, send=site)
    assert (run.delivered, run.failed, run.wait_seconds) == (3, 0, None)
    bodies = [json.loads(body) for body, _ in site.got]
    assert [b["decision"]["decision"] for b in bodies] == ["confirm", "override", "undo"]
    assert [b["decision"]["action"] for b in bodies] == ["hide", "keep", "keep"]
    assert bodies[2]["decision"]["reverts"] == bodies[1]["decision"]["cursor"]
    for body, headers in site.got:  # an independent check of the signature
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert headers[webhooks.SIGNATURE_HEADER] == expected
    assert all(abs(b["sent_at"] - utcnow().timestamp()) < 60 for b in bodies)
    assert pending(decided) == 0
    again = deliver_pending(decided, url="http://site.invalid/hook", secret=SECRET, send=site)
    assert again.delivered == 0 and len(site.got) == 3


def test_a_failed_delivery_is_retried_with_backoff_and_later_ones_wait(decided):
    site, clock = FakeSite(500, 503), Clock()
    kwargs = dict(url="http://site.invalid/hook", secret=SECRET, send=site, now=clock,
                  retry_seconds=2.0)
    first = deliver_pending(decided, **kwargs)
    assert (first.delivered, first.failed, first.wait_seconds) == (0, 1, 2.0)
    waiting = deliver_pending(decided, **kwargs)  # not due yet: nothing sent
    assert len(site.got) == 1 and waiting.wait_seconds == pytest.approx(2.0)
    clock.at += timedelta(seconds=2)
    second = deliver_pending(decided, **kwargs)
    assert second.failed == 1 and second.wait_seconds == 4.0  # doubled
    clock.at += timedelta(seconds=4)
    third = deliver_pending(decided, **kwargs)
    assert third.delivered == 3
    sent = [json.loads(body)["decision"]["decision"] for body, _ in site.got]
    assert sent == ["confirm", "confirm", "confirm", "override", "undo"]  # head of line
    assert [json.loads(body)["attempt"] for body, _ in site.got][:3] == [1, 2, 3]
    with decided.read() as conn:
        row = conn.execute(sa.select(webhook_outbox).order_by(webhook_outbox.c.id)).first()
    assert row.attempts == 3 and row.delivered_at is not None and row.last_error is None


def test_a_leased_row_is_not_sent_twice(decided):
    now = utcnow()
    first = claim_next(decided, now=now, lease_seconds=40)
    second = claim_next(decided, now=now, lease_seconds=40)
    assert isinstance(first, webhooks.Delivery)
    assert second == now + timedelta(seconds=40)  # another process waits for the lease
    assert isinstance(claim_next(decided, now=now + timedelta(seconds=41), lease_seconds=40),
                      webhooks.Delivery)  # a process that died mid-delivery: sent again


def test_signatures_both_ways():
    body = b'{"a": 1}'
    header = sign("new", body)
    assert verify(header, body, ["new"]) and verify(f"sha256=00,{header}", body, ["old", "new"])
    assert verify(header + ", sha256=ff", body, ["new"])
    assert not verify(header, body + b" ", ["new"])
    assert not verify(header, body, ["other"]) and not verify(header, body, [])
    assert not verify(None, body, ["new"]) and not verify(header.replace("sha256=", ""), body,
                                                          ["new"])


@pytest.fixture
def local_site():
    got, statuses = [], []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            got.append(self.rfile.read(int(self.headers["Content-Length"])))
            status = statuses.pop(0) if statuses else 200
            self.send_response(status)
            if status == 302:
                self.send_header("Location", "/elsewhere")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", got, statuses
    server.shutdown()
    server.server_close()


def test_post_to_a_real_server(local_site):
    url, got, statuses = local_site
    statuses.extend([500, 302])
    headers = {"Content-Type": "application/json"}
    assert post(url, b"{}", headers, 5) == Outcome(False, 500, "HTTP 500")
    assert post(url, b"{}", headers, 5).delivered is False  # a redirect is not followed
    assert post(url, b"{}", headers, 5) == Outcome(True, 200, None)
    assert got == [b"{}"] * 3
    refused = post("http://127.0.0.1:1/hook", b"{}", headers, 5)
    assert not refused.delivered and refused.status is None and "URLError" in refused.error
