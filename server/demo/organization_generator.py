"""The demo's organizations and their venues, spread over the city's neighborhoods."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from server.demo import chicago
from server.demo.chicago import DASH, Neighborhood, Street
from server.demo.model import DemoOrganization, DemoPlace
from server.demo.names import UniqueNames
from server.demo.organizations import (
    EXTRA_SITE_NAMES,
    HUB_COUNT_KINDS,
    HUB_MAIN_PLACE_WEIGHT,
    HUB_WEIGHT,
    JITTER_KM,
    LAKEFRONT_ZIPS,
    ORG_DESCRIPTIONS,
    ORG_KIND_ACTIVITY,
    ORG_KIND_SHARE,
    ORG_TEMPLATES,
    PARK_PROGRAMS,
    PLACE_COUNTS,
    OrgTemplate,
)
from server.demo.wording import article, topic_phrase
from server.geo.geocoder import ZipCentroidGeocoder
from server.models.enums import OrganizationKind, OrganizationStatus

OK = OrganizationKind


def weighted_index(rng: random.Random, weights: Sequence[float]) -> int:
    return rng.choices(range(len(weights)), weights=weights, k=1)[0]


def jitter(
    rng: random.Random, latitude: float, longitude: float, westward_only: bool
) -> tuple[float, float]:
    # Uniform over a disc: sqrt keeps points from crowding the centroid.
    distance = JITTER_KM * math.sqrt(rng.random())
    angle = rng.random() * 2 * math.pi
    d_lat = distance * math.cos(angle) / 111.32
    d_lng = distance * math.sin(angle) / (111.32 * math.cos(math.radians(latitude)))
    if westward_only:
        d_lng = -abs(d_lng)
    return round(latitude + d_lat, 6), round(longitude + d_lng, 6)


@dataclass(slots=True)
class OrgDraft:
    org: DemoOrganization
    kind: OrganizationKind
    hood: Neighborhood
    focus: tuple[str, ...]
    weight: float
    places: list[tuple[DemoPlace, Neighborhood]] = field(default_factory=list)
    place_weights: list[int] = field(default_factory=list)

    def pick_place(self, rng: random.Random) -> tuple[DemoPlace, Neighborhood]:
        return self.places[weighted_index(rng, self.place_weights)]


class OrganizationGenerator:
    """Draws organizations and their places from the generator's one random source."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.geocoder = ZipCentroidGeocoder()
        self.centroids: dict[str, tuple[float, float]] = {}
        for zip5 in chicago.all_zips():
            found = self.geocoder.geocode(zip5)
            if found is None:  # every listed ZIP is in the package; guard anyway
                raise ValueError(f"no centroid for ZIP {zip5}")
            self.centroids[zip5] = (found.point.latitude, found.point.longitude)
        self.nearby = self._nearby_hoods()
        self.names = UniqueNames()
        self.hood_zip_cycle: list[tuple[Neighborhood, str]] = []
        self.park_cycle: list[tuple[Neighborhood, str]] = []
        self.park_rounds = 0
        self.library_hoods: set[str] = set()  # membership only; never iterated

    # ---------------------------------------------------------------- geography

    def _nearby_hoods(self) -> dict[str, tuple[Neighborhood, ...]]:
        """Each neighborhood's eight nearest, for an organization's other venues."""
        result: dict[str, tuple[Neighborhood, ...]] = {}
        for hood in chicago.NEIGHBORHOODS:
            lat, lng = self.centroids[hood.zips[0]]

            def distance(other: Neighborhood, lat: float = lat, lng: float = lng) -> float:
                o_lat, o_lng = self.centroids[other.zips[0]]
                return math.hypot(o_lat - lat, (o_lng - lng) * math.cos(math.radians(lat)))

            others = sorted(
                (h for h in chicago.NEIGHBORHOODS if h.name != hood.name),
                key=lambda h: (distance(h), h.name),
            )
            result[hood.name] = tuple(others[:8])
        return result

    def _next_hood_zip(self) -> tuple[Neighborhood, str]:
        # Cycling through every (neighborhood, ZIP) pair spreads venues over the whole city.
        if not self.hood_zip_cycle:
            pairs = [(hood, z) for hood in chicago.NEIGHBORHOODS for z in hood.zips]
            self.rng.shuffle(pairs)
            self.hood_zip_cycle = pairs
        return self.hood_zip_cycle.pop()

    def _next_park(self) -> tuple[Neighborhood, str, int]:
        if not self.park_cycle:
            parks = [(hood, park) for hood in chicago.NEIGHBORHOODS for park in hood.parks]
            self.rng.shuffle(parks)
            self.park_cycle = parks
            self.park_rounds += 1
        hood, park = self.park_cycle.pop()
        return hood, park, self.park_rounds

    def _address(self, hood: Neighborhood, zip5: str) -> tuple[str, Street]:
        street = self.rng.choice(hood.streets)
        number = self.rng.randint(street.low, street.high)
        return f"{number} {street.name}, {chicago.CITY}, {chicago.STATE} {zip5}", street

    def _make_place(
        self,
        place_id: int,
        org_id: int,
        name: str,
        hood: Neighborhood,
        zip5: str,
        kind: OrganizationKind,
    ) -> DemoPlace:
        address, _ = self._address(hood, zip5)
        lat, lng = self.centroids[zip5]
        lat, lng = jitter(self.rng, lat, lng, westward_only=zip5 in LAKEFRONT_ZIPS)
        free_internet = kind == OK.LIBRARY or self.rng.random() < (
            0.5 if kind in (OK.COMMUNITY_GROUP, OK.PARK_DISTRICT) else 0.15
        )
        return DemoPlace(
            id=place_id,
            organization_id=org_id,
            name=name,
            address=address,
            postal_code=zip5,
            neighborhood=hood.name,
            latitude=lat,
            longitude=lng,
            # The demo treats its jittered point as the venue's door.
            location_approximate=False,
            wheelchair_accessible=self.rng.random() < 0.8,
            free_internet=free_internet,
        )

    # ---------------------------------------------------------------- organizations

    def _org_kinds(self, count: int) -> list[OrganizationKind]:
        # The first seven cover every kind, so even a tiny city has all of them.
        kinds = list(OK)
        shares = [ORG_KIND_SHARE[kind] for kind in kinds]
        parks = sum(len(hood.parks) for hood in chicago.NEIGHBORHOODS)
        # A big city still has one library branch per neighborhood and a bounded number
        # of park programs; past that, other kinds of partner take their share.
        caps = {
            OK.LIBRARY: len(chicago.NEIGHBORHOODS),
            OK.PARK_DISTRICT: parks * (1 + len(PARK_PROGRAMS)),
        }
        result = kinds[:count]
        counts = {kind: result.count(kind) for kind in kinds}
        for _ in range(count - len(result)):
            kind = kinds[weighted_index(self.rng, shares)]
            if counts[kind] >= caps.get(kind, count):
                shares[kinds.index(kind)] = 0.0
                kind = kinds[weighted_index(self.rng, shares)]
            counts[kind] += 1
            result.append(kind)
        return result

    def _name_org(
        self, kind: OrganizationKind, hood: Neighborhood
    ) -> tuple[str, str, OrgTemplate, Neighborhood, str | None]:
        """A unique name; the park (if any) and its neighborhood decide the venue."""
        rng = self.rng
        templates = ORG_TEMPLATES[kind]
        if kind == OK.PARK_DISTRICT:
            hood, park, rounds = self._next_park()
            base = templates[0].pattern.format(park=park)
            if rounds == 1:
                names = [base]
            else:
                programs = list(PARK_PROGRAMS)
                rng.shuffle(programs)
                names = [f"{base} {program}" for program in programs]
            name, slug = self.names.claim(names, fallback=base)
            return name, slug, templates[0], hood, park
        if kind == OK.LIBRARY:
            # A second branch in one neighborhood is named for its street, as the city does.
            streets = list(hood.streets)
            rng.shuffle(streets)
            places = [hood.name] + [street.short for street in streets]
            names = [f"{chicago.LIBRARY_SYSTEM} {DASH} {place} Branch" for place in places]
            name, slug = self.names.claim(names, fallback=names[0])
            return name, slug, templates[0], hood, None
        candidates: list[tuple[str, OrgTemplate]] = []
        for _ in range(12):
            template = rng.choice(templates)
            sur, sur2 = rng.sample(chicago.SURNAMES, 2)
            street = rng.choice(hood.streets)
            name = template.pattern.format(n=hood.name, s=street.short, sur=sur, sur2=sur2)
            candidates.append((name, template))
        # Then the same names placed on a street ("... - Cermak"), which scale much further.
        for name, template in list(candidates):
            candidates.append((f"{name} {DASH} {rng.choice(hood.streets).short}", template))
        names = [name for name, _ in candidates]
        name, slug = self.names.claim(names, fallback=names[0])
        # A numbered fallback name keeps the first candidate's template.
        template = next((t for n, t in candidates if n == name), candidates[0][1])
        return name, slug, template, hood, None

    def _org_description(
        self, kind: OrganizationKind, name: str, hood: Neighborhood, focus: Sequence[str]
    ) -> str:
        return ORG_DESCRIPTIONS[kind].format(
            name=name,
            hood=hood.name,
            a_hood=article(hood.name),
            area=hood.community_area,
            topics=topic_phrase(focus),
        )

    def organizations(self, count: int) -> list[OrgDraft]:
        rng = self.rng
        drafts: list[OrgDraft] = []
        next_place_id = 1
        for index, kind in enumerate(self._org_kinds(count)):
            org_id = index + 1
            hood, zip5 = self._next_hood_zip()
            if kind == OK.LIBRARY and hood.name in self.library_hoods:
                # One branch per neighborhood: move to one that has none yet.
                free = [h for h in chicago.NEIGHBORHOODS if h.name not in self.library_hoods]
                hood = rng.choice(free) if free else hood
            if kind == OK.LIBRARY:
                self.library_hoods.add(hood.name)
            name, slug, template, hood, park = self._name_org(kind, hood)
            if zip5 not in hood.zips:  # parks and moved libraries pick their own ZIP
                zip5 = rng.choice(hood.zips)
            focus_pool = list(template.focus)
            rng.shuffle(focus_pool)
            focus = tuple(focus_pool[: rng.randint(min(2, len(focus_pool)), 4)])
            org = DemoOrganization(
                id=org_id,
                slug=slug,
                name=name,
                kind=kind.value,
                description=self._org_description(kind, name, hood, focus),
                website=f"https://{slug}.example.org",
                status=OrganizationStatus.APPROVED.value,
                postal_code=zip5,
                neighborhood=hood.name,
            )
            weight = ORG_KIND_ACTIVITY[kind] * rng.uniform(0.4, 1.6)
            draft = OrgDraft(org, kind, hood, focus, weight)
            counts, count_weights = PLACE_COUNTS[kind]
            place_count = counts[weighted_index(rng, count_weights)]
            for number in range(place_count):
                if number == 0:
                    place_hood, place_zip = hood, zip5
                    if kind == OK.LIBRARY:
                        place_name = name.rsplit(DASH, 1)[-1].strip() + " Library"
                    elif park:
                        place_name = f"{park} Fieldhouse"
                    else:
                        place_name = name
                else:
                    place_hood = rng.choice(self.nearby[hood.name])
                    place_zip = rng.choice(place_hood.zips)
                    site = rng.choice(EXTRA_SITE_NAMES)
                    place_name = f"{name} {DASH} {place_hood.name} {site}"
                place = self._make_place(
                    next_place_id, org_id, place_name, place_hood, place_zip, kind
                )
                next_place_id += 1
                draft.places.append((place, place_hood))
                draft.place_weights.append(3 if number == 0 else 1)
            drafts.append(draft)
        self._make_hubs(drafts)
        return drafts

    def _make_hubs(self, drafts: list[OrgDraft]) -> None:
        """The first library, park, museum and college become busy venues where many
        listings share one point, so distance ties are common, as in real cities."""
        for kind in HUB_COUNT_KINDS:
            for draft in drafts:
                if draft.kind == kind:
                    draft.weight = HUB_WEIGHT * ORG_KIND_ACTIVITY[kind]
                    draft.place_weights[0] = HUB_MAIN_PLACE_WEIGHT
                    break
