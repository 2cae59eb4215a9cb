"""Bytes on the wire for a lesson page and everything it loads, on a first and a repeat visit.

gunicorn does not compress; the gzip column is what a reverse proxy compressing text
(gzip level 6) would send. The repeat visit follows the caching headers the app sends
now: an asset with a fresh max-age costs nothing, one with only a validator (ETag or
Last-Modified) costs a conditional request answered 304, anything else is fetched again.
The page itself is personal, so it is always fetched again.
"""

import gzip
import re
import socket
import tempfile
from html.parser import HTMLParser
from urllib.parse import urljoin

from bench.common import PASSWORD, app_env, bench_database, figure, gunicorn, http_login, lesson_under_test, print_table

KB = 1024
FIRST_VISIT_GOAL_KB = 60
CSS_URL = re.compile(r'url\(\s*["\']?([^"\')]+)')
TEXT_TYPES = ("text/", "javascript", "json", "svg")
FONT = re.compile(r"\.(woff2?|ttf|otf)$")


class Subresources(HTMLParser):
    """Stylesheets, icons, preloads, scripts and images a browser loads with the page."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and set((attrs.get("rel") or "").split()) & {"stylesheet", "icon", "preload", "modulepreload"}:
            self.urls.append(attrs.get("href"))
        elif tag in ("script", "img") and attrs.get("src"):
            self.urls.append(attrs["src"])


def fetch(port: int, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes, int]:
    """(status, headers, body, bytes on the wire) of one GET, read off the socket."""
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Accept-Encoding: identity", "Connection: close"]
    request = "\r\n".join(lines + [f"{k}: {v}" for k, v in headers.items()]) + "\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(request.encode())
        raw = b"".join(iter(lambda: connection.recv(65536), b""))
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    found = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in header_lines)}
    return int(status_line.split()[1]), found, body, len(raw)


def gzipped(headers: dict[str, str], body: bytes, wire: int) -> int:
    if not any(kind in headers.get("content-type", "") for kind in TEXT_TYPES):
        return wire
    return wire - len(body) + len(gzip.compress(body, 6)) + len("Content-Encoding: gzip\r\n")


def repeat_visit(port: int, path: str, headers: dict[str, str]) -> tuple[str, int]:
    """(what the browser does, bytes on the wire) for an asset on a repeat visit."""
    cache_control = headers.get("cache-control", "")
    max_age = re.search(r"max-age=(\d+)", cache_control)
    if max_age and int(max_age.group(1)) > 0 and "no-cache" not in cache_control:
        return f"fresh from cache ({cache_control})", 0
    validators = {"If-None-Match": headers.get("etag"), "If-Modified-Since": headers.get("last-modified")}
    status, _, _, wire = fetch(port, path, {k: v for k, v in validators.items() if v})
    action = "revalidated, 304" if status == 304 else f"fetched again ({status})"
    return f"{action} ({cache_control or 'no Cache-Control'})", wire


def main():
    courses_dir, slug, lesson_id = lesson_under_test()
    page = f"/learn/courses/{slug}/lessons/{lesson_id}"
    rows, requests = [], 0
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{scratch}/bench.sqlite"
        _, (email,) = bench_database(url, courses_dir, learners=1)
        with gunicorn("lms:create_app()", app_env(url, courses_dir), workers=1) as port:
            status, headers, body, wire = fetch(port, page, {"Cookie": http_login(port, email, PASSWORD)})
            assert status == 200, status
            packed = gzipped(headers, body, wire)
            rows.append([page, wire, packed, packed, f"fetched again ({headers.get('cache-control') or 'no Cache-Control'})"])
            parser = Subresources()
            parser.feed(body.decode())
            # data: URLs (the blank favicon, `href="data:,"`) are inline and cost no request.
            queue = [urljoin(page, link) for link in dict.fromkeys(parser.urls) if not link.startswith("data:")]
            while queue:
                path = queue.pop(0)
                status, headers, body, wire = fetch(port, path, {})
                assert status == 200, (path, status)
                if "text/css" in headers.get("content-type", ""):
                    queue += [urljoin(path, link) for link in CSS_URL.findall(body.decode()) if not link.startswith("data:")]
                action, again = repeat_visit(port, path, headers)
                requests += again > 0
                rows.append([path, wire, gzipped(headers, body, wire), again, action])
    fonts = [row[0] for row in rows if FONT.search(row[0])]
    print(f"page_weight: {page} ({courses_dir}); fonts: {', '.join(fonts) or 'none loaded (system fonts)'}\n")
    totals = [sum(row[column] for row in rows) for column in (1, 2, 3)]
    print_table(
        ["resource", "first visit bytes", "gzip bytes", "repeat visit bytes", "repeat visit"],
        rows + [["total", *totals, f"{requests} asset request(s) on a repeat visit"]],
    )
    figure("page_weight_first_visit_gzip_kb", totals[1] / KB, "<=", FIRST_VISIT_GOAL_KB)
    figure("page_weight_repeat_visit_asset_requests", requests, "<=", 0)


if __name__ == "__main__":
    main()
