"""Communities (EMP-4): groups of contacts who write alike, found in a worker.

Each contact with at least MIN_MESSAGES inbound texts (the MAX_CONTACTS who wrote last) becomes a
vector of three blocks, each normalised: the TF-IDF of their words (their last
MAX_MESSAGES_PER_CONTACT messages, Spanish stop words out, projected to PROJECTED dimensions with
a seeded random matrix when the vocabulary is larger), their interests' current strengths, and
their emotion mix relative to the account's. A cosine k-nearest-neighbour graph of those vectors
is split with Louvain (networkx, fixed seed), so the same data gives the same communities. A
community's terms are the words its members use much more than the account as a whole.

A finished run replaces the previous one; communities a segment still names are kept (the
segment keeps its contacts as they were) until no segment names them.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import networkx as nx
import numpy as np
from django.db import transaction
from django.db.models import Count, F, Max, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from audience.models import Segment
from empaty.interests import current_strength, normalize
from empaty.models import (
    Category,
    Community,
    CommunityMember,
    CommunityRun,
    ContactInterest,
    Emotion,
    JobState,
    MessageAnalysis,
    Polarity,
)
from inbox.models import Message
from spoter.accounts.models import Account, Membership

log = logging.getLogger(__name__)

MIN_MESSAGES = 3
MAX_CONTACTS = 20_000
MAX_MESSAGES_PER_CONTACT = 200
MAX_VOCABULARY = 5_000
PROJECTED = 384
NEIGHBOURS = 10
MIN_SIMILARITY = 0.05
MIN_SIZE = 3
MAX_COMMUNITIES = 40
TERMS = 8
SEED = 20240611
WEIGHTS = {"words": 1.0, "interests": 0.8, "emotions": 0.4}
STALE = timedelta(hours=2)  # a run pending or running this long lost its worker
ACTIVE = (JobState.PENDING, JobState.RUNNING)

STOP_WORDS = frozenset(
    normalize(
        """a al algo algun alguna algunas alguno algunos ante antes aqui asi aun bien buen buena
        buenas bueno buenos cada como con contra cual cuales cuando cuanto de del desde donde dos
        el ella ellas ellos en entre era es esa esas ese eso esos esta estan estas este esto estos
        estoy fue ha hay hasta hola la las le les lo los mas me mi mis mucho muy nada ni no nos
        nosotros o otra otro para pero poco por porque que quien se sea ser si sin sobre solo son
        su sus tal tambien te tenes tengo ti tiene toda todo todos tu tus un una unas uno unos usted
        ustedes vos y ya yo che dale gracias graciass ok okey jaja jajaja jeje holaa buendia dia dias
        tarde tardes noche noches quiero queria quisiera consulta consultar saber favor podes puedo
        seria hace hacer ahi aca alla estaba estamos van voy va vamos tenia tener esto pasa gente"""
    ).split()
)


def tokens(text: str) -> list[str]:
    return [t for t in normalize(text).split() if len(t) > 2 and not t.isdigit() and t not in STOP_WORDS]


@dataclass
class Group:
    members: list[int]  # contact ids
    terms: list[str]
    name: str
    summary: dict[str, Any] = field(default_factory=dict)


# --- Runs ----------------------------------------------------------------------------------------


def active_run(account: Account) -> CommunityRun | None:
    since = timezone.now() - STALE
    runs = CommunityRun.objects.for_account(account).filter(state__in=ACTIVE, created_at__gte=since)
    return runs.order_by("-created_at").first()


def latest_run(account: Account) -> CommunityRun | None:
    done = CommunityRun.objects.for_account(account).filter(state=JobState.DONE)
    return done.order_by("-finished_at", "-id").first()


def start_run(account: Account, by: Membership | None) -> tuple[CommunityRun, bool]:
    """A new pending run queued after commit, or the one under way (one at a time per account);
    the flag says whether it is new."""
    from empaty.tasks import compute_communities  # the tasks module imports this one

    with transaction.atomic():
        Account.objects.select_for_update().filter(id=account.id).first()  # one starter at a time
        stale = CommunityRun.objects.for_account(account).filter(
            state__in=ACTIVE, created_at__lt=timezone.now() - STALE
        )
        stale.update(state=JobState.FAILED, error="timed out", finished_at=timezone.now())
        running = active_run(account)
        if running is not None:
            return running, False
        new = CommunityRun.objects.create(account=account, requested_by=by)
        transaction.on_commit(lambda: compute_communities.delay(account.id, new.id))
    return new, True


def run(account: Account, run_id: int) -> str:
    """Compute the pending run ``run_id`` of ``account``: compare-and-set to running, so a task
    delivered twice computes once."""
    runs = CommunityRun.objects.for_account(account).filter(id=run_id)
    if not runs.filter(state=JobState.PENDING).update(state=JobState.RUNNING):
        return "taken"
    try:
        contacts, groups = compute(account)
        _store(account, run_id, contacts, groups)
    except Exception as error:
        log.exception("communities of account %s failed", account.id)
        runs.update(state=JobState.FAILED, error=str(error)[:1000], finished_at=timezone.now())
        return "failed"
    return "done"


def _store(account: Account, run_id: int, contacts: int, groups: list[Group]) -> None:
    with transaction.atomic():
        communities = Community.objects.bulk_create(
            Community(
                account=account,
                run_id=run_id,
                name=g.name[:120],
                terms=g.terms,
                size=len(g.members),
                summary=g.summary,
            )
            for g in groups
        )
        CommunityMember.objects.bulk_create(
            (
                CommunityMember(account=account, community=community, contact_id=contact_id)
                for community, group in zip(communities, groups, strict=True)
                for contact_id in group.members
            ),
            batch_size=2000,
        )
        CommunityRun.objects.for_account(account).filter(id=run_id).update(
            state=JobState.DONE, contacts=contacts, finished_at=timezone.now()
        )
        _drop_previous(account, run_id)


def _drop_previous(account: Account, run_id: int) -> None:
    """Older runs go, except the communities a segment of the account still names."""
    named: set[int] = set()
    for filters in Segment.objects.for_account(account).values_list("filters", flat=True):
        raw = filters.get("communities") if isinstance(filters, dict) else None
        named |= {value for value in raw or [] if isinstance(value, int)}
    older = CommunityRun.objects.for_account(account).exclude(id=run_id).exclude(state__in=ACTIVE)
    Community.objects.for_account(account).filter(run__in=older).exclude(id__in=named).delete()
    older.annotate(kept=Count("communities")).filter(kept=0).delete()


# --- Computation ---------------------------------------------------------------------------------


def _contacts(account: Account) -> list[int]:
    inbound = Message.objects.for_account(account).filter(direction="in").exclude(text="")
    recent = (
        inbound.values("conversation__contact_id")
        .annotate(n=Count("id"), last=Max("created_at"))
        .filter(n__gte=MIN_MESSAGES)
        .order_by("-last", "-conversation__contact_id")
        .values_list("conversation__contact_id", flat=True)[:MAX_CONTACTS]
    )
    return sorted(recent)


def _words(account: Account, contacts: list[int]) -> list[Counter[str]]:
    index = {contact: i for i, contact in enumerate(contacts)}
    counts: list[Counter[str]] = [Counter() for _ in contacts]
    seen = [0] * len(contacts)
    inbound = Message.objects.for_account(account).filter(direction="in").exclude(text="")
    rows = inbound.order_by("-created_at", "-id").values_list("conversation__contact_id", "text")
    for contact, text in rows.iterator(chunk_size=5000):
        i = index.get(contact)
        if i is not None and seen[i] < MAX_MESSAGES_PER_CONTACT:
            seen[i] += 1
            counts[i].update(tokens(text))
    return counts


def _tfidf(counts: list[Counter[str]]) -> tuple[np.ndarray, list[str]]:
    n = len(counts)
    df: Counter[str] = Counter()
    for counter in counts:
        df.update(counter.keys())
    ceiling = max(2, int(0.6 * n))
    kept = sorted((t for t, d in df.items() if 2 <= d <= ceiling), key=lambda t: (-df[t], t))
    vocabulary = kept[:MAX_VOCABULARY]
    column = {term: j for j, term in enumerate(vocabulary)}
    idf = np.array([math.log((1 + n) / (1 + df[t])) + 1.0 for t in vocabulary], dtype=np.float32)
    width = min(len(vocabulary), PROJECTED)
    projection = None
    if len(vocabulary) > PROJECTED:
        rng = np.random.default_rng(SEED)
        projection = rng.standard_normal((len(vocabulary), PROJECTED)).astype(np.float32)
    matrix = np.zeros((n, width), dtype=np.float32)
    for start in range(0, n, 1000):
        block = np.zeros((min(1000, n - start), len(vocabulary)), dtype=np.float32)
        for row, counter in enumerate(counts[start : start + 1000]):
            for term, count in counter.items():
                j = column.get(term)
                if j is not None:
                    block[row, j] = 1.0 + math.log(count)
        block *= idf
        matrix[start : start + len(block)] = block @ projection if projection is not None else block
    return _unit_rows(matrix), vocabulary


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit: np.ndarray = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
    return unit


def _interests(account: Account, contacts: list[int]) -> tuple[np.ndarray, list[int]]:
    index = {contact: i for i, contact in enumerate(contacts)}
    rows = [r for r in ContactInterest.objects.for_account(account) if r.contact_id in index]
    categories = sorted({r.category_id for r in rows})
    column = {category: j for j, category in enumerate(categories)}
    matrix = np.zeros((len(contacts), len(categories)), dtype=np.float32)
    now = timezone.now()
    for r in rows:
        matrix[index[r.contact_id], column[r.category_id]] = current_strength(r, now)
    return matrix, categories


def _analyses(account: Account, contacts: list[int], kind: str, labels: list[str]) -> np.ndarray:
    """Per contact, how many of their analysed messages had each final emotion (or polarity)."""
    index = {contact: i for i, contact in enumerate(contacts)}
    column = {label: j for j, label in enumerate(labels)}
    final = Coalesce(NullIf(F(f"corrected_{kind}"), Value("")), F(kind))
    grouped = (
        MessageAnalysis.objects.for_account(account)
        .annotate(final=final)
        .values("contact_id", "final")
        .annotate(n=Count("id"))
        .values_list("contact_id", "final", "n")
    )
    matrix = np.zeros((len(contacts), len(labels)), dtype=np.float32)
    for contact, label, n in grouped:
        if contact in index and label in column:
            matrix[index[contact], column[label]] = n
    return matrix


def _graph(features: np.ndarray) -> nx.Graph:
    n = len(features)
    k = min(NEIGHBOURS, n - 1)
    edges: dict[tuple[int, int], float] = {}
    for start in range(0, n, 512):
        similarity = features[start : start + 512] @ features.T
        rows = np.arange(len(similarity))
        similarity[rows, rows + start] = -np.inf
        nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        for row, neighbours in enumerate(nearest):
            for j in sorted(int(x) for x in neighbours):
                weight = float(similarity[row, j])
                if weight > MIN_SIMILARITY:
                    key = (min(start + row, j), max(start + row, j))
                    edges[key] = max(edges.get(key, 0.0), weight)
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_weighted_edges_from((a, b, w) for (a, b), w in sorted(edges.items()))
    return graph


def compute(account: Account) -> tuple[int, list[Group]]:
    """(contacts considered, communities biggest first); nothing is written."""
    contacts = _contacts(account)
    if len(contacts) < 2 * MIN_SIZE:
        return len(contacts), []
    counts = _words(account, contacts)
    words, vocabulary = _tfidf(counts)
    interests, categories = _interests(account, contacts)
    emotion_labels = list(Emotion.values)
    emotions = _analyses(account, contacts, "emotion", emotion_labels)
    mix = emotions / np.maximum(emotions.sum(axis=1, keepdims=True), 1)
    blocks = [
        WEIGHTS["words"] * words,
        WEIGHTS["interests"] * _unit_rows(interests),
        WEIGHTS["emotions"] * _unit_rows(mix - mix.mean(axis=0)),
    ]
    features = _unit_rows(np.hstack(blocks).astype(np.float32))
    found = nx.community.louvain_communities(_graph(features), weight="weight", seed=SEED)
    parts = sorted((sorted(part) for part in found if len(part) >= MIN_SIZE), key=lambda p: (-len(p), p[0]))
    context = _Context(
        contacts=contacts,
        terms=[set(c) & set(vocabulary) for c in counts],
        interests=interests,
        category_names=dict(
            Category.objects.for_account(account).filter(id__in=categories).values_list("id", "name")
        ),
        categories=categories,
        emotions=emotions,
        polarity=_analyses(account, contacts, "polarity", list(Polarity.values)),
    )
    return len(contacts), [context.describe(part) for part in parts[:MAX_COMMUNITIES]]


@dataclass
class _Context:
    contacts: list[int]
    terms: list[set[str]]
    interests: np.ndarray
    category_names: dict[int, str]
    categories: list[int]
    emotions: np.ndarray
    polarity: np.ndarray
    overall: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        for used in self.terms:
            self.overall.update(used)

    def describe(self, part: list[int]) -> Group:
        n, size = len(self.contacts), len(part)
        inside: Counter[str] = Counter()
        for i in part:
            inside.update(self.terms[i])
        scored = []
        for term, count in inside.items():
            p_in, p_all = count / size, self.overall[term] / n
            if count >= 2 and p_in > p_all:
                scored.append((p_in * math.log(p_in / p_all), term))
        terms = [term for _, term in sorted(scored, key=lambda s: (-s[0], s[1]))[:TERMS]]
        strengths = self.interests[part].mean(axis=0) if self.categories else np.zeros(0)
        top = sorted(
            ((float(s), c) for s, c in zip(strengths, self.categories, strict=True) if s > 0),
            key=lambda pair: (-pair[0], pair[1]),
        )[:5]
        interests = [[self.category_names.get(c, ""), round(s, 2)] for s, c in top]
        emotions = self.emotions[part].sum(axis=0)
        polarity = self.polarity[part].sum(axis=0)
        summary: dict[str, Any] = {
            "emotions": {label: int(v) for label, v in zip(Emotion.values, emotions, strict=True) if v},
            "polarity": {label: int(v) for label, v in zip(Polarity.values, polarity, strict=True) if v},
            "interests": interests,
        }
        name = " · ".join(terms[:3]) or (interests[0][0] if interests else "") or "—"
        return Group(members=[self.contacts[i] for i in part], terms=terms, name=str(name), summary=summary)
