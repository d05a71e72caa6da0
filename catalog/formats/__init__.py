"""Catalogue files: the columns of the contract and the reading and writing of CSV, JSON, XLSX
and LHEO, all or nothing, every problem with its line and column.

It may import the offer, its vocabulary and ``catalog.matching.text`` (inference); never storage.
"""
