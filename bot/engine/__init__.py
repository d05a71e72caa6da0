"""The dialogue engine: one pure step from (state, input) to (state, replies, effects).

It may import the standard library, Babel and the pure parts of ``catalog`` (the offer, its
vocabulary, translations, matching, the facts of statistics); never telegram, a database, an
HTTP library nor anything that reaches one (import-linter checks it).
"""
