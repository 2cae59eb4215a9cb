"""Markdown to sanitized HTML, and the facts about a text that the course checker needs."""

import re
from dataclasses import dataclass, field

import nh3
from markdown_it import MarkdownIt

ROLE_CARD_PLACEHOLDER = "[[role-card]]"
# The HTML a placeholder paragraph renders to; pages put the agency's role card there.
ROLE_CARD_MARKER = "<p>[[role-card]]</p>"

LESSON_FILE_LINK = re.compile(r"^(?P<file>[\w.-]+\.md)(?P<anchor>#[\w-]*)?$")
SAFE_URL = re.compile(r"^(https?:|mailto:|tel:|#)", re.IGNORECASE)

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "li", "ol", "p", "pre",
    "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}
# No style attributes: the Content-Security-Policy allows no inline styles.
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}

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
    for index, token in enumerate(tokens):
        line = token.map[0] + 1 if token.map else 1
        if token.type == "html_block":
            result.issues.append((line, "raw HTML is not allowed; the site would remove it"))
        elif token.type == "heading_open":
            level = int(token.tag[1])
            heading_text = tokens[index + 1].content
            result.headings.append((line, level, heading_text))
            if level == 1:
                result.issues.append((line, "use '##' headings: the page title is the only '#' heading"))
        elif token.type == "inline":
            parent = tokens[index - 1].type if index else ""
            if parent == "paragraph_open":
                result.paragraphs.append((line, token.content))
            for child in token.children or []:
                if child.type == "html_inline":
                    result.issues.append((line, "raw HTML is not allowed; the site would remove it"))
                elif child.type == "link_open":
                    _check_link(child, line, result, link_for_file)
    result.prose = "\n".join(text for _, text in result.paragraphs)
    result.html = sanitize(_parser.renderer.render(tokens, _parser.options, {}))
    return result


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
