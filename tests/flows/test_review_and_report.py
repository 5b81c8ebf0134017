"""/review, /talk and /report end to end: who may read what, the pack's figures, the talk date and the question a
week before it, a month's text, chart and CSV; the chart PNGs are written to tests/artifacts/ to look at."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

from bot.domain.models import Role
from tests.support.harness import ANNA, KEES, PIET, VERA, alerts, running_bot, seed_organisation, send_signal
from tests.support.history import agreed_hours, answered_weekly, wellbeing_alert
from tests.support.matrix import LOTTE, join
from tests.support.paths import ROOT

ARTIFACTS = ROOT / "tests" / "artifacts"
PNG = b"\x89PNG\r\n\x1a\n"
NOT_ALLOWED = "Dat kan ik niet voor je doen"


async def test_review_pack_for_her_professional_with_chart_and_talk(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        ids = await seed_organisation(h)
        await agreed_hours(h, ids, 4)
        await answered_weekly(
            h, ids["Vera"], [4, 5, 3, 4, 6, 2, 3, 4, 4, 5, 3, 2], energy=[4, 5, 4, 4, 3, 3, 2, 3, 3, 2, 2, 2]
        )
        await wellbeing_alert(h, ids["Vera"], ["energy"], resolved=True)
        await send_signal(h)
        [alert] = alerts(h, PIET)
        h.clock.advance(timedelta(minutes=90))
        await h.tap(PIET, alert, "Ik pak het op")
        said = await h.send(PIET, "/review Vera 1-12")
        planned, pack, photo = said
        assert "gepland op 1 dec 2026" in planned.text
        assert "Evaluatiegesprek: Vera" in pack.text and "(laatste 90 dagen)" in pack.text
        assert (
            "• 2026-11: " in pack.text and "energie: opgelost op" in pack.text and "Gesproken, gaat beter" in pack.text
        )
        assert "signaal, Gezondheid: 1, mediaan 1,5 uur" in pack.text
        assert "dalend" in pack.text
        assert photo.photo is not None and photo.photo["content"].startswith(PNG)
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "review-chart.png").write_bytes(photo.photo["content"])
        # A week before the talk the bot asks Vera once; she writes what she wants to discuss.
        await h.advance(timedelta(days=1))
        asks = [m for m in h.api.messages(VERA.id) if "Wat wil je dan bespreken?" in m.text]
        assert len(asks) == 1 and "1 dec 2026" in asks[0].text
        await h.advance(timedelta(days=1))
        assert len([m for m in h.api.messages(VERA.id) if "Wat wil je dan bespreken?" in m.text]) == 1
        [saved] = await h.send(VERA, "/talk meer uren en een cursus")
        assert "Genoteerd" in saved.text
        pack_again, _ = await h.send(PIET, "/review Vera")
        assert "Wat Vera wil bespreken: meer uren en een cursus" in pack_again.text
        # Vera herself cannot read a review, nor Kees who is not her professional.
        [refused] = await h.send(VERA, "/review Vera")
        assert NOT_ALLOWED in refused.text
        [unknown] = await h.send(KEES, "/review Vera")
        assert "Die naam ken ik niet" in unknown.text


async def test_a_coordinator_cannot_review_herself_and_no_one_sees_her_flags(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        lotte = await join(h, LOTTE, Role.COORDINATOR)
        await join(h, LOTTE, Role.VOLUNTEER)
        await wellbeing_alert(h, lotte, ["missed"])
        [answer] = await h.send(LOTTE, "/review Lotte")
        assert "Die naam ken ik niet" in answer.text
        [pick] = await h.send(LOTTE, "/review")
        assert "Lotte" not in pick.button_texts() and "Vera" in pick.button_texts()
        update = await h.tap_data(LOTTE, pick, f"rv:v:{lotte}")
        assert "niet voorbereiden" in str((h.api.callback_answer_for(update) or {}).get("text"))
        text, _, _ = await h.send(LOTTE, "/report")
        assert "Vlaggen: 0 gemeld" in text.text  # her own flag is not hers to read
        anna_text, _, _ = await h.send(ANNA, "/report")
        assert "Vlaggen: 1 gemeld" in anna_text.text


async def test_month_report_text_chart_csv_and_stepping_back(tmp_path: Path, storage_url: str | None) -> None:
    async with running_bot(tmp_path, storage_url=storage_url) as h:
        ids = await seed_organisation(h)
        await agreed_hours(h, ids, 4)
        await answered_weekly(h, ids["Vera"], [1, 1, 1, 0.5, 1, 1, 0.5, 0.5])
        await send_signal(h)
        [alert] = alerts(h, PIET)
        h.clock.advance(timedelta(hours=2))
        await h.tap(PIET, alert, "Ik pak het op")
        text, photo, document = await h.send(ANNA, "/report")
        assert "Maandcijfers 2026-11" in text.text and "Check-ins ingevuld: 4 van 4" in text.text
        assert "• 🔴 Dringend: 1 items, 2 / 2" in text.text
        assert "Ondervraagd?: Vera" in text.text
        assert photo.photo is not None and photo.photo["content"].startswith(PNG)
        assert document.document is not None and document.document["file_name"] == "samenspel-2026-11.csv"
        rows = list(csv.reader(io.StringIO(document.document["content"].decode("utf-8-sig"))))
        assert ["2026-11", "checkins", "answered", "4"] in rows
        assert ["2026-11", "under_use", "volunteer", "Vera"] in rows
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "report-chart.png").write_bytes(photo.photo["content"])
        october = await h.tap(ANNA, text, "« 2026-10")
        assert "Maandcijfers 2026-10" in h.api.messages(ANNA.id)[-3].text or "2026-10" in october.text
        edited = next(m for m in h.api.messages(ANNA.id) if m.message_id == text.message_id)
        assert "Maandcijfers 2026-10" in edited.text and "Check-ins ingevuld: 4 van 4" in edited.text
        assert "2026-11 »" in edited.button_texts()
        [refused] = await h.send(PIET, "/report")
        assert NOT_ALLOWED in refused.text
        [bad] = await h.send(ANNA, "/report november")
        assert "jaar-maand" in bad.text
