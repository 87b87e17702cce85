"""Local demo: the export function's whole runtime path on a moto server, no AWS account.

Run it with ``python -m demo`` from the repository root.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
LAMBDA_DIR = REPO_ROOT / "lambda"
SETTINGS_PATH = LAMBDA_DIR / "snapshot_export" / "settings.json"

# ``python -m demo`` does not read pytest's pythonpath; make the function's package and the
# benchmark's RDS event builders importable the way the Lambda runtime sees the package.
for path in (LAMBDA_DIR, REPO_ROOT):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
