"""The web UI :4000 of lmc.elf in simulated time through the simulated LAN (devclient.py):
login with clemap / the serial and its lock-out (UI-02, A07), a settings form validated by the
schema that takes effect on the plant (UI-05, CFG-12), and a server that survives garbage,
slowloris, half-open peers, oversized requests and wrong credentials while load management
keeps the fuse safe."""
import json
import os

import lmsim
import pytest

from devclient import DeviceHttp, LanConn

SCENARIO = "scenarios/api/_api.yaml"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def site(root, build_dir):
    os.environ.setdefault("LMSIM_FIRMWARE_DIR", str(build_dir / "firmware"))
    with lmsim.Site(str(root / SCENARIO), seed=8) as s:
        s.run(until="60s")
        yield s


def login(http, password="SE12345678"):
    return http.request("POST", "/login", body=f"user=clemap&password={password}", headers=FORM)


def test_login_form_then_settings_take_effect(site):
    http = DeviceHttp(site, 4000)
    status, hdrs, body = http.request("GET", "/")
    assert status == 200 and b"name=password" in body and hdrs["content-type"].startswith("text/html")
    assert http.request("GET", "/status")[0] == 303  # no session
    status, hdrs, _ = login(http)
    assert status == 303 and hdrs["location"] == "/status"
    cookie = {"Cookie": hdrs["set-cookie"].split(";")[0]}
    status, _, body = http.request("GET", "/api/status", headers=cookie)
    assert status == 200 and json.loads(body)["serial"] == "SE12345678"
    assert site["site.grid.L1.current"] > 14  # building ~7 A + the EV at 16 A
    status, _, body = http.request("POST", "/api/settings", body="lm.limit_l1=abc", headers={**FORM, **cookie})
    assert status == 400 and json.loads(body)["key"] == "lm.limit_l1"  # the schema refuses it
    status, _, body = http.request("POST", "/api/settings", body="lm.limit_l1=12", headers={**FORM, **cookie})
    assert status == 200, body
    site.run(for_="30s")  # CFG-12: in force within a cycle; the EV follows within seconds
    assert site["site.grid.L1.current"] <= 12.5
    assert site["stations.total_current.L1"] < 6.0


def test_survives_abuse_and_keeps_managing(site):
    http = DeviceHttp(site, 4000)
    for _ in range(5):
        assert login(http, "guess")[0] == 401
    assert login(http)[0] == 429  # A07: 60 s lock-out after 5 failures
    g = LanConn(site, 4000)
    g.wait_open()
    g.send(b"\x00\xff" * 100 + b"\r\n\r\n")
    assert g.recv_until(lambda b: b"\r\n\r\n" in b).startswith(b"HTTP/1.1 400")
    big = LanConn(site, 4000)
    big.wait_open()
    big.send(b"POST /login HTTP/1.1\r\nHost: d\r\nContent-Length: 50000\r\n\r\n")
    assert big.recv_until(lambda b: b"\r\n\r\n" in b).startswith(b"HTTP/1.1 413")
    slow = LanConn(site, 4000)
    slow.wait_open()
    slow.send(b"GET / HTTP/1.1\r\n")
    half = LanConn(site, 4000)
    site.run(for_="8s")
    slow.recv_until(lambda b: False, timeout=0.01)
    assert slow.state == "closed"  # slowloris cut after 5 s
    half.abort()
    site.run(for_="60s")
    assert login(http)[0] == 303  # lock-out over, the server serves again
    assert site["site.fuse.L1.current"] <= 38.0
    assert site["stations.total_current.L1"] > 6.0  # load management went on
