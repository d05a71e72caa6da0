"""The conversation and its front ends: dialogue engine, Telegram adapter, terminal chat, CLI."""
