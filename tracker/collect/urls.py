"""Canonical URLs and the stable item ids derived from them.

The same article reached through a feed link with tracking parameters, a fragment such as
`#ref=rss`, an upper-case host or a default port must get the same id.
"""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that only say where a click came from.
_TRACKING_PREFIXES = ("utm_", "wt_", "mc_", "pk_", "at_", "ga_", "__twitter")
_TRACKING_KEYS = {
    "ref",
    "ref_src",
    "referrer",
    "source",
    "src",
    "cmpid",
    "cid",
    "icid",
    "ncid",
    "fbclid",
    "gclid",
    "dclid",
    "msclkid",
    "yclid",
    "igshid",
    "mbid",
    "smid",
    "sr_share",
    "ito",
    "xtor",
    "feature",
    "rss",
    "partner",
    "taid",
    "dicbo",
    "guccounter",
}


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, no tracking parameters."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if parts.port and not (
        (scheme == "http" and parts.port == 80) or (scheme == "https" and parts.port == 443)
    ):
        host = f"{host}:{parts.port}"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith(_TRACKING_PREFIXES) and key.lower() not in _TRACKING_KEYS
    ]
    path = parts.path or "/"
    return urlunsplit((scheme, host, path, urlencode(query), ""))


def stable_id(*parts: str) -> str:
    """A short, stable id from the given strings (sha256, 20 hex digits)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:20]


def item_id_for_url(url: str) -> str:
    return stable_id("url", canonical_url(url))
