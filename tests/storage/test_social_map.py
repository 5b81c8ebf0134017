"""The social map against a real SQLite file: the CSV round trip (service and `samenspel map`), import as all
or nothing, the national defaults loaded once, and the monthly review claimed once per month."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.config import Settings, load_settings
from bot.domain.models import Role
from bot.domain.socialmap import EntryFields
from bot.services.escalations import EscalationService
from bot.services.people import PeopleService
from bot.services.socialmap import SocialMapService
from storage.db import Database
from tests.support.cli import run_cli
from tests.support.clock import FakeClock

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)  # 10:30 in Amsterdam, the first of the month


def settings_for(tmp_path: Path) -> Settings:
    return load_settings(None, storage={"path": tmp_path / "samenspel.db"})


def service(db: Database, clock: FakeClock, tmp_path: Path) -> SocialMapService:
    settings = settings_for(tmp_path)
    return SocialMapService(db, clock, settings, lambda: None, EscalationService(db, clock, settings, lambda: None))


async def test_an_export_imports_back_unchanged_and_updates_in_place(db: Database, tmp_path: Path) -> None:
    clock = FakeClock(NOW)
    socialmap = service(db, clock, tmp_path)
    assert await socialmap.load_defaults() == 3
    await socialmap.add(None, EntryFields(name="Buurtkamer; Oost", category="Eenzaamheid?", offer='"Koffie", thee'))
    before = await socialmap.entries()
    exported = await socialmap.export_csv()
    outcome = await socialmap.import_csv(exported.encode("utf-8-sig"))
    assert (outcome.added, outcome.updated, outcome.problems) == (0, 4, [])
    assert await socialmap.entries() == before
    changed = exported.replace("Koffie", "Soep")
    assert (await socialmap.import_csv(changed.encode())).updated == 4
    assert [e.offer for e in await socialmap.entries() if e.name == "Buurtkamer; Oost"] == ['"Soep", thee']


async def test_a_file_with_one_bad_line_changes_nothing(db: Database, tmp_path: Path) -> None:
    socialmap = service(db, FakeClock(NOW), tmp_path)
    text = "naam;categorie;aanbod;telefoon\nA;money;Hulp;030-1234567\nB;money;Hulp;bel me\n"
    outcome = await socialmap.import_csv(text.encode())
    assert [(p.line, p.code) for p in outcome.problems] == [(3, "phone")]
    assert await socialmap.entries() == []


async def test_the_defaults_load_once_and_what_is_removed_stays_removed(db: Database, tmp_path: Path) -> None:
    socialmap = service(db, FakeClock(NOW), tmp_path)
    await socialmap.load_defaults()
    [veilig_thuis] = [e for e in await socialmap.entries() if e.name == "Veilig Thuis"]
    await socialmap.remove(None, veilig_thuis.id)
    assert await socialmap.load_defaults() == 0
    assert "Veilig Thuis" not in {e.name for e in await socialmap.entries()}


async def test_the_monthly_review_is_sent_once_and_caught_up_after_a_restart(db: Database, tmp_path: Path) -> None:
    clock = FakeClock(NOW - timedelta(days=200))
    socialmap = service(db, clock, tmp_path)
    people = PeopleService(db, clock, settings_for(tmp_path), lambda: None)
    for name, telegram_id in (("Anna", 1), ("Cora", 2)):
        issued = await people.create_invite(by=None, role=Role.COORDINATOR, name=name, team_id=None)
        await people.redeem(telegram_id=telegram_id, language_code="nl", code=issued.code)
    await socialmap.add(None, EntryFields(name="Oud loket", category="money", offer="Hulp"))
    clock.set(NOW.replace(hour=7))  # 08:00 local: too early in the day
    assert not await socialmap.review_tick(clock.now())
    clock.set(NOW)
    # A restart between ticks: a new service over the same file still knows this month was sent.
    assert await socialmap.review_tick(clock.now())
    assert not await service(db, clock, tmp_path).review_tick(clock.now() + timedelta(days=5))
    async with db.transaction() as tx:
        reviews = await tx.all("SELECT chat_id, text, keyboard FROM outbox WHERE subject_type = 'social_map_review'")
    assert sorted(r["chat_id"] for r in reviews) == [1, 2]
    assert all("Oud loket" in r["text"] and "map:ok:" in r["keyboard"] for r in reviews)
    assert await socialmap.review_tick(NOW + timedelta(days=31))  # January: another month


def test_map_export_and_import_on_the_command_line(tmp_path: Path) -> None:
    env = {"SAMENSPEL_STORAGE__PATH": str(tmp_path / "s.db")}
    exported = run_cli("map", "export", "kaart.csv", env=env, cwd=tmp_path)
    assert exported.returncode == 0 and "(3 entries)" in exported.stdout, exported.stderr
    data = (tmp_path / "kaart.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbfid,name,category")  # a BOM: Excel reads it as UTF-8
    (tmp_path / "nieuw.csv").write_bytes(data + b"\r\n,Schuldhulp,Geld en schulden,Hulp bij schulden,,,,,,,\r\n")
    imported = run_cli("map", "import", "nieuw.csv", env=env, cwd=tmp_path)
    assert imported.returncode == 0 and "1 added, 3 updated" in imported.stdout, imported.stderr
    (tmp_path / "kapot.csv").write_text("naam;categorie;aanbod\n;money;x\nB;;x\n", encoding="utf-8")
    refused = run_cli("map", "import", "kapot.csv", env=env, cwd=tmp_path)
    assert refused.returncode == 2
    assert "line 2, name: is empty" in refused.stderr and "line 3, category: is empty" in refused.stderr
    assert "2 problem(s) in kapot.csv; nothing was imported" in refused.stderr
