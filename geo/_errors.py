"""Exceptions for input that cannot be used at all.

Row-level trouble is never raised: it is collected as :class:`geo.problems.Problem`.
These exceptions are for a whole file or setting that is unusable; they carry a
catalogue key and parameters so the message can be shown in either language.
"""

from __future__ import annotations

from typing import Any

from geo.i18n import Lang, translate

__all__ = ["ConfigError", "InputFileError", "LocalisedError"]


class LocalisedError(ValueError):
    """A ``ValueError`` whose text comes from the message catalogue."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(self.message("zh"))

    def message(self, lang: Lang = "zh") -> str:
        """The message in ``lang``."""
        return translate(self.code, lang, **self.params)


class InputFileError(LocalisedError):
    """A carrier register or boundary file that cannot be read or used."""


class ConfigError(LocalisedError):
    """A targets/settings file that is missing, malformed or out of range."""
