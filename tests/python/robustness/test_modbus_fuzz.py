"""Seeded garbage to lmsim-station-server over 127.0.0.1: random, truncated and oversized MBAP
headers, wrong lengths, every function code, edge quantities and addresses. The server must never
die, and a good client must be served after every burst of garbage."""
import random
import re
import socket
import struct
import subprocess
import time

import pytest

import fuzzlib

GOOD = struct.pack(">HHHBBHH", 0x1234, 0, 6, 1, 3, 0x4000, 4)  # read 4 holding regs at 0x4000


def recv_exact(s, n, timeout=3.0):
    s.settimeout(timeout)
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def good_read(port, deadline):
    """Raw FC3 request; retries while the station still boots or holds an old connection."""
    last = None
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=3) as s:
                s.sendall(GOOD)
                rep = recv_exact(s, 9 + 8)
                if len(rep) == 17 and rep[:2] == b"\x12\x34" and rep[7] == 3 and rep[8] == 8:
                    return rep
                last = rep
        except OSError as e:
            last = e
        time.sleep(0.1)
    raise AssertionError(f"good client not served after garbage: {last!r}")


def garbage(rng):
    """One malformed or edge-case Modbus TCP byte string."""
    tid = rng.randrange(65536)
    kind = rng.randrange(9)
    if kind == 0:  # random bytes
        return kind, bytes(rng.randrange(256) for _ in range(rng.randint(1, 300)))
    if kind == 1:  # truncated MBAP
        return kind, struct.pack(">HHHB", tid, 0, 6, 1)[: rng.randint(1, 6)]
    if kind == 2:  # length field lies (too long / too short / huge)
        ln = rng.choice([0, 1, 2, 255, 256, 0xFFFF, 3])
        return kind, struct.pack(">HHHBB", tid, 0, ln, 1, 3) + bytes(rng.randint(0, 8))
    if kind == 3:  # nonzero protocol id
        return kind, struct.pack(">HHHBBHH", tid, rng.randint(1, 0xFFFF), 6, 1, 3, 0, 1)
    if kind == 4:  # every function code with random payload
        fc = rng.randrange(256)
        body = bytes(rng.randrange(256) for _ in range(rng.randint(0, 20)))
        return kind, struct.pack(">HHHBB", tid, 0, 2 + len(body), rng.choice([0, 1, 255]), fc) + body
    if kind == 5:  # edge quantities / addresses for reads
        fc = rng.choice([1, 2, 3, 4])
        return kind, struct.pack(">HHHBBHH", tid, 0, 6, 1, fc, rng.choice([0, 0x4000, 0xFFFF, 0xFFFE]),
                                 rng.choice([0, 1, 125, 126, 2000, 0xFFFF]))
    if kind == 6:  # FC16 with inconsistent byte count / quantity
        q = rng.choice([0, 1, 2, 123, 124, 0xFFFF])
        bc = rng.choice([0, q * 2 & 0xFF, 255])
        data = bytes(rng.randint(0, 250))
        return kind, struct.pack(">HHHBBHHB", tid, 0, 7 + len(data), 1, 16, rng.choice([0x4100, 0xFFFF]), q,
                                 bc) + data
    if kind == 7:  # oversized frame (flood)
        return kind, struct.pack(">HHHBB", tid, 0, 254, 1, 16) + bytes(rng.randrange(256) for _ in range(6000))
    # FC6 at edge addresses with random values
    return kind, struct.pack(">HHHBBHH", tid, 0, 6, 1, 6, rng.choice([0, 0x4100, 0xFFFF]), rng.randrange(65536))


@pytest.fixture
def station_server(build_dir, tmp_path):
    exe = build_dir / "models" / "evse" / "lmsim-station-server"
    if not exe.exists():
        pytest.fail(f"{exe} is missing: build the target lmsim-station-server")
    sc = tmp_path / "s.yaml"
    # reaction/boot short so the test is quick; one station with an EV.
    sc.write_text("stations:\n  - {name: abb1, model: abb-terra-ac, boot_time: 0.2s}\n"
                  "evs:\n  - {name: car1, station: abb1, phases: 3, max_current: 16A}\n")
    p = subprocess.Popen([str(exe), str(sc), "--port", "0", "--duration", "60"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    m = re.search(r"listening abb1 127\.0\.0\.1:(\d+)", line)
    if not m:
        p.kill()
        raise AssertionError(f"no listening line: {line!r} {p.stderr.read()!r}")
    yield p, int(m.group(1))
    if p.poll() is None:
        p.terminate()
        p.wait(timeout=10)


def test_station_server_survives_garbage_and_keeps_serving(station_server):
    p, port = station_server
    good_read(port, time.monotonic() + 5)
    rng = random.Random(20261125)
    kinds = set()
    for burst in range(30):
        for _ in range(8):
            kind, data = garbage(rng)
            kinds.add(kind)
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                    s.sendall(data)
                    if rng.random() < 0.5:  # sometimes wait for whatever comes back
                        s.settimeout(0.05)
                        try:
                            s.recv(4096)
                        except OSError:
                            pass
            except OSError:
                pass  # the server may drop or refuse a garbage client: allowed
            assert p.poll() is None, f"server died (exit {p.returncode}) after kind {kind}: {data[:40]!r}"
        good_read(port, time.monotonic() + 5)
    assert kinds == set(range(9))
    assert p.poll() is None


def test_every_function_code_gets_an_answer_or_silence(station_server):
    """All 256 function codes with a plausible body: each either answers with the same
    transaction id and function code (or its exception), stays silent, or drops the connection;
    the server keeps serving afterwards."""
    p, port = station_server
    good_read(port, time.monotonic() + 5)
    answered = dropped = 0
    s = None
    for fc in range(256):
        if s is None:
            s = socket.create_connection(("127.0.0.1", port), timeout=3)
        try:
            s.sendall(struct.pack(">HHHBBHH", fc, 0, 6, 1, fc, 0x4000, 1))
            hdr = recv_exact(s, 7, timeout=0.3)
        except socket.timeout:
            continue
        except OSError:
            hdr = b""
        if len(hdr) < 7:  # the server closed this connection: allowed, reconnect
            dropped += 1
            s.close()
            s = None
            continue
        ln = struct.unpack(">H", hdr[4:6])[0]
        rest = recv_exact(s, ln - 1)
        assert struct.unpack(">H", hdr[:2])[0] == fc
        assert rest[0] in (fc, fc | 0x80), (fc, rest)
        answered += 1
    if s is not None:
        s.close()
    assert answered >= 4, (answered, dropped)  # at least FC3/4/6/16 answer (data or an exception)
    good_read(port, time.monotonic() + 5)
    assert p.poll() is None


def test_station_server_flags(build_dir, tmp_path):
    """Bad flags were read with atoi/atof (junk = 0, a dangling flag ignored, then a server that
    ran forever); now each is a usage error (exit 2) with a message."""
    exe = build_dir / "models" / "evse" / "lmsim-station-server"
    sc = tmp_path / "s.yaml"
    sc.write_text("stations:\n  - {name: abb1, model: abb-terra-ac}\n")
    bad = []
    for args in (["--port"], ["--port", "x"], ["--port", "-5"], ["--port", "99999"], ["--duration", "nan"],
                 ["--duration", "-1"], ["--seed", "x"], ["--bogus", "1"], ["--duration"], ["--port", "--duration", "1"]):
        rc, out, err = fuzzlib.run([str(exe), str(sc), *args], timeout=20)
        if rc != 2 or not err.strip():
            bad.append(f"{args}: exit {rc}: {err[-200:]!r}")
    for path in (tmp_path / "missing.yaml", tmp_path):
        rc, out, err = fuzzlib.run([str(exe), str(path), "--duration", "1"], timeout=20)
        if rc != 2 or str(path) not in err:
            bad.append(f"{path}: exit {rc}: {err[-200:]!r}")
    rc, out, err = fuzzlib.run([str(exe), str(sc), "--port", "0", "--duration", "0.5"], timeout=20)
    if rc != 0 or "listening abb1 127.0.0.1:" not in out:
        bad.append(f"good flags: exit {rc}: {out[-200:]!r} {err[-200:]!r}")
    assert not bad, "\n".join(bad)
