# ruff: noqa: E501  (the fixture text is kept verbatim, one string per field)
"""Test data for digests: the fixture's six January 2023 items, spelled out, and builders.

The January items are those of ``tests/fixtures/news-listing-2023-01.txt`` (our own
invented listing, in the shape of a real one; a repeated teaser paragraph kept once),
built with :func:`composer.library.item.make_item` and fixed timestamps, so that the
golden file does not depend on the importers or on the clock. The sample theme's
organisation is the listing's invented one.
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
        "title": "WELLSPRING Project: Scoping Visit to Vostrana",
        "date": "31 January 2023",
        "summary": "From 7 to 12 November 2022, a team of four engineers visited Caldrith and two rural districts of Vostrana under the OCRC’s “Clean Water for Vostrana’s Small Towns (WELLSPRING)” project, within its first work package, which the Amberlane Foundation funds. The OCRC project lead and the engineers, whose task was to review how the national water agency plans, inspects and repairs village pumping stations, met the agency’s district teams, walked three pipelines with local technicians and held two workshops with mayors, so that the next steps of the project follow what the towns say they need most.",
    },
    {
        "category": "Project News",
        "title": "HARVEST LINK project names the winners of its opening grant rounds",
        "date": "24 January 2023",
        "summary": "On 17 January 2023, the OCRC office in Dravenholt presented the winners of the two opening grant rounds of the HARVEST LINK project. Guests were welcomed by the Mayor of Dravenholt, Ms Ilse Marwick, by the OCRC Programme Lead Mr Tavi Renholm, by the Chair of the Dravenholt Farmers Union and by the director of the Greyfen cooperative bank, which manages the grants for the project.",
    },
    {
        "category": "Project News",
        "title": "LANTERN Project: Orvanne’s Returning Talent Awards 2022",
        "date": "18 January 2023",
        "summary": "Orvanne’s Returning Talent Awards are an annual evening that honours people from Orvanne who studied or worked abroad and came home to open a business, a clinic or a school. The evening is held in Orvanne every December by the Orvanne Chamber of Crafts in cooperation with OCRC.",
    },
    {
        "category": "Press Release",
        "title": "Rural Water Forecast 2023: Drier summers could double the demand for irrigation advice across the plains",
        "date": "18 January 2023",
        "summary": "Farm advisers on the eastern plains could receive twice as many requests for irrigation advice by 2026, and one village well in five may run dry in August. These are two of the findings of the new Rural Water Forecast 2023 published by the Ostmere Centre for Rural Cooperation (OCRC).",
    },
    {
        "category": "Expert Voice",
        "title": "Soil sensors – how cheap electronics and a mobile phone help small farms save water, seed and money",
        "date": "13 January 2023",
        "summary": "A soil moisture sensor that once cost as much as a tractor tyre can now be built for the price of a sack of seed. Fitted with a small radio and a solar cell, it tells a farmer by text message when a field is dry, how deep the water has gone and when rain has done the work for her. In the villages around Tarrowby, thirty farms tried the sensors through the 2022 season and used a third less water on their onion and potato plots. Sensors alone do not mend a leaking channel, however, and the advisers who helped the farms argue that the money saved is best spent first on pipes, gates and training.",
    },
    {
        "category": "Project News",
        "title": "GREENFIELD trains seed bank staff in Seed Saving and Crop Records for Kürnavia’s village network",
        "date": "09 January 2023",
        "summary": "Between 5 and 15 December 2022, the GREENFIELD team ran nine courses on Seed Saving and Crop Records in Halvenport and Orlic for the staff of Kürnavia’s Village Seed Bank Network (VSBN).",
    },
]


def january_items() -> list[NewsItem]:
    return [make_item({**fields, "created": STAMP, "updated": STAMP}) for fields in JANUARY_2023]


def sample_theme(**changes: Any) -> Theme:
    """The theme the golden file is rendered with."""
    settings: dict[str, Any] = {
        "organisation": "Ostmere Centre for Rural Cooperation",
        "postal_address": "4 Mill Lane, 2041 Caldrith, Vostrana",
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
