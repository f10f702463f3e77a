"""`flask rebates ...`: import a network's report, a member's balances, the rules, payouts."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from community.accounts.cli import user_or_fail
from community.affiliate.services import identity_of
from community.clock import utcnow
from community.errors import ValidationFailed
from community.extensions import db
from community.rebates import ledger, withdrawals
from community.rebates.importer import CHECKING, import_report
from community.rebates.models import NETWORKS
from community.rebates.settings import rebate_settings, update_rebate_settings

rebates_cli = AppGroup("rebates", help="Affiliate orders, rebate balances and withdrawals.")


def refuse(failure: ValidationFailed) -> None:
    db.session.rollback()
    raise click.ClickException("; ".join(f"{f or 'input'}: {r}" for f, r in failure.errors))


class ImportProgress:
    """What an import shows on stderr: the rows checked as they are read (how many there are
    is known only at the end), then a bar over the rows written."""

    def __init__(self, stack: contextlib.ExitStack):
        self.stack = stack
        self.bar = None
        self.checking = False
        stack.callback(self.end_line)

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if stage == CHECKING:
            click.echo(f"\rchecking: {done:,} rows", nl=False, err=True)
            self.checking = True
            return
        if self.bar is None:
            click.echo(err=True)
            self.bar = self.stack.enter_context(
                click.progressbar(length=total, label="writing", file=sys.stderr, show_pos=True)
            )
        self.bar.update(done - self.bar.pos)

    def end_line(self) -> None:
        """Close the checking line when no bar followed it (a refused file, say)."""
        if self.checking and self.bar is None:
            click.echo(err=True)


@rebates_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--network", required=True, type=click.Choice(NETWORKS))
@click.option("--partial", is_flag=True, help="Write the good rows even when some are refused.")
def import_command(file: Path, network: str, partial: bool):
    """Import FILE, an order report of NETWORK (idempotent: a second run changes nothing)."""
    with contextlib.ExitStack() as stack:
        progress = ImportProgress(stack)
        run = import_report(
            file, network, utcnow(), filename=file.name, partial=partial, progress=progress
        )
    click.echo(
        f"{run.status}: {run.rows_read} rows read, {run.new_lines} new, {run.changed} changed, "
        f"{run.unchanged} unchanged, {run.unmatched} unmatched, {run.skipped} skipped, "
        f"{run.refused} refused"
    )
    for line, reason in json.loads(run.refusals):
        click.echo(f"  line {line}: {reason}", err=True)
    if run.status == "refused":
        raise click.ClickException("nothing was written")


@rebates_cli.command("balance")
@click.argument("email")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (amounts in fen).")
def balance_command(email: str, as_json: bool):
    """Print EMAIL's sub id, inviter and balances."""
    user = user_or_fail(email)
    report = {
        "sub_id": identity_of(user).sub_id,
        "inviter": user.inviter.email if user.inviter is not None else None,
        **ledger.balances(user.id, utcnow()).as_dict(),
    }
    db.session.commit()
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
        return
    for key, value in report.items():
        click.echo(f"{key}: {value if value is not None else '-'}")


@rebates_cli.command("settings")
@click.option("--referral-share", type=int, help="Percent of a commission for the inviter.")
@click.option("--holding-days", type=int, help="Days after settlement before withdrawable.")
@click.option("--minimum-withdrawal", type=int, help="Least a member may withdraw, in fen.")
def settings_command(referral_share, holding_days, minimum_withdrawal):
    """Show the rebate rules, or change those given."""
    row = rebate_settings()
    if any(value is not None for value in (referral_share, holding_days, minimum_withdrawal)):
        try:
            row = update_rebate_settings(
                None,
                row.referral_share if referral_share is None else referral_share,
                row.holding_days if holding_days is None else holding_days,
                row.minimum_withdrawal if minimum_withdrawal is None else minimum_withdrawal,
            )
        except ValidationFailed as failure:
            refuse(failure)
    db.session.commit()
    click.echo(
        f"referral share {row.referral_share}%, holding days {row.holding_days}, "
        f"minimum withdrawal {row.minimum_withdrawal} fen"
    )


@rebates_cli.command("payouts")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def payouts_command(output: Path):
    """Write approved withdrawals as a payout batch CSV (UTF-8 with BOM)."""
    approved = withdrawals.queue((withdrawals.APPROVED,), limit=10_000)
    output.write_bytes(withdrawals.payout_csv(approved))
    click.echo(f"{len(approved)} approved withdrawals written to {output}")
