"""User and file text shown literally where Streamlit renders markdown."""

from __future__ import annotations

import re

__all__ = ["WORD_JOINER", "plain"]

_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~:$])")
_LINK_START = re.compile(r"(https?|ftp|mailto|xmpp|www)(?=[:.])", re.IGNORECASE)
WORD_JOINER = "\u2060"
"""An invisible character that breaks a web address in two for the markdown renderer."""


def plain(text: str) -> str:
    """``text`` shown literally by a Streamlit call that renders markdown.

    User and file text (carrier and town names, file and sheet names, the
    ``?town=`` of a link) goes through here before ``st.title``, ``st.info``,
    ``st.error`` …, so ``![x](http://…)`` or ``[登录](http://…)`` stays text:
    no foreign image, no link. Escaping alone is not enough: Streamlit's
    renderer turns any bare ``http://…``, ``www.…`` or ``name@host`` in the
    text into a link (GitHub's autolinks, applied after the escapes are
    read), so an invisible :data:`WORD_JOINER` is put after the address's
    start and before an ``@``; the text reads and wraps as before.
    """
    text = _LINK_START.sub(lambda found: found.group(1) + WORD_JOINER, str(text))
    return _MARKDOWN.sub(r"\\\1", text.replace("@", WORD_JOINER + "@"))
