"""SMTP_URL formats, and errors that never repeat the password."""

from __future__ import annotations

import pytest

from server.mail.smtp import SmtpServer, parse_smtp_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://127.0.0.1:10259", SmtpServer("127.0.0.1", 10259)),
        ("smtp://relay.internal", SmtpServer("relay.internal", 25)),
        (
            "smtp+starttls://mailer:p%40ss%3Aword@smtp.example.org:587",
            SmtpServer(
                "smtp.example.org", 587, start_tls=True, username="mailer", password="p@ss:word"
            ),
        ),
        (
            "smtp+starttls://apikey:secret@smtp.example.org",
            SmtpServer(
                "smtp.example.org", 587, start_tls=True, username="apikey", password="secret"
            ),
        ),
        (
            "smtps://mailer:secret@smtp.example.org",
            SmtpServer("smtp.example.org", 465, use_tls=True, username="mailer", password="secret"),
        ),
    ],
)
def test_parse(url: str, expected: SmtpServer) -> None:
    assert parse_smtp_url(url) == expected


@pytest.mark.parametrize(
    "url",
    ["http://mailer:hunter2@example.org", "smtp://mailer:hunter2@", "smtps://u:hunter2@h:99999"],
)
def test_bad_urls_fail_without_repeating_the_password(url: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_smtp_url(url)
    assert "hunter2" not in str(caught.value)


def test_password_is_not_in_the_repr() -> None:
    assert "secret" not in repr(parse_smtp_url("smtps://mailer:secret@smtp.example.org"))
