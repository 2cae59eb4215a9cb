"""The throughput baseline: a bare Flask app returning the lesson page's bytes for any GET."""

import os
from pathlib import Path

from flask import Flask, Response

BODY = Path(os.environ["BENCH_BARE_BODY"]).read_bytes()

app = Flask(__name__)


@app.get("/<path:path>")
def same_bytes(path):
    return Response(BODY, content_type="text/html; charset=utf-8")
