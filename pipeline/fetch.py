"""Manifest of URLs -> raw pages and their HTTP facts, politely.

Each request names the project in its User-Agent, respects robots.txt (RFC
9309), waits between requests to one host, retries 429 and 5xx answers with
backoff (honouring Retry-After, within a cap), follows at most five
redirects, only over http and https, and stops reading past a size or time
limit. Conditional requests (If-None-Match, If-Modified-Since) let an
unchanged page go unrewritten.
"""

from __future__ import annotations

import email.utils
import hashlib
import re
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from typing import TYPE_CHECKING

from pipeline import __version__
from pipeline.errors import ConfigError

if TYPE_CHECKING:
    from urllib.robotparser import RobotFileParser

    import requests

__all__ = ["SourceEntry", "FetchPolicy", "FetchResult", "FetchError", "Fetcher", "read_manifest", "charset_of", "DOC_ID"]

#: Document ids become file names: letters, digits, dot, underscore, hyphen;
#: no leading dot, no path separators, no "..".
DOC_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")

#: Answers worth retrying: the server asks us to slow down, or failed for now.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

#: Media types we store as pages.
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


@dataclass(frozen=True)
class SourceEntry:
    """One article of ``source/sources.toml``: its id, URL and optional site profile."""

    id: str
    url: str
    profile: str | None = None


def read_manifest(path: Path) -> list[SourceEntry]:
    """Read ``source/sources.toml`` (``[[article]]`` tables with ``id``, ``url``, optional ``profile``).

    Raises ConfigError naming the file for a missing field, an id that could
    escape ``source/``, a duplicate id or a URL that is not http(s).
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError("no source manifest; list the articles to fetch in it", path) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"invalid TOML: {exc}", path) from exc
    entries, seen = [], set()
    for number, item in enumerate(data.get("article", []), start=1):
        doc_id, url = str(item.get("id", "")), str(item.get("url", ""))
        if not DOC_ID.match(doc_id) or ".." in doc_id:
            raise ConfigError(f"article {number}: id {doc_id!r} may hold only letters, digits, '.', '_', '-'", path)
        if doc_id in seen:
            raise ConfigError(f"article {number}: id {doc_id!r} is listed twice", path)
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise ConfigError(f"article {doc_id}: URL must be http or https, got {url!r}", path)
        seen.add(doc_id)
        entries.append(SourceEntry(doc_id, url, item.get("profile")))
    return entries


@dataclass(frozen=True)
class FetchPolicy:
    """Limits and manners of the fetcher; the defaults suit a public health site."""

    user_agent: str = f"medloc-pipeline/{__version__} (+https://github.com/medloc/medloc-pipeline)"
    delay: float = 1.0            # seconds between two requests to one host
    connect_timeout: float = 10.0
    read_timeout: float = 30.0    # longest silence while reading
    total_timeout: float = 120.0  # longest whole download
    max_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 5
    retries: int = 3
    backoff: float = 2.0          # first retry delay; doubles each time
    max_retry_after: float = 120.0


@dataclass(frozen=True)
class FetchResult:
    """What became of one article: ``fetched`` (with body and facts), ``unchanged`` or ``failed`` (with why)."""

    id: str
    outcome: str
    message: str = ""
    body: bytes | None = None
    meta: dict = field(default_factory=dict)


class FetchError(Exception):
    """A URL that could not be fetched; ``str()`` is the one-line reason."""


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    parsed = email.utils.parsedate_to_datetime(value) if value else None
    if parsed is None:
        return None
    return max(0.0, (parsed - datetime.now(timezone.utc)).total_seconds())


class Fetcher:
    """Fetches pages under a FetchPolicy, remembering robots.txt and the last request time per host.

    ``sleep`` and ``clock`` are injectable so tests can observe the waits
    without spending them.
    """

    def __init__(self, policy: FetchPolicy = FetchPolicy(), *, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic):
        self.policy = policy
        self.sleep = sleep
        self.clock = clock
        import requests  # only a fetch needs it; every other command starts faster without it

        self.session = requests.Session()
        self.session.headers["User-Agent"] = policy.user_agent
        self.session.trust_env = False  # no proxies or .netrc from the environment
        self._robots: dict[str, RobotFileParser] = {}
        self._last_request: dict[str, float] = {}
        self.waits: list[float] = []

    def close(self) -> None:
        """Close the HTTP connections."""
        self.session.close()

    def _polite_wait(self, host: str) -> None:
        last = self._last_request.get(host)
        if last is not None:
            wait = self.policy.delay - (self.clock() - last)
            if wait > 0:
                self.waits.append(wait)
                self.sleep(wait)
        self._last_request[host] = self.clock()

    def _get(self, url: str, headers: dict[str, str]) -> requests.Response:
        """One GET with politeness and retries; redirects are not followed here."""
        import requests

        host = urlsplit(url).netloc
        for attempt in range(self.policy.retries + 1):
            self._polite_wait(host)
            try:
                response = self.session.get(url, headers=headers, allow_redirects=False, stream=True,
                                            timeout=(self.policy.connect_timeout, self.policy.read_timeout))
            except (requests.ConnectionError, requests.Timeout) as exc:
                if attempt == self.policy.retries:
                    kind = "timed out" if isinstance(exc, requests.Timeout) else "connection failed"
                    raise FetchError(f"{kind} after {attempt + 1} attempt(s)") from exc
                self._backoff(self.policy.backoff * 2 ** attempt)
                continue
            if response.status_code in RETRY_STATUSES and attempt < self.policy.retries:
                wait = _retry_after(response)
                response.close()
                self._backoff(wait if wait is not None else self.policy.backoff * 2 ** attempt)
                continue
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _backoff(self, seconds: float) -> None:
        seconds = min(seconds, self.policy.max_retry_after)
        self.waits.append(seconds)
        self.sleep(seconds)

    def allowed(self, url: str) -> bool:
        """Whether robots.txt of the URL's host lets our User-Agent fetch it (RFC 9309 rules for failures)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        robots = self._robots.get(origin)
        if robots is None:
            from urllib.robotparser import RobotFileParser  # a fetch only: other commands start faster

            robots = RobotFileParser(origin + "/robots.txt")
            try:
                robots_url = origin + "/robots.txt"
                for _ in range(self.policy.max_redirects + 1):
                    response = self._get(robots_url, {})
                    if not response.is_redirect:
                        break
                    response.close()
                    robots_url = urljoin(robots_url, response.headers.get("Location", ""))
                status = response.status_code
                body = self._read(response)[0].decode("utf-8", errors="replace") if status == 200 else ""
                response.close()
            except FetchError:
                status, body = 503, ""
            if 400 <= status < 500:
                robots.allow_all = True
            elif status >= 500:
                robots.disallow_all = True  # unreachable robots.txt: assume complete disallow
            else:
                robots.parse(body.splitlines())
            self._robots[origin] = robots
        return robots.can_fetch(self.policy.user_agent, url)

    def _read(self, response: requests.Response) -> tuple[bytes, str]:
        import requests

        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.policy.max_bytes:
            response.close()
            raise FetchError(f"body of {declared} bytes is over the limit of {self.policy.max_bytes}")
        deadline = self.clock() + self.policy.total_timeout
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > self.policy.max_bytes:
                    raise FetchError(f"body is over the limit of {self.policy.max_bytes} bytes")
                if self.clock() > deadline:
                    raise FetchError(f"download took over {self.policy.total_timeout:g} s")
                chunks.append(chunk)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise FetchError("connection broke or stalled while reading the body") from exc
        finally:
            response.close()
        body = b"".join(chunks)
        return body, hashlib.sha256(body).hexdigest()

    def fetch(self, entry: SourceEntry, previous: dict | None = None) -> FetchResult:
        """Fetch one article; ``previous`` is its last sidecar (for conditional requests and the sha256).

        Never raises for a network or HTTP problem: a failure is a FetchResult
        with outcome ``failed`` and a one-line message.
        """
        import requests

        try:
            return self._fetch(entry, previous or {})
        except FetchError as exc:
            return FetchResult(entry.id, "failed", str(exc))
        except requests.RequestException as exc:
            return FetchResult(entry.id, "failed", f"request failed: {exc.__class__.__name__}")

    def _fetch(self, entry: SourceEntry, previous: dict) -> FetchResult:
        url = entry.url
        headers = {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"}
        if previous.get("requested_url") == entry.url:
            if previous.get("etag"):
                headers["If-None-Match"] = previous["etag"]
            if previous.get("last_modified"):
                headers["If-Modified-Since"] = previous["last_modified"]
        for _ in range(self.policy.max_redirects + 1):
            if urlsplit(url).scheme not in ("http", "https"):
                raise FetchError(f"refusing to fetch {url!r}: only http and https")
            if not self.allowed(url):
                raise FetchError(f"robots.txt disallows {url}")
            response = self._get(url, headers)
            if response.is_redirect:
                location = response.headers.get("Location", "")
                response.close()
                url = urljoin(url, location)
                continue
            break
        else:
            raise FetchError(f"more than {self.policy.max_redirects} redirects")
        if response.status_code == 304:
            response.close()
            return FetchResult(entry.id, "unchanged", "not modified (304)")
        if response.status_code != 200:
            response.close()
            raise FetchError(f"HTTP {response.status_code} {response.reason or ''}".strip())
        content_type = response.headers.get("Content-Type", "")
        media_type = content_type.split(";")[0].strip().lower()
        if media_type and media_type not in HTML_TYPES:
            response.close()
            raise FetchError(f"not an HTML page ({media_type})")
        body, sha256 = self._read(response)
        if not body.strip():
            raise FetchError("empty body")
        if previous.get("sha256") == sha256:
            return FetchResult(entry.id, "unchanged", "same content as before")
        meta = {
            "requested_url": entry.url,
            "final_url": url,
            "fetched_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "status": response.status_code,
            "etag": response.headers.get("ETag"),
            "last_modified": response.headers.get("Last-Modified"),
            "content_type": content_type or None,
            "sha256": sha256,
        }
        return FetchResult(entry.id, "fetched", f"{len(body)} bytes", body, meta)


def charset_of(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type header, if any."""
    match = re.search(r"charset\s*=\s*\"?([^\";\s]+)", content_type or "", re.IGNORECASE)
    return match.group(1) if match else None
