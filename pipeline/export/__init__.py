"""Export: ScoredCandidate and Quarantined records → shortlist, quarantine and diff CSVs, written
atomically with spreadsheet formulas neutralised.
"""
