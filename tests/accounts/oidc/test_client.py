"""The provider client's own rules: which issuers are allowed, and the key cache that refetches
for an unknown key at most once a minute, however many made-up key ids arrive."""

from __future__ import annotations

from typing import Any

import pytest
from joserfc.jwk import RSAKey

from incidents.accounts.oidc import client as oidc

PUBLISHED = {"keys": [RSAKey.generate_key(2048, parameters={"kid": "k1"}).as_dict(private=False)]}


@pytest.mark.parametrize(
    ("issuer", "in_production", "elsewhere"),
    [
        ("https://login.microsoftonline.com/tenant/v2.0", True, True),
        ("https://accounts.google.com", True, True),
        ("http://127.0.0.1:8080", False, True),
        ("https://user:pw@idp.example", False, False),
        ("https://idp.example/?tenant=1", False, False),
        ("https://idp.example/#x", False, False),
        ("javascript:alert(1)", False, False),
        ("idp.example", False, False),
    ],
)
def test_only_https_issuers_in_production(
    issuer: str, in_production: bool, elsewhere: bool
) -> None:
    assert oidc.is_allowed_issuer(issuer, allow_http=False) is in_production
    assert oidc.is_allowed_issuer(issuer, allow_http=True) is elsewhere


def test_an_unknown_key_refetches_the_keys_at_most_once_a_minute(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fetched: list[str] = []
    now = [1000.0]

    def get_json(url: str) -> dict[str, Any]:
        fetched.append(url)
        return PUBLISHED

    monkeypatch.setattr(oidc, "_get_json", get_json)
    monkeypatch.setattr(oidc, "_clock", lambda: now[0])
    oidc.CACHE.clear()
    oidc._keys("https://idp.example/keys")
    for _ in range(50):  # a flood of tokens naming keys nobody published
        oidc._keys("https://idp.example/keys", refresh=True)
    assert len(fetched) == 1
    now[0] += oidc.REFETCH_AT_MOST_EVERY + 1
    oidc._keys("https://idp.example/keys", refresh=True)
    oidc._keys("https://idp.example/keys", refresh=True)
    assert len(fetched) == 2
    now[0] += oidc.CACHE_SECONDS + 1
    oidc._keys("https://idp.example/keys")  # an hour on: read again anyway
    assert len(fetched) == 3
    oidc.CACHE.clear()
