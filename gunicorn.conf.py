"""Production settings for gunicorn: `gunicorn -c gunicorn.conf.py` (see the README).

Every value can be changed through the environment without editing this file.
"""

import os

wsgi_app = "lms:create_app()"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Threads, not one request per process: a slow client (a phone on a weak signal) holds a
# thread while its request or answer trickles through, not a whole worker, and the
# worker's heartbeat goes on while a request waits.
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

# A worker that stops answering its heartbeat for this long is restarted. PDFs run in
# their own process with a shorter limit (PDF_TIME_LIMIT_SECONDS), so they never hit it.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30  # finish requests in progress on a restart or deploy
keepalive = 5  # seconds an idle browser connection is kept open

# Restart each worker now and then, so a slow leak (in a library) can never grow unbounded.
max_requests = 2000
max_requests_jitter = 200

# Requests larger than these are refused before the app sees them (uploads are limited
# to 4 MB by MAX_CONTENT_LENGTH in the app).
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

# Behind nginx or Caddy the app reads the client's address through TRUSTED_PROXIES
# (werkzeug's ProxyFix), so gunicorn itself is told to trust no forwarded headers.
forwarded_allow_ips = ""

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


def post_worker_init(worker):
    """Each worker starts its PDF renderer before taking requests, not on the first PDF."""
    from lms.pdf_process import start_renderer

    start_renderer()
