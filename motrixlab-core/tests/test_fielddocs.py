"""Config fields documented where they are declared: the comment on the line, ``#:`` lines above, or a
string below; ``info`` shows them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from motrixlab.fielddocs import describe, field_docs
from motrixlab_testenv.cli import run_main


@dataclass(kw_only=True)
class Inner:
    gain: float = 2.0  # N·m per rad
    plain: int = 1


@dataclass(kw_only=True)
class Base:
    speed: float = 1.0  # m/s, forward
    #: how far, in metres,
    #: from the start
    reach: float = 3.0
    label: str = "a # not a comment"
    """What the run is called."""
    inner: Inner = field(default_factory=Inner)


@dataclass(kw_only=True)
class Child(Base):
    speed: float = 2.0  # m/s, the child's own meaning wins


def test_each_way_of_documenting_a_field_is_read():
    docs = field_docs(Base)
    assert docs == {
        "speed": "m/s, forward",
        "reach": "how far, in metres, from the start",
        "label": "What the run is called.",
    }


def test_a_subclass_keeps_its_bases_docs_and_overrides_its_own():
    docs = field_docs(Child)
    assert docs["speed"] == "m/s, the child's own meaning wins" and docs["reach"].startswith("how far")


def test_nested_configs_are_described_by_dotted_path():
    assert describe(Child()) == {
        "speed": "m/s, the child's own meaning wins",
        "reach": "how far, in metres, from the start",
        "label": "What the run is called.",
        "inner.gain": "N·m per rad",
    }


def test_info_shows_the_meaning_of_the_base_fields(capsys):
    code, out, _ = run_main(capsys, "info", "test-slider", "--json")
    assert code == 0
    docs = {f["name"]: f["doc"] for f in json.loads(out)["fields"]}
    assert docs["ctrl_dt"] == "s per action, a whole multiple of sim_dt"
    assert docs["max_angle"] == ""  # the test env leaves it undocumented: an empty meaning, not an error
