"""Pure domain logic: no telegram, no aiosqlite, no clock reads (time is always a parameter)."""
