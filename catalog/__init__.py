"""The domain of Tremplin: offers, their vocabulary, storage, import/export and matching.

This package never imports ``telegram`` nor ``bot``: front ends depend on it, not the reverse.
"""
