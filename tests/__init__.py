"""The test suite. Its folders mirror the package: core/, audit/, stats/ for the core, web/ for the
page kit, and one folder per feature package (casework/referrals/, accounts/, ...)."""

from pathlib import Path

# The repository's root: tests that run the CLI or read shipped files start from here.
REPO = Path(__file__).resolve().parents[1]
