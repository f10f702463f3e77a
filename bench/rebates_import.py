"""Rows per second and peak memory of `flask rebates import` on large reports.

Writes a generic CSV and a Taobao Union .xlsx of 50,000 and 200,000 order rows (orders of
1,000 members matched by sub id or adzone, one row in twenty unmatched), then imports each
into a fresh migrated SQLite database in a process of its own, and prints rows/second for the
whole import (the checking read, the spool and the chunked writes), by the wall clock and per
second of the process's CPU time (the figure that holds on a shared machine), and the
process's resident memory before the import and at its peak (VmRSS, VmHWM: Python's
allocations and calamine's alike; tracemalloc is left off, as it slows Python several times
over). The goal: at least 5,000 rows/s on SQLite, and memory that does not grow with the file.

Each .xlsx is imported twice, into copies of the same database: as the importer reads it
(streamed) and, as the baseline, with the sheet decoded whole by python-calamine (the fastest
simple reader there is, and what the importer used before); the ratios compare the two.

    python bench/rebates_import.py [--sizes 50000,200000] [--formats generic,taobao]
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MEMBERS = 1000
GOAL = 5000  # rows per second
log = logging.getLogger("bench.rebates_import")


def write_generic(path: Path, rows: int, subs: list[str]) -> None:
    rng = random.Random(rows)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("order_id,sub_id,status,paid_amount,commission,paid_at,settled_at\n")
        for n in range(rows):
            sub = "unknown" if n % 20 == 0 else rng.choice(subs)
            status = rng.choice(("paid", "paid", "settled", "invalid"))
            settled = "2026-11-20T03:00:00+08:00" if status == "settled" else ""
            fen = rng.randint(1, 50_000)
            paid = f"{fen * 10 // 100}.{fen * 10 % 100:02d}"
            commission = f"{fen // 100}.{fen % 100:02d}"
            out.write(
                f"{9_000_000_000_000_000 + n},{sub},{status},{paid},{commission},"
                f"2026-11-01T10:00:00+08:00,{settled}\n"
            )


def write_taobao(path: Path, rows: int, adzones: list[str]) -> None:
    import xlsxwriter

    from tests.rebates.reports import TAOBAO_HEADERS

    rng = random.Random(rows)
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("Page1")
    sheet.write_row(0, 0, TAOBAO_HEADERS)
    for n in range(1, rows + 1):
        status = rng.choice(("订单付款", "订单付款", "订单结算", "订单失效"))
        fen = rng.randint(1, 50_000)
        values = {
            "创建时间": "2026-11-01 10:00:00",
            "付款时间": "2026-11-01 10:00:05",
            "商品信息": "蓝牙耳机 降噪 长续航",
            "商品ID": str(680_000_000_000 + n % 5000),
            "订单状态": status,
            "付款金额": f"{fen * 10 // 100}.{fen * 10 % 100:02d}",
            "付款预估收入": f"{fen // 100}.{fen % 100:02d}",
            "结算预估收入": f"{fen // 100}.{fen % 100:02d}" if status == "订单结算" else "",
            "佣金比率": "10.00 %",
            "结算时间": "2026-11-20 03:00:00" if status == "订单结算" else "",
            "淘宝父订单号": str(3_600_000_000_000_000_000 + n // 2),
            "淘宝子订单号": str(3_700_000_000_000_000_000 + n),
            "推广位ID": "999" if n % 20 == 0 else rng.choice(adzones),
            "渠道关系ID": "",
            "会员运营ID": "",
            "维权标签": "",
        }
        sheet.write_row(n, 0, [values[name] for name in TAOBAO_HEADERS])
    workbook.close()


def seed_members(url: str, folder: Path) -> tuple[list[str], list[str]]:
    from datetime import timedelta

    from flask_migrate import upgrade

    from community import create_app
    from community.accounts.services import register_user
    from community.affiliate.services import assign_position, sub_id_of
    from community.clock import utcnow
    from community.extensions import db
    from community.membership.models import MembershipPeriod
    from community.membership.tiers import seed_default_tiers, tier_by_slug

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": str(folder / "instance"),
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 1024,
        }
    )
    subs, adzones = [], []
    with app.app_context():
        upgrade()
        seed_default_tiers()
        operator = register_user("ops@example.com", "运营", "bench-password", role="operator")
        tier = tier_by_slug("member")
        for n in range(MEMBERS):
            user = register_user(f"m{n}@example.com", f"会员{n}", "bench-password")
            db.session.add(
                MembershipPeriod(
                    user_id=user.id,
                    tier_id=tier.id,
                    starts_at=utcnow() - timedelta(days=1),
                    ends_at=utcnow() + timedelta(days=365),
                    source="comp",
                    reason="bench",
                )
            )
            subs.append(sub_id_of(user))
            adzones.append(str(100_000_000 + n))
            assign_position(operator, user, "adzone_id", adzones[-1])
        db.session.commit()
        db.engine.dispose()
    return subs, adzones


def measure(url: str, folder: Path, path: Path, network: str, reader: str) -> dict:
    """Import `path` in this process; what it took. `reader` "calamine" decodes an Excel
    sheet whole, as the baseline."""
    from community import create_app
    from community.clock import utcnow
    from community.extensions import db
    from community.rebates.importer import import_report
    from community.rebates.reports import files

    if reader == "calamine":
        files.workbook_rows = files.excel_rows
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": str(folder / "instance"),
        }
    )
    with app.app_context():
        before = memory_mb("VmRSS")
        started, cpu = time.perf_counter(), time.process_time()
        run = import_report(path, network, utcnow(), filename=path.name)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        result = {
            "status": run.status,
            "rows": run.rows_read,
            "new": run.new_lines,
            "unmatched": run.unmatched,
            "seconds": seconds,
            "cpu_seconds": cpu,
            "rss_before_mb": before,
            "rss_peak_mb": memory_mb("VmHWM"),
        }
        db.engine.dispose()
    return result


def measured(url: str, path: Path, network: str, reader: str) -> dict:
    """`measure` in a process of its own (so its peak memory is this import's alone)."""
    answer = subprocess.run(  # noqa: S603 - this script, with its own arguments
        [sys.executable, __file__, "--measure", url, str(path), network, reader],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(answer.stdout.strip().splitlines()[-1])


def report(label: str, size: int, result: dict) -> None:
    rate = result["rows"] / result["seconds"]
    cpu_rate = result["rows"] / result["cpu_seconds"]
    verdict = "meets" if min(rate, cpu_rate) >= GOAL else "misses"
    print(
        f"{label:17} {size:>7,} rows: {rate:,.0f} rows/s, {cpu_rate:,.0f} rows per CPU-second "
        f"({verdict} {GOAL:,}), RSS {result['rss_before_mb']:.0f} MB before, "
        f"{result['rss_peak_mb']:.0f} MB at peak (+{growth(result):.0f}), {result['status']}, "
        f"{result['new']:,} new, {result['unmatched']:,} unmatched",
        flush=True,
    )


def growth(result: dict) -> float:
    return result["rss_peak_mb"] - result["rss_before_mb"]


def memory_mb(field: str) -> float:
    """This process's VmRSS (now) or VmHWM (peak) in MB."""
    status = Path("/proc/self/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith(field))
    return int(line.split()[1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50000,200000")
    parser.add_argument("--formats", default="generic,taobao")
    parser.add_argument(
        "--measure", nargs=4, metavar=("URL", "FILE", "NETWORK", "READER"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.measure:
        url, file, network, reader = args.measure
        print(json.dumps(measure(url, Path(file).parent, Path(file), network, reader)))
        return
    for size in (int(value) for value in args.sizes.split(",")):
        for network in args.formats.split(","):
            with tempfile.TemporaryDirectory() as folder:
                folder = Path(folder)
                url = f"sqlite:///{folder / 'bench.db'}"
                subs, adzones = seed_members(url, folder)
                shutil.copy(folder / "bench.db", folder / "baseline.db")
                path = folder / ("report.csv" if network == "generic" else "report.xlsx")
                if network == "generic":
                    write_generic(path, size, subs)
                else:
                    write_taobao(path, size, adzones)
                print(f"{path.name}: {size:,} rows, {path.stat().st_size / 2**20:.1f} MB")
                result = measured(url, path, network, "stream")
                report(network if network == "generic" else "taobao streamed", size, result)
                if network == "generic":
                    continue
                copy = f"sqlite:///{folder / 'baseline.db'}"
                baseline = measured(copy, path, network, "calamine")
                report("taobao calamine", size, baseline)
                print(
                    f"{'':17} streamed ÷ calamine: {baseline['seconds'] / result['seconds']:.2f}"
                    f" × the rows/s, {baseline['cpu_seconds'] / result['cpu_seconds']:.2f} × the"
                    f" rows per CPU-second, {growth(result) / max(growth(baseline), 1):.2f} × the"
                    " memory growth",
                    flush=True,
                )


if __name__ == "__main__":
    main()
