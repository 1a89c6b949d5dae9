"""User and file text shown literally where Streamlit renders markdown."""

from __future__ import annotations

import re

__all__ = ["plain"]

_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~:$])")


def plain(text: str) -> str:
    """``text`` shown literally by a Streamlit call that renders markdown.

    User and file text (carrier and town names, file and sheet names, the
    ``?town=`` of a link) goes through here before ``st.title``, ``st.info``,
    ``st.error`` …, so ``![x](http://…)`` or ``[登录](http://…)`` stays text:
    no foreign image, no link.
    """
    return _MARKDOWN.sub(r"\\\1", str(text))
