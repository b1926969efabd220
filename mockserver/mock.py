"""The mock's whole state: one runtime per API, the loaded fixtures, faults and a request log."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from mockserver import svx, transmit
from mockserver.config import ServeConfig
from mockserver.engine import ApiPlugin, ApiRuntime
from mockserver.heap import collection_paused
from mockserver.requestlog import LoggedRequest, RequestLog, persona_index
from mockserver.router import Router
from mockserver.snapshots import check_state
from mockserver.statefile import FRESH, Header, StateFile, digest, discard
from mockserver.store import Store
from orgkit.errors import ConfigError
from orgkit.specs import LoadedApi, SpecSource, load_spec
from orgkit.tokens import KeyRing

PLUGINS: Mapping[str, ApiPlugin] = {"svx": svx.PLUGIN, "transmit": transmit.PLUGIN}


def served_apis(sources: tuple[SpecSource, ...]) -> list[LoadedApi]:
    """The documents to serve; ConfigError when two share an API name or a mount."""
    loaded = [load_spec(source) for source in sources]
    for attribute, what in (("name", "x-orgkit.api name"), ("mount", "x-orgkit.mount")):
        seen: dict[str, str] = {}
        for api in loaded:
            value = getattr(api.model, attribute)
            if value in seen:
                raise ConfigError(f"{seen[value]} and {api.source} have the same {what} "
                                  f"{value!r}; serve one of them, or change it with an overlay")
            seen[value] = api.source
    _refuse_nested_mounts(loaded)
    return loaded


def _refuse_nested_mounts(loaded: list[LoadedApi]) -> None:
    """A request path must name one API: no mount inside another."""
    for outer in loaded:
        for inner in loaded:
            if inner.model.mount.startswith(outer.model.mount.rstrip("/") + "/"):
                raise ConfigError(f"{inner.source} is mounted at {inner.model.mount}, inside "
                                  f"{outer.source}'s mount {outer.model.mount}; move one of "
                                  "them with an overlay")


def plugin_for(name: str) -> ApiPlugin:
    """The plugin registered for an API name; an API without one gets the empty generic plugin
    (its collections, grants and scopes are declared in its document)."""
    return PLUGINS.get(name, ApiPlugin())


# A minute: longer delays only look like a hung server, and shutdown would wait for them.
MAX_DELAY_MS = 60_000


@dataclass(frozen=True)
class Faults:
    """Injected latency and errors (set through the control API or the CLI)."""

    latency_ms: int = 0
    jitter_ms: int = 0
    error_rate: float = 0.0
    error_status: int = 503

    def __post_init__(self) -> None:
        _check_setting("latency_ms", self.latency_ms, 0, MAX_DELAY_MS, whole=True)
        _check_setting("jitter_ms", self.jitter_ms, 0, MAX_DELAY_MS, whole=True)
        _check_setting("error_rate", self.error_rate, 0, 1, whole=False)
        _check_setting("error_status", self.error_status, 400, 599, whole=True)

    @property
    def active(self) -> bool:
        """Whether any latency or error is injected."""
        return bool(self.latency_ms or self.jitter_ms or self.error_rate)

    def updated(self, changes: Any) -> Faults:
        """These settings with changes applied; ConfigError (and nothing changed) if invalid."""
        known = sorted(f.name for f in fields(Faults))
        if not isinstance(changes, Mapping):
            raise ConfigError(f"fault settings are an object with any of {known}")
        unknown = sorted(set(changes) - set(known))
        if unknown:
            raise ConfigError(f"unknown fault settings {unknown}; known: {known}")
        return replace(self, **changes)


def _check_setting(name: str, value: Any, low: float, high: float, *, whole: bool) -> None:
    """ConfigError unless value is a finite number (whole if asked) within [low, high]."""
    kind = int if whole else int | float
    if isinstance(value, bool) or not isinstance(value, kind) or not low <= value <= high:
        what = "a whole number" if whole else "a number"
        raise ConfigError(f"{name} must be {what} from {low:g} to {high:g}, got {value!r:.40}")


class Mock:
    """Everything one mock instance knows; the ASGI layers only read and call it."""

    def __init__(self, config: ServeConfig, dataset: Mapping[str, Any]) -> None:
        self.config = config
        self.keyring = KeyRing(config.tokens)
        self.runtimes = {api.model.name: ApiRuntime(api, plugin_for(api.model.name), self.keyring,
                                                    config.seed)
                         for api in served_apis(config.apis)}
        self.routers = {name: Router(rt.model) for name, rt in self.runtimes.items()}
        self.faults = Faults(config.latency_ms, config.latency_jitter_ms)
        self.log = RequestLog(config.request_log_size)
        self.rng = random.Random(config.seed)
        self.dataset: Mapping[str, Any] = {}
        # Subject -> persona name, for the personas object it was built from (the log names a
        # persona on every request; a dataset load replaces the personas object).
        self._personas: tuple[Any, Mapping[str, str]] | None = None
        self.load(dataset)
        self.durable = None if config.state is None else self._open_state(config.state)

    def _open_state(self, path: Path) -> StateFile:
        """The state file at path, its state (if any) made the mock's; ConfigError if unfit."""
        if self.config.state_reset:
            discard(path)
        specs = digest({n: rt.document for n, rt in self.runtimes.items()})
        durable = StateFile(path, Header(specs=specs, fixtures=digest(self.dataset)))
        for runtime in self.runtimes.values():
            runtime.store.journaled()
        try:
            saved = durable.saved()
            if saved is not None:
                check_state(self.runtimes, saved.state, f"the state file {path}")
        except ConfigError as exc:
            durable.close()  # refused: nothing loaded, and the file unlocked
            hint = "" if FRESH in str(exc) else f"; {FRESH}"
            raise ConfigError(f"{exc}{hint}") from None
        if saved is not None:
            self.install(saved.dataset, self.prepare(saved.state))
            for store in self.stores().values():
                if store.journal is not None:
                    store.journal.take()  # what was just read needs no writing back
            for name, runtime in self.runtimes.items():
                # Ids drawn before the restart are in the file: draw from another stream.
                runtime.rng.seed(f"{self.config.seed}:{name}:start {saved.starts}")
        durable.write(self.dataset, self.stores())
        return durable

    def stores(self) -> dict[str, Store]:
        """The live store of every API."""
        return {name: runtime.store for name, runtime in self.runtimes.items()}

    def persist(self) -> None:
        """Make the changes since the last call durable, in state-file mode (before a response
        is sent: the gateway calls this)."""
        if self.durable is not None:
            self.durable.write(self.dataset, self.stores())

    def load(self, dataset: Mapping[str, Any]) -> None:
        """Make dataset the state and the target of later resets."""
        self.dataset = dataset
        self.reset()

    def prepare(self, dataset: Mapping[str, Any]) -> dict[str, Store]:
        """Stores holding dataset, built apart from the live ones (safe in a worker thread)."""
        stores = {name: rt.store.empty_like() for name, rt in self.runtimes.items()}
        with collection_paused():
            for name, store in stores.items():
                store.reset(dataset.get(name, {}))
        return stores

    def install(self, dataset: Mapping[str, Any], stores: Mapping[str, Store]) -> None:
        """Make prepared stores the state and dataset the target of resets, in one step."""
        self.dataset = dataset
        for name, store in stores.items():
            self.runtimes[name].store = store

    def reset(self) -> None:
        """Back to the loaded fixtures."""
        with collection_paused():
            for name, runtime in self.runtimes.items():
                runtime.store.reset(self.dataset.get(name, {}))

    def snapshot(self) -> dict[str, Any]:
        """Every API's state as JSON-able data."""
        return {"format": "orgkit-snapshot/1",
                "apis": {n: rt.store.snapshot() for n, rt in self.runtimes.items()}}

    def restore(self, snapshot: Any) -> None:
        """Replace the state with a snapshot; ConfigError says what is wrong with it.

        All or nothing: a snapshot that does not fit leaves the state as it was.
        """
        apis = snapshot.get("apis") if isinstance(snapshot, Mapping) else None
        if not isinstance(snapshot, Mapping) or snapshot.get("format") != "orgkit-snapshot/1" \
                or not isinstance(apis, Mapping) \
                or not all(isinstance(a, Mapping) for a in apis.values()):
            raise ConfigError("not an orgkit snapshot: expected format 'orgkit-snapshot/1' "
                              "with an 'apis' object (GET /__mock/snapshot makes one)")
        check_state(self.runtimes, {n: a.get("collections", {}) for n, a in apis.items()},
                    "the snapshot")
        previous = self.snapshot()
        with collection_paused():
            self._restore(snapshot, previous)

    def check_dataset(self, dataset: dict[str, Any]) -> dict[str, Any]:
        """The data set, if its items fit the specs and the stores: ConfigError if not."""
        check_state(self.runtimes, {n: dataset.get(n, {}) for n in self.runtimes},
                    "the data set")
        return dataset

    def _restore(self, snapshot: Mapping[str, Any], previous: Mapping[str, Any]) -> None:
        for name, runtime in self.runtimes.items():
            try:
                runtime.store.restore(snapshot["apis"].get(name, {}))
            except (KeyError, TypeError, AttributeError, ValueError) as exc:
                for other, kept in self.runtimes.items():
                    kept.store.restore(previous["apis"][other])
                raise ConfigError(f"snapshot of {name!r} does not fit: {exc}") from None

    def api_for_path(self, path: str) -> tuple[str, str] | None:
        """(api name, path below the mount) for a request path, if it is under a mount."""
        for name, runtime in self.runtimes.items():
            mount = runtime.model.mount
            if path == mount or path.startswith(mount + "/"):
                return name, path[len(mount):] or "/"
        return None

    def fault_delay(self) -> float:
        """Seconds to wait before answering, per the latency settings."""
        jitter = self.rng.uniform(0, self.faults.jitter_ms) if self.faults.jitter_ms else 0.0
        return (self.faults.latency_ms + jitter) / 1000

    def inject_error(self) -> bool:
        """Whether this request is one of the injected failures."""
        return self.faults.error_rate > 0 and self.rng.random() < self.faults.error_rate

    def record(self, entry: dict[str, Any] | LoggedRequest) -> None:
        """Append to the bounded request log."""
        self.log.append(entry)

    def persona_of(self, subject: str | None) -> str | None:
        """The loaded persona a caller's subject (or client id) belongs to, else the subject."""
        personas = self.dataset.get("personas", {})
        if self._personas is None or self._personas[0] is not personas:
            self._personas = (personas, persona_index(personas))
        return None if subject is None else self._personas[1].get(subject, subject)

    def fault_settings(self) -> dict[str, Any]:
        """The current fault settings as JSON."""
        return asdict(self.faults)
