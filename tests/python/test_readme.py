"""The README's reference tables list exactly what the module declares."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
MODULE = "\n".join(path.read_text(encoding="utf-8") for path in sorted(ROOT.glob("*.tf")))


def reference_section() -> str:
    start = README.index("<!-- BEGIN_TF_DOCS -->")
    end = README.index("<!-- END_TF_DOCS -->")
    return README[start:end]


def declared(kind: str) -> set[str]:
    return set(re.findall(rf'^{kind} "([\w-]+)"', MODULE, flags=re.MULTILINE))


def declared_blocks(kind: str) -> set[str]:
    pairs = re.findall(rf'^{kind} "([\w-]+)" "([\w-]+)"', MODULE, flags=re.MULTILINE)
    prefix = "data." if kind == "data" else ""
    return {f"{prefix}{block_type}.{name}" for block_type, name in pairs}


def test_every_input_is_documented_once() -> None:
    documented = re.findall(r'<a name="input_([\w-]+)"></a>', reference_section())
    assert sorted(documented) == sorted(declared("variable"))


def test_every_output_is_documented_once() -> None:
    documented = re.findall(r'<a name="output_([\w-]+)"></a>', reference_section())
    assert sorted(documented) == sorted(declared("output"))


def test_every_resource_and_data_source_is_listed() -> None:
    listed = set(re.findall(r"^\| \[((?:data\.)?\w+\.\w+)\]", reference_section(), re.MULTILINE))
    assert listed == declared_blocks("resource") | declared_blocks("data")


def test_required_inputs_are_the_variables_without_default() -> None:
    required = set(re.findall(r'<a name="input_([\w-]+)"></a>.*\| yes \|$', README, re.MULTILINE))
    blocks = re.findall(r'^variable "([\w-]+)" \{\n(.*?)^\}', MODULE, re.MULTILINE | re.DOTALL)
    without_default = {name for name, body in blocks if not re.search(r"^  default ", body, re.M)}
    assert required == without_default == {"name_prefix"}


def test_the_readme_commands_are_make_targets() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for command in re.findall(r"^make (\w+)", README, flags=re.MULTILINE):
        assert re.search(rf"^{command}:", makefile, flags=re.MULTILINE), command
