# ruff: noqa: E501  (the title rules are a table: one rule per line reads best)
"""Job titles → catalogue roles, with platform expertise, team and level, each with a confidence and a reason.

HR systems hold job titles, not MarOps roles: "Marketo Admin" is a Platform owner with Marketo expertise,
"Marketing Ops Manager" a Marketing operations manager, "Account Executive" a seat outside marketing (no
role, which is allowed). A correction a user made is remembered (`TitleRule`) and wins the next time."""

import functools
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db.models.functions import Lower

from roles.choices import Level, Team
from roles.models import Role
from workflows.choices import PlatformCategory
from workflows.models import Platform

from .models import TitleRule


@dataclass(frozen=True)
class TitleMatch:
    role_key: str | None
    platform_key: str | None  # a workflows.Platform's name
    team: str
    level: str
    confidence: float  # 0..1
    reason: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "TitleMatch":
        return cls(**data)


# --- Words ----------------------------------------------------------------------
ABBREVIATIONS = {
    "sr": "senior",
    "snr": "senior",
    "jr": "junior",
    "mgr": "manager",
    "mngr": "manager",
    "dir": "director",
    "mktg": "marketing",
    "mkt": "marketing",
    "ops": "operations",
    "op": "operations",
    "mops": "marketing operations",
    "marops": "marketing operations",
    "gen": "generation",
    "admin": "administrator",
    "assoc": "associate",
    "coord": "coordinator",
    "spec": "specialist",
    "eng": "engineer",
    "svp": "vp",
    "evp": "vp",
    "avp": "vp",
    "vice president": "vp",
    "pmm": "product marketing manager",
    "sdr": "sales development representative",
    "bdr": "business development representative",
    "ae": "account executive",
    "hr": "human resources",
    "hrbp": "human resources business partner",
    "fp a": "financial planning and analysis",
    "sfdc": "salesforce",
    "sfmc": "salesforce marketing cloud",
    "ga4": "google analytics 4",
    "abm": "account based marketing",
    "seo": "search engine optimisation",
    "ppc": "paid search",
}


def title_key(title: str) -> str:
    """A title as remembered: lower case, single spaces (so "Marketo  admin" and "marketo admin" are one rule)."""
    return " ".join(title.lower().split())


@functools.lru_cache(maxsize=4096)
def normalise(text: str) -> str:
    """Lower case, words only, abbreviations spelt out, "&" as "and"; parenthesised notes dropped
    ("Campaign Manager (EMEA)" is a Campaign Manager)."""
    text = re.sub(r"\([^)]*\)", " ", text.lower())
    text = text.replace("&", " and ").replace("+", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    words = " ".join(text.split())
    for short in sorted(ABBREVIATIONS, key=len, reverse=True):
        words = re.sub(rf"\b{short}\b", ABBREVIATIONS[short], words)
    return " ".join(words.split())


# --- Platforms --------------------------------------------------------------------
# Marketing platforms a title may name, with their category (for a platform not yet in the catalogue)
# and other names people write.
KNOWN_PLATFORMS: list[tuple[str, str, list[str]]] = [
    ("Marketo", PlatformCategory.MARKETING_AUTOMATION, ["marketo", "adobe marketo", "marketo engage"]),
    ("HubSpot", PlatformCategory.MARKETING_AUTOMATION, ["hubspot", "hub spot"]),
    ("Pardot", PlatformCategory.MARKETING_AUTOMATION, ["pardot", "account engagement"]),
    ("Eloqua", PlatformCategory.MARKETING_AUTOMATION, ["eloqua", "oracle eloqua"]),
    (
        "Salesforce Marketing Cloud",
        PlatformCategory.MARKETING_AUTOMATION,
        ["salesforce marketing cloud", "marketing cloud", "exacttarget"],
    ),
    ("Braze", PlatformCategory.MARKETING_AUTOMATION, ["braze"]),
    ("Iterable", PlatformCategory.MARKETING_AUTOMATION, ["iterable"]),
    ("Salesforce", PlatformCategory.CRM, ["salesforce", "salesforce crm", "sales cloud"]),
    ("Dynamics 365", PlatformCategory.CRM, ["dynamics", "dynamics 365", "microsoft dynamics"]),
    ("Google Analytics 4", PlatformCategory.ANALYTICS, ["google analytics 4", "google analytics"]),
    ("Segment", PlatformCategory.CDP, ["segment"]),
    ("Contentful", PlatformCategory.CMS, ["contentful"]),
    ("WordPress", PlatformCategory.CMS, ["wordpress"]),
    ("Snowflake", PlatformCategory.DATA_WAREHOUSE, ["snowflake"]),
    ("6sense", PlatformCategory.ADVERTISING, ["6sense", "6 sense"]),
    ("Demandbase", PlatformCategory.ADVERTISING, ["demandbase"]),
    ("Outreach", PlatformCategory.SALES_ENGAGEMENT, ["outreach"]),
    ("Drift", PlatformCategory.SALES_ENGAGEMENT, ["drift"]),
]

# Words that make a title about running a platform (a "Salesforce Account Executive" sells; a
# "Salesforce Administrator" runs the tool).
PLATFORM_WORK = (
    r"(administrator|developer|specialist|consultant|owner|expert|architect|engineer|manager|lead|analyst|operations)"
)


# --- Rules ------------------------------------------------------------------------
# (pattern on the normalised title, role key, confidence, why). The first that matches wins.
ROLE_RULES: list[tuple[str, str, float, str]] = [
    (r"\b(chief executive officer|ceo|founder and ceo|managing director)\b", "ceo", 0.95, "the chief executive"),
    (r"\b(chief marketing officer|cmo)\b", "cmo", 0.95, "the chief marketing officer"),
    (r"\b(chief data officer|cdo|chief data and analytics officer)\b", "cdo", 0.95, "the chief data officer"),
    (r"\b(chief technology officer|cto)\b", "cto", 0.95, "the chief technology officer"),
    (
        r"\b((head|director|vp|senior director) (of )?marketing (operations|technology|systems|ai)|marketing (operations|technology) (director|vp|head)|marketing ai lead|head of martech)\b",
        "head-of-marops",
        0.9,
        "leads marketing operations: the Head of Marketing Operations",
    ),
    (
        r"\b(workflow architect|marketing automation architect|marketing technology architect|martech architect|marketing systems architect|marketing operations architect)\b",
        "workflow-architect",
        0.9,
        "designs workflows across platforms: a Workflow Architect",
    ),
    (
        r"\b(data steward|marketing data (manager|lead|steward|governance)|data governance (manager|lead|specialist))\b",
        "data-steward",
        0.85,
        "owns marketing data rules: a Data Steward",
    ),
    (
        r"\b(prompt (and knowledge )?(designer|engineer)|knowledge designer|ai content (designer|strategist)|conversational ai designer)\b",
        "prompt-knowledge-designer",
        0.85,
        "writes the prompts and knowledge agents use: a Prompt and Knowledge Designer",
    ),
    (
        r"\b((marketing (operations|technology|systems|automation)|martech|revenue marketing operations) (senior )?(manager|lead)|manager marketing operations)\b",
        "marops-manager",
        0.9,
        "runs the marketing systems: a Marketing operations manager",
    ),
    (
        r"\b(marketing operations (specialist|analyst|associate|administrator|executive)|marketing automation (specialist|analyst|administrator|executive)|marketing technologist|martech specialist|marketing systems (analyst|specialist))\b",
        "marops-specialist",
        0.85,
        "works in marketing operations: a Marketing operations specialist",
    ),
    (
        r"\b(head of (demand generation|demand|pipeline marketing)|(vp|director|senior director) (of )?(demand generation|demand|pipeline marketing)|demand generation (director|lead|head))\b",
        "demand-gen-lead",
        0.9,
        "leads demand generation: a Demand generation lead",
    ),
    (
        r"\b(head of (marketing )?analytics|(marketing )?analytics (lead|manager|director)|director (of )?(marketing )?analytics|marketing (data )?analyst|marketing insights (manager|analyst|lead)|marketing data scientist)\b",
        "analytics-lead",
        0.75,
        "owns marketing reporting: an Analytics lead",
    ),
    (
        r"\b(head of content|content (lead|director|marketing lead)|director (of )?content|editorial director|managing editor|content marketing manager|head of editorial)\b",
        "content-lead",
        0.85,
        "leads content: a Content lead",
    ),
    (
        r"\b(content marketer|content (writer|strategist|specialist|marketing specialist|marketing executive|designer|producer)|copywriter|copy writer|editor|social media (manager|specialist|coordinator))\b",
        "content-marketer",
        0.75,
        "writes and publishes content: a Content marketer",
    ),
    (
        r"\b(head of growth|growth (lead|director)|(vp|director) (of )?growth|growth marketing (manager|lead)|growth marketer)\b",
        "growth-lead",
        0.8,
        "leads growth: a Growth lead",
    ),
    (
        r"\b((demand generation|campaign|campaigns|lifecycle marketing|lifecycle|email marketing|field marketing|event|events|account based marketing|integrated marketing|paid media|performance marketing|digital marketing|paid search) (senior )?(manager|specialist|lead|strategist|executive)|campaign manager|demand generation marketer)\b",
        "campaign-manager",
        0.8,
        "runs campaigns: a Campaign manager",
    ),
    (
        r"\b((marketing|campaign|campaigns|events|event|demand generation|digital marketing) (coordinator|assistant|associate)|marketing intern)\b",
        "marketing-coordinator",
        0.85,
        "coordinates marketing work: a Marketing coordinator",
    ),
]

# Titles outside marketing: no role, a team, and the word that told.
OUTSIDE_RULES: list[tuple[str, str, str]] = [
    (
        r"\b(sales operations|revenue operations|revops|sales systems|deal desk|crm administrator)\b",
        Team.SALES_OPS,
        "sales operations",
    ),
    (
        r"\b(sales|account executive|account manager|business development|customer success|solutions (engineer|consultant)|chief revenue officer|cro)\b",
        Team.SALES,
        "sales",
    ),
    (
        r"\b(finance|financial|accountant|accounting|controller|cfo|chief financial officer|payroll|treasury|fp and a|financial planning)\b",
        Team.FINANCE,
        "finance",
    ),
    (
        r"\b(human resources|people (partner|operations|director|manager|lead)|chief people officer|recruiter|recruiting|talent|hrbp)\b",
        Team.PEOPLE,
        "people and HR",
    ),
    (
        r"\b(engineer|engineering|developer|devops|sre|software|architect|data scientist|data engineer|product manager|product designer|designer|qa|it support|chief product officer|cpo)\b",
        Team.ENGINEERING,
        "engineering and product",
    ),
    (
        r"\b(chief|president|coo|chief operating officer|general counsel|founder)\b",
        Team.EXECUTIVE,
        "the executive team",
    ),
]

MARKETING_WORDS = r"\b(marketing|brand|communications|comms|pr|public relations|seo|search engine optimisation|social|community|content|campaign|demand|growth|events?)\b"

# Department names → team (the first that matches; "Marketing" alone says nothing about which marketing team).
DEPARTMENT_RULES: list[tuple[str, str]] = [
    (r"\b(marketing operations|marketing technology|martech|marketing systems)\b", Team.MAROPS),
    (r"\bproduct marketing\b", Team.PRODUCT_MARKETING),
    (
        r"\b(demand generation|demand|campaigns?|field marketing|lifecycle|events?|account based marketing)\b",
        Team.DEMAND_GEN,
    ),
    (r"\b(content|editorial)\b", Team.CONTENT),
    (r"\b(growth|performance marketing|paid media)\b", Team.GROWTH),
    (r"\b(data|analytics|business intelligence|insights)\b", Team.DATA),
    (r"\b(sales operations|revenue operations|revops)\b", Team.SALES_OPS),
    (r"\b(sales|business development|account management|revenue)\b", Team.SALES),
    (r"\b(finance|accounting|financial planning and analysis)\b", Team.FINANCE),
    (r"\b(people|human resources|talent|recruiting)\b", Team.PEOPLE),
    (r"\b(engineering|r and d|research and development|technology|it|product|platform)\b", Team.ENGINEERING),
    (r"\b(executive|leadership|office of the ceo|c suite|board)\b", Team.EXECUTIVE),
    (r"\b(brand|communications|pr|public relations|social|community)\b", Team.MARKETING),
]

LEVEL_RULES: list[tuple[str, str]] = [
    (r"\b(chief [a-z ]*officer|ceo|cmo|cfo|coo|cto|cdo|cro|cpo|president|founder|managing director)\b", Level.C_LEVEL),
    (r"\bvp\b", Level.VP),
    (r"\b(director|head of|head)\b", Level.DIRECTOR),
    (r"\bsenior (\w+ ){0,3}manager\b", Level.SENIOR_MANAGER),
    (r"\b(manager|lead|managing editor)\b", Level.MANAGER),
    (r"\b(coordinator|assistant|associate|intern|junior)\b", Level.COORDINATOR),
]

# The catalogue's exact names match with full confidence ("Data Steward" is the Data Steward).
_TEAM_LOOKUP = {normalise(v): v for v in Team.values} | {normalise(label): v for v, label in Team.choices}


def level_from_title(title: str) -> str:
    """VP, Director, Head of, Senior manager, Manager, Coordinator… from the words of the title."""
    words = normalise(title)
    for pattern, level in LEVEL_RULES:
        if re.search(pattern, words):
            return str(level)
    return str(Level.SPECIALIST)


def team_from_department(department: str) -> str | None:
    """A Team's value or label as written by an export ("Demand gen", "sales_ops"), else a department's
    usual name ("Revenue Operations" → Sales ops). None for "Marketing" alone, or nothing recognised."""
    words = normalise(department)
    if not words:
        return None
    if words in _TEAM_LOOKUP:
        return _TEAM_LOOKUP[words]
    for pattern, team in DEPARTMENT_RULES:
        if re.search(pattern, words):
            return str(team)
    return None


@dataclass
class TitleMatcher:
    """What matching needs from the database, loaded once (three queries) for any number of titles."""

    roles: dict[str, Role]  # key -> role
    rules: dict[str, TitleRule]  # title_key -> rule
    platforms: dict[str, str]  # alias (normalised) -> platform name
    _memo: dict[tuple[str, str], TitleMatch] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "TitleMatcher":
        roles = {role.key: role for role in Role.objects.all()}
        rules = {
            title_key(rule.title): rule for rule in TitleRule.objects.select_related("role", "platform", "created_by")
        }
        platforms: dict[str, str] = {}
        for name, _, aliases in KNOWN_PLATFORMS:
            for alias in aliases:
                platforms[normalise(alias)] = name
        for name in Platform.objects.values_list("name", flat=True):
            platforms[normalise(name)] = name  # the catalogue's own spelling wins
        return cls(roles, rules, platforms)

    def platform_in(self, words: str) -> str | None:
        for alias in sorted(self.platforms, key=len, reverse=True):
            if alias and re.search(rf"\b{re.escape(alias)}\b", words):
                return self.platforms[alias]
        return None

    def match(self, title: str, department: str = "") -> TitleMatch:
        """Each (title, department) is matched once per load: an export repeats its titles."""
        key = (title, department)
        if key not in self._memo:
            self._memo[key] = self._match(title, department)
        return self._memo[key]

    def _match(self, title: str, department: str = "") -> TitleMatch:
        level = level_from_title(title)
        department_team = team_from_department(department)
        rule = self.rules.get(title_key(title))
        if rule is not None:
            who = rule.created_by.get_full_name() or rule.created_by.get_username()
            team = rule.team or department_team or (rule.role.team if rule.role else None) or _outside_team(title)
            return TitleMatch(
                rule.role.key if rule.role else None,
                rule.platform.name if rule.platform else None,
                team,
                level,
                1.0,
                f"Remembered: {who} set this on {rule.created_at:%d %b %Y}",
            )
        words = normalise(title)
        if not words:
            return TitleMatch(None, None, department_team or str(Team.OTHER), level, 0.0, "No title: no role")
        platform = self.platform_in(words)
        for role in self.roles.values():
            if normalise(role.name) == words:
                return self._matched(
                    role, platform, department_team, level, 0.95, f"“{title}” is the catalogue's “{role.name}”"
                )
        if (
            platform is not None
            and re.search(rf"\b{PLATFORM_WORK}\b", words)
            and not re.search(r"\b(account executive|sales (manager|director|representative)|account manager)\b", words)
        ):
            owner = self.roles.get("platform-owner")
            if owner is not None and not re.search(r"\b(workflow|architect)\b", words):
                return self._matched(
                    owner,
                    platform,
                    department_team,
                    level,
                    0.9,
                    f"“{title}” names the tool it runs: a Platform owner, expertise {platform}",
                )
        for pattern, key, confidence, why in ROLE_RULES:
            found = self.roles.get(key)
            if found is not None and re.search(pattern, words):
                reason = f"“{title}” {why}" + (f", expertise {platform}" if platform else "")
                return self._matched(found, platform, department_team, level, confidence, reason)
        for pattern, team, what in OUTSIDE_RULES:
            if re.search(pattern, words):
                return TitleMatch(
                    None,
                    platform,
                    department_team or str(team),
                    level,
                    0.8,
                    f"“{title}” is a {what} title: a seat outside marketing, no catalogue role",
                )
        if re.search(MARKETING_WORDS, words) or department_team in _MARKETING_TEAMS:
            return TitleMatch(
                None,
                platform,
                department_team or str(Team.MARKETING),
                level,
                0.4,
                f"“{title}” is a marketing title the catalogue has no role for: choose one, or leave it without a role",
            )
        return TitleMatch(
            None,
            platform,
            department_team or str(Team.OTHER),
            level,
            0.5,
            f"No marketing role recognised in “{title}”: a seat outside marketing, no catalogue role",
        )

    def _matched(
        self, role: Role, platform: str | None, department_team: str | None, level: str, confidence: float, reason: str
    ) -> TitleMatch:
        return TitleMatch(role.key, platform, department_team or role.team, level, confidence, reason)


_MARKETING_TEAMS = {Team.MAROPS, Team.CONTENT, Team.DEMAND_GEN, Team.GROWTH, Team.PRODUCT_MARKETING, Team.MARKETING}


def _outside_team(title: str) -> str:
    words = normalise(title)
    for pattern, team, _ in OUTSIDE_RULES:
        if re.search(pattern, words):
            return str(team)
    return str(Team.MARKETING) if re.search(MARKETING_WORDS, words) else str(Team.OTHER)


def match_title(title: str, department: str = "") -> TitleMatch:
    """The role a job title means (or no role), with expertise, team, level, confidence and reason. For many
    titles, load a `TitleMatcher` once instead."""
    return TitleMatcher.load().match(title, department)


def platform_for(name: str) -> Platform:
    """The catalogue's platform called `name` (any case), added to the catalogue if it is a known one."""
    found = Platform.objects.filter(name__iexact=name).first()
    if found is not None:
        return found
    category = next((c for n, c, _ in KNOWN_PLATFORMS if n.lower() == name.lower()), PlatformCategory.OTHER)
    return Platform.objects.create(name=name, category=category)


def remember(title: str, role_key: str | None, platform_key: str | None, user: User) -> TitleRule:
    """Remember that `title` means this role (None: no role) and expertise, for the next import."""
    key = title_key(title)
    if not key:
        raise ValueError("A title is needed to remember a role for it.")
    role = Role.objects.get(key=role_key) if role_key else None
    platform = platform_for(platform_key) if platform_key else None
    rule = TitleRule.objects.annotate(lower=Lower("title")).filter(lower=key).first()
    if rule is None:
        return TitleRule.objects.create(title=key[:150], role=role, platform=platform, created_by=user)
    rule.role, rule.platform, rule.created_by = role, platform, user
    rule.save(update_fields=["role", "platform", "created_by"])
    return rule
