"""Models of the planning app: population and projections (projection.py), resilience (resilience.py)."""

from planning.districts.models import *  # noqa: F403
from planning.models.projection import *  # noqa: F403
from planning.models.resilience import *  # noqa: F403
