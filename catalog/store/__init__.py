"""Storage: the database engine and sessions, tables, hot-path transactions, migrations,
leases of scheduled jobs, and the catalogue snapshot the matcher reads.

It may import the offer and ``catalog.matching`` (the index it builds); never formats.
"""
