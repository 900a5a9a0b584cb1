"""A URL as the page it names: one form for all the addresses of one article."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that track a click and never choose the page.
_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|xtor|at_\w+|ref|ref_src|"
    r"cmp|ito|ns_\w+|igshid|_ga|share|from|origin|amp|outputtype)$",
    re.IGNORECASE,
)
_MOBILE_HOST = re.compile(r"^(www|m|mobile|amp)\.")
_AMP_PATH = re.compile(r"(/amp|\.amp)(?=/?$)|^/amp(?=/)", re.IGNORECASE)


def canonical_url(url: str | None) -> str | None:
    """The URL with tracking parameters, mobile/AMP variants and trailing slash removed."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if not parts.netloc:
        return None
    host = parts.hostname or ""
    while _MOBILE_HOST.match(host):
        host = _MOBILE_HOST.sub("", host, count=1)
    path = _AMP_PATH.sub("", parts.path).rstrip("/") or "/"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not _TRACKING.match(k)]
    return urlunsplit(("", host, path, urlencode(sorted(query)), ""))
