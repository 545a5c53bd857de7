"""Every pydantic model of the package is built on first use, so a cold start builds only what it uses."""

from __future__ import annotations

import importlib
import pkgutil

from pydantic import BaseModel

import lms
from lms.lazy_model import LazyModel


def _every_model(base: type[BaseModel] = BaseModel) -> set[type[BaseModel]]:
    found = set(base.__subclasses__())
    return found.union(*(_every_model(sub) for sub in found))


def test_every_model_of_the_package_derives_from_lazy_model() -> None:
    for module in pkgutil.walk_packages(lms.__path__, "lms."):
        importlib.import_module(module.name)
    ours = {m for m in _every_model() if m.__module__.startswith("lms.") and m is not LazyModel}
    assert len(ours) > 100
    eager = sorted(f"{m.__module__}.{m.__qualname__}" for m in ours if not issubclass(m, LazyModel))
    assert eager == [], "derive these from lms.lazy_model.LazyModel, not pydantic.BaseModel"
