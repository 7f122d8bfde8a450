from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from .models import Chart
from .selectors import chart_list, chart_live, chart_tree, people_unplaced, person_list


@require_GET
@permission_required("roles.view_chart", raise_exception=True)
def live_chart(request):
    chart = chart_live()
    if chart is None:
        return redirect("roles:chart-list")
    return chart_detail(request, chart.pk)


@require_GET
@permission_required("roles.view_chart", raise_exception=True)
def chart_detail(request, pk: int):
    chart = get_object_or_404(Chart, pk=pk)
    context = {
        "chart": chart,
        "tree": chart_tree(chart),
        "unplaced": people_unplaced(chart) if chart.is_live else [],
    }
    return render(request, "roles/chart_detail.html", context)


@require_GET
@permission_required("roles.view_chart", raise_exception=True)
def chart_index(request):
    return render(request, "roles/chart_list.html", {"charts": chart_list()})


@require_GET
@permission_required("roles.view_person", raise_exception=True)
def people(request):
    return render(
        request, "roles/person_list.html", {"people": person_list().prefetch_related("positions__chart")}
    )
