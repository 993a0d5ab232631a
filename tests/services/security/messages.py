"""Reported messages for the phishing tests: tricky on purpose."""

from __future__ import annotations

import base64

PDF = b"%PDF-1.4\n% not really a pdf\n"

MULTIPART = (
    b"""Return-Path: <bounce@evil.example>
Received: from mx.evil.example (mx.evil.example [203.0.113.5])
\tby mx.alpha.test with ESMTP id 123; Mon, 23 Nov 2026 08:00:00 +0000
Received: from localhost by mx.evil.example; Mon, 23 Nov 2026 07:59:00 +0000
Authentication-Results: mx.alpha.test; spf=fail smtp.mailfrom=evil.example;
 dkim=none; dmarc=fail header.from=bank.example
Authentication-Results: forged.example; spf=pass; dkim=pass; dmarc=pass
From: =?utf-8?q?Acme_Bank_S=C3=A9curit=C3=A9?= <security@bank.example>
Reply-To: collect@evil.example
To: amy@alpha.test
Subject: =?utf-8?b?UkU6IFtFWFRFUk5BTF0gVmVyaWZ5IHlvdXIgYWNjb3VudCDinIU=?=
Date: Mon, 23 Nov 2026 07:58:00 +0100
Message-ID: <abc@evil.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="XX"

--XX
Content-Type: multipart/alternative; boundary="YY"

--YY
Content-Type: text/plain; charset=utf-8

Please verify at https://bank.example.evil.example/login?u=amy. Thanks
--YY
Content-Type: text/html; charset=utf-8

<html><script>var u="https://script.evil.example/run";</script><a href="https://evil.example/x?a=1&amp;b=2">https://bank.example/</a> <img src="http://track.evil.example/p.gif"></html>
--YY--
--XX
Content-Type: application/pdf; name="invoice.pdf"
Content-Disposition: attachment; filename*=utf-8''Rechnung%20%C3%BC.pdf
Content-Transfer-Encoding: base64

"""
    + base64.b64encode(PDF)
    + b"""
--XX--
"""
)


def html_only(
    subject: str = "Your parcel is waiting",
    sender: str = "parcel@post.example",
    href: str = "https://post-track.example/p/8812",
    action: str = "",
) -> bytes:
    action = action or f"{href}/pay"
    return f"""From: Parcel Service <{sender}>
Subject: {subject}
Date: Tue, 24 Nov 2026 10:00:00 +0000
Message-ID: <p-{abs(hash((subject, sender, href)))}@post.example>
MIME-Version: 1.0
Content-Type: text/html; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

<p>Dear customer, pay the =A32 fee at <a href=3D"{href}">our site</a>.</p>
<style>.x{{background:url(https://style.example/bg.png)}}</style>
<form action=3D"{action}"><input name=3Dcard></form>
""".encode("latin-1")


def with_attachment(subject: str, sender: str, content: bytes, filename: str = "invoice.html") -> bytes:
    return f"""From: {sender}
Subject: {subject}
Message-ID: <a-{abs(hash((subject, sender)))}@x.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="B"

--B
Content-Type: text/plain

See attached.
--B
Content-Type: text/html; name="{filename}"
Content-Disposition: attachment; filename="{filename}"
Content-Transfer-Encoding: base64

{base64.b64encode(content).decode()}
--B--
""".encode()


MALFORMED = (
    b"From: <<<>>>\r\nSubject: =?bogus?x?zz?=\r\nDate: yesterday at noon\r\n"
    b'Content-Type: multipart/mixed; boundary="never-closed"\r\n\r\n--never-closed\r\n'
    b"Content-Type: text/plain; charset=no-such-charset\r\n\r\nhello \xff\xfe https://broken.example/a\r\n"
)
