"""The CJK font every brief is drawn and typeset in, found once on this machine.

Noto Sans CJK SC (SIL Open Font License 1.1), from the Debian package
``fonts-noto-cjk``; CI installs it. ``CARRIER_MAP_CJK_FONT`` may name another
OpenType/TrueType file with Simplified Chinese (Source Han Sans SC, say). Without
one the brief is refused with a message: a PDF with boxes where the Chinese should
be is worse than none.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from geo._errors import ConfigError

__all__ = ["FONT_ENV", "CjkFont", "cjk_font"]

FONT_ENV = "CARRIER_MAP_CJK_FONT"
_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",      # Debian, Ubuntu
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",           # Arch, Fedora
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/local/share/fonts/NotoSansCJKsc-Regular.otf",
)


@dataclass(frozen=True)
class CjkFont:
    """A font file with Simplified Chinese, and its family name in that file."""

    path: Path
    family: str

    @property
    def folder(self) -> Path:
        """The folder holding the file (and, for Noto, its bold weight)."""
        return self.path.parent


def _family(path: Path) -> str | None:
    """The Simplified Chinese family of ``path`` as matplotlib registers it, else ``None``."""
    from matplotlib import font_manager

    try:
        font_manager.fontManager.addfont(str(path))
    except (OSError, RuntimeError, ValueError):
        return None
    names = [f.name for f in font_manager.fontManager.ttflist if Path(f.fname) == path]
    preferred = [n for n in names if n.endswith(" SC") and "Mono" not in n]
    return (preferred or names or [None])[0]


@functools.lru_cache(maxsize=4)
def _find(configured: str | None) -> CjkFont:
    candidates = [configured] if configured else list(_CANDIDATES)
    for candidate in candidates:
        path = Path(candidate)
        if path.is_file():
            family = _family(path)
            if family:
                return CjkFont(path=path, family=family)
    raise ConfigError("brief.no_cjk_font", paths="、".join(candidates), env=FONT_ENV)


def cjk_font() -> CjkFont:
    """The CJK font to use, registered with matplotlib.

    Raises
    ------
    ConfigError
        ``brief.no_cjk_font`` when no usable file is found (naming the places
        looked at and the setting that names another file).
    """
    return _find(os.environ.get(FONT_ENV, "").strip() or None)
