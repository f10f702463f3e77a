"""No 5xx from odd input: every route, as a visitor, a member and an operator, gets ids past
what the database holds, digits `int()` refuses or misreads, and money that is not a number."""

from __future__ import annotations

import re

import pytest
from flask import url_for
from werkzeug.routing.converters import NumberConverter

from community.extensions import db
from community.numbers import MAX_ID, IdConverter
from tests.helpers import zh

# Digits str.isdigit() accepts but int() refuses, digits int() reads but ASCII has not,
# Decimal's specials, signs, blanks, and numbers past every column.
ODD_NUMBERS = [
    "²",
    "①",
    "٣",
    "１２",
    "0",
    "-1",
    "-0",
    "1e999",
    "1E+2",
    "NaN",
    "sNaN",
    "Infinity",
    "",
    str(MAX_ID + 1),
    str(2**63),
    "1" * 5000,
]
# Path parts a route reads as an id.
ODD_IDS = ["0", str(MAX_ID), str(MAX_ID + 1), str(2**63 - 1), str(2**63), "9" * 30, "٣", "²"]
# Path parts read as strings: a feed token names its row by number before the dot.
ODD_STRINGS = ["x", *(f"{odd}.{'a' * 40}" for odd in ("²", "①", "٣", str(2**63)))]
# Query arguments and form fields a view might read as a number.
NUMBER_FIELDS = (
    "page",
    "payment",
    "id",
    "amount",
    "days",
    "discount_percent",
    "grace_days",
    "user_id",
    "value",
    "target",
    "original",
)
PLACEHOLDER = re.compile(r"<(?:(?P<converter>\w+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")


def path_for(rule, id_value: str, string_value: str) -> str:
    """The rule's path with every id part set to `id_value` and every string part to
    `string_value` (an `any(...)` part takes its first choice)."""

    def fill(match: re.Match) -> str:
        converter = match.group("converter")
        if converter == "int":
            return id_value
        if converter == "any":
            return match.group("args").split(",")[0].strip()
        return string_value

    return PLACEHOLDER.sub(fill, rule.rule)


def requests_for(rule):
    """(method, path, query, form) for every odd value the rule's parts and arguments can take."""
    converters = {match.group("converter") for match in PLACEHOLDER.finditer(rule.rule)}
    methods = sorted(rule.methods & {"GET", "POST"})
    paths = []
    if "int" in converters:
        paths += [path_for(rule, value, "x") for value in ODD_IDS]
    if converters - {"int", "any"}:
        paths += [path_for(rule, "1", value) for value in ODD_STRINGS]
    for method in methods:
        for path in paths:
            yield method, path, {}, {}
        for odd in ODD_NUMBERS:
            fields = dict.fromkeys(NUMBER_FIELDS, odd)
            if method == "GET":
                yield method, path_for(rule, "1", "x"), fields, {}
            else:
                yield method, path_for(rule, "1", "x"), {}, fields


@pytest.fixture
def walk_config(app_config):
    # The walk reaches views, not the CSRF check; a 500 comes back as a response to report.
    app_config.update(WTF_CSRF_ENABLED=False, PROPAGATE_EXCEPTIONS=False)
    return app_config


@pytest.mark.parametrize("role", ["visitor", "member", "operator"])
def test_no_route_answers_5xx_to_odd_numbers(walk_config, app, make_user, login, role):
    client = app.test_client()
    if role != "visitor":
        user = make_user(
            email=f"{role}@example.com",
            role="operator" if role == "operator" else "member",
            tier="member",
        )
    failures = []
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]
    for rule in rules:
        for method, path, query, form in requests_for(rule):
            if role != "visitor":
                login(client, user)
            response = client.open(path, method=method, query_string=query, data=form)
            if response.status_code >= 500:
                failures.append((response.status_code, method, path, query or form))
            response.close()
            db.session.rollback()
    assert failures == []


def test_every_number_in_a_route_is_a_bounded_id(app):
    """Routes added later with `<int:…>` get the bounded id converter too."""
    numbers = [
        (rule.rule, converter)
        for rule in app.url_map.iter_rules()
        for converter in rule._converters.values()
        if isinstance(converter, NumberConverter)
    ]
    assert numbers
    for route, converter in numbers:
        assert isinstance(converter, IdConverter), route
        assert (converter.min, converter.max) == (1, MAX_ID), route


@pytest.mark.parametrize("amount", ["sNaN", "NaN", "Infinity", "-Infinity", "1e999", "-0", "1E+2"])
def test_refund_amounts_that_are_not_plain_yuan_answer_400(
    walk_config, app, make_user, login, amount
):
    from community.billing import purchases
    from community.billing.models import Payment
    from community.clock import utcnow
    from community.membership.tiers import tier_by_slug

    operator = make_user(email="desk@example.com", role="operator")
    buyer = make_user(email="buyer@example.com")
    offer = purchases.quote(buyer, tier_by_slug("member"), utcnow())
    payment = purchases.start_purchase(
        buyer, "member", offer.kind, offer.amount, "pass", "offline", utcnow()
    )
    purchases.fulfil_payment(payment, payment.amount, payment.currency, utcnow())
    db.session.commit()
    client = app.test_client()
    login(client, operator)
    response = client.post(
        f"/operator/members/{buyer.id}/payments/{payment.id}/refund",
        data={"amount": amount, "reason": "测试"},
    )
    assert response.status_code == 400
    assert zh("Enter an amount in yuan, like 99.50.") in response.get_data(as_text=True)
    assert db.session.get(Payment, payment.id).refunded_amount == 0


def test_links_are_still_built_for_ids(app):
    with app.test_request_context():
        assert url_for("qa.show", question_id=MAX_ID) == f"/qa/{MAX_ID}"


def test_cli_ids_past_the_columns_are_refused_as_usage_errors(runner, make_user):
    user = make_user(email="comp@example.com")
    result = runner.invoke(
        args=["billing", "revoke-comp", user.email, "--reason", "x", "--period", str(2**63)]
    )
    assert result.exit_code == 2 and "--period" in result.output
