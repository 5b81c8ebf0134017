import sys

# The bot runs on asyncio alone. httpx's transport (httpcore) imports trio whenever it is installed, to tell
# the two apart: a developer's install has trio (selenium, for the browser test, brings it), the product's
# (requirements.lock) has not, so a `python -m bot` there paid a tenth of a second of CPU per start for an
# event loop it never uses. None in sys.modules makes `import trio` fail as where it is absent, which httpcore
# expects. Only this process's entry: a program that imports the bot and uses trio itself keeps it.
sys.modules.setdefault("trio", None)  # type: ignore[arg-type]

from bot.cli import main  # noqa: E402

raise SystemExit(main())
