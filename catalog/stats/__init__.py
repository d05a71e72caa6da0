"""Usage statistics: pseudonymous events, daily aggregates, small-count suppression,
the figures, their report as text and CSV, and the chart.

They are not the catalogue: they may import ``catalog.store`` and the vocabulary, and nothing
of ``catalog.formats`` or ``catalog.maintenance``.
"""
