"""scoresim: an agent-based simulation of the ILO SCORE programme."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("scoresim")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0+unknown"

from .config import InputError, load_scenario  # noqa: E402
from .model import ScoreModel  # noqa: E402
from .params import Scenario  # noqa: E402

__all__ = ["ScoreModel", "Scenario", "InputError", "load_scenario", "__version__"]
