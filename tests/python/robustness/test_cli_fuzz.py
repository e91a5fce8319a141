"""Seeded random combinations of valid and invalid flags and values for `lmsim run`, `test` and
`signals`: every case ends with exit 0/1/2 within its time bound, never a signal or exit 4;
exit 2 says what was wrong on stderr (a usage or input error, naming the flag or file)."""
import json
import pathlib
import random
import re

import fuzzlib

SCENARIO = "duration: 2s\nsignals:\n  - {name: t.i, unit: A, initial: 1A}\nassert:\n  - always: \"t.i < 5A\"\n"


def flag_pool(tmp, sc):
    """(flag, [values]) for `run`: good and bad values; None = no value."""
    return [
        ("--until", ["1s", "0s", "-1s", "abc", "1e300s", "300d", "1ps", "", "nan", "1", "2h"]),
        ("--seed", ["0", "1", "-1", "18446744073709551615", "18446744073709551616", "x", "1.5", ""]),
        ("--set", ["t.i=2A", "t.i=9V", "t.i=", "=3", "nosuch=1", "duration=1s", "duration=x", "site.x.y=1",
                   "t.i=nan", "a" * 5000 + "=1", "t.i"]),
        ("--trace", [str(tmp / "t.vcd"), str(tmp / "t.csv"), str(tmp / "t.txt"), "/nonexistent/dir/t.vcd",
                     str(tmp)]),
        ("--signals", ["t.*", "*", "", "[", "nosuch"]),
        ("--junit", [str(tmp / "j.xml"), "/nonexistent/j.xml"]),
        ("--result", [str(tmp / "r.json"), "/nonexistent/r.json", str(tmp)]),
        ("--report", [str(tmp / "r.html"), "/nonexistent/r.html"]),
        ("--log", [None]), ("--fail-fast", [None]), ("--help", [None]), ("--expose", [None]),
        ("--gdb", ["x", "-1", "70000"]),
        ("--scenario", [str(sc), str(tmp / "missing.yaml")]),
        ("--bogus", [None, "1"]), ("-x", [None]), ("--", [None]), ("--until=1s", [None]),
    ]


def test_random_flag_combinations(lmsim_bin, tmp_path):
    sc = tmp_path / "s.yaml"
    sc.write_text(SCENARIO)
    pool = flag_pool(tmp_path, sc)
    rng = random.Random(31)
    cases = []
    for _ in range(90):
        cmd = rng.choice(["run", "run", "run", "test", "signals", "", "bogus", "--version", "--help"])
        args = [cmd] if cmd else []
        if cmd in ("run", "signals", "test"):
            pos = rng.choice([str(sc), str(sc), str(tmp_path), str(tmp_path / "missing.yaml"), "", None])
            if pos is not None:
                args.append(pos)
        for _ in range(rng.randint(0, 4)):
            flag, values = rng.choice(pool)
            v = rng.choice(values)
            args += [flag] if v is None else [flag, v]
        cases.append(args)

    def one(args):
        rc, out, err = fuzzlib.run([str(lmsim_bin), *args], timeout=30, cwd=str(tmp_path))
        v = fuzzlib.verdict(rc, err, None)
        if not v and rc == 2 and not err.strip():
            v = "exit 2 with an empty stderr"
        return args, rc, err, v

    results = fuzzlib.parallel(one, cases)
    bad = [r for r in results if r[3]]
    assert not bad, "\n".join(f"{a}: {v}: {e[-300:]!r}" for a, rc, e, v in bad)
    codes = {r[1] for r in results}
    assert {0, 2} <= codes, codes


def test_random_set_overrides_on_the_demo(lmsim_bin, root, build_dir):
    """--set with scenario keys, knobs and nonsense (bad paths, indices, values) on the demo."""
    keys = ["site.main_fuse.rating", "site.grid.voltage", "duration", "seed", "start", "device.serial",
            "device.firmware", "stations[0].model", "stations[0].phases", "evs[0].arrive", "evs[0].soc",
            "site.loads[0].peak", "site.loads", "stations", "evs[5].soc", "timeline[0].at", "assert[0].within",
            "demo.ripple.mode", "site.grid.outage", "station.abb1.online", "ev.car1.soc", "x", "", "site..x",
            "stations[-1].name", "stations[99999999999].name", "name"]
    values = fuzzlib.BAD_VALUES + ["16A", "true", "blocked", "{a: 1}", "[L1]", "2026-11-25T10:00"]
    rng = random.Random(8)
    cases = []
    for _ in range(40):
        args = []
        for _ in range(rng.randint(1, 3)):
            args += ["--set", f"{rng.choice(keys)}={rng.choice(values)}"]
        cases.append(args)
    env = fuzzlib.fw_env(build_dir)

    def one(args):
        rc, out, err = fuzzlib.run([str(lmsim_bin), "run", "scenarios/demo.yaml", "--until", "0.5s", *args],
                                   timeout=60, env=env, cwd=str(root))
        v = fuzzlib.verdict(rc, err, None)
        if not v and rc == 2 and not err.strip():
            v = "exit 2 with an empty stderr"
        return args, rc, err, v

    bad = [r for r in fuzzlib.parallel(one, cases) if r[3]]
    assert not bad, "\n".join(f"{a}: {v}: {e[-300:]!r}" for a, rc, e, v in bad)


def test_bytes_that_are_not_utf8_reach_result_files_and_test_folders(lmsim_bin, tmp_path, build_dir):
    """A scenario name with bytes that are not UTF-8 made --result and `lmsim test` fail with an
    internal error (exit 4, 'invalid UTF-8 byte'); `lmsim test` over seeded mutants of every
    scenario (1 s each) reports each file as PASS/FAIL/ERROR, never an internal error."""
    sc = tmp_path / "u.yaml"
    sc.write_bytes(b"name: caf\xe9 \xff\nduration: 1s\nassert:\n  - always: \"1 == 1\"\n")
    rc, out, err = fuzzlib.run([str(lmsim_bin), "run", str(sc), "--result", str(tmp_path / "r.json")])
    assert rc == 0, err
    assert json.loads((tmp_path / "r.json").read_text())["verdict"] == "pass"

    d = tmp_path / "suite"
    d.mkdir()
    (d / "u.yaml").write_bytes(sc.read_bytes())
    root = pathlib.Path(__file__).resolve().parents[3]
    rng = random.Random(3)
    files = sorted((root / "scenarios").rglob("*.yaml"))
    for i in range(12):
        f = rng.choice(files)
        text = re.sub(r"^duration: .*$", "duration: 1s", f.read_text(), flags=re.M)
        (d / f"m{i}_{f.name}").write_text(fuzzlib.mutate_yaml(text, rng)[1], encoding="latin-1")
    rc, out, err = fuzzlib.run([str(lmsim_bin), "test", str(d), "-j", "2"], timeout=120,
                               env=fuzzlib.fw_env(build_dir))
    assert rc in (0, 1, 2), (rc, out[-500:], err[-500:])
    assert "internal error" not in out + err and "died" not in out + err, out + err
    listed = [ln for ln in out.splitlines() if re.match(r"^(PASS|FAIL|ERROR)\s", ln.strip())]
    assert len(listed) == 13 - sum(1 for p in d.glob("_*.yaml")), out
