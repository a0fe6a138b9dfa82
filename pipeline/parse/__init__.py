"""Parse: a resume's text → a Resume record of sections and dated roles (headings, bullets, dates).
"""
