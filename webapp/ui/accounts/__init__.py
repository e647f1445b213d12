"""Signing in and out, officer registration, the language switch."""
