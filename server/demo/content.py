"""What each topic's listings are about: subjects, titles, activities, results, careers.

`CONTENT` maps every topic slug of the catalog taxonomy to its vocabulary; the generator
draws listing titles and descriptions from it.
"""

from __future__ import annotations

from dataclasses import dataclass


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
