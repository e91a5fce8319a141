"""Load-management KPIs in result.json (issue 13 via issue 17): peak phase current against the
main fuse rating and the time above the rating."""
import json

KPI = """\
name: kpi
duration: 5s
site:
  main_fuse: {rating: 63A, curve: gG, band: nominal}
  loads:
    - {name: heater, phases: L1, power: 0W, schedule: [{at: 1s, power: 23kW}, {at: 3s, power: 0W}, {at: 4s, power: 23kW}]}
    - {name: oven, phases: L2, power: 0W, schedule: [{at: 2s, power: 16.1kW}, {at: 3.5s, power: 0W}]}
"""


def test_peak_over_rating_and_seconds_above(run_lmsim, write_scenario, tmp_path):
    # Hand calculation at the grid's 230 V: heater 23 kW / 230 V = 100 A on L1, oven
    # 16.1 kW / 230 V = 70 A on L2, both above 63 A. Peak 100 A = 100/63 = 1.587 x rating.
    # Some phase is above 63 A from 1 s to 3.5 s (L1, then L2) and from 4 s to the end at 5 s
    # (still above when the run ends): 2.5 s + 1 s = 3.5 s. 100 A does not melt a 63 A gG fuse
    # within seconds (IEC 60269: conventional non-fusing current 1.25 In for 1 h).
    sc = write_scenario(KPI)
    res = tmp_path / "r.json"
    r = run_lmsim("run", sc, "--result", res)
    assert r.returncode == 0, r.stdout + r.stderr
    k = json.loads(res.read_text())["kpis"]
    assert k["fuse_rating_a"] == 63
    assert abs(k["peak_phase_current_a"] - 100) < 1e-6
    assert abs(k["peak_phase_current_over_rating"] - 100 / 63) < 1e-6
    assert abs(k["seconds_above_rating"] - 3.5) < 1e-9


def test_no_site_no_kpis(run_lmsim, write_scenario, tmp_path):
    sc = write_scenario("duration: 1s\nsignals: [{name: t.x, unit: A, initial: 5A}]\n")
    res = tmp_path / "r.json"
    assert run_lmsim("run", sc, "--result", res).returncode == 0
    assert "kpis" not in json.loads(res.read_text())
