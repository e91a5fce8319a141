"""Modbus TCP :5020 of lmc.elf in simulated time, through the simulated LAN (devclient.py):
the documented float32 map against the plant (MB-03), external control with keep-alive and
fallback acting on the stations (MB-04, EXT-01..06), the exceptions (MB-02), and a server that
survives abuse while the fuse stays protected."""
import math

import lmsim
import pytest

from devclient import DeviceModbus, LanConn

SCENARIO = "scenarios/api/_api.yaml"


@pytest.fixture
def site(root, build_dir):
    import os
    os.environ.setdefault("LMSIM_FIRMWARE_DIR", str(build_dir / "firmware"))
    with lmsim.Site(str(root / SCENARIO), seed=5) as s:
        s.run(until="40s")  # booted, on the LAN, metering ready, the EV charging
        yield s


def test_live_map_matches_the_plant(site):
    site.run(until="150s")  # the EV has settled: the meter's 1 s window and the plant agree
    mb = DeviceModbus(site, unit=7)  # any unit id (A17)
    f = mb.read_floats(19000, 22)    # 19000-19043 in one request (A36)
    for p in range(3):
        ph = f"site.grid.L{p + 1}"
        # The plant is the independent reference; the AFE is a class-1 meter over a 1 s window.
        assert f[p] == pytest.approx(site[f"{ph}.voltage"], rel=0.01)
        assert f[6 + p] == pytest.approx(site[f"{ph}.current"], rel=0.02, abs=0.2)
        assert f[10 + p] == pytest.approx(site[f"{ph}.power"], rel=0.02, abs=20)
    assert f[3:6] == [0.0, 0.0, 0.0]                                  # 19006-19011 (A36)
    assert f[13] == pytest.approx(f[10] + f[11] + f[12], rel=1e-4)    # P total = P1+P2+P3 (PUB §3.1)
    assert f[17] == pytest.approx(f[14] + f[15] + f[16], rel=1e-4)    # S total
    for p in range(3):                                                 # S >= |P| on each phase
        assert f[14 + p] + 1 >= abs(f[10 + p])


def test_exceptions(site):
    mb = DeviceModbus(site)
    with pytest.raises(lmsim.ModbusError) as e:
        mb.read_holding(19000, 2, fc=4)
    assert e.value.code == 1
    with pytest.raises(lmsim.ModbusError) as e:
        mb.read_holding(19044, 2)
    assert e.value.code == 2
    with pytest.raises(lmsim.ModbusError) as e:
        mb.write_register(19054, 10)  # FC06
    assert e.value.code == 1
    with pytest.raises(lmsim.ModbusError) as e:
        mb.write_floats(19054, [math.nan])
    assert e.value.code == 3
    with pytest.raises(lmsim.ModbusError) as e:
        mb.write_floats(19054, [-2.0])
    assert e.value.code == 3


def test_external_limit_keepalive_and_fallback(site):
    mb = DeviceModbus(site)
    site.run(for_="60s")
    assert site["stations.total_current.L1"] > 12  # the EV takes its 16 A before any external limit
    mb.write_floats(19052, [6.0, 10.0])  # FallbackCurrentLimit 6 A, CurrentLimit 10 A
    mb.write_floats(19050, [1.0])        # ActivePowerActivation (EXT-01)
    assert mb.read_floats(19050, 4)[:3] == [1.0, 6.0, 10.0]  # MB-04: read back
    site.run(for_="30s")
    assert site["stations.total_current.L1"] <= 10.0 + 0.5  # EXT-06: the stations' sum capped
    for _ in range(3):                   # keep-alive every 60 s: the limit stays (EXT-03)
        site.run(for_="60s")
        mb.write_floats(19056, [1.0])
        assert site["stations.total_current.L1"] <= 10.5
    assert "lmc: external timeout" not in site["device.uart0.tx"]
    site.run(for_="150s")                # silence > 120 s: fallback (EXT-02)
    assert "lmc: external timeout limit_ma=6000" in site["device.uart0.tx"]
    assert site["stations.total_current.L1"] <= 6.0 + 0.5
    mb.write_floats(19056, [1.0])        # EXT-05: the next keep-alive restores CurrentLimit
    site.run(for_="2s")
    assert "lmc: external restored limit_ma=10000" in site["device.uart0.tx"]


def test_survives_abuse_and_keeps_managing(site):
    site.run(for_="10s")
    # Garbage (an MBAP length of 0: not Modbus TCP), a slowloris half frame, a half-open peer,
    # an oversized length field.
    g = LanConn(site, 5020)
    assert g.wait_open()
    g.send(b"\x00\x01\x00\x00\x00\x00\x01\x03")
    slow = LanConn(site, 5020)
    slow.wait_open()
    slow.send(b"\x00\x02\x00")
    site.run(for_="10s")
    assert slow.recv_until(lambda b: False, timeout=0.01) == b"" and slow.state == "closed"  # cut
    half = LanConn(site, 5020)
    half.wait_open()
    half.abort()  # vanishes without a FIN: the device only finds out when idle
    big = LanConn(site, 5020)
    big.wait_open()
    big.send(b"\x00\x03\x00\x00\xff\xff\x01" + b"\x03" * 1000)
    site.run(for_="20s")
    mb = DeviceModbus(site)  # a well-behaved client is served afterwards
    assert mb.read_floats(19000, 1)[0] > 200
    site.run(for_="30s")
    assert site["site.fuse.L1.current"] <= 38.0
    assert site["stations.total_current.L1"] > 6.0  # load management went on
