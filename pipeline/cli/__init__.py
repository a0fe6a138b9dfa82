"""CLI: the ``trajectory`` command, one module per command group. Parses and validates arguments,
calls one function, and turns domain errors into exit codes.
"""
