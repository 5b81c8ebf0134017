"""The sandbox: the bot, a local Bot API simulator and a web page of phones, on one machine without network.

``botapi`` is the simulator (also used by the tests): ``spec`` holds the Bot API's rules, ``state`` what
the simulated Telegram holds, ``phones`` what people do and see, ``message_methods`` and
``bot_settings`` the methods the bot calls. ``markup`` parses Telegram's formatted text the way a phone
shows it; ``server`` and ``demo`` are the sandbox itself.
"""
