"""Issue 17 item 1: assertions read scenario parameters as constants, and sweeps tie a limit to
its rating with `zip` groups (product stays the default)."""
import lmsim
import pytest

# Limits by hand: 0.95 * 32 A = 30.4 A, 0.95 * 25 A = 23.75 A, 0.95 * 40 A = 38 A (ratings from
# the IEC 60269 gG series the plant knows).
SC = {
    "name": "linked",
    "duration": "1s",
    "site": {"main_fuse": {"rating": "32A"}},
    "signals": [{"name": "t.i", "unit": "A", "initial": "30A"}],
    "assert": [{"always": "t.i <= 0.95 * site.main_fuse.rating"}],
}


def verdicts(runs):
    return [(r["params"], r["result"]["verdict"]) for r in runs]


def test_assertions_read_scenario_parameters(run_lmsim, write_scenario):
    p = write_scenario("duration: 1s\nsite: {main_fuse: {rating: 32A}}\n"
                       "signals: [{name: t.i, unit: A, initial: 30A}]\n"
                       "assert: [{always: \"t.i <= 0.95 * site.main_fuse.rating\"}]\n")
    assert run_lmsim("run", p).returncode == 0                                  # 30 <= 30.4
    r = run_lmsim("run", p, "--set", "site.main_fuse.rating=25A")               # 30 > 23.75
    assert r.returncode == 1 and "t.i = 30 A" in r.stdout, r.stdout
    bad = write_scenario("duration: 1s\nsignals: [{name: t.i, unit: A}]\n"
                         "assert: [{always: \"t.i <= site.main_fuse.ratin\"}]\n", "bad.yaml")
    r = run_lmsim("run", bad)
    assert r.returncode == 2 and "bad.yaml:3" in r.stderr and "site.main_fuse.ratin" in r.stderr, r.stderr
    wrong_unit = write_scenario("duration: 1s\nsite: {main_fuse: {rating: 32A}}\n"
                                "signals: [{name: t.p, unit: W}]\n"
                                "assert: [{always: \"t.p <= site.main_fuse.rating\"}]\n", "u.yaml")
    r = run_lmsim("run", wrong_unit)
    assert r.returncode == 2 and "u.yaml:4" in r.stderr, r.stderr


def test_zip_links_parameters_product_crosses_them():
    linked = {"site.main_fuse.rating": ["25A", "40A"], "t.i": ["23A", "38A"]}
    runs = lmsim.sweep(SC, zip=[linked], jobs=2)
    assert verdicts(runs) == [({"site.main_fuse.rating": "25A", "t.i": "23A"}, "pass"),
                              ({"site.main_fuse.rating": "40A", "t.i": "38A"}, "pass")]
    runs = lmsim.sweep(SC, linked, jobs=2)  # product: every rating with every current
    assert [v for _, v in verdicts(runs)] == ["pass", "fail", "pass", "pass"]
    assert [r["params"]["t.i"] for r in runs] == ["23A", "38A", "23A", "38A"]


def test_grid_combines_groups_params_and_seeds():
    g = lmsim.sweep_grid({"a": [1, 2]}, zip=[{"b": [3, 4], "c": [5, 6]}], seeds=[7, 8])
    assert g == [({"a": 1, "b": 3, "c": 5}, 7), ({"a": 1, "b": 3, "c": 5}, 8),
                 ({"a": 1, "b": 4, "c": 6}, 7), ({"a": 1, "b": 4, "c": 6}, 8),
                 ({"a": 2, "b": 3, "c": 5}, 7), ({"a": 2, "b": 3, "c": 5}, 8),
                 ({"a": 2, "b": 4, "c": 6}, 7), ({"a": 2, "b": 4, "c": 6}, 8)]
    with pytest.raises(ValueError, match="lists of one length"):
        lmsim.sweep_grid(zip=[{"b": [1, 2], "c": [1]}])
    with pytest.raises(ValueError, match="'b' is swept twice"):
        lmsim.sweep_grid({"b": [1]}, zip=[{"b": [2]}])
    with pytest.raises(ValueError, match="values of 'c' must be a list"):
        lmsim.sweep_grid(zip=[{"c": "5A"}])
