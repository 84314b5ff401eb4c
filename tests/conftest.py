"""Test-wide environment: fake credentials and a region, so nothing can reach real AWS; and no
test judged on how fast the machine is."""
from hypothesis import settings

from local import offline_env

offline_env.apply()

# Hypothesis fails an example that takes longer than 200 ms by default: a wall-clock budget that
# a loaded machine breaks. Examples are judged on what they do, never on how fast.
settings.register_profile("no-deadline", deadline=None)
settings.load_profile("no-deadline")
