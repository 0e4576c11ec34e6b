"""The public API: __all__ is exactly the public names, errors carry stable codes."""

from __future__ import annotations

from types import ModuleType

import pytest

import czmc
from czmc import errors


def test_all_is_the_public_surface() -> None:
    for name in czmc.__all__:  # the names load on first use: load them all
        getattr(czmc, name)
    public = {name for name in vars(czmc) if not name.startswith("_")}
    # Importing a submodule binds it on the package; only the ones in __all__ are the API.
    public -= {
        name
        for name, value in vars(czmc).items()
        if isinstance(value, ModuleType) and value.__name__ == f"czmc.{name}" and name not in czmc.__all__
    }
    assert set(czmc.__all__) - {"__version__"} == public
    assert sorted(czmc.__all__) == czmc.__all__


def test_unknown_names_are_attribute_errors() -> None:
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        _ = czmc.no_such_name  # type: ignore[attr-defined]
    assert set(czmc.__all__) <= set(dir(czmc))


def test_named_entry_points_exist() -> None:
    assert czmc.MicroCredential is czmc.model.MicroCredential
    assert czmc.ob3.to_credential is czmc.to_credential
    assert czmc.ob3.from_credential is czmc.from_credential


def test_error_tree_and_codes() -> None:
    codes = set()
    for name in dir(errors):
        value = getattr(errors, name)
        if isinstance(value, type) and issubclass(value, Exception) and value.__module__ == errors.__name__:
            assert issubclass(value, czmc.CzmcError)
            codes.add(value.code)
            assert value.__doc__
    assert len(codes) == 16
