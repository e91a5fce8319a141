"""The Python module: many sites per process, signals, conditions, traces as arrays."""
import numpy as np
import lmsim
import pytest

SC = {
    "name": "py",
    "seed": 3,
    "duration": "5s",
    "signals": [{"name": "t.i", "unit": "A", "initial": "1A"},
                {"name": "t.mode", "type": "enum", "states": ["normal", "blocked"]},
                {"name": "t.on", "type": "bool"}],
    "stimuli": [{"signal": "t.i", "kind": "square", "period": "2s", "low": "1A", "high": "9A"}],
}


def test_twenty_sites_in_a_row():
    seen = []
    for i in range(20):
        with lmsim.Site(SC, seed=i) as s:
            assert s.run(until=1.5) == pytest.approx(1.5)
            assert s["t.i"] == 9.0  # second half of the square period
            s["t.mode"] = "blocked"
            assert s["t.mode"] == "blocked"
            seen.append(s.finish()["provenance"]["seed"])
    assert seen == list(range(20))


def test_run_for_until_and_condition():
    s = lmsim.Site(SC)
    s.run(for_="0.5s")
    assert s.time == pytest.approx(0.5)
    assert s.run_until("t.i > 5A", timeout="3s") is True
    assert s.time == pytest.approx(1.0)
    assert s.run_until("t.i > 50A", timeout="1s") is False
    assert s.time == pytest.approx(2.0)
    s.run()
    assert s.time == pytest.approx(5.0)
    s.close()


def test_signals_get_set_and_errors():
    s = lmsim.Site(SC)
    names = {x["name"]: x for x in s.signals()}
    assert names["t.i"]["unit"] == "A" and names["t.mode"]["states"] == ["normal", "blocked"]
    s["t.on"] = True
    assert s["t.on"] is True
    s.set("t.i", "3A")
    assert s["t.i"] == 3.0
    with pytest.raises(KeyError, match="did you mean"):
        s["t.ii"]
    with pytest.raises(KeyError, match="expects current"):
        s["t.i"] = "3V"
    with pytest.raises(ValueError):
        s.run(until="soon")
    with pytest.raises(ValueError, match="at most 100 days"):
        s.run(until="300d")
    s.close()


def test_a_finished_site_refuses_to_move_or_change():
    s = lmsim.Site(SC)
    s.run(until=1.0)
    verdict = s.finish()["verdict"]
    assert s["t.i"] == 9.0  # reading after finish() is fine
    with pytest.raises(RuntimeError, match="run is finished"):
        s.run(for_="1s")
    with pytest.raises(RuntimeError, match="after finish"):
        s["t.i"] = "2A"
    assert s.time == pytest.approx(1.0)
    assert s.finish()["verdict"] == verdict  # idempotent
    s.close()


def test_trace_arrays():
    s = lmsim.Site(SC)
    s.record("t.*")
    s.run(until="4s")
    t, v = s.trace("t.i")
    assert isinstance(t, np.ndarray) and t.dtype == np.float64
    assert list(t) == pytest.approx([0, 1, 2, 3, 4])
    assert list(v) == [1, 9, 1, 9, 1]
    with pytest.raises(KeyError):
        s.trace("t.none")
    s.close()


def test_scenario_errors_from_files_and_dicts(tmp_path):
    with pytest.raises(ValueError, match="no such scenario"):
        lmsim.Site(tmp_path / "missing.yaml")
    p = tmp_path / "x.yaml"
    p.write_text("duration: 1s\nsignals:\n  - {name: a.b, unit: A, inital: 3A}\n")
    with pytest.raises(ValueError, match=r"x.yaml:3.*unknown key 'inital'"):
        lmsim.Site(p)


def test_run_helper_and_unknown_rpc():
    r = lmsim.run(SC, until="1s")
    assert r["sim_time_s"] == pytest.approx(1.0) and r["verdict"] == "pass"
    with lmsim.Site(SC) as s:
        with pytest.raises(KeyError, match="no procedure 'nope'"):
            s.rpc("nope", a=1)
