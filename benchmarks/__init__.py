"""Benchmarks for sipfast against the other Python SIP parsers (see README.md)."""
