"""What the demo's organizations are like, per kind: names, focus topics, how many there
are, how busy they are, how many venues they run and how they describe themselves."""

from __future__ import annotations

from dataclasses import dataclass

from server.demo import chicago
from server.demo.chicago import DASH
from server.models.enums import OrganizationKind

OK = OrganizationKind


@dataclass(frozen=True, slots=True)
class OrgTemplate:
    pattern: str  # {n} neighborhood, {s} street, {sur}/{sur2} surnames, {park} a park
    focus: tuple[str, ...]  # topic slugs the organization is known for


def _ot(pattern: str, focus: str) -> OrgTemplate:
    return OrgTemplate(pattern, tuple(focus.split()))


_LIBRARY_FOCUS = "reading coding writing gaming languages careers media-film design math"
ORG_TEMPLATES: dict[OrganizationKind, tuple[OrgTemplate, ...]] = {
    OK.MUSEUM: (
        _ot("{n} Museum of Art & History", "art history-culture"),
        _ot("{n} Children's Museum", "science art reading"),
        _ot("{n} Heritage Museum", "history-culture languages dance"),
        _ot("{n} Center for Contemporary Art", "art design media-film"),
        _ot("{n} Science & Discovery Center", "science robotics math"),
        _ot("{n} Nature Museum", "nature-environment science"),
        _ot("{n} Museum of Photography", "media-film art"),
        _ot("{n} Historical Society", "history-culture writing"),
        _ot("Chicago Museum of Design & Architecture", "design history-culture"),
        _ot("Great Lakes Maritime Museum", "science history-culture nature-environment"),
        _ot("Midwest Museum of Music", "music history-culture"),
    ),
    OK.LIBRARY: (_ot(f"{chicago.LIBRARY_SYSTEM} {DASH} {{n}} Branch", _LIBRARY_FOCUS),),
    OK.COMMUNITY_GROUP: (
        _ot("{n} Community Arts Collective", "art design music"),
        _ot("{n} Youth Council", "civic-engagement careers"),
        _ot("{n} Neighbors United", "civic-engagement nature-environment"),
        _ot("{n} Makers Guild", "design robotics art"),
        _ot("{n} Community Garden Network", "nature-environment cooking health"),
        _ot("{n} Cultural Alliance", "history-culture dance music languages"),
        _ot("{n} Parents Network", "reading math health"),
        _ot("{n} Chess & Games Club", "math gaming"),
        _ot("{n} Youth Media Circle", "media-film writing"),
        _ot("{n} Block Club Alliance", "civic-engagement sports-fitness"),
        _ot("{n} Family Resource Center", "health reading languages"),
        _ot("{n} Bike Collective", "sports-fitness design entrepreneurship"),
    ),
    OK.COLLEGE: (
        _ot(f"Great Lakes Technical College {DASH} {{n}} Campus", "coding robotics careers design"),
        _ot(
            f"Windy City Community College {DASH} {{n}} Campus",
            "careers health math writing entrepreneurship",
        ),
        _ot(f"Lakeshore University {DASH} {{n}} Center", "science writing history-culture math"),
        _ot(f"Prairie Arts Institute {DASH} {{n}}", "art design media-film music theater"),
        _ot(f"Midway College of Health Sciences {DASH} {{n}}", "health science careers"),
        _ot(f"Calumet Polytechnic Institute {DASH} {{n}}", "robotics coding math careers"),
    ),
    OK.EMPLOYER: (
        _ot("{n} Health Partners", "health careers"),
        _ot("{n} Community Credit Union", "entrepreneurship math careers"),
        _ot("{s} Bakery & Café", "cooking entrepreneurship"),
        _ot("{sur} & {sur2} Architects", "design math"),
        _ot("{sur} Construction Co.", "careers design math"),
        _ot("{n} Dental Associates", "health science"),
        _ot("{sur} Media Group", "media-film writing design"),
        _ot("{n} Veterinary Clinic", "science health nature-environment"),
        _ot("{sur} Solar & Electric", "science nature-environment careers"),
        _ot("{n} Print Shop", "design art entrepreneurship"),
        _ot("{sur} Software Labs", "coding design math"),
        _ot("{sur} Law Offices", "civic-engagement writing"),
        _ot("{n} Auto & Cycle Works", "careers robotics"),
        _ot("{s} Hospitality Group", "cooking careers entrepreneurship"),
        _ot("{sur} Engineering Group", "robotics math science"),
    ),
    OK.PARK_DISTRICT: (
        _ot(
            f"{chicago.PARK_DISTRICT} {DASH} {{park}}",
            "sports-fitness nature-environment art dance theater",
        ),
    ),
    OK.NONPROFIT: (
        _ot("{n} Youth Futures", "careers civic-engagement coding"),
        _ot("{n} STEM Alliance", "science robotics coding math"),
        _ot("{n} Reading Corps", "reading writing"),
        _ot(f"Code Your Block {DASH} {{n}}", "coding design gaming"),
        _ot("{n} Urban Farm Project", "nature-environment cooking entrepreneurship"),
        _ot("{n} Film Collective", "media-film writing theater"),
        _ot("{n} Young Writers Workshop", "writing reading"),
        _ot("{n} Boxing & Mentoring Club", "sports-fitness health"),
        _ot("{n} Youth Theater Company", "theater dance music"),
        _ot("{n} Dance Project", "dance music health"),
        _ot("{n} Teen Leadership Institute", "civic-engagement entrepreneurship careers"),
        _ot("{n} Career Pathways Center", "careers health coding"),
        _ot("{n} Family Learning Center", "reading math languages"),
        _ot("{n} Environmental Justice Alliance", "nature-environment civic-engagement science"),
        _ot("{n} Youth Orchestra", "music"),
        _ot("{n} Girls in STEM", "science coding robotics"),
        _ot("{n} Esports & Gaming Lab", "gaming coding design"),
        _ot("{n} Language Exchange", "languages history-culture"),
    ),
}

# Park programs beyond the first organization per park ("... - Harrison Park Day Camp").
PARK_PROGRAMS = ("Day Camp", "Aquatics", "Nature Programs", "Teen Center", "Cultural Arts")

ORG_KIND_SHARE: dict[OrganizationKind, float] = {
    OK.MUSEUM: 0.08,
    OK.LIBRARY: 0.13,
    OK.COMMUNITY_GROUP: 0.22,
    OK.COLLEGE: 0.06,
    OK.EMPLOYER: 0.14,
    OK.PARK_DISTRICT: 0.15,
    OK.NONPROFIT: 0.22,
}

# How many listings an organization of each kind tends to post, relative to the others.
ORG_KIND_ACTIVITY: dict[OrganizationKind, float] = {
    OK.MUSEUM: 1.3,
    OK.LIBRARY: 1.5,
    OK.COMMUNITY_GROUP: 0.8,
    OK.COLLEGE: 1.1,
    OK.EMPLOYER: 0.8,
    OK.PARK_DISTRICT: 1.3,
    OK.NONPROFIT: 1.0,
}

# (choices, weights) of how many venues an organization has.
PLACE_COUNTS: dict[OrganizationKind, tuple[tuple[int, ...], tuple[int, ...]]] = {
    OK.MUSEUM: ((1, 2), (80, 20)),
    OK.LIBRARY: ((1,), (1,)),
    OK.COMMUNITY_GROUP: ((1, 2, 3), (65, 28, 7)),
    OK.COLLEGE: ((1, 2, 3), (40, 40, 20)),
    OK.EMPLOYER: ((1, 2), (75, 25)),
    OK.PARK_DISTRICT: ((1, 2), (80, 20)),
    OK.NONPROFIT: ((1, 2, 3, 4), (45, 30, 15, 10)),
}

# The first organization of each of these kinds becomes a hub: it posts this many times
# more listings, and almost all of them at its main venue.
HUB_COUNT_KINDS = (OK.LIBRARY, OK.PARK_DISTRICT, OK.MUSEUM, OK.COLLEGE)
HUB_WEIGHT = 10.0
HUB_MAIN_PLACE_WEIGHT = 12

# An organization's further venues: "{name} - {neighborhood} {site}".
EXTRA_SITE_NAMES = ("Studio", "Annex", "Learning Center", "Youth Center", "Workshop", "Site")

# ZIPs on the lakefront: venues jitter only westward there, so none lands in the lake.
LAKEFRONT_ZIPS = frozenset(
    "60601 60605 60610 60611 60613 60614 60615 60616 60626 60637 60640 60649 60653 "
    "60657 60660 60617".split()
)
JITTER_KM = 1.2

# "{name}" the organization, "{hood}" its neighborhood ("{a_hood}" with its article),
# "{area}" the community area, "{topics}" what it is known for.
ORG_DESCRIPTIONS: dict[OrganizationKind, str] = {
    OK.MUSEUM: (
        "{name} brings {topics} to life for young visitors in {hood}. "
        "Galleries, studios and educators welcome school groups, families and teens "
        "all year."
    ),
    OK.LIBRARY: (
        "{name} offers free books, computers and Wi-Fi in {hood}, plus programs "
        "in {topics}. Cardholders can borrow laptops and hotspots."
    ),
    OK.COMMUNITY_GROUP: (
        "{name} is a volunteer-run group that organizes {topics} for neighbors of "
        "all ages. We meet in parks, churches and storefronts around {hood}."
    ),
    OK.COLLEGE: (
        "{name} opens its labs and classrooms to middle and high school students "
        "with summer courses, dual-credit options and hands-on workshops in {topics}."
    ),
    OK.EMPLOYER: (
        "{name} is {a_hood} employer that hosts job shadows, internships and "
        "apprenticeships so young people can see what a career in {topics} looks like."
    ),
    OK.PARK_DISTRICT: (
        f"A {chicago.PARK_DISTRICT} park in {{hood}} with a fieldhouse, playing "
        "fields and seasonal programs in {topics}."
    ),
    OK.NONPROFIT: (
        "{name} is a nonprofit serving youth in {area} and beyond through {topics}. "
        "Programs are free or low-cost, with mentors who grew up in the neighborhood."
    ),
}
