"""Seeded mutators and a parallel runner shared by the robustness tests."""
import concurrent.futures
import os
import re
import signal
import subprocess

# Values that are wrong in type, unit, size or sign for almost any scenario key.
BAD_VALUES = [
    "", "~", "null", "-1", "-80A", "0", "1e308", "-1e308", "nan", ".nan", ".inf", "-.inf", "NaN A",
    "18446744073709551617", "99999999999999999999h", "1e400s", "abc", "true", "[]", "{}", "[1, [2, [3]]]",
    "'x'", "\"\\u0000\"", "80", "80 kA", "80Ohm", "16 Wh", "-5s", "0s", "1ps", "1e-30s", "\"25:61\"",
    "\"2026-13-45T99:99\"", "L4", "[L1, L1, L1, L1]", "*anchor", "&a x", "!!binary AAAA", "|", ">",
    "%", "@firmware/does-not-exist.elf", "/dev/zero", "/", ".", "'" + "A" * 5000 + "'",
    "{a: {b: {c: {d: {e: {f: {g: {h: {i: {j: 1}}}}}}}}}}", "[" * 200 + "]" * 200, "{" * 200 + "}" * 200,
    "\"\\xff\\xfe\"", "0x7fffffff", "-0", "1_000_000", "9" * 400,
]


def _value_spots(lines):
    """(line index, column) where a 'key: value' scalar starts, block or flow style."""
    spots = []
    for i, l in enumerate(lines):
        for m in re.finditer(r"(?:^\s*-?\s*|[{,]\s*)([A-Za-z_][\w.]*):\s+(?=[^\s#])", l):
            spots.append((i, m.end()))
    return spots


def _replace_value(line, col, new):
    """Replaces the scalar starting at col (up to ',' '}' or end of line) by new."""
    end = col
    depth = 0
    while end < len(line):
        c = line[end]
        if c in "[{":
            depth += 1
        elif c in "]}":
            if depth == 0:
                break
            depth -= 1
        elif c == "," and depth == 0:
            break
        end += 1
    return line[:col] + new + line[end:]


def mutate_yaml(text, rng):
    """One random mutation of YAML text; returns (kind, new text)."""
    lines = text.split("\n")
    kind = rng.choice(["delete", "duplicate", "swap", "bad_value", "bytes", "nest", "long", "truncate",
                       "indent", "bad_value", "bad_value", "swap"])
    n = len(lines)
    if kind == "delete" and n > 1:
        del lines[rng.randrange(n)]
    elif kind == "duplicate":
        i = rng.randrange(n)
        lines.insert(i, lines[i])
    elif kind in ("swap", "bad_value"):
        spots = _value_spots(lines)
        if not spots:
            return kind, text + "\n" + rng.choice(BAD_VALUES)
        i, c = rng.choice(spots)
        if kind == "swap":
            j, d = rng.choice(spots)
            other = lines[j][d:]
            m = re.match(r"[^,}\]]*", other)
            val = m.group(0).strip() if m else "x"
            lines[i] = _replace_value(lines[i], c, val or "x")
        else:
            lines[i] = _replace_value(lines[i], c, rng.choice(BAD_VALUES))
    elif kind == "bytes":
        data = bytearray("\n".join(lines).encode())
        for _ in range(rng.randint(1, 4)):
            pos = rng.randrange(len(data) + 1)
            data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 6)))
        return kind, data.decode("latin-1")
    elif kind == "nest":
        depth = rng.choice([50, 500, 5000])
        lines.insert(rng.randrange(n + 1), "x" + ": [" * depth + "1" + "]" * depth)
    elif kind == "long":
        i = rng.randrange(n)
        lines[i] = lines[i] + "x" * rng.choice([1000, 100000, 1000000])
    elif kind == "truncate":
        s = "\n".join(lines)
        return kind, s[: rng.randrange(len(s) + 1)]
    elif kind == "indent":
        i = rng.randrange(n)
        lines[i] = " " * rng.randint(1, 7) + lines[i]
    return kind, "\n".join(lines)


def run(cmd, timeout=30, env=None, cwd=None):
    """Runs cmd; returns (returncode, stdout, stderr); returncode 'timeout' on a hang."""
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=timeout, env=env, cwd=cwd)
    except subprocess.TimeoutExpired:
        return "timeout", "", ""
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def verdict(rc, err, names, allow=(0, 1, 2)):
    """None if the outcome is acceptable, else a reason. names: strings one of which the exit-2
    message must contain (the file that was bad)."""
    if rc == "timeout":
        return "hang (timeout)"
    if isinstance(rc, int) and rc < 0:
        return f"killed by signal {signal.Signals(-rc).name}"
    if rc not in allow:
        return f"exit {rc}"
    if rc == 2 and names and not any(n in err for n in names):
        return "exit 2 without naming the file"
    if rc == 2 and ("terminate called" in err or "what():" in err):
        return "uncaught exception text"
    return None


def parallel(fn, cases, workers=2):
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as ex:
        return list(ex.map(fn, cases))


def fw_env(build_dir):
    return dict(os.environ, LMSIM_FIRMWARE_DIR=str(build_dir / "firmware"))
