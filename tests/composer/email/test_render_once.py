"""One render per content change, one message rule (issue 12, "What to build" 6).

The renderer remembers its last results under a key of everything the email reads
(the digest, its items, the theme, the links, the user templates' files) and counts
the renders it really makes; the export and the send share the theme's renderer and
build their messages from the rendered parts by one sender rule and one
``List-Unsubscribe`` rule. Real renders, real files in ``tmp_path``.
"""

from __future__ import annotations

import dataclasses
import email
import email.policy
import os
import threading
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers.digest_samples import january_items, sample_theme

from composer.digest.drafting import draft_digest
from composer.digest.model import Digest
from composer.email.export import (
    BUILTIN_PROFILES,
    FALLBACK_FROM,
    export_digest,
    list_unsubscribe,
    sender_for,
)
from composer.email.render import Links, Renderer, renderer_for
from composer.email.render_cache import CACHE_SIZE, RenderCache, templates_signature
from composer.email.unsubscribe import UnsubscribeRule
from composer.errors import NewsdigestError, ValidationError
from composer.library.item import NewsItem
from composer.send import MessageFactory, PreparedDigest, prepare_digest
from composer.smtp_settings import SmtpSettings, with_changes

STAMP = "2023-02-01T09:00:00+00:00"


def january() -> tuple[Digest, dict[str, NewsItem]]:
    items = january_items()
    digest = draft_digest(items, "2023-01", sample_theme(), digest_id="d-2023-01")
    return digest.touched(STAMP), {i.id: i for i in items}


def parse(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


@pytest.fixture
def renderer() -> Renderer:
    return Renderer()


# -- the cache key ---------------------------------------------------------------------------------
def test_the_same_content_is_rendered_once(renderer: Renderer) -> None:
    digest, items = january()
    first = renderer.render(digest, items, sample_theme())
    again = renderer.render(digest, dict(items), sample_theme())  # equal, not the same objects
    assert renderer.render_count == 1
    assert (again.html, again.text, again.findings) == (first.html, first.text, first.findings)
    # saving the digest changes its stamps, which no template reads: still no render
    saved = renderer.render(digest.touched("2023-03-01T10:00:00+00:00"), items, sample_theme())
    assert renderer.render_count == 1 and saved.html == first.html
    assert saved.resolved.digest.updated == "2023-03-01T10:00:00+00:00"  # resolved as given
    # nor does its saved version (each save in a team library raises it)
    renderer.render(dataclasses.replace(digest, version=7), items, sample_theme())
    assert renderer.render_count == 1
    # an item the digest does not show is no part of its email
    unrelated = january_items()[0].edited(title="Another story", date="2022-05-01")
    extra = {**items, "t-not-in-the-digest": dataclasses.replace(unrelated, id="t-not-shown")}
    renderer.render(digest, extra, sample_theme())
    assert renderer.render_count == 1


def test_each_input_of_the_email_renders_again(renderer: Renderer) -> None:
    digest, items = january()
    theme = sample_theme()
    base = renderer.render(digest, items, theme)
    count = renderer.render_count
    changes = {
        "theme": lambda: renderer.render(digest, items, sample_theme(organisation="Other")),
        "links": lambda: renderer.render(
            digest, items, theme, Links("https://x.example/leave", None)
        ),
        "layout": lambda: renderer.render(digest, items, theme, template="magazine"),
        "no preflight": lambda: renderer.render(digest, items, theme, check=False),
        "digest": lambda: renderer.render(dataclasses.replace(digest, intro="New"), items, theme),
    }
    outputs = {}
    for name, change in changes.items():
        outputs[name] = change()
        count += 1
        assert renderer.render_count == count, name
    assert outputs["theme"].html != base.html and "Other" in outputs["theme"].html
    assert "https://x.example/leave" in outputs["links"].html
    assert outputs["no preflight"].findings == ()
    # an edit of an item the digest shows
    first_id = digest.item_ids()[0]
    edited = {**items, first_id: items[first_id].edited(title="A new title for the story")}
    assert "A new title for the story" in renderer.render(digest, edited, theme).html
    assert renderer.render_count == count + 1
    # and each of them is remembered in turn (the last CACHE_SIZE ones)
    assert renderer.render(digest, items, theme).html == base.html
    assert renderer.render_count == count + 1


def test_an_edited_user_template_renders_again(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    template = mine / "digest.html"
    template.write_text(
        '{% extends "classic/digest.html" %}{% block footer %}<p>First footer</p>{% endblock %}',
        encoding="utf-8",
    )
    renderer = Renderer(user_templates=tmp_path)
    digest, items = january()
    theme = sample_theme()
    assert "First footer" in renderer.render(digest, items, theme, template="mine").html
    renderer.render(digest, items, theme, template="mine")
    assert renderer.render_count == 1
    template.write_text(
        '{% extends "classic/digest.html" %}{% block footer %}<p>The second footer</p>'
        "{% endblock %}",
        encoding="utf-8",
    )
    stat = template.stat()
    os.utime(template, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
    assert "The second footer" in renderer.render(digest, items, theme, template="mine").html
    assert renderer.render_count == 2
    # a file added to the folder counts too (a template may include it)
    (mine / "extra.html").write_text("<p>x</p>", encoding="utf-8")
    renderer.render(digest, items, theme, template="mine")
    assert renderer.render_count == 3


def test_the_templates_signature_names_every_file(tmp_path: Path) -> None:
    assert templates_signature(None) == ()
    assert templates_signature(tmp_path / "missing") == ()
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "digest.html").write_text("<p>a</p>", encoding="utf-8")
    (tmp_path / "b.txt").write_text("b", encoding="utf-8")
    signature = templates_signature(tmp_path)
    assert signature is not None
    assert [(path, size) for path, size, _ in signature] == [("a/digest.html", 8), ("b.txt", 1)]


def test_the_cache_keeps_the_most_recently_used() -> None:
    cache: RenderCache[int] = RenderCache(3)
    for n in range(3):
        cache.put(str(n), n)
    assert cache.get("0") == 0  # now the most recent
    cache.put("3", 3)
    assert cache.get("1") is None and cache.get("0") == 0 and len(cache) == 3
    nothing: RenderCache[int] = RenderCache(0)
    nothing.put("a", 1)
    assert nothing.get("a") is None


def test_more_contents_than_the_cache_holds_render_again(renderer: Renderer) -> None:
    digest, items = january()
    theme = sample_theme()
    for n in range(CACHE_SIZE + 1):
        renderer.render(dataclasses.replace(digest, intro=f"Intro {n}"), items, theme)
    assert renderer.render_count == CACHE_SIZE + 1
    renderer.render(dataclasses.replace(digest, intro=f"Intro {CACHE_SIZE}"), items, theme)
    assert renderer.render_count == CACHE_SIZE + 1
    renderer.render(dataclasses.replace(digest, intro="Intro 0"), items, theme)  # dropped
    assert renderer.render_count == CACHE_SIZE + 2


def test_two_threads_asking_for_the_same_content_share_one_render(renderer: Renderer) -> None:
    digest, items = january()
    theme = sample_theme()
    results: list[str] = []
    start = threading.Barrier(2)

    def render() -> None:
        start.wait()
        results.append(renderer.render(digest, items, theme).html)

    threads = [threading.Thread(target=render) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert renderer.render_count == 1 and len(results) == 2 and results[0] == results[1]


# -- one renderer, built in one place --------------------------------------------------------------
def test_one_renderer_per_templates_folder(tmp_path: Path) -> None:
    plain = renderer_for(sample_theme())
    assert renderer_for(sample_theme(organisation="Other")) is plain
    folder = tmp_path / "templates"
    later = sample_theme(templates_dir=str(folder))
    assert renderer_for(later) is plain  # no folder yet: no folder
    folder.mkdir()
    own = renderer_for(later)
    assert own is not plain and own.user_templates == folder
    assert renderer_for(sample_theme(templates_dir=str(folder))) is own


def test_export_and_send_reuse_one_render(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    theme = sample_theme(templates_dir=str(tmp_path / "templates"))
    renderer = renderer_for(theme)
    assert renderer.render_count == 0
    digest, items = january()
    preview = renderer.render(digest, items, theme, BUILTIN_PROFILES["plain"].links(theme))
    exported = export_digest(renderer, digest, items, theme, BUILTIN_PROFILES["plain"])
    prepared = prepare_digest(digest.touched("2023-03-01T10:00:00+00:00"), items, theme)
    assert renderer.render_count == 1
    assert exported.html == preview.html == prepared.rendered.html
    assert not hasattr(prepared, "eml")  # no .eml round trip: the parts are what is sent
    assert "eml" not in {field.name for field in dataclasses.fields(PreparedDigest)}
    # another profile writes other links: that is another email
    export_digest(renderer, digest, items, theme, BUILTIN_PROFILES["brevo"])
    assert renderer.render_count == 2


# -- one sender rule, one List-Unsubscribe rule ----------------------------------------------------
def smtp(**changes: object) -> SmtpSettings:
    return with_changes(SmtpSettings(), {"host": "127.0.0.1", "security": "none", **changes})


def test_one_sender_rule_for_files_and_sends() -> None:
    theme = sample_theme()
    file_sender = sender_for(theme)
    assert str(file_sender.address) == "Newsroom <newsroom@example.org>"
    assert file_sender.notes == ()
    assert sender_for(theme, smtp()).address == file_sender.address  # the theme's, for both
    own = sender_for(theme, smtp(sender_address="desk@example.org", sender_name="Desk"))
    assert str(own.address) == "Desk <desk@example.org>"
    bare = sender_for(sample_theme(from_address="news@example.org"))
    assert bare.address.display_name == theme.organisation
    # a file without any sender gets the placeholder and says so; a send is refused
    unset = sample_theme(from_address="")
    placeholder = sender_for(unset)
    assert placeholder.address.addr_spec == FALLBACK_FROM
    assert placeholder.notes and "no sender address" in placeholder.notes[0]
    with pytest.raises(NewsdigestError, match="sender address"):
        sender_for(unset, smtp())
    broken = dataclasses.replace(theme, from_address="Newsroom <not an address>")
    assert sender_for(broken).address.addr_spec == FALLBACK_FROM
    with pytest.raises(ValidationError, match="theme from_address"):
        sender_for(broken, smtp())


def test_the_file_and_the_send_share_the_list_unsubscribe_rule() -> None:
    shared = UnsubscribeRule("https://news.example.org/leave", sender="news@example.org")
    assert list_unsubscribe(shared) == "<https://news.example.org/leave>"
    assert list_unsubscribe(shared, "ann@example.org") == shared.header("ann@example.org")
    mailto = UnsubscribeRule("mailto:leave@example.org?subject=unsubscribe")
    assert list_unsubscribe(mailto) == "<mailto:leave@example.org?subject=unsubscribe>"
    personal = UnsubscribeRule("https://news.example.org/leave?u={email}")
    assert list_unsubscribe(personal) is None  # a file has no reader to fill it in for
    assert list_unsubscribe(personal, "ann@example.org") == (
        "<https://news.example.org/leave?u=ann@example.org>"
    )
    assert list_unsubscribe(UnsubscribeRule("*|UNSUB|*")) is None


def test_the_eml_and_a_sent_message_are_assembled_alike() -> None:
    digest, items = january()
    theme = sample_theme()
    renderer = Renderer()
    exported = export_digest(renderer, digest, items, theme, BUILTIN_PROFILES["plain"])
    prepared = prepare_digest(digest, items, theme, renderer=renderer)
    assert renderer.render_count == 1
    from composer.recipients import recipients_from_addresses

    (reader,) = recipients_from_addresses(["Ann <ann@example.org>"]).recipients
    sent = parse(MessageFactory(prepared, smtp()).build(reader))
    saved = parse(exported.eml)
    assert sent["From"] == saved["From"] == "Newsroom <newsroom@example.org>"
    assert sent["Subject"] == saved["Subject"] == digest.title
    for message in (sent, saved):
        parts = [part.get_content_type() for part in message.iter_parts()]
        assert parts == ["text/plain", "text/html"]
    assert sent.get_body(("html",)).get_content() == saved.get_body(("html",)).get_content()
    assert [name for name, _ in sent.items()][-3:] == [name for name, _ in saved.items()][-3:]
