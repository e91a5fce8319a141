"""Issue 17 item 2: honest verdicts. Assertions whose window did not run are "not evaluated"
(JUnit skipped), never failures; Ctrl-C in `lmsim test` still writes the summary and the JUnit
file and removes its temporary folder."""
import json
import pathlib
import signal
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET

BASE = "duration: 10s\nsignals: [{name: t.x, unit: A, initial: 5A}]\n"


def junit_cases(path):
    return {c.get("name"): c for c in ET.parse(path).iter("testcase")}


def test_window_not_reached_is_not_evaluated(run_lmsim, write_scenario, tmp_path):
    # t.x never reaches 20 A: with the whole run this eventually fails at its deadline (8 s);
    # cut at 5 s by --until its deadline was not reached: not evaluated, not a failure.
    p = write_scenario(BASE + "assert:\n"
                       "  - {eventually: \"t.x > 20A\", within: 8s, name: late}\n"
                       "  - {eventually: \"t.x > 20A\", within: 1s, from: 7s, name: not started}\n"
                       "  - {always: \"t.x < 10A\", from: 6s, name: always later}\n"
                       "  - {always: \"t.x < 10A\", name: always now}\n")
    res, junit = tmp_path / "r.json", tmp_path / "j.xml"
    r = run_lmsim("run", p, "--until", "5s", "--result", res, "--junit", junit)
    assert r.returncode == 0, r.stdout + r.stderr
    j = json.loads(res.read_text())
    st = {a["name"]: a["status"] for a in j["assertions"]}
    assert st == {"late": "not evaluated", "not started": "not evaluated", "always later": "not evaluated",
                  "always now": "passed"}, st
    assert j["verdict"] == "pass"
    assert "3 not evaluated" in r.stdout and "before its deadline" in r.stdout, r.stdout
    cases = junit_cases(junit)
    assert cases["late"].find("skipped") is not None and cases["late"].find("failure") is None
    assert cases["always now"].find("skipped") is None
    assert ET.parse(junit).getroot().get("skipped") == "3"
    # The whole run: the same eventually is a failure at its deadline.
    r = run_lmsim("run", p, "--result", res)
    assert r.returncode == 1
    j = json.loads(res.read_text())
    late = [a for a in j["assertions"] if a["name"] == "late"][0]
    assert late["status"] == "failed" and late["fail_time_s"] == 8.0, late


def test_ctrl_c_in_lmsim_test_writes_summary_and_junit(lmsim_bin, tmp_path):
    d = tmp_path / "suite"
    d.mkdir()
    long = ("duration: 30d\nsite: {loads: [{name: l, phases: L1, power: 2kW}]}\n"
            "assert: [{eventually: 'site.power > 1kW', within: 1s}]\n")
    for n in ("a", "b", "c"):
        (d / f"{n}.yaml").write_text(long)
    junit = tmp_path / "j.xml"
    p = subprocess.Popen([str(lmsim_bin), "test", str(d), "-j", "1", "--junit", str(junit)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(2.0)
    p.send_signal(signal.SIGINT)  # to the parent only: it forwards to the running scenario
    out, err = p.communicate(timeout=60)
    assert p.returncode == 130, out + err
    assert "INTERRUPTED" in out and "NOT RUN" in out, out
    assert "interrupted or not run (SIGINT)" in out, out
    root = ET.parse(junit).getroot()
    assert root.get("failures") == "0" and root.get("errors") == "0", ET.tostring(root)
    assert int(root.get("skipped")) == 3, ET.tostring(root)  # 1 interrupted + 2 not run
    tmp = pathlib.Path(tempfile.gettempdir()) / f"lmsim-test-{p.pid}"
    assert not tmp.exists()
