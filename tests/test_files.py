"""Files: loaders take only ordinary files of bounded size, and saves leave nothing half-written behind."""

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from model import csv_io, session
from model.csv_io import DataFileError, load_csv
from model.files import AtomicFile, FileTooLargeError, NotRegularFileError, read_regular_file, write_text_atomic
from model.session import SessionError, load_session

ROOT = Path(__file__).resolve().parent.parent

LOADERS = {"csv": (load_csv, DataFileError), "session": (load_session, SessionError)}


def _outcome(load, path) -> BaseException | None:
    """What load(path) raised, failing the test if it blocks (as opening a named pipe does) rather than waiting."""
    outcome = []

    def run() -> None:
        try:
            load(path)
        except BaseException as error:
            outcome.append(error)
        else:
            outcome.append(None)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(5)
    if thread.is_alive():
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        thread.join(5)
        pytest.fail(f"reading {path} blocked")
    return outcome[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX feature")
@pytest.mark.parametrize("loader", sorted(LOADERS))
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path, loader):
    load, error_type = LOADERS[loader]
    pipe = tmp_path / "data.csv"
    os.mkfifo(pipe)
    error = _outcome(load, pipe)
    assert isinstance(error, error_type)
    assert "data.csv is a named pipe" in str(error)


@pytest.mark.parametrize("loader", sorted(LOADERS))
def test_folders_and_devices_are_refused(tmp_path, loader):
    load, error_type = LOADERS[loader]
    with pytest.raises(error_type, match="is a folder"):
        load(tmp_path)
    if Path(os.devnull).exists() and os.name == "posix":
        with pytest.raises(error_type, match="is a device"):
            load(os.devnull)


@pytest.mark.parametrize("loader", sorted(LOADERS))
def test_a_path_with_a_nul_character_is_refused_in_words(loader):
    load, error_type = LOADERS[loader]
    with pytest.raises(error_type, match="not a usable file name"):
        load("samples\x00.csv")


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs a file whose reported size is wrong")
@pytest.mark.parametrize("loader, limit", [("csv", "MAX_FILE_BYTES"), ("session", "MAX_SESSION_BYTES")])
def test_the_size_limit_holds_even_when_the_reported_size_is_wrong(monkeypatch, loader, limit):
    """/proc files report size 0 but have content, as a file still being written can report too little."""
    load, error_type = LOADERS[loader]
    monkeypatch.setattr(csv_io if loader == "csv" else session, limit, 100)
    with pytest.raises(error_type, match="larger than"):
        load("/proc/self/maps")


@pytest.mark.parametrize("loader, kind", [("csv", "data file"), ("session", "session file")])
def test_both_loaders_refuse_binary_large_and_missing_files_in_the_same_words(tmp_path, monkeypatch, loader, kind):
    load, error_type = LOADERS[loader]
    binary = tmp_path / "picture.png"
    binary.write_bytes(b"\x89PNG\r\n")
    not_text = rf"^picture\.png is not a UTF-8 text file \(byte 0\), so it is not a {kind}\.$"
    with pytest.raises(error_type, match=not_text):
        load(binary)
    limit = {"csv": (csv_io, "MAX_FILE_BYTES"), "session": (session, "MAX_SESSION_BYTES")}[loader]
    monkeypatch.setattr(*limit, 4)
    with pytest.raises(error_type, match=rf"^picture\.png is 6 bytes; {kind}s may be at most 4 bytes\.$"):
        load(binary)
    with pytest.raises(error_type, match=r"^Cannot open .*missing: No such file or directory\.$"):
        load(tmp_path / "missing")


def test_read_regular_file_reads_up_to_the_limit_and_refuses_more(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"x" * 10)
    assert read_regular_file(path, 10) == b"x" * 10
    with pytest.raises(FileTooLargeError) as caught:
        read_regular_file(path, 9)
    assert (caught.value.size, caught.value.limit) == (10, 9)
    with pytest.raises(NotRegularFileError) as caught:
        read_regular_file(tmp_path, 9)
    assert caught.value.kind == "a folder"


def test_a_write_in_many_steps_appears_whole_on_commit_and_leaves_nothing_when_discarded(tmp_path):
    target = tmp_path / "run.gif"
    target.write_bytes(b"before")
    kept = AtomicFile(target)
    kept.stream.write(b"GIF")
    kept.stream.write(b"89a")
    assert target.read_bytes() == b"before"
    kept.commit()
    assert target.read_bytes() == b"GIF89a"
    dropped = AtomicFile(tmp_path / "other.gif")
    dropped.stream.write(b"half")
    dropped.discard()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.gif"]


def test_leftovers_of_an_interrupted_save_are_removed_by_the_next_save(tmp_path):
    target = tmp_path / "session.json"
    leftovers = [tmp_path / ".session.json.k2j4_x9a.tmp", tmp_path / ".session.json.abcdefgh.tmp"]
    others = [tmp_path / ".session.json.bak.abcdefgh.tmp", tmp_path / ".other.json.abcdefgh.tmp",
              tmp_path / "notes.tmp", tmp_path / ".session.json.abcdefgh.tmp.keep"]
    for path in leftovers + others:
        path.write_text("partial")
    write_text_atomic(target, "saved")
    assert target.read_text() == "saved"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["session.json"] + [p.name for p in others])


def test_saves_give_new_files_the_umask_s_permissions_keep_existing_ones_and_never_touch_the_umask(tmp_path):
    script = f"""
import os, threading
os.umask(0o027)
from model.files import write_text_atomic
kept = {str(tmp_path / 'kept.txt')!r}
open(kept, 'w').close()
os.chmod(kept, 0o604)
observed = []
def save(i):
    write_text_atomic({str(tmp_path)!r} + f'/new{{i}}.txt', 'x' * 1000)
    write_text_atomic(kept, str(i))
threads = [threading.Thread(target=save, args=(i,)) for i in range(8)]
for thread in threads: thread.start()
for _ in range(2000):
    observed.append(os.umask(0o027))
for thread in threads: thread.join()
print(sorted(set(observed)))
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == str([0o027])
    assert {oct(path.stat().st_mode & 0o777) for path in tmp_path.glob("new*.txt")} == {oct(0o640)}
    assert (tmp_path / "kept.txt").stat().st_mode & 0o777 == 0o604
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith(".")) == []
