"""创新载体地图 · Innovation Carrier Map — the domain core.

Pure functions on (Geo)DataFrames: read and validate the carrier register and
town boundaries, locate carriers in towns, and check each town against its
target. No Streamlit here; the CLI (``python -m geo``) and the pages share it.
"""

from geo._errors import ConfigError, InputFileError
from geo.boundaries import Boundaries, load_boundaries, prepare_boundaries
from geo.check import REASONS, CheckResult, check, classify
from geo.dataset import Dataset, file_digest, load_dataset
from geo.filters import Filters, apply_filters
from geo.i18n import Lang, format_area, format_progress, translate
from geo.locate import locate, towns_of_points
from geo.problems import Problem
from geo.register import Register, load_register, validate_register
from geo.settings import Targets, load_targets

__all__ = [
    "REASONS",
    "Boundaries",
    "CheckResult",
    "ConfigError",
    "Dataset",
    "Filters",
    "InputFileError",
    "Lang",
    "Problem",
    "Register",
    "Targets",
    "apply_filters",
    "check",
    "classify",
    "file_digest",
    "format_area",
    "format_progress",
    "load_boundaries",
    "load_dataset",
    "load_register",
    "load_targets",
    "locate",
    "prepare_boundaries",
    "towns_of_points",
    "translate",
    "validate_register",
]
