"""The only place that reads HX-* request headers."""

from flask import make_response, render_template, request
from jinja2_fragments.flask import render_blocks


def wants_fragment() -> bool:
    """An htmx swap wants a fragment; a history restore (cache miss) needs the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def render_page(template: str, blocks: list[str], **context):
    """Render the full page, or only the named blocks of the same template for htmx."""
    if wants_fragment():
        response = make_response(render_blocks(template, blocks, fragment=True, **context))
    else:
        response = make_response(render_template(template, fragment=False, **context))
    response.vary.add("HX-Request")
    return response
