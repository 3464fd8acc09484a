"""Print the README's set-up command named on the command line ("main" or "test")."""

import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_command(name: str) -> str:
    """Return the one-line shell command that follows ``<!-- {name}-command -->``."""
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"<!-- {name}-command -->\s*```bash\n(.+?)\n```", text, re.DOTALL)
    if match is None or "\n" in match.group(1).strip():
        raise SystemExit(f"README.md has no one-line {name!r} command block")
    return match.group(1).strip()


if __name__ == "__main__":
    sys.stdout.write(readme_command(sys.argv[1]) + "\n")
