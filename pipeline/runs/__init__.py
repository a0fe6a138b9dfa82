"""Runs: the Prefect flows (the only place Prefect is imported) and the run-level orchestration
they wrap: a run's record, lock and audit entries; nightly staging and exports.
"""
