"""lmsim: hardware-in-the-loop simulation of an EV-charging load-management controller.

The C++ core is `lmsim._lmsim`; this package adds pure-Python helpers on top of it.
"""
from ._lmsim import Site, __version__  # noqa: F401

import itertools
import os
from concurrent.futures import ThreadPoolExecutor

__all__ = ["Site", "__version__", "run", "sweep", "ModbusClient", "ModbusError"]


def run(scenario, **kwargs):
    """Runs a scenario (path or dict) to its end and returns the result dict."""
    until = kwargs.pop("until", None)
    with Site(scenario, **kwargs) as s:
        s.run(until=until)
        return s.finish()


def sweep(scenario, params=None, seeds=(None,), jobs=None, until=None):
    """Runs `scenario` once per combination of parameter values and seeds, `jobs` at a time
    (default: one per CPU), and returns one dict per run in grid order:
    {"params": {name: value}, "seed": seed, "result": <result dict of finish()>}.

        runs = lmsim.sweep("scenarios/demo.yaml",
                           {"site.main_fuse.rating": ["32A", "40A"], "stations[0].max_current": ["16A", "32A"]},
                           seeds=range(3))
        worst = max(r["result"]["figures"]["site.fuse.L1.current"]["max"] for r in runs)

    Names are scenario keys or knobs, as for `overrides`. Every run is its own process, so the
    results equal those of the same runs made one by one (the order of completion does not matter).
    """
    params = dict(params or {})
    for name, values in params.items():
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            raise ValueError(f"sweep: values of '{name}' must be a list, got {values!r}")
    names = list(params)
    grid = [(dict(zip(names, combo)), seed)
            for combo in itertools.product(*(list(params[n]) for n in names)) for seed in seeds]
    jobs = max(1, int(jobs or os.cpu_count() or 1))

    def one(point):
        overrides, seed = point
        return {"params": overrides, "seed": seed,
                "result": run(scenario, seed=seed, overrides=overrides or None, until=until)}

    if jobs == 1:
        return [one(p) for p in grid]
    with ThreadPoolExecutor(max_workers=jobs) as pool:  # each thread waits on its own process
        return list(pool.map(one, grid))


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
