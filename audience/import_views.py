"""Contact imports (AUD-2): upload, preview and mapping, progress, errors file, resume. For
supervisors and admins: an import writes into every contact of the account."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBase, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audience.imports import mapping as columns
from audience.imports import services
from audience.imports.reading import SpreadsheetError
from audience.imports.runner import is_stale
from audience.models import ContactImport, Dedupe, JobState
from spoter.accounts.access import AccountRequest, require_role
from spoter.accounts.models import Role

ACTIVE = (JobState.QUEUED, JobState.RUNNING)


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV or XLSX file"))


class MappingForm(forms.Form):
    """A target per column (``column_<index>``), tags for every row, and the dedupe choice."""

    tags = forms.CharField(
        label=gettext_lazy("Tags for every imported contact"),
        required=False,
        help_text=gettext_lazy("Separated by commas; new ones are created."),
    )
    dedupe = forms.ChoiceField(
        label=gettext_lazy("When a phone is already a contact"), choices=Dedupe.choices, initial=Dedupe.UPDATE
    )

    def __init__(
        self,
        data: QueryDict | None,
        *,
        contact_import: ContactImport,
        choices: list[tuple[str, str]],
        initial: dict[str, str],
    ) -> None:
        super().__init__(data, initial=initial)
        self.columns = []
        for index, header in enumerate(contact_import.headers):
            name = f"column_{index}"
            self.fields[name] = forms.ChoiceField(
                label=header or _("Column %(number)d") % {"number": index + 1},
                choices=choices,
                required=False,
            )
            self.columns.append(name)

    def column_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.columns]

    def mapping(self) -> dict[str, str]:
        return {name.removeprefix("column_"): self.cleaned_data.get(name) or "" for name in self.columns}

    def tag_names(self) -> list[str]:
        return [
            " ".join(name.split())
            for name in self.cleaned_data["tags"].replace(";", ",").split(",")
            if name.strip()
        ]


def _get(request: AccountRequest, import_id: int) -> ContactImport:
    found = ContactImport.objects.for_account(request.account).filter(id=import_id).first()
    if found is None:
        raise Http404
    return found


@require_role(Role.SUPERVISOR)
def contact_imports(request: AccountRequest, account_slug: str) -> HttpResponse:
    imports = ContactImport.objects.for_account(request.account).select_related("created_by")[:100]
    return render(request, "audience/imports.html", {"imports": imports})


@require_role(Role.SUPERVISOR)
def contact_import_create(request: AccountRequest, account_slug: str) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.create_import(request.account, request.user, form.cleaned_data["file"])
        except SpreadsheetError as error:
            form.add_error("file", str(error))
        else:
            return redirect("contact_import", account_slug=account_slug, import_id=created.id)
    return render(request, "audience/import_new.html", {"form": form}, status=400 if form.errors else 200)


@require_role(Role.SUPERVISOR)
def contact_import(request: AccountRequest, account_slug: str, import_id: int) -> HttpResponse:
    contact_import = _get(request, import_id)
    if contact_import.state != JobState.PENDING:
        if request.method == "POST":
            return redirect("contact_import", account_slug=account_slug, import_id=import_id)
        return render(request, "audience/import.html", _progress_context(contact_import))
    fields = services.fields_of(request.account)
    form = MappingForm(
        request.POST if request.method == "POST" else None,
        contact_import=contact_import,
        choices=columns.targets(fields),
        initial={
            f"column_{index}": target
            for index, target in columns.guess(request.account, contact_import, fields).items()
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.start_import(
                contact_import, form.mapping(), form.tag_names(), form.cleaned_data["dedupe"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("contact_import", account_slug=account_slug, import_id=import_id)
    try:
        rows = services.preview(contact_import)
    except SpreadsheetError as error:
        rows, problem = [], str(error)
    else:
        problem = ""
    context = {"contact_import": contact_import, "form": form, "rows": rows, "problem": problem}
    return render(request, "audience/import_mapping.html", context, status=400 if form.errors else 200)


def _progress_context(contact_import: ContactImport) -> dict[str, object]:
    total = contact_import.total_rows or 1
    return {
        "contact_import": contact_import,
        "active": contact_import.state in ACTIVE,
        "percent": min(100, contact_import.processed_rows * 100 // total),
        "resumable": is_stale(contact_import),
    }


@require_role(Role.SUPERVISOR)
def contact_import_progress(request: AccountRequest, account_slug: str, import_id: int) -> HttpResponse:
    return render(request, "audience/import_progress.html", _progress_context(_get(request, import_id)))


@require_role(Role.SUPERVISOR)
def contact_import_errors(request: AccountRequest, account_slug: str, import_id: int) -> HttpResponseBase:
    contact_import = _get(request, import_id)
    response = StreamingHttpResponse(
        services.errors_csv(contact_import), content_type="text/csv; charset=utf-8"
    )
    name = contact_import.filename.rsplit(".", 1)[0].replace('"', "") or "import"
    response["Content-Disposition"] = f'attachment; filename="{name}-errors.csv"'
    return response


@require_POST
@require_role(Role.SUPERVISOR)
def contact_import_resume(request: AccountRequest, account_slug: str, import_id: int) -> HttpResponse:
    contact_import = _get(request, import_id)
    if services.resume_import(contact_import):
        messages.success(
            request, _("The import goes on from row %(row)d.") % {"row": contact_import.processed_rows + 1}
        )
    else:
        messages.info(request, _("This import is not stuck: there is nothing to resume."))
    return redirect("contact_import", account_slug=account_slug, import_id=import_id)
