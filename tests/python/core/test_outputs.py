"""Outputs are never lost silently: full disks, trace size budget, wall-clock budget (issue 17, item 5).

A full file system is a small tmpfs mounted for the test (needs root, as CI runs) or /dev/full,
which fails every write with ENOSPC (Linux null(4)).
"""
import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

# 20 s of a 1 ms random stimulus: 20,000 CSV rows of about 33 bytes (~660 kB), far more than a
# 64 kB file system holds.
NOISY = """\
name: noisy
seed: 3
duration: {duration}
signals:
  - {{name: test.current, unit: A, initial: 10A}}
stimuli:
  - {{signal: test.current, kind: random, period: 1ms, mean: 20A, sd: 4A}}
assert:
  - always: "test.current <= 100A"
"""


@pytest.fixture
def small_fs(tmp_path):
    """A 64 kB tmpfs: writes past that fail with ENOSPC."""
    if shutil.which("mount") is None or shutil.which("umount") is None:
        pytest.skip("mount/umount missing (Debian package mount)")
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs (needs root): {r.stderr.strip()}")
    yield mnt
    subprocess.run(["umount", str(mnt)], check=True)


def fill(mnt):
    """Fills the file system; returns the filler's path."""
    filler = mnt / "filler"
    with open(filler, "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 512)
        except OSError:
            pass
    return filler


def leftovers(d):
    return [p.name for p in d.iterdir() if ".tmp-" in p.name]


def test_trace_on_full_disk_is_an_error_naming_the_file(run_lmsim, write_scenario, small_fs):
    sc = write_scenario(NOISY.format(duration="20s"))
    trace, result, junit = small_fs / "t.csv", small_fs / "result.json", small_fs / "junit.xml"
    r = run_lmsim("run", sc, "--trace", trace, "--result", result, "--junit", junit)
    assert r.returncode == 4, r.stdout + r.stderr
    msg = f"{trace}: cannot write trace: No space left on device"
    assert msg in r.stderr and "run stopped at" in r.stderr
    assert "verdict: error (exit 4)" in r.stdout and "verdict: pass" not in r.stdout
    # The half trace is removed (no file passes for a complete one) and that frees the space
    # for the result and the JUnit file, which record the error.
    assert not trace.exists() and leftovers(small_fs) == []
    j = json.loads(result.read_text())
    assert j["verdict"] == "error" and j["exit_code"] == 4 and j["output_errors"] == [msg]
    assert j["sim_time_s"] < 20 and j["trace"]["complete"] is False
    root = ET.parse(junit).getroot()
    assert root.get("errors") == "1"
    err = root.find(".//testcase[@name='outputs written']/error")
    assert err is not None and err.get("message") == msg


def test_result_and_junit_on_full_disk_fail_the_passing_run(run_lmsim, write_scenario, small_fs):
    sc = write_scenario(NOISY.format(duration="1s"))
    result, junit, report = small_fs / "result.json", small_fs / "junit.xml", small_fs / "r.html"
    result.write_text('{"verdict": "pass"}\n')  # an earlier run's
    fill(small_fs)
    r = run_lmsim("run", sc, "--result", result, "--junit", junit, "--report", report)
    assert r.returncode == 4, r.stdout + r.stderr
    for path, what in [(result, "result file"), (junit, "JUnit file"), (report, "the report")]:
        assert f"{path}: cannot write {what}: No space left on device" in r.stderr, r.stderr
        assert not path.exists(), path  # neither 0 bytes nor the earlier run's pass
    assert "verdict: error (exit 4)" in r.stdout
    assert leftovers(small_fs) == []


def test_full_device_and_full_stdout(run_lmsim, lmsim_bin, write_scenario):
    sc = write_scenario(NOISY.format(duration="1s"))
    r = run_lmsim("run", sc, "--junit", "/dev/full")
    assert r.returncode == 4 and "/dev/full: cannot write JUnit file: No space left on device" in r.stderr
    r = run_lmsim("run", sc, "--result", "/dev/full")
    assert r.returncode == 4 and "/dev/full: cannot write result file: No space left on device" in r.stderr
    with open("/dev/full", "w") as full:
        p = subprocess.run([str(lmsim_bin), "run", str(sc)], stdout=full, stderr=subprocess.PIPE, text=True,
                           timeout=120)
    assert p.returncode == 4 and "standard output: cannot write the summary" in p.stderr


def test_lmsim_test_junit_on_full_disk(run_lmsim, write_scenario, tmp_path, small_fs):
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "a.yaml").write_text(NOISY.format(duration="1s"))
    junit = small_fs / "junit.xml"
    fill(small_fs)
    r = run_lmsim("test", suite, "--junit", junit)
    assert r.returncode == 4, r.stdout + r.stderr
    assert f"{junit}: cannot write JUnit file: No space left on device" in r.stderr
    assert "1 passed, 0 failed" in r.stdout and not junit.exists()


@pytest.mark.parametrize("ext", ["csv", "vcd"])
def test_trace_limit_stops_tracing_cleanly(run_lmsim, write_scenario, tmp_path, ext):
    sc = write_scenario(NOISY.format(duration="20s"))
    trace, result = tmp_path / f"t.{ext}", tmp_path / "result.json"
    r = run_lmsim("run", sc, "--trace", trace, "--signals", "test.current", "--trace-limit", "20kB", "--result", result)
    assert r.returncode == 0, r.stdout + r.stderr  # the run itself goes on to its verdict
    assert "reached the trace size limit (20000 bytes)" in r.stderr and "trace stopped at" in r.stdout
    j = json.loads(result.read_text())
    assert j["verdict"] == "pass" and j["sim_time_s"] == 20
    t = j["trace"]
    assert t["complete"] is False and t["limit_bytes"] == 20000 and 0 < t["stopped_at_s"] < 20
    data = trace.read_text()
    # Stops at the first time step that starts past 20,000 bytes: at most one step more.
    assert 20000 <= len(data) < 20000 + 200 and data.endswith("\n") and t["bytes"] == len(data)
    lines = data.splitlines()
    if ext == "csv":
        assert lines[0] == "time_s,test.current [A]"
        assert all(len(line.split(",")) == 2 for line in lines[1:])  # every row complete
        assert float(lines[-1].split(",")[0]) < t["stopped_at_s"]
    else:
        assert lines[-1] == "$comment lmsim: trace stopped here at its size limit $end"
        last_time = [line for line in lines if line.startswith("#")][-1]
        assert int(last_time[1:]) < t["stopped_at_s"] * 1e12


def test_trace_and_timeout_flags_are_checked(run_lmsim, write_scenario, tmp_path):
    sc = write_scenario(NOISY.format(duration="1s"))
    r = run_lmsim("run", sc, "--trace", tmp_path / "t.csv", "--trace-limit", "5XB")
    assert r.returncode == 2 and "--trace-limit expects a size such as 500MB" in r.stderr and "'5XB'" in r.stderr
    r = run_lmsim("run", sc, "--trace-limit", "5MB")
    assert r.returncode == 2 and "--trace-limit needs --trace FILE" in r.stderr
    r = run_lmsim("run", sc, "--wall-timeout", "0s")
    assert r.returncode == 2 and "--wall-timeout expects a duration" in r.stderr


def test_wall_timeout_ends_the_run_and_writes_outputs(run_lmsim, write_scenario, tmp_path):
    # 100 days of a 1 ms stimulus would take hours; the budget ends it after 1 s of wall time.
    sc = write_scenario(NOISY.format(duration="100d"))
    result, junit = tmp_path / "result.json", tmp_path / "junit.xml"
    r = run_lmsim("run", sc, "--wall-timeout", "1s", "--result", result, "--junit", junit, timeout=60)
    assert r.returncode == 124, r.stdout + r.stderr
    assert "--wall-timeout 1s reached at" in r.stderr and "verdict: interrupted (exit 124)" in r.stdout
    j = json.loads(result.read_text())
    assert j["verdict"] == "interrupted" and j["interrupted_by"] == "wall-timeout"
    assert 0 < j["sim_time_s"] < 100 * 86400
    assert ET.parse(junit).getroot().tag == "testsuites"
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "long.yaml").write_text(NOISY.format(duration="100d"))
    r = run_lmsim("test", suite, "--wall-timeout", "1s", timeout=60)
    assert r.returncode == 124 and "TIMEOUT" in r.stdout, r.stdout + r.stderr


def test_python_site_trace_limit_and_full_disk(build_dir, write_scenario, tmp_path, small_fs):
    import lmsim
    sc = write_scenario(NOISY.format(duration="20s"))
    trace = tmp_path / "t.csv"
    with lmsim.Site(sc, trace=str(trace), signals=["test.current"], trace_limit="20kB") as s:
        s.run()
        r = s.finish()
    assert r["verdict"] == "pass" and r["trace"]["complete"] is False and 20000 <= trace.stat().st_size < 20200
    with pytest.raises(ValueError, match="trace_limit must be a size such as 500MB.*'5XB'"):
        lmsim.Site(sc, trace=str(trace), trace_limit="5XB")
    full = small_fs / "t.csv"
    with lmsim.Site(sc, trace=str(full), signals=["test.current"]) as s:
        s.run()
        r = s.finish()
    assert r["verdict"] == "error" and r["exit_code"] == 4
    assert r["output_errors"] == [f"{full}: cannot write trace: No space left on device"] and not full.exists()
