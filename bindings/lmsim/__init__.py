"""lmsim: hardware-in-the-loop simulation of an EV-charging load-management controller.

The C++ core is `lmsim._lmsim`; this package adds pure-Python helpers on top of it.
"""
from ._lmsim import Site, __version__  # noqa: F401

__all__ = ["Site", "__version__", "run"]


def run(scenario, **kwargs):
    """Runs a scenario (path or dict) to its end and returns the result dict."""
    until = kwargs.pop("until", None)
    with Site(scenario, **kwargs) as s:
        s.run(until=until)
        return s.finish()
