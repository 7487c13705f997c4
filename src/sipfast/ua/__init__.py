"""User agents above the transaction layer.  For now: `AutoAnswer`, the UAS behind
``sipfast serve --mode uas``, and `send_request`, the UAC behind ``sipfast send``."""

from __future__ import annotations

from ._uac import Outcome, send_request
from ._uas import ALLOW, AutoAnswer

__all__ = ["ALLOW", "AutoAnswer", "Outcome", "send_request"]
