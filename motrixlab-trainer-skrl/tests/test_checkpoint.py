"""The checkpoint container: atomic, checksummed, and every failure is one clear line."""

from __future__ import annotations

import json

import pytest
from motrixlab import MotrixLabError
from motrixlab.training.checkpoint import (
    MAGIC,
    CheckpointError,
    check_compatible,
    prune_periodic,
    read_checkpoint,
    read_header,
    write_checkpoint,
)

HEADER = {"env": "cartpole", "trainer": "skrl", "backend": "torch", "env_steps": 4096, "obs_dim": 4, "act_dim": 1}
PAYLOAD = bytes(range(256)) * 40


@pytest.fixture
def ckpt(tmp_path):
    path = tmp_path / "checkpoints" / "latest.ckpt"
    write_checkpoint(path, HEADER, PAYLOAD)
    return path


def test_round_trip_keeps_header_and_payload(ckpt):
    header, payload = read_checkpoint(ckpt)
    assert payload == PAYLOAD
    assert {k: header[k] for k in HEADER} == HEADER
    assert header["payload_bytes"] == len(PAYLOAD) and len(header["payload_sha256"]) == 64
    assert read_header(ckpt)["env_steps"] == 4096
    assert ckpt.read_bytes().startswith(MAGIC)
    assert [p.name for p in ckpt.parent.iterdir()] == ["latest.ckpt"]  # no temp file left behind


def test_rewrite_replaces_the_file_atomically(ckpt):
    write_checkpoint(ckpt, {**HEADER, "env_steps": 8192}, PAYLOAD[:10])
    header, payload = read_checkpoint(ckpt)
    assert header["env_steps"] == 8192 and payload == PAYLOAD[:10]
    assert [p.name for p in ckpt.parent.iterdir()] == ["latest.ckpt"]


@pytest.mark.parametrize("keep", [0, 3, 10, 40, -1, -len(PAYLOAD) // 2])
def test_truncated_files_are_reported_as_truncated(ckpt, keep):
    data = ckpt.read_bytes()
    ckpt.write_bytes(data[:keep])
    with pytest.raises(CheckpointError) as info:
        read_checkpoint(ckpt)
    message = str(info.value)
    assert "truncated" in message and str(ckpt) in message and "\n" not in message
    assert isinstance(info.value, MotrixLabError)


def test_a_flipped_payload_byte_is_reported_as_corrupted(ckpt):
    data = bytearray(ckpt.read_bytes())
    data[-100] ^= 0xFF
    ckpt.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="corrupted: payload checksum mismatch"):
        read_checkpoint(ckpt)
    assert read_header(ckpt)["env"] == "cartpole"  # the header alone is still readable


def test_a_damaged_header_is_reported_as_corrupted(ckpt):
    data = bytearray(ckpt.read_bytes())
    data[len(MAGIC) + 4] = ord("#")
    ckpt.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="corrupted: unreadable header"):
        read_checkpoint(ckpt)


def test_other_files_are_not_checkpoints(tmp_path):
    path = tmp_path / "model.pt"
    path.write_bytes(b"PK\x03\x04 a zip file, e.g. a plain torch.save")
    with pytest.raises(CheckpointError, match="is not a MotrixLab checkpoint"):
        read_checkpoint(path)
    with pytest.raises(CheckpointError, match="does not exist"):
        read_checkpoint(tmp_path / "missing.ckpt")


def test_a_newer_format_is_refused(tmp_path):
    path = tmp_path / "x.ckpt"
    write_checkpoint(path, HEADER, b"abc")
    data = path.read_bytes()
    head_len = int.from_bytes(data[8:12], "little")
    header = json.loads(data[12 : 12 + head_len])
    header["format"] = 99
    new_head = json.dumps(header).encode()
    path.write_bytes(MAGIC + len(new_head).to_bytes(4, "little") + new_head + b"abc")
    with pytest.raises(CheckpointError, match="has format 99"):
        read_checkpoint(path)


def test_compatibility_names_env_and_backend(ckpt):
    header = read_header(ckpt)
    check_compatible(ckpt, header, env="cartpole", trainer="skrl", backend="torch")
    with pytest.raises(CheckpointError, match="trained on env 'cartpole', not 'test-slider'"):
        check_compatible(ckpt, header, env="test-slider", trainer="skrl", backend="torch")
    with pytest.raises(CheckpointError, match="written by backend skrl/torch, not skrl/jax; use --backend torch"):
        check_compatible(ckpt, header, env="cartpole", trainer="skrl", backend="jax")


def _write_periodic(directory, steps):
    for n in steps:
        write_checkpoint(directory / f"step-{n}.ckpt", {**HEADER, "env_steps": n}, b"x")


def test_pruning_keeps_the_newest_periodic_checkpoints_and_never_latest_or_best(ckpt):
    directory = ckpt.parent
    write_checkpoint(directory / "best.ckpt", HEADER, b"b")
    (directory / "step-notes.txt").write_text("not a checkpoint")
    _write_periodic(directory, [1024, 2048, 3072, 4096, 5120, 10240])
    deleted = prune_periodic(directory, 3, written=directory / "step-10240.ckpt")
    assert sorted(p.name for p in deleted) == ["step-1024.ckpt", "step-2048.ckpt", "step-3072.ckpt"]
    assert sorted(p.name for p in directory.iterdir()) == [
        "best.ckpt",
        "latest.ckpt",
        "step-10240.ckpt",
        "step-4096.ckpt",
        "step-5120.ckpt",
        "step-notes.txt",
    ]


def test_pruning_never_deletes_the_file_just_written(tmp_path):
    # a run resumed from fewer steps than older periodic files still keeps the one it wrote
    _write_periodic(tmp_path, [8192, 9216, 4096])
    prune_periodic(tmp_path, 2, written=tmp_path / "step-4096.ckpt")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["step-4096.ckpt", "step-9216.ckpt"]


def test_keep_zero_keeps_every_periodic_checkpoint(tmp_path):
    _write_periodic(tmp_path, range(1024, 11 * 1024, 1024))
    assert prune_periodic(tmp_path, 0, written=tmp_path / "step-10240.ckpt") == []
    assert len(list(tmp_path.iterdir())) == 10


def test_keep_checkpoints_is_validated():
    from motrixlab import RLCfg

    with pytest.raises(ValueError, match="keep_checkpoints: must be >= 0"):
        RLCfg(keep_checkpoints=-1).validate()


def _raw(path, header_bytes: bytes, payload: bytes = b"") -> None:
    path.write_bytes(MAGIC + len(header_bytes).to_bytes(4, "little") + header_bytes + payload)


def _one_line(path, match: str) -> None:
    for read in (read_checkpoint, read_header):
        with pytest.raises(CheckpointError, match=match) as info:
            read(path)
        assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_a_header_claiming_more_payload_than_the_file_holds_is_truncated(tmp_path):
    path = tmp_path / "x.ckpt"
    head = {"format": 1, "payload_bytes": 2**40, "payload_sha256": "0" * 64}
    _raw(path, json.dumps(head).encode(), b"abc")
    _one_line(path, r"is truncated: \d+ of \d+ bytes")


@pytest.mark.parametrize("header", [b"[1, 2, 3]", b'"text"', b"null", b"42"])
def test_a_header_that_is_no_json_object_is_corrupted(tmp_path, header):
    path = tmp_path / "x.ckpt"
    _raw(path, header, b"abc")
    _one_line(path, r"corrupted: unreadable header \(header is not an object\)")


@pytest.mark.parametrize("size", [-3, "many", None])
def test_a_payload_size_that_is_no_size_is_corrupted(tmp_path, size):
    path = tmp_path / "x.ckpt"
    _raw(path, json.dumps({"format": 1, "payload_bytes": size, "payload_sha256": "0" * 64}).encode(), b"abc")
    _one_line(path, "corrupted: unreadable header")


def test_a_header_length_beyond_the_file_or_the_limit_is_refused_before_reading_it(tmp_path):
    path = tmp_path / "x.ckpt"
    path.write_bytes(MAGIC + (2**32 - 1).to_bytes(4, "little") + b"{}")
    _one_line(path, "is truncated: 14 bytes, the header alone needs")
    from motrixlab.training.checkpoint import MAX_HEADER_BYTES

    big = MAX_HEADER_BYTES + 1
    path.write_bytes(MAGIC + big.to_bytes(4, "little") + b" " * big)
    _one_line(path, f"corrupted: a header of {big} bytes")


def test_a_directory_is_no_checkpoint(tmp_path):
    _one_line(tmp_path, "is a directory, not a file")
