"""Reading reported messages without opening them (stdlib `email`, policy=default)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from services.security.phishing import defang, normalise_subject, parse_message

from .messages import MALFORMED, MULTIPART, PDF, html_only, with_attachment


def test_multipart_with_encoded_headers_is_read_header_by_header():
    parsed = parse_message(MULTIPART)
    assert (parsed.from_display, parsed.from_address) == ("Acme Bank Sécurité", "security@bank.example")
    assert parsed.reply_to == "collect@evil.example"
    assert parsed.return_path == "bounce@evil.example"
    assert parsed.subject == "RE: [EXTERNAL] Verify your account ✅"
    assert parsed.normalised_subject == "verify your account ✅"
    assert parsed.sender_domain == "bank.example"
    assert parsed.message_id == "<abc@evil.example>"
    assert parsed.sent_at == datetime(2026, 11, 23, 6, 58, tzinfo=UTC)
    assert [r.split(" ")[1] for r in parsed.received] == ["mx.evil.example", "localhost"]
    assert parsed.problems == []


def test_authentication_verdicts_come_from_the_topmost_header_only():
    auth = parse_message(MULTIPART).authentication
    # The lower header claims "pass" everywhere: written by the sender, not trusted.
    assert (auth["spf"], auth["dkim"], auth["dmarc"]) == ("fail", "none", "fail")
    assert len(auth["headers"]) == 2


def test_links_come_from_text_and_html_without_running_anything():
    links = parse_message(MULTIPART).links
    assert [(link.url, link.host, link.text) for link in links] == [
        ("https://bank.example.evil.example/login?u=amy", "bank.example.evil.example", ""),
        # The visible text names the bank; the target is elsewhere.
        ("https://evil.example/x?a=1&b=2", "evil.example", "https://bank.example/"),
        ("http://track.evil.example/p.gif", "track.evil.example", ""),
        ("https://bank.example/", "bank.example", ""),
    ]
    # Script content is never read as text or links.
    assert all("script.evil.example" not in link.url for link in links)


def test_attachments_are_measured_and_hashed_never_opened():
    (attachment,) = parse_message(MULTIPART).attachments
    assert attachment.filename == "Rechnung ü.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.size_bytes == len(PDF)
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()


def test_html_only_message_in_latin_1_with_quoted_printable():
    parsed = parse_message(html_only())
    assert [link.url for link in parsed.links] == [
        "https://post-track.example/p/8812",
        "https://post-track.example/p/8812/pay",
    ]
    assert parsed.links[0].text == "our site"
    # The excerpt is the HTML's text, tags and style dropped, never the markup.
    assert parsed.text_excerpt.startswith("Dear customer, pay the £2 fee at our site.")
    assert "<" not in parsed.text_excerpt and "background" not in parsed.text_excerpt


def test_an_html_attachment_is_an_attachment_not_a_body():
    parsed = parse_message(
        with_attachment("Invoice", "billing@x.example", b"<a href='https://x.example/a'>x</a>")
    )
    assert [a.filename for a in parsed.attachments] == ["invoice.html"]
    assert parsed.links == []


def test_malformed_message_is_read_as_far_as_possible():
    parsed = parse_message(MALFORMED)
    assert parsed.from_address == ""
    assert parsed.sent_at is None and parsed.date_header == "yesterday at noon"
    assert [link.url for link in parsed.links] == ["https://broken.example/a"]
    assert "hello" in parsed.text_excerpt
    assert "The From header has no readable address." in parsed.problems
    assert "The Date header is not a valid date." in parsed.problems
    assert any("character set" in problem for problem in parsed.problems)


def test_header_values_lose_control_characters():
    parsed = parse_message(b"From: a@b.example\r\nSubject: hi\x07there\x1b[31m\r\n\r\nbody")
    assert parsed.subject == "hi there [31m"


def test_subject_normalisation_strips_any_number_of_prefixes_and_tags():
    assert normalise_subject("Fwd: RE: [EXTERNAL]  Verify  YOUR account") == "verify your account"
    assert normalise_subject("AW: WG: Rechnung") == "rechnung"
    assert normalise_subject("Re:") == ""


def test_defanged_links_cannot_be_followed_by_accident():
    assert defang("https://evil.example/x?a=1.2") == "hxxps[://]evil[.]example/x?a=1.2"
    assert defang("http://10.0.0.1:8080/") == "hxxp[://]10[.]0[.]0[.]1:8080/"
