"""REST :7000 of lmc.elf in simulated time through the simulated LAN (devclient.py): Basic auth
(RS-02), live data against the plant (RS-03), settings and keep-alive acting on the stations
(RS-04..RS-06, EXT-*), the vendor's HTTP 500 for invalid fields (RS-07), the state shared with
Modbus (MB-05), and a server that survives abuse while load management goes on."""
import json
import os

import lmsim
import pytest

from devclient import DeviceHttp, DeviceModbus, LanConn

SCENARIO = "scenarios/api/_api.yaml"
AUTH = ("clemap", "SE12345678")  # UI-02 / RS-02: user clemap, password = the serial


@pytest.fixture
def site(root, build_dir):
    os.environ.setdefault("LMSIM_FIRMWARE_DIR", str(build_dir / "firmware"))
    with lmsim.Site(str(root / SCENARIO), seed=6) as s:
        s.run(until="40s")
        yield s


def test_auth_required_and_rate_limited(site):
    http = DeviceHttp(site, 7000)
    status, hdrs, _ = http.request("GET", "/v1/settings")
    assert status == 401 and hdrs["www-authenticate"].startswith("Basic")
    for _ in range(5):
        assert http.request("GET", "/v1/settings", auth=("clemap", "guess"))[0] == 401
    assert http.request("GET", "/v1/settings", auth=AUTH)[0] == 429  # A07: locked for 60 s
    site.run(for_="61s")
    assert http.request("GET", "/v1/settings", auth=AUTH)[0] == 200


def test_live_data_matches_the_plant(site):
    site.run(until="150s")  # the EV has settled: the meter's 1 s window and the plant agree
    http = DeviceHttp(site, 7000)
    status, hdrs, body = http.request("GET", "/v1/live/data", auth=AUTH)
    assert status == 200 and hdrs["content-type"] == "application/json"
    j = json.loads(body)
    for p in range(3):
        ph = f"site.grid.L{p + 1}"
        assert j["voltage"][p] == pytest.approx(site[f"{ph}.voltage"], rel=0.01)
        assert j["current"][p] == pytest.approx(site[f"{ph}.current"], rel=0.02, abs=0.2)
        assert j["active_power"][p] == pytest.approx(site[f"{ph}.power"], rel=0.02, abs=20)
    assert [s["id"] for s in j["stations"]] == ["abb1"]
    assert j["stations"][0]["status"] == "charging"
    assert j["stations"][0]["current"][0] == pytest.approx(site["station.abb1.L1.current"], abs=0.5)
    assert j["stations"][0]["limit"] == pytest.approx(site["station.abb1.offered_current"], abs=0.5)
    assert j["external"] == {"active": False, "CurrentLimit": None, "FallbackCurrentLimit": None,
                             "in_fallback": False, "seconds_to_fallback": 0}


def test_settings_keepalive_fallback_and_shared_with_modbus(site):
    http = DeviceHttp(site, 7000)
    site.run(for_="60s")
    assert site["stations.total_current.L1"] > 12
    body = json.dumps({"ActivePowerActivation": True, "CurrentLimit": 10, "FallbackCurrentLimit": 6})
    status, _, b = http.request("POST", "/v1/settings", body=body, auth=AUTH)
    assert status == 200, b
    site.run(for_="30s")
    assert site["stations.total_current.L1"] <= 10.5  # EXT-06: the stations' sum capped
    assert "lmc: external activated limit_ma=10000" in site["device.uart0.tx"]
    mb = DeviceModbus(site)
    assert mb.read_floats(19050, 3) == [1.0, 6.0, 10.0]       # MB-05: one state
    mb.write_floats(19054, [8.0])                             # Modbus overwrites REST ...
    assert json.loads(http.request("GET", "/v1/settings", auth=AUTH)[2])["CurrentLimit"] == 8
    for _ in range(2):
        site.run(for_="90s")
        assert http.request("POST", "/v1/keepalive", auth=AUTH)[0] == 200  # RS-06
    assert site["stations.total_current.L1"] <= 8.5
    site.run(for_="140s")                                     # EXT-02: silent > 120 s
    j = json.loads(http.request("GET", "/v1/live/data", auth=AUTH)[2])
    assert j["external"]["in_fallback"] is True
    assert "lmc: external timeout limit_ma=6000" in site["device.uart0.tx"]
    assert site["stations.total_current.L1"] <= 6.5


def test_invalid_fields_get_500_and_change_nothing(site):
    http = DeviceHttp(site, 7000)
    ok = json.dumps({"ActivePowerActivation": True, "CurrentLimit": 12})
    assert http.request("POST", "/v1/settings", body=ok, auth=AUTH)[0] == 200
    for bad in ['{"CurrentLimit": "20"}', '{"CurrentLimit": -3}', '{"CurrentLimit": 500}',
                '{"ActivePowerActivation": "yes"}', "garbage", "[]"]:
        status, _, b = http.request("POST", "/v1/settings", body=bad, auth=AUTH)
        assert status == 500, bad  # RS-07: the vendor's 500, not a 4xx
        assert "error" in json.loads(b)
    assert json.loads(http.request("GET", "/v1/settings", auth=AUTH)[2])["CurrentLimit"] == 12


def test_survives_abuse_and_keeps_managing(site):
    # Garbage, an oversized head, a slowloris request, a half-open peer, wrong credentials.
    g = LanConn(site, 7000)
    g.wait_open()
    g.send(b"\x16\x03\x01\x02\x00garbage\r\n\r\n")
    assert g.recv_until(lambda b: b"\r\n\r\n" in b).startswith(b"HTTP/1.1 400")
    big = LanConn(site, 7000)
    big.wait_open()
    big.send(b"GET /v1/live/data HTTP/1.1\r\nHost: d\r\nX: " + b"a" * 3000 + b"\r\n\r\n")
    assert big.recv_until(lambda b: b"\r\n\r\n" in b).startswith(b"HTTP/1.1 431")
    slow = LanConn(site, 7000)
    slow.wait_open()
    slow.send(b"GET /v1/live/data HTTP/1.1\r\nHo")
    site.run(for_="7s")
    slow.recv_until(lambda b: False, timeout=0.01)
    assert slow.state == "closed"  # cut after 5 s
    half = LanConn(site, 7000)
    half.wait_open()
    half.abort()
    http = DeviceHttp(site, 7000)
    for _ in range(3):
        assert http.request("GET", "/v1/live/data", auth=("clemap", "nope"))[0] == 401
    assert http.request("GET", "/v1/live/data", auth=AUTH)[0] == 200
    site.run(for_="30s")
    assert site["site.fuse.L1.current"] <= 38.0
    assert site["stations.total_current.L1"] > 6.0  # the EV still charges: load management went on
