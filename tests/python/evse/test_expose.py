"""`lmsim run --realtime --expose`: an external Modbus client (pymodbus) drives a station."""
import re
import subprocess
import time

import pytest

# The TCP client needs serial_asyncio too (only a Recommends of python3-pymodbus): probe exactly
# what is used and name the packages when it is missing.
try:
    from pymodbus.client import ModbusTcpClient
    from pymodbus.exceptions import ConnectionException
except ImportError as e:  # pragma: no cover - depends on the machine
    pytest.skip(f"pymodbus TCP client unavailable (Debian packages python3-pymodbus python3-serial-asyncio): {e}",
                allow_module_level=True)


def test_pymodbus_reads_and_writes_an_exposed_station(lmsim_bin, tmp_path):
    sc = tmp_path / "x.yaml"
    sc.write_text("duration: 20s\nstations: [{name: abb1, model: abb-terra-ac, phases: [L1, L2, L3], "
                  "ip: 192.168.1.60, boot_time: 1s, expose_port: 0}]\n")  # 0: any free port
    p = subprocess.Popen([str(lmsim_bin), "run", str(sc), "--realtime", "--expose", "--until", "6s"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = p.stderr.readline()
        m = re.search(r"station abb1: Modbus TCP on 127\.0\.0\.1:(\d+)", line)
        assert m, line
        port = int(m.group(1))
        deadline = time.monotonic() + 5
        rr = None
        while time.monotonic() < deadline:  # the station boots first and refuses until then
            c = ModbusTcpClient("127.0.0.1", port=port, timeout=3)
            try:
                if c.connect():
                    rr = c.read_holding_registers(0x4000, 4, slave=1)
                    if not rr.isError():
                        break
            except ConnectionException:
                rr = None
            c.close()
            time.sleep(0.3)
        assert rr is not None and not rr.isError(), rr
        assert rr.registers[0] >> 8 == 0x54  # byte 7: connector type 'T' (Type 2 socket)
        assert not c.write_registers(0x4100, [0, 10000], slave=1).isError()
        back = c.read_holding_registers(0x4022, 2, slave=1)
        assert (back.registers[0] << 16 | back.registers[1]) == 10000
        c.close()
        p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 0


def test_expose_needs_realtime(run_lmsim, write_scenario):
    r = run_lmsim("run", write_scenario("duration: 1s\n"), "--expose")
    assert r.returncode == 2 and "--expose needs --realtime" in r.stderr


def test_expose_port_used_twice_is_an_input_error(run_lmsim, write_scenario):
    sc = write_scenario("duration: 1s\nstations:\n"
                        "  - {name: a, model: abb-terra-ac, ip: 192.168.1.60, expose_port: 15100}\n"
                        "  - {name: b, model: abb-terra-ac, ip: 192.168.1.61, expose_port: 15100}\n")
    r = run_lmsim("run", sc)
    assert r.returncode == 2
    assert ":4:" in r.stderr and "expose_port 15100 is used by another station" in r.stderr, r.stderr
