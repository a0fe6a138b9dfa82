"""Score: CandidateEvidence + a Rubric → ScoredCandidate: the 0–100 score, its sub-scores, the
career timeline, trajectory features and the explanation behind them.
"""
