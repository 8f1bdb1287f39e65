"""API keys: only a slow hash stored, scopes, revocation at once, a bounded cache of
verified keys (SQLite and PostgreSQL)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from moderation.errors import ApiKeyError
from moderation.site.keys import KeyVerifier, add_key, list_keys, revoke_key
from moderation.store.schema import api_keys


class CountingHasher(PasswordHasher):
    def __init__(self):
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.verified = 0

    def verify(self, hash, password):  # noqa: A002 - argon2's own parameter name
        self.verified += 1
        return super().verify(hash, password)


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def test_only_a_slow_hash_is_stored(store):
    key, secret = add_key(store, "site", "score")
    assert secret.startswith(f"mk_{key.key_id}_") and len(secret) > 50
    with store.read() as conn:
        row = conn.execute(sa.select(*api_keys.c)).one()
        dump = " ".join(str(v) for v in row)
    random_part = secret[len(f"mk_{key.key_id}_"):]
    assert len(random_part) == 43 and secret not in dump and random_part not in dump
    assert row.key_hash.startswith("$argon2id$")
    assert key.scopes == ("score",) and list_keys(store)[0].name == "site"


def test_names_and_scopes_are_checked(store):
    add_key(store, "site")
    with pytest.raises(ApiKeyError, match="exists already"):
        add_key(store, "site")
    with pytest.raises(ApiKeyError, match="unknown scope 'admin'"):
        add_key(store, "other", "score,admin")
    with pytest.raises(ApiKeyError, match="key name"):
        add_key(store, "bad name\x00")
    with pytest.raises(ApiKeyError, match="no API key named"):
        revoke_key(store, "nobody")
    assert list_keys(store)[0].scopes == ("score", "decisions")  # the default


def test_verifier_caches_verified_keys_and_sees_revocation_at_once(store):
    hasher, clock = CountingHasher(), Clock()
    key, secret = add_key(store, "site", hasher=hasher)
    verifier = KeyVerifier(store, ttl=30, clock=clock, hasher=hasher)
    for _ in range(5):
        assert verifier.verify(secret).name == "site"
    assert hasher.verified == 1  # one argon2 check, then the cache
    revoke_key(store, "site")
    assert verifier.verify(secret) is None  # cached, yet refused at once
    with pytest.raises(ApiKeyError, match="revoked already"):
        revoke_key(store, "site")


def test_one_argon2_check_for_many_concurrent_first_requests(store):
    import threading

    hasher = CountingHasher()
    _, secret = add_key(store, "site", hasher=hasher)
    verifier = KeyVerifier(store, hasher=hasher)
    barrier, results = threading.Barrier(8), []

    def first_request():
        barrier.wait()
        results.append(verifier.verify(secret))

    threads = [threading.Thread(target=first_request) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [k.name for k in results] == ["site"] * 8 and hasher.verified == 1


def test_cache_entries_expire_and_stay_bounded(store):
    hasher, clock = CountingHasher(), Clock()
    secrets = [add_key(store, f"k{i}", hasher=hasher)[1] for i in range(4)]
    verifier = KeyVerifier(store, ttl=10, max_entries=2, clock=clock, hasher=hasher)
    verifier.verify(secrets[0])
    clock.t += 11
    verifier.verify(secrets[0])
    assert hasher.verified == 2  # expired: checked again
    verifier.verify(secrets[0])
    assert hasher.verified == 2
    for secret in secrets:
        verifier.verify(secret)
    assert len(verifier) == 2


def test_a_changed_hash_is_not_trusted_from_the_cache(store):
    hasher = CountingHasher()
    _, secret = add_key(store, "site", hasher=hasher)
    verifier = KeyVerifier(store, hasher=hasher)
    assert verifier.verify(secret) is not None
    with store.write() as conn:
        conn.execute(api_keys.update().values(key_hash=hasher.hash("another key")))
    assert verifier.verify(secret) is None and hasher.verified == 1  # dropped from the cache
    assert verifier.verify(secret) is None and hasher.verified == 2  # checked: no match


def test_wrong_and_malformed_keys(store):
    hasher = CountingHasher()
    key, secret = add_key(store, "site", hasher=hasher)
    verifier = KeyVerifier(store, hasher=hasher)
    wrong = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")
    for presented in (None, "", "wrong", "Bearer " + secret, secret + "x", "mk_" + "0" * 16 + "_"
                      + "A" * 43, "x" * 5000):
        assert verifier.verify(presented) is None
    assert hasher.verified == 0  # none of those reached argon2
    assert verifier.verify(wrong) is None and verifier.verify(wrong) is None
    assert hasher.verified == 1  # a wrong key is remembered, not hashed again
    assert verifier.verify(secret).id == key.id
