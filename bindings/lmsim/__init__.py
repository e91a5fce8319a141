"""lmsim: hardware-in-the-loop simulation of an EV-charging load-management controller.

The C++ core is `lmsim._lmsim`; this package adds pure-Python helpers on top of it.
"""
from ._lmsim import Site, __version__  # noqa: F401

__all__ = ["Site", "__version__", "run", "ModbusClient", "ModbusError"]


def run(scenario, **kwargs):
    """Runs a scenario (path or dict) to its end and returns the result dict."""
    until = kwargs.pop("until", None)
    with Site(scenario, **kwargs) as s:
        s.run(until=until)
        return s.finish()


class ModbusError(Exception):
    """A Modbus exception reply (code 1 illegal function, 2 illegal address, ...) or silence."""

    def __init__(self, message, code=0, no_reply=False, refused=False):
        super().__init__(message)
        self.code, self.no_reply, self.refused = code, no_reply, refused


class ModbusClient:
    """The deterministic in-simulation Modbus TCP client, talking to a site's stations at the
    current simulated time (no wall time, no sockets). Mirrors a real controller's calls:

        mb = lmsim.ModbusClient(site)
        mb.write_registers("abb1", 0x4100, [0, 16000], unit=1)
        state = mb.read_holding("abb1", 0x400C, 2, unit=1)
    """

    def __init__(self, site):
        self.site = site

    def _call(self, fn, station, **kw):
        r = self.site.rpc("modbus", fn=fn, station=station, **kw)
        if r["ok"]:
            return r["values"]
        if r["refused"]:
            raise ModbusError(f"{station}: connection refused", refused=True)
        if r["no_reply"]:
            raise ModbusError(f"{station}: no reply", no_reply=True)
        raise ModbusError(f"{station}: Modbus exception {r['exception']}", code=r["exception"])

    def read_holding(self, station, addr, count=1, unit=1):
        return self._call("read_holding", station, addr=addr, count=count, unit=unit)

    def read_input(self, station, addr, count=1, unit=1):
        return self._call("read_input", station, addr=addr, count=count, unit=unit)

    def write_register(self, station, addr, value, unit=1):
        self._call("write_register", station, addr=addr, value=value, unit=unit)

    def write_registers(self, station, addr, values, unit=1):
        self._call("write_registers", station, addr=addr, values=list(values), unit=unit)

    def disconnect(self, station):
        self._call("disconnect", station)
