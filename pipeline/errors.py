"""Domain errors. Library code raises these; only the CLI and the flows choose exit codes."""


class TrajectoryError(Exception):
    """Base class of every error trajectory raises on purpose."""


class RubricError(TrajectoryError):
    """A rubric file is missing, unreadable or fails validation."""


class ResumeFormatError(TrajectoryError):
    """A resume cannot be turned into text (empty, binary, unsupported format)."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class SourceError(TrajectoryError):
    """A source (folder, bucket, export) cannot be read at all."""


class ModelError(TrajectoryError):
    """A shipped model file is missing, tampered with or incompatible."""
