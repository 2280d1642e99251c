"""Every config field of every locomotion task says what it means in ``motrixlab info``."""

from __future__ import annotations

import json

import pytest
from motrixlab_testenv.cli import run_main

TASKS = ["go1-walk", "go1-walk-rough", "go2-walk", "anymal-c-walk", "go1-walk-stairs", "anymal-c-navigate"]
TASKS += ["g1-walk", "g1-walk-rough"]


@pytest.mark.parametrize("env", TASKS)
def test_info_documents_every_config_field(capsys, env):
    code, out, _ = run_main(capsys, "info", env, "--json")
    assert code == 0
    fields = json.loads(out)["fields"]
    assert len(fields) > 50
    assert [f["name"] for f in fields if not f["doc"].strip()] == []
