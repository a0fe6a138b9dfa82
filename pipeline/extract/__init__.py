"""Extract: a parsed Resume → CandidateEvidence: per sentence, evidence-flag and pillar
probabilities, technologies, quantities and certifications (spaCy blank English plus this
project's components and its trained evidence classifier).
"""
