"""Talking to a school's identity provider: discovery, its signing keys (cached), the
authorization code flow with PKCE (Authlib), and checking the ID token (joserfc, Authlib's JOSE
library). No Flask: the views pass in what they hold."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import GuestProtocol, KeySet

# Asymmetric algorithms only: "none" and HMAC (signed with the client secret, which the school
# shares with the provider) are never accepted, so a token cannot be forged with the secret or
# by switching algorithm. Entra ID and Google sign with RS256.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "ES256", "ES384")
SCOPES = "openid email profile"
TIMEOUT = 10  # seconds for any request to the provider: a stuck provider must not hang a worker
# Discovery and keys are re-read at most this often; a token signed with a key we do not know
# re-reads the keys at once (the provider rotated), but not more than once a minute, so a flood
# of tokens with made-up key ids cannot make us hammer the provider.
CACHE_SECONDS = 3600
REFETCH_AT_MOST_EVERY = 60
# Clock difference allowed between us and the provider when checking exp and iat.
LEEWAY = 60
# An ID token issued longer ago than this is refused even if not yet expired (a replay).
MAX_AGE = 600


class ProviderError(Exception):
    """The provider could not be reached or said something we do not accept. The message is
    for the log: it never holds a token, a code or an email address."""


class TokenRefused(Exception):
    """The ID token failed a check. `reason` is a short code for the audit entry."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Client:
    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str

    def __repr__(self) -> str:
        return f"Client(issuer={self.issuer!r}, client_id={self.client_id!r})"


def _clock() -> float:
    """Seconds on a clock that never goes back (a test moves it)."""
    return time.monotonic()


@dataclass
class _Cached:
    value: Any
    fetched_at: float


class _Cache:
    """Discovery documents and key sets by URL, shared by the process's threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, _Cached] = {}

    def get(self, key: str, fetch: Callable[[], Any], *, refresh: bool = False) -> Any:
        now = _clock()
        with self._lock:
            item = self._items.get(key)
        fresh = item is not None and now - item.fetched_at < CACHE_SECONDS
        recent = item is not None and now - item.fetched_at < REFETCH_AT_MOST_EVERY
        if item is not None and ((fresh and not refresh) or recent):
            return item.value
        value = fetch()
        with self._lock:
            self._items[key] = _Cached(value, now)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


CACHE = _Cache()


def _get_json(url: str) -> dict[str, Any]:
    try:
        response = requests.get(url, timeout=TIMEOUT)
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderError(f"could not read {url}: {type(exc).__name__}") from None
    if not isinstance(data, dict):
        raise ProviderError(f"{url} did not answer with a JSON object")
    return data


def is_allowed_issuer(issuer: str, *, allow_http: bool) -> bool:
    """An https address (http only in development and tests), with no query or fragment."""
    parts = urlsplit(issuer)
    schemes = {"https", "http"} if allow_http else {"https"}
    return (
        parts.scheme in schemes
        and bool(parts.hostname)
        and not parts.username
        and not parts.query
        and not parts.fragment
    )


def _read_metadata(issuer: str) -> dict[str, Any]:
    data = _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
    # OpenID Connect Discovery 1.0, section 4.3: the document must name the same issuer, or a
    # provider could speak for another.
    if data.get("issuer") != issuer:
        raise ProviderError("the discovery document names another issuer")
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(data.get(name), str):
            raise ProviderError(f"the discovery document has no {name}")
    return data


def metadata(issuer: str) -> dict[str, Any]:
    """The provider's discovery document (cached)."""
    result: dict[str, Any] = CACHE.get("meta:" + issuer, lambda: _read_metadata(issuer))
    return result


def _keys(jwks_uri: str, *, refresh: bool = False) -> KeySet:
    def fetch() -> KeySet:
        try:
            return KeySet.import_key_set(_get_json(jwks_uri))  # type: ignore[arg-type]
        except (JoseError, ValueError, TypeError) as exc:
            raise ProviderError(
                f"the provider's keys are unreadable: {type(exc).__name__}"
            ) from None

    result: KeySet = CACHE.get("keys:" + jwks_uri, fetch, refresh=refresh)
    return result


@dataclass(frozen=True)
class Start:
    """What the browser is sent to, and what we keep in the session to check the answer."""

    url: str
    state: str
    nonce: str
    code_verifier: str


def start(client: Client, *, state_prefix: str) -> Start:
    """The authorization request: code flow, PKCE S256, a fresh state and nonce. The state
    starts with `state_prefix` (the school's id) so a refused answer can be audited in the
    right school's log even when the browser's session no longer holds the request."""
    meta = metadata(client.issuer)
    state = f"{state_prefix}.{secrets.token_urlsafe(24)}"
    nonce = secrets.token_urlsafe(24)
    verifier = secrets.token_urlsafe(48)
    with _session(client) as oauth:
        url, _ = oauth.create_authorization_url(
            meta["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier
        )
    return Start(url=url, state=state, nonce=nonce, code_verifier=verifier)


def _session(client: Client) -> OAuth2Session:
    return OAuth2Session(
        client_id=client.client_id,
        client_secret=client.client_secret,
        scope=SCOPES,
        redirect_uri=client.redirect_uri,
        code_challenge_method="S256",
    )


def exchange_code(client: Client, *, code: str, code_verifier: str) -> dict[str, Any]:
    """The token response for the code (the back channel: client secret and PKCE verifier)."""
    meta = metadata(client.issuer)
    try:
        with _session(client) as oauth:
            token = oauth.fetch_token(
                meta["token_endpoint"], code=code, code_verifier=code_verifier, timeout=TIMEOUT
            )
    except Exception as exc:  # Authlib raises OAuthError, requests its own: the same to us
        raise ProviderError(f"the code was not exchanged: {type(exc).__name__}") from None
    return dict(token)


def verify_id_token(
    client: Client, id_token: str, *, nonce: str, now: Callable[[], int]
) -> dict[str, Any]:
    """The ID token's claims once its signature (the provider's published keys), issuer,
    audience, expiry, issue time and nonce are right; TokenRefused otherwise."""
    jwks_uri = metadata(client.issuer)["jwks_uri"]

    def key_for(guest: GuestProtocol) -> KeySet:
        kid = guest.headers().get("kid")
        keys = _keys(jwks_uri)
        if kid is not None and not any(k.kid == kid for k in keys.keys):
            keys = _keys(jwks_uri, refresh=True)  # the provider may have rotated its keys
        return keys

    try:
        token = jwt.decode(id_token, key_for, algorithms=list(ALGORITHMS))
    except (JoseError, ValueError) as exc:
        raise TokenRefused(f"signature: {type(exc).__name__}") from None
    registry = jwt.JWTClaimsRegistry(
        now=now,
        leeway=LEEWAY,
        iss={"essential": True, "value": client.issuer},
        aud={"essential": True, "value": client.client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(token.claims)
    except JoseError as exc:
        raise TokenRefused(f"claims: {type(exc).__name__}: {_claim_name(exc)}") from None
    claims = token.claims
    if isinstance(claims.get("aud"), list) and claims.get("azp") not in (None, client.client_id):
        # OpenID Connect Core 3.1.3.7: with several audiences, azp must be us.
        raise TokenRefused("claims: azp")
    if int(claims["iat"]) < now() - MAX_AGE:
        raise TokenRefused("claims: iat too old")
    return dict(claims)


def _claim_name(exc: JoseError) -> str:
    return str(getattr(exc, "claim", "") or exc.error)
