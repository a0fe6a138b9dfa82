"""Domain errors, all in one place. Library code raises these; only the CLI and the flows choose
exit codes.

Each error class has a stable ``error_code`` (like spaCy's ``E088``, but named): programs and
operators branch on it, while the message may be reworded. Quarantine reasons have their own
stable codes, :data:`REASON_CODES`.

>>> RubricError("x.yaml: weights.data: Input should be a finite number").error_code
'rubric'
"""

from __future__ import annotations

from typing import ClassVar, Literal

#: Stable machine codes for why an input was quarantined (``ResumeFormatError.code``).
#: The human ``reason`` may be reworded; these codes may not.
ReasonCode = Literal[
    "empty",  # zero bytes
    "binary",  # bytes that are not text in any supported encoding
    "no_text",  # decodes, but holds only whitespace (or an empty text field)
    "unsupported_format",  # a file suffix no reader handles
    "too_large",  # over the configured size limit, rejected before it is parsed
    "too_long",  # decoded text or units over the configured limits (``pipeline.limits``)
    "encrypted_pdf",  # a PDF that needs a password to read
    "no_text_pdf",  # a PDF without a text layer (a scan)
    "zip_bomb",  # a .docx whose declared expansion breaks the size or ratio limits
    "corrupt",  # a damaged PDF, DOCX or JSON document, or bad bytes after a BOM
    "bad_record",  # well-formed JSON without the fields a resume record needs
    "duplicate_id",  # a second input with a candidate id already seen in the batch
    "unreadable",  # the source could not hand over the bytes (permissions, vanished)
    "outside_source",  # a symlink out of the source folder, an S3 key outside the prefix
    "not_regular",  # a FIFO, socket or device (or a link to one): never opened
    "bad_id",  # a candidate id with control characters (CR, LF, ESC, other C0/C1)
    # A stage raised something other than a ResumeFormatError on this one resume: a library
    # failing on it, or a bug of ours (``pipeline.isolation``; logged at ERROR, run partial).
    "read_failed",
    "parse_failed",
    "extract_failed",
    "score_failed",
]

REASON_CODES: tuple[ReasonCode, ...] = (
    "empty", "binary", "no_text", "unsupported_format", "too_large", "too_long",
    "encrypted_pdf", "no_text_pdf", "zip_bomb", "corrupt", "bad_record", "duplicate_id",
    "unreadable", "outside_source", "not_regular", "bad_id", "read_failed", "parse_failed",
    "extract_failed", "score_failed",
)  # fmt: skip


class TrajectoryError(Exception):
    """Base class of every error trajectory raises on purpose; subclasses name their
    ``error_code``."""

    error_code: ClassVar[str] = "trajectory"


class RubricError(TrajectoryError):
    """A rubric file is missing, unreadable or fails validation."""

    error_code: ClassVar[str] = "rubric"


class ResumeFormatError(TrajectoryError):
    """A resume cannot be turned into text (empty, binary, unsupported format, ...).

    ``reason`` is the message for a reviewer; ``code`` (one of :data:`REASON_CODES`, or None
    where a caller gave none) is what programs should branch on.

    >>> err = ResumeFormatError("cv.pdf", "PDF has no text layer (a scan?)", code="no_text_pdf")
    >>> str(err), err.code
    ('cv.pdf: PDF has no text layer (a scan?)', 'no_text_pdf')
    """

    def __init__(self, source: str, reason: str, code: ReasonCode | None = None) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason
        self.code: ReasonCode | None = code


class SourceError(TrajectoryError):
    """A source (folder, bucket, export) cannot be read at all."""

    error_code: ClassVar[str] = "source"


class TransientSourceError(SourceError):
    """A source failed in a way that may pass if retried (timeouts, throttling, 5xx)."""

    error_code: ClassVar[str] = "source_transient"


class DataFileError(TrajectoryError):
    """A data file shipped in ``pipeline/data`` is missing, unreadable or fails validation."""

    error_code: ClassVar[str] = "data_file"


class ModelError(TrajectoryError):
    """A shipped model file is missing, tampered with or incompatible."""

    error_code: ClassVar[str] = "model"


class ConfigError(TrajectoryError):
    """A configuration file, setting or secret key is missing, invalid or inconsistent."""

    error_code: ClassVar[str] = "config"


class StoreError(TrajectoryError):
    """The database cannot be used as it is (unsupported backend, schema not at the code's
    revision)."""

    error_code: ClassVar[str] = "store"


class BiasAuditError(TrajectoryError):
    """A shortlist or demographics input cannot be audited as asked (the bias audit)."""

    error_code: ClassVar[str] = "bias_audit"


class CorpusError(TrajectoryError):
    """A labelled training or evaluation corpus is malformed (duplicate ids, unknown labels)."""

    error_code: ClassVar[str] = "corpus"


class OrchestrationError(TrajectoryError):
    """Prefect's temporary local API, or a Dask cluster, could not be started or reached."""

    error_code: ClassVar[str] = "orchestration"
