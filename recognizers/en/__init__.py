"""Recognizers for English text."""
