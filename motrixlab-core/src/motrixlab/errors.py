"""Exceptions that reach the user as one readable line."""

from __future__ import annotations


class MotrixLabError(Exception):
    """A user-facing error: the CLI prints its message on one line and exits non-zero."""


class PluginError(MotrixLabError):
    """A plugin failed to load or registered something invalid."""


class ConfigError(MotrixLabError, ValueError):
    """A configuration value or override is invalid."""


class UnknownNameError(MotrixLabError, KeyError):
    """A name (env, trainer, checkpoint) is not known; the message lists what is valid."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ModelLoadError(ConfigError):
    """The model file is missing or is not a model MotrixSim can load."""


class StorageError(MotrixLabError, OSError):
    """A file or directory of a run cannot be written or created: the message names the path and the cause."""


def storage_error(action: str, path: object, exc: OSError) -> StorageError:
    """One line for a failed file-system call: what was being done, where, and the system's reason."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return StorageError(f"cannot {action} {str(path)!r}: {reason}")
