"""Recognition end to end: the monthly thank-you (once, outside quiet hours, caught up after a pause of the bot,
never a word about wellbeing alerts about her, /summary off), and /hours as a PDF written to tests/artifacts/."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.support.harness import PIET, VERA, alerts, running_bot, seed_organisation, send_signal
from tests.support.history import answered_weekly, wellbeing_alert
from tests.support.paths import ROOT

ARTIFACTS = ROOT / "tests" / "artifacts"
THANKS = "Dank je wel, Vera!"


def thanks(texts: list[str]) -> list[str]:
    return [t for t in texts if t.startswith(THANKS)]


async def test_the_monthly_thank_you_names_her_reports_and_never_her_wellbeing(tmp_path: Path) -> None:
    async with running_bot(tmp_path, reports={"monthly_summary": True}) as h:
        ids = await seed_organisation(h)
        await answered_weekly(h, ids["Vera"], [2, 3.5], until=datetime(2026, 11, 20, 18, tzinfo=UTC))
        await wellbeing_alert(h, ids["Vera"], ["energy", "private_life"], resolved=True)
        await send_signal(h)
        [alert] = alerts(h, PIET)
        picked = await h.tap(PIET, alert, "Ik pak het op")
        await h.tap(PIET, picked, "Afronden")
        await h.send(PIET, "Ik bel haar vanmiddag.")
        # 1 December, 07:30 in Amsterdam: quiet hours, nothing yet.
        await h.advance(datetime(2026, 12, 1, 6, 30, tzinfo=UTC) - h.clock.now())
        assert thanks(h.texts(VERA)) == []
        await h.advance(timedelta(hours=2))  # 09:30
        [text] = thanks(h.texts(VERA))
        assert "In nov gaf je 5,5 uur aan Buurtteam Overvecht" in text
        assert 'signaal, Gezondheid: opgepakt door Piet ("Ik bel haar vanmiddag.")' in text
        for word in ("energie", "privé", "check-in", "welzijn", "vlag"):
            assert word not in text.lower()
        await h.advance(timedelta(hours=3))
        assert len(thanks(h.texts(VERA))) == 1  # once a month
        [off] = await h.send(VERA, "/summary off")
        assert "staat uit" in off.text
        await answered_weekly(h, ids["Vera"], [1.5], until=datetime(2026, 12, 14, 18, tzinfo=UTC))
        await h.advance(datetime(2027, 1, 2, 10, tzinfo=UTC) - h.clock.now())
        assert len(thanks(h.texts(VERA))) == 1
        [on] = await h.send(VERA, "/summary on")
        assert "staat aan" in on.text
        await h.advance(timedelta(hours=1))  # December's, late: the bot catches up in January's first week
        assert len(thanks(h.texts(VERA))) == 2 and "In dec gaf je 1,5 uur" in thanks(h.texts(VERA))[-1]
        await h.advance(datetime(2027, 2, 10, 10, tzinfo=UTC) - h.clock.now())
        assert len(thanks(h.texts(VERA))) == 2  # January: no hours, nothing to thank for; and past the first week
        [how] = await h.send(VERA, "/summary")
        assert "/summary off" in how.text


async def test_hours_statement_is_a_pdf(tmp_path: Path) -> None:
    async with running_bot(tmp_path, organisation="Stichting Geïntegreerde Buurtzorg – Café ’t Hoekje") as h:
        ids = await seed_organisation(h)
        await answered_weekly(h, ids["Vera"], [2, 3.5, 1.5, 4, 2.5, 3, 2, 1, 4, 2])
        [document] = await h.send(VERA, "/hours")
        assert document.document is not None and document.document["file_name"].endswith(".pdf")
        content = document.document["content"]
        assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
        assert "25,5 uur in de laatste 12 maanden" in document.text
        assert b"DejaVu" in content  # the embedded font that has ë, ï, é and the quotes
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "hours-statement.pdf").write_bytes(content)
        [refused] = await h.send(PIET, "/hours")
        assert "Dat kan ik niet voor je doen" in refused.text
