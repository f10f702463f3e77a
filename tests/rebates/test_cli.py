"""`flask rebates import`, `balance --json`, `settings` and `payouts`."""

from __future__ import annotations

import json

from community.affiliate.services import sub_id_of
from community.clock import utcnow
from community.extensions import db
from community.rebates import withdrawals
from community.rebates.importer import import_report
from tests.rebates import reports
from tests.rebates.conftest import days_later


def test_import_then_balance_as_json(runner, inviter_and_buyer, tmp_path):
    inviter, buyer = inviter_and_buyer
    path = reports.write_csv(
        tmp_path / "g.csv",
        reports.GENERIC_HEADERS,
        [
            reports.generic_row("X1", sub_id_of(buyer), commission="10.00"),
            reports.generic_row(
                "X2",
                sub_id_of(buyer),
                "settled",
                commission="20.00",
                settled_at=days_later(-20).isoformat(),
            ),
        ],
        "utf-8-sig",
    )
    result = runner.invoke(args=["rebates", "import", str(path), "--network", "generic"])
    assert result.exit_code == 0, result.output
    assert "done: 2 rows read, 2 new" in result.output
    again = runner.invoke(args=["rebates", "import", str(path), "--network", "generic"])
    assert "0 new, 0 changed, 2 unchanged" in again.output

    answer = runner.invoke(args=["rebates", "balance", buyer.email, "--json"])
    assert answer.exit_code == 0, answer.output
    assert json.loads(answer.output) == {
        "sub_id": sub_id_of(buyer),
        "inviter": inviter.email,
        "pending": 500,
        "confirmed": 1000,
        "withdrawable": 1000,
        "frozen": 0,
        "paid": 0,
    }
    alone = json.loads(runner.invoke(args=["rebates", "balance", inviter.email, "--json"]).output)
    assert alone["inviter"] is None and alone["pending"] == 100


def test_a_refused_file_fails_the_command_and_names_the_line(runner, member, tmp_path):
    path = reports.write_csv(
        tmp_path / "bad.csv",
        reports.GENERIC_HEADERS,
        [reports.generic_row("Y1", sub_id_of(member), commission="abc")],
    )
    db.session.commit()
    result = runner.invoke(args=["rebates", "import", str(path), "--network", "generic"])
    assert result.exit_code != 0
    assert "line 2: commission" in result.output


def test_settings_and_payouts(runner, generic_import, member, operator, tmp_path):
    result = runner.invoke(args=["rebates", "settings", "--referral-share", "12"])
    assert "referral share 12%" in result.output
    refused = runner.invoke(args=["rebates", "settings", "--holding-days", "-1"])
    assert refused.exit_code != 0
    generic_import(
        [
            reports.generic_row(
                "Z1",
                sub_id_of(member),
                "settled",
                commission="100.00",
                settled_at=days_later(-30).isoformat(),
            )
        ]
    )
    item = withdrawals.request_withdrawal(member, 2000, "bank", "6222 0000", "李明", utcnow())
    withdrawals.approve(operator, item, utcnow())
    db.session.commit()
    out = tmp_path / "payouts.csv"
    answer = runner.invoke(args=["rebates", "payouts", "-o", str(out)])
    assert "1 approved" in answer.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf") and "李明" in out.read_text("utf-8-sig")


def test_a_long_import_shows_rows_checked_then_a_bar_of_rows_written(runner, member, tmp_path):
    sub = sub_id_of(member)
    db.session.commit()
    rows = [reports.generic_row(f"L{n}", sub, commission="1.00") for n in range(2500)]
    rows.append(reports.generic_row("BAD", sub, commission="abc"))
    path = reports.write_csv(tmp_path / "long.csv", reports.GENERIC_HEADERS, rows)
    heard = []
    import_report(
        path, "generic", utcnow(), partial=True, progress=lambda *told: heard.append(told)
    )
    assert heard == [
        ("checking", 1000, None),
        ("checking", 2000, None),
        ("checking", 2501, None),
        ("writing", 1000, 2500),
        ("writing", 2000, 2500),
        ("writing", 2500, 2500),
    ]
    result = runner.invoke(
        args=["rebates", "import", str(path), "--network", "generic", "--partial"]
    )
    assert result.exit_code == 0, result.output
    assert "checking: 2,501 rows" in result.stderr and "writing" in result.stderr
    assert "partial: 2501 rows read, 0 new, 0 changed, 2500 unchanged" in result.stdout
