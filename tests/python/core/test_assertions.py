"""Every assertion kind, passing and failing, through the Python API."""
import lmsim
import pytest

BASE = {
    "duration": "10s",
    "signals": [{"name": "t.trig", "type": "bool"}, {"name": "t.p", "unit": "W", "initial": "500W"}],
}


def run(asserts, timeline=()):
    sc = dict(BASE, timeline=list(timeline), **{"assert": asserts})
    with lmsim.Site(sc) as s:
        s.run()
        return s.finish()["assertions"]


def test_always_and_never():
    tl = [{"at": "2s", "set": {"t.p": "2kW"}}]
    a = run([{"always": "t.p < 1kW"}, {"never": "t.p >= 1kW"}, {"always": "t.p < 1kW", "until": "1s"},
             {"never": "t.p > 5kW"}], tl)
    assert [x["passed"] for x in a] == [False, False, True, True]
    assert a[0]["fail_time_s"] == pytest.approx(2.0) and a[1]["fail_time_s"] == pytest.approx(2.0)


def test_eventually_within():
    tl = [{"at": "3s", "set": {"t.p": "2kW"}}]
    a = run([{"eventually": "t.p > 1kW", "within": "5s"}, {"eventually": "t.p > 1kW", "within": "2s"},
             {"eventually": "t.p > 3kW", "within": "20s"}], tl)
    assert [x["passed"] for x in a] == [True, False, False]
    assert a[1]["fail_time_s"] == pytest.approx(2.0)
    assert "before the run ended" in a[2]["message"]


def test_after_within_holds():
    # trigger at 2 s; power drops at 4 s: holds within 3 s, not within 1 s.
    tl = [{"at": "2s", "set": {"t.trig": True}}, {"at": "4s", "set": {"t.p": "50W"}},
          {"at": "6s", "set": {"t.p": "600W"}}]
    a = run([{"after": "t.trig", "within": "3s", "holds": "t.p < 100W"},
             {"after": "t.trig", "within": "1s", "holds": "t.p < 100W"}], tl)
    assert a[0]["passed"] is False and a[0]["fail_time_s"] == pytest.approx(6.0)  # stopped holding
    assert a[1]["passed"] is False and a[1]["fail_time_s"] == pytest.approx(3.0)  # too late
    tl2 = tl[:2] + [{"at": "6s", "set": {"t.trig": False}}, {"at": "7s", "set": {"t.p": "600W"}}]
    a = run([{"after": "t.trig", "within": "3s", "holds": "t.p < 100W"}], tl2)
    assert a[0]["passed"] is True  # released when the trigger went away


def test_bad_assertions_are_input_errors():
    with pytest.raises(ValueError, match="not a condition"):
        lmsim.Site(dict(BASE, **{"assert": [{"always": "t.p"}]}))
    with pytest.raises(ValueError, match="needs one of"):
        lmsim.Site(dict(BASE, **{"assert": [{"sometimes": "t.p > 0"}]}))
    with pytest.raises(ValueError, match="within"):
        lmsim.Site(dict(BASE, **{"assert": [{"eventually": "t.p > 0W"}]}))
