"""Reading a reported message without opening it: headers, authentication verdicts, links and
attachment fingerprints, with the standard library's `email` package (policy=default).

Nothing here renders HTML, follows a link, decodes an attachment for display or runs any
content: HTML parts are *tokenised* by `html.parser` only to collect link targets and text;
attachments are hashed (SHA-256) and measured. A malformed message is read as far as it can
be: every header is read on its own and a header that can't be parsed becomes a recorded
problem, never an exception.

Grouping (`normalise_subject`, `sender_domain`): see docs/security.md, "Phishing campaigns".
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urlsplit

MAX_HEADER = 300
MAX_RECEIVED = 50
MAX_LINKS = 200
MAX_ATTACHMENTS = 50
MAX_URL = 2000
MAX_EXCERPT = 4000

# A URL in plain text: a scheme and everything up to whitespace or a delimiter.
URL_IN_TEXT = re.compile(r"""(?i)\b(?:https?|ftp)://[^\s<>"'`{}|\\^\[\]]+|\bwww\.[^\s<>"'`{}|\\^\[\]]+""")
TRAILING_PUNCTUATION = ".,;:!?)]}>'\""
# Reply prefixes and the tags mail gateways add, stripped before comparing subjects.
SUBJECT_PREFIX = re.compile(
    r"^\s*(?:(?:re|fw|fwd|aw|wg|sv|vs|tr|rv|antw)\s*(?:\[\d+\])?\s*:|\[(?:external|ext|spam|suspicious|phishing|warning)\]"
    r"|\((?:external|ext)\)|(?:external|caution)\s*:)\s*",
    re.IGNORECASE,
)
AUTH_METHOD = re.compile(r"\b(spf|dkim|dmarc|arc)\s*=\s*([a-z]+)", re.IGNORECASE)
AUTH_VERDICTS = ("spf", "dkim", "dmarc")


def clean_text(value: object, limit: int = MAX_HEADER) -> str:
    """A header or text value safe to store and show: control characters (NUL included)
    replaced by spaces, whitespace collapsed, cut at `limit`."""
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cs") else ch for ch in str(value))
    return " ".join(text.split())[:limit]


def normalise_subject(subject: str) -> str:
    """The subject as campaigns compare it: Unicode-normalised, case-folded, without reply or
    forward prefixes and gateway tags (any number of them), whitespace collapsed."""
    text = clean_text(unicodedata.normalize("NFKC", subject), 1000).casefold()
    while True:
        stripped = SUBJECT_PREFIX.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    return " ".join(text.split())[:MAX_HEADER]


def domain_of(address: str) -> str:
    _, at, domain = address.rpartition("@")
    return domain.strip().strip(".").lower()[:255] if at else ""


def normalise_url(url: str) -> str:
    """A link as stored and compared: trimmed, trailing punctuation of the sentence removed,
    non-ASCII characters percent-encoded (so the stored form is ASCII and fits an index),
    `www.` links given their implied http scheme."""
    url = clean_text(url, 4 * MAX_URL).strip()
    while url and url[-1] in TRAILING_PUNCTUATION:
        url = url[:-1]
    if url.lower().startswith("www."):
        url = "http://" + url
    return quote(url, safe="!#$%&'()*+,-./:;=?@[]~_")[:MAX_URL]


def host_of(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host[:255]


def defang(url: str) -> str:
    """A link shown so that nobody clicks it by accident: hxxp(s)://, dots of the host in [.]."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url.replace(".", "[.]")
    host, slash, path = rest.partition("/")
    scheme = {"http": "hxxp", "https": "hxxps", "ftp": "fxp"}.get(scheme.lower(), scheme)
    return f"{scheme}[://]{host.replace('.', '[.]')}{slash}{path}"


@dataclass(frozen=True)
class ParsedLink:
    url: str
    host: str
    text: str = ""


@dataclass(frozen=True)
class ParsedAttachment:
    filename: str
    content_type: str
    size_bytes: int
    sha256: str


@dataclass
class ParsedMessage:
    from_address: str = ""
    from_display: str = ""
    reply_to: str = ""
    return_path: str = ""
    subject: str = ""
    date_header: str = ""
    sent_at: datetime | None = None
    message_id: str = ""
    received: list[str] = field(default_factory=list)
    authentication: dict[str, Any] = field(default_factory=dict)
    links: list[ParsedLink] = field(default_factory=list)
    attachments: list[ParsedAttachment] = field(default_factory=list)
    text_excerpt: str = ""
    problems: list[str] = field(default_factory=list)
    header_count: int = 0

    @property
    def normalised_subject(self) -> str:
        return normalise_subject(self.subject)

    @property
    def sender_domain(self) -> str:
        return domain_of(self.from_address)


class _LinkCollector(HTMLParser):
    """Collects link targets and their visible text from HTML, as tokens: nothing is fetched,
    run or laid out. Script and style content is skipped."""

    LINK_ATTRIBUTES = {("a", "href"), ("area", "href"), ("form", "action"), ("iframe", "src"), ("img", "src")}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.text: list[str] = []
        self._anchor: int | None = None
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if (tag, name) in self.LINK_ATTRIBUTES and value:
                self.links.append((value, ""))
                if tag == "a":
                    self._anchor = len(self.links) - 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        if tag == "a":
            self._anchor = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.text.append(data)
        if self._anchor is not None:
            url, text = self.links[self._anchor]
            self.links[self._anchor] = (url, (text + data)[:MAX_HEADER])


def _header(message: Message, name: str, parsed: ParsedMessage) -> str:
    """One header's decoded text ("" when absent); a header that can't be parsed is recorded."""
    try:
        value = message.get(name)
    except Exception:  # the header parser of policy=default raises on some malformed headers
        parsed.problems.append(f"The {name} header could not be read.")
        return ""
    return "" if value is None else str(value)


def _all_headers(message: Message, name: str, parsed: ParsedMessage) -> list[str]:
    try:
        return [str(value) for value in message.get_all(name, [])]
    except Exception:
        parsed.problems.append(f"A {name} header could not be read.")
        return []


def _authentication(headers: list[str], received_spf: str) -> dict[str, Any]:
    """Verdicts from the topmost Authentication-Results header (added by the receiving mail
    server; lower ones may have been written by the sender), with every header kept."""
    verdicts: dict[str, Any] = {name: "" for name in AUTH_VERDICTS}
    if headers:
        for method, result in AUTH_METHOD.findall(headers[0]):
            method = method.lower()
            if method in verdicts and not verdicts[method]:
                verdicts[method] = result.lower()
    if not verdicts["spf"] and received_spf:
        verdicts["spf"] = clean_text(received_spf.split()[0].lower() if received_spf.split() else "", 20)
    verdicts["headers"] = [clean_text(header, 2000) for header in headers[:10]]
    return verdicts


def _text_of(part: Message, parsed: ParsedMessage) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
        if isinstance(content, str):
            return content
    except (LookupError, UnicodeError, ValueError, AttributeError, TypeError, AssertionError):
        pass
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        parsed.problems.append("A text part has an unknown or wrong character set; it was read as UTF-8.")
        return payload.decode("utf-8", errors="replace")
    return ""


def _add_link(parsed: ParsedMessage, seen: set[str], url: str, text: str = "") -> None:
    lowered = url.strip().lower()
    if not (lowered.startswith(("http://", "https://", "ftp://", "www."))):
        return  # mailto:, tel:, cid:, anchors and relative links are not places to visit
    normalised = normalise_url(url)
    if not normalised or normalised in seen or len(parsed.links) >= MAX_LINKS:
        return
    seen.add(normalised)
    parsed.links.append(ParsedLink(normalised, host_of(normalised), clean_text(text)))


def parse_message(raw: bytes) -> ParsedMessage:
    """Read `raw` (an RFC 5322 message, e.g. an .eml file) without opening anything in it."""
    parsed = ParsedMessage()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    parsed.header_count = len(message.keys())
    for defect in getattr(message, "defects", [])[:10]:
        parsed.problems.append(clean_text(f"Message structure: {type(defect).__name__}"))

    from_header = _header(message, "From", parsed)
    display, address = parseaddr(from_header)
    parsed.from_display = clean_text(display)
    parsed.from_address = clean_text(address, 320)
    if from_header and not address:
        parsed.problems.append("The From header has no readable address.")
    reply_to = _header(message, "Reply-To", parsed)
    parsed.reply_to = clean_text(", ".join(addr for _, addr in getaddresses([reply_to]) if addr), 1000)
    parsed.return_path = clean_text(parseaddr(_header(message, "Return-Path", parsed))[1], 320)
    parsed.subject = clean_text(_header(message, "Subject", parsed))
    parsed.message_id = clean_text(_header(message, "Message-ID", parsed), 500)
    parsed.date_header = clean_text(_header(message, "Date", parsed), 200)
    try:
        date_value = message.get("Date")
        sent = getattr(date_value, "datetime", None)
    except Exception:
        sent = None
    if isinstance(sent, datetime):
        parsed.sent_at = sent if sent.tzinfo is not None else sent.replace(tzinfo=UTC)
    elif parsed.date_header:
        parsed.problems.append("The Date header is not a valid date.")
    parsed.received = [clean_text(h, 1000) for h in _all_headers(message, "Received", parsed)[:MAX_RECEIVED]]
    parsed.authentication = _authentication(
        _all_headers(message, "Authentication-Results", parsed), _header(message, "Received-SPF", parsed)
    )

    seen_links: set[str] = set()
    excerpt: list[str] = []
    html_text: list[str] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        disposition = part.get_content_disposition()
        filename = part.get_filename()
        if disposition == "attachment" or filename or not content_type.startswith("text/"):
            if len(parsed.attachments) < MAX_ATTACHMENTS:
                payload = part.get_payload(decode=True)
                data = payload if isinstance(payload, bytes) else b""
                parsed.attachments.append(
                    ParsedAttachment(
                        filename=clean_text(filename or "", 255),
                        content_type=clean_text(content_type, 120),
                        size_bytes=len(data),
                        sha256=hashlib.sha256(data).hexdigest(),
                    )
                )
            continue
        text = _text_of(part, parsed)
        if content_type == "text/html":
            collector = _LinkCollector()
            try:
                collector.feed(text)
                collector.close()
            except Exception:  # html.parser is lenient; anything else is recorded, not raised
                parsed.problems.append("An HTML part could not be read completely.")
            for url, anchor_text in collector.links:
                _add_link(parsed, seen_links, url, anchor_text)
            visible = " ".join("".join(collector.text).split())
            html_text.append(visible)
            for url in URL_IN_TEXT.findall(visible):
                _add_link(parsed, seen_links, url)
        else:
            excerpt.append(text)
            for url in URL_IN_TEXT.findall(text):
                _add_link(parsed, seen_links, url)
    body = "\n".join(excerpt) if excerpt else "\n".join(html_text)
    cleaned = "".join(ch for ch in body if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs"))
    parsed.text_excerpt = cleaned.strip()[:MAX_EXCERPT]
    return parsed


def looks_like_a_message(parsed: ParsedMessage) -> bool:
    """Did the text have e-mail headers at all (not just a pasted body)?"""
    return bool(parsed.from_address or parsed.subject or parsed.message_id or parsed.received)
