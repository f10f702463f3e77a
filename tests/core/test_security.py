"""Headers, cookies, safe redirects and error pages."""

import pytest
from flask import Blueprint

from community.accounts.models import User
from community.extensions import db
from community.security import safe_next_url
from tests.conftest import PASSWORD
from tests.helpers import post_form, zh


def test_security_headers_on_every_page(client):
    for path in ("/", "/account/login", "/missing", "/api/v1/me"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert (
            "script-src 'self'" in csp
            and "frame-ancestors 'none'" in csp
            and "unsafe-inline" not in csp
        )
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_pages_have_no_inline_scripts_or_styles(client):
    page = client.get("/").get_data(as_text=True)
    assert (
        "<script>" not in page
        and "<style" not in page
        and " style=" not in page
        and "onclick" not in page
    )


def test_session_cookie_flags(client, member):
    response = post_form(client, "/account/login", {"email": member.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_production_cookies_are_secure(app_config, make_app):
    app = make_app(
        {**app_config, "ENV_NAME": "production", "SITE_URL": "https://community.example.com"}
    )
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    with app.test_client() as client:
        response = client.get("/healthz", headers={"Host": "community.example.com"})
        assert "Strict-Transport-Security" in response.headers


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/questions/1?x=y", "/questions/1?x=y"),
        ("https://evil.example/", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("\\\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/\t/evil.example", "/"),
        (" /settings ", "/settings"),
        ("", "/"),
        (None, "/"),
        ("relative/path", "/"),
    ],
)
def test_safe_next_url(target, expected):
    assert safe_next_url(target) == expected


@pytest.mark.parametrize("code", [400, 403, 404, 410, 413, 429, 500])
def test_error_pages_render_in_chinese(app, code):
    from werkzeug.exceptions import abort

    bp = Blueprint("boom", __name__)

    @bp.route(f"/boom/{code}")
    def boom():
        if code == 500:
            raise RuntimeError("unexpected")
        abort(code)

    app.register_blueprint(bp)
    client = app.test_client()
    response = client.get(f"/boom/{code}")
    assert response.status_code == code
    page = response.get_data(as_text=True)
    assert 'lang="zh-CN"' in page
    assert f'data-status="{code}"' in page


def test_500_rolls_back_the_half_written_change(app, make_user):
    bp = Blueprint("half", __name__)

    @bp.route("/half-write")
    def half_write():
        user = db.session.query(User).one()
        user.name = "改了一半"
        db.session.flush()
        raise RuntimeError("failure after a write")

    make_user(name="原来的名字")
    app.register_blueprint(bp)
    response = app.test_client().get("/half-write")
    assert response.status_code == 500
    assert zh("Something went wrong on our side") in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.query(User).one().name == "原来的名字"


def test_method_not_allowed(client):
    assert client.get("/account/logout").status_code == 405


def test_readyz_checks_the_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["database"] == "ok"


def test_readyz_reports_an_unreachable_database(app_config, tmp_path, make_app):
    app = make_app(
        {**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/db.sqlite"}
    )
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"
