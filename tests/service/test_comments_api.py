"""POST /v1/comments and /v1/comments:batch through the framework's test client: answers,
idempotency, edits, the action policy, bad bodies naming their field, keys and scopes
(SQLite and PostgreSQL)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from service_helpers import (  # noqa: F401 - fixtures by name
    auth, client, counts, key, make_client,
)

from moderation.site.keys import add_key, revoke_key
from moderation.store.schema import OPEN, SUPERSEDED, comments, queue_items
from moderation.taxonomy import BY_NAME, LABELS

INSULT = {"id": "c1", "text": "Ти дурень", "author": "Іван", "article_id": "a1",
          "article_title": "Новини", "article_url": "https://example.org/n/1",
          "parent_id": "c0", "created_at": "2026-05-01T10:00:00+03:00"}


def test_a_comment_is_scored_stored_and_queued(client, auth, store):
    answer = client.post("/v1/comments", json=INSULT, headers=auth)
    assert answer.status_code == 200
    body = answer.json()
    assert body["id"] == "c1" and body["version"] == 1 and body["labels"] == ["insult"]
    assert set(body["scores"]) == set(LABELS) and body["scores"]["insult"] == 0.9
    assert body["action"] == "publish"  # the default policy: publish, queue the flags
    assert body["reasons"] == [{"label": "insult", "rule": BY_NAME["insult"].rule_uk}]
    assert body["model_version"] == "keyword-1"
    with store.read() as conn:
        row = conn.execute(sa.select(comments)).one()
        item = conn.execute(sa.select(queue_items)).one()
    assert (row.author, row.article_id, row.parent_id) == ("Іван", "a1", "c0")
    assert row.posted_at.isoformat() == "2026-05-01T07:00:00+00:00"
    assert (item.queue, item.status, item.flagged_labels) == ("review", OPEN, "insult")


def test_the_context_of_a_reply_is_stored(client, auth, store):
    body = {**INSULT, "article_snippet": "Дорогу на Ковель ремонтують третій місяць."}
    assert client.post("/v1/comments", json=body, headers=auth).status_code == 200
    with store.read() as conn:
        row = conn.execute(sa.select(comments)).one()
    assert (row.parent_id, row.article_url, row.article_snippet) == (
        "c0", "https://example.org/n/1", "Дорогу на Ковель ремонтують третій місяць.")


def test_a_bad_article_url_in_a_batch_names_the_item_and_field(client, auth, store):
    answer = client.post("/v1/comments:batch", headers=auth, json={"comments": [
        {"id": "a", "text": "Дякую"},
        {"id": "b", "text": "Дякую", "article_url": "data:text/html,<b>x</b>"}]})
    assert answer.status_code == 200
    ok, bad = answer.json()["results"]
    assert ok["id"] == "a"
    assert (bad["index"], bad["id"], bad["error"]["field"]) == (1, "b", "article_url")
    assert "http://" in bad["error"]["message"]
    assert counts(store)["comments"] == 1


def test_the_same_comment_again_gives_the_stored_answer(client, auth, store):
    first = client.post("/v1/comments", json=INSULT, headers=auth).json()
    before = counts(store)
    again = client.post("/v1/comments", json=INSULT, headers=auth)
    assert again.status_code == 200 and again.json() == first
    assert counts(store) == before  # nothing duplicated


def test_an_edit_is_a_new_version_scored_and_queued_again(client, auth, store):
    client.post("/v1/comments", json=INSULT, headers=auth)
    clean = client.post("/v1/comments", json={**INSULT, "text": "Дякую за новину"},
                        headers=auth).json()
    assert (clean["version"], clean["labels"]) == (2, [])
    flagged = client.post("/v1/comments", json={**INSULT, "text": "Ти ідіот"},
                          headers=auth).json()
    assert (flagged["version"], flagged["labels"]) == (3, ["insult"])
    with store.read() as conn:
        items = dict(conn.execute(sa.select(comments.c.version, queue_items.c.status)
                                  .join(queue_items, queue_items.c.comment_id == comments.c.id))
                     .all())
    assert items == {1: SUPERSEDED, 3: OPEN}  # the old version left the queue


def test_numbers_as_ids_and_a_bidi_author(client, auth, store):
    body = client.post("/v1/comments", json={"id": 42, "text": "Дякую", "article_id": 7,
                                             "author": "Ів\u202eан"}, headers=auth).json()
    assert body["id"] == "42" and body["labels"] == []
    with store.read() as conn:  # ingest's path: the bidi alert sends it to review
        assert conn.execute(sa.select(queue_items.c.alerts)).scalar() == "bidi"


@pytest.mark.parametrize(("body", "field"), [
    ({"text": "x"}, "id"),
    ({"id": "c"}, "text"),
    ({"id": "", "text": ""}, "id"),
    ({"id": "c", "text": "   "}, "text"),
    ({"id": "c", "text": 5}, "text"),
    ({"id": "c" * 201, "text": "x"}, "id"),
    ({"id": "c", "text": "x", "author": "a" * 201}, "author"),
    ({"id": "c", "text": "x", "created_at": "вчора"}, "created_at"),
    ({"id": "c", "text": "x\x00y"}, "text"),
    ({"id": "c", "text": "x" * 20_001}, "text"),
    ({"id": "c", "text": "x", "parent_id": ["p"]}, "parent_id"),
    ({"id": "c", "text": "x", "parent_id": "p" * 201}, "parent_id"),
    ({"id": "c", "text": "x", "article_url": "javascript:alert(1)"}, "article_url"),
    ({"id": "c", "text": "x", "article_url": "//example.org/a"}, "article_url"),
    ({"id": "c", "text": "x", "article_snippet": "б" * 1001}, "article_snippet"),
    ({"id": "c", "text": "x", "article_snippet": {"lead": "x"}}, "article_snippet"),
])
def test_bad_comments_name_the_field_and_store_nothing(client, auth, store, body, field):
    answer = client.post("/v1/comments", json=body, headers=auth)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["field"] == field and error["code"] == "invalid" and error["message"]
    assert counts(store)["comments"] == 0


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"text"', b""])
def test_a_body_that_is_not_a_comment(client, auth, raw):
    answer = client.post("/v1/comments", content=raw,
                         headers={**auth, "Content-Type": "application/json"})
    assert answer.status_code == 400 and answer.json()["error"]["field"]


def test_keys_are_required_and_checked(client, auth, key, store):
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {key}"},
                    {"Authorization": key}):
        answer = client.post("/v1/comments", json=INSULT, headers=headers)
        assert answer.status_code == 401, headers
        assert answer.json()["error"]["field"] == "Authorization"
        assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert client.post("/v1/comments?key=" + key, json=INSULT).status_code == 401  # header only
    assert client.post("/v1/comments", json=INSULT,
                       headers={"authorization": f"bearer {key}"}).status_code == 200
    revoke_key(store, "site")
    before = counts(store)
    answer = client.post("/v1/comments", json={**INSULT, "id": "c2"}, headers=auth)
    assert answer.status_code == 401 and counts(store) == before  # nothing stored


def test_scopes(client, store):
    _, feed_only = add_key(store, "poller", "decisions")
    headers = {"Authorization": f"Bearer {feed_only}"}
    denied = client.post("/v1/comments", json=INSULT, headers=headers)
    assert denied.status_code == 403 and "score" in denied.json()["error"]["message"]
    assert client.get("/v1/decisions", headers=headers).status_code == 200
    _, scorer = add_key(store, "scorer", "score")
    assert client.get("/v1/decisions",
                      headers={"Authorization": f"Bearer {scorer}"}).status_code == 403


def test_the_action_policy_comes_from_the_settings(make_client, auth):
    client = make_client({"MODERATION_HOLD_AT": "insult=0.5",
                          "MODERATION_REJECT_AT": "advertising=0.8,improper=0.95"})
    hold = client.post("/v1/comments", json={"id": "h", "text": "дурень"}, headers=auth).json()
    reject = client.post("/v1/comments", json={"id": "r", "text": "знижка в telegram"},
                         headers=auth).json()
    publish = client.post("/v1/comments", json={"id": "p", "text": "Дякую"},
                          headers=auth).json()
    assert (hold["action"], reject["action"], publish["action"]) == ("hold", "reject", "publish")
    assert [r["label"] for r in reject["reasons"]] == ["advertising"]
    low = client.post("/v1/comments", json={"id": "l", "text": "дурень #0.45"},
                      headers=auth).json()  # under the model's threshold and the policy's
    assert (low["action"], low["labels"]) == ("publish", [])


def test_a_batch_answers_each_item_in_its_place(client, auth, store):
    items = [INSULT, {"id": "b2", "text": "знижка telegram"}, {"id": "b3", "text": ""},
             "not an object", {"id": "b2", "text": "інший текст"}, {"id": "b6", "text": "Дякую"}]
    answer = client.post("/v1/comments:batch", json={"comments": items}, headers=auth)
    assert answer.status_code == 200
    results = answer.json()["results"]
    assert len(results) == 6
    assert results[0]["labels"] == ["insult"] and results[1]["labels"] == ["advertising"]
    assert results[2]["error"]["field"] == "text" and results[2]["index"] == 2
    assert results[3]["error"]["field"] == "comment"
    assert results[4]["error"]["field"] == "id" and "duplicate" in results[4]["error"]["message"]
    assert results[5]["labels"] == []
    assert counts(store)["comments"] == 3
    repeat = client.post("/v1/comments:batch", json={"comments": items}, headers=auth).json()
    assert repeat == answer.json() and counts(store)["comments"] == 3


def test_a_batch_is_bounded(client, auth):
    too_many = [{"id": f"x{i}", "text": "x"} for i in range(501)]
    answer = client.post("/v1/comments:batch", json={"comments": too_many}, headers=auth)
    assert answer.status_code == 400 and answer.json()["error"]["field"] == "comments"
    empty = client.post("/v1/comments:batch", json={"comments": []}, headers=auth)
    assert empty.status_code == 200 and empty.json() == {"results": []}


# ------------------------------------------------------------------ author actions

CLEAN = {"id": "k1", "text": "Дякую за статтю", "author": "Іван"}


@pytest.mark.parametrize(("kind", "action"), [("premoderate", "hold"), ("ban", "reject")])
def test_an_author_action_decides_the_answer(client, auth, store, kind, action):
    from moderation.queue.authors import set_author_action

    set_author_action(store, "olena", "Іван", kind, "погрози")
    body = client.post("/v1/comments", json=CLEAN, headers=auth).json()
    assert body["action"] == action and body["labels"] == []
    assert body["reasons"][0]["label"] == f"author_{kind}"
    assert "погрози" in body["reasons"][0]["rule"]
    other = client.post("/v1/comments", json={**CLEAN, "id": "k2", "author": "Петро"},
                        headers=auth).json()
    assert (other["action"], other["reasons"]) == ("publish", [])
    set_author_action(store, "olena", "Іван", "lifted", "оскаржив")
    again = client.post("/v1/comments", json={**CLEAN, "id": "k3"}, headers=auth).json()
    assert again["action"] == "publish"


def test_the_author_action_feed(client, auth, store):
    from moderation.queue.authors import set_author_action

    made = [set_author_action(store, "olena", name, kind, "причина")
            for name, kind in (("Іван", "ban"), ("Петро", "watch"), ("Іван", "lifted"))]
    first = client.get("/v1/author-actions?limit=2", headers=auth).json()
    assert [(e["author"], e["kind"]) for e in first["author_actions"]] == [
        ("Іван", "ban"), ("Петро", "watch")]
    assert first["more"] and first["next"] == made[1].id
    rest = client.get(f"/v1/author-actions?after={first['next']}", headers=auth).json()
    assert [e["kind"] for e in rest["author_actions"]] == ["lifted"] and not rest["more"]
    assert rest["author_actions"][0]["reason"] == "причина"
    assert client.get("/v1/author-actions").status_code == 401
    bad = client.get("/v1/author-actions?after=-1", headers=auth)
    assert bad.status_code == 400 and "after" in bad.text
