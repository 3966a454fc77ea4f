"""The fetcher against a real HTTP server on 127.0.0.1 started by the tests."""

import email.utils
import hashlib
import http.server
import json
import threading
import time

import pytest

from pipeline.cli import main
from pipeline.config import load_settings
from pipeline.errors import ConfigError
from pipeline.fetch import Fetcher, FetchPolicy, SourceEntry, read_manifest
from pipeline.normalize import normalize
from pipeline.workflow import Writer, fetch_stage
from tests.conftest import SAMPLE

PAGE = SAMPLE.read_bytes()
LAST_MODIFIED = email.utils.formatdate(1_700_000_000, usegmt=True)
ETAG = '"' + hashlib.sha256(PAGE).hexdigest()[:16] + '"'
LIMIT = 200_000


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    hits: dict = {}
    user_agents: list = []

    def log_message(self, *args):
        pass

    def _send(self, status, body=b"", headers=None):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if "Content-Length" not in (headers or {}) and "Transfer-Encoding" not in (headers or {}):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_GET(self):  # noqa: N802 - the name http.server calls
        path = self.path
        count = Handler.hits[path] = Handler.hits.get(path, 0) + 1
        Handler.user_agents.append(self.headers.get("User-Agent", ""))
        html = {"Content-Type": "text/html; charset=utf-8"}
        if path == "/robots.txt":
            return self._send(200, b"User-agent: *\nDisallow: /private/\n", {"Content-Type": "text/plain"})
        if path in ("/page", "/private/page"):
            if self.headers.get("If-None-Match") == ETAG:
                return self._send(304, headers={"ETag": ETAG})
            return self._send(200, PAGE, {**html, "ETag": ETAG, "Last-Modified": LAST_MODIFIED})
        if path == "/no-validators":
            return self._send(200, PAGE, html)
        if path.startswith("/redirect/"):
            left = int(path.rsplit("/", 1)[1])
            return self._send(302, headers={"Location": "/page" if left == 0 else f"/redirect/{left - 1}"})
        if path == "/to-ftp":
            return self._send(301, headers={"Location": "ftp://127.0.0.1/page"})
        if path == "/missing":
            return self._send(404, b"not here", {"Content-Type": "text/plain"})
        if path == "/broken":
            return self._send(500, b"oops", {"Content-Type": "text/plain"})
        if path == "/flaky":
            return self._send(503, b"later") if count == 1 else self._send(200, PAGE, html)
        if path == "/busy":
            if count == 1:
                return self._send(429, b"slow down", {"Retry-After": "7"})
            return self._send(200, PAGE, html)
        if path == "/slow":
            time.sleep(1.5)
            return self._send(200, PAGE, html)
        if path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"<p>" + b"x" * 8000 + b"</p>"
            try:
                for _ in range(LIMIT // len(chunk) + 5):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
            return None
        if path == "/huge-declared":
            return self._send(200, b"", {"Content-Type": "text/html", "Content-Length": str(LIMIT * 10)})
        if path == "/latin1-label":
            return self._send(200, PAGE.replace(b'content="text/html; charset=utf-8"', b'content="text/html"'),
                              {"Content-Type": "text/html; charset=iso-8859-1"})
        if path == "/image":
            return self._send(200, b"\x89PNG\r\n", {"Content-Type": "image/png"})
        return self._send(404)


@pytest.fixture
def server():
    Handler.hits = {}
    Handler.user_agents = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def waits():
    return []


@pytest.fixture
def fetcher(waits):
    policy = FetchPolicy(delay=0.5, read_timeout=0.4, connect_timeout=2, total_timeout=5, max_bytes=LIMIT,
                         retries=2, backoff=1.0, max_retry_after=30)
    made = Fetcher(policy, sleep=waits.append)
    yield made
    made.close()


def test_page_is_fetched_with_its_http_facts(server, fetcher):
    result = fetcher.fetch(SourceEntry("a", f"{server}/page"))
    assert result.outcome == "fetched" and result.body == PAGE
    assert result.meta["final_url"] == f"{server}/page" and result.meta["requested_url"] == f"{server}/page"
    assert result.meta["etag"] == ETAG and result.meta["last_modified"] == LAST_MODIFIED
    assert result.meta["content_type"] == "text/html; charset=utf-8" and result.meta["status"] == 200
    assert result.meta["sha256"] == hashlib.sha256(PAGE).hexdigest()
    assert set(result.meta) == {"requested_url", "final_url", "fetched_at", "status", "etag", "last_modified",
                                "content_type", "sha256"}


def test_user_agent_names_the_project(server, fetcher):
    fetcher.fetch(SourceEntry("a", f"{server}/page"))
    assert Handler.user_agents and all(ua.startswith("medloc-pipeline/") and "+http" in ua
                                       for ua in Handler.user_agents)


def test_conditional_request_gets_304_and_unchanged(server, fetcher):
    first = fetcher.fetch(SourceEntry("a", f"{server}/page"))
    second = fetcher.fetch(SourceEntry("a", f"{server}/page"), first.meta)
    assert (second.outcome, second.message) == ("unchanged", "not modified (304)")


def test_same_bytes_without_validators_is_unchanged(server, fetcher):
    first = fetcher.fetch(SourceEntry("a", f"{server}/no-validators"))
    second = fetcher.fetch(SourceEntry("a", f"{server}/no-validators"), first.meta)
    assert second.outcome == "unchanged" and second.message == "same content as before"


def test_robots_txt_is_respected(server, fetcher):
    result = fetcher.fetch(SourceEntry("a", f"{server}/private/page"))
    assert result.outcome == "failed" and "robots.txt disallows" in result.message
    assert "/private/page" not in Handler.hits
    assert Handler.hits["/robots.txt"] == 1


def test_requests_to_one_host_are_spaced_by_the_delay(server):
    waits = []
    polite = Fetcher(FetchPolicy(delay=30.0, retries=0), sleep=waits.append)  # waits recorded, not slept
    try:
        for _ in range(3):
            polite.fetch(SourceEntry("a", f"{server}/no-validators"))
    finally:
        polite.close()
    # robots.txt, then three pages: every request after the first waits for the rest of the delay
    assert len(waits) == 3 and all(20.0 < w <= 30.0 for w in waits)


def test_redirects_are_followed_up_to_five(server, fetcher):
    result = fetcher.fetch(SourceEntry("a", f"{server}/redirect/4"))
    assert result.outcome == "fetched" and result.meta["final_url"] == f"{server}/page"
    too_many = fetcher.fetch(SourceEntry("a", f"{server}/redirect/5"))
    assert (too_many.outcome, too_many.message) == ("failed", "more than 5 redirects")


def test_redirect_to_another_scheme_is_refused(server, fetcher):
    result = fetcher.fetch(SourceEntry("a", f"{server}/to-ftp"))
    assert result.outcome == "failed" and "only http and https" in result.message


@pytest.mark.parametrize("path, message", [
    ("/missing", "HTTP 404 Not Found"),
    ("/broken", "HTTP 500 Internal Server Error"),
    ("/huge", f"body is over the limit of {LIMIT} bytes"),
    ("/huge-declared", f"body of {LIMIT * 10} bytes is over the limit of {LIMIT}"),
    ("/image", "not an HTML page (image/png)"),
    ("/slow", "timed out after 3 attempt(s)"),
])
def test_failures_are_one_line_reasons(server, fetcher, path, message):
    result = fetcher.fetch(SourceEntry("a", server + path))
    assert (result.outcome, result.message) == ("failed", message)


def test_server_errors_are_retried_with_exponential_backoff(server, fetcher, waits):
    assert fetcher.fetch(SourceEntry("a", f"{server}/flaky")).outcome == "fetched"
    assert Handler.hits["/flaky"] == 2
    fetcher.fetch(SourceEntry("a", f"{server}/broken"))
    assert Handler.hits["/broken"] == 3
    assert [w for w in waits if w >= 1] == [1.0, 1.0, 2.0]


def test_429_waits_as_long_as_retry_after_says(server, fetcher, waits):
    assert fetcher.fetch(SourceEntry("a", f"{server}/busy")).outcome == "fetched"
    assert 7.0 in waits


def test_manifest_refuses_unsafe_ids_and_non_http_urls(tmp_path):
    for body, message in [('id = "../etc"\nurl = "https://x.org/"', "may hold only"),
                          ('id = "a"\nurl = "file:///etc/passwd"', "must be http or https"),
                          ('id = "a"\nurl = "ftp://x.org/a"', "must be http or https")]:
        path = tmp_path / "sources.toml"
        path.write_text("[[article]]\n" + body + "\n")
        with pytest.raises(ConfigError, match=message):
            read_manifest(path)


def _project_with_manifest(project, server, articles):
    lines = [f'[[article]]\nid = "{doc_id}"\nurl = "{server}{path}"\n' for doc_id, path in articles]
    (project / "source/sources.toml").write_text("\n".join(lines))
    return load_settings(project)


def test_fetch_stage_writes_pages_and_sidecars_and_a_second_run_writes_nothing(project, server, fetcher):
    settings = _project_with_manifest(project, server, [("000277", "/page"), ("missing", "/missing"),
                                                        ("moved", "/redirect/1")])
    result = fetch_stage(settings, Writer(settings.root), fetcher=fetcher)
    assert [str(e) for e in result.errors] == [f"{project}/source/sources.toml: {server}/missing: HTTP 404 Not Found"]
    assert (project / "source/moved.html").read_bytes() == PAGE
    meta = json.loads((project / "source/000277.meta.json").read_text())
    assert meta["etag"] == ETAG
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (project / "source").iterdir()}
    writer = Writer(settings.root)
    again = fetch_stage(settings, writer, fetcher=Fetcher(fetcher.policy, sleep=lambda s: None))
    assert writer.changed == [] and len(again.errors) == 1
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (project / "source").iterdir()} == before


def test_wrong_charset_in_content_type_is_detected_when_normalizing(project, server, fetcher):
    settings = _project_with_manifest(project, server, [("latin", "/latin1-label")])
    fetch_stage(settings, Writer(settings.root), fetcher=fetcher)
    meta = json.loads((project / "source/latin.meta.json").read_text())
    assert meta["content_type"] == "text/html; charset=iso-8859-1"
    assert main(["--root", str(project), "normalize", "latin"]) == 0
    report_steps = normalize((project / "source/latin.html").read_bytes(), doc_id="latin", source_path="x",
                             http_charset="iso-8859-1")[1]
    assert report_steps[0].reason == "http: declared iso-8859-1 but bytes are valid UTF-8"
    assert "Español" not in (project / "build/clean/latin.html").read_text()
    assert "which is called <a" in (project / "build/clean/latin.html").read_text()


def test_cli_fetch_reports_each_article_and_exits_2_when_one_failed(project, server, capsys):
    _project_with_manifest(project, server, [("000277", "/page"), ("gone", "/missing")])
    assert main(["--root", str(project), "fetch", "--delay", "0"]) == 2
    captured = capsys.readouterr()
    assert "000277: fetched" in captured.out and "gone: failed (HTTP 404 Not Found)" in captured.out
    assert f"{server}/missing: HTTP 404 Not Found" in captured.err
    assert main(["--root", str(project), "fetch", "--delay", "0", "000277"]) == 0
    assert "000277: unchanged (not modified (304))" in capsys.readouterr().out
