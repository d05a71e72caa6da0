"""The conversations kept in the database, shared by the front ends.

One input of one chat processed in one transaction, the citizens' tables, opening the database.
It may import ``bot.engine`` and ``catalog``; never a front end (telegram, terminal, cli).
"""
