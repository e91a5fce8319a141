"""`lmsim run --realtime --expose` with lmc.elf: Debian's MQTT clients (package mosquitto-clients)
talk to the simulated cloud's broker through the host bridge on loopback. mosquitto_sub subscribes
to the device's telemetry topic and reads the records the firmware publishes (MQTT 3.1.1 as
mosquitto implements it: an independent check of the broker subset and of the firmware's JSON);
mosquitto_pub sends a ripple command that the device obeys (its console log says so)."""
import json
import os
import re
import shutil
import subprocess
import threading
import time

import pytest

BRIDGE = re.compile(r"^lmsim: bridge: mqtt 127\.0\.0\.1:(\d+) -> cloud:8883$")

# lmc.elf on Ethernet, no stations: it connects to cloud.clemap.com:8883 within ~3 s and publishes
# one record a minute. The first record comes 60 s after boot, so the run lasts 75 s of wall time.
SCENARIO = """
name: cloud-mosquitto
seed: 3
start: "2026-11-25T17:00"
duration: 2h
network:
  ethernet: {plugged: true}
  bridge: {4000: 0}
  cloud: {bridge_port: 0}
device:
  firmware: "@firmware/lmc.elf"
  serial: SE12345678
  config: {lm.fuse: 40A}
site:
  grid: {voltage: 230V, frequency: 50Hz}
  main_fuse: {rating: 40A, curve: gG}
  sensors: {type: ct, ratio: 2000, class: 1}
"""


def need(tool):
    if not shutil.which(tool):
        pytest.skip(f"{tool} not found: install the Debian package mosquitto-clients")


@pytest.fixture
def realtime_site(lmsim_bin, build_dir, tmp_path):
    fw = build_dir / "firmware" / "lmc.elf"
    if not fw.exists():
        pytest.fail(f"{fw} is missing: build the target lmsim_firmware")
    scen = tmp_path / "cloud.yaml"
    scen.write_text(SCENARIO)
    env = dict(os.environ, LMSIM_FIRMWARE_DIR=str(build_dir / "firmware"))
    p = subprocess.Popen([str(lmsim_bin), "run", str(scen), "--realtime", "--expose", "--until", "80s", "--log"],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    port = []
    ready = threading.Event()

    def pump(f):
        for line in f:
            lines.append(line)
            m = BRIDGE.match(line.rstrip("\n"))
            if m:
                port.append(int(m.group(1)))
                ready.set()

    threads = [threading.Thread(target=pump, args=(s,), daemon=True) for s in (p.stderr, p.stdout)]
    for t in threads:
        t.start()
    try:
        assert ready.wait(20), "".join(lines)
        yield port[0], lines
    finally:
        if p.poll() is None:
            p.terminate()
        p.wait(timeout=30)


def test_mosquitto_sub_reads_telemetry_and_mosquitto_pub_commands_the_device(realtime_site):
    need("mosquitto_sub")
    need("mosquitto_pub")
    port, lines = realtime_site
    # Wait for the device's session (the broker logs nothing; the firmware's console does).
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not any("lmc: cloud subscribed" in l for l in lines):
        time.sleep(0.2)
    assert any("lmc: cloud subscribed" in l for l in lines), "".join(lines)
    # A ripple command as the portal would send it, through a real MQTT client (QoS 1).
    pub = subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(port), "-V", "mqttv311", "-q", "1",
                          "-i", "portal", "-t", "clemap/SE12345678/cmd/ripple", "-m",
                          '{"mode": "blocked", "duration": 600}'], capture_output=True, text=True, timeout=20)
    assert pub.returncode == 0, pub.stderr
    # Two telemetry records (QoS 1 from the device, delivered at QoS 1 to this subscriber).
    sub = subprocess.run(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-V", "mqttv311", "-q", "1",
                          "-i", "test-sub", "-t", "clemap/+/telemetry", "-C", "1", "-W", "75", "-v"],
                         capture_output=True, text=True, timeout=90)
    assert sub.returncode == 0, sub.stderr + "".join(lines[-20:])
    topic, payload = sub.stdout.strip().split(" ", 1)
    assert topic == "clemap/SE12345678/telemetry"
    rec = json.loads(payload)
    assert rec["device"] == "SE12345678" and rec["seq"] >= 1
    # The site's grid is 230 V per phase (the scenario above), within the meter's class.
    assert all(225 <= v <= 235 for v in rec["v"]), rec
    assert rec["synced"] is True  # NTP answered before the first record (CL-09)
    assert rec["ripple"] == "blocked", rec  # the command above is in force
    assert any("lmc: cloud command kind=ripple mode=blocked duration_s=600" in l for l in lines), "".join(lines)
