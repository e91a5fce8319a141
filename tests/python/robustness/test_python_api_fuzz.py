"""lmsim.Site with wrong types and values for every argument, set() with wrong types, rpc with
bad arguments: each raises TypeError/ValueError/KeyError (never an internal RuntimeError, never
a dead child), and the site answers a good call afterwards."""
import json
import random

import lmsim
import pytest

SC = {
    "duration": "10s",
    "signals": [{"name": "t.i", "unit": "A", "initial": "1A"},
                {"name": "t.mode", "type": "enum", "states": ["normal", "blocked"]},
                {"name": "t.on", "type": "bool"}],
    "stations": [{"name": "abb1", "model": "abb-terra-ac", "boot_time": "0.1s"}],
}

WEIRD = [None, -1, 2**70, -(2**70), 1e308, float("nan"), float("inf"), -0.0, "", "x" * 100000, "\x00", "3A",
         "3V", "-5s", "nan", "300d", b"bytes", [], [1, 2], {}, {"a": 1}, object(), True, 1j]
OK_ERRORS = (TypeError, ValueError, KeyError)


def call_ok(fn):
    """Runs fn; returns the exception it raised (or None). RuntimeError (internal) is a failure."""
    try:
        fn()
    except OK_ERRORS as e:
        return e
    return None


@pytest.mark.parametrize("arg", ["scenario", "seed", "overrides", "trace", "signals", "realtime"])
def test_constructor_rejects_wrong_types(arg, tmp_path):
    bad = []
    for v in WEIRD:
        kw = {arg: v}
        if arg == "trace" and isinstance(v, str) and v and "\x00" not in v:
            continue  # a file name: valid or a clean error, covered by the CLI tests
        try:
            if arg == "scenario":
                s = lmsim.Site(v)
            else:
                s = lmsim.Site(SC, **kw)
            s.close()
        except OK_ERRORS:
            pass
        except Exception as e:  # noqa: BLE001 - the point is to catch what should not happen
            bad.append(f"{arg}={v!r:.40}: {type(e).__name__}: {e}"[:300])
    assert not bad, "\n".join(bad)


def test_methods_reject_wrong_arguments_and_the_site_survives():
    rng = random.Random(5)
    bad = []
    with lmsim.Site(SC, seed=1) as s:
        s.run(until=0.5)
        calls = []
        for v in WEIRD:
            calls += [
                ("run(until)", lambda v=v: s.run(until=v)),
                ("run(for_)", lambda v=v: s.run(for_=v)),
                ("run_until(cond)", lambda v=v: s.run_until(v, timeout="0.1s")),
                ("run_until(timeout)", lambda v=v: s.run_until("t.i > 5A", timeout=v)),
                ("get", lambda v=v: s.get(v)),
                ("set(name)", lambda v=v: s.set(v, 1)),
                ("set(t.i)", lambda v=v: s.set("t.i", v)),
                ("set(t.mode)", lambda v=v: s.set("t.mode", v)),
                ("set(t.on)", lambda v=v: s.set("t.on", v)),
                ("record", lambda v=v: s.record(v)),
                ("trace", lambda v=v: s.trace(v)),
                ("rpc(name)", lambda v=v: s.rpc(v)),
                ("rpc(modbus fn)", lambda v=v: s.rpc("modbus", fn=v, station="abb1", addr=0x4000)),
                ("rpc(modbus station)", lambda v=v: s.rpc("modbus", fn="read_holding", station=v, addr=0x4000)),
                ("rpc(modbus addr)", lambda v=v: s.rpc("modbus", fn="read_holding", station="abb1", addr=v)),
                ("rpc(modbus count)",
                 lambda v=v: s.rpc("modbus", fn="read_holding", station="abb1", addr=0x4000, count=v)),
                ("rpc(modbus unit)", lambda v=v: s.rpc("modbus", fn="read_holding", station="abb1", addr=0, unit=v)),
                ("rpc(modbus value)",
                 lambda v=v: s.rpc("modbus", fn="write_register", station="abb1", addr=0x4100, value=v)),
                ("rpc(modbus values)",
                 lambda v=v: s.rpc("modbus", fn="write_registers", station="abb1", addr=0x4100, values=v)),
            ]
        rng.shuffle(calls)
        # Calls that do not move time first; then the run calls (a valid one moves time).
        calls.sort(key=lambda c: c[0].startswith("run"))
        done = 0
        for name, fn in calls:
            if name.startswith("run") and s.time > 9:
                break  # keep simulated time for the checks below
            try:
                call_ok(fn)
            except Exception as e:  # noqa: BLE001
                bad.append(f"{name}: {type(e).__name__}: {e}"[:300])
            done += 1
        assert done > len(WEIRD) * 14
        # The child is alive and consistent.
        s.set("t.i", 4)
        assert s["t.i"] == 4.0
        r = s.rpc("modbus", fn="read_holding", station="abb1", addr=0x4000, count=2)
        assert r["ok"] and len(r["values"]) == 2
        assert s.finish()["verdict"] in ("pass", "fail")
    assert not bad, "\n".join(bad)


def test_bytes_that_are_not_utf8_do_not_kill_the_site(tmp_path):
    """The site's child answered with JSON that could not be encoded (a scenario name with bytes
    that are not UTF-8): finish() then lost the child."""
    p = tmp_path / "u.yaml"
    p.write_bytes(b"name: caf\xe9 \xff\nduration: 2s\n")
    with lmsim.Site(p) as s:
        s.run(until=1)
        r = s.finish()
        assert r["verdict"] == "pass"
        assert "caf" in json.dumps(r)
