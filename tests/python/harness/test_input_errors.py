"""Issue 17 item 4: input errors all at once, valid keys with "did you mean", one time grammar,
`lmsim signals` on a scenario with errors, unique JUnit names."""
import json
import xml.etree.ElementTree as ET

BASE = "signals: [{name: t.x, unit: A, initial: 5A}]\n"


def test_every_error_of_a_file_is_reported_at_once(run_lmsim, write_scenario):
    p = write_scenario(
        "duraton: 1s\n"                                   # line 1: typo of 'duration'
        + BASE +                                          # line 2
        "timeline: [{at: 1s, set: {t.x: 3V}}]\n"          # line 3: wrong unit
        "assert:\n"
        "  - always: \"t.y < 10A\"\n"                     # line 5: no such signal
        "  - never: \"t.x > 10A\"\n"
        "    form: 3s\n",                                 # line 7: typo of 'from'
        "many.yaml")
    r = run_lmsim("run", p)
    assert r.returncode == 2, r.stdout + r.stderr
    err = r.stderr
    assert "many.yaml:1" in err and "unknown key 'duraton' (did you mean 'duration'?)" in err, err
    assert "many.yaml:3" in err, err
    assert "many.yaml:5" in err and "t.y" in err, err
    assert "many.yaml:7" in err and "unknown key 'form' (did you mean 'from'?)" in err, err
    assert "(4 errors)" in err, err


def test_valid_keys_are_listed_not_the_keys_present(run_lmsim, write_scenario):
    p = write_scenario("duration: 1s\n" + BASE + "assert: [{always: \"t.x < 10A\", utnil: 1s}]\n", "k.yaml")
    r = run_lmsim("run", p)
    assert r.returncode == 2
    # 'from' and 'name' are absent from the file but valid for an assertion.
    assert "did you mean 'until'?" in r.stderr and "valid here:" in r.stderr, r.stderr
    valid = r.stderr.split("valid here:")[1].splitlines()[0]
    assert "from" in valid and "name" in valid and "utnil" not in valid, valid


def test_one_time_grammar(run_lmsim, write_scenario, tmp_path):
    # start 17:59:00; t.x is 12 A from 30 s to 50 s of the run (17:59:30 .. 17:59:50).
    tpl = ("start: \"2026-11-25T17:59:00\"\nduration: {dur}\n" + BASE.replace("{", "{{").replace("}", "}}") +
           "timeline: [{{at: \"17:59:30\", set: {{t.x: 12A}}}}, {{at: PT50S, set: {{t.x: 5A}}}}]\n"
           "assert: [{{always: \"t.x < 10A\", from: \"{frm}\"}}]\n")
    cases = [("2min", "17:59:55", 0),              # window starts after the excursion: pass
             ("2min", "17:59:40", 1),              # clock time inside it: fail at 40 s
             ("2min", "2026-11-25T17:59:40", 1),   # ISO date and time, same instant
             ("3h10min", "1min", 0)]               # compound duration
    for dur, frm, code in cases:
        res = tmp_path / "r.json"
        r = run_lmsim("run", write_scenario(tpl.format(dur=dur, frm=frm)), "--result", res)
        assert r.returncode == code, (dur, frm, r.stdout, r.stderr)
        j = json.loads(res.read_text())
        if code:
            assert j["assertions"][0]["fail_time_s"] == 40.0, j
        if dur == "3h10min":
            assert j["sim_time_s"] == 11400.0  # 3*3600 + 10*60, by hand
    r = run_lmsim("run", write_scenario(tpl.format(dur="2min", frm="2026-11-25T17:58:00")))
    assert r.returncode == 2 and "is before the scenario's start" in r.stderr, r.stderr
    r = run_lmsim("run", write_scenario(tpl.format(dur="10h3h", frm="0s")))
    assert r.returncode == 2 and "expected a duration such as 90s, 3h10min" in r.stderr, r.stderr
    r = run_lmsim("run", write_scenario("duration: 1s\n" + BASE), "--until", "PT0.5S")
    assert r.returncode == 0, r.stderr


def test_signals_lists_the_site_of_a_scenario_with_a_bad_name(run_lmsim, write_scenario):
    p = write_scenario("duration: 1s\n" + BASE + "assert: [{always: \"t.xx < 10A\"}]\n", "bad.yaml")
    r = run_lmsim("signals", p)
    assert "t.x " in r.stdout, r.stdout  # the list that helps fixing the name
    assert r.returncode == 2 and "bad.yaml:3" in r.stderr and "t.xx" in r.stderr, r.stderr


def test_signals_help_documents_glob_rules(run_lmsim):
    r = run_lmsim("run", "--help")
    assert "'*' matches" in r.stdout and "within one level" in r.stdout and "'**'" in r.stdout, r.stdout


def test_junit_names_are_unique_for_identical_assertions(run_lmsim, write_scenario, tmp_path):
    p = write_scenario("duration: 1s\n" + BASE + "assert:\n  - always: \"t.x < 10A\"\n  - always: \"t.x < 10A\"\n"
                       "  - always: \"t.x < 10A\"\n")
    junit = tmp_path / "j.xml"
    r = run_lmsim("run", p, "--junit", junit)
    assert r.returncode == 0, r.stderr
    names = [c.get("name") for c in ET.parse(junit).iter("testcase") if c.get("name").startswith("always")]
    assert len(names) == 3 and len(set(names)) == 3, names
