"""What a target can reach: the model's world plus the proxy places the checks may name.

The reference model needs a :class:`~conformance.model.World` to predict answers; the checks
also need *places* to put in requests: every (``XksProxyUriEndpoint``, ``XksProxyUriPath``)
with how it answers, the credentials it accepts and the keys its EKM holds. An
``UNREACHABLE`` place has no proxy in the world (nothing answers there), yet a check may
still name it to see the store refused. Behaviour belongs to the place, not to the host: one
host may serve a healthy tenant and a broken one.

``Backends`` comes from the embedded emulator's live scenario
(:meth:`Backends.from_running_scenario`) or from a world file
(:func:`conformance.worldfile.load_world_file`).

>>> from conformance.model import ProxyBehaviour, World
>>> place = ProxyPlace("https://xks.example.com", "/kms/xks/v1", ProxyBehaviour.UNREACHABLE)
>>> backends = Backends(World(), (place,))
>>> backends.places_with(ProxyBehaviour.UNREACHABLE)[0].host
'xks.example.com'
>>> backends.world.proxies  # nothing answers at an unreachable place
()
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from conformance.model import ExternalKey, ProxyBehaviour, ProxyCredential, World, XksProxy

if TYPE_CHECKING:
    from conformance.emulator.scenario import RunningScenario

DEFAULT_URI_PATH = "/kms/xks/v1"
"""The path a request names for a host that serves none (an unreachable one)."""


@dataclass(frozen=True)
class ProxyPlace:
    """One (endpoint, path) a check may name, with how it answers there."""

    uri_endpoint: str
    uri_path: str
    behaviour: ProxyBehaviour
    credentials: tuple[ProxyCredential, ...] = ()
    external_keys: tuple[ExternalKey, ...] = ()
    #: Reserved for the long-lived fixture store of a real account (keys live there): no
    #: check builds a store on it, so the fixture never collides with a check's store.
    fixture: bool = False

    @property
    def host(self) -> str:
        """The endpoint without its ``https://`` (what a VPC service's private DNS name is)."""
        return self.uri_endpoint.split("://", 1)[-1]

    def as_proxy(self) -> XksProxy:
        """The model's proxy at this place."""
        return XksProxy(
            self.uri_endpoint,
            self.uri_path,
            self.behaviour,
            credentials=self.credentials,
            external_keys=self.external_keys,
        )

    @classmethod
    def of_proxy(cls, proxy: XksProxy) -> ProxyPlace:
        """The place of one of the model's proxies."""
        return cls(
            proxy.uri_endpoint,
            proxy.uri_path,
            proxy.behaviour,
            proxy.credentials,
            proxy.external_keys,
        )


@dataclass(frozen=True)
class Backends:
    """The world of a target plus its proxy places (see the module docstring).

    `reset_path`, when set, is where a ``POST`` empties the target's account (only kscheck's
    own emulator serves one).
    """

    world: World
    places: tuple[ProxyPlace, ...] = ()
    reset_path: str | None = None

    @classmethod
    def of_world(
        cls,
        world: World,
        unreachable: tuple[ProxyPlace, ...] = (),
        reset_path: str | None = None,
    ) -> Backends:
        """The backends whose answering places are the world's proxies, plus `unreachable`."""
        places = tuple(ProxyPlace.of_proxy(p) for p in world.proxies) + unreachable
        return cls(world, places, reset_path)

    @classmethod
    def from_running_scenario(
        cls, running: RunningScenario, reset_path: str | None = None
    ) -> Backends:
        """The embedded emulator's backends: every site of the scenario in its order, each
        live tenant a place, each site that is not live one unreachable place."""
        places: list[ProxyPlace] = []
        for site in running.scenario.sites:
            at_site = [p for p in running.world.proxies if p.uri_endpoint == site.endpoint]
            if at_site:
                places.extend(
                    dataclasses.replace(ProxyPlace.of_proxy(p), fixture=site.fixture)
                    for p in at_site
                )
            else:
                places.append(ProxyPlace(site.endpoint, DEFAULT_URI_PATH, site.behaviour))
        return cls(running.world, tuple(places), reset_path)

    def joined(self, other: Backends) -> Backends:
        """These backends, then `other`'s (e.g. a rig proxy's world file before the
        emulator's): places in order, the World's proxies, services and clusters joined;
        the first world's account, Region and reset path win."""
        world = dataclasses.replace(
            self.world,
            proxies=self.world.proxies + other.world.proxies,
            vpc_endpoint_services=self.world.vpc_endpoint_services
            + other.world.vpc_endpoint_services,
            clusters=self.world.clusters + other.world.clusters,
            foreign_vpc_endpoints=self.world.foreign_vpc_endpoints
            | other.world.foreign_vpc_endpoints,
        )
        return Backends(world, self.places + other.places, self.reset_path or other.reset_path)

    def places_with(self, behaviour: ProxyBehaviour) -> tuple[ProxyPlace, ...]:
        """The places that answer with `behaviour`, in order (the fixture's excluded)."""
        return tuple(p for p in self.places if p.behaviour is behaviour and not p.fixture)

    def fixture_place(self) -> ProxyPlace | None:
        """The healthy place reserved for the fixture store, if the world names one."""
        return next((p for p in self.places if p.fixture), None)

    def places_at(self, host: str) -> tuple[ProxyPlace, ...]:
        """The places on `host` (any path, any behaviour), in order (the fixture's
        excluded)."""
        return tuple(p for p in self.places if p.host == host and not p.fixture)

    def place(self, host: str, path: str) -> ProxyPlace | None:
        """The place at exactly this host and path, or None."""
        return next((p for p in self.places_at(host) if p.uri_path == path), None)

    def behaviour_at(self, host: str) -> ProxyBehaviour:
        """How `host` answers: its first place's behaviour, UNREACHABLE when it has none."""
        at_host = self.places_at(host)
        return at_host[0].behaviour if at_host else ProxyBehaviour.UNREACHABLE
