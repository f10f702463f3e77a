"""A deal shared away from the site shows its title, platform and category, never money."""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

from PIL import Image

from tests.deals.conftest import SECRET_COUPON


def og(page: str, name: str) -> str:
    return re.search(rf'<meta property="og:{name}" content="([^"]*)"', page).group(1)


def test_a_deal_page_carries_an_open_graph_card_without_money(client, login, member, make_deal):
    deal = make_deal(title="索尼耳机 SHARECARD")
    for viewer in (None, member):
        if viewer is not None:
            login(client, viewer)
        page = client.get(f"/deals/{deal.id}").get_data(as_text=True)
        assert og(page, "title") == "索尼耳机 SHARECARD"
        assert og(page, "url").endswith(f"/deals/{deal.id}")
        head = page.split("</head>")[0]
        assert not any(price in head for price in ("¥189", "189.00", "18900"))
        assert SECRET_COUPON not in head and "/go/" not in head
        address = urlsplit(og(page, "image"))
        image = client.get(f"{address.path}?{address.query}")
        assert image.status_code == 200 and image.mimetype == "image/png"
        assert Image.open(io.BytesIO(image.data)).size == (1200, 630)


def test_a_drafts_card_is_not_found(client, make_deal):
    draft = make_deal(status="draft")
    assert client.get(f"/deals/{draft.id}/card.png").status_code == 404
    assert client.get("/deals/999999/card.png").status_code == 404
