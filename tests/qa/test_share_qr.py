"""QR codes of invite links and questions: they scan to the site's own absolute address."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

from community.extensions import db
from community.qa.services import curation


def scanned(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1
    return results[0].text


def scanned_svg_matches(svg: bytes) -> bool:
    return svg.startswith(b"<svg") and b"<path" in svg


@pytest.fixture
def site(app):
    app.config["SITE_URL"] = "https://community.example.com"


def test_a_question_qr_scans_to_its_address(app, site, client, make_question):
    question = make_question(title="分享这个问题：信用卡年费")
    png = client.get(f"/qa/{question.id}/qr.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert "Content-Disposition" not in png.headers
    assert scanned(png.data) == f"https://community.example.com/qa/{question.id}"
    svg = client.get(f"/qa/{question.id}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and scanned_svg_matches(svg.data)


def test_qr_codes_download_with_a_file_name(app, client, make_question):
    question = make_question()
    for kind in ("png", "svg"):
        saved = client.get(f"/qa/{question.id}/qr.{kind}?download=1")
        assert (
            saved.headers["Content-Disposition"]
            == f"attachment; filename=question-{question.id}.{kind}"
        )


def test_the_question_page_offers_the_link_and_code(app, site, client, make_question):
    question = make_question()
    page = client.get(f"/qa/{question.id}").get_data(as_text=True)
    assert f'value="https://community.example.com/qa/{question.id}"' in page
    assert f'src="/qa/{question.id}/qr.svg"' in page
    assert f'href="/qa/{question.id}/qr.png?download=1"' in page


def test_no_code_for_a_question_visitors_cannot_see(app, client, operator, make_question):
    question = make_question()
    curation.delete_question(operator, question)
    db.session.commit()
    assert client.get(f"/qa/{question.id}/qr.png").status_code == 404
    assert client.get(f"/qa/{question.id}/qr.svg").status_code == 404


def test_the_invite_qr_scans_to_the_members_invite_link(app, site, client, login, member):
    login(client, member)
    page = client.get("/rebates").get_data(as_text=True)
    assert 'href="/rebates/invite.png?download=1"' in page
    png = client.get("/rebates/invite.png?download=1")
    assert png.headers["Content-Disposition"] == "attachment; filename=invite-qr.png"
    assert scanned(png.data) == f"https://community.example.com/account/invite/{member.invite_code}"
    svg = client.get("/rebates/invite.svg")
    assert svg.mimetype == "image/svg+xml" and "Content-Disposition" not in svg.headers
    assert "private" in svg.headers["Cache-Control"]


def test_visitors_have_no_invite_code(app, client):
    assert client.get("/rebates/invite.png").status_code == 302
