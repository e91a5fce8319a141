"""Seeded mutations of every scenario in scenarios/ (deleted/duplicated lines, values swapped
between keys, wrong types/units, huge/negative/NaN/empty values, random bytes, deep nesting, very
long lines, truncation, bad indentation), run through `lmsim run --until 1s` and `lmsim signals`:
each ends with exit 0/1/2, and exit 2 names the scenario file and a line."""
import random
import re
import shutil

import fuzzlib

PER_FILE = 8  # mutations per scenario file (11 files; ~0.1 s each on 2 workers)


def test_mutated_scenarios_end_cleanly(lmsim_bin, root, build_dir, tmp_path):
    src = root / "scenarios"
    work = tmp_path / "scenarios"
    shutil.copytree(src, work)  # siblings (model_file, includes) stay resolvable
    env = fuzzlib.fw_env(build_dir)
    cases = []
    for f in sorted(src.rglob("*.yaml")):
        rng = random.Random(f"robust:{f.relative_to(src)}")
        for k in range(PER_FILE):
            kind, text = fuzzlib.mutate_yaml(f.read_text(), rng)
            p = work / f.relative_to(src).parent / f"fz{k}_{f.name}"
            p.write_text(text, encoding="latin-1")
            cases.append((kind, p, "signals" if k % 4 == 3 else "run"))

    def one(c):
        kind, p, cmd = c
        args = [str(lmsim_bin), cmd, str(p)] + (["--until", "1s"] if cmd == "run" else [])
        rc, out, err = fuzzlib.run(args, timeout=60, env=env, cwd=str(root))
        v = fuzzlib.verdict(rc, err, [p.name])
        if not v and rc == 2 and not re.search(re.escape(p.name) + r":\d+", err):
            v = "exit 2 without a line number"
        return kind, p.name, cmd, rc, err, v

    results = fuzzlib.parallel(one, cases)
    bad = [r for r in results if r[5]]
    assert not bad, "\n".join(f"{k} {n} {c}: {v}: {e[-300:]!r}" for k, n, c, rc, e, v in bad)
    codes = {r[3] for r in results}
    assert 2 in codes and (0 in codes or 1 in codes), codes  # the mutations reach both paths


def test_pathological_yaml_documents(lmsim_bin, tmp_path):
    """Hand-picked nasty documents: each is an input error naming the file, never a crash."""
    docs = {
        "empty": "", "null": "~\n", "scalar": "42\n", "list": "- 1\n- 2\n", "bom": "\ufeffduration: 1s\n",
        "tabs": "duration:\t1s\n\tsite: {}\n", "nul": "duration: 1s\n\x00\n", "anchors": "a: &a [*a]\n",
        "billion": "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: &c [*b, *b, *b]\nd: [*c, *c, *c]\nduration: 1s\n",
        "deep_seq": "x: " + "[" * 20000 + "]" * 20000 + "\n", "deep_map": "x: " + "{a: " * 20000 + "1" + "}" * 20000,
        "long_key": "k" * 1000000 + ": 1\n", "dup_key": "duration: 1s\nduration: 2s\n",
        "two_docs": "duration: 1s\n---\nduration: 2s\n", "unterminated": "name: 'abc\n",
        "binary": "duration: !!binary AAAA\n", "merge": "base: &b {duration: 1s}\n<<: *b\n",
        "huge_duration": "duration: 1e300s\n", "neg_duration": "duration: -1s\n", "nan_duration": "duration: .nan\n",
        "zero_duration": "duration: 0s\n", "ps_overflow": "duration: 18446744073709552s\n",
        "until_words": "duration: forever\n", "latin1": "name: \xe9\xff\xfe\nduration: 1s\n",
        "laughs": "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]\n" for i in range(1, 9)),
        "self_map": "a: &a {b: *a}\n",
        # Keys were checked for duplicates pairwise: 100k keys took 16 s.
        "wide_map": "duration: 1s\nx:\n" + "".join(f"  k{i}: 1\n" for i in range(150000)),
    }
    cases = []
    for name, text in docs.items():
        p = tmp_path / f"{name}.yaml"
        p.write_bytes(text.encode("utf-8") if name != "latin1" else text.encode("latin-1"))
        cases.append((name, p))

    def one(c):
        name, p = c
        rc, out, err = fuzzlib.run([str(lmsim_bin), "run", str(p), "--until", "0.1s"], timeout=60)
        return name, rc, err, fuzzlib.verdict(rc, err, [p.name])

    bad = [r for r in fuzzlib.parallel(one, cases) if r[3]]
    assert not bad, "\n".join(f"{n}: {v} (exit {rc}): {e[-300:]!r}" for n, rc, e, v in bad)


def test_names_that_cannot_be_signal_names_are_reported_with_their_line(lmsim_bin, tmp_path):
    """Station, EV and Wi-Fi names become signal-name segments; a name the registry refuses was an
    error without file or line ("invalid signal name 'ev.19:00.soc'")."""
    cases = {
        "station": "stations:\n  - {name: 'a b', model: abb-terra-ac}\n",
        "ev": "stations:\n  - {name: s1, model: abb-terra-ac}\nevs:\n  - {name: '19:00', station: s1}\n",
        # SSIDs are free text, made name-safe; two that become the same name cannot both be knobs
        "ssid": "network:\n  wifi:\n    - {ssid: 'my net', password: sensorsetup}\n"
                "    - {ssid: 'my_net', password: sensorsetup}\n",
        "model_file": "stations:\n  - {name: s1, model_file: nosuch.yaml}\n",
    }
    bad = []
    for name, body in cases.items():
        sc = tmp_path / f"{name}.yaml"
        sc.write_text("duration: 1s\n" + body)
        rc, out, err = fuzzlib.run([str(lmsim_bin), "run", str(sc)], timeout=60)
        line = body.count("\n") + 1  # the offending entry is the last line
        if rc != 2 or f"{name}.yaml:{line}:" not in err:
            bad.append(f"{name}: exit {rc}: {err[-300:]!r}")
    assert not bad, "\n".join(bad)


def test_free_text_ssids_get_name_safe_signals(run_lmsim, write_scenario):
    sc = write_scenario("duration: 1s\nnetwork:\n  wifi:\n    - {ssid: 'My Home 2.4', password: sensorsetup}\n")
    r = run_lmsim("signals", sc)
    assert r.returncode == 0, r.stderr
    assert "net.wifi.ap.My_Home_2_4.signal" in r.stdout and "net.wifi.ap.My_Home_2_4.up" in r.stdout


EXTREME = ["0", "0A", "1e9A", "-230V", "0V", "0Hz", "1e6Hz", "1ps", "1ns", "1us", "0s", "1e-9s", "100000%", "-5%",
           "0kWh", "1e12W", "0W", "-7kW", "0.0001A", "1e-300", "65535", "0.1ms", "10us", "1e6", "-1"]


def test_extreme_but_well_typed_values_end_cleanly(lmsim_bin, root, build_dir, tmp_path):
    """Values of the right shape but extreme (1 ps update periods, 0 Hz, 1e12 W, negative power)
    reach the models: each run ends 0/1/2 within its bound (no event storm, no division by zero)."""
    src = root / "scenarios"
    work = tmp_path / "scenarios"
    shutil.copytree(src, work)
    rng = random.Random(1)
    cases = []
    for f in sorted(src.rglob("*.yaml")):
        for k in range(3):
            lines = f.read_text().split("\n")
            spots = fuzzlib._value_spots(lines)
            for _ in range(rng.randint(1, 2)):
                i, c = rng.choice(spots)
                lines[i] = fuzzlib._replace_value(lines[i], c, rng.choice(EXTREME))
            p = work / f.relative_to(src).parent / f"x{k}_{f.name}"
            p.write_text("\n".join(lines))
            cases.append(p)
    env = fuzzlib.fw_env(build_dir)

    def one(p):
        rc, out, err = fuzzlib.run([str(lmsim_bin), "run", str(p), "--until", "2s"], timeout=60, env=env)
        return p.name, rc, err, fuzzlib.verdict(rc, err, [p.name])

    bad = [r for r in fuzzlib.parallel(one, cases) if r[3]]
    assert not bad, "\n".join(f"{n}: {v}: {e[-300:]!r}" for n, rc, e, v in bad)


def test_scenario_files_that_never_end(lmsim_bin, tmp_path):
    """`lmsim run /dev/zero` and `include: /dev/zero` read until std::bad_alloc (exit 4, or the
    OOM killer); the read is bounded and both are input errors naming the file."""
    inc = tmp_path / "inc.yaml"
    inc.write_text("include: /dev/zero\nduration: 1s\n")
    for path in ("/dev/zero", str(inc)):
        rc, out, err = fuzzlib.run([str(lmsim_bin), "run", path, "--until", "0.1s"], timeout=60)
        assert rc == 2 and "/dev/zero" in err, (path, rc, err[-300:])
