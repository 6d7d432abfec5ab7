"""Chicago as demo material: real neighborhoods, their real ZIP codes, streets and parks.

House-number ranges follow the city grid only roughly (800 numbers to the mile
from State and Madison); they make addresses look right, not geocode exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

CITY = "Chicago"
STATE = "IL"
TIMEZONE = "America/Chicago"
LIBRARY_SYSTEM = "Chicago Public Library"
PARK_DISTRICT = "Chicago Park District"
# Organization names use an en dash ("Chicago Public Library \u2013 Logan Square Branch").
DASH = "\u2013"


_STREET_TYPES = {
    "Rd": "Road",
    "St": "Street",
    "Ave": "Avenue",
    "Blvd": "Boulevard",
    "Dr": "Drive",
    "Pl": "Place",
    "Hwy": "Highway",
    "Ct": "Court",
}


@dataclass(frozen=True, slots=True)
class Street:
    name: str  # "W Cermak Rd"
    low: int  # plausible house numbers along this stretch
    high: int

    @property
    def short(self) -> str:
        """'W Cermak Rd' -> 'Cermak', 'W 31st St' -> '31st Street': how people name a branch."""
        words = self.name.split()
        if words and words[0] in {"N", "S", "E", "W"}:
            words = words[1:]
        if len(words) > 1 and words[-1] in _STREET_TYPES:
            suffix = words.pop()
            if words[0][:1].isdigit():  # "31st" alone reads oddly
                words.append(_STREET_TYPES[suffix])
        return " ".join(words)


@dataclass(frozen=True, slots=True)
class Neighborhood:
    name: str
    community_area: str  # one of the city's 77 official community areas
    zips: tuple[str, ...]
    streets: tuple[Street, ...]
    parks: tuple[str, ...] = ()  # Chicago Park District parks in or next to it
    languages: tuple[str, ...] = ()  # widely spoken here besides English


def _n(
    name: str,
    area: str,
    zips: str,
    streets: tuple[tuple[str, int, int], ...],
    parks: tuple[str, ...] = (),
    languages: tuple[str, ...] = (),
) -> Neighborhood:
    return Neighborhood(
        name, area, tuple(zips.split()), tuple(Street(*s) for s in streets), parks, languages
    )


NEIGHBORHOODS: tuple[Neighborhood, ...] = (
    _n(
        "Loop",
        "Loop",
        "60601 60602 60603 60604",
        (
            ("N State St", 1, 200),
            ("W Madison St", 1, 300),
            ("S Michigan Ave", 1, 600),
            ("W Randolph St", 1, 300),
            ("S Dearborn St", 1, 400),
        ),
        ("Grant Park", "Maggie Daley Park"),
    ),
    _n(
        "West Loop",
        "Near West Side",
        "60606 60607 60661",
        (
            ("W Randolph St", 600, 1400),
            ("W Madison St", 600, 1600),
            ("S Halsted St", 1, 400),
            ("W Lake St", 600, 1500),
            ("N Canal St", 100, 500),
        ),
        ("Mary Bartelme Park", "Skinner Park"),
    ),
    _n(
        "South Loop",
        "Near South Side",
        "60605 60616",
        (
            ("S Michigan Ave", 600, 2200),
            ("S Wabash Ave", 600, 2200),
            ("W Roosevelt Rd", 1, 600),
            ("S State St", 600, 2200),
        ),
        ("Coliseum Park",),
    ),
    _n(
        "River North",
        "Near North Side",
        "60654 60610",
        (
            ("N Wells St", 300, 800),
            ("W Kinzie St", 1, 500),
            ("N Clark St", 300, 800),
            ("W Chicago Ave", 1, 500),
        ),
        ("Ward Park",),
    ),
    _n(
        "Streeterville",
        "Near North Side",
        "60611",
        (
            ("E Chicago Ave", 100, 300),
            ("N Michigan Ave", 400, 900),
            ("E Ohio St", 100, 500),
            ("N McClurg Ct", 300, 600),
        ),
        ("Lake Shore Park", "Milton Lee Olive Park"),
    ),
    _n(
        "Gold Coast",
        "Near North Side",
        "60610 60611",
        (
            ("N State St", 900, 1500),
            ("W Division St", 1, 200),
            ("N Dearborn St", 1000, 1500),
            ("E Oak St", 1, 100),
        ),
        ("Washington Square Park", "Seward Park"),
    ),
    _n(
        "Old Town",
        "Near North Side",
        "60610 60614",
        (
            ("N Wells St", 1200, 1700),
            ("W North Ave", 100, 600),
            ("N Clark St", 1400, 1800),
            ("N Larrabee St", 1200, 1700),
        ),
        ("Stanton Park",),
    ),
    _n(
        "Lincoln Park",
        "Lincoln Park",
        "60614",
        (
            ("N Clark St", 1800, 2700),
            ("W Fullerton Ave", 300, 1200),
            ("N Halsted St", 1800, 2700),
            ("N Lincoln Ave", 1800, 2600),
            ("W Armitage Ave", 600, 1200),
        ),
        ("Oz Park", "Jonquil Park", "Trebes Park"),
    ),
    _n(
        "Lakeview",
        "Lake View",
        "60657 60613",
        (
            ("N Broadway", 2800, 3900),
            ("N Clark St", 2800, 3800),
            ("W Belmont Ave", 600, 1600),
            ("N Southport Ave", 3000, 3700),
            ("N Halsted St", 2900, 3800),
        ),
        ("Gill Park", "Wellington Park"),
    ),
    _n(
        "Wrigleyville",
        "Lake View",
        "60613",
        (
            ("N Clark St", 3500, 3800),
            ("W Addison St", 700, 1400),
            ("N Sheffield Ave", 3400, 3800),
        ),
        ("Challenger Park",),
    ),
    _n(
        "Roscoe Village",
        "North Center",
        "60618 60657",
        (
            ("W Roscoe St", 1800, 2200),
            ("N Damen Ave", 3200, 3500),
            ("W Belmont Ave", 1800, 2400),
        ),
        ("Hamlin Park",),
    ),
    _n(
        "North Center",
        "North Center",
        "60618 60613",
        (
            ("N Lincoln Ave", 3600, 4300),
            ("W Irving Park Rd", 1600, 2600),
            ("N Damen Ave", 3600, 4200),
        ),
        ("Revere Park", "Clark Park"),
    ),
    _n(
        "Lincoln Square",
        "Lincoln Square",
        "60625",
        (
            ("N Lincoln Ave", 4400, 4900),
            ("W Lawrence Ave", 1800, 2800),
            ("N Western Ave", 4400, 5000),
            ("W Montrose Ave", 1800, 2600),
        ),
        ("Welles Park", "Winnemac Park"),
    ),
    _n(
        "Ravenswood",
        "Lincoln Square",
        "60640 60625",
        (
            ("N Ravenswood Ave", 4400, 5400),
            ("W Leland Ave", 1800, 2200),
            ("N Damen Ave", 4400, 5200),
        ),
        ("Chase Park",),
    ),
    _n(
        "Uptown",
        "Uptown",
        "60640",
        (
            ("N Broadway", 4400, 5000),
            ("W Lawrence Ave", 800, 1400),
            ("W Wilson Ave", 800, 1400),
            ("N Sheridan Rd", 4400, 5000),
            ("W Argyle St", 1000, 1200),
        ),
        ("Clarendon Park", "Margate Park", "Buttercup Park"),
        ("es",),
    ),
    _n(
        "Edgewater",
        "Edgewater",
        "60660",
        (
            ("N Broadway", 5200, 6400),
            ("W Devon Ave", 1000, 1400),
            ("N Sheridan Rd", 5600, 6400),
            ("W Granville Ave", 1000, 1400),
        ),
        ("Broadway Armory Park", "Berger Park"),
    ),
    _n(
        "Andersonville",
        "Edgewater",
        "60640 60660",
        (
            ("N Clark St", 5000, 5800),
            ("W Foster Ave", 1000, 1800),
            ("W Bryn Mawr Ave", 1000, 1800),
        ),
    ),
    _n(
        "Rogers Park",
        "Rogers Park",
        "60626 60645",
        (
            ("N Sheridan Rd", 6400, 7700),
            ("W Morse Ave", 1200, 1600),
            ("N Clark St", 6400, 7700),
            ("W Howard St", 1200, 1700),
            ("N Glenwood Ave", 6700, 7600),
        ),
        ("Loyola Park", "Pottawattomie Park", "Willye B. White Park"),
        ("es",),
    ),
    _n(
        "West Ridge",
        "West Ridge",
        "60645 60659",
        (
            ("W Devon Ave", 2200, 3000),
            ("N Western Ave", 6000, 7000),
            ("N California Ave", 6000, 7000),
            ("W Touhy Ave", 2200, 3000),
        ),
        ("Warren Park", "Indian Boundary Park", "Green Briar Park"),
    ),
    _n(
        "Albany Park",
        "Albany Park",
        "60625",
        (
            ("W Lawrence Ave", 3000, 4400),
            ("N Kedzie Ave", 4400, 5000),
            ("W Montrose Ave", 3000, 4400),
            ("N Kimball Ave", 4400, 5000),
        ),
        ("Eugene Field Park", "Ronan Park"),
        ("es",),
    ),
    _n(
        "North Park",
        "North Park",
        "60625 60659",
        (
            ("N Kedzie Ave", 5000, 6000),
            ("W Foster Ave", 3000, 4000),
            ("N Kimball Ave", 5000, 5800),
            ("W Bryn Mawr Ave", 3000, 3600),
        ),
        ("Peterson Park",),
    ),
    _n(
        "Irving Park",
        "Irving Park",
        "60618 60641",
        (
            ("W Irving Park Rd", 2800, 4400),
            ("N Pulaski Rd", 3600, 4400),
            ("N Elston Ave", 3600, 4200),
            ("W Montrose Ave", 3600, 4400),
        ),
        ("Horner Park", "Independence Park", "Kilbourn Park"),
        ("pl",),
    ),
    _n(
        "Avondale",
        "Avondale",
        "60618",
        (
            ("W Belmont Ave", 2600, 3600),
            ("N Milwaukee Ave", 2900, 3600),
            ("N Kedzie Ave", 2900, 3600),
            ("W Diversey Ave", 2800, 3600),
        ),
        ("Kosciuszko Park", "Avondale Park"),
        ("pl", "es"),
    ),
    _n(
        "Logan Square",
        "Logan Square",
        "60647",
        (
            ("N Milwaukee Ave", 2300, 3200),
            ("W Fullerton Ave", 2400, 3600),
            ("W Diversey Ave", 2400, 3200),
            ("N California Ave", 2200, 3000),
            ("W Armitage Ave", 2400, 3600),
        ),
        ("Palmer Square Park", "Haas Park"),
        ("es",),
    ),
    _n(
        "Bucktown",
        "Logan Square",
        "60647 60614",
        (
            ("N Damen Ave", 1800, 2400),
            ("W Armitage Ave", 1600, 2200),
            ("N Milwaukee Ave", 1800, 2200),
            ("W Cortland St", 1600, 2200),
        ),
        ("Holstein Park", "Churchill Field Park"),
    ),
    _n(
        "Hermosa",
        "Hermosa",
        "60639 60647",
        (
            ("W Armitage Ave", 3800, 4600),
            ("N Kostner Ave", 1800, 2600),
            ("W Fullerton Ave", 3800, 4600),
            ("N Pulaski Rd", 1800, 2600),
        ),
        ("Hermosa Park", "Kelvyn Park"),
        ("es",),
    ),
    _n(
        "Humboldt Park",
        "Humboldt Park",
        "60651 60622 60647",
        (
            ("W Division St", 2400, 4000),
            ("N California Ave", 900, 1600),
            ("W North Ave", 2400, 4000),
            ("W Chicago Ave", 2400, 4000),
            ("N Kedzie Ave", 800, 1600),
        ),
        ("Humboldt Park",),
        ("es",),
    ),
    _n(
        "Wicker Park",
        "West Town",
        "60622",
        (
            ("N Milwaukee Ave", 1200, 2000),
            ("W Division St", 1200, 2000),
            ("N Damen Ave", 1000, 2000),
            ("W North Ave", 1200, 2000),
        ),
        ("Wicker Park", "Pulaski Park"),
    ),
    _n(
        "Ukrainian Village",
        "West Town",
        "60622",
        (
            ("W Chicago Ave", 1800, 2400),
            ("N Western Ave", 700, 1200),
            ("W Augusta Blvd", 1800, 2400),
            ("N Damen Ave", 700, 1000),
        ),
        ("Smith Park",),
    ),
    _n(
        "River West",
        "West Town",
        "60642",
        (
            ("W Chicago Ave", 600, 1200),
            ("N Halsted St", 600, 1400),
            ("W Division St", 600, 1200),
            ("N Milwaukee Ave", 700, 1200),
        ),
        ("Eckhart Park",),
    ),
    _n(
        "Little Italy",
        "Near West Side",
        "60607 60608",
        (
            ("W Taylor St", 800, 1500),
            ("S Racine Ave", 600, 1400),
            ("W Roosevelt Rd", 800, 1600),
        ),
        ("Arrigo Park",),
    ),
    _n(
        "Illinois Medical District",
        "Near West Side",
        "60612",
        (
            ("W Harrison St", 1800, 2400),
            ("S Wood St", 600, 1000),
            ("W Polk St", 1800, 2400),
            ("S Damen Ave", 600, 1200),
        ),
        ("Altgeld Park",),
    ),
    _n(
        "Pilsen",
        "Lower West Side",
        "60608",
        (
            ("W 18th St", 600, 2400),
            ("S Blue Island Ave", 1400, 2200),
            ("W Cermak Rd", 1000, 2400),
            ("S Ashland Ave", 1600, 2200),
            ("S Halsted St", 1600, 2200),
        ),
        ("Harrison Park", "Dvorak Park"),
        ("es",),
    ),
    _n(
        "Little Village",
        "South Lawndale",
        "60623",
        (
            ("W 26th St", 2400, 4400),
            ("S Pulaski Rd", 2200, 3100),
            ("S Kedzie Ave", 2200, 3100),
            ("W Cermak Rd", 2400, 4400),
        ),
        ("Piotrowski Park", "La Villita Park", "Shedd Park"),
        ("es",),
    ),
    _n(
        "North Lawndale",
        "North Lawndale",
        "60623 60624",
        (
            ("W Roosevelt Rd", 2400, 4400),
            ("S Pulaski Rd", 1200, 2200),
            ("W Ogden Ave", 2400, 4000),
            ("S Kedzie Ave", 1200, 2200),
        ),
        ("Douglass Park",),
    ),
    _n(
        "East Garfield Park",
        "East Garfield Park",
        "60612 60624",
        (
            ("W Madison St", 2400, 3600),
            ("W Lake St", 2400, 3600),
            ("N Kedzie Ave", 1, 400),
            ("N Sacramento Blvd", 1, 400),
        ),
        ("Garfield Park",),
    ),
    _n(
        "West Garfield Park",
        "West Garfield Park",
        "60624",
        (
            ("W Madison St", 3800, 4800),
            ("N Pulaski Rd", 1, 600),
            ("W Lake St", 3800, 4800),
        ),
        ("Tilton Park",),
    ),
    _n(
        "Austin",
        "Austin",
        "60644 60651 60639",
        (
            ("W Madison St", 5200, 6000),
            ("W Chicago Ave", 5000, 6000),
            ("N Central Ave", 1, 1600),
            ("W North Ave", 5000, 6000),
            ("N Laramie Ave", 1, 1600),
        ),
        ("Columbus Park", "Austin Town Hall Park", "La Follette Park"),
    ),
    _n(
        "Montclare",
        "Montclare",
        "60707 60634",
        (
            ("W Grand Ave", 6600, 7200),
            ("N Harlem Ave", 2400, 3000),
            ("W Fullerton Ave", 6800, 7200),
        ),
        ("Rutherford Sayre Park",),
        ("pl", "es"),
    ),
    _n(
        "Belmont Cragin",
        "Belmont Cragin",
        "60639",
        (
            ("W Belmont Ave", 4800, 6400),
            ("W Fullerton Ave", 4800, 6000),
            ("N Central Ave", 2400, 3200),
            ("W Diversey Ave", 4800, 6000),
        ),
        ("Blackhawk Park",),
        ("es", "pl"),
    ),
    _n(
        "Portage Park",
        "Portage Park",
        "60634 60641",
        (
            ("W Irving Park Rd", 4800, 5800),
            ("N Milwaukee Ave", 4400, 5200),
            ("N Central Ave", 3600, 4400),
        ),
        ("Portage Park", "Chopin Park"),
        ("pl",),
    ),
    _n(
        "Jefferson Park",
        "Jefferson Park",
        "60630",
        (
            ("N Milwaukee Ave", 4800, 5600),
            ("W Lawrence Ave", 4800, 5600),
            ("N Central Ave", 4600, 5400),
            ("W Higgins Ave", 4800, 5600),
        ),
        ("Jefferson Park", "Gladstone Park"),
        ("pl",),
    ),
    _n(
        "Norwood Park",
        "Norwood Park",
        "60631 60656",
        (
            ("N Northwest Hwy", 5600, 6400),
            ("N Harlem Ave", 5600, 6400),
            ("W Devon Ave", 6000, 7400),
        ),
        ("Norwood Park", "Oriole Park"),
        ("pl",),
    ),
    _n(
        "Edison Park",
        "Edison Park",
        "60631",
        (
            ("N Northwest Hwy", 6600, 6900),
            ("N Olmsted Ave", 6700, 6800),
            ("W Touhy Ave", 6800, 7400),
        ),
        ("Edison Park", "Brooks Park"),
    ),
    _n(
        "O'Hare",
        "O'Hare",
        "60656",
        (
            ("W Higgins Rd", 7600, 8600),
            ("W Foster Ave", 7800, 8600),
            ("N Cumberland Ave", 5000, 5800),
        ),
    ),
    _n(
        "Dunning",
        "Dunning",
        "60634",
        (
            ("W Irving Park Rd", 6000, 7200),
            ("N Harlem Ave", 3200, 4400),
            ("W Belmont Ave", 6400, 7200),
            ("N Narragansett Ave", 3200, 4000),
        ),
        ("Merrimac Park", "Dunham Park", "Shabbona Park"),
        ("pl",),
    ),
    _n(
        "Sauganash",
        "Forest Glen",
        "60646",
        (
            ("N Cicero Ave", 5600, 6400),
            ("W Peterson Ave", 4800, 5600),
            ("N Elston Ave", 5000, 6000),
            ("W Devon Ave", 5400, 6400),
        ),
        ("Sauganash Park",),
    ),
    _n(
        "Bridgeport",
        "Bridgeport",
        "60608 60609 60616",
        (
            ("S Halsted St", 2800, 3800),
            ("W 31st St", 300, 1200),
            ("S Morgan St", 2800, 3800),
            ("W 35th St", 200, 1200),
        ),
        ("McGuane Park", "Palmisano Park"),
        ("zh",),
    ),
    _n(
        "Chinatown",
        "Armour Square",
        "60616",
        (
            ("S Wentworth Ave", 2100, 2600),
            ("W Cermak Rd", 200, 600),
            ("S Archer Ave", 2100, 2400),
            ("W 24th Pl", 100, 300),
        ),
        ("Ping Tom Memorial Park", "Armour Square Park"),
        ("zh",),
    ),
    _n(
        "McKinley Park",
        "McKinley Park",
        "60609 60632",
        (
            ("S Archer Ave", 3200, 3800),
            ("W 35th St", 1800, 2800),
            ("S Damen Ave", 3400, 3800),
        ),
        ("McKinley Park",),
        ("es",),
    ),
    _n(
        "Brighton Park",
        "Brighton Park",
        "60632",
        (
            ("S Archer Ave", 4000, 4600),
            ("W 47th St", 2600, 3600),
            ("S Kedzie Ave", 3800, 4700),
            ("S Western Ave", 3800, 4700),
        ),
        ("Kelly Park",),
        ("es",),
    ),
    _n(
        "Archer Heights",
        "Archer Heights",
        "60632",
        (
            ("S Archer Ave", 4600, 5200),
            ("S Pulaski Rd", 4400, 5100),
            ("W 47th St", 3800, 4800),
        ),
        (),
        ("pl", "es"),
    ),
    _n(
        "Back of the Yards",
        "New City",
        "60609",
        (
            ("W 47th St", 1200, 2400),
            ("S Ashland Ave", 4300, 5500),
            ("W 51st St", 1200, 2200),
            ("S Damen Ave", 4700, 5500),
        ),
        ("Cornell Square Park", "Davis Square Park", "Sherman Park"),
        ("es",),
    ),
    _n(
        "Gage Park",
        "Gage Park",
        "60632 60629",
        (
            ("S Western Ave", 5100, 5900),
            ("W 55th St", 2400, 3600),
            ("S Kedzie Ave", 5100, 5900),
        ),
        ("Gage Park", "Senka Park"),
        ("es",),
    ),
    _n(
        "Englewood",
        "Englewood",
        "60621",
        (
            ("W 63rd St", 100, 1200),
            ("S Halsted St", 5500, 7000),
            ("W 59th St", 400, 1200),
            ("S Racine Ave", 5500, 7000),
        ),
        ("Ogden Park", "Hamilton Park", "Moran Park"),
    ),
    _n(
        "West Englewood",
        "West Englewood",
        "60636",
        (
            ("W 63rd St", 1200, 2400),
            ("S Ashland Ave", 5500, 7000),
            ("W Garfield Blvd", 1200, 2400),
            ("S Damen Ave", 5500, 7000),
        ),
        ("Lindblom Park",),
    ),
    _n(
        "Bronzeville",
        "Grand Boulevard",
        "60653 60615 60616",
        (
            ("S Martin Luther King Dr", 3500, 5000),
            ("E 47th St", 100, 600),
            ("S State St", 3500, 5000),
            ("E 43rd St", 100, 600),
            ("S Cottage Grove Ave", 3500, 4700),
        ),
        ("Ellis Park", "Mandrake Park", "Madden Park"),
    ),
    _n(
        "Kenwood",
        "Kenwood",
        "60615 60653",
        (
            ("E 47th St", 600, 1400),
            ("S Lake Park Ave", 4400, 5000),
            ("S Ellis Ave", 4400, 5000),
        ),
        ("Kenwood Community Park",),
    ),
    _n(
        "Hyde Park",
        "Hyde Park",
        "60615 60637",
        (
            ("E 53rd St", 1000, 1700),
            ("S Lake Park Ave", 5000, 5600),
            ("E 57th St", 1000, 1700),
            ("S Harper Ave", 5000, 5800),
            ("E 55th St", 1000, 1700),
        ),
        ("Nichols Park", "Bixler Park", "Midway Plaisance Park"),
    ),
    _n(
        "Washington Park",
        "Washington Park",
        "60637",
        (
            ("S Martin Luther King Dr", 5100, 6000),
            ("E Garfield Blvd", 1, 500),
            ("S Prairie Ave", 5100, 6000),
        ),
        ("Washington Park",),
    ),
    _n(
        "Woodlawn",
        "Woodlawn",
        "60637",
        (
            ("E 63rd St", 600, 1600),
            ("S Cottage Grove Ave", 6000, 6700),
            ("S Woodlawn Ave", 6000, 6700),
            ("S Stony Island Ave", 6000, 6700),
        ),
        ("Jackson Park",),
    ),
    _n(
        "South Shore",
        "South Shore",
        "60649",
        (
            ("E 71st St", 1600, 3000),
            ("S Jeffery Blvd", 6700, 7900),
            ("E 75th St", 1600, 3000),
            ("S South Shore Dr", 6700, 7900),
        ),
        ("Rainbow Beach Park", "South Shore Cultural Center", "Rosenblum Park"),
    ),
    _n(
        "Greater Grand Crossing",
        "Greater Grand Crossing",
        "60619 60637",
        (
            ("E 75th St", 500, 1500),
            ("S Cottage Grove Ave", 6700, 7900),
            ("S Stony Island Ave", 6700, 7900),
        ),
        ("Grand Crossing Park",),
    ),
    _n(
        "Chatham",
        "Chatham",
        "60619 60620",
        (
            ("E 79th St", 1, 1000),
            ("S Cottage Grove Ave", 7500, 8700),
            ("S Martin Luther King Dr", 7500, 8700),
            ("E 87th St", 1, 800),
        ),
        ("Cole Park", "Tuley Park"),
    ),
    _n(
        "Avalon Park",
        "Avalon Park",
        "60619 60617",
        (
            ("S Stony Island Ave", 7900, 8700),
            ("E 87th St", 1200, 1700),
            ("S Dorchester Ave", 7900, 8700),
        ),
        ("Avalon Park",),
    ),
    _n(
        "Calumet Heights",
        "Calumet Heights",
        "60617",
        (
            ("E 87th St", 1800, 2800),
            ("S Stony Island Ave", 8700, 9400),
            ("S Jeffery Blvd", 8700, 9400),
        ),
    ),
    _n(
        "Auburn Gresham",
        "Auburn Gresham",
        "60620",
        (
            ("W 79th St", 100, 1600),
            ("S Halsted St", 7500, 8700),
            ("S Racine Ave", 7500, 8700),
            ("W 87th St", 400, 1400),
        ),
        ("Foster Park",),
    ),
    _n(
        "Washington Heights",
        "Washington Heights",
        "60620 60643",
        (
            ("W 95th St", 1, 1400),
            ("S Halsted St", 9100, 9900),
            ("S Vincennes Ave", 9100, 9900),
        ),
        ("Brainerd Park",),
    ),
    _n(
        "South Chicago",
        "South Chicago",
        "60617",
        (
            ("S Commercial Ave", 8500, 9400),
            ("E 91st St", 2800, 3400),
            ("S Exchange Ave", 8000, 9000),
        ),
        ("Russell Square Park", "Bessemer Park"),
        ("es",),
    ),
    _n(
        "East Side",
        "East Side",
        "60617",
        (
            ("E 106th St", 3400, 4000),
            ("S Ewing Ave", 9800, 11000),
            ("E 100th St", 3400, 4000),
        ),
        ("Calumet Park",),
        ("es",),
    ),
    _n(
        "Hegewisch",
        "Hegewisch",
        "60633",
        (
            ("S Baltimore Ave", 13000, 13600),
            ("E 134th St", 3000, 3800),
            ("S Brandon Ave", 13000, 13600),
        ),
        ("Mann Park",),
        ("es", "pl"),
    ),
    _n(
        "Pullman",
        "Pullman",
        "60628",
        (
            ("S Cottage Grove Ave", 10300, 11500),
            ("E 111th St", 600, 1000),
            ("S Langley Ave", 11100, 11400),
            ("E 103rd St", 600, 1000),
        ),
        ("Pullman Park", "Gately Park"),
    ),
    _n(
        "Roseland",
        "Roseland",
        "60628",
        (
            ("S Michigan Ave", 10000, 11600),
            ("W 111th St", 1, 600),
            ("S State St", 10000, 11600),
            ("E 103rd St", 1, 600),
        ),
        ("Palmer Park", "Fernwood Park"),
    ),
    _n(
        "West Pullman",
        "West Pullman",
        "60628 60643",
        (
            ("W 119th St", 1, 1200),
            ("S Halsted St", 11900, 12800),
            ("S Wentworth Ave", 11900, 12800),
        ),
        ("West Pullman Park",),
    ),
    _n(
        "Beverly",
        "Beverly",
        "60643",
        (
            ("S Western Ave", 9100, 11500),
            ("W 95th St", 1800, 2600),
            ("S Longwood Dr", 9100, 11000),
            ("W 103rd St", 1800, 2600),
        ),
        ("Ridge Park", "Beverly Park"),
    ),
    _n(
        "Morgan Park",
        "Morgan Park",
        "60643",
        (
            ("W 111th St", 1000, 2400),
            ("S Vincennes Ave", 10800, 11800),
            ("W 115th St", 1000, 2400),
        ),
        ("Kennedy Park",),
    ),
    _n(
        "Mount Greenwood",
        "Mount Greenwood",
        "60655",
        (
            ("W 111th St", 2600, 3800),
            ("S Kedzie Ave", 10300, 11500),
            ("W 107th St", 2600, 3600),
            ("S Pulaski Rd", 10300, 11500),
        ),
        ("Mount Greenwood Park",),
    ),
    _n(
        "Ashburn",
        "Ashburn",
        "60652",
        (
            ("W 79th St", 2400, 4000),
            ("S Pulaski Rd", 7900, 8700),
            ("S Kedzie Ave", 7900, 8700),
        ),
        ("Durkin Park",),
    ),
    _n(
        "Marquette Park",
        "Chicago Lawn",
        "60629",
        (
            ("W 63rd St", 2400, 3600),
            ("S Kedzie Ave", 5900, 7100),
            ("W 71st St", 2400, 3600),
            ("S California Ave", 6000, 7100),
        ),
        ("Marquette Park",),
        ("es",),
    ),
    _n(
        "West Lawn",
        "West Lawn",
        "60629 60652",
        (
            ("S Pulaski Rd", 6300, 7900),
            ("W 63rd St", 3600, 4800),
            ("W 71st St", 3600, 4800),
        ),
        ("West Lawn Park",),
        ("es",),
    ),
    _n(
        "Garfield Ridge",
        "Garfield Ridge",
        "60638",
        (
            ("S Archer Ave", 5200, 6400),
            ("S Harlem Ave", 5000, 5900),
            ("W 55th St", 5200, 6400),
            ("S Cicero Ave", 5000, 5800),
        ),
        ("Vittum Park",),
        ("pl",),
    ),
    _n(
        "Clearing",
        "Clearing",
        "60638",
        (
            ("W 63rd St", 5200, 6800),
            ("S Central Ave", 6000, 6600),
            ("S Harlem Ave", 6000, 6600),
        ),
        ("Hale Park",),
        ("pl",),
    ),
)

# Surnames for firm names ("Okafor & Nowak Architects"), drawn from the city's many heritages.
SURNAMES: tuple[str, ...] = (
    "Alvarez",
    "Nowak",
    "Okafor",
    "Chen",
    "Washington",
    "Kowalski",
    "Hernandez",
    "Johnson",
    "Patel",
    "Murphy",
    "Nguyen",
    "Robinson",
    "Kim",
    "Jackson",
    "Garcia",
    "O'Brien",
    "Walker",
    "Lopez",
    "Thompson",
    "Singh",
    "Wright",
    "Brooks",
    "Rivera",
    "Wozniak",
    "Mensah",
    "Castillo",
    "Haddad",
    "Liu",
    "Sullivan",
    "Banks",
)


def all_zips() -> list[str]:
    """Every distinct ZIP the neighborhoods cover, in first-seen order."""
    seen: dict[str, None] = {}
    for hood in NEIGHBORHOODS:
        for zip5 in hood.zips:
            seen.setdefault(zip5, None)
    return list(seen)
