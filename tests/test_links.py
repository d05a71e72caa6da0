"""``tremplin catalog check --links``: each offer's URL asked of a local site started by the test
(never the internet): ok, redirected to ok, 404, 410, a slow answer, a redirect loop, HEAD
refused, nothing listening; and ``catalog check --links --json`` as the contract says."""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
import pytest_asyncio
from factories import offer
from link_site import LinkSite, site_in_thread
from test_freshness import empty_database  # noqa: F401  (a fixture)

from bot.cli.main import main
from catalog.formats.csvio import write_csv
from catalog.maintenance.links import USER_AGENT, LinkProblem, check_links

SECONDS = 0.5  # the slow path answers after 30 s: the check gives up well before


@pytest_asyncio.fixture
async def site() -> AsyncIterator[LinkSite]:
    site = LinkSite()
    await site.start()
    yield site
    await site.stop()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.asyncio
async def test_each_kind_of_answer(site: LinkSite) -> None:
    refused = f"http://127.0.0.1:{_closed_port()}/"
    pairs = [(name, site.url(f"/{name}")) for name in (
        "ok", "moved", "gone", "removed", "loop-a", "no-head", "slow"
    )]
    pairs += [("refused", refused), ("no-url", "")]
    found = await check_links(pairs, seconds=SECONDS)
    assert [(item.offer, item.detail) for item in found] == [
        ("gone", "HTTP 404"),
        ("loop-a", f"redirect loop ({site.url('/loop-a')} again)"),
        ("refused", found[2].detail),
        ("removed", "HTTP 410"),
        ("slow", "no answer within 0.5 s"),
    ]
    assert found[2].detail.startswith("cannot connect")
    # HEAD first, GET only where HEAD was refused; the redirect followed to its end.
    asked = [(method, path) for method, path, _ in site.requests]
    assert ("GET", "/no-head") in asked and ("GET", "/ok") not in asked
    assert ("HEAD", "/ok") in asked and asked.count(("HEAD", "/ok")) == 2  # /ok and /moved
    assert {agent for _, _, agent in site.requests} == {USER_AGENT}
    assert "Tremplin" in USER_AGENT


@pytest.mark.asyncio
async def test_a_url_shared_by_offers_is_asked_once_and_reported_for_each(site: LinkSite) -> None:
    url = site.url("/gone")
    found = await check_links([("b", url), ("a", url)], seconds=SECONDS)
    assert found == [LinkProblem("a", url, "HTTP 404"), LinkProblem("b", url, "HTTP 404")]
    assert len(site.requests) == 1


@pytest.fixture
def untrusted(tmp_path: Path) -> ssl.SSLContext:
    """A server context with a self-signed certificate, made by openssl for this test."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


@pytest.mark.asyncio
async def test_a_certificate_that_is_not_trusted_is_a_tls_problem(
    untrusted: ssl.SSLContext,
) -> None:
    context = untrusted
    site = LinkSite(tls=context)
    await site.start()
    try:
        (found,) = await check_links([("a", site.url("/ok"))], seconds=5)
    finally:
        await site.stop()
    assert found.detail.startswith("TLS error: ") and "certificate" in found.detail


@pytest.mark.asyncio
async def test_too_many_redirects_are_a_problem(site: LinkSite) -> None:
    found = await check_links([("a", site.url("/moved"))], seconds=SECONDS, max_redirects=0)
    assert [item.detail for item in found] == ["more than 0 redirects"]


@pytest.mark.asyncio
async def test_no_more_connections_than_the_concurrency_at_once() -> None:
    site = LinkSite(delay_seconds=0.05)
    await site.start()
    try:
        pairs = [(f"o{n}", site.url(f"/ok?n={n}")) for n in range(60)]
        assert await check_links(pairs, concurrency=3, seconds=5) == []
    finally:
        await site.stop()
    assert len(site.requests) == 60
    assert site.most_open == 3  # the limit, reached: the work was spread over three


@pytest.mark.asyncio
async def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="concurrency"):
        await check_links([], concurrency=0)


@pytest.mark.usefixtures("empty_database")
def test_check_links_json_finds_exactly_the_404_the_timeout_the_loop_and_the_old_offer(
    database_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with site_in_thread() as site:
        offers = [
            offer(name, title=f"Atelier {name}", description="x", url=site.url(path),
                  updated_on=date(2026, 11, 2))
            for name, path in (
                ("ok", "/ok"), ("moved", "/moved"), ("no-head", "/no-head"),
                ("gone", "/gone"), ("slow", "/slow"), ("loop", "/loop-a"),
            )
        ]
        offers.append(offer("old", title="Atelier ancien", description="x",
                            url=site.url("/ok"), updated_on=date(2024, 6, 1)))
        path = tmp_path / "site.csv"
        path.write_text(write_csv(offers), encoding="utf-8")
        base = ["--database-url", database_url, "catalog"]
        assert main([*base, "import", str(path)]) == 0
        capsys.readouterr()
        assert main([*base, "check", "--links", "--json", "--timeout", str(SECONDS),
                     "--today", "2026-12-03"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [(item["offer"], item["kind"]) for item in report["problems"]] == [
        ("gone", "link"), ("loop", "link"), ("old", "stale"), ("slow", "link"),
    ]
    assert set(report["problems"][0]) == {"offer", "kind", "detail"}
    details = {item["offer"]: item["detail"] for item in report["problems"]}
    assert details["gone"].endswith(": HTTP 404")
    assert details["slow"].endswith(": no answer within 0.5 s")
    assert "redirect loop" in details["loop"]
    assert "updated on 2024-06-01" in details["old"]
    assert "hidden from citizens until confirmed" in details["old"]
