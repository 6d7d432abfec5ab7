"""Per-kind rules for the demo's listings: which organizations post which kinds, how
often, for what ages, at what price and capacity, under which titles and notes, and on
which days and hours."""

from __future__ import annotations

import re

from server.demo.content import CONTENT, Track
from server.models.enums import OpportunityKind, OrganizationKind

OK = OrganizationKind
K = OpportunityKind

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
TITLE_WORD_KINDS: dict[str, tuple[OpportunityKind, ...]] = {
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
    TITLE_WORD_KINDS[_word] = (K.PROGRAM,)
TITLE_DEFAULT_KINDS = (K.PROGRAM, K.WORKSHOP, K.COURSE, K.CAMP, K.ONLINE_ACTIVITY)


def title_kinds(title: str) -> tuple[OpportunityKind, ...]:
    for word in re.findall(r"[A-Za-z]+", title):
        if word in TITLE_WORD_KINDS:
            return TITLE_WORD_KINDS[word]
    return TITLE_DEFAULT_KINDS


# (track, kind) -> standalone titles that suit that kind; computed once.
TITLES_BY_KIND: dict[tuple[Track, OpportunityKind], tuple[str, ...]] = {
    (track, kind): tuple(t for t in track.titles if kind in title_kinds(t))
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

# A career listing's opening sentences. "{org}" the organization, "{field}" the career
# field ("{a_field}" with its article), "{a_role}" the job with its article, "{where}"
# "at {org}" or "on a video call", "{t}" the topic.
CAREER_OPENINGS: dict[OpportunityKind, tuple[str, ...]] = {
    K.INTERNSHIP: (
        "Join {org} for the summer as {a_field} intern.",
        "You'll help with real projects, learn the tools professionals use and build your resume.",
    ),
    K.APPRENTICESHIP: (
        "Train as a paid apprentice at {org} and learn {field} on the job.",
        "No experience required: experienced mentors teach you step by step.",
    ),
    K.JOB_SHADOW: (
        "Spend a day with {a_role} {where} and see what the job is really like.",
        "A good fit if you're curious about careers in {t}.",
    ),
}

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
# Titles with these words start in the evening ("Game Night").
EVENING_TITLE = re.compile(r"\b(Night|Nights|Stargazing)\b")

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
