"""Named factories chosen by config: stages, stores, embedders (spaCy's registry is the model)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from .errors import ConfigError

F = TypeVar("F", bound=Callable[..., object])


class Registry(Generic[F]):
    def __init__(self, kind: str) -> None:
        self.kind = kind  # "stage", "store type": what the error messages call an entry
        self._entries: dict[str, F] = {}

    def register(self, name: str) -> Callable[[F], F]:
        def decorate(factory: F) -> F:
            if name in self._entries:
                raise ConfigError(f"{self.kind} {name!r} is registered twice")
            self._entries[name] = factory
            return factory

        return decorate

    def get(self, name: str) -> F:
        try:
            return self._entries[name]
        except KeyError:
            raise ConfigError(
                f"unknown {self.kind} {name!r}; registered: {', '.join(self.names())}"
            ) from None

    def __contains__(self, name: str) -> bool:
        return name in self._entries

    def names(self) -> list[str]:
        return sorted(self._entries)


M = TypeVar("M")


def learned_model(setting: str, where: str, shipped: Callable[[], M],
                  from_json: Callable[[str], M]) -> M | None:
    """A learned model as a config ``setting`` names it: "shipped" (the weights in the
    package), "off" (None: the rules decide alone) or a JSON file of weights trained by
    ``recoupe eval … --train``. ``where`` names the setting in errors ("[clean] body_model")."""
    if setting == "off":
        return None
    if setting == "shipped":
        return shipped()
    try:
        with open(setting, encoding="utf-8") as f:
            return from_json(f.read())
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(f"{where} = {setting!r}: {exc}") from exc
