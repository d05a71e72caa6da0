"""The terminal front end: ``tremplin chat``, the conversation on standard input and output.

It may import ``bot.engine``, ``bot.chats`` and ``catalog``; never ``bot.telegram`` nor
``bot.cli``.
"""
