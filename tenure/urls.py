from django.contrib.auth import views as auth_views
from django.urls import include, path

from tenure.customers import urls as customer_urls
from tenure.org.auth import StaffPasswordChangeForm
from tenure.web import book_views, customer_page

# Log-in, log-out and password change under Django's names. No self-service reset by e-mail:
# bank staff passwords are reset by an administrator.
auth_urls = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password_change/",
        auth_views.PasswordChangeView.as_view(form_class=StaffPasswordChangeForm),
        name="password_change",
    ),
    path("password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]

# The customers namespace: the app's own pages, and the page layer's 360° and book pages.
customer_pages = [
    *customer_urls.urlpatterns,
    path("book/", book_views.book_page, name="book"),
    path("book/move/", book_views.book_move, name="book_move"),
    path("book/deactivate/", book_views.deactivate_page, name="book_deactivate"),
    path("<int:customer_id>/", customer_page.customer_detail, name="detail"),
]

urlpatterns = [
    path("accounts/", include(auth_urls)),
    path("customers/", include((customer_pages, customer_urls.app_name))),
    path("contacts/", include("tenure.contacts.urls")),
    path("churn/", include("tenure.churn.urls")),
    path("retention/", include("tenure.retention.urls")),
    path("loyalty/", include("tenure.loyalty.urls")),
    path("complaints/", include("tenure.complaints.urls")),
    path("p/complaint/", include("tenure.complaints.public_urls")),
    path("surveys/", include("tenure.surveys.urls")),
    path("p/s/", include("tenure.surveys.public_urls")),
    path("messages/", include("tenure.messaging.urls")),
    path("", include("tenure.messaging.public_urls")),  # /p/unsubscribe/, /hooks/messages/
    path("analytics/", include("tenure.analytics.urls")),
    path("points/", include("tenure.points.urls")),
    path("work/", include("tenure.engagement.urls")),
    path("performance/", include("tenure.performance.urls")),
    path("queues/", include("tenure.queues.urls")),
    path("offers/", include("tenure.offers.urls")),
    path("console/", include("tenure.console.urls")),
    path("api/", include("tenure.api.urls")),
    path("", include("tenure.web.urls")),
]

handler400 = "tenure.web.denied.bad_request"
handler403 = "tenure.web.denied.permission_denied"
