"""Telegram's ``parse_mode=HTML`` dialect: parsing, validation and length counting.

This follows the algorithm of TDLib's ``parse_html`` (what the Bot API server runs), so
that the error strings match what the bot would get in production, e.g.
``Bad Request: can't parse entities: Unsupported start tag "br" at byte offset 12``.

Differences, on purpose, when ``strict=True`` (the default of the fake server):

* a bare ``&`` that does not start ``&lt;``/``&gt;``/``&amp;``/``&quot;``/``&#N;`` is an
  error.  Telegram shows it literally, but it almost always means user-provided text was
  interpolated without ``html.escape`` (and ``&lt;`` typed by a user would then render
  as ``<``, or a ``<`` would break the whole message).
* unknown attributes (``<a hreff=...>``) are errors; Telegram silently drops them, and
  with them the link.

Entity offsets and lengths are in UTF-16 code units, like the real API.  The message
length limit (4096 for texts, 1024 for captions) counts characters of the text *after*
entity parsing and whitespace trimming.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024

# Tag name -> entity type.  "span" and "a"/"pre"/"code" get special handling below.
_SIMPLE_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",  # only with class="tg-spoiler"
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "a": "text_link",
    "tg-emoji": "custom_emoji",
    "tg-time": "date_time",
}
SUPPORTED_TAGS = frozenset(_SIMPLE_TAGS)

# Attributes each tag understands (anything else is a strict-mode error).
_KNOWN_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href"}),
    "span": frozenset({"class"}),
    "code": frozenset({"class"}),
    "blockquote": frozenset({"expandable"}),
    "tg-emoji": frozenset({"emoji-id"}),
    "tg-time": frozenset({"unix", "format"}),
}

_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class HtmlParseError(ValueError):
    """The text is not valid Telegram HTML; the message mimics TDLib's."""


@dataclass
class FormattedText:
    """A message text after entity parsing: what the recipient sees."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)

    @property
    def length(self) -> int:
        """Length as counted by Telegram's limits (Unicode code points)."""
        return len(self.text)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _error(message: str, source: str, index: int) -> HtmlParseError:
    """TDLib locates parse errors by UTF-8 byte offset."""
    return HtmlParseError(f"{message} at byte offset {_byte_offset(source, index)}")


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode the character reference starting at ``text[pos] == '&'``.

    Returns the decoded character and the index after the reference, or ``None`` when
    it is not a reference TDLib understands (the ``&`` is then taken literally).  As in
    TDLib, the closing ``;`` is optional.
    """
    end = pos + 1
    code = 0
    if end < len(text) and text[end] == "#":
        end += 1
        hexadecimal = end < len(text) and text[end] in "xX"
        if hexadecimal:
            end += 1
        digits_start = end
        allowed = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
        while end < len(text) and text[end] in allowed:
            code = code * (16 if hexadecimal else 10) + int(text[end], 16)
            end += 1
            if code >= 0x10FFFF:
                return None
        if end == digits_start or code == 0 or 0xD800 <= code <= 0xDFFF:
            return None
        char = chr(code)
    else:
        while end < len(text) and text[end].isascii() and text[end].isalpha():
            end += 1
        named = _NAMED_ENTITIES.get(text[pos + 1 : end])
        if named is None:
            return None
        char = named
    if end < len(text) and text[end] == ";":
        end += 1
    return char, end


@dataclass
class _OpenTag:
    name: str
    argument: str
    extra: dict[str, str]
    utf16_offset: int
    result_index: int  # index into the plain-text result where the tag's content starts


def parse_html(source: str, *, strict: bool = True) -> FormattedText:
    """Parse Telegram HTML into plain text + entities, or raise ``HtmlParseError``."""
    result: list[str] = []
    utf16_offset = 0
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    n = len(source)
    i = 0

    def emit(char: str) -> None:
        nonlocal utf16_offset
        result.append(char)
        utf16_offset += utf16_len(char)

    while i < n:
        char = source[i]
        if char == "&":
            decoded = _decode_entity(source, i)
            if decoded is not None:
                emit(decoded[0])
                i = decoded[1]
                continue
            if strict:
                # Telegram would show it literally; the fake is strict (see module doc).
                raise _error('Unescaped "&" (write &amp;)', source, i)
        if char != "<":
            emit(char)
            i += 1
            continue

        begin = i
        i += 1
        if i < n and source[i] == "/":
            # ---- end tag
            if not stack:
                raise _error("Unexpected end tag", source, begin)
            i += 1
            name_start = i
            while i < n and not source[i].isspace() and source[i] != ">":
                i += 1
            end_name = source[name_start:i].lower()
            while i < n and source[i].isspace():
                i += 1
            if i >= n or source[i] != ">":
                raise _error("Unclosed end tag", source, begin)
            i += 1
            opened = stack.pop()
            if end_name and end_name != opened.name:
                raise HtmlParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(source, begin)}, "
                    f'expected "</{opened.name}>", found "</{end_name}>"'
                )
            _close_tag(opened, utf16_offset, "".join(result), entities)
            continue

        # ---- start tag
        name_start = i
        while i < n and not source[i].isspace() and source[i] != ">":
            i += 1
        if i >= n:
            raise _error("Unclosed start tag", source, begin)
        tag = source[name_start:i].lower()
        if tag not in SUPPORTED_TAGS:
            raise _error(f'Unsupported start tag "{tag}"', source, begin)
        attributes: dict[str, str] = {}
        while True:
            while i < n and source[i].isspace():
                i += 1
            if i >= n:
                raise _error("Unclosed start tag", source, begin)
            if source[i] == ">":
                i += 1
                break
            attr_start = i
            while i < n and not source[i].isspace() and source[i] not in "=>":
                i += 1
            attr_name = source[attr_start:i].lower()
            if not attr_name:
                raise _error(f'Empty attribute name in the tag "{tag}"', source, begin)
            while i < n and source[i].isspace():
                i += 1
            if i >= n:
                raise _error("Unclosed start tag", source, begin)
            if source[i] != "=":
                attributes[attr_name] = ""  # valueless attribute, e.g. <blockquote expandable>
                continue
            i += 1
            while i < n and source[i].isspace():
                i += 1
            if i >= n:
                raise _error("Unclosed start tag", source, begin)
            if source[i] in "\"'":
                quote = source[i]
                i += 1
                value_chars: list[str] = []
                while i < n and source[i] != quote:
                    if source[i] == "&":
                        decoded = _decode_entity(source, i)
                        if decoded is not None:
                            value_chars.append(decoded[0])
                            i = decoded[1]
                            continue
                    value_chars.append(source[i])
                    i += 1
                if i >= n:
                    raise _error("Unclosed start tag", source, begin)
                i += 1
                value = "".join(value_chars)
            else:
                # An unquoted "name token": letters, digits, '.' and '-' only.
                token_start = i
                while i < n and (source[i].isalnum() or source[i] in ".-"):
                    i += 1
                value = source[token_start:i].lower()
                if i >= n or not (source[i].isspace() or source[i] == ">"):
                    raise _error("Unexpected end of name token", source, token_start)
            if strict and attr_name not in _KNOWN_ATTRIBUTES.get(tag, frozenset()):
                raise _error(
                    f'Unsupported attribute "{attr_name}" in the tag "{tag}"', source, begin
                )
            attributes[attr_name] = value

        argument = ""
        if tag == "span":
            if attributes.get("class") != "tg-spoiler":
                raise _error('Tag "span" must have class "tg-spoiler"', source, begin)
        elif tag == "a":
            argument = attributes.get("href", "")
        elif tag == "code":
            css = attributes.get("class", "")
            argument = css[len("language-") :] if css.startswith("language-") else ""
        elif tag == "tg-emoji":
            argument = attributes.get("emoji-id", "")
            if not argument.isdigit():
                raise _error("Invalid custom emoji identifier specified", source, begin)
        elif tag == "tg-time":
            argument = attributes.get("unix", "")
            if not argument.isdigit():
                raise _error("Invalid Unix time specified", source, begin)
        elif tag == "blockquote" and "expandable" in attributes:
            argument = "expandable"
        stack.append(_OpenTag(tag, argument, attributes, utf16_offset, len(result)))

    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    return FormattedText("".join(result), _sorted_entities(entities))


def _close_tag(
    opened: _OpenTag, utf16_offset: int, text: str, entities: list[dict[str, Any]]
) -> None:
    length = utf16_offset - opened.utf16_offset
    if length <= 0:
        return  # empty entities are dropped, as in Telegram
    entity: dict[str, Any] = {
        "type": _SIMPLE_TAGS[opened.name],
        "offset": opened.utf16_offset,
        "length": length,
    }
    if opened.name == "a":
        # <a> without href links its own text.  (Telegram would turn tg://user?id=
        # links into text_mention entities; the fake keeps a text_link.)
        entity["url"] = opened.argument or text[opened.result_index :]
    elif opened.name == "pre":
        # <pre><code class="language-x">...</code></pre> becomes one "pre" with language.
        inner = entities[-1] if entities else None
        if (
            inner
            and inner["type"] == "code"
            and (inner["offset"], inner["length"])
            == (
                entity["offset"],
                length,
            )
        ):
            entities.pop()
            if inner.get("language"):
                entity["language"] = inner["language"]
    elif opened.name == "code" and opened.argument:
        entity["language"] = opened.argument  # only kept if wrapped in <pre>, see above
    elif opened.name == "blockquote" and opened.argument == "expandable":
        entity["type"] = "expandable_blockquote"
    elif opened.name == "tg-emoji":
        entity["custom_emoji_id"] = opened.argument
    elif opened.name == "tg-time":
        entity["unix_time"] = int(opened.argument)
        if opened.extra.get("format"):
            entity["date_time_format"] = opened.extra["format"]
    entities.append(entity)


def _sorted_entities(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)  # a language on a bare <code> is ignored
    # Telegram orders entities by offset, outer (longer) entities first.
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def trim(formatted: FormattedText) -> FormattedText:
    """Strip leading/trailing whitespace and clip entities, as Telegram does."""
    text = formatted.text
    stripped_left = text.lstrip()
    cut = utf16_len(text[: len(text) - len(stripped_left)])
    stripped = stripped_left.rstrip()
    total = utf16_len(stripped)
    entities = []
    for entity in formatted.entities:
        start = max(entity["offset"] - cut, 0)
        end = min(entity["offset"] + entity["length"] - cut, total)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return FormattedText(stripped, entities)


def format_text(
    text: str,
    parse_mode: str | None,
    entities: Sequence[dict[str, Any]] | None,
    *,
    strict: bool = True,
) -> FormattedText:
    """Turn the ``text``/``parse_mode``/``entities`` parameters into what is displayed.

    Raises ``HtmlParseError`` for broken HTML and ``ValueError`` for an unsupported
    ``parse_mode`` or explicit entities out of range.  Markdown modes are accepted
    but not interpreted (the text is kept as is): the bot under test uses HTML.
    """
    if parse_mode and entities:
        # Telegram ignores parse_mode when entities are given; both is a bot bug.
        raise ValueError("parse_mode and entities are mutually exclusive")
    if parse_mode is None or parse_mode == "":
        formatted = FormattedText(text, [dict(e) for e in entities or []])
        total = utf16_len(text)
        for entity in formatted.entities:
            if (
                entity["offset"] < 0
                or entity["length"] <= 0
                or entity["offset"] + entity["length"] > total
            ):
                raise ValueError(f"entity {entity} is out of the text bounds")
    elif parse_mode.lower() == "html":
        formatted = parse_html(text, strict=strict)
    elif parse_mode.lower() in ("markdown", "markdownv2"):
        formatted = FormattedText(text, [])
    else:
        raise ValueError(f"unsupported parse_mode {parse_mode!r}")
    return trim(formatted)
