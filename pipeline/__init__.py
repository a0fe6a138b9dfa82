"""trajectory: rank cloud-architect candidates by the evidence in their resumes."""

__version__ = "0.1.0"
