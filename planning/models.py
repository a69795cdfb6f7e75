"""Model registry of the planning app: Django finds the feature models through this module.

Each feature keeps its models in its own package (``planning/<feature>/models.py``); all stay in the one
``planning`` app (app label ``planning``, tables ``planning_*``). A new feature adds one import line here.
"""

from planning.districts.models import *  # noqa: F403
from planning.population.models import *  # noqa: F403
from planning.projection.models import *  # noqa: F403
from planning.resilience.models import *  # noqa: F403
