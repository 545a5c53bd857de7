"""The base of the package's pydantic models: each builds its validator on first use, not at import.

Building a model's core schema is most of what defining it costs (about 0.7 ms each). A function
defines every model of its context at import, and a request uses a handful of them: deferred, a new
container builds only what its requests validate or serialise. The OpenAPI document builds them all.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class LazyModel(BaseModel):
    """`BaseModel` with `defer_build`: subclasses inherit it with the rest of their `model_config`."""

    model_config = ConfigDict(defer_build=True)
