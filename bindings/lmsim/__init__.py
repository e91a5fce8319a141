"""lmsim: hardware-in-the-loop simulation of an EV-charging load-management controller.

The C++ core is `lmsim._lmsim`; this package adds pure-Python helpers on top of it.
"""
from ._lmsim import Site, __version__  # noqa: F401

import itertools
import os
from concurrent.futures import ThreadPoolExecutor

__all__ = ["Site", "__version__", "run", "sweep", "sweep_grid", "ModbusClient", "ModbusError"]


def run(scenario, **kwargs):
    """Runs a scenario (path or dict) to its end and returns the result dict."""
    until = kwargs.pop("until", None)
    with Site(scenario, **kwargs) as s:
        s.run(until=until)
        return s.finish()


def sweep_grid(params=None, zip=(), seeds=(None,)):
    """The runs of a sweep in order: a list of ({name: value}, seed). `params` vary
    independently (their product, the default); each dict in `zip` is a group of linked
    parameters whose lists have one length and advance together (a fuse rating with the limit
    tied to it). Groups and independent parameters combine as a product, then seeds."""
    axes = []
    for name, values in dict(params or {}).items():
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            raise ValueError(f"sweep: values of '{name}' must be a list, got {values!r}")
        axes.append([{name: v} for v in values])
    for group in zip:
        if not isinstance(group, dict) or not group:
            raise ValueError(f"sweep: a zip group is a dict of name: [values], got {group!r}")
        cols = {}
        for name, values in group.items():
            if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
                raise ValueError(f"sweep: values of '{name}' must be a list, got {values!r}")
            cols[name] = list(values)
        lengths = {n: len(v) for n, v in cols.items()}
        if len(set(lengths.values())) != 1:
            raise ValueError(f"sweep: a zip group needs lists of one length, got {lengths}")
        n = next(iter(lengths.values()))
        axes.append([{name: cols[name][i] for name in cols} for i in range(n)])
    grid = []
    for combo in itertools.product(*axes):
        point = {}
        for part in combo:
            dup = set(point) & set(part)
            if dup:
                raise ValueError(f"sweep: '{sorted(dup)[0]}' is swept twice")
            point.update(part)
        grid.extend((dict(point), seed) for seed in seeds)
    return grid


def sweep(scenario, params=None, seeds=(None,), jobs=None, until=None, zip=()):
    """Runs `scenario` once per combination of parameter values and seeds, `jobs` at a time
    (default: one per CPU), and returns one dict per run in grid order:
    {"params": {name: value}, "seed": seed, "result": <result dict of finish()>}.

        runs = lmsim.sweep("scenarios/demo.yaml",
                           {"site.main_fuse.rating": ["32A", "40A"], "stations[0].max_current": ["16A", "32A"]},
                           seeds=range(3))
        worst = max(r["result"]["figures"]["site.fuse.L1.current"]["max"] for r in runs)

    `params` form the full product; `zip` is a list of groups of linked parameters that advance
    together (see sweep_grid), e.g. zip=[{"site.main_fuse.rating": ["63A", "80A"],
    "device.settings.max_current": ["60A", "76A"]}]. Assertions may read the swept values as
    constants ("site.fuse.L1.current <= 0.95 * site.main_fuse.rating").

    Names are scenario keys or knobs, as for `overrides`. Every run is its own process, so the
    results equal those of the same runs made one by one (the order of completion does not matter).
    """
    grid = sweep_grid(params, zip, seeds)
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
