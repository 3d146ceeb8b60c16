"""/api/v1/ routes and the OpenAPI schema."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from tenure.analytics.api import CustomerValueViewSet
from tenure.api.audit import AuditEntryViewSet
from tenure.api.customers import AccountViewSet, CustomerViewSet, HoldingViewSet
from tenure.api.docs import api_docs
from tenure.churn.api import ChurnAlertViewSet, ChurnScoreViewSet
from tenure.complaints.api import ComplaintViewSet
from tenure.engagement.api import GreetingViewSet, TaskViewSet
from tenure.messaging.api import ConsentChangeViewSet, MessageViewSet
from tenure.offers.api import CustomerOffersView
from tenure.performance.api import ScorecardViewSet
from tenure.points.api import MerchantPointsViewSet, PointsJournalViewSet
from tenure.surveys.api import SurveyResponseViewSet, SurveyViewSet

router = DefaultRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("accounts", AccountViewSet, basename="account")
router.register("holdings", HoldingViewSet, basename="holding")
router.register("audit", AuditEntryViewSet, basename="audit")
router.register("surveys", SurveyViewSet, basename="survey")
router.register("survey-responses", SurveyResponseViewSet, basename="survey-response")
router.register("churn-alerts", ChurnAlertViewSet, basename="churn-alert")
router.register("churn-scores", ChurnScoreViewSet, basename="churn-score")
router.register("complaints", ComplaintViewSet, basename="complaint")
router.register("customer-values", CustomerValueViewSet, basename="customer-value")
router.register("points/merchants", MerchantPointsViewSet, basename="points-merchant")
router.register("points/journals", PointsJournalViewSet, basename="points-journal")
router.register("greetings", GreetingViewSet, basename="greeting")
router.register("tasks", TaskViewSet, basename="task")
router.register("scorecards", ScorecardViewSet, basename="scorecard")
router.register("messages", MessageViewSet, basename="message")
router.register("consent-changes", ConsentChangeViewSet, basename="consent-change")

urlpatterns = [
    # Any segment reaches the view (as the router's own routes): a non-id is a JSON 404, never Django's HTML one.
    re_path(r"^v1/customers/(?P<customer_id>[^/.]+)/offers/$", CustomerOffersView.as_view(), name="customer-offers"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", api_docs, name="api-docs"),
]
