"""Recognizers of United Kingdom identifiers."""
