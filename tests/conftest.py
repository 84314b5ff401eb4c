"""Test-wide environment: fake credentials and a region, so nothing can reach real AWS."""
from local import offline_env

offline_env.apply()
