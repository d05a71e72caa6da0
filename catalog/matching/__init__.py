"""Matching: the offers that fit a profile, as a pure function of (profile, index, today).

Text, lexicon, index, hard filters, scoring, ranking and reasons. It imports no database,
file format nor messenger: only the standard library, rapidfuzz, PyStemmer, Babel and the
offer.
"""
