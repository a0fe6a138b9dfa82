"""Bias audit: a shortlist CSV + a demographics CSV → impact ratios per category (NYC LL144
style), as a report, CSV and Markdown.
"""
