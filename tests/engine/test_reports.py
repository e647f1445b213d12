"""The reports' figures equal counts taken straight from the rows of 2,000 applications in
mixed states (inserted in bulk, as the engine writes them), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

from sqlalchemy.orm import Session

from engine.bootstrap import Database
from engine.services.reports import AGE_BUCKETS, coupon_pools, dfft_priority, money, pending_work, summary
from tests.bulk import Programme, build_programme
from tests.factories import NOW

SIZE = 2000


def test_every_report_equals_the_counts_taken_from_the_rows(db: Database) -> None:
    """One programme of 2,000 applications (built once: it takes a few seconds), every report
    checked on it, for DoPT (every CCA) and for single CCAs."""
    with db.sessions() as session:
        built = build_programme(session, SIZE, NOW)
        session.commit()
        programme = (session, built)
        for cca in (None, "DOPT-IAS"):
            check_summary(programme, cca)
            check_dfft(programme, cca)
        for cca in (None, "KA-DPAR"):
            check_pending_work(programme, cca)
        for cca in (None, "MH-GAD"):
            check_money(programme, cca)
        check_coupon_pools(programme)


def _applications(programme: Programme, cca: str | None) -> list[dict]:
    return [a for a in programme.applications if cca is None or a["cca_code"] == cca]


def check_summary(programme: tuple[Session, Programme], cca: str | None) -> None:
    session, built = programme
    rows = _applications(built, cca)

    found = summary(session, cca)

    assert found.total == len(rows) == (SIZE if cca is None else found.total)
    assert {f.key: f.count for f in found.by_status} == Counter(a["status"] for a in rows)
    courses = {run["course"] for run in built.runs.values()}
    assert {f.key: f.count for f in found.by_course} == {c: 0 for c in courses} | Counter(
        a["course_code"] for a in rows
    )
    assert {f.key: f.count for f in found.by_cca} == Counter(a["cca_code"] for a in rows)
    assert {f.run_id: f.count for f in found.by_run} == Counter(a["course_run_id"] for a in rows)


def check_pending_work(programme: tuple[Session, Programme], cca: str | None) -> None:
    session, built = programme
    ccas = {a["id"]: a["cca_code"] for a in built.applications}
    tasks = [t for t in built.tasks if cca is None or ccas[t["application_id"]] == cca]
    expected: dict[str, list[int]] = defaultdict(lambda: [0] * len(AGE_BUCKETS))
    oldest = {}
    for task in tasks:
        days = (NOW - task["created_at"]).days
        bucket = next(
            i for i, (_label, low, high) in enumerate(AGE_BUCKETS) if low <= days and (high is None or days <= high)
        )
        expected[task["name"]][bucket] += 1
        oldest[task["name"]] = min(oldest.get(task["name"], task["created_at"]), task["created_at"])

    found = pending_work(session, cca, NOW)

    assert {t.name: list(t.by_age) for t in found} == dict(expected)
    assert {t.name: t.total for t in found} == {name: sum(ages) for name, ages in expected.items()}
    assert {t.name: t.oldest_at for t in found} == oldest
    assert all(sum(ages) for ages in expected.values()) and len(expected) == 8


def check_coupon_pools(programme: tuple[Session, Programme]) -> None:
    session, built = programme
    total = Counter(c["course_run_id"] for c in built.coupons)
    given = Counter(c["course_run_id"] for c in built.coupons if c["application_id"] is not None)

    pools, count = coupon_pools(session, 500, 0)

    assert count == len(built.runs)
    assert {p.run_id: (p.total, p.given, p.left) for p in pools} == {
        run_id: (total[run_id], given[run_id], total[run_id] - given[run_id]) for run_id in built.runs
    }


def check_money(programme: tuple[Session, Programme], cca: str | None) -> None:
    session, built = programme
    approved = [a for a in _applications(built, cca) if a["status"] in ("awaiting_payment", "reimbursed")]
    by_run: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 5)
    by_course: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 5)
    for application in approved:
        paid = application["status"] == "reimbursed"
        usd = built.claims[application["id"]]
        figures = [Decimal(1), usd, Decimal(paid), usd if paid else 0, built.payments.get(application["id"], 0)]
        for table, key in ((by_run, application["course_run_id"]), (by_course, application["course_code"])):
            table[key] = [a + b for a, b in zip(table[key], figures, strict=True)]

    found = money(session, cca)

    def figures(f) -> list[Decimal]:
        return [Decimal(f.approved), f.approved_usd, Decimal(f.paid), f.paid_usd, f.paid_inr]

    assert {int(f.key): figures(f) for f in found.by_run} == dict(by_run)
    assert {f.key: figures(f) for f in found.by_course} == dict(by_course)
    assert figures(found.total) == [sum(column) for column in zip(*by_course.values(), strict=True)]
    assert found.total.paid and found.total.paid_inr > 0


def check_dfft(programme: tuple[Session, Programme], cca: str | None) -> None:
    session, built = programme
    courses = {run["course"] for run in built.runs.values()}
    certified: dict[int, set[str]] = defaultdict(set)
    for application in built.applications:
        if application["certified"]:
            certified[application["officer_id"]].add(application["course_code"])
    expected = {
        built.officers[officer_id]["username"]
        for officer_id, done in certified.items()
        if done >= courses and (cca is None or built.officers[officer_id]["cca"] == cca)
    }

    officers, total = dfft_priority(session, cca, 500, 0)

    assert {o.username for o in officers} == expected and total == len(expected)
    assert all(o.courses == sorted(courses) and o.cca_name and o.service for o in officers)
    if cca is None:
        assert built.dfft <= expected
