"""The ``tremplin`` command line: one parser, and the commands for maintainers and admins.

It may import ``bot.engine``, ``bot.chats`` and ``catalog``; the front ends it starts
(``run``, ``chat``) are imported by ``bot.cli.main`` only, when their command runs.
"""
