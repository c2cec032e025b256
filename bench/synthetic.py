"""Deterministic synthetic news about one negotiation, for benchmarks.

Every article is built from sentence templates whose slots name actors (the seed actors of
``seeds/actors.csv`` by their names and aliases, and a synthetic world of people and
organisations), the five issues of ``seeds/issues.csv``, dates ("on Friday", "Aug. 18"),
numbers and quotes with curly and straight quotation marks. Slots also draw from a plain
English news vocabulary and from a few thousand made-up place, person and organisation
names, so two unrelated articles share about as many words as two real articles on the
same talks do (see ``python -m bench.synthetic --stats``) and are never near-duplicates.

The stream mixes (by default):

* ~85% distinct articles, 3,000-5,000 characters: a headline line, sometimes a byline,
  6-12 paragraphs;
* ~8% rewrites of an earlier article: sentence order shuffled, ~30% of the sentences
  reworded by synonym swaps (quotations kept verbatim), 10-35% dropped, a few added, new
  headline and outlet (as ``seeds/articles/000_*.txt`` rewrites ``001_*.txt``);
* ~4% exact copies of an earlier article with different whitespace (line endings, blank
  lines, doubled and trailing spaces): the same text to the content hash;
* ~3% distinct articles followed by a "Related Articles" tail of 2-3 other stories (as in
  ``seeds/articles/003_*.txt``), some of them teasers that recur under many pages.

Everything is a pure function of ``seed``: ``articles(n, seed)`` is a prefix of
``articles(m, seed)`` for n < m, and the synthetic actors of ``actor_rows`` are the people
and organisations the articles mention most (the rest of the world stays unregistered, so
mention finding also meets unknown names).

Public API: :func:`articles` (name, text), :func:`generate` (:class:`Article` with ground
truth: kind, original, actors mentioned, quotes with speaker, issue and position),
:func:`actor_rows` (synthetic actors as :class:`tracker.actors.ActorRow`),
:func:`seed_actor_rows`, :data:`ISSUES` and :class:`World` for other generators (e.g.
stances: ``World(seed).quote(rng, issue, position)``).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import functools
import random
import re
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tracker.actors import ActorRow

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

MIX = {"rewrite": 0.08, "copy": 0.04, "related": 0.03}  # the rest: distinct
# Rewrites: "light" ones as specified (~30% of sentences reworded by synonym swaps, 10-35%
# dropped); a share are "heavy" paraphrases closer to seeds 000/001 (bigram similarity 0.32):
# 80-100% of sentences reworded (20-50% retold as new sentences about the same story, the
# rest with most of their common words replaced), 30-50% dropped.
HEAVY_REWRITES = 0.25
RECENT = 2000  # rewrites and copies pick their original among this many recent articles
N_PEOPLE = 2000
N_ORGS = 300
N_PLACES = 1500
N_TEASERS = 40
FIRST_DAY = dt.date(2024, 1, 1)
LAST_DAY = dt.date(2026, 10, 31)

# --- vocabulary -----------------------------------------------------------------------

# Each article words its two issues in a few of these ways, fixed per story.
ISSUES: dict[str, tuple[str, ...]] = {
    "ceasefire-first": (
        "a ceasefire",
        "an immediate ceasefire",
        "a {N}-day ceasefire",
        "a truce along the current front line",
        "an unconditional ceasefire",
        "a halt to strikes on energy infrastructure",
        "a ceasefire in the air and at sea",
        "a pause in the fighting before any talks",
        "a ceasefire as the first step",
        "a full ceasefire monitored by {ORG}",
        "a ceasefire around {PLACE}",
        "an Easter truce",
        "a moratorium on long-range strikes",
        "a {ADJ} truce",
        "a freeze on hostilities from {MD}",
        "a ceasefire before negotiations",
    ),
    "land-swaps": (
        "land swaps",
        "an exchange of territory",
        "territorial concessions in the Donbas",
        "a swap of occupied land around {PLACE}",
        "the withdrawal of Ukrainian troops from {PLACE}",
        "Russian control of the {PLACE} region",
        "giving up land in the east",
        "a freeze of the front line near {PLACE}",
        "recognition of the annexation of Crimea",
        "a referendum on the status of {PLACE}",
        "handing over the rest of Donetsk",
        "a demilitarised zone around {PLACE}",
        "de facto recognition of the occupied territories",
        "the return of {PLACE} to Ukraine",
        "a territorial deal on {PLACE}",
    ),
    "nato-membership": (
        "NATO membership for Ukraine",
        "Ukraine's bid to join NATO",
        "an invitation to join the alliance",
        "a pledge never to enlarge NATO eastward",
        "neutral status for Ukraine",
        "membership of the Atlantic alliance",
        "a timetable for Ukraine’s NATO accession",
        "a ban on Ukraine joining military blocs",
        "an irreversible path to NATO",
        "Kyiv's membership hopes",
        "a NATO summit invitation for Kyiv",
        "a constitutional clause on NATO",
    ),
    "troop-deployments": (
        "the deployment of European troops",
        "a reassurance force of {N},000 soldiers",
        "peacekeepers along the contact line",
        "foreign troops on Ukrainian soil",
        "a naval mission in the Black Sea",
        "air patrols over western Ukraine",
        "troops from the coalition of the willing",
        "a monitoring mission stationed in {PLACE}",
        "British and French troops in {PLACE}",
        "a multinational brigade near {PLACE}",
        "Turkish peacekeepers",
        "trainers and logistics troops",
        "a UN-mandated force",
        "boots on the ground",
    ),
    "security-guarantees": (
        "security guarantees",
        "Article 5-style guarantees",
        "binding security guarantees",
        "guarantees backed by the United States",
        "long-term military aid",
        "a US backstop for a European force",
        "written guarantees from Washington",
        "a security pact with Kyiv",
        "guarantees ratified by {N} parliaments",
        "a Budapest Memorandum that works",
        "a porcupine strategy for Ukraine",
        "guarantees that outlast any ceasefire",
        "a {ADJ} guarantee package",
        "air defence commitments",
    ),
}
NOUNS = """
agreement proposal plan framework deal roadmap memorandum document draft package initiative
offer compromise formula arrangement mechanism settlement accord treaty declaration timetable
deadline schedule process format channel dialogue consultation summit meeting session round
visit conference briefing hearing vote referendum mandate resolution sanction embargo tariff
ceiling quota levy loan grant fund budget reserve pipeline terminal corridor port railway
bridge highway dam plant reactor grid substation refinery depot warehouse airfield airbase
garrison brigade battalion regiment division fleet flotilla convoy drone missile battery radar
interceptor howitzer launcher minefield trench bunker checkpoint border frontier perimeter
enclave territory province district village suburb coastline island peninsula river valley
ridge plateau steppe forest harbour strait reservoir canal mine quarry stadium cathedral
monastery university hospital clinic school library museum archive theatre market exchange
bank insurer creditor bond currency inflation recession recovery reconstruction shipment
delivery stockpile inventory factory workforce harvest fertiliser fuel electricity heating
offensive counteroffensive assault raid bombardment incursion advance retreat withdrawal
rotation mobilisation exercise drill patrol mission operation evacuation blockade siege
curfew lockdown outage blackout shortage surplus backlog dispute quarrel rift standoff impasse
stalemate breakthrough setback milestone precedent loophole clause annex protocol amendment
signature ratification veto quorum coalition alliance bloc caucus faction delegation cabinet
ministry parliament tribunal court inquiry probe audit report survey census poll estimate
forecast assessment review scenario prospect outcome consequence risk threat warning signal
gesture overture ultimatum concession condition demand request appeal pledge commitment
obligation assurance priority strategy doctrine posture narrative rhetoric leverage pressure
momentum deterrent buffer backstop safeguard inspection verification compliance violation
breach incident provocation escalation de-escalation truce armistice lull exchange swap
abattoir academy accountant acquisition address adjustment administrator adversary advocate
agenda aircraft airline airport allowance ammunition anniversary apartment appetite
application appointment architecture arena argument arrest arsenal artillery asylum athlete
auction authority autumn avenue award balance ballot bakery banner bargain barracks barrier
basement basin battlefield beach benchmark bicycle billboard biography blueprint boardroom
boat bond booklet boundary brewery broadcast brochure bulletin bureau butcher cabin cable
campaign canteen capacity capital cargo carrier cartoon casino catalogue cellar cemetery
chamber champion chapel charity charter chemist chronicle cinema circuit citadel citizen
classroom climate coalfield collection colony column commissioner committee commodity
community company compound concert confession congress conscience consensus consortium
constitution consulate container contract convention cooperative copper cottage council
courtroom crater credit crisis criterion crossroads cruiser cupboard curriculum customs
dashboard database debate decree defendant deficit delegate democracy department deposit
designer destroyer diary diaspora dictionary diesel diploma directive discount dividend
dockyard doctrine dormitory dossier downturn dynasty earthquake ecosystem edition election
embassy emergency emperor employer encampment encyclopedia engine entrance envelope epidemic
equipment escort estate ethic exhibition expedition explosion exporter facility fairground
famine farmhouse federation ferry festival fiction filter fishery flagship flood footage
fortress forum foundry fountain fraction franchise freight frigate fuselage galaxy gallery
garage garden gateway generator glacier governor granary greenhouse guideline gymnasium
handbook hangar headquarters helicopter heritage highland hostel household hurricane
icebreaker ideology illness immigrant incentive infantry inflow injury inn insurgency
interview inventor island jetty journal judge junction jury kingdom kitchen laboratory
landmark landslide lawsuit lecture legislation licence lighthouse limousine livestock lobby
locomotive logistics lorry magazine magistrate manifesto manuscript marathon marina mayor
meadow medal memorial merchant metropolis microphone militia minister minority monument
mortgage motorway municipality mural narrative network newsroom nomination notebook novel
observatory occupation orchard orchestra ordinance outpost overpass pamphlet parade parcel
parish partnership passenger passport pavilion pension petition pharmacy pilgrimage pitch
plantation platform playground plaza poster pottery powerhouse precinct premiere presidency
printer prison procession professor programme promenade prosecutor publisher pulpit pump
quarantine quarter questionnaire railhead rally ranch recession recruit referee refuge
registry rehearsal reinsurance relic republic reservoir residence retailer revenue revolt
ring riot rocket runway sailor salary sanctuary satellite scandal scholarship seaport
secretariat sector seminar senate sentry sewage shipyard shelter shrine skyline smuggler
snowfall soldier spacecraft spokesperson squadron stadium startup statue steelworks storage
storm studio submarine subsidy subway supermarket surgeon symposium syndicate tanker taxpayer
telegram telescope tenant textbook thunderstorm tournament tower tractor trader tradition
tramline transcript transit treasury tributary trophy tunnel turbine typhoon underpass
uniform union upgrade utility vaccine vault vehicle vendor verdict vessel viaduct vineyard
volcano voucher wage wagon watchdog waterfront weapon wetland wharf wilderness windmill
workshop yacht yard
"""
PLURALS = """
talks negotiations officials troops refugees sanctions shipments weapons drones missiles
civilians residents volunteers diplomats lawmakers investors farmers engineers teachers
doctors workers prisoners soldiers pensioners children families households villages towns
regions roads bridges schools hospitals warehouses factories substations trains trucks
tanks shells mines observers monitors inspectors mediators envoys negotiators delegates
ambassadors advisers aides analysts economists journalists volunteers reservists conscripts
veterans evacuees detainees hostages casualties
accountants activists architects artists athletes bankers bloggers bishops builders
businessmen cadets carpenters chemists clerks coaches commuters contractors correspondents
customers dentists designers dockers drivers editors electricians entrepreneurs exporters
firefighters fishermen historians importers judges landlords lawyers librarians mechanics
merchants miners musicians nurses officers paramedics parents partisans pilots plumbers
policemen priests professors prosecutors rescuers retailers sailors scholars scientists
shopkeepers students surgeons taxpayers tenants tourists traders translators truckers
voters welders
"""
ADJECTIVES = """
new fragile lasting durable comprehensive partial limited broad narrow binding formal informal
tentative preliminary final detailed vague ambitious modest realistic credible reliable robust
weak strong firm cautious sceptical optimistic hopeful confident urgent immediate gradual
phased conditional temporary permanent provisional interim joint bilateral trilateral
multilateral regional domestic political military economic humanitarian financial legal
technical diplomatic strategic tactical symbolic practical pragmatic controversial contentious
sensitive delicate difficult complex unprecedented unexpected surprising dramatic significant
major minor key central crucial decisive critical serious grave severe heavy intense fierce
sporadic renewed fresh repeated persistent continuing growing mounting rising falling sharp
steady slow rapid swift lengthy brief coastal rural urban industrial agricultural maritime
naval aerial nuclear conventional secret confidential public private official unofficial
senior former current outgoing acting prominent influential independent neutral hostile
friendly rival allied competing separate parallel alternative additional costly expensive
cheap fragmented coordinated chaotic orderly tense calm quiet bitter frosty cordial warm
constructive productive fruitless inconclusive decisive landmark historic unusual routine
abrupt absurd accidental adequate adjacent advanced aggressive alarming ancient annual
anonymous anxious apparent arbitrary armoured ancillary audacious austere autonomous awkward
bankrupt baroque belated benign bizarre blunt bold bureaucratic busy candid careless casual
catastrophic celebrated ceremonial charitable cheerful chronic circular civic clandestine
classified clumsy collective colonial colossal commercial compact compulsory concrete
confusing conservative considerable consistent constitutional contemporary convenient
corporate corrupt courageous covert creative criminal cultural curious cynical daily daring
dated defensive deliberate democratic dense desperate devastating digital dim disastrous
discreet disputed distant distinct divided dubious dull dusty dynamic eager earnest eccentric
efficient elaborate elderly electoral elegant eloquent emotional endless enormous epic
erratic essential ethnic evasive exhausted exotic explicit explosive extensive faint
familiar famous federal feeble fertile fictional flexible fluent foreign forgotten frantic
frequent frozen frustrated fundamental generous genuine gentle gigantic global golden
graceful gradual grim gross hasty hazardous hidden honest humble hungry hypothetical iconic
idle illegal imaginary immense imperial implicit improbable inadequate incremental indirect
inevitable informative inherent innovative intact intellectual intermittent invisible
isolated legendary liberal literal local lonely loyal lucrative marginal massive mature
meagre medieval mild militant mobile moderate modern monthly moral municipal mutual mysterious
naive national native noisy notable novel numerous obscure obsolete obvious occasional odd
ominous orthodox overdue overwhelming painful parliamentary passive patient peaceful
peculiar peripheral plausible polite popular portable precise predictable pregnant premature
prestigious primitive prolonged prosperous provincial prudent punitive radical random rare
reckless regular relentless reluctant remote residential resilient respectable restless
rhetorical rigid ritual robust rough ruthless sacred scarce seasonal secular selective
shallow shrewd silent sincere skilful sluggish smooth sober solemn sophisticated sparse
spectacular spontaneous stable stark sterile stubborn subtle sudden superficial supreme
suspicious sustainable systematic tangible tedious territorial thorough tidy tight tiny
tolerant toxic traditional tragic tranquil transparent tremendous trivial turbulent
ubiquitous unanimous uncertain unpopular unstable useful vague valuable vast verbal vibrant
vigilant vital volatile voluntary vulnerable wealthy weekly wholesale widespread wild wise
"""
# base, past, past participle
VERBS = [
    tuple(v.split("/"))
    for v in """
accept/accepted/accepted reject/rejected/rejected support/supported/supported
oppose/opposed/opposed discuss/discussed/discussed consider/considered/considered
review/reviewed/reviewed delay/delayed/delayed postpone/postponed/postponed
demand/demanded/demanded propose/proposed/proposed endorse/endorsed/endorsed
finance/financed/financed monitor/monitored/monitored guarantee/guaranteed/guaranteed
secure/secured/secured restore/restored/restored rebuild/rebuilt/rebuilt
protect/protected/protected defend/defended/defended target/targeted/targeted
seize/seized/seized capture/captured/captured deploy/deployed/deployed
station/stationed/stationed train/trained/trained equip/equipped/equipped
supply/supplied/supplied deliver/delivered/delivered block/blocked/blocked
lift/lifted/lifted ease/eased/eased tighten/tightened/tightened extend/extended/extended
expand/expanded/expanded limit/limited/limited restrict/restricted/restricted
freeze/froze/frozen release/released/released return/returned/returned
evacuate/evacuated/evacuated inspect/inspected/inspected verify/verified/verified
sign/signed/signed ratify/ratified/ratified approve/approved/approved
revise/revised/revised amend/amended/amended draft/drafted/drafted
present/presented/presented submit/submitted/submitted unveil/unveiled/unveiled
announce/announced/announced confirm/confirmed/confirmed deny/denied/denied
dismiss/dismissed/dismissed welcome/welcomed/welcomed criticise/criticised/criticised
condemn/condemned/condemned praise/praised/praised question/questioned/questioned
challenge/challenged/challenged undermine/undermined/undermined
strengthen/strengthened/strengthened weaken/weakened/weakened link/linked/linked
prioritise/prioritised/prioritised accelerate/accelerated/accelerated
revive/revived/revived resume/resumed/resumed suspend/suspended/suspended
halt/halted/halted launch/launched/launched coordinate/coordinated/coordinated
negotiate/negotiated/negotiated mediate/mediated/mediated broker/brokered/brokered
host/hosted/hosted attend/attended/attended boycott/boycotted/boycotted
back/backed/backed compensate/compensated/compensated demine/demined/demined
patrol/patrolled/patrolled guard/guarded/guarded reinforce/reinforced/reinforced
fortify/fortified/fortified relocate/relocated/relocated repair/repaired/repaired
reopen/reopened/reopened seal/sealed/sealed survey/surveyed/surveyed
document/documented/documented investigate/investigated/investigated
sanction/sanctioned/sanctioned pressure/pressured/pressured reassure/reassured/reassured
threaten/threatened/threatened pledge/pledged/pledged withdraw/withdrew/withdrawn
strike/struck/struck shoot/shot/shot hold/held/held break/broke/broken
abandon/abandoned/abandoned absorb/absorbed/absorbed acquire/acquired/acquired
adopt/adopted/adopted advertise/advertised/advertised allocate/allocated/allocated
analyse/analysed/analysed appoint/appointed/appointed arrest/arrested/arrested
assemble/assembled/assembled assess/assessed/assessed auction/auctioned/auctioned
audit/audited/audited authorise/authorised/authorised award/awarded/awarded
bargain/bargained/bargained borrow/borrowed/borrowed bury/buried/buried
calculate/calculated/calculated cancel/cancelled/cancelled celebrate/celebrated/celebrated
certify/certified/certified circulate/circulated/circulated classify/classified/classified
collect/collected/collected commission/commissioned/commissioned
compile/compiled/compiled complete/completed/completed conceal/concealed/concealed
confiscate/confiscated/confiscated consolidate/consolidated/consolidated
construct/constructed/constructed contest/contested/contested convene/convened/convened
convert/converted/converted correct/corrected/corrected dedicate/dedicated/dedicated
demolish/demolished/demolished deport/deported/deported deposit/deposited/deposited
destroy/destroyed/destroyed detain/detained/detained detect/detected/detected
dispatch/dispatched/dispatched dissolve/dissolved/dissolved distribute/distributed/distributed
divert/diverted/diverted donate/donated/donated downgrade/downgraded/downgraded
drain/drained/drained enforce/enforced/enforced enlarge/enlarged/enlarged
escort/escorted/escorted estimate/estimated/estimated examine/examined/examined
excavate/excavated/excavated exclude/excluded/excluded expel/expelled/expelled
export/exported/exported expose/exposed/exposed fabricate/fabricated/fabricated
flood/flooded/flooded forecast/forecast/forecast forge/forged/forged harvest/harvested/harvested
highlight/highlighted/highlighted hire/hired/hired import/imported/imported
install/installed/installed insure/insured/insured intercept/intercepted/intercepted
invest/invested/invested isolate/isolated/isolated lease/leased/leased
legalise/legalised/legalised liberate/liberated/liberated license/licensed/licensed
manufacture/manufactured/manufactured measure/measured/measured merge/merged/merged
mobilise/mobilised/mobilised modernise/modernised/modernised nationalise/nationalised/nationalised
nominate/nominated/nominated obstruct/obstructed/obstructed occupy/occupied/occupied
operate/operated/operated overhaul/overhauled/overhauled overturn/overturned/overturned
pardon/pardoned/pardoned photograph/photographed/photographed plunder/plundered/plundered
print/printed/printed privatise/privatised/privatised publish/published/published
purchase/purchased/purchased quarantine/quarantined/quarantined rebrand/rebranded/rebranded
recruit/recruited/recruited redeploy/redeployed/redeployed refinance/refinanced/refinanced
register/registered/registered reinstate/reinstated/reinstated renovate/renovated/renovated
rent/rented/rented replace/replaced/replaced rescue/rescued/rescued reward/rewarded/rewarded
salvage/salvaged/salvaged smuggle/smuggled/smuggled stockpile/stockpiled/stockpiled
subsidise/subsidised/subsidised transfer/transferred/transferred
transport/transported/transported upgrade/upgraded/upgraded vaccinate/vaccinated/vaccinated
""".split()
]
REPORTING = """
said warned argued insisted stressed noted acknowledged suggested claimed conceded signalled
hinted repeated added explained maintained cautioned predicted complained emphasised
indicated admitted recalled announced confirmed reiterated declared asserted
""".split()
ADVERBS = """
repeatedly publicly privately firmly openly quietly reportedly apparently clearly strongly
sharply cautiously bluntly flatly categorically reluctantly swiftly gradually initially
ultimately recently previously already formally informally separately jointly directly
""".split()
MODALS = "would could should must might will may".split()
CITIES = """
Paris London Berlin Rome Brussels Geneva Vienna Warsaw Helsinki Stockholm Oslo Copenhagen
Istanbul Ankara Riyadh Jeddah Doha Washington Anchorage Kyiv Moscow Minsk Budapest Bratislava
Madrid Lisbon Tallinn Riga Vilnius Chisinau Bucharest Sofia Belgrade Baku Astana Beijing
Tokyo Ottawa Prague Dublin Athens Zagreb Valletta
""".split()
CAPITALS = "Kyiv Moscow Washington Paris Berlin London Brussels Ankara Warsaw Rome".split()
NATIONALITIES = "Ukrainian Russian American French German British European Turkish Polish".split()
OUTLETS = """Reuters|Associated Press|AFP|Bloomberg|Financial Times|The Guardian|BBC|Politico|
Axios|The Wall Street Journal|The New York Times|Le Monde|Der Spiegel|Kyiv Independent|
Ukrainska Pravda|Meduza|Interfax|TASS|Anadolu|Daily8|Metro|Middle East Eye|Euronews|
Deutsche Welle""".replace("\n", "").split("|")
AUDIENCES = (
    "reporters",
    "journalists in {CITY}",
    "reporters from {OUTLET}",
    "lawmakers",
    "state television",
    "a news conference in {CITY}",
    "students at a university in {CITY}",
    "a security forum in {CITY}",
)
SOURCES = (
    "two sources familiar with the talks",
    "a senior {NAT} official",
    "people briefed on the {NOUN}",
    "diplomats in {CITY}",
    "{OUTLET}",
    "officials in {CAPITAL}",
    "three people with knowledge of the {NOUN}",
    "a readout from {CAPITAL}",
    "a person close to the delegation",
    "{ORG}",
)
SYNONYM_GROUPS = """
talks negotiations discussions | meeting summit session | proposal plan offer blueprint
officials diplomats representatives | warned cautioned | insisted maintained
stressed emphasised underlined | suggested indicated hinted | criticised condemned denounced
support back endorse | supported backed endorsed | reject dismiss rebuff
rejected dismissed rebuffed | discuss address examine | discussed addressed examined
consider weigh study | considered weighed studied | deal agreement accord pact
ceasefire truce | war conflict | troops forces soldiers | fighting clashes combat
region area province | fragile shaky precarious | lasting durable enduring
immediate swift prompt | new fresh | major significant substantial | key crucial central
difficult tough hard | sources insiders | expected due set | statement communique
guarantees assurances | pledged promised vowed | announced unveiled declared
reporters journalists | country nation | government administration | attacks strikes assaults
residents locals inhabitants | villages settlements | damaged hit | destroyed wrecked
delay postpone | delayed postponed | role part | questions doubts | progress headway
pressure leverage | aid assistance help | weapons arms | shipments deliveries consignments
analysts experts observers | survey poll | repeatedly again | publicly openly
sharply strongly | cautious careful | sceptical doubtful | urgent pressing
controversial contentious | serious grave | talked spoke | visit trip | ready willing
proposed floated | halt stop | resume restart | end conclude | withdrawal pullback
deployment dispatch | border frontier | deadline cutoff | setback blow | rift split
impasse deadlock stalemate | escalation flare-up | concession compromise | demand request
""".split("|")
SYNONYMS: dict[str, tuple[str, ...]] = {}
for _group in SYNONYM_GROUPS:
    _words = _group.split()
    for _word in _words:
        SYNONYMS.setdefault(_word, tuple(w for w in _words if w != _word))

MONTHS: tuple[str, ...] = ("Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.")
MONTHS += ("Sept.", "Oct.", "Nov.", "Dec.")
MONTH_NAMES = "January February March April May June July August September October".split()
MONTH_NAMES += ["November", "December"]
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
ORDINALS = "second third fourth fifth sixth seventh next".split()

FIRST_NAMES = {
    "ua": "Oleh Andriy Mykola Yulia Olena Iryna Dmytro Serhiy Taras Oksana Vitaliy Yaroslav "
    "Kateryna Bohdan Halyna Roman Vasyl Nataliya Ihor Ruslan",
    "ru": "Sergei Dmitry Alexei Nikolai Igor Yevgeny Maria Anna Tatiana Vladislav Mikhail Pavel "
    "Oleg Svetlana Konstantin Grigory Yelena Boris Artyom Kirill",
    "west": "John Michael Sarah Emma Thomas Laura David Claire Pierre Camille Jean Julia Lukas "
    "Annika Marco Giulia Piotr Agnieszka Jan Eva Henrik Sofie Matteo James Rachel Daniel "
    "Olivia Philippe Katarina Mateusz",
    "tr": "Mehmet Ayse Emre Zeynep Mustafa Elif Kemal Selin Burak Deniz",
}
FEMALE = set(
    "Yulia Olena Iryna Oksana Kateryna Halyna Nataliya Maria Anna Tatiana Svetlana Yelena Sarah "
    "Emma Laura Claire Camille Julia Annika Giulia Agnieszka Eva Sofie Rachel Olivia Katarina "
    "Ayse Zeynep Elif Selin".split()
)
SURNAME_ENDINGS = {
    "ua": ("enko", "chuk", "yshyn", "iv", "ovych", "yuk", "ko", "ak"),
    "ru": ("ov", "ev", "in", "sky", "ikov", "anov"),
    "west": ("son", "ley", "ford", "man", "er", "ton", "berg", "ini", "ski", "eau", "ard", "ez"),
    "tr": ("oglu", "kaya", "demir", "can", "soy", "tas"),
}
ROLES = {
    "ua": (
        "Deputy Foreign Minister",
        "Defence Minister",
        "presidential adviser",
        "lawmaker",
        "Deputy Prime Minister",
        "chief negotiator",
        "Energy Minister",
        "Governor",
        "Ukrainian Ambassador",
    ),
    "ru": (
        "Deputy Foreign Minister",
        "Kremlin spokesman",
        "State Duma deputy",
        "Security Council Secretary",
        "Russian negotiator",
        "Russian Ambassador",
    ),
    "west": (
        "Foreign Minister",
        "Defence Secretary",
        "national security adviser",
        "Senator",
        "special envoy",
        "Ambassador",
        "Deputy Secretary of State",
    ),
    "tr": ("Deputy Foreign Minister", "presidential spokesman", "Turkish Ambassador"),
}
PARTIES = {
    "ua": ("Ukraine",),
    "ru": ("Russia",),
    "west": (
        "United States",
        "France",
        "Germany",
        "United Kingdom",
        "Italy",
        "Finland",
        "Canada",
        "European Union",
        "NATO",
    ),
    "tr": ("Turkey",),
}
NATIONALITY_WEIGHTS = (("ua", 0.35), ("ru", 0.25), ("west", 0.32), ("tr", 0.08))
ORG_TYPES = (
    "Institute for Strategic Studies",
    "Centre for Security Studies",
    "Foundation",
    "Monitoring Group",
    "Policy Forum",
    "Analytical Centre",
    "Human Rights Group",
    "Energy Agency",
    "Reconstruction Fund",
    "Demining Agency",
    "Defence Industry Council",
    "Grain Exporters' Union",
    "Election Observation Mission",
    "Peace Research Institute",
)
PLACE_ENDINGS = ("ivka", "ove", "sk", "ets", "horod", "pil", "yne", "ka", "ovo", "ino", "ar")

_ONSETS = "b br d dr f g h k kl kr l m n p pl pr r s sk st t tr v z sh ch zh hr sl".split()
_VOWELS = "a e i o u a e o".split()
_CODAS = ["", "", "", "n", "r", "l", "s", "t", "m", "k", "v"]


# --- templates -------------------------------------------------------------------------

CLAUSES = (
    "{G} {MODAL} {VERB} {ISSUE}",
    "{G} {MODAL} {VERB} {ISSUE} if {G2} {VPAST} the {ADJ} {NOUN}",
    "the {ADJ} {NOUN} {MODAL} {VERB} {ISSUE} {FUT}",
    "{G} {READY} {VERB} {ISSUE} in exchange for {ISSUE2}",
    "{ISSUE} {MODAL} not be {VPART} without {ISSUE2}",
    "any {NOUN} on {ISSUE} {MODAL} have to be {VPART} by {G}",
    "the {NOUN} in {CITY} had {VPART} {ISSUE}",
    "{G} had {ADV} {VPART} the {ADJ} {NOUN} on {ISSUE}",
    "{ISSUE} remained the {ADJ} {NOUN} in the {TALKS}",
    "the {PLURAL} around {PLACE} {MODAL} {VERB} the {ADJ} {NOUN}",
    "there was no {ADJ} {NOUN} on {ISSUE} yet",
    "{G} and {G2} {APART} {ISSUE}",
    "{ISSUE} was {ADJ} but {ADJ2} {NOUN} on {ISSUE2} was possible",
    "{G} {MODAL} {VERB} {NUM} {PLURAL} from {PLACE} {FUT}",
    "{PLACE} {MODAL} {VERB} the {ADJ} {NOUN} before {ISSUE}",
    "the {ADJ} {NOUN} with {ORG} {MODAL} {VERB} {ISSUE}",
    "{NUM} {PLURAL} {MODAL} {VERB} the {NOUN} at {PLACE}",
)
LEDES = (
    "{S} {RV} {DAY} that {CLAUSE}, {SRC} said.",
    "{S} and {S2} discussed {ISSUE} at {TALKS} in {CITY} {DAY}, the first {ADJ} {NOUN} since {MD}.",
    "{G} {VPAST} {ISSUE} {DAY} as {S} {VPAST} the {ADJ} {NOUN} in {CITY}.",
    "{S} used a meeting with {S2} in {CITY} {DAY} to press for {ISSUE}, according to {SRC}.",
    "{TALKS} on {ISSUE} {STALL} {DAY} after {S} {VPAST} the {ADJ} {NOUN} put forward by {G}.",
    "{S} arrived in {CITY} {DAY} for {ADJ} {TALKS} on {ISSUE} and the {ADJ2} {NOUN} in {PLACE}.",
    "A {ADJ} {NOUN} over {ISSUE} {STALL} {DAY} when {S} {VPAST} {ISSUE2}.",
)
STATEMENTS = (
    "{S} said {DAY} that {CLAUSE}.",
    "{S} {RV} {DAY} that {CLAUSE}.",
    "{S} told {AUD} that {CLAUSE}.",
    "Speaking in {CITY} {DAY}, {S} {RV} that {CLAUSE}.",
    "{S} {RV} that {CLAUSE}, according to {SRC}.",
    "{STATEMENT} {DAY}, {S} {RV} that {CLAUSE}.",
    "{S} has {ADV} {VPART} {ISSUE}, arguing that {CLAUSE}.",
    "{S} {SOCIAL} that {CLAUSE}.",
    "Asked about {ISSUE}, {S} {RV} that {CLAUSE}.",
    "{S} {RAISE} {ISSUE} when {S2} visits {CITY} {FUT}.",
    "{S} met {S2} in {CITY} {DAY} to discuss {ISSUE} and {ISSUE2}.",
    "Earlier, {S} had {VPART} {ISSUE} as {ADJ}, {SRC} said.",
    "{S} {RV} {VENUE} that the {ADJ} {NOUN} in {PLACE} {MODAL} {VERB} {ISSUE}.",
    "After a {ADJ} {NOUN} with {S2}, {S} {RV} that {CLAUSE}.",
    "{S} {ADV} {VPAST} the {ADJ} {NOUN} from {ORG} {DAY}.",
)
QUOTES = (
    "{OQ}{QUOTE},{CQ} {S} said.",
    "{OQ}{QUOTE},{CQ} {S} told {AUD} {DAY}.",
    "{OQ}{QUOTE},{CQ} {S} {RV} in {CITY}.",
    "{S} said: {OQ}{QUOTE}.{CQ}",
    "{OQ}{QUOTE},{CQ} {S} {RV}, adding that {CLAUSE}.",
    "{S} {RV} that {OQ}{QUOTE}{CQ}, {REMARK}.",
    "{OQ}{QUOTE},{CQ} {S} said {VENUE} {DAY}.",
    "{S} {RV} {VENUE}: {OQ}{QUOTE}.{CQ}",
    "{OQ}{QUOTE},{CQ} {S} {RV}.",
)
BACKGROUND = (
    "{ISSUE} has been {ADJ} since {MONTHNAME} {YEAR}, when {CLAUSE}.",
    "In {YEAR}, {G} {VPAST} the {ADJ} {NOUN} in {CITY}.",
    "{ORG} estimates that {NUM} {PLURAL} have been {VPART} around {PLACE} since {MD}.",
    "Fighting around {PLACE} {INTENS} {DAY}, with {NUM} {PLURAL} reported {VPART} by {ORG}.",
    "The {ADJ} {NOUN} near {PLACE} was {VPART} {DAY}, {ORG} said.",
    "{P} of {ORG} said the {ADJ} {NOUN} {MODAL} {VERB} {ISSUE}.",
    "{EXPERTS} {ORG} said {CLAUSE}.",
    "The {PROPOSAL}, {REPORTED} {OUTLET} on {MD}, would {VERB} {ISSUE} in exchange for {ISSUE2}.",
    "{PCT} of {PLURAL} in {PLACE} back {ISSUE}, a {POLL} by {ORG} found.",
    "{ROUND} in {CITY} {FUT}.",
    "{UNCLEAR} {CLAUSE}.",
    "{S}'s {NOCOMMENT}.",
    "Officials in {CAPITAL} have {ADV} {VPART} the {ADJ} {NOUN} as {ADJ2}.",
    "{NUM} tonnes of {NOUN} equipment were {VPART} to {PLACE} {DAY}, {ORG} said.",
    "Residents of {PLACE} said the {ADJ} {NOUN} had {VPART} {PLURAL} across {REGION}.",
    "{DIVIDED} {ISSUE} and {ISSUE2}.",
    "The {TALKS} in {CITY} focused on {ISSUE}, {SRC} said.",
    "{P}, who {ATTENDED} the {ADJ} {NOUN}, described it as {ADJ2} and {ADJ3}.",
    "{TOLL}, according to {SRC}.",
    "{G} had {ADV} {VPART} {NUM} {PLURAL} to {PLACE} by {MD}.",
    "The {ADJ} {NOUN} in {PLACE} {STALL} {DAY} after {NUM} {PLURAL} {VPAST} the {NOUN2}.",
    "{ORG} {VPAST} a {ADJ} {NOUN} on {PLACE} {DAY}, citing {ADJ2} {PLURAL}.",
    "Near {PLACE}, {PLURAL} {VPAST} the {ADJ} {NOUN} and {VPAST} {NUM} {PLURAL2}.",
    "The {ADJ} {NOUN} of {PLACE} has {VPART} the {NOUN2} since {MONTHNAME}, {P} said.",
    "A {ADJ} {NOUN} worth {NUM} euros was {VPART} in {PLACE}, {OUTLET} reported.",
)
KINDS_OF_SENTENCE = ((STATEMENTS, 0.3), (QUOTES, 0.25), (BACKGROUND, 0.45))
PHRASES: dict[str, tuple[str, ...]] = {
    "VENUE": (
        "in a video address",
        "in a televised speech",
        "in an interview with {OUTLET}",
        "at a briefing in {CITY}",
        "on the sidelines of a {ADJ} {NOUN} in {CITY}",
        "in a post on Telegram",
        "in a radio interview",
        "during a visit to {PLACE}",
        "after talks in {CITY}",
        "at a joint news conference",
        "in remarks to {PLURAL} in {PLACE}",
        "in his evening address",
        "at the {ORG}",
        "at a {ADJ} {NOUN} in {PLACE}",
    ),
    "NOCOMMENT": (
        "office did not respond to a request for comment",
        "spokesperson declined to comment on the {NOUN}",
        "team could not immediately be reached",
        "office did not reply to questions from {OUTLET}",
        "aides refused to discuss the {ADJ} {NOUN}",
        "press service gave no details of the {NOUN}",
    ),
    "UNCLEAR": (
        "It was not immediately clear whether",
        "It was unclear whether",
        "It remains to be seen whether",
        "{OUTLET} could not verify whether",
        "There was no sign that",
        "Nobody in {CAPITAL} would say whether",
        "It is doubtful that",
    ),
    "APART": (
        "were still far apart on",
        "remained at odds over",
        "disagreed sharply on",
        "had yet to settle",
        "clashed again over",
        "found no common ground on",
    ),
    "DIVIDED": (
        "Both sides remain divided over",
        "The delegations are still split on",
        "No agreement was reached on",
        "Differences persist over",
        "Negotiators made little headway on",
    ),
    "SOCIAL": (
        "wrote on social media",
        "wrote on X",
        "posted on Telegram",
        "said in a Facebook post",
        "wrote in an op-ed for {OUTLET}",
        "said in a {ADJ} statement",
    ),
    "STATEMENT": (
        "In a statement released",
        "In a written statement",
        "In a readout of the call",
        "In a {ADJ} communique",
        "In comments published",
    ),
    "READY": ("seemed ready to", "appeared willing to", "was prepared to", "might agree to"),
    "REPORTED": (
        "first reported by",
        "described in a draft seen by",
        "leaked to",
        "outlined to",
    ),
    "PROPOSAL": ("proposal", "draft", "plan", "framework", "offer", "{N}-point plan"),
    "REMARK": (
        "a remark seen in {CITY} as a {ADJ} {NOUN}",
        "comments that {G} {VPAST} as {ADJ}",
        "words that drew a {ADJ} response from {G}",
        "which {OUTLET} called a {ADJ} shift",
    ),
    "ROUND": (
        "The {ORDINAL} round of talks is due to take place",
        "{ORDINAL} talks are scheduled",
        "Negotiators are expected to meet again",
        "A {ADJ} session is planned",
        "Technical teams will reconvene",
    ),
    "TOLL": (
        "The war has killed or wounded {NUM} people",
        "More than {NUM} {PLURAL} have been killed in {REGION} since {MD}",
        "Some {NUM} {PLURAL} have fled {PLACE} this year",
        "{NUM} {PLURAL} remain missing after the {ADJ} {NOUN} at {PLACE}",
    ),
    "RAISE": (
        "is expected to raise",
        "will press for",
        "plans to bring up",
        "is set to push",
        "hopes to settle",
    ),
    "ATTENDED": ("took part in", "attended", "chaired", "observed", "briefed {G} on"),
    "EXPERTS": ("Analysts at", "Researchers at", "A report by", "Experts from"),
    "POLL": ("survey", "poll", "study", "census"),
    "TALKS": ("talks", "negotiations", "consultations", "meetings", "discussions"),
}
POSITIONS: dict[int, tuple[str, ...]] = {
    2: (
        "there can be no peace without {I}",
        "{I} is not negotiable for us",
        "we insist on {I}, and we will not move on this",
        "{I} is the only way to stop the next war",
        "without {I} this war will simply start again",
        "we can't sign anything that doesn't include {I}",
        "{I} must be part of any {NOUN}",
        "give us {I} and we will talk about everything else",
        "our {PLURAL} deserve {I}",
        "{I} comes first, full stop",
    ),
    1: (
        "we are ready to talk about {I}",
        "{I} could work, if the details are right",
        "we see real progress on {I}",
        "{I} deserves a serious look",
        "we would support {I} under the right conditions",
        "I think {I} is closer than people believe",
        "there is a {ADJ} chance of {I}",
        "{I} is worth discussing with {CAPITAL}",
    ),
    0: (
        "it is too early to say anything about {I}",
        "nobody has put {I} on the table yet",
        "we will look at {I} when the time comes",
        "{I} was mentioned, but nothing was decided",
        "I won't comment on {I} today",
        "{I} is a matter for the {PLURAL} to decide",
    ),
    -1: (
        "{I} is premature at this stage",
        "we have serious doubts about {I}",
        "{I} would reward the aggressor",
        "{I} raises more questions than it answers",
        "{I} isn’t something we can accept today",
        "{I} looks {ADJ} to us",
        "I don't see how {I} helps the {PLURAL} of {PLACE}",
    ),
    -2: (
        "{I} is out of the question",
        "we will never accept {I}",
        "{I} is a red line for us",
        "nobody in {CAPITAL} will ever sign up to {I}",
        "let me be clear: {I} won't happen",
        "{I} would be a betrayal of {PLACE}",
        "forget about {I}",
    ),
}
QUOTE_TAILS = (
    "",
    "",
    "",
    "",
    " because the {ADJ} {NOUN} in {PLACE} shows what is at stake",
    ", and our {PLURAL} know it",
    ". The {NOUN} is {ADJ} and everyone can see it",
    ". We’ve said this to {CAPITAL} many times",
    ". That's what the {PLURAL} in {PLACE} are asking for",
    ", whatever {CAPITAL} says about the {NOUN}",
    ". Look at {PLACE}",
    ". The {ADJ} {NOUN} changes nothing",
)
HEADLINES = (
    "{S} {HV} {ISSUE} at {CITY} talks",
    "{S} says {ISSUE} {HSTATE}",
    "{G} and {G2} {HV2} over {ISSUE}",
    "{ORG} warns of {ADJ} {NOUN} in {PLACE} as talks on {ISSUE} stall",
    "{S} to meet {S2} in {CITY} as pressure grows over {ISSUE}",
    "Talks on {ISSUE} {HSTATE2} after {CITY} meeting",
    "What we know about {ISSUE} after the {CITY} talks",
)
HV = (
    "presses for",
    "pushes",
    "rejects",
    "backs",
    "signals flexibility on",
    "rules out",
    "demands",
    "floats",
    "hardens stance on",
    "softens stance on",
)
HSTATE = (
    "is off the table",
    "remains on the table",
    "must come first",
    "is within reach",
    "is still far off",
    "needs US backing",
)
HV2 = ("clash", "spar", "edge closer", "trade accusations", "dig in")
STALL = ("stalled", "resumed", "broke down", "moved forward", "dragged on")
INTENS = ("intensified", "eased", "flared again", "continued", "subsided")
OFF_TOPIC = (
    "Officials in {PLACE} said flooding along the {NOUN} had forced {NUM} {PLURAL} from "
    "their homes on {WEEKDAY}.",
    "The {ADJ} {NOUN} in {PLACE} will reopen next month after a {ADJ2} renovation costing "
    "{NUM} million euros, the mayor said.",
    "Prices of {NOUN} rose {PCT} in {MONTHNAME}, the statistics office in {CITY} reported, "
    "the fastest pace since {YEAR}.",
    "{P} was elected to lead the {ORG} on {WEEKDAY}, promising a {ADJ} {NOUN} and more money "
    "for {PLURAL}.",
    "A court in {CITY} ruled that the {ADJ} {NOUN} had been {VPART} unlawfully and ordered "
    "compensation for {NUM} {PLURAL}.",
    "Heavy snow closed roads around {PLACE}, and {NUM} households were left without "
    "electricity, the regional authorities said.",
    "The festival in {PLACE} drew {NUM} visitors this year, organisers said, despite the "
    "{ADJ} weather and a {ADJ2} {NOUN}.",
    "Researchers at the {ORG} said the {ADJ} {NOUN} could double the harvest of {PLACE} "
    "farmers within {N} years.",
    "Striking {PLURAL} in {CITY} rejected the {ADJ} {NOUN} offered by the government, "
    "their union said on {WEEKDAY}.",
)
TAIL_MARKERS = ("Related Articles", "Related Stories", "Read more", "More stories")
AGO = ("an hour ago", "2 hours ago", "3 hours ago", "yesterday", "5 hours ago")


# --- the world -------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    nationality: str
    female: bool
    role: str
    party: str
    variant: str | None  # another transliteration of ``last``

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def honorific(self) -> str:
        return f"{'Ms' if self.female else 'Mr'} {self.last}"


@dataclass(frozen=True)
class Org:
    name: str
    short: str  # "Varnet Institute"
    acronym: str | None
    party: str


@dataclass(frozen=True)
class SeedActor:
    name: str
    kind: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Quote:
    """A quotation in an article: who said it, on which issue, for or against."""

    speaker: str  # canonical actor name (seed or synthetic, registered or not)
    issue: str  # slug from seeds/issues.csv
    position: int  # -2 .. 2
    text: str  # the words between the quotation marks, as printed


@dataclass
class Article:
    """One generated input with its ground truth."""

    index: int
    name: str
    text: str
    kind: str  # "distinct", "rewrite", "copy" or "related" (distinct with a related tail)
    original: str | None = None  # for a rewrite or copy: the name of the article it copies
    style: str = ""  # for a rewrite: "light" or "heavy"
    title: str = ""
    published_on: dt.date | None = None
    actors: list[str] = field(default_factory=list)  # canonical names mentioned
    quotes: list[Quote] = field(default_factory=list)
    related: list[str] = field(default_factory=list)  # texts of the stories in the tail
    main_length: int = 0  # characters of ``text`` before the related tail, if any

    @property
    def main(self) -> str:
        """The article without its related tail."""
        return self.text[: self.main_length] if self.main_length else self.text


def seed_actor_rows() -> list[ActorRow]:
    """``seeds/actors.csv`` as import rows."""
    from tracker.actors import read_actor_csv

    return read_actor_csv(SEEDS / "actors.csv")


def _read_seed_actors() -> list[SeedActor]:
    with open(SEEDS / "actors.csv", encoding="utf-8", newline="") as handle:
        return [
            SeedActor(
                row["name"],
                row["kind"],
                tuple(a.strip() for a in row["aliases"].split(";") if a.strip()),
            )
            for row in csv.DictReader(handle)
        ]


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


class World:
    """The people, organisations, places and vocabulary shared by all articles of a seed."""

    def __init__(self, seed: int = 0) -> None:
        rng = random.Random(f"bench.synthetic.world/{seed}")
        self.seed = seed
        self.seed_actors = _read_seed_actors()
        self._taken = {_key(a) for s in self.seed_actors for a in (s.name, *s.aliases)}
        self._words: set[str] = {w.casefold() for w in NOUNS.split() + ADJECTIVES.split()}
        self.places = [self._place(rng) for _ in range(N_PLACES)]
        self.people = [self._person(rng) for _ in range(N_PEOPLE)]
        self.orgs = [self._org(rng) for _ in range(N_ORGS)]
        self.nouns = NOUNS.split()
        self.plurals = PLURALS.split()
        self.adjectives = ADJECTIVES.split()
        # A paraphrase replaces a word by another of the same kind (and verb form).
        self.paraphrases: dict[str, list[str]] = {}
        for pool in (self.nouns, self.plurals, self.adjectives, *zip(*VERBS, strict=True)):
            for word in pool:
                self.paraphrases.setdefault(word, list(pool))
        self.speakers = [s for s in self.seed_actors if s.kind in ("person", "government")]
        self.collectives = [
            s for s in self.seed_actors if s.kind in ("state", "organisation", "coalition")
        ]
        self.journalists = [f"{p.first} {p.last}" for p in self.people[-300:]]
        self.outlets = OUTLETS + [
            f"The {self._root(rng).title()} {kind}"
            for kind in ("Times", "Herald", "Post", "Observer", "Courier", "Gazette", "Review")
            for _ in range(4)
        ]
        self.teasers = [self._off_topic_story(rng) for _ in range(N_TEASERS)]

    # names

    def _root(self, rng: random.Random) -> str:
        syllables = rng.choice((1, 2, 2, 2, 3))
        return "".join(
            rng.choice(_ONSETS) + rng.choice(_VOWELS) + (rng.choice(_CODAS) if i else "")
            for i in range(syllables)
        )

    def _unique(self, make: Callable[[], str]) -> str:
        while True:
            name = make()
            key = _key(name)
            if key not in self._taken and key not in self._words and len(name) > 3:
                self._taken.add(key)
                return name

    def _place(self, rng: random.Random) -> str:
        return self._unique(lambda: (self._root(rng) + rng.choice(PLACE_ENDINGS)).title())

    def _person(self, rng: random.Random) -> Person:
        nationality = rng.choices(
            [n for n, _ in NATIONALITY_WEIGHTS], [w for _, w in NATIONALITY_WEIGHTS]
        )[0]
        first = rng.choice(FIRST_NAMES[nationality].split())
        female = first in FEMALE
        ending = rng.choice(SURNAME_ENDINGS[nationality])
        if female and nationality == "ru" and ending.endswith(("ov", "ev", "in")):
            ending += "a"
        elif female and nationality == "ru" and ending == "sky":
            ending = "skaya"
        last = self._unique(lambda: (self._root(rng) + ending).title())
        self._taken.add(_key(f"{first} {last}"))
        variant = _transliterate(last)
        if variant is not None and _key(variant) in self._taken:
            variant = None
        if variant is not None:
            self._taken.add(_key(variant))
        return Person(
            first,
            last,
            nationality,
            female,
            rng.choice(ROLES[nationality]),
            rng.choice(PARTIES[nationality]),
            variant,
        )

    def _org(self, rng: random.Random) -> Org:
        kind = rng.choice(ORG_TYPES)
        root = self._unique(lambda: self._root(rng).title())
        name = f"{root} {kind}"
        short = f"{root} {kind.split()[0]}"
        acronym = "".join(w[0] for w in name.split() if w[0].isupper())
        if len(acronym) > 4 or _key(acronym) in self._taken or rng.random() < 0.4:
            acronym = ""
        for alias in (name, short, acronym):
            if alias:
                self._taken.add(_key(alias))
        party = rng.choice(("", "", "Ukraine", "European Union", "United States", "Russia"))
        return Org(name, short if short != name else "", acronym or None, party)

    # registration

    def synthetic_actors(self, n: int) -> list[Person | Org]:
        """The ``n`` most mentioned synthetic people and organisations, nine people to one."""
        chosen: list[Person | Org] = []
        people, orgs = iter(self.people), iter(self.orgs)
        while len(chosen) < n:
            chosen.append(next(orgs) if len(chosen) % 10 == 9 else next(people))
        return chosen

    def actor_rows(self, n: int) -> list[ActorRow]:
        rows = []
        for index, entity in enumerate(self.synthetic_actors(n)):
            rng = random.Random(f"bench.synthetic.aliases/{self.seed}/{index}")
            if isinstance(entity, Person):
                aliases = [entity.last]
                if rng.random() < 0.85:
                    aliases.append(entity.honorific)
                if entity.variant and rng.random() < 0.4:
                    aliases.append(f"{entity.first} {entity.variant}")
                if entity.role[0].isupper() and rng.random() < 0.2:
                    aliases.append(f"{entity.role} {entity.last}")
                rows.append(ActorRow(entity.name, "person", entity.party, aliases))
            else:
                aliases = [a for a in (entity.short, entity.acronym) if a]
                rows.append(ActorRow(entity.name, "organisation", entity.party, aliases))
        return rows

    # pieces of text

    def pick_person(self, rng: random.Random) -> Person:
        return self.people[int(len(self.people) * rng.random() ** 3)]

    def pick_org(self, rng: random.Random) -> Org:
        return self.orgs[int(len(self.orgs) * rng.random() ** 3)]

    def issue_phrase(self, rng: random.Random, issue: str) -> str:
        return _fill_simple(rng.choice(ISSUES[issue]), rng, self)

    def quote(
        self,
        rng: random.Random,
        issue: str,
        position: int,
        fill: Callable[[str], str] | None = None,
        phrasing: Sequence[str] | None = None,
    ) -> str:
        """The words of a quotation taking ``position`` (-2 .. 2) on ``issue``; ``fill``
        and ``phrasing`` let an article use its own places and wording of the issue."""
        fill = fill or (lambda template: _fill_simple(template, rng, self))
        wording = rng.choice(phrasing or ISSUES[issue])
        text = rng.choice(POSITIONS[position]).replace("{I}", wording)
        return _capitalise(fill(text + rng.choice(QUOTE_TAILS)))

    def _off_topic_story(self, rng: random.Random) -> tuple[str, str, str]:
        """(title, outlet, body) of a story about something else: one long paragraph."""
        sentences = [_fill_simple(t, rng, self) for t in rng.sample(OFF_TOPIC, k=rng.randint(3, 6))]
        body = " ".join(_capitalise(s) for s in sentences)
        place = rng.choice(self.places)
        title = rng.choice(
            (
                f"{place} counts the cost after {rng.choice(self.nouns)} {rng.choice(STALL)}",
                f"Why {place} is talking about the {rng.choice(self.nouns)}",
                f"{rng.choice(self.adjectives).title()} {rng.choice(self.nouns)} divides {place}",
            )
        )
        return title, rng.choice(self.outlets), body


def _transliterate(last: str) -> str | None:
    for old, new in (
        ("iy", "yi"),
        ("kh", "h"),
        ("sky", "skiy"),
        ("chuk", "czuk"),
        ("enko", "enco"),
        ("yshyn", "ishin"),
        ("ovych", "ovich"),
        ("ov", "off"),
        ("ev", "yev"),
        ("oglu", "oğlu"),
        ("y", "i"),
    ):
        if old in last:
            return last.replace(old, new, 1)
    return None


def _capitalise(text: str) -> str:
    """Upper-case the first letter, after any opening quotation mark; "17 million" stays."""
    i = 1 if text[:1] in "“\"'‘" else 0
    return text[:i] + text[i : i + 1].upper() + text[i + 1 :]


_SLOT = re.compile(r"\{([A-Z0-9]+)\}")
_AN = re.compile(r"\b([Aa]) (?=[aioAIO]|[eE](?!u)|[uU]n(?!i)|[uU]lt)")


def _number(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.4:
        return str(rng.randint(12, 990))
    if kind < 0.8:
        return f"{rng.randint(1, 99)},{rng.randint(0, 999):03d}"
    return f"{rng.randint(2, 40)} million"


def _fill_simple(template: str, rng: random.Random, world: World) -> str:
    """Slots that need no article context (issue phrases, quotes, off-topic stories)."""

    def slot(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "N":
            return str(rng.choice((2, 3, 5, 10, 15, 20, 25, 30, 40, 60, 90)))
        if name == "NUM":
            return _number(rng)
        if name == "PLACE":
            return rng.choice(world.places)
        if name == "ORG":
            return world.pick_org(rng).name
        if name == "CAPITAL":
            return rng.choice(CAPITALS)
        if name == "CITY":
            return rng.choice(CITIES)
        if name in ("ADJ", "ADJ2"):
            return rng.choice(world.adjectives)
        if name == "NOUN":
            return rng.choice(world.nouns)
        if name == "PLURAL":
            return rng.choice(world.plurals)
        if name == "PCT":
            return f"{rng.randint(3, 89)}%"
        if name == "MD":
            return _month_day(FIRST_DAY + dt.timedelta(days=rng.randrange(365)))
        if name == "WEEKDAY":
            return rng.choice(WEEKDAYS)
        if name == "MONTHNAME":
            return rng.choice(MONTH_NAMES)
        if name == "YEAR":
            return str(rng.randint(2000, 2023))
        if name == "VPART":
            return rng.choice(VERBS)[2]
        if name == "P":
            person = world.pick_person(rng)
            return person.name
        raise KeyError(name)

    return _SLOT.sub(slot, template)


# --- one article -----------------------------------------------------------------------


@dataclass
class _Sentence:
    text: str
    quote: Quote | None = None
    actors: frozenset[str] = frozenset()


@dataclass
class _Story:
    """What an article is about: its cast, places, issues and day."""

    day: dt.date
    city: str
    places: list[str]
    people: list[Person]
    seed_speakers: list[SeedActor]
    collectives: list[SeedActor]
    orgs: list[Org]
    issues: list[str]
    phrasing: dict[str, list[str]]  # the article's few ways of naming each of its issues
    headline: str = ""
    sentences: list[_Sentence] = field(default_factory=list)


class _Writer:
    """Fills templates for one story, tracking first mentions and who is quoted."""

    def __init__(self, world: World, rng: random.Random, story: _Story) -> None:
        self.world, self.rng, self.story = world, rng, story
        self.mentioned: set[str] = set()
        self.actors: set[str] = set()
        self.quote: Quote | None = None
        self.curly = rng.random() < 0.6
        self._speaker: Person | SeedActor | None = None

    # choosing

    def _pick_speaker(self, other_than: object = None) -> Person | SeedActor:
        rng, story = self.rng, self.story
        while True:
            if rng.random() < 0.5:
                speaker: Person | SeedActor = rng.choice(story.people)
            else:
                speaker = rng.choice(story.seed_speakers)
            if speaker is not other_than:
                return speaker

    def _refer(self, actor: Person | SeedActor | Org) -> str:
        rng = self.rng
        if isinstance(actor, Person):
            self.actors.add(actor.name)
            if actor.name not in self.mentioned:
                self.mentioned.add(actor.name)
                return f"{actor.role} {actor.name}"
            roll = rng.random()
            if roll < 0.55:
                return actor.last
            if roll < 0.8:
                return actor.honorific
            if actor.variant and roll < 0.9:
                return f"{actor.first} {actor.variant}"
            return actor.name
        if isinstance(actor, Org):
            self.actors.add(actor.name)
            if actor.name not in self.mentioned:
                self.mentioned.add(actor.name)
                return f"the {actor.name}"
            options = [a for a in (actor.short, actor.acronym) if a]
            return rng.choice(options) if options and rng.random() < 0.6 else f"the {actor.name}"
        self.actors.add(actor.name)
        if actor.name not in self.mentioned or not actor.aliases:
            self.mentioned.add(actor.name)
            return actor.name
        return rng.choice(actor.aliases)

    def _collective(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.6:
            return self._refer(rng.choice(self.story.collectives))
        if roll < 0.8:
            return f"officials in {rng.choice(CAPITALS)}"
        return rng.choice(("European allies", "the two sides", "negotiators", "the delegations"))

    def _issue(self, secondary: bool = False) -> str:
        issues = self.story.issues
        issue = issues[1] if secondary or self.rng.random() < 0.3 else issues[0]
        return self.fill(self.rng.choice(self.story.phrasing[issue]))

    def _place(self) -> str:
        places = self.story.places
        return places[0] if self.rng.random() < 0.5 else self.rng.choice(places)

    def _day(self) -> str:
        rng, day = self.rng, self.story.day
        roll = rng.random()
        if roll < 0.45:
            back = day - dt.timedelta(days=rng.randint(0, 6))
            return f"on {WEEKDAYS[back.weekday()]}"
        if roll < 0.75:
            return f"on {_month_day(day - dt.timedelta(days=rng.randint(0, 3)))}"
        return rng.choice(("last week", "earlier this month", "late on Sunday", "this week"))

    def _future(self) -> str:
        rng = self.rng
        if rng.random() < 0.4:
            return f"by {_month_day(self.story.day + dt.timedelta(days=rng.randint(3, 40)))}"
        return rng.choice(("next week", "before the end of the month", "within weeks", "soon"))

    # filling

    def fill(self, template: str) -> str:
        return _SLOT.sub(self._slot, template)

    def _slot(self, match: re.Match[str]) -> str:
        name = match.group(1)
        rng, world, story = self.rng, self.world, self.story
        if name == "S":
            assert self._speaker is not None
            return self._refer(self._speaker)
        if name == "S2":
            return self._refer(self._pick_speaker(other_than=self._speaker))
        if name in ("G", "G2"):
            return self._collective()
        if name == "ISSUE":
            return self._issue()
        if name == "ISSUE2":
            return self._issue(secondary=True)
        if name == "CLAUSE":
            return self.fill(rng.choice(CLAUSES))
        if name == "QUOTE":
            return self._quote()
        if name == "OQ":
            return "“" if self.curly else '"'
        if name == "CQ":
            return "”" if self.curly else '"'
        if name == "DAY":
            return self._day()
        if name == "FUT":
            return self._future()
        if name == "MD":
            return _month_day(story.day - dt.timedelta(days=rng.randint(1, 60)))
        if name == "CITY":
            return story.city if rng.random() < 0.5 else rng.choice(CITIES)
        if name == "PLACE":
            return self._place()
        if name == "REGION":
            return f"the {self._place()} region"
        if name == "ORG":
            return self._refer(rng.choice(story.orgs))
        if name == "P":
            return self._refer(world.pick_person(rng))
        if name in ("ADJ", "ADJ2", "ADJ3"):
            return rng.choice(world.adjectives)
        if name in ("NOUN", "NOUN2"):
            return rng.choice(world.nouns)
        if name in ("PLURAL", "PLURAL2"):
            return rng.choice(world.plurals)
        if name in PHRASES:
            return self.fill(rng.choice(PHRASES[name]))
        if name == "VERB":
            return rng.choice(VERBS)[0]
        if name == "VPAST":
            return rng.choice(VERBS)[1]
        if name == "VPART":
            return rng.choice(VERBS)[2]
        if name == "RV":
            return rng.choice(REPORTING)
        if name == "ADV":
            return rng.choice(ADVERBS)
        if name == "MODAL":
            return rng.choice(MODALS)
        if name == "AUD":
            return self.fill(rng.choice(AUDIENCES))
        if name == "SRC":
            return self.fill(rng.choice(SOURCES))
        if name == "OUTLET":
            return rng.choice(world.outlets)
        if name == "NAT":
            return rng.choice(NATIONALITIES)
        if name == "CAPITAL":
            return rng.choice(CAPITALS)
        if name == "NUM":
            return _number(rng)
        if name == "N":
            return str(rng.randint(2, 60))
        if name == "PCT":
            return f"{rng.randint(3, 89)}%"
        if name == "YEAR":
            return str(rng.randint(2014, story.day.year - 1))
        if name == "MONTHNAME":
            return rng.choice(MONTH_NAMES)
        if name == "ORDINAL":
            return rng.choice(ORDINALS)
        if name == "INTENS":
            return rng.choice(INTENS)
        if name == "STALL":
            return rng.choice(STALL)
        if name == "HV":
            return rng.choice(HV)
        if name == "HV2":
            return rng.choice(HV2)
        if name == "HSTATE":
            return rng.choice(HSTATE)
        if name == "HSTATE2":
            return rng.choice(STALL)
        raise KeyError(name)

    def _quote(self) -> str:
        rng = self.rng
        issue = self.story.issues[0] if rng.random() < 0.7 else self.story.issues[1]
        position = rng.choice((-2, -1, 0, 1, 2))
        text = self.world.quote(rng, issue, position, self.fill, self.story.phrasing[issue])
        if not self.curly:
            text = text.replace("’", "'")
        assert self._speaker is not None
        self.quote = Quote(self._speaker.name, issue, position, text)
        return text

    def sentence(self, template: str) -> _Sentence:
        self._speaker = self._pick_speaker()
        self.quote = None
        before = set(self.actors)
        text = _AN.sub(r"\1n ", _capitalise(self.fill(template)))
        return _Sentence(text, self.quote, frozenset(self.actors - before))

    def body_sentence(self) -> _Sentence:
        rng = self.rng
        roll = rng.random()
        group: tuple[str, ...] = BACKGROUND
        for templates, share in KINDS_OF_SENTENCE:
            if roll < share:
                group = templates
                break
            roll -= share
        return self.sentence(rng.choice(group))

    def headline(self) -> str:
        self._speaker = self._pick_speaker()
        for _ in range(20):
            title = _capitalise(self.fill(self.rng.choice(HEADLINES))).replace(",", "")
            if len(title) < 120 and not title.endswith("."):
                return title
        return "Talks resume"


def _month_day(day: dt.date) -> str:
    return f"{MONTHS[day.month - 1]} {day.day}"


def _paragraphs(rng: random.Random, sentences: Sequence[str]) -> list[str]:
    count = min(rng.randint(6, 12), len(sentences))
    cuts = sorted(rng.sample(range(1, len(sentences)), count - 1)) if count > 1 else []
    bounds = [0, *cuts, len(sentences)]
    return [" ".join(sentences[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]


def _layout(
    rng: random.Random,
    world: World,
    story: _Story,
    headline: str,
    sentences: Sequence[str],
    outlet: str,
) -> str:
    """Headline, an optional byline and dateline, and the sentences in 6-12 paragraphs."""
    paragraphs = _paragraphs(rng, sentences)
    roll = rng.random()
    if roll < 0.3:
        paragraphs[0] = (
            f"{story.city.upper()}, {_month_day(story.day)}, {story.day.year} ({outlet}) – "
            + paragraphs[0]
        )
    elif roll < 0.5:
        paragraphs[0] = f"{story.city.upper()} – {paragraphs[0]}"
    lines = [headline]
    if rng.random() < 0.3:
        names = rng.sample(world.journalists, k=rng.choice((1, 1, 2)))
        lines.append("By " + " and ".join(names))
    lines += paragraphs
    if roll >= 0.3 and rng.random() < 0.5:  # a year for the month-day dates
        lines.append(f"(Reporting for {outlet}; {_month_day(story.day)} {story.day.year})")
    separator = "\n\n" if rng.random() < 0.4 else "\n"
    return separator.join(lines)


def _new_story(world: World, rng: random.Random) -> _Story:
    day = FIRST_DAY + dt.timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days + 1))
    people: list[Person] = []
    while len(people) < rng.randint(2, 4):
        person = world.pick_person(rng)
        if person not in people:
            people.append(person)
    issues = rng.sample(list(ISSUES), k=2)
    return _Story(
        day=day,
        city=rng.choice(CITIES),
        places=[rng.choice(world.places) for _ in range(3)],
        people=people,
        seed_speakers=rng.sample(world.speakers, k=rng.randint(2, 4)),
        collectives=rng.sample(world.collectives, k=3),
        orgs=[world.pick_org(rng) for _ in range(rng.randint(1, 2))],
        issues=issues,
        phrasing={i: rng.sample(ISSUES[i], k=rng.randint(2, 4)) for i in issues},
    )


def _write_story(world: World, rng: random.Random) -> tuple[_Story, set[str]]:
    story = _new_story(world, rng)
    writer = _Writer(world, rng, story)
    target = rng.randint(3000, 5000)
    story.headline = writer.headline()
    story.sentences = [writer.sentence(rng.choice(LEDES))]
    length = len(story.headline) + len(story.sentences[0].text)
    while length < target - 120 or len(story.sentences) < 8:
        sentence = writer.body_sentence()
        story.sentences.append(sentence)
        length += len(sentence.text) + 1
    return story, writer.actors


def _reword(rng: random.Random, text: str, world: World, paraphrase: float = 0.0) -> str:
    """Swap words for synonyms outside quotations, and with probability ``paraphrase``
    replace a common noun or adjective by another (a paraphrase keeps the facts but not
    the wording)."""
    parts = re.split(r"(“[^”]*”|\"[^\"]*\")", text)

    def swap(match: re.Match[str]) -> str:
        word = match.group()
        options = SYNONYMS.get(word.casefold())
        if options and rng.random() < 0.7:
            new = rng.choice(options)
        elif (
            paraphrase
            and word[0].islower()
            and rng.random() < paraphrase
            and word in world.paraphrases
        ):
            new = rng.choice(world.paraphrases[word.casefold()])
        else:
            return word
        return new.title() if word[0].isupper() else new

    return "".join(
        part if i % 2 else re.sub(r"[A-Za-z][a-z-]+", swap, part) for i, part in enumerate(parts)
    )


def _rewrite(
    world: World, rng: random.Random, story: _Story, heavy: bool
) -> tuple[str, list[_Sentence], set[str]]:
    """Another outlet's version: shuffled, ~30% reworded, some sentences dropped or added
    (heavy: ~70% reworded and paraphrased, 30-50% dropped)."""
    drop = rng.uniform(0.3, 0.5) if heavy else rng.uniform(0.1, 0.35)
    kept = [s for s in story.sentences if rng.random() >= drop]
    if len(kept) < 6:
        kept = story.sentences[:6]
    writer = _Writer(world, rng, story)
    writer.mentioned = {a for s in story.sentences for a in s.actors}
    share = rng.uniform(0.8, 1.0) if heavy else rng.uniform(0.2, 0.4)
    paraphrase = rng.uniform(0.5, 0.9) if heavy else 0.0
    retell = rng.uniform(0.2, 0.5) if heavy else 0.0
    result = []
    for sentence in kept:
        roll = rng.random()
        if roll < retell:  # the same story told in other words: a new sentence, same cast
            result.append(writer.body_sentence())
        elif roll < share:
            text = _reword(rng, sentence.text, world, paraphrase)
            result.append(_Sentence(text, sentence.quote, sentence.actors))
        else:
            result.append(sentence)
    result += [writer.body_sentence() for _ in range(rng.randint(0, 3))]
    lede, rest = result[0], result[1:]
    rng.shuffle(rest)
    result = [lede, *rest] if rng.random() < 0.5 else rng.sample(result, k=len(result))
    headline = _reword(rng, story.headline, world) if rng.random() < 0.5 else writer.headline()
    actors = {a for s in result for a in s.actors}
    return headline, result, actors


def _respace(rng: random.Random, text: str) -> str:
    """The same text to ``content_hash``: only the whitespace differs."""
    while True:
        out = text
        if rng.random() < 0.5:
            out = out.replace("\n\n", "\n") if "\n\n" in out else out.replace("\n", "\n\n")
        if rng.random() < 0.5:
            out = out.replace(". ", ".  ")
        if rng.random() < 0.4:
            out = "\n".join(line + " " * rng.randint(0, 2) for line in out.split("\n"))
        if rng.random() < 0.3:
            out = "\n \n" + out + "\n\n"
        if rng.random() < 0.3:
            out = out.replace("\n", "\r\n")
        if rng.random() < 0.2:
            out = out.replace(", ", ",\t", 3)
        if out != text:
            return out


def _related_tail(world: World, rng: random.Random) -> tuple[str, list[str]]:
    lines = []
    if rng.random() < 0.6:
        lines += ["Comments", "No comments yet..."]
    lines += [rng.choice(TAIL_MARKERS), "", ""]
    bodies = []
    for _ in range(rng.randint(2, 3)):
        if rng.random() < 0.6:
            title, outlet, body = rng.choice(world.teasers)
        else:
            title, outlet, body = world._off_topic_story(rng)
        lines += [outlet, rng.choice(AGO), f"- {outlet}", title, body, "", ""]
        bodies.append(body)
    return "\n".join(lines).rstrip(), bodies


@dataclass
class _Stored:
    name: str
    story: _Story
    text: str
    article: Article


def generate(n: int, seed: int = 0, mix: dict[str, float] | None = None) -> Iterator[Article]:
    """``n`` articles with their ground truth, deterministic for ``seed``."""
    world = world_for(seed)
    rng = random.Random(f"bench.synthetic.articles/{seed}")
    shares = MIX if mix is None else mix
    recent: deque[_Stored] = deque(maxlen=RECENT)
    for index in range(n):
        name = f"synthetic/{index:07d}.txt"
        roll, kind = rng.random(), "distinct"
        for candidate in ("rewrite", "copy", "related"):
            if roll < shares.get(candidate, 0.0):
                kind = candidate
                break
            roll -= shares.get(candidate, 0.0)
        originals = [s for s in recent if s.article.kind in ("distinct", "related")]
        if kind in ("rewrite", "copy") and not originals:
            kind = "distinct"
        if kind == "rewrite":
            source = originals[-1 - int(len(originals) * rng.random() ** 2)]
            heavy = rng.random() < HEAVY_REWRITES
            headline, sentences, actors = _rewrite(world, rng, source.story, heavy)
            outlet = rng.choice(world.outlets)
            text = _layout(rng, world, source.story, headline, [s.text for s in sentences], outlet)
            article = Article(
                index,
                name,
                text,
                kind,
                original=source.name,
                style="heavy" if heavy else "light",
                title=headline,
                published_on=source.story.day,
                actors=sorted(actors),
                quotes=[s.quote for s in sentences if s.quote],
            )
            story = source.story
        elif kind == "copy":
            source = recent[-1 - int(len(recent) * rng.random() ** 2)]
            text = _respace(rng, source.text)
            copied = source.article
            article = Article(
                index,
                name,
                text,
                kind,
                original=source.name,
                title=copied.title,
                published_on=copied.published_on,
                actors=copied.actors,
                quotes=copied.quotes,
            )
            story = source.story
        else:
            story, actors = _write_story(world, rng)
            outlet = rng.choice(world.outlets)
            lines = [s.text for s in story.sentences]
            text = _layout(rng, world, story, story.headline, lines, outlet)
            article = Article(
                index,
                name,
                text,
                kind,
                title=story.headline,
                published_on=story.day,
                actors=sorted(actors),
                quotes=[s.quote for s in story.sentences if s.quote],
            )
        main = text
        if kind == "related":
            tail, article.related = _related_tail(world, rng)
            article.text = f"{text}\n\n{tail}\n"
            article.main_length = len(text)
        recent.append(_Stored(name, story, main, article))
        yield article


def articles(n: int, seed: int = 0) -> Iterator[tuple[str, str]]:
    """``n`` (name, text) pairs: the input of an ingestion benchmark."""
    for article in generate(n, seed):
        yield article.name, article.text


@functools.lru_cache(maxsize=4)
def world_for(seed: int = 0) -> World:
    return World(seed)


def actor_rows(n_actors: int, seed: int = 0) -> list[ActorRow]:
    """``n_actors`` synthetic actors (people and organisations) to import after the seeds'
    ``actors.csv`` (their parties are seed actors), ~3.3 names each: the most mentioned
    synthetic names of ``articles(..., seed)``."""
    return world_for(seed).actor_rows(n_actors)


# --- a look at the corpus --------------------------------------------------------------


def _stats(n: int, seed: int, pairs: int) -> None:
    """Lengths, the mix, and how similar unrelated articles and planted rewrites are."""
    from tracker import dedup

    generated = list(generate(n, seed))
    by_name = {a.name: a for a in generated}
    kinds: dict[str, int] = {}
    for article in generated:
        kinds[article.kind] = kinds.get(article.kind, 0) + 1
    lengths = sorted(len(a.text) for a in generated if a.kind == "distinct")
    print(f"{n} articles: {kinds}")
    print(
        f"distinct length: min {lengths[0]}, median {lengths[len(lengths) // 2]}, max {lengths[-1]}"
    )

    def main_text(article: Article) -> str:
        return article.main

    def describe(label: str, values: list[float]) -> None:
        values.sort()
        mean = sum(values) / len(values)
        cut = [values[int(q * (len(values) - 1))] for q in (0.0, 0.5, 0.9, 0.99, 1.0)]
        print(f"{label}: n={len(values)} mean {mean:.3f}  min/median/p90/p99/max "
              + " / ".join(f"{v:.3f}" for v in cut))  # fmt: skip

    rng = random.Random(1)
    distinct = [a for a in generated if a.kind in ("distinct", "related")]
    jaccard, sim = [], []
    for _ in range(pairs):
        a, b = rng.sample(distinct, 2)
        fa, fb = dedup.features(main_text(a)), dedup.features(main_text(b))
        jaccard.append(len(fa & fb) / len(fa | fb))
        sim.append(dedup.similarity(main_text(a), main_text(b)))
    describe("unrelated pairs, word Jaccard", jaccard)
    describe("unrelated pairs, bigram similarity", sim)
    for style in ("light", "heavy"):
        jaccard, sim = [], []
        for article in generated:
            if article.kind == "rewrite" and article.original and article.style == style:
                original = by_name[article.original]
                fa, fb = dedup.features(article.text), dedup.features(main_text(original))
                jaccard.append(len(fa & fb) / len(fa | fb))
                sim.append(dedup.similarity(article.text, main_text(original)))
        describe(f"planted {style} rewrites, word Jaccard", jaccard)
        describe(f"planted {style} rewrites, bigram similarity", sim)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("-n", type=int, default=5, help="articles to print or analyse")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--stats", action="store_true", help="similarity statistics instead")
    parser.add_argument("--pairs", type=int, default=2000, help="unrelated pairs for --stats")
    args = parser.parse_args(argv)
    if args.stats:
        _stats(args.n, args.seed, args.pairs)
        return 0
    for article in generate(args.n, args.seed):
        sys.stdout.write(f"===== {article.name} [{article.kind}"
                         f"{' of ' + article.original if article.original else ''}]\n")  # fmt: skip
        sys.stdout.write(article.text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
