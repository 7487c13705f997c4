"""Which twin of the message core to use: SIPFAST_NO_EXTENSIONS=1 picks the Python one."""

from __future__ import annotations

import os

NO_EXTENSIONS: bool = bool(os.environ.get("SIPFAST_NO_EXTENSIONS"))
USE_EXTENSIONS: bool = not NO_EXTENSIONS
