"""Real clients against lmc.elf in `lmsim run --realtime --expose`: mbpoll (Debian package
mbpoll) reads 19000 and writes CurrentLimit 19054 on :5020, curl (package curl) reads REST
:7000's live data and sees the limit mbpoll wrote (MB-05)."""
import json
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "net"))
from test_bridge_realtime import StderrLines  # noqa: E402

SCENARIO = "scenarios/api/realtime.yaml"


def _need(tool, package):
    if not shutil.which(tool):
        pytest.skip(f"{tool} missing: install the Debian package {package}")


def _retry(cmd, ok, deadline):
    last = None
    while time.monotonic() < deadline:
        last = subprocess.run(cmd, capture_output=True, text=True, timeout=15)
        if ok(last):
            return last
        time.sleep(0.5)
    raise AssertionError(f"{cmd}: {last.returncode if last else '?'} {last.stdout if last else ''}"
                         f"{last.stderr if last else ''}")


def test_mbpoll_and_curl(lmsim_bin, root, build_dir, tmp_path):
    _need("mbpoll", "mbpoll")
    _need("curl", "curl")
    env = dict(os.environ, LMSIM_FIRMWARE_DIR=str(build_dir / "firmware"))
    with open(tmp_path / "stdout.txt", "w") as out:
        p = subprocess.Popen([str(lmsim_bin), "run", SCENARIO, "--realtime", "--expose", "--until", "120s"],
                             cwd=root, env=env, stdout=out, stderr=subprocess.PIPE, text=True)
    err = StderrLines(p)
    try:
        # Generous waits: on a loaded 2-core CI machine the run (elaboration, firmware boot, link up)
        # takes well over the few seconds it needs on an idle one; the run is cut at the end.
        fwd = err.bridge_forwards([5020, 7000], timeout=60)
        assert {5020, 7000} <= set(fwd), err.all
        mport, rport = fwd[5020][1], fwd[7000][1]
        deadline = time.monotonic() + 50
        # 19000 = V L1-N, float32 high word first (-B), PDU addressing (-0).
        r = _retry(["mbpoll", "-m", "tcp", "-p", str(mport), "-a", "1", "-0", "-r", "19000", "-t", "4:float",
                    "-B", "-c", "1", "-1", "-o", "2", "127.0.0.1"],
                   lambda r: r.returncode == 0 and re.search(r"\[19000\]:\s+2[0-9][0-9]", r.stdout), deadline)
        volts = float(re.search(r"\[19000\]:\s+([0-9.]+)", r.stdout).group(1))
        assert 220 < volts < 240
        _retry(["mbpoll", "-m", "tcp", "-p", str(mport), "-a", "1", "-0", "-r", "19054", "-t", "4:float", "-B",
                "-o", "2", "127.0.0.1", "10.5"], lambda r: r.returncode == 0, deadline)
        r = _retry(["curl", "-s", "-u", "clemap:SE12345678", f"http://127.0.0.1:{rport}/v1/live/data"],
                   lambda r: r.returncode == 0 and r.stdout.startswith("{"), deadline)
        j = json.loads(r.stdout)
        assert j["external"]["CurrentLimit"] == 10.5  # written by mbpoll, read by curl (MB-05)
        assert 220 < j["voltage"][0] < 240
        r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                            f"http://127.0.0.1:{rport}/v1/settings"], capture_output=True, text=True, timeout=15)
        assert r.stdout == "401"  # RS-02
    finally:
        p.terminate()
        p.wait(timeout=30)
