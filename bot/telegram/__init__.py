"""The python-telegram-bot front end: application, handlers, rendering, transport, webhook.

It may import ``bot.engine``, ``bot.chats`` and ``catalog``; never ``bot.terminal`` nor
``bot.cli``.
"""
