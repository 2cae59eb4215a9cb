"""gunicorn settings for the benchmarks' servers: sync workers, gunicorn's defaults otherwise.

Passed with -c so that gunicorn does not pick up the production gunicorn.conf.py from the
project root (gthread workers, a log line per request, a worker restart every 2,000
requests, a PDF renderer process per worker), which would make servers differ from what
the benchmarks say they measure and the naive and bare apps start a PDF renderer.
"""

worker_class = "sync"
