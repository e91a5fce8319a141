"""`lmsim run --gdb PORT`: gdb-multiarch stops the boot firmware at main, then the run completes."""
import re
import shutil
import subprocess

import pytest


@pytest.mark.skipif(shutil.which("gdb-multiarch") is None, reason="gdb-multiarch missing (Debian package gdb-multiarch)")
def test_gdb_breakpoint_then_run_completes(lmsim_bin, build_dir, tmp_path):
    sc = tmp_path / "g.yaml"
    sc.write_text("duration: 2s\ndevice: {firmware: \"@firmware/boot.elf\", serial: SE12345678}\n"
                  "assert:\n  - eventually: \"device.uart0.tx contains 'lmsim boot'\"\n    within: 1s\n")
    p = subprocess.Popen([str(lmsim_bin), "run", str(sc), "--gdb", "0"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        line = p.stderr.readline()
        m = re.search(r"127\.0\.0\.1:(\d+)", line)
        assert m, line
        g = subprocess.run(["gdb-multiarch", "--batch", "-ex", f"target remote 127.0.0.1:{m.group(1)}",
                            "-ex", "break main", "-ex", "continue", "-ex", "info registers pc", "-ex", "detach",
                            str(build_dir / "firmware" / "boot.elf")], capture_output=True, text=True, timeout=60)
        assert "Breakpoint 1, main ()" in g.stdout, g.stdout + g.stderr
        out, _ = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 0 and "verdict: pass" in out


def test_gdb_needs_a_device(run_lmsim, write_scenario):
    r = run_lmsim("run", write_scenario("duration: 1s\n"), "--gdb", "0")
    assert r.returncode == 2 and "needs a scenario with a device" in r.stderr
