"""汇报模式 Presentation mode: the city and its towns, one by one, for a projector.

Run by ``app.py`` in place of any page when the address carries ``?present=1``;
the layout, the keys and the buttons are in :mod:`dashboard.present`.
"""

from dashboard.present import show
from dashboard.sidebar import current

show(current())
