"""Markdown to sanitized HTML, and the facts about a text that the course checker needs."""

import re
from dataclasses import dataclass, field

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

ROLE_CARD_PLACEHOLDER = "[[role-card]]"
# The HTML a placeholder paragraph renders to; pages put the agency's role card there.
ROLE_CARD_MARKER = "<p>[[role-card]]</p>"

# Named agency blocks: a line holding only [[agency:<name>]] shows that agency's own text
# (its crisis steps, its reporting rules...) at that place; [[role-card]] is the oldest block.
AGENCY_BLOCKS = {
    "crisis-steps": "Crisis steps",
    "reporting-policy": "Reporting policy",
    "on-call": "On-call arrangements",
}
AGENCY_BLOCK_LINE = re.compile(r"^\[\[agency:([^\]\s]*)\]\]$")
AGENCY_BLOCK_MARKER = re.compile(r"<p>\[\[agency:([a-z0-9-]+)\]\]</p>")

LESSON_FILE_LINK = re.compile(r"^(?P<file>[\w.-]+\.md)(?P<anchor>#[\w-]*)?$")
SAFE_URL = re.compile(r"^(https?:|mailto:|tel:|#)", re.IGNORECASE)

# Callouts: a quote whose first line is "[!key-point]", "[!try-this]" or "[!content-note]"
# becomes a labelled box (docs/authoring.md). Any other "[!…]" is an error the checker reports.
CALLOUTS = {"key-point": "Key point", "try-this": "Try this", "content-note": "Content note"}
CALLOUT_MARK = re.compile(r"^\[!(?P<kind>[^\]\n]+)\][ \t]*(?:\n|$)")

ALLOWED_TAGS = {
    "a",
    "blockquote",
    "br",
    "code",
    "div",
    "em",
    "h2",
    "h3",
    "h4",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
# No style attributes: the Content-Security-Policy allows no inline styles.
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
# Classes only the callout boxes use; anything else is dropped.
ALLOWED_VALUES = {
    "div": {"class": {f"callout callout-{kind}" for kind in CALLOUTS}, "role": {"note"}},
    "p": {"class": {"callout-title"}},
}

_parser = MarkdownIt("commonmark", {"html": True}).enable("table")


@dataclass
class RenderedMarkdown:
    html: str
    # (line within the text, message) for everything an author should fix
    issues: list[tuple[int, str]] = field(default_factory=list)
    linked_files: list[tuple[int, str]] = field(default_factory=list)
    headings: list[tuple[int, int, str]] = field(default_factory=list)  # (line, level, text)
    prose: str = ""  # paragraph and list text, for readability scores
    paragraphs: list[tuple[int, str]] = field(default_factory=list)  # (line, text) of each paragraph


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        tag_attribute_values=ALLOWED_VALUES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )


def render(text: str, link_for_file=None) -> RenderedMarkdown:
    """Render Markdown to safe HTML.

    link_for_file(file_name) returns the URL of a lesson file, or None when there is no
    such lesson (reported as an issue).
    """
    result = RenderedMarkdown(html="")
    tokens = _parser.parse(text)
    _make_callouts(tokens, result)
    for index, token in enumerate(tokens):
        line = token.map[0] + 1 if token.map else 1
        if token.type == "html_block" and not token.meta.get("callout"):
            result.issues.append((line, "raw HTML is not allowed; the site would remove it"))
        elif token.type == "heading_open":
            _check_heading(token, tokens[index + 1], line, result)
        elif token.type == "inline":
            parent = tokens[index - 1].type if index else ""
            _check_inline(token, parent, line, result, link_for_file)
    result.prose = "\n".join(text for _, text in result.paragraphs)
    result.html = sanitize(_parser.renderer.render(tokens, _parser.options, {}))
    return result


def _check_heading(opening: Token, inline: Token, line: int, result: RenderedMarkdown) -> None:
    level = int(opening.tag[1])
    result.headings.append((line, level, inline.content))
    if level == 1:
        result.issues.append((line, "use '##' headings: the page title is the only '#' heading"))


def _check_inline(token: Token, parent: str, line: int, result: RenderedMarkdown, link_for_file) -> None:
    """A run of text: an agency block line, or the course's own words with their links checked."""
    in_paragraph = parent == "paragraph_open"
    block = AGENCY_BLOCK_LINE.match(token.content.strip()) if in_paragraph else None
    if block:  # the agency's text goes here; it is not the course's prose
        if block[1] not in AGENCY_BLOCKS:
            result.issues.append((line, f"unknown agency block '{block[1]}' (use: {', '.join(AGENCY_BLOCKS)})"))
        return
    if in_paragraph:
        result.paragraphs.append((line, token.content))
    for child in token.children or []:
        if child.type == "html_inline":
            result.issues.append((line, "raw HTML is not allowed; the site would remove it"))
        elif child.type == "link_open":
            _check_link(child, line, result, link_for_file)


def _check_link(token, line, result, link_for_file):
    href = token.attrGet("href") or ""
    match = LESSON_FILE_LINK.match(href)
    if match:
        result.linked_files.append((line, match["file"]))
        target = link_for_file(match["file"]) if link_for_file else None
        if target is None:
            result.issues.append((line, f"broken link: there is no lesson file '{match['file']}'"))
        else:
            token.attrSet("href", target + (match["anchor"] or ""))
    elif not SAFE_URL.match(href):
        result.issues.append((line, f"link '{href}' must be a lesson file (NN-name.md) or a full web address"))


def block_marker(name: str) -> str:
    """The HTML a block line renders to; pages put the agency's text there."""
    return f"<p>[[agency:{name}]]</p>"


def blocks_in(html: str) -> tuple[str, ...]:
    """The names of the agency blocks a rendered text asks for, in order, once each."""
    return tuple(dict.fromkeys(AGENCY_BLOCK_MARKER.findall(html)))


def fill_blocks(html: str, blocks: dict[str, str]) -> str:
    """Put each block's HTML (already sanitized) where its marker is."""
    return AGENCY_BLOCK_MARKER.sub(lambda match: blocks.get(match[1], match[0]), html)


def _make_callouts(tokens: list, result: RenderedMarkdown) -> None:
    """Turn quotes that start with a callout mark into labelled boxes, in place."""
    index = 0
    while index < len(tokens) - 2:
        opening, paragraph, inline = tokens[index], tokens[index + 1], tokens[index + 2]
        mark = CALLOUT_MARK.match(inline.content) if opening.type == "blockquote_open" and paragraph.type == "paragraph_open" else None
        if mark is None:
            index += 1
            continue
        kind = "-".join(mark["kind"].strip().lower().split())
        if kind not in CALLOUTS:
            line = opening.map[0] + 1 if opening.map else 1
            result.issues.append((line, f"unknown callout '[!{mark['kind']}]'; use {', '.join(f'[!{k}]' for k in CALLOUTS)}"))
            index += 1
            continue
        closing = next(t for t in tokens[index + 1 :] if t.type == "blockquote_close" and t.level == opening.level)
        for token in (opening, closing):
            token.tag = "div"
        opening.attrs = {"class": f"callout callout-{kind}", "role": "note"}
        _drop_mark(inline, len(mark.group(0)))
        title = Token("html_block", "", 0, content=f'<p class="callout-title">{CALLOUTS[kind]}</p>\n', meta={"callout": True})
        tokens.insert(index + 1, title)
        if not inline.content.strip():  # the mark stood alone in its paragraph
            del tokens[index + 2 : index + 5]
        index += 2


def _drop_mark(inline, length: int) -> None:
    """Remove the mark's line (it stands alone on the quote's first line)."""
    inline.content = inline.content[length:]
    children = inline.children or []
    breaks = [i for i, child in enumerate(children) if child.type in ("softbreak", "hardbreak")]
    inline.children = children[breaks[0] + 1 :] if breaks else []
