"""Which commands each role has: one list feeds /help, the Telegram menus and authorisation."""

from __future__ import annotations

from bot.domain.models import Role

# In menu order. Later features add their commands here.
ROLE_COMMANDS: dict[Role, tuple[str, ...]] = {
    Role.VOLUNTEER: (
        "signal",
        "backup",
        "visit",
        "done",
        "checkin",
        "me",
        "mine",
        "map",
        "pause",
        "resume",
        "talk",
        "hours",
        "summary",
    ),
    Role.PROFESSIONAL: ("open", "overview", "review", "away", "back", "workhours", "map"),
    Role.COORDINATOR: (
        "open",
        "invite",
        "people",
        "invites",
        "teams",
        "overview",
        "review",
        "report",
        "assign",
        "link",
        "unlink",
        "agreement",
        "schedule",
        "map",
        "remove",
    ),
}

EVERYONE_COMMANDS: tuple[str, ...] = ("help", "language", "cancel", "mydata", "forget")

# What someone not (yet) registered sees in the menu.
STRANGER_COMMANDS: tuple[str, ...] = ("start",)


def commands_for(roles: frozenset[Role]) -> list[str]:
    """The commands a person may use, each once, roles in a fixed order, everyone's last."""
    seen: list[str] = []
    for role in (Role.VOLUNTEER, Role.PROFESSIONAL, Role.COORDINATOR):
        if role in roles:
            seen.extend(c for c in ROLE_COMMANDS[role] if c not in seen)
    seen.extend(c for c in EVERYONE_COMMANDS if c not in seen)
    return seen


def roles_for_command(command: str) -> frozenset[Role] | None:
    """The roles that may use a command; None means every registered person may."""
    if command in EVERYONE_COMMANDS:
        return None
    return frozenset(role for role, commands in ROLE_COMMANDS.items() if command in commands)
