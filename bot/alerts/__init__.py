"""Alerts on new offers: the weekly digest written into a persistent outbox, then sent once.

:mod:`bot.alerts.compose` writes at most one digest a week per subscriber (the best new offers
that fit them, never one already told); :mod:`bot.alerts.outbox` sends each message once through
a front end's sender, one sender at a time across processes (:mod:`bot.alerts.lease`);
:mod:`bot.alerts.job` runs both, daily across replicas, never at night.

It may import ``bot.engine``, ``bot.chats`` and ``catalog``; never a front end: the sender
(``bot.telegram.alerts_sender``) is given to it.
"""
