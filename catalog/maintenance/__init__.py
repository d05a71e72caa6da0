"""Keeping the catalogue: import plans and their application, the audit and rollback, imports
waiting for approval, roles, the check report and the built-in sample.

It may import ``catalog.formats``, ``catalog.store`` and ``catalog.matching``.
"""
