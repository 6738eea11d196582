"""The import contract: arrows go one way, golab → evidence → cases → common → Django. A
module may import its own package and the packages below it, never one above. Migrations
are included (a migration that imports an app above it ties the schema to it)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Each package and what it may import of the project's packages.
ALLOWED = {
    "common": set(),
    "cases": {"common"},
    "evidence": {"cases", "common"},
    "golab": {"evidence", "cases", "common"},
}


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def test_every_import_follows_the_layers():
    wrong = []
    for package, allowed in ALLOWED.items():
        for path in sorted((ROOT / package).rglob("*.py")):
            for line, module in _imports(path):
                top = module.split(".")[0]
                if top in ALLOWED and top != package and top not in allowed:
                    wrong.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_the_contract_sees_a_wrong_import(tmp_path):
    """The check itself can fail: an import of evidence from cases is caught."""
    module = tmp_path / "bad.py"
    module.write_text("from evidence.models import EvidenceDocument\n", encoding="utf-8")
    assert _imports(module) == [(1, "evidence.models")]
    assert "evidence" not in ALLOWED["cases"]
