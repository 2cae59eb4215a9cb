"""The only place that reads HX-* request headers or sets HX-* response headers."""

from flask import make_response, render_template, request
from jinja2_fragments.flask import render_blocks


def is_htmx() -> bool:
    """The request came from htmx (a swap, a boosted link, or a history restore)."""
    return bool(request.htmx)


def wants_fragment() -> bool:
    """An htmx swap wants a fragment; a history restore (cache miss) needs the whole page."""
    return is_htmx() and not request.htmx.history_restore_request


def current_url() -> str:
    """The address of the page htmx sent this request from (this request's own, without htmx)."""
    return (request.htmx.current_url if is_htmx() else None) or request.url


def varies_with_htmx(response):
    """The same URL answers htmx with a fragment: caches must keep the two apart."""
    response.vary.add("HX-Request")
    return response


def render_page(template: str, blocks: list[str], **context):
    """Render the full page, or only the named blocks of the same template for htmx."""
    if wants_fragment():
        response = make_response(render_blocks(template, blocks, fragment=True, **context))
    else:
        response = make_response(render_template(template, fragment=False, **context))
    return varies_with_htmx(response)


def push_url(response, url: str):
    """Have htmx show `url` in the address bar (and history) for the fragment it swapped in."""
    response.headers["HX-Push-Url"] = url
    return response


def client_redirect(url: str, status: int = 200):
    """Have htmx load `url` as a whole page, instead of swapping an answer into part of this one."""
    response = make_response("", status)
    response.headers["HX-Redirect"] = url
    return response
