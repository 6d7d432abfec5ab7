"""A demo city, generated deterministically from an integer seed.

Pure: one `random.Random(seed)` is the only source of randomness and the only
outside data are the ZIP centroids of the `zipcodes` package, so the same
arguments always give the same city (tests and benchmarks rely on that).
Sessions are not generated here; `opportunity_sessions` expands each schedule
with the catalog's own `expand_schedule`, so the demo can never disagree with it.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from server.catalog.keywords import listing_keywords
from server.catalog.schedule import SessionTimes, expand_schedule
from server.catalog.taxonomy import COMPETENCIES, TOPICS, TaxonomyEntry
from server.demo import chicago
from server.demo.chicago import DASH, Neighborhood, Street
from server.geo.geocoder import ZipCentroidGeocoder
from server.models.enums import (
    Accessibility,
    Delivery,
    OpportunityKind,
    OpportunityStatus,
    OrganizationKind,
    OrganizationStatus,
)

DEFAULT_SEED = 2026
DEFAULT_CITY = "chicago"

OK = OrganizationKind
K = OpportunityKind

# Generator-side taxonomy ids: position + 1 in TOPICS / COMPETENCIES. The loader maps
# them to the database's ids by slug, so a database with extra curated rows still works.
TOPIC_ID = {entry.slug: index + 1 for index, entry in enumerate(TOPICS)}
COMPETENCY_ID = {entry.slug: index + 1 for index, entry in enumerate(COMPETENCIES)}


@dataclass(frozen=True, slots=True)
class DemoOrganization:
    id: int
    slug: str
    name: str
    kind: str
    description: str
    website: str
    status: str
    postal_code: str
    neighborhood: str


@dataclass(frozen=True, slots=True)
class DemoPlace:
    id: int
    organization_id: int
    name: str
    address: str
    postal_code: str
    neighborhood: str
    latitude: float
    longitude: float
    location_approximate: bool
    wheelchair_accessible: bool
    free_internet: bool


@dataclass(frozen=True, slots=True)
class DemoOpportunity:
    id: int
    organization_id: int
    place_id: int | None
    kind: str
    title: str
    description: str
    topic_ids: tuple[int, ...]
    competency_ids: tuple[int, ...]
    min_age: int
    max_age: int
    min_grade: int | None
    max_grade: int | None
    cost_cents: int
    financial_aid: bool
    delivery: str
    languages: tuple[str, ...]
    accessibility: tuple[str, ...]
    capacity: int | None
    registration_url: str | None
    start_date: date
    end_date: date
    schedule_rrule: str | None
    schedule_timezone: str
    start_time: time
    duration_minutes: int
    # A copy of the place's point (None when online), as the catalog keeps it.
    latitude: float | None
    longitude: float | None
    status: str
    keywords: str


@dataclass(frozen=True)
class DemoCity:
    seed: int
    city: str
    season_year: int
    topics: tuple[TaxonomyEntry, ...]  # topic id N is topics[N - 1]
    competencies: tuple[TaxonomyEntry, ...]
    organizations: tuple[DemoOrganization, ...]
    places: tuple[DemoPlace, ...]
    opportunities: tuple[DemoOpportunity, ...]


def default_season_year(today: date) -> int:
    """The summer the demo listings target: this one until June, then next year's."""
    return today.year if today < date(today.year, 6, 1) else today.year + 1


def opportunity_sessions(opportunity: DemoOpportunity) -> list[SessionTimes]:
    return expand_schedule(
        start_date=opportunity.start_date,
        end_date=opportunity.end_date,
        start_time=opportunity.start_time,
        duration_minutes=opportunity.duration_minutes,
        timezone=opportunity.schedule_timezone,
        rrule=opportunity.schedule_rrule,
    )


# --------------------------------------------------------------------------- topic content


@dataclass(frozen=True, slots=True)
class Track:
    """Subjects, titles, activities and results that belong together within a topic."""

    subjects: tuple[str, ...]  # fit "Intro to {s}", "{a} {s} Club"
    titles: tuple[str, ...]  # whole titles; "{a}" is the audience word
    activities: tuple[str, ...]  # "Teens {activity}."
    makes: tuple[str, ...]  # "Everyone leaves with {make}."
    online: bool  # works over video (nobody kayaks online)


@dataclass(frozen=True, slots=True)
class TopicContent:
    tracks: tuple[Track, ...]
    fields: tuple[str, ...]  # career fields, for internships and apprenticeships
    roles: tuple[str, ...]  # job titles, for job shadows
    competencies: tuple[str, ...]  # competency slugs this topic usually builds


def _split(value: str) -> tuple[str, ...]:
    # "|"-separated strings keep ~20 topics of vocabulary readable.
    return tuple(part.strip() for part in value.split("|") if part.strip())


def _tr(subjects: str, titles: str, activities: str, makes: str, online: bool = True) -> Track:
    return Track(_split(subjects), _split(titles), _split(activities), _split(makes), online)


def _tc(tracks: tuple[Track, ...], fields: str, roles: str, competencies: str) -> TopicContent:
    return TopicContent(tracks, _split(fields), _split(roles), _split(competencies))


CONTENT: dict[str, TopicContent] = {
    "coding": _tc(
        (
            _tr(
                "Web Design|Web Development|JavaScript",
                "Websites from Scratch|{a} Web Design Studio",
                "design and publish a personal website"
                "|build web pages with HTML, CSS and JavaScript",
                "a working website|a personal portfolio site",
            ),
            _tr(
                "Game Coding|Scratch Programming",
                "Code Your Own Video Game",
                "code simple games and share them with friends"
                "|animate characters and stories in Scratch",
                "a playable game|an animated story",
            ),
            _tr(
                "Python|Data Science|Creative Coding|Coding",
                "Python for Beginners|Coding the City: Maps & Data|AI Explorers",
                "write their first programs in Python|turn city data into maps and charts",
                "a portfolio of coding projects|an interactive data map",
            ),
            _tr(
                "App Development",
                "Build an App in a Week|{a} Hackathon",
                "build a mobile app that solves a neighborhood problem",
                "an app prototype",
            ),
            _tr(
                "Cybersecurity",
                "Capture the Flag: Cyber Challenge",
                "crack codes and learn how to keep accounts safe online",
                "a cyber-safety checklist for their family",
            ),
        ),
        "Software Development|IT Support|Web Development",
        "software engineer|web developer|IT specialist|data analyst",
        "digital-literacy|problem-solving|creativity|perseverance",
    ),
    "robotics": _tc(
        (
            _tr(
                "LEGO Robotics|Robotics|Robot Design",
                "Intro to Robotics with LEGO Spike|Build-a-Bot Challenge|Robot Soccer League",
                "build and program robots that race through a maze"
                "|compete in friendly robot challenges in teams",
                "a robot that follows a line|a team robot ready for competition",
            ),
            _tr(
                "Arduino|Circuit Building|Electronics",
                "Solder & Circuits Lab|Robots That Draw",
                "wire up sensors and motors with Arduino boards|solder their own circuit boards",
                "a blinking, beeping circuit board|a motion-sensing gadget",
            ),
            _tr(
                "Drone Building",
                "Drone Pilots Academy",
                "design, build and fly small drones",
                "a drone they can fly",
                online=False,
            ),
            _tr(
                "Battle Bots|VEX Robotics",
                "{a} Robot Rumble",
                "design, build and battle competition robots",
                "a battle-ready bot",
                online=False,
            ),
        ),
        "Engineering|Advanced Manufacturing",
        "mechanical engineer|robotics technician|electrical engineer",
        "problem-solving|collaboration|perseverance|critical-thinking",
    ),
    "art": _tc(
        (
            _tr(
                "Mural Painting|Street Art",
                "{a} Mural Painting Studio|Paint the Block",
                "design and paint a large community mural with working artists",
                "a finished mural for the neighborhood",
                online=False,
            ),
            _tr(
                "Ceramics|Sculpture",
                "Clay & Wheel Studio",
                "throw pots on the wheel and glaze their own pieces"
                "|shape sculptures from clay, wire and found objects",
                "a glazed bowl or mug|a sculpture for the end-of-season show",
                online=False,
            ),
            _tr(
                "Drawing|Watercolor|Collage",
                "Sketchbook Club|Art in the Park|Portraits & Self-Portraits",
                "fill a sketchbook with drawings of the neighborhood"
                "|paint landscapes and portraits in watercolor",
                "a portfolio of drawings|a framed painting",
            ),
            _tr(
                "Printmaking|Comics & Zines|Textile Art",
                "Screen Printing T-Shirts|Papel Picado Workshop",
                "screen print posters and T-shirts|make comics and zines about their own stories",
                "a stack of hand-printed posters|a printed zine",
            ),
        ),
        "Graphic Arts|Museum Education",
        "muralist|gallery curator|illustrator",
        "creativity|communication|collaboration",
    ),
    "music": _tc(
        (
            _tr(
                "Beat Making|Hip-Hop Production|DJing",
                "Beat Lab: Music Production|Learn to DJ",
                "make beats in a professional recording studio|mix tracks and learn to DJ a set",
                "an original track|a recorded EP",
            ),
            _tr(
                "Guitar|Drumming|Piano|Songwriting",
                "{a} Rock Band Camp|Songwriters' Circle|Chicago Blues Jam",
                "learn chords and play together in a band|write and perform original songs",
                "a live performance for family and friends|an original song",
            ),
            _tr(
                "Choir|Mariachi|Jazz Ensemble",
                "Mariachi Ensemble|Youth Steel Drum Band|Summer Strings Orchestra",
                "rehearse and perform with a youth ensemble",
                "a concert for family and friends",
                online=False,
            ),
        ),
        "Audio Engineering|Music Industry",
        "sound engineer|music producer|music teacher",
        "creativity|collaboration|perseverance",
    ),
    "dance": _tc(
        (
            _tr(
                "Hip-Hop Dance|Footwork|Breaking",
                "Chicago Footwork Crew|{a} Hip-Hop Dance Intensive|Breaking Basics",
                "train in Chicago footwork and house dance"
                "|learn choreography and create routines of their own",
                "a routine for the summer showcase|a dance film",
            ),
            _tr(
                "Folklórico|Salsa|Bomba",
                "Ballet Folklórico|Salsa Rueda Nights",
                "practice traditional dances and learn their history",
                "a performance at the neighborhood festival",
                online=False,
            ),
            _tr(
                "Ballet|Contemporary Dance|Step",
                "Step Team|Dance Your Story",
                "build technique, strength and confidence in the studio"
                "|learn choreography and create routines of their own",
                "a routine for the summer showcase",
            ),
        ),
        "Performing Arts",
        "choreographer|dance instructor",
        "collaboration|perseverance|creativity",
    ),
    "theater": _tc(
        (
            _tr(
                "Acting|Musical Theater|Improv|Stage Combat",
                "Summer Shakespeare|{a} Improv Troupe|Musical Theater Intensive",
                "rehearse and stage a short play|play improv games that build confidence",
                "a performance for a live audience",
            ),
            _tr(
                "Playwriting|Spoken Word",
                "Write a Play in a Week",
                "write scenes and hear actors read them aloud",
                "an original one-act play",
            ),
            _tr(
                "Stagecraft|Puppetry",
                "Stage Crew: Lights & Sound|Puppet Making & Performance",
                "build sets, hang lights and run a show backstage"
                "|build puppets and perform with them",
                "a show they run from backstage|a puppet of their own",
                online=False,
            ),
        ),
        "Theater Production",
        "stage manager|lighting designer|actor",
        "communication|collaboration|creativity|empathy",
    ),
    "science": _tc(
        (
            _tr(
                "Chemistry|Kitchen Science",
                "Slime, Fizz & Goo|Mad Scientists Lab",
                "mix, measure and test reactions in a real lab"
                "|run hands-on experiments and record what they observe",
                "a lab notebook full of results",
            ),
            _tr(
                "Astronomy|Rocketry|Physics|Weather Science",
                "Rocket Launch Day|Night Sky Stargazing",
                "launch water rockets and measure how high they fly"
                "|look through telescopes and map the night sky",
                "a model rocket|a star map",
            ),
            _tr(
                "Forensic Science|Biology|Anatomy",
                "CSI Chicago: Forensics|Family Science Lab",
                "investigate a mock crime scene using real lab techniques"
                "|observe and sketch what they find under microscopes",
                "a case file that cracks the mystery|a science fair-ready project",
            ),
            _tr(
                "Engineering Design",
                "Bridge Builders Challenge|Science of Sports",
                "design, build and test bridges, towers and machines",
                "a tested prototype",
            ),
        ),
        "Laboratory Research|Environmental Science",
        "lab technician|research scientist|science educator",
        "critical-thinking|problem-solving|collaboration",
    ),
    "nature-environment": _tc(
        (
            _tr(
                "Urban Gardening|Composting|Beekeeping",
                "From Seed to Salsa Garden",
                "plant, tend and harvest a neighborhood garden",
                "a harvest to share with neighbors",
            ),
            _tr(
                "River Ecology|Lake Michigan Science",
                "Chicago River Explorers|Lakefront Beach Cleanup",
                "test water quality along the Chicago River and the lakefront",
                "a water-quality report for the city",
                online=False,
            ),
            _tr(
                "Birdwatching|Nature Journaling|Prairie Restoration",
                "Junior Rangers|Bugs, Birds & Blooms|Nature Walk & Sketch",
                "count birds and pollinators for citizen science projects"
                "|restore native prairie plants in city parks",
                "a field guide to local wildlife",
                online=False,
            ),
            _tr(
                "Climate Action",
                "Green Teen Corps|Climate Justice Youth Summit",
                "map heat, trees and flooding on their block and plan fixes",
                "a climate action plan for their block",
            ),
        ),
        "Conservation|Urban Agriculture",
        "park naturalist|urban farmer|environmental engineer",
        "civic-responsibility|collaboration|critical-thinking",
    ),
    "math": _tc(
        (
            _tr(
                "Math Games|Puzzle Solving|Geometry",
                "Math Circle|Puzzle Hunt|Mathematical Art & Origami",
                "tackle puzzles and games that make math click"
                "|explore patterns, symmetry and shapes through art",
                "new strategies for tough problems",
            ),
            _tr(
                "Algebra|Statistics|Financial Math",
                "Algebra Boost|Math Olympiad Prep|Numbers in the City",
                "get ready for next year's math class with friendly tutors",
                "a stronger start to the school year",
            ),
            _tr(
                "Chess",
                "Chess Club",
                "learn openings, tactics and endgames and play rated games",
                "a tournament-ready game",
            ),
        ),
        "Data Analysis|Finance",
        "data analyst|actuary|accountant",
        "problem-solving|critical-thinking|perseverance",
    ),
    "writing": _tc(
        (
            _tr(
                "Creative Writing|Poetry|Slam Poetry|Storytelling|Memoir",
                "Young Authors Workshop|Poetry Slam Prep|Storytelling Circle|Fan Fiction Club",
                "write and workshop poems, stories and essays|share their work at an open mic",
                "a published anthology|a poem performed at the open mic",
            ),
            _tr(
                "Journalism|Zine Making",
                "Teen Newsroom|Write Your Neighborhood",
                "report and publish news stories about their neighborhood",
                "an article in a youth newspaper",
            ),
            _tr(
                "Screenwriting",
                "",
                "write a short screenplay and table-read it with actors",
                "a finished short script",
            ),
            _tr(
                "College Essays",
                "College Essay Bootcamp",
                "draft and polish their college application essays",
                "a finished college essay",
            ),
        ),
        "Journalism|Publishing",
        "journalist|editor|copywriter",
        "communication|creativity|critical-thinking",
    ),
    "reading": _tc(
        (
            _tr(
                "Book Club|Reading|Literacy",
                "Summer Reading Challenge|Teen Book Club|Reading Buddies",
                "read and talk about books with friends|track their summer reading and earn prizes",
                "a summer reading log|a stack of new favorites",
            ),
            _tr(
                "Graphic Novels|Manga",
                "Graphic Novel Club|Manga & Anime Club",
                "read, discuss and draw their own comics",
                "a comic of their own",
            ),
            _tr(
                "Storytime|Poetry Reading",
                "Bilingual Storytime|Read to a Therapy Dog",
                "listen to stories, sing songs and meet authors and illustrators",
                "a new favorite book",
            ),
        ),
        "Library Services",
        "librarian|library associate",
        "communication|critical-thinking|empathy",
    ),
    "sports-fitness": _tc(
        (
            _tr(
                "Soccer|Basketball|Volleyball|Baseball",
                "Summer Hoops League|{a} Soccer Clinic",
                "learn skills and play games with trained coaches"
                "|practice teamwork in friendly matches",
                "a season of games with their team",
                online=False,
            ),
            _tr(
                "Swimming|Kayaking",
                "Learn to Swim|Kayak the Chicago River",
                "learn water safety and swim strokes|paddle the river with certified guides",
                "a swim level certificate",
                online=False,
            ),
            _tr(
                "Track & Field|Boxing|Tennis",
                "Junior Tennis Academy|Double Dutch Club|Fit & Strong Bootcamp",
                "build strength, speed and confidence",
                "a personal fitness plan",
                online=False,
            ),
            _tr(
                "Yoga|Home Workouts|Mindful Movement",
                "Youth Yoga & Mindfulness",
                "stretch, breathe and build strength with yoga",
                "a personal fitness plan",
            ),
        ),
        "Sports Management|Recreation",
        "coach|athletic trainer|lifeguard",
        "collaboration|perseverance|leadership",
    ),
    "cooking": _tc(
        (
            _tr(
                "Cooking|Healthy Cooking|Farm-to-Table Cooking|Knife Skills",
                "Teen Chef Academy|Cooking Around the World|Farm-to-Table Kitchen"
                "|Budget Bites: Cooking on a Dime",
                "cook healthy meals from scratch"
                "|learn knife skills and kitchen safety from professional chefs"
                "|cook dishes from the many cuisines of Chicago",
                "a recipe book of their own|a three-course meal for family"
                "|a food handler certificate",
            ),
            _tr(
                "Baking|Pastry|Food Science",
                "Junior Bakers|Cupcake Challenge|Kitchen Chemistry",
                "bake breads and pastries"
                "|discover the science behind rising dough and perfect cookies",
                "a box of baked goods to share",
            ),
        ),
        "Culinary Arts|Hospitality",
        "chef|baker|restaurant manager",
        "collaboration|creativity|problem-solving",
    ),
    "health": _tc(
        (
            _tr(
                "First Aid|CPR",
                "Teen CPR & First Aid|Stop the Bleed Training",
                "practice first aid and CPR on training mannequins",
                "a CPR certification",
                online=False,
            ),
            _tr(
                "Health Careers|Public Health",
                "Future Nurses Club|Scrubs Camp|Youth Health Ambassadors",
                "explore careers in nursing, medicine and public health",
                "a health campaign for their school",
            ),
            _tr(
                "Mental Health|Mindfulness|Healthy Living|Nutrition",
                "Mindfulness for Teens|Healthy Minds Circle",
                "learn tools for managing stress and staying well",
                "a personal wellness plan",
            ),
        ),
        "Healthcare|Public Health",
        "nurse|physician assistant|paramedic|pharmacist",
        "empathy|communication|career-readiness",
    ),
    "civic-engagement": _tc(
        (
            _tr(
                "Civic Leadership|Youth Organizing|Community Service",
                "Youth Participatory Budgeting|Teen City Council|Voter Registration Drive"
                "|Community Mapping Project",
                "research a neighborhood issue and propose solutions to local leaders"
                "|learn how city government works and meet elected officials",
                "a proposal for their alderperson|a community action project",
            ),
            _tr(
                "Debate|Mock Trial|Public Speaking",
                "Debate League|Mock Trial Camp|Know Your Rights",
                "practice debate and public speaking|argue real cases in front of volunteer judges",
                "a winning argument|a courtroom-ready case",
            ),
        ),
        "Public Service|Nonprofit Management",
        "city planner|community organizer|legislative aide",
        "civic-responsibility|leadership|communication",
    ),
    "entrepreneurship": _tc(
        (
            _tr(
                "Entrepreneurship|Business Basics|Social Enterprise|Marketing|Product Design",
                "Young Entrepreneurs Academy|Pitch Night|Start Your Own Business"
                "|Pop-Up Market Makers|Lemonade Stand 2.0",
                "develop a business idea and pitch it to local investors"
                "|design products and sell them at a pop-up market",
                "a business plan and pitch deck|a booth at the neighborhood pop-up market",
            ),
            _tr(
                "Financial Literacy|Money Management",
                "Money Smart Teens",
                "learn budgeting, saving and banking",
                "a savings plan of their own",
            ),
        ),
        "Business|Banking|Marketing",
        "small business owner|banker|marketing manager",
        "financial-literacy|leadership|creativity|communication",
    ),
    "media-film": _tc(
        (
            _tr(
                "Filmmaking|Video Editing|Documentary|YouTube Production",
                "Teen Film Festival Lab|Documentary Makers|Smartphone Filmmaking",
                "script, shoot and edit short films",
                "a short film screened at the season finale",
            ),
            _tr(
                "Podcasting|Radio",
                "Podcast Studio|Youth Radio Hour",
                "record and produce their own podcast episodes",
                "a published podcast episode",
            ),
            _tr(
                "Photography",
                "{a} Photo Walk",
                "photograph the city and learn to edit their shots",
                "a photo exhibition",
            ),
            _tr(
                "Animation",
                "Stop-Motion Animation",
                "animate clay figures and drawings frame by frame",
                "an animated short",
            ),
        ),
        "Media Production|Broadcasting",
        "video editor|photographer|radio producer",
        "communication|creativity|digital-literacy",
    ),
    "design": _tc(
        (
            _tr(
                "Architecture|Urban Design",
                "Design Your Dream City|Tiny House Architects",
                "design and build models of buildings and public spaces",
                "an architectural model",
            ),
            _tr(
                "Fashion Design",
                "Fashion Design Studio|Sneaker Design Lab",
                "sew garments from their own sketches",
                "a garment for the runway show",
                online=False,
            ),
            _tr(
                "3D Printing|Industrial Design",
                "3D Printing Makerspace|Cardboard Arcade Design",
                "model objects in 3D and print them"
                "|prototype gadgets from cardboard, foam and 3D prints",
                "a 3D-printed prototype",
            ),
            _tr(
                "Graphic Design|UX Design",
                "Logo & Brand Design",
                "design logos, posters and app screens for real clients",
                "a design portfolio",
            ),
        ),
        "Architecture|Graphic Design|Fashion",
        "architect|graphic designer|fashion designer",
        "creativity|problem-solving|digital-literacy",
    ),
    "history-culture": _tc(
        (
            _tr(
                "Oral History|Local History|Genealogy",
                "Oral Histories of Our Block|Family Roots Genealogy|Chicago History Detectives",
                "interview elders and record oral histories"
                "|research the history of their neighborhood",
                "an oral history recording for the library archive",
            ),
            _tr(
                "Museum Studies|Archaeology",
                "Junior Docent Program|Dig It! Archaeology Camp",
                "explore museum collections behind the scenes"
                "|dig, sort and catalog artifacts like real archaeologists",
                "a pop-up museum exhibit",
                online=False,
            ),
            _tr(
                "Black History|Latino Heritage|Chicago Architecture",
                "Neighborhood Walking Tour|Stories of the Great Migration",
                "visit landmarks and learn the stories behind them",
                "a walking tour they lead themselves",
            ),
        ),
        "Museum Studies|Archives",
        "curator|archivist|historian",
        "empathy|critical-thinking|communication",
    ),
    "careers": _tc(
        (
            _tr(
                "Resume Writing|Interview Skills|Job Readiness|Professional Skills|Networking",
                "Summer Jobs Bootcamp|Resume & Interview Workshop|First Job Ready",
                "write resumes and practice interviews with volunteers from local employers",
                "a polished resume",
            ),
            _tr(
                "Career Exploration|College Prep",
                "Career Fair for Teens|College & Career Week|Meet the Pros Panel",
                "tour workplaces and meet professionals"
                "|map out college and career options with advisors",
                "a career plan",
            ),
            _tr(
                "Skilled Trades",
                "Explore the Trades",
                "try hands-on carpentry, electrical and plumbing projects",
                "a toolbox they built themselves",
                online=False,
            ),
        ),
        "Construction Trades|Business Administration|Transportation",
        "electrician|carpenter|office manager|train operator",
        "career-readiness|communication|leadership",
    ),
    "languages": _tc(
        (
            _tr(
                "Spanish|French|Arabic|Korean|Mandarin|Polish",
                "Spanish for Heritage Speakers|Mandarin Through Games|K-Pop Korean"
                "|Polish Heritage School|World Languages Passport",
                "practice conversation through games, songs and cooking"
                "|learn everyday phrases and culture",
                "the confidence to hold a conversation|a passport of stamped languages",
            ),
            _tr(
                "American Sign Language",
                "ASL Basics",
                "sign with Deaf mentors",
                "the confidence to hold a signed conversation",
            ),
            _tr(
                "English Conversation",
                "English Conversation Club",
                "practice everyday English with friendly volunteers",
                "the confidence to hold a conversation",
            ),
        ),
        "Translation & Interpretation",
        "interpreter|translator",
        "communication|empathy|perseverance",
    ),
    "gaming": _tc(
        (
            _tr(
                "Game Design|Video Game Art|Roblox Building",
                "Roblox Game Studio|Retro Game Design",
                "design game levels and playtest them with friends",
                "a playable game level",
            ),
            _tr(
                "Esports",
                "Esports League",
                "compete on team esports rosters with coaches",
                "a team ranking in the league",
            ),
            _tr(
                "Minecraft",
                "Minecraft Builders Club",
                "build worlds together in Minecraft",
                "a shared world to show off",
            ),
            _tr(
                "Board Games|Tabletop Role-Playing",
                "Tabletop Adventures Club|Board Game Cafe|Game Night",
                "learn new board games and run their own tabletop adventures",
                "a board game of their own design",
                online=False,
            ),
        ),
        "Game Development",
        "game designer|esports producer",
        "collaboration|problem-solving|creativity|digital-literacy",
    ),
}

# ------------------------------------------------------------------ organizations


@dataclass(frozen=True, slots=True)
class _OrgTemplate:
    pattern: str  # {n} neighborhood, {s} street, {sur}/{sur2} surnames, {park} a park
    focus: tuple[str, ...]  # topic slugs the organization is known for


def _ot(pattern: str, focus: str) -> _OrgTemplate:
    return _OrgTemplate(pattern, tuple(focus.split()))


_LIBRARY_FOCUS = "reading coding writing gaming languages careers media-film design math"
ORG_TEMPLATES: dict[OrganizationKind, tuple[_OrgTemplate, ...]] = {
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
_PARK_PROGRAMS = ("Day Camp", "Aquatics", "Nature Programs", "Teen Center", "Cultural Arts")

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

ALLOWED_KINDS: dict[OrganizationKind, tuple[OpportunityKind, ...]] = {
    OK.MUSEUM: (
        K.PROGRAM,
        K.WORKSHOP,
        K.EVENT,
        K.DROP_IN,
        K.CAMP,
        K.ONLINE_ACTIVITY,
        K.VOLUNTEERING,
        K.INTERNSHIP,
        K.JOB_SHADOW,
    ),
    OK.LIBRARY: (
        K.PROGRAM,
        K.WORKSHOP,
        K.EVENT,
        K.DROP_IN,
        K.ONLINE_ACTIVITY,
        K.COURSE,
        K.VOLUNTEERING,
    ),
    OK.COMMUNITY_GROUP: (
        K.PROGRAM,
        K.WORKSHOP,
        K.EVENT,
        K.DROP_IN,
        K.CAMP,
        K.VOLUNTEERING,
        K.ONLINE_ACTIVITY,
    ),
    OK.COLLEGE: (
        K.COURSE,
        K.WORKSHOP,
        K.PROGRAM,
        K.CAMP,
        K.ONLINE_ACTIVITY,
        K.INTERNSHIP,
        K.EVENT,
    ),
    OK.EMPLOYER: (K.INTERNSHIP, K.JOB_SHADOW, K.APPRENTICESHIP, K.WORKSHOP, K.EVENT),
    OK.PARK_DISTRICT: (
        K.PROGRAM,
        K.CAMP,
        K.DROP_IN,
        K.EVENT,
        K.WORKSHOP,
        K.VOLUNTEERING,
        K.JOB_SHADOW,
    ),
    OK.NONPROFIT: tuple(K),
}

KIND_WEIGHT: dict[OpportunityKind, float] = {
    K.PROGRAM: 20,
    K.WORKSHOP: 18,
    K.EVENT: 12,
    K.ONLINE_ACTIVITY: 5,
    K.DROP_IN: 8,
    K.CAMP: 12,
    K.COURSE: 8,
    K.VOLUNTEERING: 5,
    K.INTERNSHIP: 5,
    K.JOB_SHADOW: 4,
    K.APPRENTICESHIP: 3,
}

# Age ranges that make sense per kind (camps for kids, internships 16+ ...).
AGE_RANGES: dict[OpportunityKind, tuple[tuple[int, int], ...]] = {
    K.CAMP: ((6, 9), (6, 10), (8, 12), (9, 13), (10, 14), (7, 11), (11, 14), (6, 14)),
    K.PROGRAM: ((5, 8), (8, 12), (9, 13), (10, 14), (11, 15), (12, 18), (13, 18), (14, 19)),
    K.WORKSHOP: ((5, 8), (6, 10), (8, 12), (10, 14), (12, 16), (13, 18), (14, 18), (16, 24)),
    K.EVENT: ((5, 12), (5, 18), (5, 24), (8, 14), (12, 18), (13, 24)),
    K.ONLINE_ACTIVITY: ((8, 12), (10, 14), (12, 18), (13, 18), (14, 24)),
    K.DROP_IN: ((5, 12), (8, 14), (10, 18), (13, 18), (13, 24)),
    K.COURSE: ((12, 16), (13, 18), (14, 18), (15, 22), (16, 24), (18, 24)),
    K.VOLUNTEERING: ((13, 18), (14, 18), (14, 24), (16, 24)),
    K.INTERNSHIP: ((16, 18), (16, 21), (16, 24), (17, 24), (18, 24)),
    K.JOB_SHADOW: ((14, 18), (15, 18), (14, 21), (16, 24)),
    K.APPRENTICESHIP: ((16, 21), (16, 24), (17, 24), (18, 24)),
}

# Probability that a listing of this kind is free (libraries and employers: always).
FREE_SHARE: dict[OpportunityKind, float] = {
    K.PROGRAM: 0.25,
    K.WORKSHOP: 0.28,
    K.EVENT: 0.5,
    K.ONLINE_ACTIVITY: 0.55,
    K.DROP_IN: 0.8,
    K.CAMP: 0.1,
    K.COURSE: 0.25,
    K.VOLUNTEERING: 1.0,
    K.INTERNSHIP: 1.0,
    K.JOB_SHADOW: 1.0,
    K.APPRENTICESHIP: 1.0,
}

PRICE_DOLLARS: dict[OpportunityKind, tuple[int, int]] = {
    K.PROGRAM: (25, 250),
    K.WORKSHOP: (5, 60),
    K.EVENT: (5, 30),
    K.ONLINE_ACTIVITY: (5, 80),
    K.DROP_IN: (5, 15),
    K.CAMP: (90, 400),
    K.COURSE: (30, 300),
}

CAPACITY: dict[OpportunityKind, tuple[int, int]] = {
    K.PROGRAM: (12, 30),
    K.WORKSHOP: (8, 25),
    K.EVENT: (50, 300),
    K.ONLINE_ACTIVITY: (15, 100),
    K.DROP_IN: (20, 60),
    K.CAMP: (20, 60),
    K.COURSE: (12, 30),
    K.VOLUNTEERING: (10, 40),
    K.INTERNSHIP: (1, 8),
    K.JOB_SHADOW: (1, 6),
    K.APPRENTICESHIP: (2, 12),
}

# "{s}" subject, "{a}" audience, "{n}" neighborhood.
TITLE_FORMATS: dict[OpportunityKind, tuple[str, ...]] = {
    K.PROGRAM: (
        "{a} {s} Club",
        "{s} Academy",
        "{a} {s} Studio",
        "{s} Crew",
        "{s} Summer Lab",
        "{a} {s} Lab",
        "{s} Leaders Program",
        "Summer {s} Program",
        "{n} {s} Club",
    ),
    K.WORKSHOP: (
        "Intro to {s}",
        "{s} Workshop",
        "Hands-On {s}",
        "{a} {s} Workshop",
        "{s} Basics",
        "Try It: {s}",
        "{s} Masterclass",
        "{s} Skills Workshop",
    ),
    K.EVENT: (
        "{s} Showcase",
        "Family {s} Day",
        "{s} Fest",
        "{n} {s} Night",
        "{s} Open House",
        "{s} Meetup",
        "Community {s} Celebration",
        "{s} Expo",
    ),
    K.ONLINE_ACTIVITY: (
        "{s} Online",
        "Virtual {s} Challenge",
        "{s} from Home",
        "Live Online {s}",
        "{s}: Self-Paced Quests",
        "{a} {s} Online Club",
    ),
    K.DROP_IN: (
        "Open {s} Hours",
        "Drop-In {s}",
        "{s} Open Lab",
        "{s} Hangout",
        "Walk-In {s}",
        "{a} {s} Drop-In",
    ),
    K.CAMP: (
        "{s} Summer Camp",
        "{a} {s} Camp",
        "{s} Day Camp",
        "Camp {s}",
        "{s} Adventure Camp",
        "{s} Bootcamp",
        "{n} {s} Camp",
    ),
    K.COURSE: (
        "{s} 101",
        "Foundations of {s}",
        "{s}: A Six-Week Course",
        "{s} Certificate Course",
        "Intermediate {s}",
        "College Prep {s}",
    ),
    K.VOLUNTEERING: (
        "{s} Volunteer Corps",
        "{s} Service Project",
        "{a} {s} Volunteers",
        "Volunteer: {s} Helpers",
        "{n} {s} Service Day",
    ),
    # "{f}" career field; "{y}" season year.
    K.INTERNSHIP: (
        "{f} Summer Internship",
        "Paid {f} Internship",
        "{f} Intern (Summer {y})",
        "Youth {f} Internship",
        "{f} Internship Program",
    ),
    K.APPRENTICESHIP: (
        "{f} Apprenticeship",
        "Pre-Apprenticeship in {f}",
        "{f} Youth Apprenticeship",
        "Earn & Learn: {f} Apprenticeship",
    ),
    # "{r}" role, "{ar}" role with its article.
    K.JOB_SHADOW: (
        "Shadow {ar}",
        "{r} for a Day",
        "Job Shadow: {r}",
        "Behind the Scenes with {ar}",
        "Career Day: Meet {ar}",
    ),
}

KIND_NOTES: dict[OpportunityKind, tuple[str, ...]] = {
    K.PROGRAM: (
        "No experience needed: all materials are provided.",
        "Participants meet the same group each week and build on what they made before.",
        "Snacks are provided at every session.",
    ),
    K.WORKSHOP: (
        "No experience needed: all materials are provided.",
        "Come ready to get your hands dirty.",
        "Space is limited, so please register ahead.",
    ),
    K.EVENT: (
        "Families are welcome; snacks provided.",
        "Bring friends: there is something for every age.",
    ),
    K.ONLINE_ACTIVITY: (
        "Join from any device with a browser; materials are shared online.",
        "Sessions are live on video with small breakout groups.",
    ),
    K.DROP_IN: (
        "No registration needed: drop in any time during open hours.",
        "Staff are on hand to help you get started.",
    ),
    K.CAMP: (
        "Camp runs weekdays; bring a lunch and a water bottle.",
        "Campers spend part of every day outdoors.",
    ),
    K.COURSE: (
        "Students who complete the course earn a certificate.",
        "Expect a little practice between sessions.",
    ),
    K.VOLUNTEERING: (
        "Volunteer hours count toward school service-learning requirements.",
        "Gloves, tools and snacks are provided.",
    ),
    K.INTERNSHIP: (
        "Interns earn a stipend and are matched with a mentor on staff.",
        "Interns work on real projects and finish with a portfolio piece for job applications.",
    ),
    K.APPRENTICESHIP: (
        "Apprentices are paid for training hours and earn an industry-recognized credential.",
        "Apprentices split their time between the classroom and the job site.",
    ),
    K.JOB_SHADOW: (
        "You'll spend the day following a professional, asking questions and trying real tasks.",
        "Wear comfortable shoes and bring your questions.",
    ),
}

# A word in a standalone topic title ties it to the kinds it suits ("Scrubs Camp" is a camp).
_TITLE_WORD_KINDS: dict[str, tuple[OpportunityKind, ...]] = {
    "Camp": (K.CAMP,),
    "Bootcamp": (K.CAMP,),
    "Workshop": (K.WORKSHOP,),
    "Training": (K.WORKSHOP, K.COURSE),
    "Prep": (K.PROGRAM, K.COURSE, K.WORKSHOP),
    "Day": (K.EVENT,),
    "Night": (K.EVENT, K.DROP_IN),
    "Nights": (K.EVENT, K.DROP_IN),
    "Fair": (K.EVENT,),
    "Panel": (K.EVENT,),
    "Summit": (K.EVENT,),
    "Drive": (K.EVENT, K.VOLUNTEERING),
    "Cleanup": (K.EVENT, K.VOLUNTEERING),
    "Tour": (K.EVENT,),
    "Hunt": (K.EVENT,),
    "Jam": (K.EVENT, K.DROP_IN),
    "Cafe": (K.DROP_IN, K.EVENT),
    "Club": (K.PROGRAM, K.DROP_IN, K.ONLINE_ACTIVITY),
    "Circle": (K.PROGRAM, K.DROP_IN, K.ONLINE_ACTIVITY),
    "Academy": (K.PROGRAM, K.CAMP, K.COURSE),
    "Studio": (K.PROGRAM, K.WORKSHOP, K.DROP_IN, K.CAMP),
    "Lab": (K.PROGRAM, K.WORKSHOP, K.DROP_IN, K.CAMP),
    "Makerspace": (K.PROGRAM, K.DROP_IN),
    "Week": (K.CAMP,),  # a one-week camp; the schedule follows the title
    "Challenge": (K.EVENT, K.ONLINE_ACTIVITY, K.PROGRAM, K.WORKSHOP),
    "Intensive": (K.CAMP, K.PROGRAM, K.WORKSHOP),
    "Hackathon": (K.EVENT, K.CAMP),
    "Walk": (K.EVENT, K.PROGRAM),
    "School": (K.PROGRAM, K.COURSE),
    "Program": (K.PROGRAM,),
    "Corps": (K.PROGRAM, K.VOLUNTEERING),
    "Buddies": (K.PROGRAM, K.VOLUNTEERING),
    "Storytime": (K.EVENT, K.DROP_IN, K.PROGRAM),
}
# Group words: a standing group is a program.
for _word in (
    "League",
    "Crew",
    "Team",
    "Troupe",
    "Ensemble",
    "Band",
    "Orchestra",
    "Council",
    "Ambassadors",
    "Rangers",
    "Makers",
):
    _TITLE_WORD_KINDS[_word] = (K.PROGRAM,)
_TITLE_DEFAULT_KINDS = (K.PROGRAM, K.WORKSHOP, K.COURSE, K.CAMP, K.ONLINE_ACTIVITY)


def _title_kinds(title: str) -> tuple[OpportunityKind, ...]:
    for word in re.findall(r"[A-Za-z]+", title):
        if word in _TITLE_WORD_KINDS:
            return _TITLE_WORD_KINDS[word]
    return _TITLE_DEFAULT_KINDS


# (track, kind) -> standalone titles that suit that kind; computed once.
_TITLES_BY_KIND: dict[tuple[Track, OpportunityKind], tuple[str, ...]] = {
    (track, kind): tuple(t for t in track.titles if kind in _title_kinds(t))
    for content in CONTENT.values()
    for track in content.tracks
    for kind in OpportunityKind
}

# Kinds that may run fully online or hybrid; camps and drop-ins need a room.
ONLINE_KINDS = frozenset((K.PROGRAM, K.WORKSHOP, K.COURSE, K.EVENT, K.INTERNSHIP, K.JOB_SHADOW))
HYBRID_KINDS = ONLINE_KINDS | {K.APPRENTICESHIP, K.VOLUNTEERING}
CAREER_KINDS = frozenset((K.INTERNSHIP, K.JOB_SHADOW, K.APPRENTICESHIP))

# "{t}" is the topic ("art", "nature and environment").
VOLUNTEER_TASKS = (
    "help younger kids with {t} activities",
    "set up and run a community {t} day",
    "mentor beginners in {t}",
    "prepare materials for summer {t} programs",
)

LANGUAGE_NOTES: dict[tuple[str, ...], str] = {
    ("en", "es"): "Sessions are led in English and Spanish.",
    ("en", "pl"): "Sessions are led in English and Polish.",
    ("en", "zh"): "Sessions are led in English and Mandarin Chinese.",
    ("es",): "This program is taught in Spanish.",
    ("pl",): "This program is taught in Polish.",
    ("zh",): "This program is taught in Mandarin Chinese.",
}

# Local start times, minutes past midnight, by part of the day.
MORNING = (540, 570, 600, 630, 660)
AFTERNOON = (750, 780, 810, 840, 900, 930, 960)
EVENING = (1020, 1050, 1080, 1110, 1140)
LATEST_END = 21 * 60 + 30

DURATIONS: dict[OpportunityKind, tuple[int, int]] = {
    K.PROGRAM: (90, 180),
    K.WORKSHOP: (60, 120),
    K.EVENT: (90, 180),
    K.ONLINE_ACTIVITY: (45, 90),
    K.DROP_IN: (120, 240),
    K.CAMP: (180, 240),
    K.COURSE: (60, 150),
    K.VOLUNTEERING: (120, 240),
    K.INTERNSHIP: (180, 240),
    K.JOB_SHADOW: (120, 240),
    K.APPRENTICESHIP: (180, 240),
}

# Share of each kind that runs all year (autumn before the season through its end).
YEAR_ROUND: dict[OpportunityKind, float] = {
    K.PROGRAM: 0.08,
    K.DROP_IN: 0.4,
    K.COURSE: 0.25,
    K.ONLINE_ACTIVITY: 0.25,
    K.APPRENTICESHIP: 0.3,
    K.VOLUNTEERING: 0.1,
}

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_PATTERNS: dict[int, tuple[tuple[str, ...], ...]] = {
    1: (("MO",), ("TU",), ("WE",), ("TH",), ("FR",), ("SA",), ("SA",), ("SU",)),
    2: (("MO", "WE"), ("TU", "TH"), ("TU", "TH"), ("MO", "TH"), ("WE", "FR"), ("SA", "SU")),
    3: (("MO", "WE", "FR"), ("TU", "WE", "TH"), ("MO", "TU", "TH")),
    4: (("MO", "TU", "WE", "TH"),),
    5: (("MO", "TU", "WE", "TH", "FR"),),
}

# ZIPs on the lakefront: venues jitter only westward there, so none lands in the lake.
LAKEFRONT_ZIPS = frozenset(
    "60601 60605 60610 60611 60613 60614 60615 60616 60626 60637 60640 60649 60653 "
    "60657 60660 60617".split()
)
JITTER_KM = 1.2
HUB_COUNT_KINDS = (OK.LIBRARY, OK.PARK_DISTRICT, OK.MUSEUM, OK.COLLEGE)
HUB_WEIGHT = 10.0  # hub organizations post this many times more listings ...
HUB_MAIN_PLACE_WEIGHT = 12  # ... and almost all of them at their main venue


# ----------------------------------------------------------------------- drafts


@dataclass(slots=True)
class _OrgDraft:
    org: DemoOrganization
    kind: OrganizationKind
    hood: Neighborhood
    focus: tuple[str, ...]
    weight: float
    places: list[tuple[DemoPlace, Neighborhood]] = field(default_factory=list)
    place_weights: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Schedule:
    start_date: date
    end_date: date
    rrule: str | None
    start_time: time
    duration: int


# ----------------------------------------------------------------------- helpers


_SLUG_STRIP = re.compile(r"[^a-z0-9]+")


def slugify(name: str, max_length: int = 60) -> str:
    """ASCII slug that also fits a DNS label (the demo websites use it as a subdomain)."""
    ascii_name = (
        name.lower()
        .replace("&", " and ")
        .replace("'", "")
        .replace("ó", "o")
        .replace("é", "e")
        .replace("á", "a")
    )
    slug = _SLUG_STRIP.sub("-", ascii_name).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0]
    return slug


def _human_list(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _topic_phrase(slugs: Sequence[str]) -> str:
    names = [TOPICS[TOPIC_ID[slug] - 1].name.lower().replace(" & ", " and ") for slug in slugs]
    return _human_list(names)


def _article(noun: str) -> str:
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def _weighted_index(rng: random.Random, weights: Sequence[float]) -> int:
    return rng.choices(range(len(weights)), weights=weights, k=1)[0]


def _jitter(
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


_EVENING_TITLE = re.compile(r"\b(Night|Nights|Stargazing)\b")
_DAY_NAMES = dict(
    zip(
        ("MO", "TU", "WE", "TH", "FR", "SA", "SU"),
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    )
)


def _single_weekday(rrule: str | None) -> str | None:
    """'Saturday' for a weekly rule on Saturdays only; None otherwise."""
    if not rrule or not rrule.startswith("FREQ=WEEKLY;"):
        return None
    parts = dict(part.split("=", 1) for part in rrule.split(";"))
    return _DAY_NAMES.get(parts.get("BYDAY", ""))


def _grade(age: int) -> int | None:
    """Grade is about age - 5 (kindergarten = 0); past high school there is no grade."""
    if age >= 19:
        return None
    return min(max(age - 5, 0), 12)


def _audience(rng: random.Random, min_age: int, max_age: int) -> tuple[str, str]:
    """A title word and a sentence subject that suit the age range."""
    if min_age <= 7 and max_age >= 14:
        return rng.choice(("Family", "All-Ages", "Community")), "Learners of all ages"
    if max_age <= 8:
        return rng.choice(("Little Learners", "Kids'", "Junior")), "Young kids"
    if max_age <= 12:
        return rng.choice(("Kids'", "Junior", "Young Makers")), "Kids"
    if min_age >= 11 and max_age <= 15:
        return rng.choice(("Middle School", "Tween", "Junior")), "Middle schoolers"
    if min_age >= 16:
        return rng.choice(("Young Adult", "Teen & Young Adult", "Emerging Pro")), "Young adults"
    if min_age >= 12:
        return rng.choice(("Teen", "High School", "Youth")), "Teens"
    return rng.choice(("Youth", "Young", "Neighborhood")), "Young people"


class _Names:
    """Hands out unique organization names and slugs."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.slugs: set[str] = set()

    def take(self, candidates: Sequence[str]) -> tuple[str, str] | None:
        for name in candidates:
            slug = slugify(name)
            if name not in self.names and slug not in self.slugs:
                self.names.add(name)
                self.slugs.add(slug)
                return name, slug
        return None

    def force(self, base: str) -> tuple[str, str]:
        number = 2
        while True:
            taken = self.take([f"{base} {number}"])
            if taken:
                return taken
            number += 1


# ----------------------------------------------------------------------- the generator


class _Generator:
    def __init__(self, seed: int, season_year: int, today: date | None) -> None:
        self.rng = random.Random(seed)
        self.season_year = season_year
        self.year_round_from = date(season_year - 1, 9, 1)
        if today is not None and today < self.year_round_from:
            self.year_round_from = today - timedelta(days=42)
        self.geocoder = ZipCentroidGeocoder()
        self.centroids: dict[str, tuple[float, float]] = {}
        for zip5 in chicago.all_zips():
            found = self.geocoder.geocode(zip5)
            if found is None:  # every listed ZIP is in the package; guard anyway
                raise ValueError(f"no centroid for ZIP {zip5}")
            self.centroids[zip5] = (found.point.latitude, found.point.longitude)
        self.nearby = self._nearby_hoods()
        self.names = _Names()
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
        lat, lng = _jitter(self.rng, lat, lng, westward_only=zip5 in LAKEFRONT_ZIPS)
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
            OK.PARK_DISTRICT: parks * (1 + len(_PARK_PROGRAMS)),
        }
        result = kinds[:count]
        counts = {kind: result.count(kind) for kind in kinds}
        for _ in range(count - len(result)):
            kind = kinds[_weighted_index(self.rng, shares)]
            if counts[kind] >= caps.get(kind, count):
                shares[kinds.index(kind)] = 0.0
                kind = kinds[_weighted_index(self.rng, shares)]
            counts[kind] += 1
            result.append(kind)
        return result

    def _name_org(
        self, kind: OrganizationKind, hood: Neighborhood, zip5: str
    ) -> tuple[str, str, _OrgTemplate, Neighborhood, str | None]:
        """A unique name; the park (if any) and its neighborhood decide the venue."""
        rng = self.rng
        park: str | None = None
        if kind == OK.PARK_DISTRICT:
            hood, park, rounds = self._next_park()
            template = ORG_TEMPLATES[kind][0]
            base = template.pattern.format(park=park)
            if rounds == 1:
                taken = self.names.take([base])
            else:
                programs = list(_PARK_PROGRAMS)
                rng.shuffle(programs)
                taken = self.names.take([f"{base} {program}" for program in programs])
            name, slug = taken or self.names.force(base)
            return name, slug, template, hood, park
        templates = ORG_TEMPLATES[kind]
        candidates: list[tuple[str, _OrgTemplate]] = []
        if kind == OK.LIBRARY:
            # A second branch in one neighborhood is named for its street, as the city does.
            template = templates[0]
            streets = list(hood.streets)
            rng.shuffle(streets)
            names = [f"{chicago.LIBRARY_SYSTEM} {DASH} {hood.name} Branch"]
            names += [
                f"{chicago.LIBRARY_SYSTEM} {DASH} {street.short} Branch" for street in streets
            ]
            name, slug = self.names.take(names) or self.names.force(names[0])
            return name, slug, template, hood, None
        for _ in range(12):
            template = rng.choice(templates)
            sur, sur2 = rng.sample(chicago.SURNAMES, 2)
            street = rng.choice(hood.streets)
            name = template.pattern.format(n=hood.name, s=street.short, sur=sur, sur2=sur2)
            candidates.append((name, template))
        # Then the same names placed on a street ("... - Cermak"), which scale much further.
        for name, template in list(candidates):
            candidates.append((f"{name} {DASH} {rng.choice(hood.streets).short}", template))
        for name, template in candidates:
            taken = self.names.take([name])
            if taken:
                return taken[0], taken[1], template, hood, None
        name, template = candidates[0]
        forced = self.names.force(name)
        return forced[0], forced[1], template, hood, None

    def _org_description(
        self, kind: OrganizationKind, name: str, hood: Neighborhood, focus: Sequence[str]
    ) -> str:
        topics = _topic_phrase(focus)
        area = hood.community_area
        if kind == OK.MUSEUM:
            return (
                f"{name} brings {topics} to life for young visitors in {hood.name}. "
                "Galleries, studios and educators welcome school groups, families and teens "
                "all year."
            )
        if kind == OK.LIBRARY:
            return (
                f"{name} offers free books, computers and Wi-Fi in {hood.name}, plus programs "
                f"in {topics}. Cardholders can borrow laptops and hotspots."
            )
        if kind == OK.COMMUNITY_GROUP:
            return (
                f"{name} is a volunteer-run group that organizes {topics} for neighbors of "
                f"all ages. We meet in parks, churches and storefronts around {hood.name}."
            )
        if kind == OK.COLLEGE:
            return (
                f"{name} opens its labs and classrooms to middle and high school students "
                f"with summer courses, dual-credit options and hands-on workshops in {topics}."
            )
        if kind == OK.EMPLOYER:
            return (
                f"{name} is {_article(hood.name)} employer that hosts job shadows, internships and "
                f"apprenticeships so young people can see what a career in {topics} looks like."
            )
        if kind == OK.PARK_DISTRICT:
            return (
                f"A {chicago.PARK_DISTRICT} park in {hood.name} with a fieldhouse, playing "
                f"fields and seasonal programs in {topics}."
            )
        return (
            f"{name} is a nonprofit serving youth in {area} and beyond through {topics}. "
            "Programs are free or low-cost, with mentors who grew up in the neighborhood."
        )

    def organizations(self, count: int) -> list[_OrgDraft]:
        rng = self.rng
        drafts: list[_OrgDraft] = []
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
            name, slug, template, hood, park = self._name_org(kind, hood, zip5)
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
            draft = _OrgDraft(org, kind, hood, focus, weight)
            counts, count_weights = PLACE_COUNTS[kind]
            place_count = counts[_weighted_index(rng, count_weights)]
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
                    site = rng.choice(
                        ("Studio", "Annex", "Learning Center", "Youth Center", "Workshop", "Site")
                    )
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

    def _make_hubs(self, drafts: list[_OrgDraft]) -> None:
        """The first library, park, museum and college become busy venues where many
        listings share one point, so distance ties are common, as in real cities."""
        for kind in HUB_COUNT_KINDS:
            for draft in drafts:
                if draft.kind == kind:
                    draft.weight = HUB_WEIGHT * ORG_KIND_ACTIVITY[kind]
                    draft.place_weights[0] = HUB_MAIN_PLACE_WEIGHT
                    break

    # ---------------------------------------------------------------- schedules

    def _week_start(self, weeks: int) -> date:
        """A Monday such that `weeks` weeks from it stay inside mid-June .. mid-August."""
        first = date(self.season_year, 6, 15)
        first -= timedelta(days=first.weekday())
        last_end = date(self.season_year, 8, 16)
        slots = max(1, (last_end - first).days // 7 - weeks + 1)
        return first + timedelta(weeks=self.rng.randrange(slots))

    def _start_minute(self, kind: OpportunityKind, max_age: int, weekend: bool) -> int:
        rng = self.rng
        if kind in (K.CAMP, K.INTERNSHIP, K.APPRENTICESHIP, K.JOB_SHADOW):
            return rng.choice(MORNING[:3]) if rng.random() < 0.75 else rng.choice(AFTERNOON[:2])
        if kind == K.EVENT:
            return rng.choice(MORNING + AFTERNOON) if weekend else rng.choice(AFTERNOON + EVENING)
        if weekend or max_age <= 12:
            return rng.choice(MORNING + AFTERNOON)
        part = rng.random()
        if part < 0.25:
            return rng.choice(MORNING)
        return rng.choice(AFTERNOON) if part < 0.6 else rng.choice(EVENING)

    def _duration(self, kind: OpportunityKind, start_minute: int) -> int:
        low, high = DURATIONS[kind]
        duration = self.rng.randrange(low, high + 1, 15)
        # Evening sessions end by 21:30.
        return max(45, min(duration, LATEST_END - start_minute))

    def _weekly_rule(self, days: Sequence[str], end: date) -> str:
        byday = ",".join(days)
        if self.rng.random() < 0.5:
            # UNTIL is local and floating, like the naive dtstart expand_schedule uses.
            return f"FREQ=WEEKLY;BYDAY={byday};UNTIL={end:%Y%m%d}T235959"
        return f"FREQ=WEEKLY;BYDAY={byday}"  # bounded by end_date alone

    def _weekly(self, weeks: int, days: Sequence[str]) -> tuple[date, date, str]:
        monday = self._week_start(weeks)
        offsets = sorted(WEEKDAYS.index(day) for day in days)
        start = monday + timedelta(days=offsets[0])
        end = monday + timedelta(weeks=weeks - 1, days=offsets[-1])
        return start, end, self._weekly_rule(days, end)

    def _year_round(self, days: Sequence[str]) -> tuple[date, date, str]:
        # Starts in the autumn before the season (or just before `today`, in the summer
        # gap when the season has moved to next year), so "soonest" finds sessions now.
        offsets = sorted(WEEKDAYS.index(day) for day in days)
        start = self.year_round_from + timedelta(days=self.rng.randint(0, 50))
        while start.weekday() != offsets[0]:
            start += timedelta(days=1)
        end = date(self.season_year, 8, 14) - timedelta(days=self.rng.randint(0, 10))
        while end.weekday() != offsets[-1]:
            end -= timedelta(days=1)
        return start, end, self._weekly_rule(days, end)

    def _one_day(self, weekend_share: float) -> date:
        monday = self._week_start(1)
        if self.rng.random() < weekend_share:
            return monday + timedelta(days=self.rng.choice((5, 6)))
        return monday + timedelta(days=self.rng.randrange(5))

    def schedule(
        self, kind: OpportunityKind, max_age: int, *, evening: bool, one_week: bool
    ) -> _Schedule:
        """`evening` and `one_week` come from the title ("Game Night", "... in a Week")."""
        rng = self.rng
        rrule: str | None
        if one_week and kind == K.CAMP:
            start = self._week_start(1)
            end, rrule = start + timedelta(days=4), "FREQ=DAILY;COUNT=5"
        elif rng.random() < YEAR_ROUND.get(kind, 0.0):
            days = rng.choice(DAY_PATTERNS[rng.choice((1, 1, 2))])
            start, end, rrule = self._year_round(days)
        elif kind == K.CAMP:
            if rng.random() < 0.6:
                start = self._week_start(1)
                end, rrule = start + timedelta(days=4), "FREQ=DAILY;COUNT=5"
            else:
                start, end, rrule = self._weekly(rng.randint(2, 4), DAY_PATTERNS[5][0])
        elif kind in (K.EVENT, K.JOB_SHADOW) or (
            kind in (K.WORKSHOP, K.VOLUNTEERING) and rng.random() < 0.5
        ):
            start = end = self._one_day(0.6 if kind != K.JOB_SHADOW else 0.0)
            rrule = None
        elif kind in (K.INTERNSHIP, K.APPRENTICESHIP):
            days = rng.choice(DAY_PATTERNS[rng.choice((3, 4))])
            start, end, rrule = self._weekly(rng.randint(6, 8), days)
        elif kind == K.WORKSHOP:
            start, end, rrule = self._weekly(rng.randint(2, 4), rng.choice(DAY_PATTERNS[1]))
        elif kind == K.VOLUNTEERING:
            start, end, rrule = self._weekly(rng.randint(3, 8), ("SA",))
        elif kind == K.DROP_IN:
            start, end, rrule = self._weekly(rng.randint(6, 9), rng.choice(DAY_PATTERNS[2]))
        elif kind == K.ONLINE_ACTIVITY and rng.random() < 0.3:
            start = end = self._one_day(0.3)
            rrule = None
        else:  # program, course, online activity
            pattern = rng.choice((1, 1, 2, 2, 2, 3))
            start, end, rrule = self._weekly(rng.randint(3, 9), rng.choice(DAY_PATTERNS[pattern]))
        weekend = start.weekday() >= 5
        minute = rng.choice(EVENING) if evening else self._start_minute(kind, max_age, weekend)
        return _Schedule(
            start, end, rrule, time(minute // 60, minute % 60), self._duration(kind, minute)
        )

    # ---------------------------------------------------------------- opportunities

    def _languages(self, hood: Neighborhood | None) -> tuple[str, ...]:
        rng = self.rng
        roll = rng.random()
        if hood is not None and hood.languages:
            local = rng.choice(hood.languages)
            if roll < 0.3:
                return ("en", local)
            if roll < 0.36:
                return (local,)
        if roll < 0.16:
            return ("en", "es")
        if roll < 0.17:
            return ("es",)
        if roll < 0.175:
            return ("pl",)
        if roll < 0.18:
            return ("zh",)
        return ("en",)

    def _accessibility(
        self, delivery: Delivery, place: DemoPlace | None, max_age: int
    ) -> tuple[str, ...]:
        rng = self.rng
        chosen: set[Accessibility] = set()
        if place is not None:
            if place.wheelchair_accessible and rng.random() < 0.85:
                chosen.add(Accessibility.WHEELCHAIR)
            if rng.random() < 0.6:
                chosen.add(Accessibility.TRANSIT_NEARBY)
        if delivery != Delivery.ONSITE and rng.random() < 0.6:
            chosen.add(Accessibility.CAPTIONS)
        if rng.random() < 0.05:
            chosen.add(Accessibility.ASL)
        if rng.random() < (0.2 if max_age <= 12 else 0.07):
            chosen.add(Accessibility.SENSORY_FRIENDLY)
        # Enum order, never set order: sets of strings iterate differently per process.
        return tuple(member.value for member in Accessibility if member in chosen)

    def _topics(self, draft: _OrgDraft, kind: OpportunityKind) -> list[str]:
        rng = self.rng
        all_slugs = [entry.slug for entry in TOPICS]
        primary = rng.choice(draft.focus) if rng.random() < 0.8 else rng.choice(all_slugs)
        topics = [primary]
        if kind in (K.INTERNSHIP, K.JOB_SHADOW, K.APPRENTICESHIP) and primary != "careers":
            if rng.random() < 0.7:
                topics.append("careers")
        extra = rng.choices((0, 1, 2), weights=(45, 40, 15), k=1)[0]
        for _ in range(extra):
            # Mostly what the organization is known for, sometimes anything.
            pick = rng.choice(draft.focus) if rng.random() < 0.6 else rng.choice(all_slugs)
            if pick not in topics and len(topics) < 3:
                topics.append(pick)
        return topics

    def _competencies(self, topic: TopicContent) -> tuple[int, ...]:
        rng = self.rng
        count = rng.choices((1, 2, 3), weights=(30, 45, 25), k=1)[0]
        hinted = list(topic.competencies)
        rng.shuffle(hinted)
        chosen: list[str] = []
        for slug in hinted:
            if len(chosen) < count and (not chosen or rng.random() < 0.7):
                chosen.append(slug)
        while len(chosen) < count:
            slug = rng.choice(COMPETENCIES).slug
            if slug not in chosen:
                chosen.append(slug)
        return tuple(COMPETENCY_ID[slug] for slug in chosen)

    def _title(
        self,
        kind: OpportunityKind,
        track: Track,
        audience: str,
        hood_name: str,
        ages: tuple[int, int],
        languages: tuple[str, ...],
        delivery: Delivery,
        career: tuple[str, str],
    ) -> str:
        rng = self.rng
        online = delivery == Delivery.ONLINE
        # An online listing is not "in" a neighborhood.
        formats = [f for f in TITLE_FORMATS[kind] if not (online and "{n}" in f)]
        field_name, role = career
        if kind in (K.INTERNSHIP, K.APPRENTICESHIP):
            title = rng.choice(formats).format(f=field_name, y=self.season_year)
        elif kind == K.JOB_SHADOW:
            role_title = role.title().replace("It ", "IT ")
            title = rng.choice(formats).format(r=role_title, ar=_article(role_title))
        else:
            standalone = _TITLES_BY_KIND[(track, kind)]
            if standalone and rng.random() < 0.35:
                title = rng.choice(standalone).format(a=audience)
            else:
                subject = rng.choice(track.subjects)
                title = rng.choice(formats).format(s=subject, a=audience, n=hood_name)
        roll = rng.random()
        if online and kind in CAREER_KINDS:
            title += " (Remote)" if kind == K.INTERNSHIP else " (Virtual)"
        elif online and kind != K.ONLINE_ACTIVITY and roll < 0.5:
            title += " (Online)"
        elif roll < 0.12:
            title += f" (Ages {ages[0]}{DASH}{ages[1]})"
        elif roll < 0.18 and hood_name not in title and not online:
            title += f" {DASH} {hood_name}"
        elif roll < 0.3 and languages == ("en", "es"):
            title += " (Bilingual)"
        elif roll < 0.3 and languages == ("es",):
            title += " (en Español)"
        return " ".join(title.split())

    def _opening(
        self,
        kind: OpportunityKind,
        delivery: Delivery,
        slug: str,
        track: Track,
        learners: str,
        org_name: str,
        career: tuple[str, str],
    ) -> list[str]:
        """The first one or two sentences: what learners do here."""
        rng = self.rng
        field_name, role = career
        interest = _topic_phrase([slug])
        if kind == K.INTERNSHIP:
            return [
                f"Join {org_name} for the summer as {_article(field_name)} intern.",
                "You'll help with real projects, learn the tools professionals use and "
                "build your resume.",
            ]
        if kind == K.APPRENTICESHIP:
            return [
                f"Train as a paid apprentice at {org_name} and learn {field_name} on the job.",
                "No experience required: experienced mentors teach you step by step.",
            ]
        if kind == K.JOB_SHADOW:
            where = "on a video call" if delivery == Delivery.ONLINE else f"at {org_name}"
            return [
                f"Spend a day with {_article(role)} {where} and see what the job is really like.",
                f"A good fit if you're curious about careers in {interest}.",
            ]
        if kind == K.VOLUNTEERING:
            task = rng.choice(VOLUNTEER_TASKS).format(t=interest)
            return [f"{learners} volunteer with {org_name} to {task}."]
        first = f"{learners} {rng.choice(track.activities)}"
        if rng.random() < 0.5:
            first += f" with {rng.choice(('mentors', 'staff', 'educators', 'volunteers'))}"
            first += f" from {org_name}"
        sentences = [first + "."]
        if kind not in (K.EVENT, K.DROP_IN):
            make = rng.choice(track.makes)
            sentences.append(
                rng.choice(
                    (
                        f"Everyone leaves with {make}.",
                        f"By the end you'll have {make}.",
                        f"The season wraps up with {make}.",
                    )
                )
            )
        return sentences

    def _description(
        self,
        kind: OpportunityKind,
        delivery: Delivery,
        slug: str,
        track: Track,
        learners: str,
        org_name: str,
        place: DemoPlace | None,
        languages: tuple[str, ...],
        financial_aid: bool,
        free: bool,
        career: tuple[str, str],
    ) -> str:
        """Two to four sentences."""
        rng = self.rng
        sentences = self._opening(kind, delivery, slug, track, learners, org_name, career)
        if delivery == Delivery.HYBRID and place is not None:
            sentences.append(f"Join in person at {place.name} or online from home.")
        elif kind == K.JOB_SHADOW and delivery == Delivery.ONLINE:
            sentences.append("Bring your questions: there is time for a real conversation.")
        elif len(sentences) < 2 or rng.random() < 0.75:
            # Online listings get online practicalities, not "snacks provided".
            notes = KIND_NOTES[K.ONLINE_ACTIVITY if delivery == Delivery.ONLINE else kind]
            sentences.append(rng.choice(notes))
        if financial_aid:
            sentences.append("Scholarships and sliding-scale fees are available.")
        elif languages in LANGUAGE_NOTES:
            sentences.append(LANGUAGE_NOTES[languages])
        elif free and kind in (K.EVENT, K.DROP_IN):
            sentences.append("Free and open to the public.")
        return " ".join(sentences[:4])

    def opportunities(self, count: int, drafts: list[_OrgDraft]) -> list[DemoOpportunity]:
        rng = self.rng
        kinds = list(K)
        kind_weights = [KIND_WEIGHT[kind] for kind in kinds]
        # Per kind: the organizations allowed to post it, with cumulative weights for bisect.
        eligible: dict[OpportunityKind, tuple[list[_OrgDraft], list[float]]] = {}
        for kind in kinds:
            orgs = [draft for draft in drafts if kind in ALLOWED_KINDS[draft.kind]]
            cumulative: list[float] = []
            total = 0.0
            for draft in orgs:
                total += draft.weight
                cumulative.append(total)
            eligible[kind] = (orgs, cumulative)
        result: list[DemoOpportunity] = []
        for index in range(count):
            # The first eleven cover every kind, so even a tiny city has all of them.
            kind = kinds[index] if index < len(kinds) else rng.choices(kinds, kind_weights)[0]
            orgs, cumulative = eligible[kind]
            draft = rng.choices(orgs, cum_weights=cumulative, k=1)[0]
            result.append(self._opportunity(index + 1, kind, draft))
        return result

    def _opportunity(self, opp_id: int, kind: OpportunityKind, draft: _OrgDraft) -> DemoOpportunity:
        rng = self.rng
        org = draft.org
        roll = rng.random()
        delivery = Delivery.ONSITE
        if kind == K.ONLINE_ACTIVITY or (kind in ONLINE_KINDS and roll < 0.075):
            delivery = Delivery.ONLINE
        elif kind in HYBRID_KINDS and roll < 0.15:
            delivery = Delivery.HYBRID
        place: DemoPlace | None = None
        hood: Neighborhood | None = None
        if delivery != Delivery.ONLINE:
            place, hood = draft.places[_weighted_index(rng, draft.place_weights)]
        min_age, max_age = rng.choice(AGE_RANGES[kind])
        audience, learners = _audience(rng, min_age, max_age)
        topic_slugs = self._topics(draft, kind)
        slug = topic_slugs[0]
        content = CONTENT[slug]
        # Internship / apprenticeship field and job-shadow role, shared by title and text.
        career = (
            (rng.choice(content.fields), rng.choice(content.roles))
            if kind in CAREER_KINDS
            else ("", "")
        )
        languages = self._languages(hood if hood is not None else draft.hood)
        free = (
            draft.kind in (OK.LIBRARY, OK.EMPLOYER)
            or kind not in PRICE_DOLLARS
            or rng.random() < FREE_SHARE[kind]
        )
        cost_cents = 0
        financial_aid = False
        if not free:
            low, high = PRICE_DOLLARS[kind]
            cost_cents = rng.randrange(low, high + 1, 5) * 100
            financial_aid = rng.random() < (0.6 if kind in (K.CAMP, K.PROGRAM, K.COURSE) else 0.25)
        hood_name = (hood or draft.hood).name
        # Online and hybrid listings draw on what works over video.
        tracks = [t for t in content.tracks if t.online or delivery == Delivery.ONSITE]
        track = rng.choice(tracks or content.tracks)
        title = self._title(
            kind, track, audience, hood_name, (min_age, max_age), languages, delivery, career
        )
        description = self._description(
            kind,
            delivery,
            slug,
            track,
            learners,
            org.name,
            place,
            languages,
            financial_aid,
            free,
            career,
        )
        schedule = self.schedule(
            kind,
            max_age,
            evening=_EVENING_TITLE.search(title) is not None,
            one_week="Week" in title.split(),
        )
        weekday = _single_weekday(schedule.rrule)
        if weekday and "(" not in title and rng.random() < 0.15:
            title += f" ({weekday}s)"
        low_cap, high_cap = CAPACITY[kind]
        capacity: int | None = rng.randint(low_cap, high_cap)
        if kind == K.EVENT and capacity is not None:
            capacity = round(capacity, -1)
        if kind in (K.DROP_IN, K.EVENT) and rng.random() < 0.4:
            capacity = None  # open to whoever comes
        registration_url: str | None = f"{org.website}/register/{opp_id}"
        if kind == K.DROP_IN and rng.random() < 0.6:
            registration_url = None
        status_roll = rng.random()
        status = (
            OpportunityStatus.DRAFT
            if status_roll < 0.006
            else OpportunityStatus.ARCHIVED
            if status_roll < 0.012
            else OpportunityStatus.PUBLISHED
        )
        topic_names = [TOPICS[TOPIC_ID[slug] - 1].name for slug in topic_slugs]
        return DemoOpportunity(
            id=opp_id,
            organization_id=org.id,
            place_id=place.id if place else None,
            kind=kind.value,
            title=title,
            description=description,
            topic_ids=tuple(TOPIC_ID[slug] for slug in topic_slugs),
            competency_ids=self._competencies(content),
            min_age=min_age,
            max_age=max_age,
            min_grade=_grade(min_age),
            max_grade=_grade(max_age),
            cost_cents=cost_cents,
            financial_aid=financial_aid,
            delivery=delivery.value,
            languages=languages,
            accessibility=self._accessibility(delivery, place, max_age),
            capacity=capacity,
            registration_url=registration_url,
            start_date=schedule.start_date,
            end_date=schedule.end_date,
            schedule_rrule=schedule.rrule,
            schedule_timezone=chicago.TIMEZONE,
            start_time=schedule.start_time,
            duration_minutes=schedule.duration,
            latitude=place.latitude if place else None,
            longitude=place.longitude if place else None,
            status=status.value,
            keywords=listing_keywords(topic_names, org.name),
        )


def generate_city(
    seed: int = DEFAULT_SEED,
    organizations: int = 320,
    opportunities: int = 5200,
    *,
    season_year: int,
    city: str = DEFAULT_CITY,
    today: date | None = None,
) -> DemoCity:
    """The whole demo city; identical for identical arguments.

    `today` only matters between June and September, when `season_year` is already next
    year: year-round listings then start just before it rather than in the autumn.
    """
    if city != DEFAULT_CITY:
        raise ValueError(f"unknown demo city {city!r}; only {DEFAULT_CITY!r} exists")
    if organizations < 1 or opportunities < 0:
        raise ValueError("need at least one organization and no negative opportunity count")
    generator = _Generator(seed, season_year, today)
    drafts = generator.organizations(organizations)
    opportunity_rows = generator.opportunities(opportunities, drafts)
    return DemoCity(
        seed=seed,
        city=city,
        season_year=season_year,
        topics=tuple(TOPICS),
        competencies=tuple(COMPETENCIES),
        organizations=tuple(draft.org for draft in drafts),
        places=tuple(place for draft in drafts for place, _ in draft.places),
        opportunities=tuple(opportunity_rows),
    )
