"""The package registers itself and stays out of the way: ``plugins --json`` lists its backend, and
listing what is installed imports neither torch nor rsl_rl."""

from __future__ import annotations

import json
import subprocess
import sys

from motrixlab_testenv.cli import run_main


def test_plugins_json_lists_the_backend(capsys):
    code, out, _ = run_main(capsys, "plugins", "--json")
    assert code == 0
    plugins = {p["name"]: p for p in json.loads(out)}
    mine = plugins["rslrl"]
    assert mine["distribution"] == "motrixlab-trainer-rslrl" and mine["module"] == "motrixlab_trainer_rslrl.plugin"
    assert mine["trainers"] == ["rslrl/torch"] and mine["errors"] == []
    assert "skrl/torch" in plugins["skrl"]["trainers"]  # beside skrl's, not instead of it


def test_listing_and_choosing_the_trainer_import_neither_torch_nor_rsl_rl():
    code = (
        "import sys; from motrixlab.cli.app import main\n"
        "try:\n    main(['plugins'])\nexcept SystemExit:\n    pass\n"
        "from motrixlab.plugins import get_registry\n"
        "spec = get_registry().trainer('rslrl', None)\n"
        "from motrixlab.cli.train import _trainer\n"
        "trainer = _trainer(spec)\n"
        "heavy = sorted(m for m in ('torch', 'rsl_rl', 'tensordict') if m in sys.modules)\n"
        "print(spec.key, type(trainer).__name__, heavy)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "rslrl/torch RslRlTrainer []"


def test_plain_train_keeps_skrl_as_the_default_trainer():
    from motrixlab.plugins import get_registry

    registry = get_registry()
    assert registry.trainer(None, "torch").key == "skrl/torch"
    assert registry.trainer(None, None).key == "skrl/torch"
    assert registry.trainer("rslrl", None).key == "rslrl/torch"
