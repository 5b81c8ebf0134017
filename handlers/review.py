"""/review: the evaluation talk's pack about one volunteer (text and a chart), for her professional or a
coordinator; `/review Vera 15-12` also plans the talk, and a week before it the bot asks Vera what she wants to
discuss (she answers with /talk).

The volunteer buttons are free: each press is checked again by the service (the volunteer is still the
presser's), so an old or forged one shows nothing.
"""

from __future__ import annotations

from datetime import date

from telegram import InputFile

from bot.domain.callbacks import Chosen
from bot.domain.dates import parse_date
from bot.i18n import plain
from bot.services.reports.charts import ReviewChartWords, review_chart
from bot.services.reports.render import pack_text
from bot.services.reports.words import say_date
from handlers.common import Rows, command_arguments
from handlers.flow import ROUTER, Empty, Flow, FlowTurn, Toasts, Turn

review = Flow("review", Empty, command="review", refusals=Toasts(alert=frozenset({"review.not_yours"})))

ReviewOf = Chosen.at("rv", "v")
PICK_LIMIT = 40


def split_date(arguments: str, today: date) -> tuple[str, date | None]:
    """`Vera de Wit 15-12` -> ("Vera de Wit", 15 Dec): the longest tail (up to three words) that is a date."""
    words = arguments.split()
    for size in (3, 2, 1):
        if len(words) > size and (day := parse_date(" ".join(words[-size:]), today)) is not None:
            return " ".join(words[:-size]), day
    return arguments, None


@ROUTER.command("review")
async def review_command(turn: Turn) -> None:
    """A name (and maybe a talk date): the pack; no name or several matches: a button each."""
    services = turn.services
    today = services.clock.now().astimezone(services.settings.app.zone).date()
    name, day = split_date(command_arguments(turn.update), today)
    volunteers = await services.reports.reviewable(turn.person)
    wanted = name.casefold()
    matches = [v for v in volunteers if v.name.casefold() == wanted] or [
        v for v in volunteers if wanted and v.name.casefold().startswith(wanted)
    ]
    if len(matches) == 1:
        if day is not None:
            await services.talks.plan(turn.person, matches[0].id, day)
            await turn.reply("review.talk_planned", name=matches[0].name, day=say_date(turn.lang, day))
        return await send_pack(turn, matches[0].id)
    shown = (matches if wanted else volunteers)[:PICK_LIMIT]
    if not shown:
        return await turn.reply("review.unknown" if wanted else "review.none")
    rows: Rows = [[(v.name, ReviewOf(v.id)) for v in shown[i : i + 2]] for i in range(0, len(shown), 2)]
    await turn.reply("review.pick", rows)


@review.free(ReviewOf)
async def review_pressed(turn: FlowTurn[Empty], press: Chosen) -> None:
    """The pack of the volunteer on the button, if she is still the presser's."""
    await turn.services.reports.review(turn.person, press.id)  # refused before the spinner stops
    await turn.answer()
    await send_pack(turn, press.id)


async def send_pack(turn: Turn, volunteer_id: int) -> None:
    pack = await turn.services.reports.review(turn.person, volunteer_id)
    talk = await turn.services.talks.of(volunteer_id)
    await turn.say(pack_text(turn.lang, pack, talk))
    chat = turn.update.effective_chat
    assert chat is not None
    words = ReviewChartWords(
        title=plain(turn.lang, "review.chart.title", name=pack.volunteer.name),
        hours=plain(turn.lang, "review.chart.hours"),
        agreed=plain(turn.lang, "review.chart.agreed"),
        energy=plain(turn.lang, "review.chart.energy"),
    )
    image = review_chart(
        [str(m.month) for m in pack.months],
        [m.hours for m in pack.months],
        [m.agreed for m in pack.months],
        [(p.at, p.energy) for p in pack.energy],
        words,
    )
    await turn.context.bot.send_photo(chat.id, InputFile(image, filename="review.png"), caption=words.title)


@ROUTER.command("talk")
async def talk_command(turn: Turn) -> None:
    """The volunteer writes what she wants to discuss in her planned talk, or reads how to."""
    text = command_arguments(turn.update)
    if not text:
        day, wishes = await turn.services.talks.of(turn.person.id)
        if day is None:
            return await turn.reply("talk.not_yet")
        return await turn.reply(
            "talk.how", day=say_date(turn.lang, day), wishes=wishes or plain(turn.lang, "review.nothing")
        )
    day = await turn.services.talks.write(turn.person, text)
    await turn.reply("talk.saved", day=say_date(turn.lang, day))
