"""The sandbox: the bot, a local Bot API simulator and a web page of phones, on one machine without network.

``botapi`` is the simulator (also used by the tests), ``markup`` parses Telegram's formatted text the way
a phone shows it.
"""
