from django.urls import path

from . import views

app_name = "governance"
urlpatterns = [
    path("incidents/", views.incident_index, name="incident-list"),
    path("incidents/new/", views.incident_log, name="incident-log"),
    path("incidents/steps/", views.incident_step_options, name="incident-step-options"),
    path("incidents/accountable/", views.incident_accountable, name="incident-accountable"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident-detail"),
    path("incidents/<int:pk>/escalate/", views.incident_escalate_view, name="incident-escalate"),
    path("incidents/<int:pk>/reopen/", views.incident_reopen_view, name="incident-reopen"),
    path("incidents/<int:pk>/review/", views.review_update, name="review-update"),
    path("incidents/<int:pk>/actions/", views.action_add, name="action-add"),
    path("actions/<int:pk>/toggle/", views.action_toggle, name="action-toggle"),
    path("agents/<int:pk>/", views.agent_detail, name="agent-detail"),
    path("agents/<int:pk>/policy/", views.agent_policy, name="agent-policy"),
    path("agents/<int:pk>/pause/", views.agent_pause_view, name="agent-pause"),
    path("agents/<int:pk>/resume/", views.agent_resume_view, name="agent-resume"),
    path("agents/<int:pk>/retire/", views.agent_retire_view, name="agent-retire"),
    path("test/", views.test_page, name="test"),
    path("data-sources/", views.data_source_index, name="data-source-list"),
    path("knowledge/", views.knowledge_asset_index, name="knowledge-asset-list"),
    path("knowledge/<int:pk>/audits/", views.output_audit_add, name="output-audit-add"),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
    path("people/<int:pk>/leave/", views.person_leaver, name="person-leave"),
]
