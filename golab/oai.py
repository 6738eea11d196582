"""OAI-PMH 2.0 at ``/oai``: evidence documents and case studies as ``oai_dc`` records, for
repository harvesters (BASE, CORE, library discovery systems).

- Records: every published evidence document (``oai:<repository>:evidence/<pk>``) and case
  study (``oai:<repository>:case/<pk>``; the pk, not the INDIGO id, so that the header of a
  withdrawn case names nothing that was private). Datestamps are ``updated_at`` in UTC.
- Sets: ``evidence``, ``case``, and ``policy-area:<slug>`` (cases by policy sector, documents
  by their policy areas).
- Deletions (``deletedRecord`` transient): a withdrawn document or case, and a soft-deleted
  case, is a header with ``status="deleted"`` in the kind's set only, and nothing more. Drafts
  and records in review are not there at all (``idDoesNotExist``).
- Lists are cut into pages of ``OAI_PAGE_SIZE`` with stateless resumption tokens: the request's
  arguments and the last (kind, pk) returned, signed, so a token needs no server state and a
  forged one is ``badResumptionToken``. Records are harvested by key (kind, then pk), so a
  record changed during a harvest is neither skipped nor repeated.

The responses validate against the bundled OAI-PMH 2.0 and oai_dc schemas (``oai_schemas/``,
``response_schema()``); the tests check every verb.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import Min, Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.html import strip_tags
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_countries import countries
from lxml import etree

from cases.models import PolicySector, Project, published_project_q
from common.models import PublicationStatus
from evidence.models import EvidenceDocument

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
METADATA_FORMATS = {"oai_dc": (OAI_DC_SCHEMA, OAI_DC)}

SCHEMAS = Path(__file__).resolve().parent / "oai_schemas"
_LOCAL_SCHEMAS = {
    OAI_SCHEMA: "OAI-PMH.xsd",
    OAI_DC_SCHEMA: "oai_dc.xsd",
    "http://dublincore.org/schemas/xmls/simpledc20021212.xsd": "simpledc20021212.xsd",
    "http://www.w3.org/2001/03/xml.xsd": "xml.xsd",
}

GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
# Characters XML 1.0 allows; anything else in a stored text is dropped from a record.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_RESUMPTION_SALT = "golab.oai.resumption"
# The forms the OAI-PMH schema gives these arguments (its metadataPrefixType, setSpecType).
_ARGUMENT_PATTERNS = {
    "metadataPrefix": re.compile(r"[A-Za-z0-9\-_\.!~\*'\(\)]+"),
    "set": re.compile(r"([A-Za-z0-9\-_\.!~\*'\(\)])+(:[A-Za-z0-9\-_\.!~\*'\(\)]+)*"),
    "from": re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?"),
    "until": re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?"),
    "identifier": re.compile(r"[A-Za-z0-9\-_.!~*'();/?:@&=+$,%]{1,300}"),
}

ALLOWED_ARGUMENTS = {
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), {"resumptionToken"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
}


class OAIError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def xml_text(value: object) -> str:
    """Text as XML 1.0 can hold it: white space folded, characters it forbids dropped."""
    return _NOT_XML.sub("", " ".join(str(value).split()))


def datestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------------------------
# What is harvested


@dataclass(frozen=True)
class RecordKind:
    key: str  # the set and the identifier's prefix: "evidence", "case"
    name: str
    model: type[Model]
    public: Q  # published: served in full
    deleted: Q  # once public, now not: reported as deleted
    area_q: Callable[[str], Q]  # records in a policy area
    for_records: Callable[[QuerySet], QuerySet]  # what a page of oai_dc records reads
    for_headers: Callable[[QuerySet], QuerySet]  # what a page of headers reads

    def harvestable(self) -> QuerySet:
        return self.model._default_manager.filter(self.public | self.deleted)


def _documents_for_records(queryset: QuerySet) -> QuerySet:
    return queryset.only(
        "pk",
        "status",
        "updated_at",
        "title",
        "url",
        "document_type",
        "publisher",
        "publication_date",
        "abstract",
        "doi",
    ).prefetch_related("authors", "policy_areas")


def _cases_for_records(queryset: QuerySet) -> QuerySet:
    return queryset.only(
        "pk",
        "status",
        "deleted_at",
        "updated_at",
        "indigo_id",
        "name",
        "summary",
        "intervention",
        "policy_sector",
        "launch_year",
    ).prefetch_related("delivery_locations")


KINDS: list[RecordKind] = [
    RecordKind(
        key="evidence",
        name="Evidence documents",
        model=EvidenceDocument,
        public=Q(status=PublicationStatus.PUBLISHED),
        deleted=Q(status=PublicationStatus.WITHDRAWN),
        area_q=lambda area: Q(policy_areas__policy_area=area),
        for_records=_documents_for_records,
        for_headers=lambda qs: qs.only("pk", "status", "updated_at").prefetch_related(
            "policy_areas"
        ),
    ),
    RecordKind(
        key="case",
        name="Case studies (impact bonds and other outcomes contracts)",
        model=Project,
        public=published_project_q(""),
        deleted=Q(status=PublicationStatus.WITHDRAWN)
        | Q(status=PublicationStatus.PUBLISHED, deleted_at__isnull=False),
        area_q=lambda area: Q(policy_sector=area),
        for_records=_cases_for_records,
        for_headers=lambda qs: qs.only("pk", "status", "deleted_at", "updated_at", "policy_sector"),
    ),
]
BY_KEY = {kind.key: kind for kind in KINDS}
AREA_SET = "policy-area"


def repository_identifier() -> str:
    return settings.OAI_REPOSITORY_IDENTIFIER


def identifier(kind: RecordKind, pk: int) -> str:
    return f"oai:{repository_identifier()}:{kind.key}/{pk}"


def parse_identifier(value: str) -> tuple[RecordKind, int]:
    match = re.fullmatch(
        rf"oai:{re.escape(repository_identifier())}:(\w+)/([0-9]{{1,18}})", value.strip()
    )
    if not match or match[1] not in BY_KEY:
        raise OAIError("idDoesNotExist", f"No record has the identifier {value[:200]!r}.")
    return BY_KEY[match[1]], int(match[2])


def is_deleted(record: Any) -> bool:
    return record.status != PublicationStatus.PUBLISHED or bool(getattr(record, "deleted_at", None))


def set_specs(kind: RecordKind, record: Any) -> list[str]:
    if is_deleted(record):
        return [kind.key]
    if isinstance(record, Project):
        areas = [record.policy_sector] if record.policy_sector else []
    else:
        areas = [area.policy_area for area in record.policy_areas.all()]
    return [kind.key, *(f"{AREA_SET}:{area}" for area in areas)]


def all_sets() -> list[tuple[str, str]]:
    sets = [(kind.key, kind.name) for kind in KINDS]
    sets.append((AREA_SET, "Policy areas"))
    sets += [
        (f"{AREA_SET}:{value}", f"Policy area: {label}") for value, label in PolicySector.choices
    ]
    return sets


# ---------------------------------------------------------------------------------------------
# Arguments


@dataclass
class ListArguments:
    verb: str
    prefix: str
    from_: str = ""
    until: str = ""
    set_spec: str = ""
    kind_index: int = 0  # where the next page starts: (kind, after pk)
    after_pk: int = 0
    cursor: int = 0  # how many records earlier pages returned
    total: int = 0  # the list's size, counted for its first page (completeListSize)

    def token(self) -> str:
        return signing.dumps(
            [
                self.verb,
                self.prefix,
                self.from_,
                self.until,
                self.set_spec,
                self.kind_index,
                self.after_pk,
                self.cursor,
                self.total,
            ],
            salt=_RESUMPTION_SALT,
            compress=True,
        )

    @classmethod
    def from_token(cls, verb: str, token: str) -> ListArguments:
        try:
            values = signing.loads(token, salt=_RESUMPTION_SALT)
            arguments = cls(*values)
            texts = (arguments.prefix, arguments.from_, arguments.until, arguments.set_spec)
            numbers = (arguments.kind_index, arguments.after_pk, arguments.cursor, arguments.total)
            valid = (
                arguments.verb == verb
                and all(isinstance(value, str) for value in texts)
                and all(isinstance(value, int) and value >= 0 for value in numbers)
            )
        except (signing.BadSignature, TypeError, ValueError):
            valid = False
        if not valid:
            raise OAIError("badResumptionToken", "The resumption token is not valid.")
        return arguments


def _moment(value: str, name: str) -> tuple[datetime, bool]:
    """A from/until value as a UTC datetime, and whether it is a whole day."""
    try:
        if _DAY.match(value):
            day = date.fromisoformat(value)
            return datetime.combine(day, time.min, tzinfo=UTC), True
        if _SECOND.match(value):
            return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC), False
    except ValueError:
        pass
    raise OAIError("badArgument", f"{name} must be YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ.")


def _time_window(arguments: ListArguments) -> Q:
    condition = Q()
    day_granularity = []
    if arguments.from_:
        start, whole_day = _moment(arguments.from_, "from")
        day_granularity.append(whole_day)
        condition &= Q(updated_at__gte=start)
    if arguments.until:
        end, whole_day = _moment(arguments.until, "until")
        day_granularity.append(whole_day)
        # Inclusive: every record whose datestamp (to the second, or the day) is not later.
        condition &= Q(
            updated_at__lt=end + (timedelta(days=1) if whole_day else timedelta(seconds=1))
        )
    if len(set(day_granularity)) > 1:
        raise OAIError("badArgument", "from and until must have the same granularity.")
    return condition


def _kinds_in_set(set_spec: str) -> list[tuple[int, RecordKind, Q]]:
    """The kinds a set holds, each with its condition (deleted records are only in their
    kind's set)."""
    if not set_spec:
        return [(i, kind, kind.public | kind.deleted) for i, kind in enumerate(KINDS)]
    if set_spec in BY_KEY:
        kind = BY_KEY[set_spec]
        return [(KINDS.index(kind), kind, kind.public | kind.deleted)]
    if set_spec == AREA_SET:
        areas = list(PolicySector.values)
    elif set_spec.startswith(f"{AREA_SET}:") and set_spec.split(":", 1)[1] in PolicySector.values:
        areas = [set_spec.split(":", 1)[1]]
    else:
        raise OAIError("badArgument", f"There is no set {set_spec[:100]!r}.")
    result = []
    for i, kind in enumerate(KINDS):
        in_areas = Q()
        for area in areas:
            in_areas |= kind.area_q(area)
        # A document in two areas is one record: selected by pk, not joined.
        in_set = kind.model._default_manager.filter(kind.public, in_areas).values("pk")
        result.append((i, kind, Q(pk__in=in_set)))
    return result


# ---------------------------------------------------------------------------------------------
# XML


def _element(parent: Any, tag: str, text: str | None = None, **attributes: str) -> Any:
    # Attribute values echo the request (a resumption token may hold anything).
    child = etree.SubElement(parent, tag, {k: xml_text(v) for k, v in attributes.items()})
    if text is not None:
        child.text = xml_text(text)
    return child


def _envelope(request: HttpRequest, base_url: str, params: dict[str, str]) -> Any:
    root = etree.Element(f"{{{OAI}}}OAI-PMH", nsmap={None: OAI, "xsi": XSI})  # type: ignore[dict-item]
    root.set(f"{{{XSI}}}schemaLocation", f"{OAI} {OAI_SCHEMA}")
    _element(root, f"{{{OAI}}}responseDate", datestamp(timezone.now()))
    _element(root, f"{{{OAI}}}request", base_url, **params)
    return root


def _header(parent: Any, kind: RecordKind, record: Any) -> None:
    attributes = {"status": "deleted"} if is_deleted(record) else {}
    header = _element(parent, f"{{{OAI}}}header", **attributes)
    _element(header, f"{{{OAI}}}identifier", identifier(kind, record.pk))
    _element(header, f"{{{OAI}}}datestamp", datestamp(record.updated_at))
    for spec in set_specs(kind, record):
        _element(header, f"{{{OAI}}}setSpec", spec)


def _dc(parent: Any, fields: Iterable[tuple[str, str]]) -> None:
    metadata = _element(parent, f"{{{OAI}}}metadata")
    dc = etree.SubElement(
        metadata, f"{{{OAI_DC}}}dc", nsmap={"oai_dc": OAI_DC, "dc": DC, "xsi": XSI}
    )
    dc.set(f"{{{XSI}}}schemaLocation", f"{OAI_DC} {OAI_DC_SCHEMA}")
    for name, value in fields:
        if value and xml_text(value):
            _element(dc, f"{{{DC}}}{name}", value)


def document_dc(document: EvidenceDocument, page_url: str) -> list[tuple[str, str]]:
    fields = [("title", document.title or document.url or f"Document {document.pk}")]
    fields += [("creator", author.name) for author in document.authors.all()]
    fields += [("subject", area.get_policy_area_display()) for area in document.policy_areas.all()]
    fields += [
        ("description", document.abstract),
        ("publisher", document.publisher),
        ("date", document.publication_date),
        ("type", document.get_document_type_display()),
        ("type", "Text"),
        ("identifier", page_url),
        ("identifier", f"https://doi.org/{document.doi}" if document.doi else ""),
        ("identifier", document.url),
        ("rights", settings.INDIGO_ATTRIBUTION),
    ]
    return fields


def case_dc(project: Project, page_url: str) -> list[tuple[str, str]]:
    codes = dict.fromkeys(loc.country for loc in project.delivery_locations.all() if loc.country)
    return [
        ("title", project.name or project.indigo_id),
        ("creator", "Government Outcomes Lab"),
        ("subject", "Impact bonds"),
        ("subject", project.get_policy_sector_display()),
        ("description", strip_tags(project.summary or project.intervention)),
        ("publisher", "Government Outcomes Lab, University of Oxford"),
        ("date", project.updated_at.date().isoformat()),
        ("type", "Dataset"),
        ("identifier", page_url),
        ("identifier", project.indigo_id),
        ("source", "INDIGO Impact Bond Dataset"),
        *(("coverage", countries.name(code) or code) for code in codes),
        ("coverage", str(project.launch_year) if project.launch_year else ""),
        ("rights", f"{settings.INDIGO_ATTRIBUTION}. {settings.INDIGO_LICENCE}."),
    ]


def _record(parent: Any, request: HttpRequest, kind: RecordKind, record: Any) -> None:
    element = _element(parent, f"{{{OAI}}}record")
    _header(element, kind, record)
    if is_deleted(record):
        return
    page_url = request.build_absolute_uri(record.get_absolute_url())
    fields = document_dc(record, page_url) if kind.key == "evidence" else case_dc(record, page_url)
    _dc(element, fields)


# ---------------------------------------------------------------------------------------------
# Verbs


def _identify(request: HttpRequest, root: Any, base_url: str, args: dict[str, str]) -> None:
    earliest = [kind.harvestable().aggregate(first=Min("updated_at"))["first"] for kind in KINDS]
    known = [moment for moment in earliest if moment]
    identify = _element(root, f"{{{OAI}}}Identify")
    _element(identify, f"{{{OAI}}}repositoryName", settings.SITE_NAME)
    _element(identify, f"{{{OAI}}}baseURL", base_url)
    _element(identify, f"{{{OAI}}}protocolVersion", "2.0")
    _element(identify, f"{{{OAI}}}adminEmail", settings.OAI_ADMIN_EMAIL)
    _element(identify, f"{{{OAI}}}earliestDatestamp", datestamp(min(known, default=timezone.now())))
    _element(identify, f"{{{OAI}}}deletedRecord", "transient")
    _element(identify, f"{{{OAI}}}granularity", GRANULARITY)


def _find(kind: RecordKind, pk: int, shape: Callable[[QuerySet], QuerySet]) -> Any:
    record = shape(kind.harvestable().filter(pk=pk)).first()
    if record is None:
        raise OAIError("idDoesNotExist", "No record has this identifier.")
    return record


def _list_metadata_formats(
    request: HttpRequest, root: Any, base_url: str, args: dict[str, str]
) -> None:
    if "identifier" in args:
        kind, pk = parse_identifier(args["identifier"])
        _find(kind, pk, lambda qs: qs.only("pk"))
    formats = _element(root, f"{{{OAI}}}ListMetadataFormats")
    for prefix, (schema, namespace) in METADATA_FORMATS.items():
        entry = _element(formats, f"{{{OAI}}}metadataFormat")
        _element(entry, f"{{{OAI}}}metadataPrefix", prefix)
        _element(entry, f"{{{OAI}}}schema", schema)
        _element(entry, f"{{{OAI}}}metadataNamespace", namespace)


def _list_sets(request: HttpRequest, root: Any, base_url: str, args: dict[str, str]) -> None:
    if "resumptionToken" in args:
        raise OAIError("badResumptionToken", "ListSets is never split: there is no token.")
    element = _element(root, f"{{{OAI}}}ListSets")
    for spec, name in all_sets():
        entry = _element(element, f"{{{OAI}}}set")
        _element(entry, f"{{{OAI}}}setSpec", spec)
        _element(entry, f"{{{OAI}}}setName", name)


def _check_prefix(prefix: str) -> None:
    if prefix not in METADATA_FORMATS:
        raise OAIError(
            "cannotDisseminateFormat", f"Records are served as oai_dc, not {prefix[:50]!r}."
        )


def _get_record(request: HttpRequest, root: Any, base_url: str, args: dict[str, str]) -> None:
    kind, pk = parse_identifier(args["identifier"])
    record = _find(kind, pk, kind.for_records)
    _check_prefix(args["metadataPrefix"])
    element = _element(root, f"{{{OAI}}}GetRecord")
    _record(element, request, kind, record)


def page_size() -> int:
    return settings.OAI_PAGE_SIZE


def _list(request: HttpRequest, root: Any, base_url: str, args: dict[str, str]) -> None:
    verb = args["verb"]
    if "resumptionToken" in args:
        arguments = ListArguments.from_token(verb, args["resumptionToken"])
    else:
        arguments = ListArguments(
            verb=verb,
            prefix=args["metadataPrefix"],
            from_=args.get("from", ""),
            until=args.get("until", ""),
            set_spec=args.get("set", ""),
        )
    window = _time_window(arguments)
    _check_prefix(arguments.prefix)
    members = _kinds_in_set(arguments.set_spec)
    size = page_size()
    shape = "for_records" if verb == "ListRecords" else "for_headers"
    found: list[tuple[RecordKind, Any]] = []
    for index, kind, member in members:
        selected = kind.model._default_manager.filter(member, window)
        if index < arguments.kind_index or len(found) > size:
            continue
        if index == arguments.kind_index:
            selected = selected.filter(pk__gt=arguments.after_pk)
        rows = getattr(kind, shape)(selected.order_by("pk"))[: size + 1 - len(found)]
        found += [(kind, row) for row in rows]
    if not found:
        raise OAIError("noRecordsMatch", "No records match these arguments.")
    page, more = found[:size], len(found) > size
    container = _element(root, f"{{{OAI}}}{verb}")
    for kind, record in page:
        if verb == "ListRecords":
            _record(container, request, kind, record)
        else:
            _header(container, kind, record)
    if more or "resumptionToken" in args:
        # Counted once, for the first page; later pages carry it in their token.
        total = arguments.total or sum(
            kind.model._default_manager.filter(member, window).count()
            for _index, kind, member in members
        )
        last_kind, last = page[-1]
        following = ListArguments(
            verb=verb,
            prefix=arguments.prefix,
            from_=arguments.from_,
            until=arguments.until,
            set_spec=arguments.set_spec,
            kind_index=KINDS.index(last_kind),
            after_pk=last.pk,
            cursor=arguments.cursor + len(page),
            total=total,
        )
        _element(
            container,
            f"{{{OAI}}}resumptionToken",
            following.token() if more else "",
            completeListSize=str(max(total, 1)),
            cursor=str(arguments.cursor),
        )


VERBS: dict[str, Callable[[HttpRequest, Any, str, dict[str, str]], None]] = {
    "Identify": _identify,
    "ListMetadataFormats": _list_metadata_formats,
    "ListSets": _list_sets,
    "GetRecord": _get_record,
    "ListIdentifiers": _list,
    "ListRecords": _list,
}


def _check_arguments(args: QueryDict) -> tuple[str, dict[str, str]]:
    verbs = args.getlist("verb")
    if len(verbs) != 1 or verbs[0] not in VERBS:
        raise OAIError("badVerb", "verb must be one of " + ", ".join(VERBS) + ", given once.")
    verb = verbs[0]
    required, optional = ALLOWED_ARGUMENTS[verb]
    given = set(args) - {"verb"}
    repeated = [name for name in args if len(args.getlist(name)) > 1]
    if repeated:
        raise OAIError("badArgument", f"Arguments given more than once: {', '.join(repeated)}.")
    unknown = given - required - optional
    if unknown:
        names = ", ".join(sorted(name[:40] for name in unknown))
        raise OAIError("badArgument", f"{verb} does not take: {names}.")
    if "resumptionToken" in given and verb in {"ListIdentifiers", "ListRecords"}:
        if given != {"resumptionToken"}:
            raise OAIError("badArgument", "resumptionToken is an exclusive argument.")
    elif required - given:
        raise OAIError("badArgument", f"{verb} needs: {', '.join(sorted(required - given))}.")
    for name, pattern in _ARGUMENT_PATTERNS.items():
        if name in args and not pattern.fullmatch(str(args[name])):
            raise OAIError("badArgument", f"{name} is not well formed.")
    return verb, {name: str(args[name]) for name in args}


@csrf_exempt  # read-only: OAI-PMH harvesters may POST their (form-encoded) requests
@require_http_methods(["GET", "HEAD", "POST"])
def endpoint(request: HttpRequest) -> HttpResponse:
    args = request.POST if request.method == "POST" else request.GET
    base_url = request.build_absolute_uri(request.path)
    try:
        verb, params = _check_arguments(args)
        root = _envelope(request, base_url, params)
        VERBS[verb](request, root, base_url, params)
    except OAIError as error:
        # After badVerb or badArgument the request element holds the base URL only.
        echo = error.code not in {"badVerb", "badArgument"}
        params = {name: str(args[name]) for name in args} if echo else {}
        root = _envelope(request, base_url, params)
        _element(root, f"{{{OAI}}}error", error.message, code=error.code)
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return HttpResponse(body, content_type="text/xml; charset=utf-8")


# ---------------------------------------------------------------------------------------------
# Validation (tests; ``manage.py shell`` checks of a live harvest)


class _LocalSchemas(etree.Resolver):
    """Resolves the schemas' imports (canonical http:// addresses) to the bundled copies."""

    def resolve(self, system_url, public_id, context):
        name = _LOCAL_SCHEMAS.get(system_url)
        if name is None:
            return None
        return self.resolve_filename(str(SCHEMAS / name), context)


def response_schema() -> etree.XMLSchema:
    """The OAI-PMH 2.0 response schema with oai_dc, from the bundled files, no network."""
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_LocalSchemas())
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "harvest.xsd"), parser))
