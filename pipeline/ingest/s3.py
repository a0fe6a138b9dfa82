"""The S3 source: the objects under ``s3://bucket/prefix`` → source items (boto3).

A bucket that is missing or forbidden is a :class:`SourceError`; an error that may pass if
retried (timeouts, throttling, 5xx, after botocore's own retries) a
:class:`TransientSourceError`, which the nightly flow retries with backoff. An object that
vanishes or is forbidden between listing and reading is an ``unreadable`` failure. The other
sources, and what a source yields, are in :mod:`pipeline.ingest.sources`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    HTTPClientError,
    IncompleteReadError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError

from pipeline.errors import ResumeFormatError, SourceError, TransientSourceError
from pipeline.ingest.formats import check_supported
from pipeline.ingest.sources import SourceFailure, SourceItem, too_large_failure, unreadable_failure

#: S3 error codes worth retrying; any 5xx status is retried as well.
TRANSIENT_S3_CODES: frozenset[str] = frozenset({
    "SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout", "Throttling",
    "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException",
})  # fmt: skip
_TRANSIENT_BOTO_ERRORS = (BotoConnectionError, HTTPClientError, IncompleteReadError)


class S3Source:
    """The objects under ``s3://bucket/prefix``, in key order; keys ending in ``/`` and names
    starting with a dot are skipped. The item name is the last segment of the key; a key not
    under the prefix or with a ``.``/``..`` segment is an ``outside_source`` failure.

    Credentials come from boto3's usual chain. ``client`` replaces the one built from
    ``endpoint_url``/``region_name``; botocore itself retries ``max_attempts`` times before an
    error becomes a :class:`TransientSourceError`. ``page_size`` keys are listed per request.
    An object that vanishes or is forbidden between listing and reading is an ``unreadable``
    failure; a bucket that is missing or forbidden is a :class:`SourceError`.
    """

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint_url: str | None = None,
        region_name: str | None = None,
        client: Any | None = None,
        max_attempts: int = 3,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        page_size: int = 1000,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix
        self.endpoint_url = endpoint_url
        self.region_name = region_name
        self.max_attempts = max_attempts
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.page_size = page_size
        self._client = client

    def _s3(self) -> Any:
        if self._client is None:
            import boto3
            from botocore.config import Config

            config = Config(
                retries={"max_attempts": self.max_attempts, "mode": "standard"},
                connect_timeout=self.connect_timeout,
                read_timeout=self.read_timeout,
            )
            self._client = boto3.client(
                "s3", endpoint_url=self.endpoint_url, region_name=self.region_name, config=config
            )
        return self._client

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def items(self, max_bytes: int | None = None) -> Iterator[SourceItem | SourceFailure]:
        for obj in self._objects():
            key: str = obj["Key"]
            name = key.rsplit("/", 1)[-1]
            if not name or name.startswith("."):
                continue
            source_id = f"s3://{self.bucket}/{key}"
            if not _inside(key, self.prefix):
                error = ResumeFormatError(name, f"key {key!r} is outside the prefix "
                                          f"{self.prefix!r} (or has a '.' or '..' segment)",
                                          code="outside_source")
                yield SourceFailure(source_id, name, error)
                continue
            try:
                check_supported(name)
            except ResumeFormatError as err:
                yield SourceFailure(source_id, name, err)
                continue
            size = int(obj.get("Size", 0))
            if max_bytes is not None and size > max_bytes:
                yield too_large_failure(source_id, name, size, max_bytes)
                continue
            yield self._get(key, source_id, name, max_bytes)

    def _objects(self) -> Iterator[dict[str, Any]]:
        try:
            pages = self._s3().get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self.prefix,
                PaginationConfig={"PageSize": self.page_size},
            )
            for page in pages:
                yield from page.get("Contents", [])
        except (BotoCoreError, ClientError) as err:
            raise _source_error(err, f"{self.url}: cannot list objects") from err

    def _get(self, key: str, source_id: str, name: str, max_bytes: int | None) -> (
        SourceItem | SourceFailure
    ):
        try:
            body = self._s3().get_object(Bucket=self.bucket, Key=key)["Body"]
            # Read one byte past the limit: the object may have grown since it was listed.
            data = body.read() if max_bytes is None else body.read(max_bytes + 1)
            body.close()
        except ClientError as err:
            if _is_transient(err):
                raise _source_error(err, f"{source_id}: cannot read") from err
            return unreadable_failure(source_id, name, _client_code(err))
        except BotoCoreError as err:
            raise _source_error(err, f"{source_id}: cannot read") from err
        if max_bytes is not None and len(data) > max_bytes:
            return too_large_failure(source_id, name, len(data), max_bytes)
        return SourceItem(source_id, name, data)


def _inside(key: str, prefix: str) -> bool:
    """Whether ``key`` is under ``prefix`` with no ``.``/``..`` segment: the same rule as a
    folder's, for an S3 implementation or a copy to disk that would resolve them."""
    parts = key[len(prefix):].split("/")
    return key.startswith(prefix) and not any(p in (".", "..") for p in parts)


def _client_code(err: ClientError) -> str:
    return str(err.response.get("Error", {}).get("Code", "unknown error"))


def _is_transient(err: BotoCoreError | ClientError) -> bool:
    if isinstance(err, ClientError):
        status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return _client_code(err) in TRANSIENT_S3_CODES or int(status or 0) >= 500
    return isinstance(err, _TRANSIENT_BOTO_ERRORS)


def _source_error(err: BotoCoreError | ClientError, what: str) -> SourceError:
    """A boto error → TransientSourceError when retrying may help, else SourceError."""
    detail = _client_code(err) if isinstance(err, ClientError) else type(err).__name__
    if _is_transient(err):
        return TransientSourceError(f"{what} ({detail}; transient, retry later): {err}")
    return SourceError(f"{what} ({detail}): {err}")
