"""Every test run keeps its compiled-policy cache apart from the user's."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("HAVRE_CACHE_DIR", tempfile.mkdtemp(prefix="havre-cache-"))
