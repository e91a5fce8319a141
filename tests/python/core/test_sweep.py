"""lmsim.sweep: a parameter grid times seeds, run in parallel processes, results in grid order."""
import lmsim
import pytest

SC = {
    "name": "sweep",
    "duration": "20s",
    "signals": [{"name": "t.limit", "unit": "A", "initial": "10A"}],
    "stimuli": [{"signal": "t.i", "kind": "random", "period": "100ms", "mean": "8A", "sd": "1A"}],
    "assert": [{"always": "t.i < t.limit"}],
    "figures": ["t.i"],
}
SC["signals"].append({"name": "t.i", "unit": "A", "initial": "0A"})


def test_grid_order_params_seeds_and_verdicts():
    runs = lmsim.sweep(SC, {"t.limit": ["5A", "100A"]}, seeds=[1, 2, 3], jobs=2)
    assert [(r["params"]["t.limit"], r["seed"]) for r in runs] == [
        ("5A", 1), ("5A", 2), ("5A", 3), ("100A", 1), ("100A", 2), ("100A", 3)]
    assert [r["result"]["verdict"] for r in runs] == ["fail"] * 3 + ["pass"] * 3
    assert [r["result"]["provenance"]["seed"] for r in runs] == [1, 2, 3, 1, 2, 3]
    peaks = [r["result"]["figures"]["t.i"]["max"] for r in runs]
    assert len(set(peaks[:3])) == 3  # seeds differ
    assert peaks[:3] == peaks[3:]  # the limit does not change the stimulus


def test_parallel_equals_serial():
    par = lmsim.sweep(SC, {"t.limit": ["9A", "11A"]}, seeds=[4, 5], jobs=4)
    ser = lmsim.sweep(SC, {"t.limit": ["9A", "11A"]}, seeds=[4, 5], jobs=1)
    strip = [(r["params"], r["seed"], r["result"]["figures"], r["result"]["verdict"]) for r in par]
    assert strip == [(r["params"], r["seed"], r["result"]["figures"], r["result"]["verdict"]) for r in ser]


def test_bad_sweeps_name_the_problem():
    with pytest.raises(ValueError, match="values of 't.limit' must be a list"):
        lmsim.sweep(SC, {"t.limit": "5A"})
    with pytest.raises(ValueError, match="no signal named 't.nope'"):
        lmsim.sweep(SC, {"t.nope": ["1A"]}, jobs=2)
