"""The decision feed, Perspective's analyze, Coral's phase, /healthz, limits (413, 429) and
the request log, through the framework's test client (SQLite and PostgreSQL)."""
from __future__ import annotations

import hashlib
import hmac
import json
import logging

import pytest
from service_helpers import (  # noqa: F401 - fixtures by name
    CORAL_SECRET, Clock, auth, client, counts, key, make_client,
)

from moderation.queue import decide, next_item, undo
from moderation.store import Store, make_engine


def test_the_feed_of_decisions(client, auth, store):
    for i in range(3):
        client.post("/v1/comments", json={"id": f"c{i}", "text": f"дурень {i}"}, headers=auth)
    decide(store, next_item(store, "olena").comment.id, "olena", "confirm")
    decide(store, next_item(store, "olena").comment.id, "olena", "override")
    undo(store, "olena")
    page = client.get("/v1/decisions?limit=2", headers=auth).json()
    assert [d["action"] for d in page["decisions"]] == ["hide", "keep"] and page["more"]
    rest = client.get(f"/v1/decisions?after={page['next']}", headers=auth).json()
    undone = rest["decisions"][0]
    assert (undone["decision"], undone["action"], undone["reverts"]) == (
        "undo", "keep", page["decisions"][1]["cursor"])
    assert not rest["more"] and rest["next"] == undone["cursor"]
    first = page["decisions"][0]
    assert set(first) == {"cursor", "comment_id", "version", "action", "decision", "labels",
                          "reasons", "moderator", "decided_at", "reverts"}
    assert first["moderator"] == "olena" and first["reasons"][0]["label"] == "insult"
    empty = client.get(f"/v1/decisions?after={rest['next']}", headers=auth).json()
    assert empty == {"decisions": [], "next": rest["next"], "more": False}


@pytest.mark.parametrize(("query", "field"), [("after=nope", "after"), ("limit=0", "limit"),
                                              ("limit=5000", "limit"), ("limit=x", "limit")])
def test_the_feed_refuses_bad_parameters(client, auth, query, field):
    answer = client.get(f"/v1/decisions?{query}", headers=auth)
    assert answer.status_code == 400 and answer.json()["error"]["field"] == field


def analyze(client, key, body, **params):
    return client.post("/v1alpha1/comments:analyze", params={"key": key, **params}, json=body)


def test_perspective_request_and_response_shapes(client, key, store):
    text = "Ти ідіот. Дякую за новину!"
    answer = analyze(client, key, {
        "comment": {"text": text}, "requestedAttributes": {"TOXICITY": {}, "INSULT": {},
                                                          "SPAM": {"scoreType": "PROBABILITY"},
                                                          "PERSONAL_FEUD": None},
        "languages": ["en"], "doNotStore": True, "spanAnnotations": True,
        "clientToken": "t-1", "sessionId": "ignored", "communityId": "ignored"})
    assert answer.status_code == 200
    body = answer.json()
    scores = body["attributeScores"]
    assert set(scores) == {"TOXICITY", "INSULT", "SPAM", "PERSONAL_FEUD"}
    assert scores["TOXICITY"]["summaryScore"] == {"value": 0.9, "type": "PROBABILITY"}
    assert scores["SPAM"]["summaryScore"]["value"] == 0.1
    spans = scores["TOXICITY"]["spanScores"]
    assert [(s["begin"], s["end"]) for s in spans] == [(0, 9), (10, 26)]
    assert text[0:9] == "Ти ідіот." and [s["score"]["value"] for s in spans] == [0.9, 0.1]
    assert body["languages"] == ["en"] and body["detectedLanguages"] == ["uk"]
    assert body["clientToken"] == "t-1"
    assert counts(store)["comments"] == 0  # doNotStore


def test_perspective_stores_unless_told_not_to(client, key, store):
    plain = analyze(client, key, {"comment": {"text": "Ти дурень"},
                                  "requestedAttributes": {"INSULT": {}}}).json()
    assert "spanScores" not in plain["attributeScores"]["INSULT"]
    assert plain["languages"] == ["uk"] and "clientToken" not in plain
    assert counts(store)["comments"] == 1
    analyze(client, key, {"comment": {"text": "Ти дурень"}, "requestedAttributes": {"INSULT": {}}})
    assert counts(store)["comments"] == 1  # the same text: the same comment
    analyze(client, key, {"comment": {"text": "Дякую"}, "clientToken": "comment:77",
                          "requestedAttributes": {"INSULT": {}}})
    answer = client.post("/v1/comments", json={"id": "comment:77", "text": "Дякую"},
                         headers={"Authorization": f"Bearer {key}"}).json()
    assert answer["version"] == 1  # stored under its clientToken


def test_perspective_score_threshold(client, key):
    body = analyze(client, key, {"comment": {"text": "Дякую"}, "doNotStore": True,
                                 "requestedAttributes": {"TOXICITY": {"scoreThreshold": 0.5},
                                                         "SPAM": {}}}).json()
    assert set(body["attributeScores"]) == {"SPAM"}


@pytest.mark.parametrize(("body", "error_type", "field"), [
    ({"comment": {"text": "x"}, "requestedAttributes": {"NO_SUCH_ATTRIBUTE": {}}},
     "INVALID_REQUEST", "requestedAttributes.NO_SUCH_ATTRIBUTE"),
    ({"comment": {"text": "x"}, "requestedAttributes": {"THREAT": {}}},
     "INVALID_REQUEST", "requestedAttributes.THREAT"),
    ({"comment": {"text": "x"}, "requestedAttributes": {}}, "NO_REQUESTED_ATTRIBUTES",
     "requestedAttributes"),
    ({"comment": {"text": "  "}, "requestedAttributes": {"INSULT": {}}}, "COMMENT_EMPTY",
     "comment.text"),
    ({"comment": {"text": "x" * 20_001}, "requestedAttributes": {"INSULT": {}}},
     "COMMENT_TOO_LONG", "comment.text"),
    ({"comment": {"text": "x", "type": "HTML"}, "requestedAttributes": {"INSULT": {}}},
     "INVALID_REQUEST", "comment.type"),
    ({"comment": {"text": "x"}, "requestedAttributes": {"INSULT": {"scoreType": "STD_DEV"}}},
     "INVALID_REQUEST", "requestedAttributes.INSULT.scoreType"),
    ({"requestedAttributes": {"INSULT": {}}}, "INVALID_REQUEST", "comment"),
])
def test_perspective_errors_have_its_shape(client, key, store, body, error_type, field):
    answer = analyze(client, key, body)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == 400 and error["status"] == "INVALID_ARGUMENT"
    assert error["details"][0]["errorType"] == error_type and error["field"] == field
    assert counts(store)["comments"] == 0


def test_perspective_keys(client, key):
    body = {"comment": {"text": "x"}, "requestedAttributes": {"INSULT": {}}, "doNotStore": True}
    assert client.post("/v1alpha1/comments:analyze", json=body).status_code == 401
    wrong = client.post("/v1alpha1/comments:analyze?key=wrong", json=body)
    assert wrong.status_code == 401 and wrong.json()["error"]["status"] == "UNAUTHENTICATED"
    assert client.post("/v1alpha1/comments:analyze", json=body,
                       headers={"Authorization": f"Bearer {key}"}).status_code == 200


def coral_request(text: str, *, action="NEW") -> bytes:
    """Coral's ExternalModerationRequest, serialised as Coral does (indent 2)."""
    return json.dumps({"action": action, "comment": {"body": text, "parentID": None},
                       "author": {"id": "u1", "role": "COMMENTER"},
                       "story": {"id": "s1", "url": "https://example.org/n/1"},
                       "site": {"id": "site1"}, "tenantID": "t1",
                       "tenantDomain": "example.org"}, indent=2).encode()


def coral(client, raw: bytes, *secrets: str, header: str | None = None):
    if header is None:
        header = ",".join("sha256=" + hmac.new(s.encode(), raw, hashlib.sha256).hexdigest()
                          for s in secrets)
    return client.post("/v1/coral/phase", content=raw,
                       headers={"Content-Type": "application/json", "X-Coral-Signature": header})


def test_coral_phase_flags_with_coral_reason_codes(client, store):
    raw = coral_request("<p>Знижка! Пишіть у <b>telegram</b></p><p>ти дурень</p>")
    answer = coral(client, raw, CORAL_SECRET)
    assert answer.status_code == 200
    actions = answer.json()["actions"]
    assert [(a["actionType"], a["reason"]) for a in actions] == [
        ("FLAG", "COMMENT_DETECTED_TOXIC"), ("FLAG", "COMMENT_DETECTED_SPAM")]
    assert "insult 0.90" in actions[0]["additionalDetails"]
    assert "advertising" in actions[1]["additionalDetails"]
    assert "status" not in answer.json()  # the default policy sets no status
    clean = coral(client, coral_request("<p>Дякую за новину</p>", action="EDIT"), CORAL_SECRET)
    assert clean.status_code == 204 and clean.content == b""
    assert counts(store)["comments"] == 0  # Coral sends no comment id: nothing stored


def test_coral_signatures(client):
    raw = coral_request("ти дурень")
    assert coral(client, raw, "old-secret", CORAL_SECRET).status_code == 200  # Coral rotating
    for header in ("", "sha256=00", "sha1=" + hmac.new(CORAL_SECRET.encode(), raw,
                                                       hashlib.sha1).hexdigest()):
        refused = coral(client, raw, header=header)
        assert refused.status_code == 401
        assert refused.json()["error"]["field"] == "X-Coral-Signature"
    assert coral(client, raw, "not-the-secret").status_code == 401
    tampered = raw.replace(b"\\u0442\\u0438", b"\\u0432\\u0438")
    header = "sha256=" + hmac.new(CORAL_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    assert coral(client, tampered, header=header).status_code == 401


def test_coral_rotation_and_policy(make_client):
    client = make_client({"MODERATION_CORAL_SECRET": f"new-one, {CORAL_SECRET}",
                          "MODERATION_HOLD_AT": "insult=0.5",
                          "MODERATION_REJECT_AT": "advertising=0.5"})
    held = coral(client, coral_request("ти дурень"), CORAL_SECRET).json()
    assert held["status"] == "SYSTEM_WITHHELD"
    rejected = coral(client, coral_request("знижка"), "new-one").json()
    assert rejected["status"] == "REJECTED"
    off = make_client({"MODERATION_CORAL_SECRET": ""})
    assert coral(off, coral_request("x"), CORAL_SECRET).status_code == 401


def test_coral_bad_body_after_a_good_signature(client):
    raw = b'{"action": "DELETE", "comment": {"body": "x"}}'
    answer = coral(client, raw, CORAL_SECRET)
    assert answer.status_code == 400 and answer.json()["error"]["field"] == "action"


def test_healthz_needs_no_key(client, auth):
    client.post("/v1/comments", json={"id": "c", "text": "дурень"}, headers=auth)
    body = client.get("/healthz").json()
    assert body == {"status": "ok", "model_version": "keyword-1", "database": True,
                    "queues": {"review": 1, "spot_check": 0}, "webhooks_pending": 0}


def test_healthz_when_the_store_is_down(make_client, keyword_model, tmp_path):
    from fastapi.testclient import TestClient

    from moderation.service import create_app
    from moderation.settings import Settings

    down = Store(make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"), claim_minutes=1)
    app = create_app(Settings.from_env({"MODERATION_DATA_DIR": str(tmp_path)}), store=down,
                     model=keyword_model, webhooks=False)
    client = TestClient(app)  # not started: the store went down after start-up
    answer = client.get("/healthz")
    assert answer.status_code == 503 and answer.json()["database"] is False


def test_bodies_over_the_limit_get_413(client, auth, store):
    big = {"id": "c", "text": "я" * 20_000}
    escaped = json.dumps(big).encode()  # 20,000 characters: 120 KB as \u escapes
    answer = client.post("/v1/comments", content=escaped,
                         headers={**auth, "Content-Type": "application/json"})
    assert answer.status_code == 413 and answer.json()["error"]["field"] == "body"

    def chunks():
        yield b'{"id": "c", "text": "'
        for _ in range(70):
            yield b"x" * 1000
        yield b'"}'

    chunked = client.post("/v1/comments", content=chunks(),
                          headers={**auth, "Content-Type": "application/json"})
    assert chunked.status_code == 413
    assert counts(store)["comments"] == 0
    utf8 = json.dumps(big, ensure_ascii=False).encode()  # 40 KB as UTF-8: within the limit
    assert client.post("/v1/comments", content=utf8,
                       headers={**auth, "Content-Type": "application/json"}).status_code == 200
    batch = {"comments": [{"id": f"b{i}", "text": "x" * 20_000} for i in range(5)]}
    assert client.post("/v1/comments:batch", json=batch, headers=auth).status_code == 200


def test_the_rate_limit_per_key(make_client, auth, store):
    from moderation.site.keys import add_key

    clock = Clock()
    client = make_client({"MODERATION_RATE_LIMIT": "1", "MODERATION_RATE_BURST": "2"},
                         clock=clock)
    _, other = add_key(store, "other", "score")
    body = {"comment": {"text": "x"}, "requestedAttributes": {"INSULT": {}}, "doNotStore": True}
    statuses = [client.post("/v1alpha1/comments:analyze", json=body, headers=auth).status_code
                for _ in range(3)]
    assert statuses == [200, 200, 429]
    limited = client.post("/v1/comments", json={"id": "c", "text": "x"}, headers=auth)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "1"
    assert limited.json()["error"]["code"] == "rate_limited"
    assert counts(store)["comments"] == 0
    assert client.post("/v1alpha1/comments:analyze", json=body,
                       headers={"Authorization": f"Bearer {other}"}).status_code == 200
    clock.t += 1.0
    assert client.post("/v1/comments", json={"id": "c", "text": "x"},
                       headers=auth).status_code == 200


def test_one_log_line_per_request_without_the_text(client, key, auth, caplog):
    secret_text = "Таємний текст коментаря"
    with caplog.at_level(logging.INFO, logger="moderation.service.requests"):
        client.post("/v1/comments", json={"id": "c", "text": secret_text}, headers=auth)
        client.post("/v1alpha1/comments:analyze", params={"key": key},
                    json={"comment": {"text": secret_text}, "doNotStore": True,
                          "requestedAttributes": {"INSULT": {}}})
        client.post("/v1/comments", json={"id": "c"}, headers={"Authorization": "Bearer x"})
        client.get("/healthz")
    lines = [r.getMessage() for r in caplog.records if r.name == "moderation.service.requests"]
    assert len(lines) == 4
    logged = [json.loads(line) for line in lines]
    assert [(x["path"], x["status"], x["key"]) for x in logged] == [
        ("/v1/comments", 200, "site"), ("/v1alpha1/comments:analyze", 200, "site"),
        ("/v1/comments", 401, None), ("/healthz", 200, None)]
    assert all(x["ms"] >= 0 and x["method"] for x in logged)
    for line in lines:
        assert secret_text not in line and "Таємний" not in line and key not in line
