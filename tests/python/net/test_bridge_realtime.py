"""`lmsim run --realtime --expose`: the host bridge forwards a loopback port to the device's web
UI port (4000), where the network test firmware serves its page; urllib fetches it."""
import http.client
import os
import re
import queue
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest

SCENARIO = "scenarios/net/nettest-bridge.yaml"
BRIDGE_LINE = re.compile(r"^lmsim: bridge: (\w+) 127\.0\.0\.1:(\d+) -> device:(\d+)$")


@pytest.fixture
def fw_env(build_dir):
    fw = build_dir / "firmware" / "nettest.elf"
    if not fw.exists():
        pytest.fail(f"{fw} is missing: build the target lmsim_firmware")
    return dict(os.environ, LMSIM_FIRMWARE_DIR=str(build_dir / "firmware"))


class StderrLines:
    """Collects the process's stderr lines on a thread (no pipe stalls, no lost buffered lines)."""

    def __init__(self, proc):
        self.lines = queue.Queue()
        self.all = []
        self.thread = threading.Thread(target=self._pump, args=(proc.stderr,), daemon=True)
        self.thread.start()

    def _pump(self, f):
        for line in f:
            self.all.append(line)
            self.lines.put(line)

    def bridge_forwards(self, want, timeout):
        """{device_port: (name, host_port)} once every device port in `want` is announced."""
        found = {}
        deadline = time.monotonic() + timeout
        while set(want) - set(found):
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            m = BRIDGE_LINE.match(line.rstrip("\n"))
            if m:
                found[int(m.group(3))] = (m.group(1), int(m.group(2)))
        return found


def fetch(url, deadline):
    """GETs url, retrying while the firmware is still booting (the bridge then drops the client)."""
    last = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=3) as r:
                return r.status, r.headers.get("Content-Type"), r.read().decode()
        except (urllib.error.URLError, http.client.HTTPException, ConnectionError) as e:
            last = e
            time.sleep(0.2)
    raise AssertionError(f"no answer from {url}: {last!r}")


def test_urllib_gets_the_firmware_page_through_the_bridge(lmsim_bin, root, fw_env, tmp_path):
    out_path = tmp_path / "stdout.txt"
    with open(out_path, "w") as out_file:
        p = subprocess.Popen([str(lmsim_bin), "run", SCENARIO, "--realtime", "--expose", "--until", "6s"],
                             cwd=root, env=fw_env, stdout=out_file, stderr=subprocess.PIPE, text=True)
    err = StderrLines(p)
    try:
        fwd = err.bridge_forwards([4000, 5020, 7000], timeout=10)
        assert set(fwd) == {4000, 5020, 7000}, err.all
        assert [fwd[d][0] for d in (4000, 5020, 7000)] == ["web", "modbus", "rest"]
        port = fwd[4000][1]
        assert port != 0 and len({fwd[d][1] for d in fwd}) == 3  # three distinct free ports
        status, ctype, body = fetch(f"http://127.0.0.1:{port}/", time.monotonic() + 5)
        assert status == 200 and ctype == "text/html"
        assert body == "<h1>lmsim nettest</h1>"
        # A second request on a new connection is served too (the firmware re-listens).
        assert fetch(f"http://127.0.0.1:{port}/index.html", time.monotonic() + 3)[2] == body
        p.wait(timeout=30)  # the run ends by itself at --until
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        err.thread.join(timeout=10)
    out = out_path.read_text()
    assert p.returncode == 0, out + "".join(err.all)
    assert "verdict: pass" in out
    # The listener went away with the process.
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_bridge_opens_only_with_expose(lmsim_bin, root, fw_env):
    r = subprocess.run([str(lmsim_bin), "run", SCENARIO, "--realtime", "--until", "4s"], cwd=root, env=fw_env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "bridge:" not in r.stderr and "Modbus TCP on" not in r.stderr, r.stderr


def test_bridge_needs_a_device(lmsim_bin, write_scenario):
    sc = write_scenario("duration: 1s\nnetwork:\n  bridge: {4000: 0}\n")  # no device: nothing to forward to
    r = subprocess.run([str(lmsim_bin), "run", str(sc), "--realtime", "--expose"], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0 and "bridge:" not in r.stderr, r.stdout + r.stderr


def test_busy_host_port_is_reported_and_the_run_goes_on(lmsim_bin, write_scenario, fw_env):
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    port = busy.getsockname()[1]
    try:
        sc = write_scenario("duration: 1s\ndevice: {firmware: \"@firmware/boot.elf\", serial: SE12345678}\n"
                            f"network:\n  bridge: {{4000: {port}, 5020: 0, 7000: 0}}\n")
        r = subprocess.run([str(lmsim_bin), "run", str(sc), "--realtime", "--expose"], capture_output=True,
                           text=True, timeout=60, env=fw_env)
    finally:
        busy.close()
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"lmsim: bridge: web: cannot listen on 127.0.0.1:{port}" in r.stderr, r.stderr
    assert re.search(r"^lmsim: bridge: rest 127\.0\.0\.1:\d+ -> device:7000$", r.stderr, re.M), r.stderr
