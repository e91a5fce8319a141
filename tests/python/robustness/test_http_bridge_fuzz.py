"""HTTP abuse through the real-time host bridge to the nettest firmware's page (and garbage to
the bridged Modbus/REST ports and an exposed station): random bytes, huge headers, no CRLF,
slowloris (connects and sends nothing), early close, a 1 MB body. The page is still served
afterwards and the run ends by itself at --until with its normal verdict."""
import http.client
import random
import re
import socket
import subprocess
import threading
import time

import pytest

import fuzzlib

SCENARIO = "scenarios/net/nettest-bridge.yaml"
BRIDGE = re.compile(r"^lmsim: bridge: (\w+) 127\.0\.0\.1:(\d+) -> device:(\d+)$")
PAGE = "<h1>lmsim nettest</h1>"


def get_page(port, deadline):
    last = None
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=3)
            c.request("GET", "/")
            r = c.getresponse()
            body = r.read().decode()
            c.close()
            if r.status == 200 and body == PAGE:
                return
            last = (r.status, body[:80])
        except (OSError, http.client.HTTPException) as e:
            last = e
        time.sleep(0.2)
    raise AssertionError(f"page not served: {last!r}")


def attacks(rng):
    big_header = "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a" * 70000 + "\r\n\r\n"
    many_headers = "GET / HTTP/1.1\r\n" + "".join(f"H{i}: v\r\n" for i in range(3000)) + "\r\n"
    body_1mb = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n" + "b" * 1048576
    out = [
        ("random", bytes(rng.randrange(256) for _ in range(2000))),
        ("big header", big_header.encode()),
        ("many headers", many_headers.encode()),
        ("no CRLF", b"GET / HTTP/1.1\nHost: x\n\n"),
        ("no end", b"GET / HTTP/1.1\r\nHost: x\r\n"),
        ("bad method", b"\x00\x01\x02 / HTTP/9.9\r\n\r\n"),
        ("bad length", b"POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\nabc"),
        ("huge length", b"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\nabc"),
        ("1 MB body", body_1mb.encode()),
        ("pipelined", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 50),
        ("long url", b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\n\r\n"),
        ("early close", b"GET / HT"),
    ]
    rng.shuffle(out)
    return out


def send_and_close(port, data, read=True):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=3) as s:
            try:
                s.sendall(data)
            except OSError:
                return  # the far side closed first: allowed
            if read:
                s.settimeout(0.3)
                try:
                    while s.recv(65536):
                        pass
                except OSError:
                    pass
    except OSError:
        pass


def test_bridge_and_firmware_page_survive_http_abuse(lmsim_bin, root, build_dir, tmp_path):
    fw = build_dir / "firmware" / "nettest.elf"
    if not fw.exists():
        pytest.fail(f"{fw} is missing: build the target lmsim_firmware")
    out_path = tmp_path / "stdout.txt"
    with open(out_path, "w") as out_file:
        p = subprocess.Popen([str(lmsim_bin), "run", SCENARIO, "--realtime", "--expose", "--until", "20s"],
                             cwd=root, env=fuzzlib.fw_env(build_dir), stdout=out_file, stderr=subprocess.PIPE,
                             text=True)
    lines = []
    ports = {}
    station_port = None

    def pump():
        for line in p.stderr:
            lines.append(line)

    t = threading.Thread(target=pump, daemon=True)
    t.start()
    slow = []
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (len(ports) < 3 or station_port is None):
            for line in list(lines):
                m = BRIDGE.match(line.rstrip("\n"))
                if m:
                    ports[m.group(1)] = int(m.group(2))
                m = re.search(r"station abb1: Modbus TCP on 127\.0\.0\.1:(\d+)", line)
                if m:
                    station_port = int(m.group(1))
            time.sleep(0.05)
        assert set(ports) == {"web", "modbus", "rest"} and station_port, lines
        web = ports["web"]
        get_page(web, time.monotonic() + 6)
        rng = random.Random(99)
        # Slowloris: connections that send nothing (and one that sends half a request) stay open.
        for _ in range(3):
            slow.append(socket.create_connection(("127.0.0.1", web), timeout=3))
        slow[-1].sendall(b"GET / HTTP/1.1\r\nHo")
        for name, data in attacks(rng):
            send_and_close(web, data, read=rng.random() < 0.7)
            assert p.poll() is None, f"lmsim died after '{name}' (exit {p.returncode}): {''.join(lines)[-500:]}"
        for port in (ports["modbus"], ports["rest"], station_port):
            for name, data in attacks(rng)[:6]:
                send_and_close(port, data)
        assert p.poll() is None, "".join(lines)[-500:]
        # The nettest firmware has two listening sockets on port 4000; the three slow clients hold
        # both, until its 5 s request timeout drops them: then the page is served again, while
        # the slow clients are still connected on our side.
        get_page(web, time.monotonic() + 10)
        for s in slow:
            s.close()
        slow = []
        get_page(web, time.monotonic() + 8)
        p.wait(timeout=60)  # the run ends by itself at --until
    finally:
        for s in slow:
            s.close()
        if p.poll() is None:
            p.kill()
            p.wait()
        t.join(timeout=10)
    out = out_path.read_text()
    assert p.returncode == 0, out + "".join(lines)
    assert "verdict: pass" in out
