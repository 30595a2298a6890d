//! Fixed domain, name and word lists, laid out by hand (rustfmt would give every entry a line).

use super::{hm, Category, Engine, Event, FRIDAY, MONDAY, SATURDAY, THURSDAY, TUESDAY, WEDNESDAY};

pub(super) const ADULT: Category = Category { name: "adult", www: true, domains: &[
    "pornhub.com", "xhamster.com", "xvideos.com", "onlyfans.com", "redtube.com", "youporn.com",
] };
pub(super) const PROXY: Category = Category { name: "proxy", www: true, domains: &[
    "proxysite.com", "croxyproxy.com", "hide.me", "kproxy.com", "hidester.com", "4everproxy.com",
    "vpnbook.com", "hidemyass.com", "proxyium.com", "blockaway.net",
] };
pub(super) const GAMBLING: Category = Category { name: "gambling", www: true, domains: &[
    "bet365.com", "williamhill.com", "skybet.com", "paddypower.com", "betfair.com", "ladbrokes.com",
    "coral.co.uk",
] };
pub(super) const GAMES: Category = Category { name: "games", www: true, domains: &[
    "krunker.io", "poki.com", "coolmathgames.com", "slither.io", "crazygames.com", "miniclip.com",
    "roblox.com", "friv.com", "1v1.lol", "agar.io",
] };
pub(super) const SOCIAL: Category = Category { name: "socialnetworking", www: true, domains: &[
    "tiktok.com", "instagram.com", "snapchat.com", "discord.com", "facebook.com", "x.com", "reddit.com",
    "pinterest.com",
] };
pub(super) const STREAMING: Category = Category { name: "streaming", www: true, domains: &[
    "netflix.com", "twitch.tv", "disneyplus.com", "spotify.com", "primevideo.com", "nowtv.com",
] };
pub(super) const SELFHARM: Category = Category { name: "selfharm", www: true, domains: &[
    "selfharmstories.net", "cuttingdiaries.org", "scarsecrets.net", "proana-tips.com", "bleedingquietly.org",
] };
pub(super) const EXTREMISM: Category = Category { name: "extremism", www: true, domains: &[
    "truepatriotfront.org", "siegeculture.net", "khilafahvoice.net", "whiteunity88.com",
    "awakenedbrotherhood.org",
] };
pub(super) const WEAPONS: Category = Category { name: "weapons", www: true, domains: &[
    "ghostgunkits.com", "knifeshopdirect.co.uk", "tacticalblades.net", "printablefirearms.org",
    "zombieknives.co.uk",
] };
pub(super) const ADS: Category = Category { name: "ads", www: false, domains: &[
    "doubleclick.net", "googlesyndication.com", "adnxs.com", "taboola.com", "outbrain.com", "criteo.com",
    "amazon-adsystem.com", "pubmatic.com", "rubiconproject.com",
] };
pub(super) const TRACKING: Category = Category { name: "tracking", www: false, domains: &[
    "google-analytics.com", "hotjar.com", "scorecardresearch.com", "googletagmanager.com", "quantserve.com",
    "mixpanel.com",
] };
pub(super) const UPDATES: Category = Category { name: "updates", www: false, domains: &[
    "windowsupdate.com", "update.microsoft.com", "swcdn.apple.com", "dl.google.com",
    "delivery.mp.microsoft.com", "gvt1.com",
] };
pub(super) const EDUCATION: Category = Category { name: "education", www: true, domains: &[
    "bbc.co.uk", "wikipedia.org", "khanacademy.org", "senecalearning.com", "sparxmaths.uk", "quizlet.com",
    "classroom.google.com", "docs.google.com", "oaknational.org.uk", "educake.co.uk", "drfrostmaths.com",
    "mathsgenie.co.uk", "physicsandmathstutor.com", "kerboodle.com",
] };
pub(super) const SEARCH: Category = Category { name: "search", www: true, domains: &[
    "google.com", "google.co.uk", "bing.com", "duckduckgo.com", "youtube.com", "ecosia.org",
] };
/// Everyday hosts in no list (fonts, logins, CDNs); never written to the category folder.
pub(super) const UNCATEGORISED: Category = Category { name: "uncategorised", www: false, domains: &[
    "fonts.gstatic.com", "login.microsoftonline.com", "ajax.googleapis.com", "cdn.jsdelivr.net",
    "teams.microsoft.com", "www.office.com", "cdnjs.cloudflare.com",
] };

/// The lists written to `categories/`.
pub(super) const CATEGORIES: [&Category; 14] = [
    &ADULT, &PROXY, &GAMBLING, &GAMES, &SOCIAL, &STREAMING, &SELFHARM, &EXTREMISM, &WEAPONS, &ADS, &TRACKING,
    &UPDATES, &EDUCATION, &SEARCH,
];
/// squidGuard `urls` entries for the proxy category (host/path, no scheme).
pub(super) const PROXY_URLS: &[&str] = &["sites.google.com/view/unblocked-games", "sites.google.com/view/classroom6x"];
pub(super) const SPIKE_GAMES: [&str; 2] = ["slither.io", "krunker.io"];

/// The planted events.
pub(super) const SPIKE_PUPILS: usize = 15;
pub(super) const SPIKE_REQUESTS: usize = 90;
pub(super) const SPIKE: Event = Event { kind: "spike", day: WEDNESDAY, from: hm(10, 5), to: hm(10, 50), moments: &[],
    description: "Fifteen pupils made 90 blocked attempts on slither.io and krunker.io during a Wednesday \
                  mid-morning lesson, when game blocks are otherwise rare." };
pub(super) const OUT_OF_HOURS_STAFF: Event = Event { kind: "out_of_hours_staff", day: TUESDAY, from: hm(19, 30),
    to: hm(19, 55), moments: &[],
    description: "{user} browsed on Tuesday evening from 19:30 to 19:55, after the 19:00 end of the staff day, \
                  including three blocked gambling requests." };
pub(super) const IN_HOURS_STAFF: Event = Event { kind: "in_hours_staff", day: TUESDAY, from: hm(7, 15),
    to: hm(7, 40), moments: &[],
    description: "{user} browsed allowed sites on Tuesday from 07:15 to 07:40, inside the staff day that starts \
                  at 07:00." };
pub(super) const WEEKEND_STAFF: Event = Event { kind: "weekend_staff", day: SATURDAY, from: hm(14, 0),
    to: hm(14, 30), moments: &[],
    description: "{user} browsed for half an hour on Saturday afternoon, when the school is closed." };
pub(super) const PROXY_HUNTER: Event = Event { kind: "proxy_hunter", day: THURSDAY, from: hm(11, 5),
    to: hm(11, 17), moments: &[],
    description: "Year 9 pupil {user} tried 26 blocked proxy sites and searched six times for ways round the \
                  filter in twelve minutes on Thursday morning." };
pub(super) const ADWARE: Event = Event { kind: "adware", day: TUESDAY, from: hm(9, 0), to: hm(15, 0), moments: &[],
    description: "The Chromebook of {user} made a steady stream of 400 blocked advert and tracker requests all \
                  Tuesday, the mark of adware rather than of a person." };
pub(super) const SCATTERED_BLOCKS: Event = Event { kind: "scattered_blocks", day: MONDAY, from: hm(9, 10),
    to: hm(15, 6), moments: &[hm(9, 10), hm(12, 40), hm(15, 5)],
    description: "{user} hit three blocked gambling sites at about 09:10, 12:40 and 15:05 on Monday, too far \
                  apart to be repeated attempts." };
pub(super) const SELFHARM_SEARCH: Event = Event { kind: "selfharm_search", day: FRIDAY, from: hm(13, 2),
    to: hm(13, 10), moments: &[],
    description: "Year 8 pupil {user} searched for ways to self-harm and tried a self-harm site, twelve blocked \
                  requests in eight minutes on Friday lunchtime." };

/// Search engines; the first ones are where the filter shows blocked searches.
pub(super) const ENGINES: &[Engine] = &[
    Engine { host: "www.google.com", path: "/search?q=", suffix: "&hl=en-GB" },
    Engine { host: "www.bing.com", path: "/search?q=", suffix: "&form=QBLH" },
    Engine { host: "www.google.co.uk", path: "/search?q=", suffix: "&hl=en-GB" },
    Engine { host: "duckduckgo.com", path: "/?q=", suffix: "&ia=web" },
    Engine { host: "www.youtube.com", path: "/results?search_query=", suffix: "" },
    Engine { host: "www.ecosia.org", path: "/search?q=", suffix: "&method=index" },
];

pub(super) const HOMEWORK_TERMS: &[&str] = &[
    "water cycle diagram", "pythagoras theorem", "photosynthesis equation", "macbeth act 1 summary",
    "causes of ww1", "how do volcanoes form?", "french verbs être", "romeo & juliet themes",
    "what is 3/8 as a percentage", "simultaneous equations", "an inspector calls quotes",
    "structure of the heart", "battle of hastings 1066", "spanish numbers 1-100", "ionic bonding",
    "effects of climate change", "iambic pentameter", "convert cm to m", "periodic table",
    "how to revise for gcse",
];
pub(super) const STAFF_TERMS: &[&str] = &[
    "ofsted framework", "aqa gcse biology specification", "year 9 quadratics worksheet",
    "seating plan template", "bbc bitesize ks3 science", "kahoot", "gcse results day 2027",
    "mock exam timetable template",
];
/// Pupils' searches the filter blocks by keyword.
pub(super) const SILLY_TERMS: &[&str] = &["fortnite skins", "tiktok login", "snapchat web", "discord app", "rude jokes"];
pub(super) const PROXY_TERMS: &[&str] = &[
    "proxy unblocked", "free vpn school", "how to bypass school filter", "unblocked proxy site",
    "vpn for chromebook", "croxyproxy",
];
pub(super) const SELFHARM_TERMS: &[&str] = &[
    "ways to self harm", "how to hide cuts", "self harm without scars", "does self harm help",
];

/// Plain-HTTP paths and their MIME types.
pub(super) const PAGE_PATHS: &[(&str, &str)] = &[
    ("/", "text/html"), ("/revision/topics", "text/html"), ("/assets/site.css", "text/css"),
    ("/assets/app.js", "application/javascript"), ("/images/logo.png", "image/png"),
    ("/favicon.ico", "image/x-icon"),
];
pub(super) const BLOCKED_PATHS: &[&str] = &["/", "/", "/index.html", "/favicon.ico"];
/// First octets of made-up upstream server addresses.
pub(super) const PUBLIC_PREFIXES: &[u8] = &[13, 52, 104, 142, 151, 172, 185, 199];

pub(super) const SURNAMES: &[&str] = &[
    "smith", "jones", "taylor", "brown", "williams", "wilson", "johnson", "davies", "robinson", "wright",
    "thompson", "evans", "walker", "white", "roberts", "green", "hall", "wood", "jackson", "clarke", "patel",
    "khan", "lewis", "james", "phillips", "mason", "mitchell", "rose", "ahmed", "ali", "hussain", "begum",
    "shah", "kaur", "singh", "campbell", "anderson", "allen", "cook", "bailey", "parker", "miller", "harris",
    "martin", "cooper", "morris", "ward", "turner", "hill", "moore", "king", "baker", "murphy", "kelly",
    "obrien", "nowak", "kowalski", "okafor", "adeyemi", "hughes",
];
pub(super) const FIRST_NAMES: &[&str] = &[
    "oliver", "amelia", "george", "isla", "harry", "ava", "noah", "mia", "jack", "ivy", "leo", "lily",
    "arthur", "freya", "muhammad", "florence", "oscar", "grace", "charlie", "sophia", "jacob", "emily",
    "thomas", "poppy", "alfie", "ella", "henry", "evie", "theo", "isabella", "archie", "rosie", "joshua",
    "daisy", "james", "chloe", "samuel", "aisha", "ethan", "zara",
];
