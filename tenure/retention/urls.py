from django.urls import path

from tenure.retention import views, views_lottery, views_reports

app_name = "retention"
urlpatterns = [
    path("products/", views_reports.products, name="products"),
    path("products/new/", views_reports.product_edit, name="product_new"),
    path("products/<int:product_id>/edit/", views_reports.product_edit, name="product_edit"),
    path("lottery/", views_lottery.lottery, name="lottery"),
    path("lottery/draw/", views_lottery.lottery_draw_view, name="lottery_draw"),
    path("handoffs/", views_reports.handoffs, name="handoffs"),
    path("intercepts/", views_reports.intercepts, name="intercepts"),
    path("proposals/", views_reports.proposals, name="proposals"),
    path("interviews/", views_reports.interview_report, name="interviews"),
    path("campaigns/", views_reports.campaigns, name="campaigns"),
    path("campaigns/<int:campaign_id>/", views_reports.campaign, name="campaign"),
    path("campaigns/<int:campaign_id>/measure/", views_reports.campaign_measure_view, name="campaign_measure"),
    path("customers/<int:customer_id>/playbook/", views.playbook_panel, name="playbook"),
    path("customers/<int:customer_id>/handoff/", views.handoff_create, name="handoff"),
    path("customers/<int:customer_id>/handoff/done/", views.handoff_done, name="handoff_done"),
    path("customers/<int:customer_id>/intercept/", views.intercept_new, name="intercept"),
    path("customers/<int:customer_id>/intercept/step/", views.intercept_step, name="intercept_step"),
    path("customers/<int:customer_id>/proposal/", views.proposal_create, name="proposal"),
    path("customers/<int:customer_id>/proposal/decide/", views.proposal_decide, name="proposal_decide"),
    path("customers/<int:customer_id>/interview/", views.interview, name="interview"),
]
