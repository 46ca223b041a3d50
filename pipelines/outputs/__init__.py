"""Outputs for people: the letter's Excel appendices, its summary text, and charts."""
