"""The upload page both CSV importers share: a form with the file, then the import or every bad row."""

from django.shortcuts import render

from roles.csv_io import CsvImportError


def csv_import_page(request, *, form_class, template: str, run):
    """`run(cleaned_data)` imports and returns the response to send (a redirect); a CsvImportError
    re-renders the page with every bad row, status 422."""
    form = form_class(*((request.POST, request.FILES) if request.method == "POST" else (None,)))
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            return run(form.cleaned_data)
        except CsvImportError as exc:
            errors = exc.errors
    status = 422 if request.method == "POST" else 200
    return render(request, template, {"form": form, "errors": errors}, status=status)
