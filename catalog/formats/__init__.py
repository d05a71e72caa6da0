"""Catalogue files: the rule of each cell of the contract (its columns are
``catalog.offer_fields``) and the reading and writing of CSV, JSON, XLSX and LHEO, all or nothing,
every problem with its line and column.

It may import the offer, its vocabulary and ``catalog.matching.text`` (inference); never storage.
"""
