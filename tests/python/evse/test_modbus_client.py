"""The in-simulation Modbus client from Python, driving an ABB Terra AC like a controller does."""
import lmsim
import pytest

SC = {
    "name": "abb-python",
    "seed": 2,
    "duration": "10min",
    "stations": [{"name": "abb1", "model": "abb-terra-ac", "phases": ["L1", "L2", "L3"], "ip": "192.168.1.60"}],
    "evs": [{"name": "car", "station": "abb1", "arrive": "10s", "battery": "60kWh", "soc": "20%", "phases": 3,
             "max_current": "16A"}],
}


def u32(hi, lo):
    return (hi << 16) | lo


def test_setpoint_ev_follows_and_state_reads_back():
    with lmsim.Site(SC) as s:
        mb = lmsim.ModbusClient(s)
        s.run(until="60s")
        assert s["station.abb1.state"] == "C"
        mb.write_registers("abb1", 0x4100, [0, 10000])  # 10 A in mA, hi word first
        s.run(for_="30s")
        assert s["station.abb1.offered_current"] == pytest.approx(10.0)
        assert s["ev.car.current"] <= 10.0 + 1e-9 and s["ev.car.current"] > 5.0
        hi, lo = mb.read_holding("abb1", 0x4022, 2)
        assert u32(hi, lo) == 10000
        state = mb.read_holding("abb1", 0x400C, 2)
        assert (state[1] >> 8) & 0x7F == 4  # C2: charging
        mb.write_registers("abb1", 0x4100, [0, 0])  # < 6 A pauses
        s.run(for_="30s")
        assert s["station.abb1.offered_current"] == 0.0 and s["ev.car.current"] == 0.0


def test_vendor_exceptions_and_watchdog_in_simulated_time():
    with lmsim.Site(SC) as s:
        mb = lmsim.ModbusClient(s)
        s.run(until="30s")
        with pytest.raises(lmsim.ModbusError) as e:
            mb.read_input("abb1", 0x4000, 2)  # ABB supports FC 3/6/16 only
        assert e.value.code == 1
        with pytest.raises(lmsim.ModbusError) as e:
            mb.read_holding("abb1", 0x5000, 1)  # unlisted register
        assert e.value.code == 2
        mb.write_register("abb1", 0x4106, 10)  # communication timeout 10 s, no fall-back set
        mb.read_holding("abb1", 0x400C, 2)  # "any read" keeps (and arms) the ABB watchdog
        s.run(for_="5s")
        assert s["station.abb1.errors"] == 0 and s["station.abb1.offered_current"] > 0
        s.run(for_="10s")  # nobody reads: the watchdog lapses without wall time
        # No fall-back limit configured (0x4109 = 0xFF): error "Modbus communication lost", stop.
        assert s["station.abb1.errors"] == 1 and s["station.abb1.offered_current"] == 0
        err = mb.read_holding("abb1", 0x4008, 2)
        assert u32(*err) & 16384
        with pytest.raises(KeyError, match="no Modbus station named 'nope'"):
            mb.read_holding("nope", 0x4000, 1)
