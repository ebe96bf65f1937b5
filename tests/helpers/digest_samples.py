# ruff: noqa: E501  (the fixture text is kept verbatim, one string per field)
"""Test data for digests: the fixture's six January 2023 items, spelled out, and builders.

The January items are those of ``tests/fixtures/news-listing-2023-01.txt`` (a
repeated teaser paragraph kept once), built with :func:`composer.library.item.make_item`
and fixed timestamps, so that the golden file does not depend on the importers
or on the clock.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from composer.library.item import NewsItem, make_item
from composer.theme.model import Theme, theme_from_mapping

STAMP = "2023-02-01T09:00:00+00:00"

JANUARY_2023: list[dict[str, Any]] = [
    {
        "category": "Project News",
        "title": "SCOP Project: Assessment Mission to Moldova",
        "date": "31 January 2023",
        "summary": "During the week of 11-18 November 2022, an assessment mission took place in Chisinau, Moldova within the framework of the ICMPD’s “Support to the Complex Improvement of Migration and Border Management in Moldova (SCOP)” project under its Component 1, funded by the Federal Office for Migration and Refugees (BAMF) of Germany. ICMPD Project Manager and the group of experts tasked with the assessment of HR management with regard to business processes at the Bureau of Migration and Asylum (BMA) of Moldova conducted a series of coordinated field activities, including organisation of workshops and meetings with key stakeholders in the country.",
    },
    {
        "category": "Project News",
        "title": "EU4IMPACT project finalizes the results of the first two Calls",
        "date": "24 January 2023",
        "summary": "On 19 January 2023, the ICMPD office in Armenia summarised the result of the first two Calls of EU4IMPACT project. The event was welcomed by Head of the EU Delegation to Armenia, Ambassador, H.E. Mrs. Andrea Wiktorin, ICMPD Regional Portfolio Manage MS Violeta Wagner, High Commissioner for Diaspora Affairs, Head of Return and Reintegration Unit from Migration and Citizenship Service and Executive Director of IRIS BI foundation.",
    },
    {
        "category": "Project News",
        "title": "STREAMinG Project: Georgia’s Diaspora Awards 2022",
        "date": "18 January 2023",
        "summary": "Georgia’s Diaspora Awards is a high-level event aimed at the recognition of achievements of the prominent professionals of Georgian origin who have contributed to the promotion of Georgia’s positive image abroad. The event is organised in Georgia annually by the Ministry of Foreign Affairs of Georgia in cooperation with ICMPD.",
    },
    {
        "category": "Press Release",
        "title": "Migration Outlook report: Possible second wave of refugees from Ukraine and further weaponisation of migration",
        "date": "18 January 2023",
        "summary": "The EU could see an influx of up to four million more Ukrainians in 2023, and Russia will seek to further weaponise migration from North Africa and the Middle East. These are just two of the forecasts made in the latest Migration Outlook report 2023 from the International Centre for Migration Policy Development (ICMPD).",
    },
    {
        "category": "Expert Voice",
        "title": "Cryptography – how modern technology plays into the hands of people smugglers and human traffickers",
        "date": "13 January 2023",
        "summary": "The creation of sophisticated encryption tools is closely connected to the efforts of the armed forces and state authorities to conceal their communications and strategic documents, which are important for the functioning of the state, security system and protection of citizens. Special encryption tools are also employed in the private sector, helping to protect corporate know-how from economic espionage. However, Cryptography in the hands of criminal entities makes it more difficult for law enforcement and border authorities to detect, document and investigate serious crime related to smuggling and trafficking in human beings.",
    },
    {
        "category": "Project News",
        "title": "SUPPORT PMM delivered training on Outreach and Community Engagement to support Türkiye’s NAVRR Mechanism",
        "date": "09 January 2023",
        "summary": "The SUPPORT PMM Project held nine training sessions on Outreach and Community Engagement for Upscaling Türkiye’s National Assisted Voluntary Return and Reintegration (NAVRR) Mechanism in Ankara, between 12-22 December 2022.",
    },
]


def january_items() -> list[NewsItem]:
    return [make_item({**fields, "created": STAMP, "updated": STAMP}) for fields in JANUARY_2023]


def sample_theme(**changes: Any) -> Theme:
    """The theme the golden file is rendered with."""
    settings: dict[str, Any] = {
        "organisation": "International Centre for Migration Policy Development",
        "postal_address": "Gonzagagasse 1, 1010 Vienna, Austria",
        "unsubscribe_url": "https://news.example.org/unsubscribe",
        "web_version_url": "https://news.example.org/digest/2023-01",
        "from_address": "Newsroom <newsroom@example.org>",
        "locale": "en_GB",
        "footer": "You can write to us at newsroom@example.org.",
    }
    settings.update(changes)
    return theme_from_mapping(settings)


def item(n: int, category: str = "Project News", **fields: Any) -> NewsItem:
    """A made-up item number ``n``, dated in January 2023 (days cycle 1..28)."""
    base: dict[str, Any] = {
        "category": category,
        "title": f"Story number {n} about regional cooperation",
        "date": dt.date(2023, 1, 1 + (n % 28)),
        "summary": (
            f"Story {n}: partners met to review the results of the first project year and agreed "
            "on the next steps for training, data exchange and joint field visits. "
            "The meeting also prepared the annual conference in spring."
        ),
        "url": f"https://www.example.org/news/story-{n}",
        "created": STAMP,
        "updated": STAMP,
    }
    base.update(fields)
    return make_item(base)
