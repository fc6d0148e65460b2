"""Recognizers for Russian text and Russian identifiers."""
