"""Burst benchmark: the export function against simulated SQS and RDS on a simulated clock.

Run it with ``python -m bench`` from the repository root. Everything runs in memory; no AWS
account, network or Docker is needed.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
LAMBDA_DIR = REPO_ROOT / "lambda"
SETTINGS_PATH = LAMBDA_DIR / "snapshot_export" / "settings.json"

# ``python -m bench`` does not read pytest's pythonpath, so the function's package is made
# importable here, the same way the Lambda runtime sees it (package at the archive root).
if str(LAMBDA_DIR) not in sys.path:
    sys.path.insert(0, str(LAMBDA_DIR))
