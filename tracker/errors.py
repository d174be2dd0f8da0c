"""Exceptions of the tracker and the exit codes the CLI maps them to.

    TrackerError                 every error the tracker raises on purpose
    ├── ConfigError              feeds.yaml or a setting is invalid        → exit 2
    ├── InputError               an input file, URL or line is unusable    → exit 2
    ├── ModelError               an encoder or head cannot be loaded       → exit 4
    ├── StorageError             the database cannot be opened or is newer → exit 5
    ├── BusyError                another run holds the data directory      → exit 6
    └── FetchError               one source could not be fetched (caught per source;
                                 reaches the CLI only from `tracker score URL`) → exit 2

Every message says what went wrong, where, and how to fix it.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_CONFIG = 2
EXIT_NO_SOURCE = 3
EXIT_MODEL = 4
EXIT_STORAGE = 5
EXIT_BUSY = 6


class TrackerError(Exception):
    """Base of every error the tracker raises on purpose."""

    exit_code = EXIT_UNEXPECTED


class ConfigError(TrackerError):
    """feeds.yaml or a setting is invalid."""

    exit_code = EXIT_CONFIG


class InputError(TrackerError):
    """An input given on the command line cannot be used."""

    exit_code = EXIT_CONFIG


class ModelError(TrackerError):
    """The encoder, the stance head or a spaCy pipeline cannot be loaded."""

    exit_code = EXIT_MODEL


class StorageError(TrackerError):
    """The database cannot be opened, or was written by a newer tracker."""

    exit_code = EXIT_STORAGE


class FetchError(TrackerError):
    """A source or page could not be fetched or parsed; `status` is the HTTP status of a
    refused request, when there was one."""

    exit_code = EXIT_CONFIG

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class BusyError(TrackerError):
    """Another `tracker daily` or `tracker backfill` is running on the same data directory."""

    exit_code = EXIT_BUSY
