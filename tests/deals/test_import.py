"""Importing deals: encodings detected and named, every bad row reported with its line, nothing
written when any row is bad, re-import a no-op, a changed row an update."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from community.clock import utcnow
from community.deals.importer import import_deals
from community.deals.models import EXPIRED, LIVE, SCHEDULED, Deal
from community.extensions import db
from tests.helpers import csrf_from

HEADER = (
    "id,title,platform,url,list_price,price,coupon,commission_rate,category,tags,"
    "starts_at,expires_at,description"
)
JD = "https://union-click.jd.com/jdc?sku={n}&subUnionId={{sub_id}}"
TAOBAO = "https://uland.taobao.com/coupon/edetail?itemId={n}&relationId={{relation_id}}"


@pytest.fixture(autouse=True)
def in_english(app):
    """Reasons read in English here; the Chinese catalog is checked by the translation tests."""
    with force_locale("en"):
        yield


def row(n: int, **overrides) -> dict:
    values = {
        "id": f"d{n}",
        "title": f"小米手环 {n} 代",
        "platform": "jd",
        "url": JD.format(n=n),
        "list_price": "299.00",
        "price": "189.00",
        "coupon": "满200减30",
        "commission_rate": "5.5",
        "category": "数码",
        "tags": "手环|运动",
        "starts_at": "",
        "expires_at": "",
        "description": "心率、血氧，**续航 21 天**。",
    }
    return values | overrides


def csv_text(rows: list[dict], header: str = HEADER) -> str:
    names = header.split(",")
    lines = [header]
    for values in rows:
        cells = []
        for name in names:
            cell = str(values.get(name, ""))
            cells.append(f'"{cell}"' if any(c in cell for c in ',"\n') else cell)
        lines.append(",".join(cells))
    return "\r\n".join(lines) + "\r\n"


def count_deals() -> int:
    return db.session.scalar(select(func.count(Deal.id)))


@pytest.mark.parametrize(
    ("encode", "named"),
    [
        (lambda text: text.encode("utf-8"), "UTF-8"),
        (lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"), "UTF-8 (BOM)"),
        (lambda text: text.encode("gbk"), "GB18030/GBK"),
    ],
)
def test_each_encoding_is_detected_named_and_read_right(app, encode, named):
    data = encode(csv_text([row(1), row(2, title="美的电饭煲 智能预约", category="家电")]))
    result = import_deals(data, utcnow())
    db.session.commit()
    assert result.errors == []
    assert (result.encoding, result.format, result.created) == (named, "csv", 2)
    deal = db.session.scalar(select(Deal).where(Deal.external_id == "d2"))
    assert (deal.title, deal.category, deal.price, deal.list_price) == (
        "美的电饭煲 智能预约",
        "家电",
        18900,
        29900,
    )
    assert deal.commission_rate == 550 and deal.tag_names == ["手环", "运动"]


def test_column_order_is_free_and_extra_columns_are_ignored(app):
    header = "备注,price,title,url,platform,id,extra"
    text = csv_text([row(1) | {"备注": "运营备注", "extra": "x"}], header=header)
    result = import_deals(text.encode(), utcnow())
    assert result.errors == [] and result.created == 1


def test_json_lines_import_with_the_same_keys(app):
    lines = [json.dumps(row(1) | {"price": 189, "tags": ["手环", "运动"]}, ensure_ascii=False)]
    lines.append(json.dumps(row(2), ensure_ascii=False))
    result = import_deals("\n".join(lines).encode(), utcnow())
    assert result.errors == [] and (result.format, result.created) == ("jsonl", 2)
    assert db.session.scalar(select(Deal.price).where(Deal.external_id == "d1")) == 18900


BAD_ROWS = [
    ({"platform": "amazon"}, "Unknown platform"),
    ({"price": "十九块"}, "The price is not an amount"),
    ({"price": "12.345"}, "The price is not an amount"),
    ({"price": "-5"}, "The price is not an amount"),
    ({"price": "NaN"}, "The price is not an amount"),
    ({"list_price": "1e5"}, "The list price is not an amount"),
    ({"price": "399.00"}, "The deal price is above the list price"),
    ({"url": "javascript:alert(1)"}, "must start with http"),
    ({"url": "ftp://example.com/x?u={sub_id}"}, "must start with http"),
    ({"url": "https://item.jd.com/1.html"}, "needs a place for the member"),
    ({"platform": "taobao", "url": "https://item.taobao.com/x?id=1&u={sub_id}"}, "needs a place"),
    ({"url": "https://{sub_id}.evil.com/x"}, "host must be written out"),
    ({"url": "https://a.com/x?u={sub_id}&v={email}"}, "unknown place"),
    ({"url": "https://a.com/x?u={sub_id}\r\nLocation: //evil"}, "control characters"),
    ({"commission_rate": "150"}, "commission rate"),
    ({"expires_at": "明天"}, "end time is not an ISO-8601"),
    ({"starts_at": "2026-12-10T00:00+08:00", "expires_at": "2026-12-09T00:00+08:00"}, "ends"),
    ({"title": ""}, "The title is missing"),
]


@pytest.mark.parametrize(("change", "reason"), BAD_ROWS)
def test_a_bad_row_is_reported_with_its_line_and_nothing_is_written(app, change, reason):
    text = csv_text([row(1), row(2, **change), row(3)])
    result = import_deals(text.encode(), utcnow())
    db.session.commit()
    assert result.errors, result
    assert [line for line, _reason in result.errors] == [3] * len(result.errors)
    assert any(reason.lower() in message.lower() for _line, message in result.errors), result
    assert count_deals() == 0


def test_duplicate_ids_in_one_file_are_refused(app):
    result = import_deals(csv_text([row(1), row(2), row(1, title="again")]).encode(), utcnow())
    assert result.errors == [(4, "The id d1 is also on line 2.")]
    assert count_deals() == 0


def test_quoted_multiline_descriptions_keep_line_numbers_right(app):
    text = csv_text([row(1, description="第一行\n第二行\n第三行"), row(2, price="abc")])
    result = import_deals(text.encode(), utcnow())
    assert [line for line, _ in result.errors] == [5]


def test_reimport_changes_nothing_and_a_changed_row_updates(app):
    data = csv_text([row(1), row(2, platform="taobao", url=TAOBAO.format(n=2))]).encode()
    assert import_deals(data, utcnow()).created == 2
    db.session.commit()
    before = {
        deal.id: (deal.updated_at, deal.starts_at) for deal in db.session.scalars(select(Deal))
    }
    again = import_deals(data, utcnow() + timedelta(minutes=5))
    db.session.commit()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    after = {
        deal.id: (deal.updated_at, deal.starts_at) for deal in db.session.scalars(select(Deal))
    }
    assert after == before

    changed = csv_text(
        [row(1, price="179.00", tags="手环"), row(2, platform="taobao", url=TAOBAO.format(n=2))]
    )
    result = import_deals(changed.encode(), utcnow())
    db.session.commit()
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    deal = db.session.scalar(select(Deal).where(Deal.external_id == "d1"))
    assert (deal.price, deal.tag_names) == (17900, ["手环"])
    assert count_deals() == 2


def test_windows_decide_the_status_and_a_past_end_imports_as_expired(app):
    now = utcnow()
    rows = [
        row(1, expires_at=(now - timedelta(days=1)).isoformat()),
        row(2, starts_at=(now + timedelta(days=1)).isoformat()),
        row(3, starts_at="2026-01-01 10:00", expires_at=""),
    ]
    assert import_deals(csv_text(rows).encode(), now).errors == []
    db.session.commit()
    states = {d.external_id: (d.status, d.state_at(now)) for d in db.session.scalars(select(Deal))}
    assert states == {
        "d1": (EXPIRED, EXPIRED),
        "d2": (SCHEDULED, SCHEDULED),
        "d3": (LIVE, LIVE),
    }
    # A time without an offset is the site's (Asia/Shanghai): 10:00 there is 02:00 UTC.
    third = db.session.scalar(select(Deal).where(Deal.external_id == "d3"))
    assert (third.starts_at.hour, third.starts_at.minute) == (2, 0)


def test_a_file_that_is_not_text_or_lacks_columns_is_refused_whole(app):
    assert import_deals(b"\x00\x01\x02\xff\xfe" * 200, utcnow()).errors
    lacking = import_deals(b"id,title\n1,x\n", utcnow())
    assert lacking.errors and "platform" in lacking.errors[0][1]
    assert import_deals(b'{"id": "1"\n', utcnow()).errors[0][0] == 1
    assert count_deals() == 0


def test_cli_names_the_encoding_and_refuses_bad_files(app, runner, tmp_path):
    good = tmp_path / "deals.csv"
    good.write_bytes(csv_text([row(1), row(2)]).encode("gbk"))
    result = runner.invoke(args=["deals", "import", str(good)])
    assert result.exit_code == 0, result.output
    assert "GB18030/GBK" in result.output and "2 new" in result.output
    again = runner.invoke(args=["deals", "import", str(good)])
    assert "0 new, 0 changed, 2 unchanged" in again.output

    bad = tmp_path / "bad.csv"
    bad.write_text(csv_text([row(3), row(4, price="x")]), encoding="utf-8")
    refused = runner.invoke(args=["deals", "import", str(bad)])
    assert refused.exit_code != 0
    assert "line 3:" in refused.output and "nothing was written" in refused.output
    assert count_deals() == 2


def test_operators_upload_a_file_and_see_each_bad_line(app, client, login, operator, member):
    login(client, operator)
    token = csrf_from(client.get("/operator/deals"))
    bad = csv_text([row(1), row(2, platform="亚马逊")]).encode("gbk")
    response = client.post(
        "/operator/deals/import",
        data={"csrf_token": token, "deals_file": (io.BytesIO(bad), "d.csv")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "GB18030/GBK" in page and "亚马逊" in page and count_deals() == 0
    good = csv_text([row(1), row(2)]).encode("utf-8-sig")
    response = client.post(
        "/operator/deals/import",
        data={"csrf_token": token, "deals_file": (io.BytesIO(good), "d.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200 and count_deals() == 2

    login(client, member)
    response = client.post(
        "/operator/deals/import",
        data={"csrf_token": token, "deals_file": (io.BytesIO(good), "d.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code in (400, 403)


def test_demo_seed_loads_forty_deals_some_expired(app, runner):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    now = utcnow()
    deals = list(db.session.scalars(select(Deal)))
    states = [deal.state_at(now) for deal in deals]
    assert len(deals) == 40
    assert states.count(EXPIRED) >= 5 and states.count(LIVE) >= 25
    assert {deal.platform for deal in deals} == {"taobao", "tmall", "jd", "pdd", "other"}
    assert len({deal.category for deal in deals}) >= 8
