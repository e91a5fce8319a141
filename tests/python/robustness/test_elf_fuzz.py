"""Seeded mutations of the boot firmware ELF (header fields, program headers, truncation, random
bytes): `lmsim run` must end with exit 2 naming the file, or run (0/1), or report a clean
firmware fault (3) when the image loads but executes garbage; never a signal or a hang."""
import random
import struct

import pytest

import fuzzlib

# Offsets of the ELF32 header fields and their sizes.
EHDR = {"e_ident_class": (4, 1), "e_ident_data": (5, 1), "e_type": (16, 2), "e_machine": (18, 2),
        "e_entry": (24, 4), "e_phoff": (28, 4), "e_shoff": (32, 4), "e_ehsize": (40, 2),
        "e_phentsize": (42, 2), "e_phnum": (44, 2), "e_shentsize": (46, 2), "e_shnum": (48, 2),
        "e_shstrndx": (50, 2)}
PHDR = {"p_type": (0, 4), "p_offset": (4, 4), "p_vaddr": (8, 4), "p_paddr": (12, 4), "p_filesz": (16, 4),
        "p_memsz": (20, 4), "p_flags": (24, 4)}
EDGE = [0, 1, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFF0, 0x20000000,
        0x2003FFFF, 0x40000000, 0xE000E000, 0x000FFFFF, 0x00100000]


def put(data, off, size, value):
    if off + size <= len(data):
        data[off:off + size] = (value & ((1 << (8 * size)) - 1)).to_bytes(size, "little")


def mutate_elf(orig, rng):
    d = bytearray(orig)
    kind = rng.choice(["ehdr", "phdr", "phdr", "truncate", "bytes", "ehdr", "code", "code"])
    if kind == "ehdr":
        name = rng.choice(sorted(EHDR))
        off, size = EHDR[name]
        put(d, off, size, rng.choice(EDGE + [rng.randrange(1 << (8 * size))]))
        return f"{kind}:{name}", bytes(d)
    if kind == "phdr":
        phoff, = struct.unpack_from("<I", orig, 28)
        phnum, = struct.unpack_from("<H", orig, 44)
        i = rng.randrange(phnum)
        name = rng.choice(sorted(PHDR))
        off, size = PHDR[name]
        put(d, phoff + 32 * i + off, size, rng.choice(EDGE + [rng.randrange(1 << 32)]))
        return f"{kind}{i}:{name}", bytes(d)
    if kind == "truncate":
        n = rng.choice([0, 1, 4, 16, 51, 52, 60, 84, 180, rng.randrange(len(d))])
        return f"{kind}:{n}", bytes(d[:n])
    if kind == "code":  # garbage in the first loaded segment: vectors and .text execute it
        phoff, = struct.unpack_from("<I", orig, 28)
        off, filesz = struct.unpack_from("<I", orig, phoff + 4)[0], struct.unpack_from("<I", orig, phoff + 16)[0]
        for _ in range(rng.randint(1, 64)):
            d[off + rng.randrange(filesz)] = rng.randrange(256)
        return kind, bytes(d)
    for _ in range(rng.randint(1, 8)):
        d[rng.randrange(len(d))] = rng.randrange(256)
    return kind, bytes(d)


def test_mutated_boot_elf_never_crashes_or_hangs(lmsim_bin, build_dir, tmp_path):
    boot = build_dir / "firmware" / "boot.elf"
    if not boot.exists():
        pytest.fail(f"{boot} is missing: build the target lmsim_firmware")
    orig = boot.read_bytes()
    rng = random.Random(4242)
    cases = []
    for k in range(120):
        kind, data = mutate_elf(orig, rng)
        elf = tmp_path / f"m{k}.elf"
        elf.write_bytes(data)
        sc = tmp_path / f"m{k}.yaml"
        sc.write_text(f"duration: 1s\ndevice:\n  firmware: {elf}\n  serial: SE12345678\n")
        cases.append((kind, elf, sc))

    def one(c):
        kind, elf, sc = c
        rc, out, err = fuzzlib.run([str(lmsim_bin), "run", str(sc), "--until", "0.5s"], timeout=60)
        return kind, elf.name, rc, err, fuzzlib.verdict(rc, err, [elf.name, sc.name], allow=(0, 1, 2, 3))

    bad = [r for r in fuzzlib.parallel(one, cases) if r[4]]
    assert not bad, "\n".join(f"{k} {n}: {v}: {e[-300:]!r}" for k, n, rc, e, v in bad)


def test_firmware_paths_that_are_not_elf_files(lmsim_bin, tmp_path):
    """A directory was an internal error (exit 4: basic_filebuf::underflow) and /dev/zero read
    until memory ran out; each is exit 2 naming the scenario line and the firmware path."""
    empty = tmp_path / "empty.elf"
    empty.write_bytes(b"")
    text = tmp_path / "text.elf"
    text.write_text("not an elf\n")
    paths = [str(tmp_path), "/", "/dev/null", "/dev/zero", str(empty), str(text), str(tmp_path / "missing.elf"), "."]
    bad = []
    for i, fw in enumerate(paths):
        sc = tmp_path / f"p{i}.yaml"
        sc.write_text(f"duration: 1s\ndevice:\n  firmware: \"{fw}\"\n  serial: SE12345678\n")
        rc, out, err = fuzzlib.run([str(lmsim_bin), "run", str(sc)], timeout=60)
        if rc != 2 or f"p{i}.yaml:3:" not in err or "firmware" not in err:
            bad.append(f"{fw}: exit {rc}: {err[-300:]!r}")
    assert not bad, "\n".join(bad)
