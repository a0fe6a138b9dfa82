"""Ingest: a source (folder, JSON Lines export, S3 prefix) → SourceDocument records of decoded,
normalised, PII-redacted text with content hashes, or Quarantined records with a reason code.
"""
