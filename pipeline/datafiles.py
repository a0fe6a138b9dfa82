"""Loading of the curated YAML/JSON data files shipped in ``pipeline/data``.

Every file is validated on load with a pydantic model (``extra="forbid"``), and a failure names
the file and the field, e.g. ``tech_terms.yaml: concepts.3.pillar: Input should be 'data', ...``.
"""

from __future__ import annotations

import json
import os
import stat
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from pipeline.errors import DataFileError, TrajectoryError

__all__ = ["DataFileError", "data_path", "describe_validation_error", "load_model", "read_data",
           "read_yaml_mapping", "default_model_path", "shipped_models_dir", "shipped_rubrics_dir"]

M = TypeVar("M", bound=BaseModel)


def read_yaml_mapping(
    path: Path, error: type[TrajectoryError], what: str, expected: str,
    max_bytes: int = 1_000_000,
) -> dict[str, Any] | None:
    """A user-supplied YAML file's top-level mapping, or None when the file is empty.

    ``error`` is raised naming the file: unreadable ("cannot read {what}"), not a regular file,
    over ``max_bytes`` (never read whole), not UTF-8, not YAML, or not a mapping ("expected
    {expected} at the top level").
    """
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise error(f"{path}: not a regular file; expected a {what} YAML file")
        if info.st_size > max_bytes:
            raise error(f"{path}: {what} is {info.st_size:,} bytes; the limit is "
                        f"{max_bytes:,} bytes")
        data = path.read_bytes()
    except OSError as err:
        raise error(f"{path}: cannot read {what} ({err.strerror})") from err
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise error(f"{path}: {what} is not UTF-8 text (byte 0x{data[err.start]:02x} at offset "
                    f"{err.start}); save it as UTF-8") from err
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise error(f"{path}: not valid YAML ({err})") from err
    if raw is not None and not isinstance(raw, dict):
        raise error(f"{path}: expected {expected} at the top level")
    return raw


def describe_validation_error(err: ValidationError, root: str = "<root>") -> str:
    """Every failing field of a pydantic error as ``a.b.0: message; ...``."""
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or root}: {e['msg']}" for e in err.errors()
    )


def data_path(name: str) -> Path:
    """The path of a shipped data file: ``"tech_terms.yaml"`` → ``.../pipeline/data/...``."""
    return Path(str(resources.files("pipeline").joinpath("data", name)))


def shipped_models_dir() -> Path:
    """The folder of the shipped evidence model, its sidecar, card and training corpus.

    It is the repository's ``models/``, installed as the package ``pipeline.shipped_models``
    (see pyproject.toml), so an editable checkout and an installed wheel find the same files.
    """
    return Path(str(resources.files("pipeline.shipped_models")))


#: Environment variable naming a folder that holds another evidence model (tests, retraining).
MODEL_DIR_ENV = "TRAJECTORY_MODEL_DIR"
MODEL_FILE = "evidence-classifier.joblib"


def default_model_path() -> Path:
    """``$TRAJECTORY_MODEL_DIR/evidence-classifier.joblib``, else the shipped model."""
    folder = os.environ.get(MODEL_DIR_ENV)
    return (Path(folder) if folder else shipped_models_dir()) / MODEL_FILE


def shipped_rubrics_dir() -> Path:
    """The folder of the shipped rubrics: the repository's ``rubrics/``, installed as the package
    ``pipeline.shipped_rubrics``."""
    return Path(str(resources.files("pipeline.shipped_rubrics")))


def read_data(path: Path) -> Any:
    """Parse a YAML or JSON file into plain Python data; raise DataFileError naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(f"{path.name}: cannot read {path}: {exc.strerror}") from exc
    try:
        if path.suffix == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise DataFileError(f"{path.name}: not valid {path.suffix[1:].upper()}: {exc}") from exc


def load_model(path: Path, model: type[M]) -> M:
    """Read ``path`` and validate it as ``model``.

    Errors name the file and every failing field (``file: a.b.0: message``).
    """
    raw = read_data(path)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise DataFileError(f"{path.name}: {describe_validation_error(exc)}") from exc
