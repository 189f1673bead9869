"""The installed package's version (what every output records), from the package metadata."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ics_abm")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
