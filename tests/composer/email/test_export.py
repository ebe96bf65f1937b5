"""Export: profiles, the .eml read back with the standard library, the .zip bundle, atomic files."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import json
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers.digest_samples import item, january_items, sample_theme

from composer.digest.drafting import draft_digest
from composer.digest.model import Digest, Section, make_digest
from composer.email.export import (
    BUILTIN_PROFILES,
    Exported,
    export_digest,
    get_profile,
    profiles,
    write_exports,
)
from composer.email.render import Renderer
from composer.errors import NewsdigestError, ValidationError
from composer.library.item import NewsItem

NOW = dt.datetime(2023, 2, 1, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def _january() -> tuple[Digest, dict[str, NewsItem]]:
    items = january_items()
    digest = draft_digest(items, "2023-01", sample_theme(), digest_id="d-2023-01")
    return digest.touched("2023-02-01T09:00:00+00:00"), {i.id: i for i in items}


def _export(renderer: Renderer, profile: str = "plain", **theme: object) -> Exported:
    digest, items = _january()
    return export_digest(
        renderer,
        digest,
        items,
        sample_theme(**theme),
        BUILTIN_PROFILES[profile],
        now=NOW,
        message_id="<d-2023-01@example.org>",
    )


def _parse(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


@pytest.mark.parametrize(
    ("profile", "unsubscribe", "web_version"),
    [
        (
            "plain",
            "https://news.example.org/unsubscribe",
            "https://news.example.org/digest/2023-01",
        ),
        ("mailchimp", "*|UNSUB|*", "*|ARCHIVE|*"),
        ("brevo", "{{ unsubscribe }}", "{{ mirror }}"),
        ("listmonk", "{{ UnsubscribeURL }}", "{{ MessageURL }}"),
    ],
)
def test_profiles_write_their_placeholders(
    renderer: Renderer, profile: str, unsubscribe: str, web_version: str
) -> None:
    exported = _export(renderer, profile)
    assert f'href="{unsubscribe}"' in exported.html
    assert f'href="{web_version}"' in exported.html
    assert f"Unsubscribe: {unsubscribe}" in exported.text
    # the fixture was pasted as text: no story has a link, and that is the only warning
    assert {f.code for f in exported.findings if f.severity != "info"} == {"item-no-link"}


def test_user_profiles_extend_the_table() -> None:
    settings = {
        "export_profiles": {
            "sendy": {
                "label": "Sendy",
                "unsubscribe": "[unsubscribe]",
                "web_version": "[webversion]",
            },
            "brevo": {"label": "Brevo (custom)", "unsubscribe": "https://ex.org/u"},
        }
    }
    table = profiles(settings)
    assert set(BUILTIN_PROFILES) <= set(table)
    assert table["sendy"].unsubscribe == "[unsubscribe]"
    assert table["brevo"].label == "Brevo (custom)"
    with pytest.raises(NewsdigestError, match="choose one of brevo, listmonk, mailchimp, plain"):
        get_profile("nope", {})
    for bad in ("javascript:alert(1)", 'x" onclick="y', "<b>"):
        with pytest.raises(ValidationError):
            profiles({"export_profiles": {"evil": {"unsubscribe": bad}}})
    with pytest.raises(ValidationError):
        profiles({"export_profiles": {"Bad Name!": {}}})


def test_eml_parses_into_text_and_html_parts(renderer: Renderer) -> None:
    exported = _export(renderer)
    message = _parse(exported.eml)
    assert message.get_content_type() == "multipart/alternative"
    assert message["Subject"] == exported.digest.title
    assert message["From"] == "Newsroom <newsroom@example.org>"
    assert message["Date"] == "Wed, 01 Feb 2023 09:30:00 +0000"
    assert message["Message-ID"] == "<d-2023-01@example.org>"
    assert message["List-Unsubscribe"] == "<https://news.example.org/unsubscribe>"
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    for part, expected in zip(parts, (exported.text, exported.html), strict=True):
        assert part.get_content_charset() == "utf-8"
        assert part["Content-Transfer-Encoding"] == "quoted-printable"
        assert part.get_content().replace("\r\n", "\n") == expected
    assert "Kürnavia’s" in parts[0].get_content()
    for line in exported.eml.split(b"\r\n"):
        assert len(line) <= 998


def test_list_unsubscribe_only_for_a_real_address(renderer: Renderer) -> None:
    assert "List-Unsubscribe" not in _parse(_export(renderer, "mailchimp").eml)
    mailto = _export(renderer, unsubscribe_url="mailto:leave@example.org?subject=unsubscribe")
    assert (
        _parse(mailto.eml)["List-Unsubscribe"] == "<mailto:leave@example.org?subject=unsubscribe>"
    )
    none = _export(renderer, unsubscribe_url="")
    assert "List-Unsubscribe" not in _parse(none.eml)


def test_a_missing_sender_is_noted_not_fatal(renderer: Renderer) -> None:
    exported = _export(renderer, from_address="")
    assert "newsletter@example.invalid" in _parse(exported.eml)["From"]
    assert exported.notes and "sender" in exported.notes[0]


def test_very_long_lines_are_folded(renderer: Renderer) -> None:
    story = item(1, summary="word" * 3000)  # one 12,000-character word
    digest = make_digest(
        digest_id="d-long", title="Long", preheader="p", sections=[Section("News", (story.id,))]
    )
    exported = export_digest(
        renderer, digest, {story.id: story}, sample_theme(), BUILTIN_PROFILES["plain"], now=NOW
    )
    assert max(len(line) for line in exported.eml.split(b"\r\n")) <= 998
    html_part = list(_parse(exported.eml).iter_parts())[1]
    assert "word" * 3000 in html_part.get_content()


def test_zip_bundle_holds_all_four_and_is_reproducible(renderer: Renderer) -> None:
    exported = _export(renderer)
    data = exported.zip_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        assert sorted(bundle.namelist()) == [
            "digest-2023-01.eml",
            "digest-2023-01.html",
            "digest-2023-01.json",
            "digest-2023-01.txt",
        ]
        assert bundle.read("digest-2023-01.html").decode("utf-8") == exported.html
        assert bundle.read("digest-2023-01.eml") == exported.eml
        stored = json.loads(bundle.read("digest-2023-01.json"))
        assert Digest.from_dict(stored) == exported.digest
        assert stored["schema"] == 1
    assert _export(renderer).zip_bytes() == data


def test_files_are_written_atomically(renderer: Renderer, tmp_path: Path) -> None:
    exported = _export(renderer)
    target = tmp_path / "out.html"
    target.write_text("old", encoding="utf-8")
    written = write_exports(
        exported,
        html=target,
        text=tmp_path / "out.txt",
        eml=tmp_path / "out.eml",
        bundle=tmp_path / "out.zip",
    )
    assert len(written) == 4
    assert target.read_text(encoding="utf-8") == exported.html
    assert (tmp_path / "out.eml").read_bytes() == exported.eml
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "out.eml",
        "out.html",
        "out.txt",
        "out.zip",
    ]  # no temporary files left behind
    with pytest.raises(NewsdigestError, match="does not exist"):
        write_exports(exported, html=tmp_path / "missing" / "x.html")
    with pytest.raises(NewsdigestError, match="is a folder"):
        write_exports(exported, html=tmp_path)


def test_a_long_unsubscribe_url_stays_a_url_in_the_eml(renderer: Renderer) -> None:
    url = (
        "https://news.example.org/unsubscribe?list=northwind-monthly-digest"
        "&utm_source=newsletter&utm_medium=email&id=1234567890abcdef&lang=dé"
    )
    exported = _export(renderer, unsubscribe_url=url)
    raw = exported.eml.split(b"\r\n\r\n", 1)[0]
    assert b"=?utf-8?" not in raw.split(b"\r\nList-Unsubscribe: ", 1)[1].split(b"\r\n", 1)[0]
    header = _parse(exported.eml)["List-Unsubscribe"]
    assert header == f"<{url.replace('dé', 'd%C3%A9')}>"


# -- issue 11: To, MIME-Version, List-Unsubscribe-Post, the Mailchimp address ---------------------
KEY = bytes(range(32))


def _export_with(renderer: Renderer, key: bytes | None = None, **theme: object) -> Exported:
    digest, items = _january()
    return export_digest(
        renderer,
        digest,
        items,
        sample_theme(**theme),
        BUILTIN_PROFILES["plain"],
        now=NOW,
        message_id="<d-2023-01@example.org>",
        unsubscribe_key=key,
    )


def test_the_eml_has_a_placeholder_to_and_one_mime_version(renderer: Renderer) -> None:
    exported = _export(renderer)
    message = _parse(exported.eml)
    assert message["To"] == "undisclosed-recipients:;"
    assert message["To"].groups[0].display_name == "undisclosed-recipients"
    assert message["To"].addresses == ()
    assert exported.eml.count(b"MIME-Version:") == 1
    assert exported.eml.index(b"MIME-Version:") < exported.eml.index(b"\r\n\r\n")
    for part in message.iter_parts():
        assert part["MIME-Version"] is None
    # a shared url cannot say who leaves: no one-click
    assert message["List-Unsubscribe-Post"] is None


def test_a_long_non_ascii_subject_is_folded_without_empty_encoded_words(
    renderer: Renderer,
) -> None:
    digest, items = _january()
    title = "Nachrichten der Zentrale für Öffentlichkeitsarbeit und Ärztefortbildung, Januar 2023"
    exported = export_digest(
        renderer,
        _titled(digest, title),
        items,
        sample_theme(),
        BUILTIN_PROFILES["plain"],
        now=NOW,
    )
    head = exported.eml.split(b"\r\n\r\n", 1)[0]
    assert b"?q??=" not in head.lower()
    assert all(len(line) <= 78 and not line.endswith(b" ") for line in head.split(b"\r\n"))
    assert _parse(exported.eml)["Subject"] == title


def _titled(digest: Digest, title: str) -> Digest:
    import dataclasses

    return dataclasses.replace(digest, title=title)


def test_a_personal_https_url_gives_the_sender_their_own_link_and_one_click(
    renderer: Renderer,
) -> None:
    from composer.email.unsubscribe import make_token

    url = "https://news.example.org/leave?u={email}&t={token}"
    exported = _export_with(renderer, KEY, unsubscribe_url=url)
    message = _parse(exported.eml)
    token = make_token(KEY, "newsroom@example.org")
    personal = f"https://news.example.org/leave?u=newsroom@example.org&t={token}"
    assert message["To"].addresses[0].addr_spec == "newsroom@example.org"
    assert message["List-Unsubscribe"] == f"<{personal}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert personal.replace("&", "&amp;") in html and personal in text
    assert "{email}" not in html + text and "{token}" not in html + text
    # the .html and .txt files keep the placeholders, for the reader's own tools
    assert "{token}" in exported.html and "{token}" in exported.text


def test_a_token_url_without_the_key_keeps_its_placeholders_and_says_so(
    renderer: Renderer,
) -> None:
    exported = _export_with(renderer, None, unsubscribe_url="https://ex.org/u?t={token}")
    message = _parse(exported.eml)
    assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None
    assert message["To"] == "undisclosed-recipients:;"
    assert any("{token}" in note and "send time" in note for note in exported.notes)
    # {email} alone needs no key
    mailto = _export_with(renderer, None, unsubscribe_url="http://ex.org/u/{email}")
    parsed = _parse(mailto.eml)
    assert parsed["List-Unsubscribe"] == "<http://ex.org/u/newsroom@example.org>"
    assert parsed["List-Unsubscribe-Post"] is None  # not https


def test_the_mailchimp_profile_writes_its_address_merge_tag(renderer: Renderer) -> None:
    exported = _export(renderer, "mailchimp")
    assert "*|LIST:ADDRESSLINE|*" in exported.html and "*|LIST:ADDRESSLINE|*" in exported.text
    assert "Mill Lane" not in exported.html
    assert 'href="*|UNSUB|*"' in exported.html
    for name in ("brevo", "listmonk", "plain"):
        other = _export(renderer, name)
        assert "*|LIST:ADDRESSLINE|*" not in other.html and "Mill Lane" in other.html
    custom = profiles({"export_profiles": {"tool": {"postal_address": "[[address]]"}}})["tool"]
    assert custom.postal_address == "[[address]]"
    with pytest.raises(ValidationError, match="postal_address"):
        profiles({"export_profiles": {"tool": {"postal_address": "a\nBcc: x@example.org"}}})


def test_the_signature_separator_keeps_its_trailing_space() -> None:
    from composer.email.export import mime_body

    headers, body = mime_body("News\n\n-- \nThe Press Office\n", "<p>News</p>")
    message = _parse(b"".join(f"{n}: {v}\r\n".encode() for n, v in headers) + b"\r\n" + body)
    assert "\n-- \n" in message.get_body(("plain",)).get_content().replace("\r\n", "\n")


@pytest.mark.skipif(
    __import__("shutil").which("spamassassin") is None, reason="SpamAssassin is not installed"
)
def test_spamassassin_finds_no_missing_header(renderer: Renderer, tmp_path: Path) -> None:
    import subprocess

    exported = _export(renderer)
    result = subprocess.run(
        ["spamassassin", "-L", "-t"],
        input=exported.eml,
        capture_output=True,
        timeout=180,
        check=False,
    )
    report = result.stdout.decode("utf-8", "replace")
    assert "X-Spam-Status:" in report
    assert "MISSING_HEADERS" not in report and "MISSING_MID" not in report
