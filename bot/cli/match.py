"""``tremplin match``: the offers that fit a profile given on the command line.

For maintainers checking the catalogue and the matcher: the same ranking and reasons as the
bot, in plain text or as the JSON object of the command line contract. Exit codes: 0 success,
1 runtime failure (database), 2 bad usage, with a message on stderr naming the problem.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from sqlalchemy.exc import SQLAlchemyError

from bot.chats.database import open_database
from catalog.i18n import translator
from catalog.matching.matcher import CatalogIndex, Match, alternatives, match
from catalog.matching.profile import Profile
from catalog.schedule import local_now
from catalog.settings import Settings
from catalog.store.offers import load_offers
from catalog.vocabulary import AUDIENCES, TOPICS

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
MAX_TEXT = 1000  # a citizen's message; longer input is not a need


class UsageError(Exception):
    """A bad option value, with the sentence that explains it."""


def _codes(values: list[str], known: dict[str, str], option: str) -> frozenset[str]:
    for value in values:
        if value not in known:
            raise UsageError(
                f"unknown {option} code {value!r}; valid codes: {', '.join(known)}"
            )
    return frozenset(values)


def _near(value: str | None) -> tuple[float, float] | None:
    if value is None:
        return None
    parts = value.split(",")
    try:
        if len(parts) != 2:
            raise ValueError
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        raise UsageError(f"--near {value!r}: expected LAT,LON in decimal degrees, "
                         "e.g. 45.7772,3.0822") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise UsageError(f"--near {value!r}: latitude must be in -90..90 and longitude "
                         "in -180..180")
    return lat, lon


def _today(value: str | None, zone: str) -> date:
    """``--today``, else today in the city's time zone (TREMPLIN_TIMEZONE)."""
    if value is None:
        return local_now(zone).date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--today {value!r}: expected a date as YYYY-MM-DD") from None


def profile_of(args: argparse.Namespace) -> Profile:
    """The matcher's profile for the options, or :class:`UsageError` naming the bad one."""
    if args.age is not None and not 0 <= args.age <= 120:
        raise UsageError(f"--age {args.age}: expected an age from 0 to 120")
    if args.limit < 1:
        raise UsageError(f"--limit {args.limit}: expected 1 or more")
    return Profile(
        age=args.age,
        situations=_codes(args.situation, AUDIENCES, "--situation"),
        topics=_codes(args.topic, TOPICS, "--topic"),
        text=args.text[:MAX_TEXT].strip(),
        near=_near(args.near),
        free_only=args.free_only,
        online_only=args.online_only,
        lang=args.lang,
    )


def as_json(found: list[Match], lang: str) -> str:
    """The contract's JSON object: ``{"results": [{"id", "title", "score", "reasons", "why"}]}``."""
    tr = translator(lang)
    return json.dumps(
        {"results": [
            {
                "id": item.offer.id,
                "title": item.offer.title_in(lang),
                "score": round(item.score, 2),
                "reasons": [reason.text(tr) for reason in item.reasons],
                "why": list(item.why),
            }
            for item in found
        ]},
        ensure_ascii=False,
    )


def as_text(found: list[Match], lang: str) -> list[str]:
    """One block per offer: rank, title, provider and score, then a line per reason."""
    tr = translator(lang)
    lines: list[str] = []
    for rank, item in enumerate(found, start=1):
        lines.append(f"{rank}. {item.offer.title_in(lang)} — {item.offer.provider} "
                     f"[{item.offer.id}, score {item.score:.2f}]")
        lines += [f"   · {reason.text(tr)}" for reason in item.reasons]
    return lines


async def _catalogue(settings: Settings) -> CatalogIndex:
    database = await open_database(settings.database_url)
    try:
        async with database.sessions() as session:
            return CatalogIndex(await load_offers(session=session))
    finally:
        await database.close()


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """``tremplin match``: print the best offers for the profile given as options."""
    try:
        profile = profile_of(args)
        today = _today(args.today, settings.timezone)
    except UsageError as error:
        print(f"tremplin match: {error}", file=sys.stderr)
        return EXIT_USAGE
    try:
        index = await _catalogue(settings)
    except (SQLAlchemyError, OSError) as error:
        print(f"tremplin match: cannot read the catalogue: {error}", file=sys.stderr)
        return EXIT_FAILURE
    found = match(profile, index, today=today, limit=args.limit)
    if args.json:
        print(as_json(found, args.lang))
        return EXIT_OK
    if found:
        print("\n".join(as_text(found, args.lang)))
        return EXIT_OK
    print("No offer fits this profile.")
    closest = alternatives(profile, index, today=today, limit=args.limit)
    if closest is not None:
        print(f"Leaving aside {closest.dropped}, the closest offers are:")
        print("\n".join(as_text(closest.matches, args.lang)))
    return EXIT_OK
