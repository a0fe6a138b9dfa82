"""Audit: the hash-chained audit log of runs, exports and erasures, and the bias audit of a
shortlist against demographics.
"""
